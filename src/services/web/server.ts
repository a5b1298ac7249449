/**
 * The dApp's web server (node:http), as the local stack runs it on 127.0.0.1: the built app (web/dist) with a
 * fallback to index.html for the app's own routes, `/config.json` (the WebConfig, from memory), and two same-origin
 * proxies — `POST /rpc` to the node and `GET /api/*` to the trace API — so the page talks to its own origin only and
 * runs under a tight Content Security Policy (no inline scripts or styles, nothing fetched from elsewhere).
 *
 *   GET  /config.json          WebConfig
 *   GET  /healthz              {"ok": true} (the server answers; the proxied services have their own)
 *   POST /rpc                  → the node's JSON-RPC: the methods of RPC_METHODS only (reads, eth_estimateGas,
 *                                eth_sendRawTransaction), application/json only
 *   GET  /api/<path>           → the trace API's /<path> (e.g. /api/v1/journey/:lot)
 *   POST /relay/v1/actions     → the relay's /v1/actions (a signed ForwardRequest, application/json only)
 *   GET  /relay/v1/actions/:id → the relay's /v1/actions/:id (what became of it)
 *
 * Both proxies answer the app's own page only: a Host that is not the server's (a DNS-rebound name) or an Origin of
 * another site is refused with 403 — the node behind /rpc has unlocked accounts and admin methods.
 *   GET  /01/*, /lot/*, /label/*, /actor*, /vessel, /   index.html
 *   GET  /<file>               the file under the app's directory, else 404
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import path from "node:path";

import { BodyTooLargeError, closeAfterAnswer, readBody } from "../http/body.js";
import { listeningAddress, mediaType } from "../http/server.js";
import type { WebConfig } from "../../core/api/web-config.js";

/** The Content Security Policy of every answer: the app's own origin only; images from data: and blob: URLs too. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS: OutgoingHttpHeaders = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

/** The app's routes, answered with index.html (the router draws them in the page). */
const APP_ROUTES = /^\/(?:$|01\/|lot\/|label\/|actor(?:$|\/)|vessel$)/;

/** The largest sponsored action passed on to the relay (a signed ForwardRequest is a few kB). */
const MAX_ACTION_BODY = 64 * 1024;

/** The largest JSON-RPC request body passed on to the node. */
const MAX_RPC_BODY = 1 << 20;

/**
 * The JSON-RPC methods `/rpc` passes on: what the page reads (the app's read provider) and the few a wallet-
 * connected page needs to send a transaction it signed elsewhere. Anything else — the node's admin and test methods
 * (hardhat_*, evm_*, debug_*), its unlocked accounts (eth_sendTransaction, eth_sign, eth_accounts …) — is refused.
 */
export const RPC_METHODS: ReadonlySet<string> = new Set([
  "eth_chainId",
  "net_version",
  "web3_clientVersion",
  "eth_blockNumber",
  "eth_syncing",
  "eth_call",
  "eth_estimateGas",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_getBalance",
  "eth_getCode",
  "eth_getStorageAt",
  "eth_getTransactionCount",
  "eth_getTransactionByHash",
  "eth_getTransactionReceipt",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getLogs",
  "eth_newFilter",
  "eth_newBlockFilter",
  "eth_getFilterChanges",
  "eth_getFilterLogs",
  "eth_uninstallFilter",
  "eth_sendRawTransaction",
]);

/** The JSON-RPC methods of `body` (one request or a batch), or a one-line reason it is refused. */
function rpcMethods(body: Buffer): { methods: string[] } | { error: string; status: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return { status: 400, error: "the body is not JSON (send a JSON-RPC request)" };
  }
  const calls = Array.isArray(parsed) ? parsed : [parsed];
  if (calls.length === 0) return { status: 400, error: "the JSON-RPC batch is empty" };
  const methods: string[] = [];
  for (const call of calls) {
    const method = typeof call === "object" && call !== null && "method" in call ? call.method : undefined;
    if (typeof method !== "string") return { status: 400, error: "a JSON-RPC request names no method" };
    if (!RPC_METHODS.has(method)) {
      return {
        status: 403,
        error: `${method.slice(0, 64)} is not allowed through /rpc (read methods and eth_sendRawTransaction only)`,
      };
    }
    methods.push(method);
  }
  return { methods };
}

/**
 * Whether `req` comes from the server's own page: its Host is the server's own (a DNS-rebound name is not) and its
 * Origin, which browsers send on every POST and every cross-origin request, is the server's origin. A request without
 * Origin is not from a page of another site (curl, the tests, a same-origin GET) and passes on its Host.
 */
function ownRequest(
  req: IncomingMessage,
  hosts: ReadonlySet<string>,
  origins: ReadonlySet<string>,
): string | undefined {
  const host = (req.headers.host ?? "").toLowerCase();
  if (!hosts.has(host)) return `Host "${host.slice(0, 100)}" is not this server`;
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.has(origin.toLowerCase()))
    return `Origin "${origin.slice(0, 100)}" is not this server`;
  return undefined;
}

/** The Host values (and origins) the server answers to on `host:port`: a loopback server by any loopback name. */
export function ownHosts(host: string, port: number): { hosts: Set<string>; origins: Set<string> } {
  const loopback = ["127.0.0.1", "localhost", "[::1]"];
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const names = loopback.includes(bracketed) ? loopback : [bracketed.toLowerCase()];
  const hosts = new Set(names.map((n) => `${n}:${port}`));
  if (port === 80) for (const n of names) hosts.add(n);
  return { hosts, origins: new Set([...hosts].map((h) => `http://${h}`)) };
}

export interface StaticServerOptions {
  /** The built app (web/dist): index.html and its assets. */
  root: string;
  /** The WebConfig served at /config.json, given the server's own origin ("http://127.0.0.1:5173"). */
  config: (origin: string) => WebConfig;
  /** The node's JSON-RPC URL, behind POST /rpc. */
  nodeUrl: string;
  /** The trace API's URL, behind GET /api/*. */
  traceUrl: string;
  /** The relay's URL, behind /relay/v1/actions (sponsored actions); absent: no relay, /relay answers 503. */
  relayUrl?: string;
  host?: string;
  /** 0: any free port (default 5173). */
  port?: number;
}

export interface StaticServer {
  server: Server;
  /** "http://127.0.0.1:5173" */
  url: string;
  port: number;
  config: WebConfig;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(JSON.stringify(body) + "\n");
}

function refuse(res: ServerResponse, status: number, message: string, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, status, { error: message }, headers);
}

/** A refusal before the body was read: the connection closes once the answer is out (src/services/http/body.ts). */
function refuseAndClose(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  refuse(res, status, message, { connection: "close" });
  closeAfterAnswer(req, res);
}

/** Passes `req` on to `target` (method, body, content type) and its answer back; 502 when the target is down. */
function proxy(req: IncomingMessage, res: ServerResponse, target: URL, what: string, body?: Buffer): void {
  const headers: OutgoingHttpHeaders = { accept: req.headers.accept ?? "application/json" };
  if (body !== undefined) {
    headers["content-type"] = req.headers["content-type"] ?? "application/json";
    headers["content-length"] = body.length;
  }
  const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
    const passed: OutgoingHttpHeaders = { ...SECURITY_HEADERS, "cache-control": "no-store" };
    const type = answer.headers["content-type"];
    if (type !== undefined) passed["content-type"] = type;
    res.writeHead(answer.statusCode ?? 502, passed);
    answer.pipe(res);
  });
  upstream.on("error", (err) => {
    if (res.headersSent) res.destroy();
    else refuse(res, 502, `${what} did not answer: ${err.message}`);
  });
  upstream.end(body);
}

/**
 * A JSON request's body, at most `limit` bytes; undefined once a refusal is sent (another media type: `wrongType`,
 * 403 for /rpc as before, 415 elsewhere; too large: 413).
 */
async function jsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  wrongType: number,
  limit: number,
  what: string,
): Promise<Buffer | undefined> {
  const type = mediaType(req);
  if (type !== "application/json") {
    refuseAndClose(req, res, wrongType, `content-type is ${type || "missing"}; ${path} takes application/json only`);
    return undefined;
  }
  try {
    return await readBody(req, limit);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    refuseAndClose(req, res, 413, `${what} is at most ${limit} bytes`);
    return undefined;
  }
}

/** The file under `root` that `pathname` names, or undefined (outside `root`, missing, or a directory). */
async function fileOf(root: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const file = path.resolve(root, "." + path.posix.normalize(decoded));
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cache: string): Promise<void> {
  const { size } = await stat(file);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": size,
    "cache-control": cache,
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

async function handle(
  options: StaticServerOptions & { root: string },
  own: () => { hosts: ReadonlySet<string>; origins: ReadonlySet<string> },
  config: () => WebConfig,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const { pathname } = url;
  if (pathname === "/rpc") {
    if (req.method !== "POST") {
      refuse(res, 405, `${req.method ?? "?"} /rpc is not allowed; POST a JSON-RPC request`, { allow: "POST" });
      return;
    }
    const foreign = ownRequest(req, own().hosts, own().origins);
    if (foreign !== undefined) {
      refuseAndClose(req, res, 403, `${foreign}: /rpc answers the app's own page only`);
      return;
    }
    const body = await jsonBody(req, res, "/rpc", 403, MAX_RPC_BODY, "a JSON-RPC request");
    if (body === undefined) return;
    const checked = rpcMethods(body);
    if ("error" in checked) {
      refuse(res, checked.status, checked.error);
      return;
    }
    proxy(req, res, new URL(options.nodeUrl), "the node", body);
    return;
  }
  if (pathname === "/relay" || pathname.startsWith("/relay/")) {
    const foreign = ownRequest(req, own().hosts, own().origins);
    if (foreign !== undefined) {
      refuseAndClose(req, res, 403, `${foreign}: /relay answers the app's own page only`);
      return;
    }
    const action =
      pathname === "/relay/v1/actions" ? "post" : /^\/relay\/v1\/actions\/[^/]+$/.test(pathname) ? "get" : "";
    if (action === "") {
      refuseAndClose(
        req,
        res,
        404,
        `no such relay path ${pathname} (POST /relay/v1/actions, GET /relay/v1/actions/:id)`,
      );
      return;
    }
    const method = action === "post" ? "POST" : "GET";
    if (req.method !== method) {
      refuseAndClose(req, res, 405, `${req.method ?? "?"} is not allowed on ${pathname}; use ${method}`);
      return;
    }
    if (options.relayUrl === undefined) {
      refuseAndClose(req, res, 503, "no relay runs beside this app: sponsored actions are not taken");
      return;
    }
    const target = new URL(options.relayUrl);
    target.pathname = pathname.slice("/relay".length);
    if (method === "GET") {
      proxy(req, res, target, "the relay");
      return;
    }
    const body = await jsonBody(req, res, "/relay", 415, MAX_ACTION_BODY, "a sponsored action");
    if (body === undefined) return;
    proxy(req, res, target, "the relay", body);
    return;
  }
  if (pathname === "/api" || pathname.startsWith("/api/")) {
    const foreign = ownRequest(req, own().hosts, own().origins);
    if (foreign !== undefined) {
      refuseAndClose(req, res, 403, `${foreign}: /api answers the app's own page only`);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      refuse(res, 405, `${req.method ?? "?"} is not allowed on the trace API; use GET`, { allow: "GET" });
      return;
    }
    const target = new URL(options.traceUrl);
    target.pathname = pathname.slice("/api".length) || "/";
    target.search = url.search;
    proxy(req, res, target, "the trace API");
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    refuse(res, 405, `${req.method ?? "?"} is not allowed; use GET`, { allow: "GET, HEAD" });
    return;
  }
  if (pathname === "/healthz") {
    sendJson(res, 200, { ok: true });
    return;
  }
  if (pathname === "/config.json") {
    sendJson(res, 200, config());
    return;
  }
  const file = pathname === "/" ? undefined : await fileOf(options.root, pathname);
  if (file !== undefined) {
    // Vite's hashed assets never change under their name; everything else is checked each time.
    await sendFile(
      req,
      res,
      file,
      pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    );
    return;
  }
  if (APP_ROUTES.test(pathname)) {
    const index = await fileOf(options.root, "/index.html");
    if (index === undefined) {
      refuse(res, 500, `the app is not built: ${path.join(options.root, "index.html")} is missing (npm run web:build)`);
      return;
    }
    await sendFile(req, res, index, "no-cache");
    return;
  }
  refuse(res, 404, `no such file ${pathname}`);
}

/** Starts the dApp's server on `host:port` (default 127.0.0.1:5173); rejects when the port is taken. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const host = options.host ?? "127.0.0.1";
  const root = path.resolve(options.root);
  let config: WebConfig | undefined;
  let own = ownHosts(host, options.port ?? 5173);
  const server = createServer((req, res) => {
    handle(
      { ...options, root },
      () => own,
      () => {
        if (config === undefined) throw new Error("the web server answered before its config was set");
        return config;
      },
      req,
      res,
    ).catch((err: unknown) => {
      console.error(
        `web server: ${req.method ?? "?"} ${req.url ?? "?"}: ${err instanceof Error ? err.stack : String(err)}`,
      );
      if (res.headersSent) {
        res.destroy();
        return;
      }
      refuse(res, 500, "the web server failed (its log says why)");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 5173, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = listeningAddress(server);
  own = ownHosts(host, port);
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  config = options.config(url);
  return {
    server,
    url,
    port,
    config,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        server.closeAllConnections();
      }),
  };
}
