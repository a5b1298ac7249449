/** The harvester's form: register a catch (actions.registerCatch). */
import { html, type TemplateResult } from "lit-html";

import { elementOf, isChecked } from "../dom.js";
import * as actions from "./actions.js";
import type { ActorHost } from "./state.js";
import { formError, formFields, speciesField, textField } from "./text.js";

/** `form-register-catch` (its submit disabled when `off`). */
export function registerForm(host: ActorHost, off: boolean): TemplateResult {
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const form = elementOf(e.currentTarget, HTMLFormElement, "the catch form");
    const fields = formFields(form);
    const farmed = isChecked(form, "farmed");
    const frozen = isChecked(form, "frozen");
    void host.perform("register-catch", (ctx) => actions.registerCatch(ctx, fields, { farmed, frozen }));
  };
  return html`<form class="actor-card actor-form" data-testid="form-register-catch" @submit=${submit} novalidate>
    <h2>Register a catch</h2>
    ${speciesField(host, "rc")} ${textField("weight", "Weight", "250kg", "e.g. 250kg, 1.2t")}
    ${textField("latitude", "Latitude", "69.12", "degrees, or 33.9S")}
    ${textField("longitude", "Longitude", "18.5", "degrees, or 5.5W")}
    ${textField("area", "Catch area (FAO)", "27.2.a", "e.g. 27.2.a")}
    ${textField("vessel", "Vessel", "", "registration or IMO number")}
    ${textField("gear", "Gear (FAO ISSCFG)", "OTB", "e.g. OTB, LLS")}
    ${textField("caughtAt", "Caught at", "", "latest block time; or ISO 8601 / unix seconds")}
    <div class="actor-checks">
      <label><input type="checkbox" name="farmed" /> Farmed</label>
      <label><input type="checkbox" name="frozen" /> Frozen</label>
    </div>
    ${formError(host, "register-catch")}
    <button type="submit" class="button primary" data-testid="submit" ?disabled=${off}>Register catch</button>
  </form>`;
}
