/**
 * Sends the catches signed on board to the relay once the phone is online, oldest nonce first, and follows each to
 * the chain. The relay's contract (`POST {relay}/v1/actions` with a signed ForwardRequest → 202 `{id}`; `GET
 * {relay}/v1/actions/{id}` → `{state: "queued" | "submitted" | "done" | "refused", txHash?, block?, reason?}`; a
 * refusal is a 4xx with `{error}`) is the one the relay keeps for device readings: durable before it answers, never
 * twice. A 429 or 503 (the sponsor's budget, a busy relay) and a lost connection leave the catch "signed" for the next
 * round; a refusal is final and shown in one line. "done" is checked against the transaction's own receipt: the
 * forwarder's `ExecutedForwardRequest` of this key and nonce, and the `FishRegistered` of the call (its lot id).
 */
import type { JsonRpcProvider } from "ethers";

import { Harvester__factory } from "@chain/index.js";
import { forwardedLogs } from "@core/forward-request.js";

import { readCatches, writeCatch, type QueuedCatch } from "./store.js";

export interface SenderContext {
  relayPath: string;
  forwarder: string;
  provider: JsonRpcProvider;
}

const stringField = (value: unknown, name: string): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const field: unknown = Reflect.get(value, name);
  return typeof field === "string" ? field : undefined;
};

const numberField = (value: unknown, name: string): number | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const field: unknown = Reflect.get(value, name);
  return typeof field === "number" ? field : undefined;
};

async function json(response: Response): Promise<unknown> {
  try {
    const body: unknown = await response.json();
    return body;
  } catch {
    return undefined;
  }
}

/** Posts a signed catch; the catch as it is after (sent, refused, or unchanged when the relay cannot take it now). */
async function send(context: SenderContext, entry: QueuedCatch): Promise<QueuedCatch> {
  const response = await fetch(`${context.relayPath}/v1/actions`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(entry.signed),
  });
  const body = await json(response);
  if (response.status === 202 || response.status === 200) {
    const id = stringField(body, "id");
    if (id === undefined) return entry;
    return { ...entry, state: "sent", requestId: id };
  }
  if (response.status === 429 || response.status >= 500) return entry;
  return {
    ...entry,
    state: "refused",
    reason: stringField(body, "error") ?? `the relay refused it (${response.status})`,
  };
}

/** What became of a catch the relay took. */
async function follow(context: SenderContext, entry: QueuedCatch): Promise<QueuedCatch> {
  if (entry.requestId === undefined) return entry;
  const response = await fetch(`${context.relayPath}/v1/actions/${encodeURIComponent(entry.requestId)}`, {
    headers: { accept: "application/json" },
  });
  if (!response.ok) return entry;
  const body = await json(response);
  const state = stringField(body, "state");
  if (state === "refused") {
    return { ...entry, state: "refused", reason: stringField(body, "reason") ?? "the relay refused it" };
  }
  const txHash = stringField(body, "txHash");
  if (state !== "done" || txHash === undefined) return entry;
  const receipt = await context.provider.getTransactionReceipt(txHash);
  if (receipt === null) return entry;
  const forwarded = forwardedLogs(receipt.logs, context.forwarder, entry.signed.from, BigInt(entry.signed.nonce));
  if (forwarded === undefined) return { ...entry, state: "refused", reason: `transaction ${txHash} did not carry it` };
  if (!forwarded.success) return { ...entry, state: "refused", reason: "the harvester contract refused the catch" };
  const harvester = Harvester__factory.createInterface();
  let lotId: string | undefined;
  for (const log of forwarded.logs) {
    const parsed = harvester.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === "FishRegistered") lotId = String(parsed.args.getValue("lotId"));
  }
  return {
    ...entry,
    state: "on-chain",
    txHash,
    block: numberField(body, "block") ?? receipt.blockNumber,
    ...(lotId === undefined ? {} : { lotId }),
  };
}

/**
 * One round: every "signed" catch sent in nonce order (stopping at the first the relay cannot take now: the later
 * nonces wait behind it), every "sent" one followed. Returns whether anything changed.
 */
export async function sendRound(context: SenderContext): Promise<boolean> {
  let changed = false;
  let blocked = false;
  for (const entry of await readCatches()) {
    if (entry.state === "on-chain" || entry.state === "refused") continue;
    let next: QueuedCatch;
    try {
      if (entry.state === "signed") {
        if (blocked) continue;
        next = await send(context, entry);
        if (next.state === "signed") blocked = true;
      } else {
        next = await follow(context, entry);
      }
    } catch {
      // Offline again, or the relay is away: the catch waits for the next round.
      return changed;
    }
    if (next !== entry) {
      await writeCatch(next);
      changed = true;
    }
  }
  return changed;
}
