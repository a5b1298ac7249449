/**
 * The dApp's entry: styles, the router and the consumer views. The label page, the QR decoder, the map data and the
 * actor views (wallet, typechain) are lazy chunks, so a phone that opens a pack's link loads only what it shows.
 */
import "./styles.css";

import { html, render } from "lit-html";

import { loadConfig } from "./config.js";
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
  const section = route.name === "actor" ? "actor" : route.name === "home" ? "home" : "";
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
    case "label": {
      document.title = "FishTrace — label";
      render(html`<p class="loading" role="status">Preparing the label…</p>`, host);
      try {
        const [{ mountLabel }, config] = await Promise.all([import("./label/label.js"), loadConfig()]);
        if (current()) unmount = mountLabel(host, route, config);
      } catch (err) {
        if (current()) failed(host, err);
      }
      return;
    }
    case "actor": {
      document.title = "FishTrace — for actors";
      render(html`<p class="loading" role="status">Loading the actor views…</p>`, host);
      try {
        const [{ mountActor }, config] = await Promise.all([import("./actor/index.js"), loadConfig()]);
        if (current()) unmount = mountActor(host, config);
      } catch (err) {
        if (current()) failed(host, err);
      }
      return;
    }
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

startRouter((route) => {
  void show(route);
});
