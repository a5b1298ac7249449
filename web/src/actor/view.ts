/** The actor page: wallet bar, network banner, notice, transactions, then the participant's workspace. */
import { html, nothing, type TemplateResult } from "lit-html";

import type { Participant } from "./chain.js";
import { dispatchPanel } from "./dispatch-view.js";
import { registerForm } from "./form-catch.js";
import { orderForm } from "./form-order.js";
import { processForm } from "./form-process.js";
import { lotsList } from "./lots-view.js";
import { ordersList } from "./orders-view.js";
import { buyStages, isDistributor } from "./roles.js";
import type { ActorHost } from "./state.js";
import { txPanel } from "./tx-view.js";
import { networkBanner, walletBar, walletMessage } from "./wallet-view.js";
import { withdrawPanel } from "./withdraw-view.js";

/** The whole actor page for the host's state. */
export function actorPage(host: ActorHost): TemplateResult {
  const s = host.state;
  return html`<section class="page actor" data-testid="actor">
    <h1>For actors</h1>
    ${walletBar(host)} ${networkBanner(host)} ${walletMessage(host)} ${txPanel(host)}
    ${s.participant !== undefined && s.participant.actorRoles.length > 0 ? workspace(host, s.participant) : nothing}
  </section>`;
}

function workspace(host: ActorHost, p: Participant): TemplateResult {
  const off = host.state.busy || host.wrongNetwork();
  return html`
    <div class="actor-grid">
      ${p.actorRoles.includes("HARVESTER") ? registerForm(host, off) : nothing}
      ${buyStages(p).length > 0 ? orderForm(host, p, off) : nothing}
      ${p.actorRoles.includes("MANUFACTURER") ? processForm(host, off) : nothing}
    </div>
    ${isDistributor(p) ? dispatchPanel(host) : nothing} ${withdrawPanel(host, off)} ${ordersList(host, off)}
    ${lotsList(host)}
  `;
}
