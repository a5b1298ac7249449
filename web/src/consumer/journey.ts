/**
 * A lot's journey for a consumer, phone first: alarm banners, the product, where the fish was caught (with an
 * offline map), who handed it to whom, the QAT scans and the cold chain. Data from the trace API (`fetchJourney`).
 */
import type { AnomalyReport } from "@core/api/analytics.js";
import type { JourneyJson } from "@core/api/journey-json.js";
import { coldChainBandText } from "@core/cold-chain.js";
import { formatGrams } from "@core/units.js";
import { html, nothing, render, type TemplateResult } from "lit-html";

import { fetchAnomalies, fetchJourney } from "../api.js";
import { oneLine } from "../one-line.js";
import type { Route } from "../router.js";
import { labelPath, lotPath } from "../router.js";
import { createStore } from "../store.js";
import { coldChainChart, excursionsOf } from "../svg/cold-chain.js";
import {
  anomalyFlagsOf,
  bandOf,
  bannersOf,
  coldChainOf,
  handoversOf,
  journeyOf,
  lotName,
  packedBy,
  partyName,
  scansOf,
  speciesLabel,
  stageName,
  whereNow,
  type Journey,
} from "./model.js";

type MapModule = typeof import("../svg/map.js");

/**
 * The anomaly detector's findings on the lot and the lots it was made from or into: off chain, fetched beside the
 * journey; their failure is one line.
 */
type AnalyticsState = { status: "loading" } | { status: "ready"; report: AnomalyReport } | { status: "unavailable" };

interface JourneyState {
  status: "loading" | "error" | "ready";
  error: string;
  journey?: Journey;
  analytics: AnalyticsState;
  map?: MapModule;
  mapError: boolean;
}

/** "22 Nov 2026, 06:00 UTC" (unix seconds); "unknown date" for 0. */
export function dateTime(t: number): string {
  if (t === 0) return "unknown date";
  const d = new Date(t * 1000);
  const day = d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return `${day}, ${d.toISOString().slice(11, 16)} UTC`;
}

/** "22 Nov 2026" (unix seconds, UTC). */
export function dateOnly(t: number): string {
  return new Date(t * 1000).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

function time(t: number | undefined, text = dateTime): TemplateResult | string {
  if (t === undefined || t === 0) return "—";
  return html`<time datetime=${new Date(t * 1000).toISOString()}>${text(t)}</time>`;
}

/** Decimal degrees as "69.1234° N, 18.5° E". */
export function positionText(lat: number, lon: number): string {
  const f = (v: number) => Math.abs(v).toLocaleString("en", { maximumFractionDigits: 4 });
  return `${f(lat)}° ${lat < 0 ? "S" : "N"}, ${f(lon)}° ${lon < 0 ? "W" : "E"}`;
}

const BANNER_TESTID: Record<string, string> = {
  recalled: "alarm-recalled",
  "species-mismatch": "alarm-species-mismatch",
  "freshness-warning": "alarm-freshness-warning",
  excursion: "alarm-excursion",
  problem: "alarm-problem",
  flagged: "alarm-flagged",
};

function banners(j: Journey): TemplateResult {
  const list = bannersOf(j, dateTime);
  if (list.length === 0) {
    return html`<p class="all-clear" role="status">
      No alarms: no recall, mismatch, freshness or cold-chain problem.
    </p>`;
  }
  return html`<div class="alarms">
    ${list.map(
      (b) =>
        html`<section
          class="alarm alarm-${b.kind}"
          data-testid=${BANNER_TESTID[b.kind] ?? "alarm"}
          role=${b.kind === "recalled" ? "alert" : "status"}
          aria-label=${b.title}
        >
          <h2 class="alarm-title"><span aria-hidden="true">⚠</span> ${b.title}</h2>
          <ul>
            ${b.lines.map((line) => html`<li>${line}</li>`)}
          </ul>
        </section>`,
    )}
  </div>`;
}

/** "Found by the anomaly detector": leads from the analytics, set apart from the alarms the chain recorded. */
function analyticsFlags(j: Journey, a: AnalyticsState): TemplateResult | typeof nothing {
  if (a.status === "loading") return nothing;
  if (a.status === "unavailable") {
    return html`<p class="hint analytics-unavailable" data-testid="analytics-unavailable" role="status">
      The anomaly detector could not be asked about this lot just now; the record above is complete without it.
    </p>`;
  }
  const flags = anomalyFlagsOf(j, a.report);
  const model = a.report.model;
  const trained = dateOnly(Date.parse(model.trainedAt) / 1000);
  const about =
    `Not recorded on chain: the anomaly detector's model version ${model.version} (trained ${trained}) scored the ` +
    "transports and processing of this lot and the lots it was made from or into. Leads to check, not proven faults.";
  return html`<section
    class="section analytics"
    data-testid="analytics-flags"
    data-count=${String(flags.length)}
    aria-labelledby="analytics-title"
  >
    <h2 id="analytics-title">Found by the anomaly detector</h2>
    ${
      flags.length === 0
        ? html`<p class="ok-line">Nothing unusual in the transports or processing of this lot or its lineage.</p>`
        : html`<ul class="analytics-list">
            ${flags.map(
              (f) =>
                html`<li
                  class="card analytics-flag"
                  data-testid="analytics-flag"
                  data-kind=${f.kind}
                  data-relation=${f.relation}
                >
                  <h3>${f.title}</h3>
                  <p class="analytics-where">In ${f.where}${f.lineage === undefined ? "" : `, ${f.lineage}`}</p>
                  <ul class="analytics-reasons">
                    ${f.reasons.map((r) => html`<li>${r}</li>`)}
                  </ul>
                  <p class="conf">score ${f.score.toFixed(1)} (flagged above ${model.threshold.toFixed(1)})</p>
                </li>`,
            )}
          </ul>`
    }
    <p class="hint analytics-about">${about}</p>
  </section>`;
}

function row(label: string, value: unknown): TemplateResult | typeof nothing {
  if (value === undefined || value === "" || value === nothing) return nothing;
  return html`<div class="row">
    <dt>${label}</dt>
    <dd>${value}</dd>
  </div>`;
}

function productCard(j: Journey): TemplateResult {
  const lot = j.root;
  const facts = j.rootFacts;
  const kind = lot?.kind ?? facts?.kind ?? "catch";
  const species = lot?.species ?? facts?.species ?? "";
  const product = j.json.product;
  const packed = packedBy(j, j.rootId);
  const band = bandOf(j, j.rootId);
  const created = facts?.createdAt ?? lot?.createdAt ?? 0;
  const frozen = ((lot?.flags ?? 0) & 1) !== 0 || facts?.catch?.frozen === true || band.min === undefined;
  return html`<section class="card product" data-testid="product-card" aria-labelledby="product-title">
    <p class="eyebrow">${kind === "product" ? "Product" : "Catch lot"}</p>
    <h2 id="product-title">${speciesLabel(j, species, j.rootId)}</h2>
    <dl class="facts">
      ${row("Net weight", formatGrams(lot?.weightGrams ?? facts?.weightGrams ?? 0))} ${row("GTIN", product?.gtin)}
      ${row("Lot", product?.lotNumber)}
      ${row("Packed by", packed === undefined ? undefined : partyName(j, packed.manufacturerId))}
      ${row(kind === "product" ? "Packed on" : "Registered on", time(created))}
      ${row("Keep at", `${coldChainBandText(band, "prose")} (${frozen ? "frozen" : "fresh"})`)}
      ${row("Where now", whereNow(j, lot))} ${row("Lot id", kind === "catch" ? j.rootId : undefined)}
    </dl>
    ${
      product === undefined
        ? nothing
        : html`<p class="element-string" aria-label="GS1 element string">${product.elementString}</p>
            <p class="card-actions">
              <a
                class="button secondary"
                data-testid="label-link"
                href=${labelPath(product.gtin.padStart(14, "0"), product.lotNumber)}
                >Print label</a
              >
            </p>`
    }
  </section>`;
}

function catchCards(j: Journey, state: JourneyState): TemplateResult | typeof nothing {
  const ids = j.json.trace.catches;
  if (ids.length === 0) return nothing;
  return html`<section class="section" aria-labelledby="catch-title">
    <h2 id="catch-title">Where it was caught</h2>
    ${ids.map((id) => {
      const lot = j.lots.get(id);
      const facts = j.facts.get(id);
      const c = lot?.catch;
      const fc = facts?.catch;
      const lat = c?.latitude ?? fc?.latitude;
      const lon = c?.longitude ?? fc?.longitude;
      const area = c?.catchArea ?? fc?.catchArea ?? "";
      const farmed = c?.farmed ?? fc?.farmed ?? false;
      const position = lat === undefined || lon === undefined ? "" : positionText(lat, lon);
      const caption = [position, area === "" ? "" : `FAO ${area}`].filter((s) => s !== "").join(" · ");
      let map: TemplateResult | string = html`<p class="map-placeholder" role="status">Loading the map…</p>`;
      if (lat === undefined || lon === undefined) map = "";
      else if (state.map !== undefined) map = state.map.catchMap({ latitude: lat, longitude: lon, caption });
      else if (state.mapError) map = html`<p class="hint">The map could not be drawn.</p>`;
      return html`<article class="card catch" data-testid="catch-card">
        <h3>${speciesLabel(j, lot?.species ?? facts?.species ?? "", id)} · <a href=${lotPath(id)}>catch ${id}</a></h3>
        <dl class="facts">
          ${row(farmed ? "Farm" : "Vessel", c?.vessel ?? fc?.vessel)}
          ${row(farmed ? "Farmer" : "Harvester", c === undefined ? (fc === undefined ? undefined : partyName(j, fc.harvesterId)) : c.harvester.name)}
          ${row("Gear", c?.gear ?? fc?.gear)} ${row("FAO area", area)}
          ${row(farmed ? "Harvested" : "Caught", time(c?.caughtAt ?? fc?.caughtAt))} ${row("Position", position)}
          ${row("Origin", farmed ? "farmed" : "wild-caught")}
          ${row("Weight", lot === undefined ? undefined : formatGrams(lot.weightGrams))}
        </dl>
        ${map}
      </article>`;
    })}
  </section>`;
}

const MODES: Record<string, string> = { road: "by road", rail: "by rail", sea: "by sea", air: "by air" };

function handovers(j: Journey): TemplateResult | typeof nothing {
  const list = handoversOf(j);
  if (list.length === 0) return nothing;
  return html`<section class="section" aria-labelledby="handover-title">
    <h2 id="handover-title">Hand-overs</h2>
    <ol class="timeline">
      ${list.map((h) => {
        const route = h.route;
        const routeText =
          route === undefined
            ? ""
            : `${route.origin} → ${route.destination}${route.mode === "" ? "" : ` ${MODES[route.mode] ?? `by ${route.mode}`}`}${
                route.vehicle === "" ? "" : ` (${route.vehicle})`
              }`;
        const settled =
          h.settled === undefined
            ? undefined
            : html`${h.settled.phase === "settled" ? "paid" : h.settled.phase} ${time(h.settled.time)}`;
        return html`<li class="handover" data-testid="handover">
          <p class="who">
            <strong>${partyName(j, h.sellerId)}</strong> <span class="role">${stageName(h.stage)}</span>
            <span aria-label="to">→</span>
            <strong>${partyName(j, h.buyerId)}</strong> <span class="role">${stageName(h.stage + 1)}</span>
          </p>
          <dl class="facts compact">
            ${row("Shipped", time(h.shipped))} ${row("Received", time(h.received))} ${row("Route", routeText)}
            ${row("Arrived at", h.arrivedLocation)} ${row("Order", settled)}
            ${row("Lots", h.lotIds.map((id) => lotName(j, id)).join(", "))}
          </dl>
        </li>`;
      })}
    </ol>
  </section>`;
}

function scans(j: Journey): TemplateResult | typeof nothing {
  const rows = scansOf(j);
  if (rows.length === 0) return nothing;
  return html`<section class="section" aria-labelledby="scans-title">
    <h2 id="scans-title">Quality scans</h2>
    <p class="hint">Each scan checks the species and grades freshness (Torry scale, 10 = just caught).</p>
    <table class="scans">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Stage</th>
          <th scope="col">Lot</th>
          <th scope="col">Species scanned</th>
          <th scope="col">Freshness</th>
          <th scope="col">Device</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map((r) => {
          const match = r.registered === undefined || r.registered === r.scanned;
          return html`<tr data-testid="qat-scan" class=${match && !r.freshnessWarning ? "" : "warn"}>
            <td data-label="Time"><span>${time(r.time)}</span></td>
            <td data-label="Stage"><span>${r.stage}</span></td>
            <td data-label="Lot"><span>${lotName(j, r.lotId)}</span></td>
            <td data-label="Species">
              <span
                ><span
                  class=${match ? "ok" : "bad"}
                  aria-label=${match ? "matches the registered species" : "does not match"}
                  >${match ? "✓" : "✗"}</span
                >
                ${r.scanned}${match ? "" : html` (registered ${r.registered})`}
                <span class="conf">${r.speciesConfidence} % sure</span></span
              >
            </td>
            <td data-label="Freshness">
              <span
                >grade ${r.grade}
                <span class="conf">${r.gradeConfidence} % sure</span>
                ${r.freshnessWarning ? html`<span class="bad">warning</span>` : ""}</span
              >
            </td>
            <td data-label="Device"><span>#${r.deviceId}</span></td>
          </tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}

function coldChain(j: Journey): TemplateResult | typeof nothing {
  const series = coldChainOf(j);
  if (series.length === 0) return nothing;
  return html`<section class="section" aria-labelledby="cold-title">
    <h2 id="cold-title">Cold chain</h2>
    ${series.map((s) => {
      const name = s.lotId === j.rootId ? "this lot" : lotName(j, s.lotId);
      const excursions = excursionsOf(s, dateTime);
      return html`<figure class="card chart-card" data-testid="cold-chain-chart">
        <figcaption>
          <strong>${name === "this lot" ? "This lot" : name}</strong>: allowed ${coldChainBandText(s.band, "prose")}
          (shaded); ${s.readings.length} reading${s.readings.length === 1 ? "" : "s"}, ${s.batches.length} sensor
          batch${s.batches.length === 1 ? "" : "es"}
        </figcaption>
        ${coldChainChart(s, name)}
        ${
          excursions.length === 0
            ? html`<p class="ok-line">All within ${coldChainBandText(s.band, "prose")}.</p>`
            : html`<ul class="excursion-list">
                ${excursions.map((e) => html`<li data-testid="excursion-text"><span class="bad">✕</span> ${e.text}</li>`)}
              </ul>`
        }
      </figure>`;
    })}
  </section>`;
}

function page(state: JourneyState, route: Extract<Route, { name: "journey" }>): TemplateResult {
  if (state.status === "loading") {
    return html`<section class="page"><p class="loading" role="status">Looking up ${route.ref}…</p></section>`;
  }
  if (state.status === "error" || state.journey === undefined) {
    return html`<section class="page">
      <h1>Lot not found</h1>
      <p class="error" role="alert" data-testid="lookup-error">${state.error}</p>
      <p><a class="button secondary" href="/">Look up another code</a></p>
    </section>`;
  }
  const j = state.journey;
  const title =
    j.json.product === undefined ? lotName(j, j.rootId) : `${j.json.product.gtin} · lot ${j.json.product.lotNumber}`;
  return html`<article class="page journey" data-testid="journey">
    <h1><span class="eyebrow">Journey of</span> ${title}</h1>
    ${banners(j)} ${productCard(j)} ${analyticsFlags(j, state.analytics)} ${catchCards(j, state)} ${handovers(j)}
    ${scans(j)} ${coldChain(j)}
    <p class="footnote">From the FishTrace ledger, indexed to block ${j.json.indexedTo} (chain ${j.json.chainId}).</p>
  </article>`;
}

/** Renders the journey of `route.ref` into `host`; the returned function drops the pending requests. */
export function mountJourney(host: HTMLElement, route: Extract<Route, { name: "journey" }>): () => void {
  const abort = new AbortController();
  let alive = true;
  const store = createStore<JourneyState>(
    { status: "loading", error: "", mapError: false, analytics: { status: "loading" } },
    (s) => render(page(s, route), host),
  );
  render(page(store.state, route), host);

  const ready = (json: JourneyJson) => {
    if (!alive) return; // the answer came after the user left the page: the title is another page's now
    const journey = journeyOf(json);
    document.title = `FishTrace — ${speciesLabel(journey, journey.root?.species ?? "", journey.rootId)}`;
    store.update({ status: "ready", journey });
    fetchAnomalies(json.lotId, abort.signal).then(
      (report) => alive && store.update({ analytics: { status: "ready", report } }),
      () => alive && store.update({ analytics: { status: "unavailable" } }),
    );
    if (json.trace.catches.length > 0) {
      import("../svg/map.js").then(
        (map) => alive && store.update({ map }),
        () => alive && store.update({ mapError: true }),
      );
    }
  };

  fetchJourney(route.ref, abort.signal).then(ready, (err: unknown) => {
    if (!alive) return;
    store.update({ status: "error", error: oneLine(err, "The lot could not be loaded.") });
  });
  return () => {
    alive = false;
    abort.abort();
  };
}
