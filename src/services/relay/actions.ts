/**
 * Sponsored actions as the relay keeps them: a signed `ForwardRequest` (src/core/forward-request.ts) acknowledged
 * by `POST /v1/actions`, stored before the answer, then queued → submitted (in an `executeBatch` transaction of the
 * batches table, kind `action`) → done | refused. The types and row readers both stores share (store.ts,
 * pg-store.ts).
 */
import { integer, integerOrNull, oneOf, text, textOrNull, type Columns } from "./sqlite.js";

export type ActionState = "queued" | "submitted" | "done" | "refused";
export const ACTION_STATES: readonly ActionState[] = ["queued", "submitted", "done", "refused"];

/** An acknowledged request as stored; `id` is its EIP-712 hash (the same request is the same id). */
export interface NewAction {
  id: string;
  signer: string;
  /** The signer's forwarder nonce (intake refuses one far ahead of the chain's, so it fits a number). */
  nonce: number;
  target: string;
  gas: number;
  /** Unix seconds. */
  deadline: number;
  data: string;
  signature: string;
  receivedAt: number;
}

export interface ActionRow extends NewAction {
  /** The store's row number. */
  seq: number;
  attempts: number;
}

/** A signer's sponsorship budget for the last 24 hours: requests and the gas they ask for. */
export interface ActionBudget {
  requests: number;
  gas: number;
  /** Requests received since this time (ms) count. */
  since: number;
}

/** What storing a request came to. */
export type ActionAddResult =
  | { ok: true; id: string; duplicate: boolean }
  | { ok: false; status: 409 | 429; reason: "nonce_conflict" | "budget"; message: string };

/** What `GET /v1/actions/:id` answers. */
export interface ActionStatus {
  id: string;
  state: ActionState;
  txHash?: string;
  block?: number;
  reason?: string;
}

/** What became of a submitted action once its batch's receipt was read. */
export interface ActionOutcome {
  seq: number;
  state: "done" | "refused" | "queued";
  reason?: string;
}

/** One acknowledged action's key and state (the crash test and audits). */
export interface ActionRecord {
  id: string;
  signer: string;
  nonce: number;
  state: ActionState;
  reason: string | null;
}

export const ACTION_COLUMNS = "seq, id, signer, nonce, target, gas, deadline, data, signature, received_at, attempts";

export function actionRow(r: Columns): ActionRow {
  return {
    seq: integer(r, "seq"),
    id: text(r, "id"),
    signer: text(r, "signer"),
    nonce: integer(r, "nonce"),
    target: text(r, "target"),
    gas: integer(r, "gas"),
    deadline: integer(r, "deadline"),
    data: text(r, "data"),
    signature: text(r, "signature"),
    receivedAt: integer(r, "received_at"),
    attempts: integer(r, "attempts"),
  };
}

/** A status row: the action joined with its batch (`hash`, `block`). */
export function actionStatusRow(r: Columns): ActionStatus {
  const state = oneOf(r, "state", ACTION_STATES);
  const hash = textOrNull(r, "hash");
  const block = integerOrNull(r, "block");
  const reason = textOrNull(r, "reason");
  return {
    id: text(r, "id"),
    state,
    ...(hash !== null && hash !== "" && state !== "queued" ? { txHash: hash } : {}),
    ...(block !== null && state === "done" ? { block } : {}),
    ...(reason !== null ? { reason } : {}),
  };
}

export function actionRecord(r: Columns): ActionRecord {
  return {
    id: text(r, "id"),
    signer: text(r, "signer"),
    nonce: integer(r, "nonce"),
    state: oneOf(r, "state", ACTION_STATES),
    reason: textOrNull(r, "reason"),
  };
}

/** The answer to a request for a (signer, nonce) another request holds: only one can ever execute. */
export function nonceConflict(signer: string, nonce: number): ActionAddResult {
  return {
    ok: false,
    status: 409,
    reason: "nonce_conflict",
    message: `another request of ${signer} with nonce ${nonce} was already accepted`,
  };
}

/** The one line a budget refusal says. */
export function overBudget(
  used: { requests: number; gas: number },
  budget: ActionBudget,
  gas: number,
): string | undefined {
  if (used.requests + 1 > budget.requests) {
    return `over budget: ${used.requests} of ${budget.requests} requests a day used by this signer`;
  }
  if (used.gas + gas > budget.gas) {
    return `over budget: ${used.gas} + ${gas} gas is above the ${budget.gas} gas a day of this signer`;
  }
  return undefined;
}
