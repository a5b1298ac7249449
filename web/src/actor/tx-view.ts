/** The transaction panel: the latest transaction's line (`tx-status`) and the earlier ones folded below it. */
import { html, nothing, type TemplateResult } from "lit-html";

import type { ActorHost } from "./state.js";
import type { TxStatus } from "./tx.js";

function txLine(tx: TxStatus, testid: string): TemplateResult {
  return html`<div
    class=${`actor-txline actor-tx-${tx.state}`}
    data-testid=${testid}
    data-state=${tx.state}
    data-action=${tx.action}
    data-seq=${String(tx.seq)}
    data-result=${tx.result ?? ""}
    data-hash=${tx.hash ?? ""}
  >
    <span class="actor-tx-title">${tx.title}</span>
    <span class="actor-tx-text">${tx.text}</span>
    ${
      tx.links === undefined || tx.links.length === 0
        ? nothing
        : html`<span class="actor-tx-links"
            >${tx.links.map((l) => html`<a href=${l.href} data-testid="label-link">${l.text}</a> `)}</span
          >`
    }
  </div>`;
}

/**
 * The live region is always in the page (a screen reader announces only changes inside a region it already knows),
 * with the latest transaction's line; the earlier ones sit outside it, so folding them in is not read out.
 */
export function txPanel(host: ActorHost): TemplateResult {
  const { tx, history } = host.state;
  return html`<section class=${tx === undefined ? "actor-tx actor-tx-idle" : "actor-tx"}>
    <div role="status" aria-live="polite">${tx === undefined ? nothing : txLine(tx, "tx-status")}</div>
    ${
      history.length === 0
        ? nothing
        : html`<details class="actor-history">
            <summary>Earlier transactions (${history.length})</summary>
            <ul data-testid="tx-history">
              ${history.map((t) => html`<li>${txLine(t, "tx-history-item")}</li>`)}
            </ul>
          </details>`
    }
  </section>`;
}
