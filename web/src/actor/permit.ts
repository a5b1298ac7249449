/**
 * Paying for an order in the settlement token from the browser (actions.placeOrder): the buyer's balance and the
 * order's terms are checked with the node first (the contract's own checks run before it pulls the tokens), then
 * the wallet signs an EIP-2612 permit for exactly the price (src/core/permit.ts: the token's own EIP-712 domain and
 * nonce) and `placeOrderWithPermit` carries it, one transaction and no approve. A token without permit is paid by an
 * `approve` sent first; an allowance already large enough needs neither. Only `Signer` methods are used, so any
 * signer the app gives will do.
 */
import { isCallException, type ContractTransactionResponse, type JsonRpcProvider, type Signer } from "ethers";

import { FishTraceUSD__factory, type FishTraceUSD, type OrderBook } from "@chain/index.js";
import type { Settlement } from "@core/deployment.js";
import { InputError } from "@core/input-error.js";
import { amountText } from "@core/money.js";
import { hasPermit, NO_PERMIT, PERMIT_LIFETIME, permitOrderArgs, signPermit, type TokenOrder } from "@core/permit.js";

import { chainNow } from "./chain.js";

/** How the order will be paid, decided by `checkTokenOrder`. */
export type PaymentWay = "allowance" | "permit" | "approve";

const INSUFFICIENT_ALLOWANCE = FishTraceUSD__factory.createInterface().getError("ERC20InsufficientAllowance")?.selector;

/** The token, read through the node. */
export function settlementToken(settlement: Settlement, read: JsonRpcProvider): FishTraceUSD {
  if (settlement.token === undefined) throw new Error("this deployment settles in Ether, not a token");
  return FishTraceUSD__factory.connect(settlement.token, read);
}

/**
 * Checks the order from `account` with the node before the wallet is asked anything: the buyer holds the price,
 * and the order book's checks pass (a call without a permit may fail only for want of an allowance, which the
 * permit or approve will give). Returns how it will be paid.
 */
export async function checkTokenOrder(
  book: OrderBook,
  token: FishTraceUSD,
  settlement: Settlement,
  account: string,
  order: TokenOrder,
): Promise<PaymentWay> {
  const spender = await book.getAddress();
  const [balance, allowance, permits] = await Promise.all([
    token.balanceOf(account),
    token.allowance(account, spender),
    hasPermit(token, account),
  ]);
  if (balance < order.price) {
    throw new InputError(
      `your balance of ${amountText(balance, settlement)} is less than the price, ${amountText(order.price, settlement)}`,
    );
  }
  try {
    await book.placeOrderWithPermit.staticCall(...permitOrderArgs(order, NO_PERMIT), { from: account });
  } catch (err) {
    const wantsAllowance =
      isCallException(err) &&
      INSUFFICIENT_ALLOWANCE !== undefined &&
      typeof err.data === "string" &&
      err.data.startsWith(INSUFFICIENT_ALLOWANCE);
    if (!wantsAllowance || allowance >= order.price) throw err;
  }
  if (allowance >= order.price) return "allowance";
  return permits ? "permit" : "approve";
}

/**
 * Sends the order paid `way`, telling `step` what the wallet is asked: the permit's signature, or the approve and
 * then the order. A refusal in the wallet rejects before the order is sent (and, for a permit, before anything is).
 */
export async function sendTokenOrder(
  context: { book: OrderBook; token: FishTraceUSD; settlement: Settlement; read: JsonRpcProvider; stage: string },
  signerOf: () => Promise<Signer>,
  order: TokenOrder,
  way: PaymentWay,
  step: (text: string) => void,
): Promise<ContractTransactionResponse> {
  const { book, token, settlement, read, stage } = context;
  // Said before anything is awaited: the line never shows the plain "Confirm in your wallet…" for a permit.
  if (way === "permit") {
    step(`Sign the permit in your wallet… (${amountText(order.price, settlement)} to the ${stage}'s order book)`);
  }
  const signer = await signerOf();
  const spender = await book.getAddress();
  let permit = NO_PERMIT;
  if (way === "permit") {
    const deadline = BigInt((await chainNow(read)) + PERMIT_LIFETIME);
    const { v, r, s } = await signPermit(signer, token, spender, order.price, deadline);
    permit = { deadline, v, r, s };
    step("Permit signed. Confirm the order in your wallet…");
  } else if (way === "approve") {
    step(
      `${settlement.symbol} has no permit: approve ${amountText(order.price, settlement)} to the ${stage}'s order ` +
        `book in your wallet first…`,
    );
    const approval = await token.connect(signer).approve(spender, order.price);
    step(`Approve sent; waiting for its block… tx ${approval.hash}`);
    const receipt = await read.waitForTransaction(approval.hash);
    if (receipt?.status !== 1) throw new Error(`the approve ${approval.hash} failed; the order was not sent`);
    step("Approved. Confirm the order in your wallet…");
  }
  return book.connect(signer).placeOrderWithPermit(...permitOrderArgs(order, permit));
}
