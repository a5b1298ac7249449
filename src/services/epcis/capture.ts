/**
 * The EPCIS 2.0 capture interface's work (the OpenAPI's `POST /capture`): a partner's EPCISDocument (or
 * EPCISQueryDocument) is accepted as a job — stored first (capture-store.ts), then answered 202 — and processed by
 * one worker, jobs in the order they were accepted, again after a restart for jobs still running:
 *
 * 1. checked against GS1's EPCIS 2.0 JSON schema (the copy vendored in standards/) and the CBV rules the query
 *    interface applies (a bizStep or disposition is a CBV 2.0 term or a URI: vocabulary.ts);
 * 2. each event's canonical CBV 2.0 hash computed (src/exports/event-hash.ts, with the extension prefixes of the
 *    document's `@context`); an event without an eventID gets its hash as eventID;
 * 3. an eventID already stored with the same content (the same hash) is taken as done (idempotent); with other
 *    content it is that event's error (`ResourceAlreadyExistsException`, 409);
 * 4. `rollback` (the default, as the OpenAPI's): any error fails the job and stores nothing; `proceed`: the events
 *    without error are stored and the job reports the others;
 * 5. the new events stored in the EPCIS store (store.ts, marked with the job: no refresh removes them) together
 *    with the job's Merkle tree (OpenZeppelin's standard tree over the hashes, one batch per job) in one
 *    transaction; the root is then anchored on chain by the anchorer, when the server has a signer (anchor.ts).
 *
 * At most `CAPTURE_LIMIT` events and `CAPTURE_FILE_SIZE_LIMIT` bytes per document (413 beyond).
 */
import { randomBytes } from "node:crypto";

import type { Sql } from "../../index/db.js";
import { bytes32Leaf, standardTree } from "../../core/merkle.js";
import { epcisContext, type Json, type JsonObject } from "../../exports/epcis.js";
import { schemaFileErrors, VENDORED_SCHEMAS } from "../../exports/epcis-schema.js";
import { contextPrefixes, eventHashId } from "../../exports/event-hash.js";
import type { CaptureAnchorer } from "./anchor.js";
import { documentPrefixes, eventListOf, hashBytes32, hashedContent, isObject } from "./event-leaf.js";
import {
  capturedHashes,
  ensureCaptureStore,
  finishJob,
  jobDocument,
  nextRunningJob,
  saveBatch,
  saveJob,
  type CaptureError,
  type CapturedLeaf,
  type ErrorBehaviour,
} from "./capture-store.js";
import { EpcisProblem } from "./problem.js";
import { SerialWork } from "./serial.js";
import { appendEvents, ensureEpcisStore, lockEpcisStore, type StorableEvent } from "./store.js";
import { vocabularyValue } from "./vocabulary.js";

/** The most events one capture request may carry (the `GS1-EPCIS-Capture-Limit` header). */
export const CAPTURE_LIMIT = 1_000;
/** The largest capture request body (the `GS1-EPCIS-Capture-File-Size-Limit` header): 8 MiB. */
export const CAPTURE_FILE_SIZE_LIMIT = 8 * 1024 * 1024;
/** The most errors a failed job lists (the rest are counted in the last one). */
const MAX_ERRORS = 1_000;
/** Hashes computed between two turns of the event loop. */
const HASHES_PER_TURN = 100;

const problem = (status: number, type: string, title: string, detail: string): CaptureError => ({
  type: `epcisException:${type}`,
  title,
  status,
  detail,
});
const invalid = (detail: string) => problem(400, "ValidationException", "Invalid EPCIS document", detail);
const conflict = (detail: string) =>
  problem(409, "ResourceAlreadyExistsException", "An event with this eventID already exists", detail);

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

/** Schema and CBV errors of a document: of the document itself, and of each event by its index. */
function documentErrors(doc: JsonObject, events: Json[]): { document: string[]; events: Map<number, string[]> } {
  const perEvent = new Map<number, string[]>();
  const add = (i: number, text: string) => perEvent.set(i, [...(perEvent.get(i) ?? []), text]);
  const all = schemaFileErrors(doc, VENDORED_SCHEMAS.epcis);
  for (const error of all) {
    const at = /\/eventList\/(\d+)(\S*) (.*)$/.exec(error);
    if (at !== null) add(Number(at[1]), `schema: ${at[2] === "" ? "/" : at[2]} ${at[3]}`);
  }
  // The document without its events: errors of the whole that are not an event's (the schema's "then" on the
  // root fails with any event's error too).
  let document: string[] = [];
  if (all.length > 0) {
    const list = eventListOf(doc) ?? [];
    const held = list.splice(0);
    document = schemaFileErrors(doc, VENDORED_SCHEMAS.epcis).map((e) => `schema: ${e}`);
    list.push(...held);
  }
  events.forEach((event, i) => {
    if (!isObject(event)) return;
    for (const e of cbvErrors(event)) add(i, `CBV: ${e}`);
  });
  return { document, events: perEvent };
}

/** One event ready to store: its eventID, hash and body. */
interface Prepared {
  index: number;
  eventId: string;
  hash: string;
  event: StorableEvent;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The events' eventIDs and hashes (an event without eventID: its hash), holding the event loop briefly. */
async function prepare(events: Json[], prefixes: Map<string, string>, skip: Set<number>): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (const [i, event] of events.entries()) {
    if (i % HASHES_PER_TURN === HASHES_PER_TURN - 1) await turn();
    if (skip.has(i) || !isObject(event)) continue;
    const content = hashedContent(event);
    const { type, eventTime } = content;
    if (typeof type !== "string" || typeof eventTime !== "string") continue;
    const hash = eventHashId(content, prefixes);
    const eventId = typeof event.eventID === "string" && event.eventID !== "" ? event.eventID : hash;
    prepared.push({ index: i, eventId, hash, event: { ...content, type, eventTime, eventID: eventId } });
  }
  return prepared;
}

/** eventID → the hash of the event stored under it (captured: as captured; the chain's: of its body). */
async function storedHashes(sql: Sql, eventIds: string[]): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const hashes = await capturedHashes(sql, eventIds);
  const rows = await sql.query<{ event_id: string; body: string }>(
    "SELECT event_id, body FROM epcis_events WHERE event_id = ANY($1::text[]) AND capture_id IS NULL",
    [eventIds],
  );
  const ours = contextPrefixes(epcisContext());
  for (const row of rows) {
    const body: unknown = JSON.parse(row.body);
    if (isObject(body)) hashes.set(row.event_id, eventHashId(hashedContent(body), ours));
  }
  return hashes;
}

/** A job's stored events changed under it (another writer): processed again. */
class StoreMoved extends Error {}

export interface CaptureServiceOptions {
  /** Anchors each job's Merkle root on chain (none: the events stay unanchored). */
  anchorer?: CaptureAnchorer;
  /** The most events per request (default CAPTURE_LIMIT). */
  limit?: number;
  /** The largest request body in bytes (default CAPTURE_FILE_SIZE_LIMIT). */
  fileSizeLimit?: number;
}

/** Accepts capture jobs and processes them, one at a time, in order. */
export class CaptureService {
  readonly limit: number;
  readonly fileSizeLimit: number;
  readonly anchorer: CaptureAnchorer | undefined;
  /** The documents accepted by this process and not processed yet, parsed (others are read from the store). */
  private readonly parsed = new Map<string, JsonObject>();
  private readonly jobs = new SerialWork((stopped) => this.drain(stopped), "EPCIS capture", 5_000);

  constructor(
    readonly sql: Sql,
    options: CaptureServiceOptions = {},
  ) {
    this.limit = options.limit ?? CAPTURE_LIMIT;
    this.fileSizeLimit = options.fileSizeLimit ?? CAPTURE_FILE_SIZE_LIMIT;
    this.anchorer = options.anchorer;
  }

  /** Creates the tables when missing and resumes the jobs still running (accepted before a restart). */
  async start(): Promise<void> {
    await ensureEpcisStore(this.sql);
    await ensureCaptureStore(this.sql);
    this.kick();
    this.anchorer?.kick();
  }

  /**
   * Accepts a document (the request body's text): 400 when it is not JSON or not an EPCIS document, 413 beyond
   * the limit, 409 when an eventID it names is stored with other content. Stored before it resolves.
   */
  async accept(text: string, behaviour: ErrorBehaviour): Promise<string> {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new EpcisProblem(400, "ValidationException", "Invalid EPCIS document", "the body is not JSON");
    }
    const events = eventListOf(doc);
    if (!isObject(doc) || events === undefined) {
      throw new EpcisProblem(
        400,
        "ValidationException",
        "Invalid EPCIS document",
        'the body is not an EPCISDocument (type "EPCISDocument" with an epcisBody.eventList)',
      );
    }
    if (events.length > this.limit) {
      throw new EpcisProblem(
        413,
        "CaptureLimitExceededException",
        "Capture Payload too large",
        `the document holds ${events.length} events; at most ${this.limit} per request`,
      );
    }
    await this.refuseConflicts(doc, events);
    const captureId = `id${randomBytes(10).toString("hex")}`;
    await saveJob(this.sql, { captureId, createdAt: Date.now(), behaviour, events: events.length, document: text });
    this.parsed.set(captureId, doc);
    this.kick();
    return captureId;
  }

  /** 409 when an eventID the document names is stored with other content (found before the job is accepted). */
  private async refuseConflicts(doc: JsonObject, events: Json[]): Promise<void> {
    const named = new Map<string, JsonObject>();
    for (const event of events) {
      if (isObject(event) && typeof event.eventID === "string") named.set(event.eventID, event);
    }
    const stored = await storedHashes(this.sql, [...named.keys()]);
    if (stored.size === 0) return;
    const prefixes = documentPrefixes(doc);
    for (const [eventId, hash] of stored) {
      const event = named.get(eventId);
      if (event !== undefined && eventHashId(hashedContent(event), prefixes) !== hash) {
        throw new EpcisProblem(
          409,
          "ResourceAlreadyExistsException",
          "An event with this eventID already exists",
          `event ${eventId} is stored with other content`,
        );
      }
    }
  }

  /** Processes the running jobs (again, when called while it works). */
  kick(): void {
    this.jobs.kick();
  }

  /** Resolves when no job is being processed. */
  async idle(): Promise<void> {
    await this.jobs.idle();
  }

  /** Stops taking up jobs (those still running resume at the next start) and waits for the one in hand. */
  async close(): Promise<void> {
    await this.jobs.close();
    await this.anchorer?.close();
  }

  /** The running jobs, oldest first; a store that fails (a lost connection) leaves the job running for the retry. */
  private async drain(stopped: () => boolean): Promise<void> {
    for (let job = await nextRunningJob(this.sql); job !== undefined && !stopped();) {
      await this.process(job.captureId, job.behaviour);
      job = await nextRunningJob(this.sql);
    }
  }

  /** Processes one job to its end (success or failure), or throws (the store failed: it stays running). */
  private async process(captureId: string, behaviour: ErrorBehaviour): Promise<void> {
    for (;;) {
      try {
        await this.attempt(captureId, behaviour);
        this.parsed.delete(captureId);
        return;
      } catch (err) {
        if (!(err instanceof StoreMoved)) throw err;
      }
    }
  }

  /** The document of a job: as parsed when accepted, or read from the store (a job accepted before a restart). */
  private async documentOf(captureId: string): Promise<unknown> {
    const known = this.parsed.get(captureId);
    if (known !== undefined) return known;
    try {
      return JSON.parse(await jobDocument(this.sql, captureId));
    } catch {
      return undefined;
    }
  }

  private async attempt(captureId: string, behaviour: ErrorBehaviour): Promise<void> {
    const finish = (success: boolean, errors: CaptureError[]) =>
      finishJob(this.sql, captureId, { success, errors: capped(errors), finishedAt: Date.now() });
    const doc = await this.documentOf(captureId);
    const events = eventListOf(doc);
    if (!isObject(doc) || events === undefined)
      return finish(false, [invalid("the stored document is not an EPCISDocument")]);

    const checked = documentErrors(doc, events);
    const errors: CaptureError[] = checked.document.map((e) => invalid(`document: ${e}`));
    const label = (i: number) => {
      const event = events[i];
      const id = isObject(event) && typeof event.eventID === "string" ? ` (${event.eventID})` : "";
      return `event ${i}${id}`;
    };
    for (const [i, list] of [...checked.events.entries()].sort((a, b) => a[0] - b[0])) {
      for (const e of list) errors.push(invalid(`${label(i)}: ${e}`));
    }
    if (errors.length > 0 && (behaviour === "rollback" || checked.document.length > 0)) return finish(false, errors);

    const prepared = await prepare(events, documentPrefixes(doc), new Set(checked.events.keys()));
    // The same eventID twice in the document: once when the content is the same, an error when not.
    const seen = new Map<string, string>();
    const unique: Prepared[] = [];
    for (const p of prepared) {
      const earlier = seen.get(p.eventId);
      if (earlier === undefined) {
        seen.set(p.eventId, p.hash);
        unique.push(p);
      } else if (earlier !== p.hash) {
        errors.push(conflict(`${label(p.index)}: the document holds event ${p.eventId} twice, with other content`));
      }
    }
    const stored = await storedHashes(
      this.sql,
      unique.map((p) => p.eventId),
    );
    const fresh: Prepared[] = [];
    for (const p of unique) {
      const hash = stored.get(p.eventId);
      if (hash === undefined) fresh.push(p);
      else if (hash !== p.hash)
        errors.push(conflict(`${label(p.index)}: event ${p.eventId} is stored with other content`));
    }
    if (errors.length > 0 && behaviour === "rollback") return finish(false, errors);
    if (fresh.length === 0) return finish(errors.length === 0, errors);

    const { tree, at } = await standardTree(
      fresh.map((p) => bytes32Leaf(hashBytes32(p.hash))),
      256,
      "a capture batch",
    );
    const leaves: CapturedLeaf[] = fresh.map((p, i) => ({ eventId: p.eventId, hash: p.hash, node: at[i] ?? 0 }));
    const prefixes = [...documentPrefixes(doc).entries()];
    const now = Date.now();
    await this.sql.transaction(async (tx) => {
      await lockEpcisStore(tx);
      const [taken] = await tx.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM epcis_events WHERE event_id = ANY($1::text[])",
        [fresh.map((p) => p.eventId)],
      );
      if (Number(taken?.n ?? 0) > 0) throw new StoreMoved();
      await appendEvents(
        tx,
        fresh.map((p) => p.event),
        new Date(now),
        captureId,
      );
      await saveBatch(tx, { captureId, createdAt: now, prefixes, tree, leaves });
      await finishJob(tx, captureId, { success: errors.length === 0, errors: capped(errors), finishedAt: now });
    });
    this.anchorer?.kick();
  }
}

function capped(errors: CaptureError[]): CaptureError[] {
  if (errors.length <= MAX_ERRORS) return errors;
  const rest = errors.length - MAX_ERRORS + 1;
  return [...errors.slice(0, MAX_ERRORS - 1), invalid(`and ${rest} more errors`)];
}
