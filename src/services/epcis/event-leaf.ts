/**
 * A captured event as the capture interface reads it and as its Merkle leaf is made: the event list of an EPCIS
 * document, the extension prefixes of its `@context`, what the CBV 2.0 hash covers, and the hash as a `bytes32`.
 */
import type { Json, JsonObject } from "../../exports/epcis.js";
import { contextPrefixes } from "../../exports/event-hash.js";

/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The event list of an EPCISDocument or EPCISQueryDocument, or undefined when `doc` is neither. */
export function eventListOf(doc: unknown): Json[] | undefined {
  if (!isObject(doc)) return undefined;
  const body = doc.epcisBody;
  if (!isObject(body)) return undefined;
  if (doc.type === "EPCISDocument") return Array.isArray(body.eventList) ? body.eventList : undefined;
  if (doc.type !== "EPCISQueryDocument") return undefined;
  const results = isObject(body.queryResults) ? body.queryResults.resultsBody : undefined;
  return isObject(results) && Array.isArray(results.eventList) ? results.eventList : undefined;
}

/** The extension prefixes a document's `@context` declares. */
export function documentPrefixes(doc: JsonObject): Map<string, string> {
  const context = doc["@context"];
  return contextPrefixes(Array.isArray(context) ? context : context === undefined ? [] : [context]);
}

/** What the CBV 2.0 event hash covers: the event without eventID and recordTime. */
export function hashedContent(event: JsonObject): JsonObject {
  const { eventID: _id, recordTime: _recorded, ...content } = event;
  return content;
}

/** The 32 bytes of a `ni:///sha-256;{hex}?ver=CBV2.0` hash, as the Merkle tree's `bytes32` leaf value. */
export function hashBytes32(hash: string): string {
  const hex = /^ni:\/\/\/sha-256;([0-9a-f]{64})\?ver=CBV2\.0$/.exec(hash)?.[1];
  if (hex === undefined) throw new Error(`${hash} is not a CBV 2.0 event hash`);
  return `0x${hex}`;
}
