/** The lots the participant holds (`lots-list`), each with its alarms, journey link and (product lots) label. */
import { html, nothing, type TemplateResult } from "lit-html";

import { formatGrams } from "@core/units.js";
import { alarmNames } from "@core/vocabulary.js";

import type { ActorHost } from "./state.js";
import { lotJourneyPath, lotLabelPath, lotName } from "./text.js";

/** `lots-list`: the lots the participant holds. */
export function lotsList(host: ActorHost): TemplateResult {
  const s = host.state;
  return html`<section class="actor-card">
    <h2>Lots you hold</h2>
    ${s.apiNote === undefined ? nothing : html`<p class="actor-muted">Trace index: ${s.apiNote}</p>`}
    <ul class="actor-list" data-testid="lots-list" data-loaded=${String(s.listsLoaded)}>
      ${s.lots.map(
        (lot) =>
          html`<li class="actor-lot" data-testid=${`lot-${lot.lotId}`} data-stage=${lot.stage}>
            <strong>${lot.product === undefined ? `Lot ${lot.lotId}` : lotName(lot)}</strong>
            ${lot.species} · ${formatGrams(lot.weightGrams)} · ${lot.status} at the ${lot.stage}
            ${
              alarmNames(lot.flags).length === 0
                ? nothing
                : html`<span class="actor-alarm"
                    >${alarmNames(lot.flags).join(", ").toLowerCase().replace(/_/g, " ")}</span
                  >`
            }
            <a href=${lotJourneyPath(lot)} aria-label=${`Journey of ${lotName(lot)}`}>journey</a>
            ${
              lot.product === undefined
                ? nothing
                : html`<a
                    href=${lotLabelPath(lot.product)}
                    data-testid="label-link"
                    aria-label=${`Label of ${lotName(lot)}`}
                    >label</a
                  >`
            }
          </li>`,
      )}
    </ul>
    ${s.listsLoaded && s.lots.length === 0 ? html`<p class="actor-muted">No lots held.</p>` : nothing}
  </section>`;
}
