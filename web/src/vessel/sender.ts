/**
 * Sends the catches signed on board to the relay once the phone is online, oldest nonce first, and follows each to
 * the chain. The relay's contract (`POST {relay}/v1/actions` with a signed ForwardRequest → 202 `{id}`; `GET
 * {relay}/v1/actions/{id}` → `{state: "queued" | "submitted" | "done" | "refused", txHash?, block?, reason?}`; a
 * refusal is a 4xx with `{error}`) is the one the relay keeps for device readings: durable before it answers, never
 * twice. A 429 or 503 (the sponsor's budget, a busy relay) and a lost connection leave the catch "signed" for the next
 * round; a refusal is final and shown in one line. "done" is checked against the transaction's own receipt: the
 * forwarder's `ExecutedForwardRequest` of this key and nonce, and the `FishRegistered` of the call (its lot id). The
 * relay client is the actor views' too (web/src/actor/sponsored-relay.ts).
 */
import type { JsonRpcProvider } from "ethers";

import { Harvester__factory } from "@chain/index.js";

import { actionReport, forwardedCall, postAction } from "../actor/sponsored-relay.js";
import { readCatches, writeCatch, type QueuedCatch } from "./store.js";

export interface SenderContext {
  relayPath: string;
  forwarder: string;
  provider: JsonRpcProvider;
}

/** Posts a signed catch; the catch as it is after (sent, refused, or unchanged when the relay cannot take it now). */
async function send(context: SenderContext, entry: QueuedCatch): Promise<QueuedCatch> {
  const posted = await postAction(context.relayPath, entry.signed);
  if (posted.kind === "accepted") return { ...entry, state: "sent", requestId: posted.id };
  if (posted.kind === "later") return entry;
  return { ...entry, state: "refused", reason: posted.reason };
}

/** What became of a catch the relay took. */
async function follow(context: SenderContext, entry: QueuedCatch): Promise<QueuedCatch> {
  if (entry.requestId === undefined) return entry;
  const report = await actionReport(context.relayPath, entry.requestId);
  if (report === undefined) return entry;
  if (report.state === "refused") {
    return { ...entry, state: "refused", reason: report.reason ?? "the relay refused it" };
  }
  const txHash = report.txHash;
  if (report.state !== "done" || txHash === undefined) return entry;
  const forwarded = await forwardedCall(
    context.provider,
    context.forwarder,
    txHash,
    entry.signed.from,
    BigInt(entry.signed.nonce),
  );
  if (forwarded === undefined) return entry;
  if (!forwarded.carried) return { ...entry, state: "refused", reason: `transaction ${txHash} did not carry it` };
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
    block: report.block ?? forwarded.receipt.blockNumber,
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
