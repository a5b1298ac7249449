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

export function txPanel(host: ActorHost): TemplateResult | typeof nothing {
  const { tx, history } = host.state;
  if (tx === undefined) return nothing;
  return html`<section class="actor-tx" aria-live="polite">
    ${txLine(tx, "tx-status")}
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
