/**
 * The CPU-bound part of a capture job, apart from the store so that it can run on a worker thread
 * (capture-worker.ts) while the server's thread writes the previous job: a document's schema and CBV errors, each
 * valid event's eventID and CBV 2.0 hash, and the job's Merkle tree (OpenZeppelin's standard tree over the hashes,
 * one leaf per distinct eventID, the first occurrence's).
 */
import { bytes32Leaf, standardTree } from "../../core/merkle.js";
import type { Json, JsonObject } from "../../exports/epcis.js";
import { schemaFileErrors, VENDORED_SCHEMAS } from "../../exports/epcis-schema.js";
import { eventHashId } from "../../exports/event-hash.js";
import { documentPrefixes, eventListOf, hashBytes32, hashedContent, isObject } from "./event-leaf.js";
import { vocabularyValue } from "./vocabulary.js";

/** What a job learns of its document before it touches the store. */
export interface Analysis {
  /** Not an EPCIS document at all (the stored text of a job is checked again). */
  notDocument?: true;
  /** Schema errors of the document itself (not of an event). */
  documentErrors: string[];
  /** [event index, error] in event order. */
  eventErrors: [number, string][];
  /** [event index, eventID, hash] of each event without error, in event order. */
  hashes: [number, string, string][];
  /** The tree's nodes (root first), and each distinct eventID's node; empty when no event is valid. */
  tree: string[];
  nodes: [string, number][];
  /** The document's extension prefixes, as the hashes were computed with. */
  prefixes: [string, string][];
}

/** Events hashed between two turns of the event loop (on the server's thread). */
const HASHES_PER_TURN = 100;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The CBV checks of one event: its bizStep and disposition are CBV 2.0 terms or URIs. */
function cbvErrors(event: JsonObject): string[] {
  const errors: string[] = [];
  for (const [field, kind] of [
    ["bizStep", "BizStep"],
    ["disposition", "Disp"],
  ] as const) {
    const value = event[field];
    if (typeof value !== "string") continue;
    try {
      vocabularyValue(kind, value, field);
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  return errors;
}

/** Schema and CBV errors: of the document itself, and [event index, error] of its events. */
function errorsOf(doc: JsonObject, events: Json[]): { document: string[]; events: [number, string][] } {
  const perEvent: [number, string][] = [];
  const all = schemaFileErrors(doc, VENDORED_SCHEMAS.epcis);
  for (const error of all) {
    const at = /\/eventList\/(\d+)(\S*) (.*)$/.exec(error);
    if (at !== null) perEvent.push([Number(at[1]), `schema: ${at[2] === "" ? "/" : at[2]} ${at[3]}`]);
  }
  // The document without its events: errors of the whole that are not an event's (the schema's "then" on the
  // root fails with any event's error too).
  let document: string[] = [];
  if (all.length > 0) {
    const held = events.splice(0);
    document = schemaFileErrors(doc, VENDORED_SCHEMAS.epcis).map((e) => `schema: ${e}`);
    events.push(...held);
  }
  events.forEach((event, i) => {
    if (isObject(event)) for (const e of cbvErrors(event)) perEvent.push([i, `CBV: ${e}`]);
  });
  return { document, events: perEvent.sort((a, b) => a[0] - b[0]) };
}

/** Analyses a document (parsed); `yieldTurns`: let other work in while hashing (on the server's thread). */
export async function analyse(doc: unknown, yieldTurns: boolean): Promise<Analysis> {
  const events = eventListOf(doc);
  const empty: Analysis = { documentErrors: [], eventErrors: [], hashes: [], tree: [], nodes: [], prefixes: [] };
  if (!isObject(doc) || events === undefined) return { ...empty, notDocument: true };
  const errors = errorsOf(doc, events);
  const prefixes = documentPrefixes(doc);
  const failed = new Set(errors.events.map(([i]) => i));
  const hashes: [number, string, string][] = [];
  for (const [i, event] of events.entries()) {
    if (yieldTurns && i % HASHES_PER_TURN === HASHES_PER_TURN - 1) await turn();
    if (failed.has(i) || !isObject(event)) continue;
    const hash = eventHashId(hashedContent(event), prefixes);
    hashes.push([i, typeof event.eventID === "string" && event.eventID !== "" ? event.eventID : hash, hash]);
  }
  const first = new Map<string, string>();
  for (const [, eventId, hash] of hashes) if (!first.has(eventId)) first.set(eventId, hash);
  const distinct = [...first.entries()];
  const { tree, at } =
    distinct.length === 0
      ? { tree: [], at: [] }
      : await standardTree(
          distinct.map(([, hash]) => bytes32Leaf(hashBytes32(hash))),
          yieldTurns ? 256 : Number.MAX_SAFE_INTEGER,
          "a capture batch",
        );
  return {
    documentErrors: errors.document,
    eventErrors: errors.events,
    hashes,
    tree,
    nodes: distinct.map(([eventId], k) => [eventId, at[k] ?? 0]),
    prefixes: [...prefixes.entries()],
  };
}
