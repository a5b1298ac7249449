/**
 * The actor views' transactions, each the same contract call the CLI task of the same name makes
 * (tasks/actions/*.ts): the user's text is parsed with the shared parsers first (an `InputError` is thrown before
 * anything is sent), then a plan for tx.ts runs the call from the account against the node (a revert shows before
 * the wallet is asked), sends it through the wallet's signer and reads what it did from the receipt.
 */
import type { BaseContract, JsonRpcProvider, LogDescription, Signer, TransactionReceipt } from "ethers";

import type { IDistributor } from "@chain/index.js";
import { catchData } from "@core/catch.js";
import { propertyOf } from "@core/checks.js";
import type { FishTrace, Settlement } from "@core/deployment.js";
import { digitalLink, elementString, gtin14, lotRefList } from "@core/digital-link.js";
import { formText, isoTime } from "@core/format.js";
import { address, durationSeconds, required, timeOrDelay, transportMode } from "@core/inputs.js";
import { amountText, parseAmount } from "@core/money.js";
import { parseInputs, parseOutputs } from "@core/process.js";
import { buyerStage } from "@core/stages.js";
import { InputError } from "@core/input-error.js";
import { fixedText, formatGrams, grams, speciesCode } from "@core/units.js";

import { labelPath } from "../router.js";
import { chainNow, type OrderView } from "./chain.js";
import { checkTokenOrder, sendTokenOrder, settlementToken, type PaymentWay } from "./permit.js";
import type { TxLink, TxPlan } from "./tx.js";
import type { SellingStageName } from "@core/vocabulary.js";

/** What every action needs: the deployment read through the node, the account, and the wallet's signer. */
export interface ActionContext {
  /** What orders are priced and paid in (undefined until read: a plan that needs it is refused). */
  settlement?: Settlement;
  read: JsonRpcProvider;
  /** The deployment connected to `read`. */
  view: FishTrace;
  account: string;
  /** A signer for `account`: the wallet's (made anew after every chain change), or the app key's (sponsored). */
  signer(): Promise<Signer>;
  /** A lot as people know it ("lot 7", a product lot's element string). */
  lotName(lotId: bigint): string;
}

/** The money of a transaction being built; an `InputError` (nothing is sent) until it has been read. */
function settlementFor(settlement: Settlement | undefined): Settlement {
  if (settlement === undefined) throw new InputError("the deployment's settlement token is still being read");
  return settlement;
}

/** The unsigned integer argument `name` of `event` (undefined without the event). */
function uintArg(event: LogDescription | undefined, name: string): bigint | undefined {
  const value = propertyOf(event?.args, name);
  return typeof value === "bigint" ? value : undefined;
}

/** The events `contract` emitted in `receipt`, by name. */
function eventsIn(contract: BaseContract, receipt: TransactionReceipt, name: string): LogDescription[] {
  const target = String(contract.target).toLowerCase();
  const found: LogDescription[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== target) continue;
    try {
      const parsed = contract.interface.parseLog(log);
      if (parsed?.name === name) found.push(parsed);
    } catch {
      // another contract's event at the same address cannot happen; skip what does not parse
    }
  }
  return found;
}

function lotsWord(ctx: ActionContext, ids: readonly bigint[]): string {
  return ids.map((id) => ctx.lotName(id)).join(", ");
}

/** Text fields of a form, trimmed; missing ones are "". */
export type Fields = Record<string, string>;

function field(fields: Fields, name: string, label: string): string {
  const value = fields[name] ?? "";
  if (value.trim() === "") throw new InputError(`${label} is required`);
  return value.trim();
}

// ---------------------------------------------------------------------------------------------------- harvester

/** `harvester register`: a catch; "caught at" defaults to the latest block's time. */
export function registerCatch(ctx: ActionContext, fields: Fields, flags: { farmed: boolean; frozen: boolean }): TxPlan {
  const caughtAtText = (fields.caughtAt ?? "").trim();
  const speciesText = field(fields, "species", "species");
  const weightText = field(fields, "weight", "weight");
  const data = catchData({
    species: speciesText,
    weight: weightText,
    caughtAt: caughtAtText === "" ? 0 : caughtAtText,
    latitude: field(fields, "latitude", "latitude"),
    longitude: field(fields, "longitude", "longitude"),
    area: fields.area?.trim(),
    vessel: fields.vessel?.trim(),
    gear: fields.gear?.trim(),
    farmed: flags.farmed,
    frozen: flags.frozen,
  });
  const { harvester } = ctx.view;
  return {
    action: "register-catch",
    title: "Register a catch",
    async preflight() {
      if (caughtAtText === "") data.caughtAt = await chainNow(ctx.read);
      await harvester.registerFish.staticCall(data, { from: ctx.account });
    },
    async send() {
      return harvester.connect(await ctx.signer()).registerFish(data);
    },
    outcome(receipt) {
      const [registered] = eventsIn(harvester, receipt, "FishRegistered");
      const lotId = uintArg(registered, "lotId");
      if (lotId === undefined) return { text: "Catch registered" };
      return {
        text:
          `Catch registered as lot ${lotId}: ${speciesText.toUpperCase()}, ` +
          `${formatGrams(grams(weightText))}, ${formText(flags.frozen, flags.farmed)}`,
        result: lotId.toString(),
        links: [{ href: `/lot/${lotId}`, text: `Journey of lot ${lotId}` }],
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------- orders

/**
 * `order place`: at `stage`'s order book, the price escrowed in the deployment's money: Ether as the call's value,
 * or the token through `placeOrderWithPermit` with a permit the wallet signs (permit.ts); `step` tells the
 * transaction line what the wallet is asked meanwhile.
 */
export function placeOrder(
  ctx: ActionContext,
  stage: SellingStageName,
  fields: Fields,
  step: (text: string) => void = () => undefined,
): TxPlan {
  const settlement = settlementFor(ctx.settlement);
  const seller = address(field(fields, "seller", "seller"), "seller");
  const speciesText = field(fields, "species", "species");
  const species = speciesCode(speciesText);
  const weightGrams = grams(field(fields, "weight", "weight"));
  const price = parseAmount(field(fields, "price", "price"), settlement, "price");
  const shipByText = (fields.shipBy ?? "").trim() || "7d";
  timeOrDelay(shipByText, "ship-by time", 0); // the syntax, before anything is asked of the node
  const ackWindow = durationSeconds((fields.ackWindow ?? "").trim() || "2d", "acknowledgement window");
  const book = ctx.view[stage];
  const token = settlement.token === undefined ? undefined : settlementToken(settlement, ctx.read);
  let shipBy = 0;
  let way: PaymentWay = "allowance";
  const order = () => ({ seller, species, weightGrams, shipBy, ackWindow, price });
  return {
    action: "place-order",
    title: `Place an order at the ${stage}`,
    async preflight() {
      shipBy = timeOrDelay(shipByText, "ship-by time", await chainNow(ctx.read));
      if (token !== undefined) {
        way = await checkTokenOrder(book, token, settlement, ctx.account, order());
        return;
      }
      await book.placeOrder.staticCall(seller, species, weightGrams, shipBy, ackWindow, {
        from: ctx.account,
        value: price,
      });
    },
    async send() {
      if (token !== undefined) {
        return sendTokenOrder(
          { book, token, settlement, read: ctx.read, stage },
          () => ctx.signer(),
          order(),
          way,
          step,
        );
      }
      return book
        .connect(await ctx.signer())
        .placeOrder(seller, species, weightGrams, shipBy, ackWindow, { value: price });
    },
    outcome(receipt) {
      const [placed] = eventsIn(book, receipt, "OrderPlaced");
      const orderId = uintArg(placed, "orderId");
      const paid = way === "permit" ? " (paid with a permit)" : way === "approve" ? " (approved first)" : "";
      return {
        text: `Order ${orderId ?? "?"} placed at the ${stage}: ${formatGrams(weightGrams)} of ${speciesText.toUpperCase()}, ${amountText(price, settlement)} in escrow${paid}`,
        result: orderId?.toString(),
      };
    },
  };
}

/** The distributor's route for `dispatch`. */
export interface RouteFields {
  origin: string;
  destination: string;
  mode: string;
  vehicle: string;
}

/** `order ship` (or `distributor dispatch` for the distributor's orders): the lots, shipment number = order id. */
export function ship(ctx: ActionContext, order: OrderView, lotsText: string, route?: RouteFields): TxPlan {
  const lotIds = lotRefList(lotsText.trim() === "" ? "" : lotsText, "lots");
  const { orderId, stage } = order;
  const shipmentNo = orderId;
  const book = ctx.view[stage];
  let routeData: IDistributor.RouteStruct | undefined;
  if (stage === "distributor") {
    const r = route ?? { origin: "", destination: "", mode: "road", vehicle: "" };
    routeData = {
      origin: fixedText(required(r.origin, "origin"), 32, "origin"),
      destination: fixedText(required(r.destination, "destination"), 32, "destination"),
      mode: transportMode(r.mode),
      vehicle: fixedText(required(r.vehicle, "vehicle"), 16, "vehicle"),
    };
  }
  return {
    action: "ship",
    title: `Ship ${stage} order ${orderId}`,
    async preflight() {
      if (routeData !== undefined) {
        await ctx.view.distributor.dispatch.staticCall(orderId, shipmentNo, lotIds, routeData, { from: ctx.account });
      } else {
        await book.initiateShipment.staticCall(orderId, shipmentNo, lotIds, { from: ctx.account });
      }
    },
    async send() {
      const signer = await ctx.signer();
      if (routeData !== undefined) {
        return ctx.view.distributor.connect(signer).dispatch(orderId, shipmentNo, lotIds, routeData);
      }
      return book.connect(signer).initiateShipment(orderId, shipmentNo, lotIds);
    },
    outcome(receipt) {
      const [shipped] = eventsIn(book, receipt, "ShipmentInitiated");
      const weight = uintArg(shipped, "weightGrams");
      return {
        text:
          `Order ${orderId} shipped: ${lotsWord(ctx, lotIds)}` +
          `${weight === undefined ? "" : ` (${formatGrams(weight)})`} to ${order.buyer.name}`,
        result: orderId.toString(),
      };
    },
  };
}

/** `order confirm` (or `distributor arrive` with a place of arrival for the distributor's orders). */
export function confirm(ctx: ActionContext, order: OrderView, location?: string): TxPlan {
  const { orderId, stage } = order;
  const book = ctx.view[stage];
  const where = stage === "distributor" && location !== undefined && location.trim() !== "" ? location.trim() : "";
  const whereBytes = where === "" ? undefined : fixedText(where, 32, "location");
  return {
    action: "confirm",
    title: `Confirm delivery of ${stage} order ${orderId}`,
    async preflight() {
      if (whereBytes !== undefined) {
        await ctx.view.distributor.confirmArrival.staticCall(orderId, whereBytes, { from: ctx.account });
      } else {
        await book.confirmDelivery.staticCall(orderId, { from: ctx.account });
      }
    },
    async send() {
      const signer = await ctx.signer();
      if (whereBytes !== undefined) return ctx.view.distributor.connect(signer).confirmArrival(orderId, whereBytes);
      return book.connect(signer).confirmDelivery(orderId);
    },
    outcome(receipt) {
      const [confirmed] = eventsIn(book, receipt, "DeliveryConfirmed");
      const deadline = uintArg(confirmed, "ackDeadline");
      const until = deadline === undefined ? "" : `; the buyer has until ${isoTime(deadline)} to acknowledge or reject`;
      return {
        text: `Order ${orderId} delivered${where === "" ? "" : ` at ${where}`}${until}`,
        result: orderId.toString(),
      };
    },
  };
}

/** The price of `order` in the deployment's money ("1,250.5 fUSD"). */
function priceOf(ctx: ActionContext, order: OrderView): string {
  return amountText(order.price, settlementFor(ctx.settlement));
}

function shipmentOfOrder(order: OrderView): { shipmentNo: bigint; lotIds: bigint[] } {
  if (order.shipment === undefined) throw new InputError(`order ${order.orderId} has not been shipped`);
  return order.shipment;
}

/** `order acknowledge`: the lots pass to the buyer's stage; the price becomes the seller's to withdraw. */
export function acknowledge(ctx: ActionContext, order: OrderView): TxPlan {
  const { orderId, stage } = order;
  const { shipmentNo, lotIds } = shipmentOfOrder(order);
  const book = ctx.view[stage];
  return {
    action: "acknowledge",
    title: `Acknowledge ${stage} order ${orderId}`,
    async preflight() {
      await book.acknowledge.staticCall(orderId, shipmentNo, lotIds, { from: ctx.account });
    },
    async send() {
      return book.connect(await ctx.signer()).acknowledge(orderId, shipmentNo, lotIds);
    },
    outcome() {
      return {
        text:
          `Order ${orderId} acknowledged: ${lotsWord(ctx, lotIds)} now yours at the ${buyerStage(stage)} stage; ` +
          `${order.seller.name} may withdraw ${priceOf(ctx, order)}`,
        result: orderId.toString(),
      };
    },
  };
}

/** `order reject`: the lots go back to the seller; the price becomes the buyer's refund. */
export function reject(ctx: ActionContext, order: OrderView, reasonText: string): TxPlan {
  const { orderId, stage } = order;
  const text = reasonText.trim();
  if (text === "") throw new InputError("a reason is required to reject a delivery");
  const reason = fixedText(text, 32, "reason");
  const { shipmentNo, lotIds } = shipmentOfOrder(order);
  const book = ctx.view[stage];
  return {
    action: "reject",
    title: `Reject ${stage} order ${orderId}`,
    async preflight() {
      await book.rejectDelivery.staticCall(orderId, shipmentNo, lotIds, reason, { from: ctx.account });
    },
    async send() {
      return book.connect(await ctx.signer()).rejectDelivery(orderId, shipmentNo, lotIds, reason);
    },
    outcome() {
      return {
        text: `Order ${orderId} rejected ("${text}"): ${lotsWord(ctx, lotIds)} back with ${order.seller.name}; refund of ${priceOf(ctx, order)} to withdraw`,
        result: orderId.toString(),
      };
    },
  };
}

/** `order cancel`: before shipping (the seller any time, the buyer after the ship-by deadline). */
export function cancel(ctx: ActionContext, order: OrderView): TxPlan {
  const { orderId, stage } = order;
  const book = ctx.view[stage];
  return {
    action: "cancel",
    title: `Cancel ${stage} order ${orderId}`,
    async preflight() {
      await book.cancelOrder.staticCall(orderId, { from: ctx.account });
    },
    async send() {
      return book.connect(await ctx.signer()).cancelOrder(orderId);
    },
    outcome() {
      return {
        text: `Order ${orderId} cancelled; ${order.buyer.name} may withdraw the ${priceOf(ctx, order)} refund`,
        result: orderId.toString(),
      };
    },
  };
}

/** `order claim`: the seller acknowledges for a buyer who let the acknowledgement deadline pass. */
export function claim(ctx: ActionContext, order: OrderView): TxPlan {
  const { orderId, stage } = order;
  const { shipmentNo, lotIds } = shipmentOfOrder(order);
  const book = ctx.view[stage];
  return {
    action: "claim",
    title: `Claim payment of ${stage} order ${orderId}`,
    async preflight() {
      await book.claimPayment.staticCall(orderId, shipmentNo, lotIds, { from: ctx.account });
    },
    async send() {
      return book.connect(await ctx.signer()).claimPayment(orderId, shipmentNo, lotIds);
    },
    outcome() {
      return {
        text: `Order ${orderId} acknowledged for the buyer: ${lotsWord(ctx, lotIds)} passed on; ${priceOf(ctx, order)} to withdraw`,
        result: orderId.toString(),
      };
    },
  };
}

/** `order withdraw`: what `order` owes the account (the price to its seller, a refund to its buyer). */
export function withdraw(ctx: ActionContext, order: OrderView): TxPlan {
  const settlement = settlementFor(ctx.settlement);
  const { orderId, stage } = order;
  const book = ctx.view[stage];
  return {
    action: "withdraw",
    title: `Withdraw from ${stage} order ${orderId}`,
    async preflight() {
      await book.withdraw.staticCall(orderId, { from: ctx.account });
    },
    async send() {
      return book.connect(await ctx.signer()).withdraw(orderId);
    },
    outcome(receipt) {
      const paid = eventsIn(book, receipt, "OrderPaid")[0] ?? eventsIn(book, receipt, "OrderRefunded")[0];
      const amount = uintArg(paid, "amount") ?? order.price;
      const what = paid?.name === "OrderRefunded" ? "refund" : "price";
      return {
        text: `Order ${orderId}: ${what} of ${amountText(amount, settlement)} paid to you`,
        result: orderId.toString(),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------- manufacturer

/** `manufacturer process`: inputs and outputs in the CLI's syntax; links to the new packs' labels. */
export function processLots(ctx: ActionContext, inputsText: string, outputsText: string): TxPlan {
  const inputs = parseInputs(required(inputsText, "inputs"));
  const outputs = parseOutputs(required(outputsText, "outputs"));
  const { manufacturer } = ctx.view;
  const ins = inputs.map(({ lotId, grams }) => ({ lotId, grams }));
  const outs = outputs.map(({ gtin, lotNumber, weightGrams, frozen }) => ({ gtin, lotNumber, weightGrams, frozen }));
  return {
    action: "process",
    title: "Process lots into packs",
    async preflight() {
      await manufacturer.processLots.staticCall(ins, outs, { from: ctx.account });
    },
    async send() {
      return manufacturer.connect(await ctx.signer()).processLots(ins, outs);
    },
    outcome(receipt) {
      const [processed] = eventsIn(manufacturer, receipt, "LotsProcessed");
      const processId = uintArg(processed, "processId");
      const links: TxLink[] = outputs.map((out) => ({
        href: labelPath(gtin14(out.gtin), out.lot),
        text: `Label ${elementString(out)}`,
      }));
      const produced = outputs.reduce((sum, o) => sum + o.weightGrams, 0);
      return {
        text:
          `Process ${processId ?? "?"}: ${outputs.length} pack${outputs.length === 1 ? "" : "s"} ` +
          `(${formatGrams(produced)}) ${outputs.map((o) => digitalLink(o.gtin, o.lot)).join(", ")}`,
        result: processId?.toString(),
        links,
      };
    },
  };
}
