/**
 * The sponsor's relay as the dApp talks to it, through the dApp server's same-origin proxy (`relayPath`, e.g.
 * "/relay"): `POST {relayPath}/v1/actions` with a signed ForwardRequest → 202 `{id}`, or a refusal (4xx/5xx with
 * `{error}`); `GET {relayPath}/v1/actions/{id}` → `{state: "queued" | "submitted" | "done" | "refused", txHash?,
 * block?, reason?}`. "done" is checked against the transaction's own receipt: the forwarder's
 * `ExecutedForwardRequest` of the signer and nonce, and the logs of the call it ran. Shared by the vessel's queue
 * (web/src/vessel/sender.ts) and the app key's signer (sponsored-signer.ts).
 */
import type { Provider, TransactionReceipt } from "ethers";

import { propertyOf } from "@core/checks.js";
import { forwardedLogs, type ReceiptLog, type SignedForwardRequest } from "@core/forward-request.js";

/** What the relay did with a posted request: took it (its id), cannot take it now, or refused it for good. */
export type Posted =
  | { kind: "accepted"; id: string }
  /** 429 (the sponsor's budget) or 5xx (a busy relay, or none behind the proxy): the same request may go later. */
  | { kind: "later"; status: number; reason: string }
  | { kind: "refused"; status: number; reason: string };

/** What the relay reports of a request it took. */
export interface ActionReport {
  state: string;
  txHash?: string;
  block?: number;
  reason?: string;
}

const text = (value: unknown, name: string): string | undefined => {
  const field = propertyOf(value, name);
  return typeof field === "string" ? field : undefined;
};

async function json(response: Response): Promise<unknown> {
  try {
    const body: unknown = await response.json();
    return body;
  } catch {
    return undefined;
  }
}

/** Posts `signed`; throws only when the relay cannot be reached at all (offline, the dApp's server gone). */
export async function postAction(relayPath: string, signed: SignedForwardRequest): Promise<Posted> {
  const response = await fetch(`${relayPath}/v1/actions`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(signed),
  });
  const body = await json(response);
  const reason = text(body, "error") ?? `the relay answered ${response.status}`;
  if (response.status === 202 || response.status === 200) {
    const id = text(body, "id");
    return id === undefined
      ? { kind: "later", status: response.status, reason: "the relay answered without an id" }
      : { kind: "accepted", id };
  }
  if (response.status === 429 || response.status >= 500) return { kind: "later", status: response.status, reason };
  return { kind: "refused", status: response.status, reason };
}

/** The relay's report on request `id`; undefined when it gave none (not found, or the relay is away). */
export async function actionReport(relayPath: string, id: string): Promise<ActionReport | undefined> {
  const response = await fetch(`${relayPath}/v1/actions/${encodeURIComponent(id)}`, {
    headers: { accept: "application/json" },
  });
  if (!response.ok) return undefined;
  const body = await json(response);
  const state = text(body, "state");
  if (state === undefined) return undefined;
  const txHash = text(body, "txHash");
  const block = propertyOf(body, "block");
  const reason = text(body, "reason");
  return {
    state,
    ...(txHash === undefined ? {} : { txHash }),
    ...(typeof block === "number" ? { block } : {}),
    ...(reason === undefined ? {} : { reason }),
  };
}

/** A request as its transaction ran it: whether it was carried at all, whether the call succeeded, its logs. */
export interface ForwardedCall {
  receipt: TransactionReceipt;
  /** The transaction executed this request (false: the relay's report named the wrong transaction). */
  carried: boolean;
  success: boolean;
  logs: ReceiptLog[];
}

/** Request (`from`, `nonce`) in transaction `txHash`; undefined while the transaction has no receipt. */
export async function forwardedCall(
  provider: Provider,
  forwarder: string,
  txHash: string,
  from: string,
  nonce: bigint,
): Promise<ForwardedCall | undefined> {
  const receipt = await provider.getTransactionReceipt(txHash);
  if (receipt === null) return undefined;
  const found = forwardedLogs(receipt.logs, forwarder, from, nonce);
  return found === undefined
    ? { receipt, carried: false, success: false, logs: [] }
    : { receipt, carried: true, ...found };
}
