/**
 * Orders placed by scripts — the demo, the local stack's analytics seed, the on-chain history writer — in the
 * deployment's money (`Registry.settlementToken`): Ether as the call's value, or the token through
 * `placeOrderWithPermit`, paid with the buyer's EIP-2612 permit for exactly the price (src/core/permit.ts, as the
 * CLI and the dApp sign it): one transaction per order and no standing allowance left to the accounts the dApp's
 * users then act as.
 */
import type { ContractTransactionReceipt, Signer } from "ethers";

import { FishTraceUSD__factory, type OrderBook } from "../../typechain-types/index.js";
import { settlementOf, type FishTrace, type Settlement } from "../core/deployment.js";
import { parseAmount } from "../core/money.js";
import { signPermit } from "../core/permit.js";
import { mined } from "./tx.js";

/** An order's terms as the order books take them, before the price. */
export interface ScriptOrder {
  seller: string;
  species: string;
  weightGrams: bigint | number;
  shipBy: bigint | number;
  ackWindow: bigint | number;
}

/**
 * How long a script's permit stays valid: a year, since the scripts that write a history move the chain's clock
 * ahead (days between a permit's signing block and its order's block are normal there).
 */
const SCRIPT_PERMIT_LIFETIME = 365 * 86_400;

/** How a script pays for orders on one deployment. */
export class OrderPayments {
  private constructor(readonly settlement: Settlement) {}

  /** The payments of `fishTrace`'s deployment (its settlement token read once). */
  static async of(fishTrace: FishTrace): Promise<OrderPayments> {
    const runner = fishTrace.registry.runner;
    if (runner === null) throw new Error("the registry is not connected to a node");
    return new OrderPayments(await settlementOf(fishTrace, runner));
  }

  /** `text` ("1250.50") in units of the deployment's money. */
  amount(text: string): bigint {
    return parseAmount(text, this.settlement, "price");
  }

  /**
   * `buyer` orders `order` at `book` for `price`, escrowed: Ether as the value, else the token with an EIP-2612
   * permit for exactly the price that the buyer signs (one transaction, and no allowance left behind).
   */
  async place(book: OrderBook, buyer: Signer, order: ScriptOrder, price: bigint): Promise<ContractTransactionReceipt> {
    const { seller, species, weightGrams, shipBy, ackWindow } = order;
    const asBuyer = book.connect(buyer);
    const { token } = this.settlement;
    if (token === undefined) {
      return mined(asBuyer.placeOrder(seller, species, weightGrams, shipBy, ackWindow, { value: price }));
    }
    const latest = await buyer.provider?.getBlock("latest");
    if (latest === null || latest === undefined) throw new Error("the buyer's node returned no latest block");
    const deadline = BigInt(latest.timestamp + SCRIPT_PERMIT_LIFETIME);
    const erc20 = FishTraceUSD__factory.connect(token, buyer);
    const { v, r, s } = await signPermit(buyer, erc20, await book.getAddress(), price, deadline);
    return mined(
      asBuyer.placeOrderWithPermit(seller, species, weightGrams, shipBy, ackWindow, price, deadline, v, r, s),
    );
  }
}
