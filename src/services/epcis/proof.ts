/**
 * The proof that a captured event is unchanged since its capture (`GET /epcis/events/{eventID}/proof`), and its
 * verifier.
 *
 * The leaf is the event's CBV 2.0 hash (`ni:///sha-256;{hex}?ver=CBV2.0`, src/exports/event-hash.ts) as a
 * `bytes32`, in OpenZeppelin's standard Merkle tree (`@openzeppelin/merkle-tree`, leaf encoding `["bytes32"]`:
 * checkable with `StandardMerkleTree.verify` off chain and `MerkleProof.verify` on chain) of its capture job; the
 * root is anchored with `Registry.anchorDocuments` by the server's signer, and `documentAnchoredAt(by, root)` gives
 * the block time. The verifier recomputes the hash from the event as served (its eventID and recordTime left out,
 * the extension prefixes the proof names), checks the proof up to the root, and reads the anchoring on chain.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import type { Sql } from "../../index/db.js";
import type { JsonObject } from "../../exports/epcis.js";
import { eventHashId } from "../../exports/event-hash.js";
import { hashBytes32, hashedContent, isObject } from "./event-leaf.js";
import { capturedRecord } from "./capture-store.js";

/** What reads an anchoring: `Registry.documentAnchoredAt` (a typechain Registry, or any such view). */
export interface AnchorView {
  documentAnchoredAt(by: string, digest: string): Promise<bigint>;
}

/** The chain a server anchors on, as its proofs name it. */
export interface ChainView {
  registry: AnchorView;
  chainId: bigint;
  registryAddress: string;
}

/** A captured event's proof, as `GET /epcis/events/{eventID}/proof` answers it. */
export interface EventProof {
  eventID: string;
  /** The CBV 2.0 hash of the event's content. */
  hash: string;
  /** The hash as the tree's `bytes32` leaf value. */
  leaf: string;
  /** The extension prefixes the hash was computed with (the capture document's `@context`). */
  prefixes: Record<string, string>;
  root: string;
  proof: string[];
  /** "anchored": the root is on chain (anchoredBy, anchoredAt); "unanchored": not yet, or the server has no signer. */
  status: "anchored" | "unanchored";
  anchoredBy: string | null;
  /** The block time of the anchoring (ISO 8601), as `documentAnchoredAt` reads it; null when unknown. */
  anchoredAt: string | null;
  transaction: string | null;
  chainId: string | null;
  registry: string | null;
  captureID: string;
}

/** The proof of the captured event `eventId` (undefined: no such captured event), read on `chain` when given. */
export async function eventProof(sql: Sql, eventId: string, chain?: ChainView): Promise<EventProof | undefined> {
  const record = await capturedRecord(sql, eventId);
  if (record === undefined) return undefined;
  let anchoredAt: string | null = null;
  if (record.anchoredBy !== null && chain !== undefined) {
    const at = await chain.registry.documentAnchoredAt(record.anchoredBy, record.root);
    if (at > 0n) anchoredAt = new Date(Number(at) * 1000).toISOString();
  }
  return {
    eventID: eventId,
    hash: record.hash,
    leaf: hashBytes32(record.hash),
    prefixes: Object.fromEntries(record.prefixes),
    root: record.root,
    proof: record.proof,
    status: anchoredAt === null ? "unanchored" : "anchored",
    anchoredBy: record.anchoredBy,
    anchoredAt,
    transaction: record.txHash,
    chainId: chain === undefined ? null : chain.chainId.toString(),
    registry: chain === undefined ? null : chain.registryAddress,
    captureID: record.captureId,
  };
}

/** A verifier's verdict: valid, or what failed; the anchoring's block time (unix seconds) when read. */
export interface ProofVerdict {
  valid: boolean;
  problems: string[];
  anchoredAt?: number;
}

/**
 * Verifies a captured event: its content's CBV 2.0 hash is the proof's, the proof leads from that leaf to the root
 * (OpenZeppelin's standard tree), and `registry.documentAnchoredAt(anchoredBy, root)` is not zero.
 */
export async function verifyEventProof(
  event: JsonObject,
  proof: EventProof,
  registry: AnchorView,
): Promise<ProofVerdict> {
  const problems: string[] = [];
  const hash = eventHashId(hashedContent(event), new Map(Object.entries(proof.prefixes)));
  if (hash !== proof.hash) problems.push(`the event's hash is ${hash}, not the proof's ${proof.hash}`);
  let inTree = false;
  try {
    inTree = StandardMerkleTree.verify(proof.root, ["bytes32"], [hashBytes32(hash)], proof.proof);
  } catch (err) {
    problems.push(`the proof cannot be checked: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!inTree) problems.push(`the proof does not lead from the event's hash to the root ${proof.root}`);
  if (proof.anchoredBy === null) {
    problems.push("the root is not anchored on chain (yet)");
    return { valid: false, problems };
  }
  const at = await registry.documentAnchoredAt(proof.anchoredBy, proof.root);
  if (at === 0n) problems.push(`${proof.anchoredBy} has not anchored the root ${proof.root}`);
  return { valid: problems.length === 0, problems, ...(at === 0n ? {} : { anchoredAt: Number(at) }) };
}

/** Verifies the captured event `eventId` as the store holds it now (its stored body against its proof). */
export async function verifyStoredEvent(sql: Sql, eventId: string, chain: ChainView): Promise<ProofVerdict> {
  const proof = await eventProof(sql, eventId, chain);
  const [row] = await sql.query<{ body: string }>("SELECT body FROM epcis_events WHERE event_id = $1", [eventId]);
  if (proof === undefined || row === undefined) return { valid: false, problems: [`no captured event ${eventId}`] };
  const body: unknown = JSON.parse(row.body);
  if (!isObject(body)) {
    return { valid: false, problems: [`the stored event ${eventId} is not a JSON object`] };
  }
  return verifyEventProof(body, proof, chain.registry);
}
