/**
 * The dApp's service worker (built to /sw.js by web/vite.config.ts, which writes the list of the build's files in
 * place of PRECACHE_LIST): after the first visit the app loads and works with no network — on a vessel at sea.
 *
 * - install: every file of the build (the hashed assets, index.html, the manifest and icons) into a cache named by
 *   that list, so a new build is a new cache, and /config.json into a cache of its own;
 * - activate: the caches of older builds are deleted and open pages are taken over;
 * - a page (navigation): the network first, else the cached index.html (the router draws every route);
 * - /config.json: the network first (and kept), else the last one kept — where the chain, forwarder and relay are;
 * - /rpc, /api/…, /relay/… and other origins: never cached, the page handles their failures (a queued catch waits);
 * - any other GET of this origin: the cache first, else the network.
 *
 * Written against the DOM's types (the project's web build has no WebWorker library): the worker's events are
 * recognised by their shape.
 */

const PRECACHE_LIST = "__FISHTRACE_PRECACHE__";

interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

interface FetchEventLike extends ExtendableEventLike {
  request: Request;
  respondWith(response: Promise<Response>): void;
}

const isExtendable = (event: Event): event is ExtendableEventLike =>
  "waitUntil" in event && typeof event.waitUntil === "function";

const isFetch = (event: Event): event is FetchEventLike =>
  isExtendable(event) && "respondWith" in event && "request" in event && event.request instanceof Request;

function precacheList(): string[] {
  const parsed: unknown = JSON.parse(PRECACHE_LIST);
  return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === "string") : [];
}

const FILES = precacheList();

/** A short hash of the build's file list: the cache's name changes with every build. */
function buildId(files: readonly string[]): string {
  let h = 2166136261;
  for (const ch of files.join("\n")) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619) >>> 0;
  return h.toString(36);
}

const CACHE = `fishtrace-app-${buildId(FILES)}`;
const CONFIG_CACHE = "fishtrace-config";

/** Calls a method of the worker's global scope that the DOM's types do not know (skipWaiting, clients.claim). */
function callOnScope(path: readonly string[]): Promise<unknown> {
  let target: unknown = globalThis;
  let owner: unknown = globalThis;
  for (const key of path) {
    owner = target;
    target = typeof target === "object" && target !== null ? Reflect.get(target, key) : undefined;
  }
  if (typeof target !== "function" || typeof owner !== "object" || owner === null) return Promise.resolve();
  const result: unknown = Reflect.apply(target, owner, []);
  return Promise.resolve(result);
}

self.addEventListener("install", (event) => {
  if (!isExtendable(event)) return;
  // The configuration too: the page that installs the worker fetched it before the worker could keep it.
  const config = caches
    .open(CONFIG_CACHE)
    .then((cache) => cache.add("/config.json"))
    .catch(() => undefined);
  event.waitUntil(
    Promise.all([caches.open(CACHE).then((cache) => cache.addAll(FILES)), config]).then(() =>
      callOnScope(["skipWaiting"]),
    ),
  );
});

self.addEventListener("activate", (event) => {
  if (!isExtendable(event)) return;
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith("fishtrace-app-") && n !== CACHE).map((n) => caches.delete(n))),
      )
      .then(() => callOnScope(["clients", "claim"])),
  );
});

async function networkFirst(request: Request, cacheName: string, fallback: string): Promise<Response> {
  try {
    const response = await fetch(request);
    if (response.ok && cacheName === CONFIG_CACHE) {
      const cache = await caches.open(cacheName);
      await cache.put(fallback, response.clone());
    }
    return response;
  } catch (err) {
    const cached = await caches.match(fallback);
    if (cached !== undefined) return cached;
    throw err;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request);
  return cached ?? fetch(request);
}

self.addEventListener("fetch", (event) => {
  if (!isFetch(event)) return;
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  const path = url.pathname;
  if (path === "/rpc" || path.startsWith("/api/") || path.startsWith("/relay/") || path === "/sw.js") return;
  if (path === "/config.json") {
    event.respondWith(networkFirst(request, CONFIG_CACHE, "/config.json"));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, CACHE, "/index.html"));
    return;
  }
  event.respondWith(cacheFirst(request));
});
