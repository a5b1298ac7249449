/**
 * A printable label for a product lot (`/label/01/:gtin/10/:lot`, a lazy chunk): species, net weight, GTIN-14, lot,
 * GS1 element string, packed date, catch area, gear and origin, storage band, and a QR code of the lot's Digital Link
 * on the GS1 resolver (`${config.resolverBase}/01/{gtin}/10/{lot}`, which redirects a browser to the journey page on
 * this app; this app's origin when there is no resolver) as inline SVG, so a phone camera opens the journey and a
 * partner's software can ask the same link for the lot's EPCIS events. Sized for a 62 × 100 mm label (`@page label`
 * in styles.css).
 */
import { elementString } from "@core/digital-link.js";
import { coldChainBandText } from "@core/cold-chain.js";
import { formatGrams } from "@core/units.js";
import { html, nothing, render, type TemplateResult } from "lit-html";
import { unsafeSVG } from "lit-html/directives/unsafe-svg.js";
import { toString as qrSvg } from "qrcode/lib/browser.js";

import { fetchJourney } from "../api.js";
import type { WebConfig } from "../config.js";
import { dateOnly } from "../consumer/journey.js";
import { bandOf, journeyOf, packedBy, partyName, speciesLabel, type Journey } from "../consumer/model.js";
import { oneLine } from "../one-line.js";
import type { Route } from "../router.js";
import { journeyPath } from "../router.js";

type LabelRoute = Extract<Route, { name: "label" }>;

/** The Digital Link a label encodes: the resolver's origin (else this app's), GS1 path. */
export function labelLink(config: WebConfig, gtin: string, lot: string): string {
  const base = config.resolverBase !== undefined && config.resolverBase !== "" ? config.resolverBase : config.linkBase;
  return `${base.replace(/\/+$/, "")}${journeyPath(gtin, lot)}`;
}

function unique(values: Array<string | undefined>): string {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ""))].join(", ");
}

function labelBody(j: Journey, route: LabelRoute, link: string, qr: string): TemplateResult {
  const lot = j.root;
  const facts = j.rootFacts;
  const species = lot?.species ?? facts?.species ?? "";
  const catches = j.json.trace.catches.map((id) => ({ node: j.lots.get(id)?.catch, facts: j.facts.get(id)?.catch }));
  const areas = unique(catches.map((c) => c.node?.catchArea ?? c.facts?.catchArea));
  const gears = unique(catches.map((c) => c.node?.gear ?? c.facts?.gear));
  const farmed = catches.some((c) => (c.node?.farmed ?? c.facts?.farmed) === true);
  const wild = catches.some((c) => (c.node?.farmed ?? c.facts?.farmed) === false);
  const origin = farmed && wild ? "wild-caught and farmed" : farmed ? "farmed" : wild ? "wild-caught" : "";
  const band = bandOf(j, j.rootId);
  const packed = packedBy(j, j.rootId);
  const created = facts?.createdAt ?? lot?.createdAt ?? packed?.time ?? 0;
  const svgText = qr.replace(
    "<svg ",
    '<svg data-testid="label-qr" class="qr" role="img" aria-label="QR code of the lot’s Digital Link" ',
  );
  const hri = elementString({ gtin: BigInt(route.gtin), lot: route.lot });
  return html`<article class="label" data-testid="label" aria-label="Label">
    <header>
      <h1 class="label-species">${speciesLabel(j, species, j.rootId)}</h1>
      <p class="label-origin">
        ${[origin, band.min === undefined ? "frozen" : "fresh"].filter((s) => s !== "").join(", ")}
      </p>
    </header>
    <div class="label-qr">${unsafeSVG(svgText)}</div>
    <dl class="label-facts">
      <div>
        <dt>Net weight</dt>
        <dd class="label-weight">${formatGrams(lot?.weightGrams ?? facts?.weightGrams ?? 0)}</dd>
      </div>
      <div>
        <dt>Packed</dt>
        <dd>${created === 0 ? "—" : dateOnly(created)}</dd>
      </div>
      ${
        areas === ""
          ? nothing
          : html`<div>
              <dt>Catch area</dt>
              <dd>FAO ${areas}</dd>
            </div>`
      }
      ${
        gears === ""
          ? nothing
          : html`<div>
              <dt>Gear</dt>
              <dd>${gears}</dd>
            </div>`
      }
      <div>
        <dt>Keep at</dt>
        <dd>${coldChainBandText(band, "prose")}</dd>
      </div>
      ${
        packed === undefined
          ? nothing
          : html`<div>
              <dt>Packed by</dt>
              <dd>${partyName(j, packed.manufacturerId)}</dd>
            </div>`
      }
      <div class="wide">
        <dt>GTIN</dt>
        <dd>${route.gtin}</dd>
      </div>
      <div>
        <dt>Lot</dt>
        <dd>${route.lot}</dd>
      </div>
    </dl>
    <p class="label-hri">${hri}</p>
    <p class="label-link">${link}</p>
  </article>`;
}

/** Renders the label of `route`'s product lot into `host`; the returned function drops the pending request. */
export function mountLabel(host: HTMLElement, route: LabelRoute, config: WebConfig): () => void {
  const abort = new AbortController();
  let alive = true;
  const link = labelLink(config, route.gtin, route.lot);
  const draw = (body: TemplateResult) =>
    render(
      html`<section class="page label-page">
        <div class="label-actions">
          <button type="button" class="button primary" @click=${() => window.print()}>Print</button>
          <a class="button secondary" href=${journeyPath(route.gtin, route.lot)}>Back to the journey</a>
        </div>
        ${body}
      </section>`,
      host,
    );
  draw(html`<p class="loading" role="status">Preparing the label…</p>`);
  Promise.all([
    fetchJourney(`${route.gtin}:${route.lot}`, abort.signal),
    qrSvg(link, { type: "svg", errorCorrectionLevel: "M", margin: 2 }),
  ]).then(
    ([json, qr]) => {
      if (alive) draw(labelBody(journeyOf(json), route, link, qr));
    },
    (err: unknown) => {
      if (!alive) return;
      draw(html`<p class="error" role="alert" data-testid="lookup-error">${oneLine(err)}</p>`);
    },
  );
  return () => {
    alive = false;
    abort.abort();
  };
}
