/**
 * The dApp's entry: styles, the router and the consumer views. The label page, the QR decoder, the map data and the
 * actor views (wallet, typechain) are lazy chunks, so a phone that opens a pack's link loads only what it shows.
 */
import "./styles.css";

import { html, render } from "lit-html";

import { loadConfig, type WebConfig } from "./config.js";
import { mountHome } from "./consumer/home.js";
import { mountJourney } from "./consumer/journey.js";
import { elements } from "./dom.js";
import { oneLine } from "./one-line.js";
import { type Route, startRouter } from "./router.js";

const app = document.getElementById("app") ?? document.body;
let unmount: (() => void) | undefined;
let generation = 0;
let first = true;

function setNav(route: Route): void {
  const section = route.name === "actor" || route.name === "home" || route.name === "vessel" ? route.name : "";
  for (const a of elements(document, "[data-nav]", HTMLAnchorElement)) {
    if (a.dataset.nav === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.body.dataset.route = route.name;
}

function failed(host: HTMLElement, error: unknown): void {
  render(
    html`<section class="page">
      <p class="error" role="alert">${oneLine(error)}</p>
      <p><a href="/">Back to look-up</a></p>
    </section>`,
    host,
  );
}

/**
 * A view in a lazy chunk: `loading` while the chunk and the configuration load, then what `load` returns mounts it
 * (unless the route changed meanwhile), or the failure in one line.
 */
async function lazyView(
  host: HTMLElement,
  current: () => boolean,
  loading: string,
  load: (config: WebConfig) => Promise<() => () => void>,
): Promise<void> {
  render(html`<p class="loading" role="status">${loading}</p>`, host);
  try {
    const mount = await load(await loadConfig());
    if (current()) unmount = mount();
  } catch (err) {
    if (current()) failed(host, err);
  }
}

async function show(route: Route): Promise<void> {
  const gen = ++generation;
  unmount?.();
  unmount = undefined;
  setNav(route);
  const host = document.createElement("div");
  host.className = "view";
  app.replaceChildren(host);
  if (!first) {
    window.scrollTo(0, 0);
    app.focus({ preventScroll: true });
  }
  first = false;
  const current = () => gen === generation;
  switch (route.name) {
    case "home":
      document.title = "FishTrace — look up your fish";
      unmount = mountHome(host);
      return;
    case "journey":
      document.title = "FishTrace — journey";
      unmount = mountJourney(host, route);
      return;
    case "label":
      document.title = "FishTrace — label";
      return lazyView(host, current, "Preparing the label…", async (config) => {
        const { mountLabel } = await import("./label/label.js");
        return () => mountLabel(host, route, config);
      });
    case "actor":
      document.title = "FishTrace — for actors";
      return lazyView(host, current, "Loading the actor views…", async (config) => {
        const { mountActor } = await import("./actor/index.js");
        return () => mountActor(host, config);
      });
    case "vessel":
      document.title = "FishTrace — at sea";
      return lazyView(host, current, "Loading…", async (config) => {
        const { mountVessel } = await import("./vessel/index.js");
        return () => mountVessel(host, config);
      });
    case "not-found":
      document.title = "FishTrace — not found";
      render(
        html`<section class="page">
          <h1>Nothing here</h1>
          <p>FishTrace has no page at <code>${route.path}</code>.</p>
          <p><a href="/">Look up a lot</a></p>
        </section>`,
        host,
      );
      return;
  }
}

// The service worker (web/src/sw.ts, built to /sw.js): after this first visit the app loads with no network. The
// Vite dev server has none to register (a 404, ignored); the page works the same without it.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  });
}

startRouter((route) => {
  void show(route);
});
