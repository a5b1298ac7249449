/**
 * An order's history as its events tell it: the terms it was placed with (`OrderPlaced`) and what was shipped
 * against it (`ShipmentInitiated`). After shipment the contract keeps only a hash of the shipment, so the calls
 * that move the shipped lots (acknowledge, reject, claim) take the shipment number and lots from here.
 */
import type { IOrderBook, OrderBook, Registry } from "../../typechain-types/index.js";
import { InputError } from "./input-error.js";

export interface OrderTerms {
  sellerId: bigint;
  buyerId: bigint;
  species: string;
  weightGrams: bigint;
  price: bigint;
  shipBy: bigint;
  ackWindow: bigint;
}

export interface Shipment {
  shipmentNo: bigint;
  lotIds: bigint[];
  weightGrams: bigint;
}

/** The terms order `orderId` was placed with; undefined when no such order was placed. */
export async function orderTerms(book: OrderBook, orderId: bigint): Promise<OrderTerms | undefined> {
  const [placed] = await book.queryFilter(book.filters.OrderPlaced(orderId));
  if (placed === undefined) return undefined;
  const { sellerId, buyerId, species, weightGrams, price, shipBy, ackWindow } = placed.args;
  return { sellerId, buyerId, species, weightGrams, price, shipBy, ackWindow };
}

/** What was shipped against order `orderId`; undefined while it is not shipped. */
export async function shipmentOf(book: OrderBook, orderId: bigint): Promise<Shipment | undefined> {
  const logs = await book.queryFilter(book.filters.ShipmentInitiated(orderId));
  const shipped = logs.at(-1);
  if (shipped === undefined) return undefined;
  return {
    shipmentNo: shipped.args.shipmentNo,
    lotIds: [...shipped.args.lotIds],
    weightGrams: shipped.args.weightGrams,
  };
}

/** The stored order `orderId` with its parties' accounts; throws an `InputError` when there is no such order. */
export async function orderWithParties(
  book: OrderBook,
  registry: Registry,
  orderId: bigint,
): Promise<{ order: IOrderBook.OrderStructOutput; seller: string; buyer: string }> {
  const order = await book.getOrder(orderId);
  if (order.state === 0n) throw new InputError(`order ${orderId} does not exist`);
  const [seller, buyer] = await Promise.all([registry.accountOf(order.sellerId), registry.accountOf(order.buyerId)]);
  return { order, seller, buyer };
}

/** The shipment of order `orderId`; throws an `InputError` while it is not shipped. */
export async function requireShipment(book: OrderBook, orderId: bigint): Promise<Shipment> {
  const shipment = await shipmentOf(book, orderId);
  if (shipment === undefined) throw new InputError(`order ${orderId} has not been shipped`);
  return shipment;
}
