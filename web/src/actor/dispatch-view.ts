/**
 * "Dispatch first" for a distributor (`dispatch-list`): the lots it holds, shortest remaining shelf life first
 * (`dispatch-item`, `data-lot`): rank, the lot (a link to its journey), days of shelf life left, the retailer to
 * send it to and why. Lots past rejection, with nowhere to go, recalled or never scanned are listed apart. When the
 * analytics cannot answer: one calm line.
 */
import { html, nothing, type TemplateResult } from "lit-html";

import type { DispatchReport } from "@core/api/analytics.js";
import { formatGrams } from "@core/units.js";

import type { LotView } from "./chain.js";
import { lotPath } from "../router.js";
import type { ActorHost } from "./state.js";
import { lotIdShort, lotJourneyPath, lotName } from "./text.js";

/** The lot's name and journey link: from the lots the hub holds when it is among them, else by id. */
function lotLink(lots: readonly LotView[], lotId: string): TemplateResult {
  const lot = lots.find((l) => l.lotId.toString() === lotId);
  const href = lot === undefined ? lotPath(lotId) : lotJourneyPath(lot);
  const name = lot === undefined ? `lot ${lotIdShort(BigInt(lotId))}` : lotName(lot);
  return html`<a href=${href} data-testid="dispatch-lot">${name}</a>`;
}

function daysText(days: number): string {
  return days < 1 ? `${Math.round(days * 24)} h` : `${days.toFixed(1)} days`;
}

function apart(
  title: string,
  testid: string,
  rows: readonly { lotId: string; text: string }[],
  lots: readonly LotView[],
): TemplateResult | typeof nothing {
  if (rows.length === 0) return nothing;
  return html`<h3 class="actor-dispatch-apart">${title}</h3>
    <ul class="actor-list" data-testid=${testid}>
      ${rows.map((r) => html`<li class="actor-lot" data-lot=${r.lotId}>${lotLink(lots, r.lotId)} · ${r.text}</li>`)}
    </ul>`;
}

function report(r: DispatchReport, lots: readonly LotView[]): TemplateResult {
  return html`${
      r.advice.length === 0
        ? html`<p class="actor-muted">Nothing to dispatch: no lot you hold has a retailer waiting for it.</p>`
        : nothing
    }
    <ol class="actor-list actor-dispatch" data-testid="dispatch-list" data-count=${String(r.advice.length)}>
      ${r.advice.map(
        (a) =>
          html`<li class="actor-dispatch-item" data-testid="dispatch-item" data-lot=${a.lotId} data-rank=${a.rank}>
            <span class="actor-rank"><span class="visually-hidden">Rank </span>${a.rank}</span>
            <div>
              <strong>${lotLink(lots, a.lotId)}</strong> · ${a.species} · ${formatGrams(a.grams)}
              <span class=${a.remainingDays < 1 ? "actor-alarm" : "actor-state"} data-testid="dispatch-days"
                >${daysText(a.remainingDays)} of shelf life left</span
              >
            </div>
            <div>
              to <strong data-testid="dispatch-retailer">${a.retailer.name || `participant #${a.retailer.id}`}</strong>
              (${a.transitHours} h away)
            </div>
            <div class="actor-muted" data-testid="dispatch-why">${a.why}</div>
          </li>`,
      )}
    </ol>
    ${apart(
      "Past rejection — inspect or discard",
      "dispatch-expired",
      r.expired.map((e) => ({
        lotId: e.lotId,
        text: `${formatGrams(e.grams)}, predicted grade ${e.predictedGrade.toFixed(1)}`,
      })),
      lots,
    )}
    ${apart(
      "Held — no retailer wants the species now",
      "dispatch-held",
      r.held.map((h) => ({ lotId: h.lotId, text: h.species })),
      lots,
    )}
    ${apart(
      "Recalled — not to be shipped",
      "dispatch-recalled",
      r.recalled.map((x) => ({ lotId: x.lotId, text: "recalled" })),
      lots,
    )}
    ${apart(
      "Never scanned — no grade to predict from",
      "dispatch-unscanned",
      r.unscanned.map((x) => ({ lotId: x.lotId, text: "scan it first" })),
      lots,
    )}`;
}

/** The "Dispatch first" card of a distributor. */
export function dispatchPanel(host: ActorHost): TemplateResult {
  const d = host.state.dispatch;
  return html`<section class="actor-card actor-dispatch-card" aria-labelledby="dispatch-title">
    <h2 id="dispatch-title">Dispatch first</h2>
    <p class="actor-muted">
      The lots you hold, the shortest remaining shelf life first (predicted from their scans and temperatures by the
      analytics, not recorded on chain).
    </p>
    ${
      d === undefined
        ? html`<p class="actor-muted">Loading…</p>`
        : d.status === "unavailable"
          ? html`<p class="actor-calm" data-testid="dispatch-message" role="status">
              Dispatch advice is unavailable right now (${d.reason}); your lots and orders are below.
            </p>`
          : report(d.report, host.state.lots)
    }
  </section>`;
}
