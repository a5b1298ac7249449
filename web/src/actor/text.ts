/**
 * Small rendering helpers shared by the actor views: form fields and their values, one-line form errors, and lots
 * and accounts in words.
 */
import { html, nothing, type TemplateResult } from "lit-html";

import type { LotView } from "./chain.js";
import type { ActorHost } from "./state.js";

export function textField(prefix: string, name: string, label: string, value: string, hint: string): TemplateResult {
  return html`<label class="actor-field"
    >${label}
    <input name=${name} value=${value} placeholder=${hint} autocomplete="off" spellcheck="false" />
  </label>`;
}

export function formFields(form: HTMLFormElement): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) if (typeof value === "string") fields[name] = value;
  return fields;
}

/** The one-line input error of a form or order row, when there is one. */
export function formError(host: ActorHost, key: string): TemplateResult | typeof nothing {
  const text = host.state.formErrors[key];
  return text === undefined ? nothing : html`<p class="actor-error" data-testid="form-error" role="alert">${text}</p>`;
}

export function shortAddress(account: string): string {
  return `${account.slice(0, 6)}…${account.slice(-4)}`;
}

/** A lot as the forms take it back: its id, or GTIN:LOT for a product lot. */
export function lotRefText(lot: LotView): string {
  return lot.product === undefined ? lot.lotId.toString() : `${lot.product.gtin14}:${lot.product.lot}`;
}

/** A lot for people: "lot 7", or a product lot's GS1 element string. */
export function lotName(lot: LotView): string {
  return lot.product === undefined ? `lot ${lot.lotId}` : `(01)${lot.product.gtin14}(10)${lot.product.lot}`;
}

export function lotIdShort(id: bigint): string {
  return id < 1n << 64n ? id.toString() : `0x${id.toString(16).slice(0, 8)}…`;
}

/** The species input with the registry's species as suggestions (`prefix` keeps the datalist ids apart). */
export function speciesField(host: ActorHost, prefix: string): TemplateResult {
  const listId = `${prefix}-species-list`;
  return html`<label class="actor-field"
    >Species (FAO code)
    <input name="species" value="COD" list=${listId} autocomplete="off" spellcheck="false" />
    <datalist id=${listId}>
      ${host.state.species.map((sp) => html`<option value=${sp.code}>${sp.name}</option>`)}
    </datalist></label
  >`;
}
