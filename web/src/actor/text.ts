/**
 * Small rendering helpers shared by the actor views: form fields and their values, one-line form errors, lots,
 * stages and accounts in words, and the app's paths of a lot's journey and label.
 */
import { html, nothing, type TemplateResult } from "lit-html";

import { elementString } from "@core/digital-link.js";

import { journeyPath, labelPath, lotPath } from "../router.js";
import type { LotView } from "./chain.js";
import type { ActorHost } from "./state.js";
import type { StageName } from "@core/vocabulary.js";

/** A labelled text input named `name`, pre-filled with `value`, `hint` as its placeholder. */
export function textField(name: string, label: string, value: string, hint: string): TemplateResult {
  return html`<label class="actor-field"
    >${label}
    <input name=${name} value=${value} placeholder=${hint} autocomplete="off" spellcheck="false" />
  </label>`;
}

/** A form's text fields by name. */
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

/** "0x1234…abcd". */
export function shortAddress(account: string): string {
  return `${account.slice(0, 6)}…${account.slice(-4)}`;
}

/** A lot as the forms take it back: its id, or GTIN:LOT for a product lot. */
export function lotRefText(lot: LotView): string {
  return lot.product === undefined ? lot.lotId.toString() : `${lot.product.gtin14}:${lot.product.lot}`;
}

/** A lot for people: "lot 7", or a product lot's GS1 element string. */
export function lotName(lot: LotView): string {
  return lot.product === undefined
    ? `lot ${lot.lotId}`
    : elementString({ gtin: BigInt(lot.product.gtin14), lot: lot.product.lot });
}

/** A lot id short enough for a line: a stage lot's number, or the first hex digits of a product lot's hash id. */
export function lotIdShort(id: bigint): string {
  return id < 1n << 64n ? id.toString() : `0x${id.toString(16).slice(0, 8)}…`;
}

/** A stage name as a title: "harvester" → "Harvester". */
export function stageTitle(stage: StageName): string {
  return stage.charAt(0).toUpperCase() + stage.slice(1);
}

/** The app's path of a lot's journey: the Digital Link path of a product lot, else by lot id. */
export function lotJourneyPath(lot: LotView): string {
  return lot.product === undefined ? lotPath(lot.lotId.toString()) : journeyPath(lot.product.gtin14, lot.product.lot);
}

/** The app's path of a product lot's label. */
export function lotLabelPath(product: { gtin14: string; lot: string }): string {
  return labelPath(product.gtin14, product.lot);
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
