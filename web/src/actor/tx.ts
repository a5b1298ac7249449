/**
 * One transaction from a click to its block, as the actor views show it in their `tx-status` element:
 * `wallet` (checked against the node, then "Confirm in your wallet…") → `pending` (sent, with its hash) →
 * `confirmed` (block, gas) | `failed` (one readable line: a revert is found by a call before anything is signed,
 * and decoded with the contracts' errors) | `declined` (the user said no in the wallet; nothing was sent). With the
 * app key the `wallet` state lasts until the sponsor's relay has the call on chain (sponsored-signer.ts); its
 * refusal is the failed line.
 */
import type { JsonRpcProvider, TransactionReceipt } from "ethers";

import { describeError } from "@core/errors.js";
import { thousands } from "@core/format.js";
import { ForwardedCallFailed } from "./sponsored-signer.js";
import { BUSY_TEXT, DECLINED_TEXT, isBusy, isDeclined } from "./wallet.js";

export type TxState = "wallet" | "pending" | "confirmed" | "failed" | "declined";

export interface TxLink {
  href: string;
  text: string;
}

export interface TxStatus {
  /** 1, 2, … in the order transactions were started in this view. */
  seq: number;
  /** What was done, as a data attribute for tests: "register-catch", "place-order", "ship", … */
  action: string;
  /** What was done, for people: "Register catch". */
  title: string;
  state: TxState;
  /** One line: what is happening or what happened. */
  text: string;
  hash?: string;
  block?: number;
  gasUsed?: bigint;
  /** The main id the transaction produced (a lot id, an order id), when it produced one. */
  result?: string;
  links?: TxLink[];
}

export interface TxOutcome {
  /** What the transaction did, in one line ("Catch registered as lot 7"). */
  text: string;
  result?: string;
  links?: TxLink[];
}

export interface TxPlan {
  action: string;
  title: string;
  /** Runs the call against the node from the account (eth_call): throws the revert before anything is signed. */
  preflight(): Promise<unknown>;
  /** Asks the wallet to sign and send; resolves with the transaction's hash. */
  send(): Promise<{ hash: string }>;
  /** Reads what the mined transaction did. */
  outcome(receipt: TransactionReceipt): Promise<TxOutcome> | TxOutcome;
}

/** A user mistake or revert as one line for the page (the shared parsers name CLI options as "--lots"). */
export function errorLine(err: unknown): string {
  return describeError(err).replace(/(^|[\s"(])--([a-z][a-z-]*)/g, "$1$2");
}

const RECEIPT_TIMEOUT_MS = 120_000;

async function receiptOf(provider: JsonRpcProvider, hash: string): Promise<TransactionReceipt> {
  const started = Date.now();
  for (;;) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt !== null) return receipt;
    if (Date.now() - started > RECEIPT_TIMEOUT_MS) {
      throw new Error(`transaction ${hash} was not mined within ${RECEIPT_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

let nextSeq = 1;

/**
 * Runs `plan`, reporting each state to `report` (synchronously for the first, so the page shows the new
 * transaction before anything is awaited); `sendingText` is the line while it is signed and sent. Resolves with the
 * receipt when the transaction was mined successfully, undefined otherwise; never throws.
 */
export async function runTx(
  plan: TxPlan,
  provider: JsonRpcProvider,
  report: (status: TxStatus) => void,
  sendingText = "Confirm in your wallet…",
): Promise<TransactionReceipt | undefined> {
  const base = { seq: nextSeq++, action: plan.action, title: plan.title };
  report({ ...base, state: "wallet", text: "Checking the transaction with the node…" });
  try {
    await plan.preflight();
  } catch (err) {
    report({ ...base, state: "failed", text: `Not sent: ${errorLine(err)}` });
    return undefined;
  }
  report({ ...base, state: "wallet", text: sendingText });
  let hash: string;
  try {
    ({ hash } = await plan.send());
  } catch (err) {
    // A sponsored call the relay sent but the chain refused names its transaction.
    if (err instanceof ForwardedCallFailed) report({ ...base, state: "failed", hash: err.hash, text: errorLine(err) });
    else if (isDeclined(err)) report({ ...base, state: "declined", text: DECLINED_TEXT });
    else if (isBusy(err)) report({ ...base, state: "failed", text: BUSY_TEXT });
    else report({ ...base, state: "failed", text: `Not sent: ${errorLine(err)}` });
    return undefined;
  }
  report({ ...base, state: "pending", hash, text: `Sent; waiting for a block… tx ${hash}` });
  let receipt: TransactionReceipt;
  try {
    receipt = await receiptOf(provider, hash);
  } catch (err) {
    report({ ...base, state: "failed", hash, text: errorLine(err) });
    return undefined;
  }
  const mined = { hash, block: receipt.blockNumber, gasUsed: receipt.gasUsed };
  const where = `block ${receipt.blockNumber} · gas ${thousands(receipt.gasUsed)} · tx ${hash}`;
  if (receipt.status !== 1) {
    report({ ...base, ...mined, state: "failed", text: `The transaction reverted · ${where}` });
    return undefined;
  }
  let outcome: TxOutcome;
  try {
    outcome = await plan.outcome(receipt);
  } catch (err) {
    outcome = { text: `Confirmed (its result could not be read: ${errorLine(err)})` };
  }
  report({ ...base, ...mined, state: "confirmed", text: `${outcome.text} · ${where}`, ...pick(outcome) });
  return receipt;
}

function pick(outcome: TxOutcome): Pick<TxStatus, "result" | "links"> {
  return { result: outcome.result, links: outcome.links };
}
