/**
 * The EPCIS 2.0 capture interface's work (the OpenAPI's `POST /capture`): a partner's EPCISDocument (or
 * EPCISQueryDocument) is accepted as a job — stored first (capture-store.ts), then answered 202 — and processed by
 * one worker, jobs in the order they were accepted, again after a restart for jobs still running:
 *
 * 1. analysed (capture-analysis.ts; on a worker thread, the next job's while this one is written): checked against
 *    GS1's EPCIS 2.0 JSON schema (the copy vendored in standards/) and the CBV rules the query interface applies (a
 *    bizStep or disposition is a CBV 2.0 term or a URI: vocabulary.ts); each event's canonical CBV 2.0 hash
 *    (src/exports/event-hash.ts, with the extension prefixes of the document's `@context`) — an event without an
 *    eventID gets its hash as eventID — and the job's Merkle tree (OpenZeppelin's standard tree over the hashes);
 * 2. an eventID already stored with the same content (the same hash) is taken as done (idempotent); with other
 *    content it is that event's error (`ResourceAlreadyExistsException`, 409);
 * 3. `rollback` (the default, as the OpenAPI's): any error fails the job and stores nothing; `proceed`: the events
 *    without error are stored and the job reports the others;
 * 4. the new events stored in the EPCIS store (store.ts, marked with the job: no refresh removes them) together
 *    with the job's tree in one transaction, the job finished in it; the root is then anchored on chain by the
 *    anchorer, when the server has a signer (anchor.ts).
 *
 * At most `CAPTURE_LIMIT` events and `CAPTURE_FILE_SIZE_LIMIT` bytes per document (413 beyond).
 */
import { randomBytes } from "node:crypto";

import type { Sql } from "../../index/db.js";
import { epcisContext, type Json, type JsonObject } from "../../exports/epcis.js";
import { contextPrefixes, eventHashId } from "../../exports/event-hash.js";
import type { CaptureAnchorer } from "./anchor.js";
import { Analyser } from "./capture-analyser.js";
import type { Analysis } from "./capture-analysis.js";
import { documentPrefixes, eventListOf, hashedContent, isObject } from "./event-leaf.js";
import {
  capturedHashes,
  ensureCaptureStore,
  finishJob,
  jobDocument,
  runningJobs,
  saveBatch,
  saveJob,
  type CaptureError,
  type CapturedLeaf,
  type ErrorBehaviour,
} from "./capture-store.js";
import { EpcisProblem } from "./problem.js";
import { SerialWork } from "./serial.js";
import { appendEvents, ensureEpcisStore, lockEpcisStore, type StorableEvent } from "./store.js";

/** The most events one capture request may carry (the `GS1-EPCIS-Capture-Limit` header). */
export const CAPTURE_LIMIT = 1_000;
/** The largest capture request body (the `GS1-EPCIS-Capture-File-Size-Limit` header): 8 MiB. */
export const CAPTURE_FILE_SIZE_LIMIT = 8 * 1024 * 1024;
/** The most errors a failed job lists (the rest are counted in the last one). */
const MAX_ERRORS = 1_000;

const problem = (status: number, type: string, title: string, detail: string): CaptureError => ({
  type: `epcisException:${type}`,
  title,
  status,
  detail,
});
const invalid = (detail: string) => problem(400, "ValidationException", "Invalid EPCIS document", detail);
const conflict = (detail: string) =>
  problem(409, "ResourceAlreadyExistsException", "An event with this eventID already exists", detail);

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
  /** Validate and hash on a worker thread while the store writes (default true). */
  threaded?: boolean;
}

/** Accepts capture jobs and processes them, one at a time, in order. */
export class CaptureService {
  readonly limit: number;
  readonly fileSizeLimit: number;
  readonly anchorer: CaptureAnchorer | undefined;
  /** The documents accepted by this process and not processed yet (others are read from the store). */
  private readonly received = new Map<string, { text: string; doc: JsonObject }>();
  private readonly analyser: Analyser;
  private readonly jobs = new SerialWork((stopped) => this.drain(stopped), "EPCIS capture", 5_000);

  constructor(
    readonly sql: Sql,
    options: CaptureServiceOptions = {},
  ) {
    this.limit = options.limit ?? CAPTURE_LIMIT;
    this.fileSizeLimit = options.fileSizeLimit ?? CAPTURE_FILE_SIZE_LIMIT;
    this.anchorer = options.anchorer;
    this.analyser = new Analyser(options.threaded ?? true);
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
    this.received.set(captureId, { text, doc });
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
    await this.analyser.close();
    await this.anchorer?.close();
  }

  /**
   * The running jobs, oldest first, the next one's analysis asked ahead; a store that fails (a lost connection)
   * leaves the job running for the retry.
   */
  private async drain(stopped: () => boolean): Promise<void> {
    for (let jobs = await runningJobs(this.sql, 2); jobs[0] !== undefined && !stopped();) {
      const [job, next] = jobs;
      if (next !== undefined) void this.analysisOf(next.captureId).catch(() => undefined);
      await this.process(job.captureId, job.behaviour);
      jobs = await runningJobs(this.sql, 2);
    }
  }

  /** Processes one job to its end (success or failure), or throws (the store failed: it stays running). */
  private async process(captureId: string, behaviour: ErrorBehaviour): Promise<void> {
    for (;;) {
      try {
        await this.attempt(captureId, behaviour);
        this.received.delete(captureId);
        this.analyser.forget(captureId);
        return;
      } catch (err) {
        if (!(err instanceof StoreMoved)) throw err;
      }
    }
  }

  /** A job's document (as received, or read from the store: a job accepted before a restart) and its analysis. */
  private async analysisOf(captureId: string): Promise<{ doc: unknown; analysis: Analysis }> {
    let received = this.received.get(captureId);
    if (received === undefined) {
      const text = await jobDocument(this.sql, captureId);
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        doc = undefined;
      }
      received = { text, doc: isObject(doc) ? doc : {} };
      this.received.set(captureId, received);
    }
    const { text, doc } = received;
    return { doc, analysis: await this.analyser.analysis(captureId, text, () => doc) };
  }

  private async attempt(captureId: string, behaviour: ErrorBehaviour): Promise<void> {
    const finish = (success: boolean, errors: CaptureError[]) =>
      finishJob(this.sql, captureId, { success, errors: capped(errors), finishedAt: Date.now() });
    const { doc, analysis } = await this.analysisOf(captureId);
    const events = eventListOf(doc);
    if (analysis.notDocument === true || events === undefined) {
      return finish(false, [invalid("the stored document is not an EPCISDocument")]);
    }
    const errors: CaptureError[] = analysis.documentErrors.map((e) => invalid(`document: ${e}`));
    const label = (i: number) => {
      const event = events[i];
      const id = isObject(event) && typeof event.eventID === "string" ? ` (${event.eventID})` : "";
      return `event ${i}${id}`;
    };
    for (const [i, e] of analysis.eventErrors) errors.push(invalid(`${label(i)}: ${e}`));
    if (errors.length > 0 && (behaviour === "rollback" || analysis.documentErrors.length > 0)) {
      return finish(false, errors);
    }

    // The same eventID twice in the document: once when the content is the same, an error when not.
    const seen = new Map<string, string>();
    const unique: [number, string, string][] = [];
    for (const entry of analysis.hashes) {
      const [i, eventId, hash] = entry;
      const earlier = seen.get(eventId);
      if (earlier === undefined) {
        seen.set(eventId, hash);
        unique.push(entry);
      } else if (earlier !== hash) {
        errors.push(conflict(`${label(i)}: the document holds event ${eventId} twice, with other content`));
      }
    }
    const stored = await storedHashes(
      this.sql,
      unique.map(([, eventId]) => eventId),
    );
    const fresh: StorableEvent[] = [];
    const leaves: CapturedLeaf[] = [];
    const nodes = new Map(analysis.nodes);
    for (const [i, eventId, hash] of unique) {
      const was = stored.get(eventId);
      const event = events[i];
      if (was !== undefined) {
        if (was !== hash) errors.push(conflict(`${label(i)}: event ${eventId} is stored with other content`));
        continue;
      }
      if (!isObject(event)) continue;
      const content = hashedContent(event);
      const { type, eventTime } = content;
      if (typeof type !== "string" || typeof eventTime !== "string") continue;
      fresh.push({ ...content, type, eventTime, eventID: eventId });
      leaves.push({ eventId, hash, node: nodes.get(eventId) ?? 0 });
    }
    if (errors.length > 0 && behaviour === "rollback") return finish(false, errors);
    if (fresh.length === 0) return finish(errors.length === 0, errors);

    const now = Date.now();
    await this.sql.transaction(async (tx) => {
      await lockEpcisStore(tx);
      const [taken] = await tx.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM epcis_events WHERE event_id = ANY($1::text[])",
        [leaves.map((l) => l.eventId)],
      );
      if (Number(taken?.n ?? 0) > 0) throw new StoreMoved();
      await appendEvents(tx, fresh, new Date(now), captureId);
      await saveBatch(tx, { captureId, createdAt: now, prefixes: analysis.prefixes, tree: analysis.tree, leaves });
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
