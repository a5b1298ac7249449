/** The payments panel: what the account may withdraw from its orders (`withdrawable`), and `action-withdraw`. */
import { html, nothing, type TemplateResult } from "lit-html";

import { owedOf } from "./chain.js";
import type { ActorHost } from "./state.js";
import { formError } from "./text.js";
import { moneyText } from "./token.js";

/** The payments card: the total owed to the account and `action-withdraw`. */
export function withdrawPanel(host: ActorHost, off: boolean): TemplateResult {
  const owed = host.state.orders.filter((o) => owedOf(o) > 0n);
  const total = owed.reduce((sum, o) => sum + owedOf(o), 0n);
  return html`<section class="actor-card actor-withdraw">
    <h2>Payments</h2>
    <p>
      Withdrawable: <strong data-testid="withdrawable">${moneyText(host, total)}</strong>
      ${
        owed.length === 0
          ? nothing
          : html`<span class="actor-muted"
              >(order${owed.length === 1 ? "" : "s"} ${owed.map((o) => `${o.stage} ${o.orderId}`).join(", ")})</span
            >`
      }
    </p>
    ${formError(host, "withdraw")}
    <button
      type="button"
      class="button"
      data-testid="action-withdraw"
      ?disabled=${off || total === 0n}
      @click=${() => void host.withdrawAll()}
    >
      Withdraw ${moneyText(host, total)}
    </button>
  </section>`;
}
