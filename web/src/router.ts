/**
 * Client-side routes of the dApp. Links are real `<a href>`s; a click on a same-origin link is intercepted and
 * turned into `history.pushState`, so a reload or a shared URL lands on the same view (the static server falls back
 * to index.html for these paths).
 *
 *   /                          look up a lot (scan, upload, type)
 *   /01/:gtin/10/:lot          a product lot's journey (the path of its GS1 Digital Link)
 *   /lot/:id                   any lot's journey by lot id
 *   /label/01/:gtin/10/:lot    a printable label for a product lot
 *   /actor…                    the actor views (lazy chunk, web/src/actor/)
 *   /vessel                    catches registered at sea, offline (lazy chunk, web/src/vessel/)
 */
export type Route =
  | { name: "home" }
  | { name: "journey"; ref: string; gtin?: string; lot?: string }
  | { name: "label"; gtin: string; lot: string }
  | { name: "actor"; path: string }
  | { name: "vessel" }
  | { name: "not-found"; path: string };

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The route of a path (query and fragment ignored). */
export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");
  if (path === "/" || path === "") return { name: "home" };
  if (path === "/actor" || path.startsWith("/actor/")) return { name: "actor", path };
  if (path === "/vessel") return { name: "vessel" };
  let m = /^\/label\/01\/(\d{14})\/10\/([^/]+)$/.exec(path);
  if (m !== null) {
    const [, gtin = "", encoded = ""] = m;
    const lot = decode(encoded);
    if (lot !== undefined) return { name: "label", gtin, lot };
  }
  m = /^\/01\/(\d{14})\/10\/([^/]+)$/.exec(path);
  if (m !== null) {
    const [, gtin = "", encoded = ""] = m;
    const lot = decode(encoded);
    if (lot !== undefined) return { name: "journey", ref: `${gtin}:${lot}`, gtin, lot };
  }
  m = /^\/lot\/([^/]+)$/.exec(path);
  if (m !== null) {
    const [, encoded = ""] = m;
    const id = decode(encoded);
    if (id !== undefined && id.trim() !== "") return { name: "journey", ref: id };
  }
  return { name: "not-found", path };
}

/** The path of a product lot's journey, `/01/{gtin14}/10/{lot}`. */
export function journeyPath(gtin14: string, lot: string): string {
  return `/01/${gtin14}/10/${encodeURIComponent(lot)}`;
}

/** The path of a product lot's label, `/label/01/{gtin14}/10/{lot}`. */
export function labelPath(gtin14: string, lot: string): string {
  return `/label${journeyPath(gtin14, lot)}`;
}

/** The path of any lot's journey by id, `/lot/{id}`. */
export function lotPath(lotId: string): string {
  return `/lot/${encodeURIComponent(lotId)}`;
}

type Listener = (route: Route, url: URL) => void;
let listener: Listener | undefined;

function emit(): void {
  const url = new URL(location.href);
  listener?.(parseRoute(url.pathname), url);
}

/** Goes to `path` in the app (pushState, or replaceState with `replace`). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  emit();
}

const SERVER_PATHS = /^\/(api|rpc|config\.json)(\/|$|\?)/;

function intercept(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.target instanceof Element ? event.target.closest("a") : null;
  if (anchor === null || !anchor.hasAttribute("href")) return;
  if (anchor.target !== "" && anchor.target !== "_self") return;
  if (anchor.hasAttribute("download") || anchor.getAttribute("rel")?.includes("external") === true) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || SERVER_PATHS.test(url.pathname)) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash !== "") return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

/** Starts routing: calls `onRoute` now and on every navigation (links, back/forward). */
export function startRouter(onRoute: Listener): void {
  listener = onRoute;
  document.addEventListener("click", intercept);
  window.addEventListener("popstate", emit);
  emit();
}
