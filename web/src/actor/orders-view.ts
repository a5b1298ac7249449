/**
 * The open orders (`orders-list`), one row per order (`order-<stage>-<id>`) with the actions its state and side
 * allow: a seller ships (a distributor dispatches, with the route) or declines, a buyer cancels after the ship-by
 * time, confirms the delivery (a distributor's buyer confirms the arrival, with where), acknowledges and pays or
 * rejects, a seller claims after the acknowledgement window.
 */
import { html, nothing, type TemplateResult } from "lit-html";

import { isoTime } from "@core/format.js";
import { formatGrams } from "@core/units.js";
import { LOT_FLAGS, TRANSPORT_MODES } from "@core/vocabulary.js";

import { closest, controlValue, elementOf } from "../dom.js";
import * as actions from "./actions.js";
import { owedOf, type LotView, type OrderView } from "./chain.js";
import type { ActorHost } from "./state.js";
import { formError, lotIdShort, lotName, lotRefText, stageTitle, textField } from "./text.js";
import { moneyText } from "./token.js";
import type { TxPlan } from "./tx.js";

/** `orders-list`: the open orders, each row with the actions its state and side allow (disabled when `off`). */
export function ordersList(host: ActorHost, off: boolean): TemplateResult {
  const s = host.state;
  return html`<section class="actor-card">
    <h2>Open orders</h2>
    ${s.listsError === undefined ? nothing : html`<p class="actor-error">${s.listsError}</p>`}
    <ul class="actor-list" data-testid="orders-list" data-loaded=${String(s.listsLoaded)}>
      ${s.orders.map((o) => orderRow(host, o, off))}
    </ul>
    ${s.listsLoaded && s.orders.length === 0 ? html`<p class="actor-muted">No open orders.</p>` : nothing}
    ${!s.listsLoaded ? html`<p class="actor-muted">Loading…</p>` : nothing}
  </section>`;
}

function orderRow(host: ActorHost, o: OrderView, off: boolean): TemplateResult {
  const key = `order-${o.stage}-${o.orderId}`;
  const mine = o.side === "seller";
  const other = mine ? o.buyer : o.seller;
  const row = (e: Event) =>
    closest(elementOf(e.currentTarget, HTMLElement, "the order row's button"), "[data-order]", HTMLElement);
  const value = (e: Event, name: string) => controlValue(row(e), `[name="${name}"]`) ?? "";
  const act = (build: (ctx: actions.ActionContext, e: Event) => TxPlan) => (e: Event) =>
    void host.perform(key, (ctx) => build(ctx, e));
  const button = (testid: string, text: string, handler: (e: Event) => void, primary = false) =>
    html`<button
      type="button"
      class=${primary ? "button primary" : "button"}
      data-testid=${testid}
      ?disabled=${off}
      @click=${handler}
    >
      ${text}
    </button>`;
  const parts: TemplateResult[] = [];
  const distributor = o.stage === "distributor";
  if (o.state === "Ordered" && mine) {
    parts.push(
      html`<label class="actor-field"
        >Lots to ship
        <input name="lots" value=${suggestLots(host.state.lots, o)} placeholder="lot ids, comma separated" />
      </label>`,
    );
    if (distributor) {
      parts.push(
        html`<div class="actor-route">
          ${textField("origin", "Origin", o.seller.location, "GLN or place")}
          ${textField("destination", "Destination", o.buyer.location, "GLN or place")}
          <label class="actor-field"
            >Transport mode
            <select name="mode">
              ${TRANSPORT_MODES.map((m) => html`<option value=${m}>${m}</option>`)}
            </select></label
          >
          ${textField("vehicle", "Vehicle", "", "registration")}
        </div>`,
      );
    }
    parts.push(
      button(
        "action-ship",
        distributor ? "Dispatch" : "Ship",
        act((ctx, e) =>
          actions.ship(
            ctx,
            o,
            value(e, "lots"),
            distributor
              ? {
                  origin: value(e, "origin"),
                  destination: value(e, "destination"),
                  mode: value(e, "mode"),
                  vehicle: value(e, "vehicle"),
                }
              : undefined,
          ),
        ),
        true,
      ),
    );
    parts.push(
      button(
        "action-cancel",
        "Decline (cancel)",
        act((ctx) => actions.cancel(ctx, o)),
      ),
    );
  }
  if (o.state === "Ordered" && !mine) {
    parts.push(html`<span class="actor-muted">You may cancel once the ship-by time has passed.</span>`);
    parts.push(
      button(
        "action-cancel",
        "Cancel order",
        act((ctx) => actions.cancel(ctx, o)),
      ),
    );
  }
  if (o.state === "Shipped") {
    if (distributor) parts.push(textField("location", "Arrived at", o.buyer.location, "GLN or place"));
    parts.push(
      button(
        "action-confirm",
        distributor ? "Confirm arrival" : "Confirm delivery",
        act((ctx, e) => actions.confirm(ctx, o, distributor ? value(e, "location") : undefined)),
        true,
      ),
    );
  }
  if (o.state === "Delivered" && !mine) {
    parts.push(
      button(
        "action-acknowledge",
        `Acknowledge and pay ${moneyText(host, o.price)}`,
        act((ctx) => actions.acknowledge(ctx, o)),
        true,
      ),
    );
  }
  if ((o.state === "Shipped" || o.state === "Delivered") && !mine) {
    parts.push(textField("reason", "Reason to reject", "quality failure", "up to 32 bytes"));
    parts.push(
      button(
        "action-reject",
        "Reject delivery",
        act((ctx, e) => actions.reject(ctx, o, value(e, "reason"))),
      ),
    );
  }
  if (o.state === "Delivered" && mine) {
    parts.push(html`<span class="actor-muted">The buyer has until ${isoTime(o.deadline)}; then you may claim.</span>`);
    parts.push(
      button(
        "action-claim",
        "Claim payment",
        act((ctx) => actions.claim(ctx, o)),
      ),
    );
  }
  const owed = owedOf(o);
  if (owed > 0n)
    parts.push(html`<span class="actor-owed" data-testid="order-owed">${moneyText(host, owed)} to withdraw</span>`);
  const deadline =
    o.state === "Ordered"
      ? ` · ship by ${isoTime(o.deadline)}`
      : o.state === "Delivered"
        ? ` · acknowledge by ${isoTime(o.deadline)}`
        : "";
  return html`<li class="actor-order" data-testid=${key} data-order=${key} data-state=${o.state} data-side=${o.side}>
    <div class="actor-order-head">
      <strong>${stageTitle(o.stage)} order ${o.orderId}</strong>
      <span class="actor-state">${o.state}</span>
      <span class="actor-muted">${mine ? "you sell to" : "you buy from"} ${other.name}</span>
    </div>
    <div>
      at least ${formatGrams(o.weightGrams)} of ${o.species} for
      <span data-testid="order-price">${moneyText(host, o.price)}</span>${deadline}
      ${
        o.shipment === undefined
          ? nothing
          : html`· shipment ${o.shipment.shipmentNo}:
            ${o.shipment.lotIds.map((id, i) => o.shipmentNames?.[i] ?? lotText(host.state.lots, id)).join(", ")}`
      }
    </div>
    <div class="actor-actions">${parts}</div>
    ${formError(host, key)}
  </li>`;
}

function lotText(lots: readonly LotView[], id: bigint): string {
  const lot = lots.find((l) => l.lotId === id);
  return lot?.product === undefined ? lotIdShort(id) : lotName(lot);
}

/** The seller's available lots of the ordered species at the order's stage, newest first, until the weight is met. */
function suggestLots(lots: readonly LotView[], o: OrderView): string {
  const available = lots.filter(
    (l) =>
      l.stage === o.stage && l.status === "Created" && l.species === o.species && (l.flags & LOT_FLAGS.RECALLED) === 0,
  );
  const picked: LotView[] = [];
  let weight = 0n;
  for (const lot of available) {
    if (weight >= o.weightGrams) break;
    picked.push(lot);
    weight += lot.weightGrams;
  }
  return picked.map(lotRefText).join(",");
}
