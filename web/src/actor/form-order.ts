/** Every buyer's form: place an escrowed order at the order book of the stage it buys from (actions.placeOrder). */
import { html, type TemplateResult } from "lit-html";

import type { Settlement } from "@core/deployment.js";
import { stageRole } from "@core/stages.js";
import { defined } from "@core/checks.js";

import { elementOf } from "../dom.js";
import * as actions from "./actions.js";
import type { Participant } from "./chain.js";
import { buyStages, roleWord } from "./roles.js";
import type { ActorHost } from "./state.js";
import { formError, formFields, shortAddress, speciesField, stageTitle, textField } from "./text.js";
import { walletStep } from "./token.js";

/** `form-place-order`: at the order book of the stage chosen among those `p` buys from. */
export function orderForm(host: ActorHost, p: Participant, off: boolean): TemplateResult {
  const s = host.state;
  const stages = buyStages(p);
  const stage =
    s.buyStage !== undefined && stages.includes(s.buyStage)
      ? s.buyStage
      : defined(stages[0], "a stage this participant buys from");
  const sellers = s.sellers[stage];
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const fields = formFields(elementOf(e.currentTarget, HTMLFormElement, "the order form"));
    void host.perform("place-order", (ctx) => actions.placeOrder(ctx, stage, fields, walletStep(host, "place-order")));
  };
  return html`<form class="actor-card actor-form" data-testid="form-place-order" @submit=${submit} novalidate>
    <h2>Place an order</h2>
    ${
      stages.length > 1
        ? html`<label class="actor-field"
            >Buy from stage
            <select
              name="stage"
              @change=${(e: Event) => {
                const chosen = elementOf(e.target, HTMLSelectElement, "the stage choice").value;
                host.update({ buyStage: stages.find((st) => st === chosen) });
              }}
            >
              ${stages.map((st) => html`<option value=${st} ?selected=${st === stage}>${stageTitle(st)}</option>`)}
            </select></label
          >`
        : html`<p class="actor-muted">At the ${stage}'s order book.</p>`
    }
    <label class="actor-field"
      >Seller
      <select name="seller">
        ${
          sellers === undefined
            ? html`<option value="">loading…</option>`
            : sellers.length === 0
              ? html`<option value="">no ${roleWord(stageRole(stage)).toLowerCase()} is enrolled</option>`
              : sellers.map(
                  (party) =>
                    html`<option value=${party.account}>${party.name} (${shortAddress(party.account)})</option>`,
                )
        }
      </select></label
    >
    ${speciesField(host, "po")} ${textField("weight", "Weight (at least)", "100kg", "e.g. 100kg")}
    ${priceField(s.settlement)}
    ${textField("shipBy", "Ship by", "7d", "a delay from the latest block (7d, 36h) or a date")}
    ${textField("ackWindow", "Time to acknowledge", "2d", "after delivery, e.g. 2d")} ${formError(host, "place-order")}
    <button
      type="submit"
      class="button primary"
      data-testid="submit"
      ?disabled=${off || sellers === undefined || s.settlement === undefined}
    >
      Place order and escrow the price
    </button>
  </form>`;
}

/** The price in the deployment's money, its symbol in the label ("…" while it is being read). */
function priceField(settlement: Settlement | undefined): TemplateResult {
  const label = `Price (${settlement?.symbol ?? "…"}, escrowed)`;
  if (settlement?.token === undefined) return textField("price", label, "0.5", "e.g. 0.5");
  return textField("price", label, "1250", `e.g. 1250.50, up to ${settlement.decimals} decimals`);
}
