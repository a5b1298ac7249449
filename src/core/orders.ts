/**
 * An order's history as its events tell it: the terms it was placed with (`OrderPlaced`) and what was shipped
 * against it (`ShipmentInitiated`). After shipment the contract keeps only a hash of the shipment, so the calls
 * that move the shipped lots (acknowledge, reject, claim) take the shipment number and lots from here.
 */
import { Signature, type Signer } from "ethers";

import type { FishTraceUSD, IOrderBook, OrderBook, Registry } from "../../typechain-types/index.js";
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

/** `value` (e.g. "1250.50") in units of a token with `decimals` decimals; more than zero. */
export function tokenAmount(value: string, decimals: number, symbol: string, what: string): bigint {
  const text = value.trim();
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  const [, whole = "", fraction = ""] = match ?? [];
  if (match === null || whole + fraction === "") {
    throw new InputError(`${what} "${value}" is not an amount of ${symbol} (e.g. 1250.50)`);
  }
  if (fraction.length > decimals) {
    throw new InputError(`${what} "${value}" has more than the ${decimals} decimals ${symbol} has`);
  }
  const units = BigInt(whole || "0") * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (units === 0n) throw new InputError(`${what} "${value}" must be more than 0 ${symbol}`);
  return units;
}

/** `units` of a token with `decimals` decimals as text with its symbol ("1,250.5 fUSD"). */
export function tokenText(units: bigint, decimals: number, symbol: string): string {
  const scale = 10n ** BigInt(decimals);
  const fraction = (units % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${(units / scale).toLocaleString("en-US")}${fraction === "" ? "" : `.${fraction}`} ${symbol}`;
}

/** EIP-2612's `Permit` type, as a token's `permit` checks it. */
const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/**
 * The EIP-2612 permit signature by `owner` letting `spender` take `value` of `token` until `deadline` (unix
 * seconds), for `placeOrderWithPermit`. `token` is any ERC-20 with permit (its EIP-712 domain is its name, "1").
 */
export async function signPermit(
  owner: Signer,
  token: FishTraceUSD,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<Signature> {
  const address = await owner.getAddress();
  const [name, nonce, network] = await Promise.all([
    token.name(),
    token.nonces(address),
    token.runner?.provider?.getNetwork(),
  ]);
  if (network === undefined) throw new Error("the token is not connected to a network");
  const domain = { name, version: "1", chainId: network.chainId, verifyingContract: await token.getAddress() };
  const message = { owner: address, spender, value, nonce, deadline };
  return Signature.from(await owner.signTypedData(domain, PERMIT_TYPES, message));
}
