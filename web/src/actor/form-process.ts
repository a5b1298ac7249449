/** The manufacturer's form: process lots into labelled packs (actions.processLots). */
import { html, type TemplateResult } from "lit-html";

import { elementOf } from "../dom.js";
import * as actions from "./actions.js";
import type { ActorHost } from "./state.js";
import { formError, formFields, lotRefText, textField } from "./text.js";

/** `form-process`, with the manufacturer's available lots as the inputs' example. */
export function processForm(host: ActorHost, off: boolean): TemplateResult {
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const fields = formFields(elementOf(e.currentTarget, HTMLFormElement, "the process form"));
    void host.perform("process", (ctx) => actions.processLots(ctx, fields.inputs ?? "", fields.outputs ?? ""));
  };
  const held = host.state.lots.filter((l) => l.stage === "manufacturer" && l.status === "Created");
  const hint = held.length === 0 ? "12:50kg,13" : held.map((l) => lotRefText(l)).join(",");
  return html`<form class="actor-card actor-form" data-testid="form-process" @submit=${submit} novalidate>
    <h2>Process lots into packs</h2>
    ${textField("inputs", "Inputs", "", `LOT[:WEIGHT],… e.g. ${hint}`)}
    ${textField("outputs", "Outputs", "", "GTIN:LOT:WEIGHT[:frozen],… e.g. 07038010123450:L2026-001:20kg")}
    <p class="actor-muted">
      Inputs: lot ids (or GTIN:LOT, Digital Links), each with the weight to take (all that is left when none is given).
      Outputs: one pack per item.
    </p>
    ${formError(host, "process")}
    <button type="submit" class="button primary" data-testid="submit" ?disabled=${off}>Process</button>
  </form>`;
}
