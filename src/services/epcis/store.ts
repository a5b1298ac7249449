/**
 * The EPCIS events of the trace index, materialised for querying: each event rendered once by the EPCIS export
 * (src/exports/epcis.ts — the same events and CBV 2.0 eventIDs as `export epcis`) and stored with the columns the
 * query interface filters on, in tables of its own beside the index's (created here with CREATE … IF NOT EXISTS):
 *
 * - `epcis_events`: one row per event — `seq` (the order events entered the store: chain order, then later
 *   blocks), eventID, type, eventTime and recordTime (ms), action, bizStep and disposition (bare CBV terms),
 *   readPoint and bizLocation (EPC URNs as GS1 Digital Links), transformationID, and the event's JSON;
 * - `epcis_event_keys`: the event's multi-valued identifiers, one row each (`kind`, `value`): `epc`, `parentID`,
 *   `inputEPC`, `outputEPC`, `epcClass`, `inputEPCClass`, `outputEPCClass`, `source:<type>`,
 *   `destination:<type>`, `bizTransaction:<type>`, `pdSet`, `pdUnset` (keyed by kind and value; the classes also by
 *   value alone, for the resolver);
 * - `epcis_events.capture_id`: the capture job of an event a partner sent (src/services/epcis/capture.ts), NULL
 *   for the chain's own — a refresh never removes a captured event;
 * - `epcis_meta`: the page-token secret, and what the last refresh was built from.
 *
 * `refreshEpcisStore` brings the tables up to date with the index (when the index or the master data changed since
 * the last refresh: `epcis_meta.refreshed_at`): events no longer produced are removed, new ones appended with
 * recordTime = now (an event keeps the recordTime it was first stored with, so
 * `GE_recordTime` finds what is new since a time). It renders the whole index each time; see README ("EPCIS 2.0
 * query interface") for how it should move into the indexer's per-chunk transaction.
 */
import { createHash } from "node:crypto";

import type { Sql } from "../../index/db.js";
import { loadJourney } from "../../index/journey.js";
import { indexedChain } from "../../index/trace.js";
import { epcisDocument, type Json, type JsonObject } from "../../exports/epcis.js";
import type { MasterData } from "../../exports/master-data.js";
import { storedMasterData } from "../../exports/master-data-store.js";
import { bareTerm, canonicalId } from "./vocabulary.js";

export const EPCIS_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS epcis_events (
  seq bigint PRIMARY KEY,
  event_id text NOT NULL UNIQUE,
  event_type text NOT NULL,
  event_time bigint NOT NULL,        -- ms since 1970
  record_time bigint NOT NULL,
  action text,
  biz_step text,                     -- bare CBV term, or the custom URI
  disposition text,
  read_point text,
  biz_location text,
  transformation_id text,
  body text NOT NULL                 -- the event as JSON, recordTime included
);
CREATE INDEX IF NOT EXISTS epcis_events_event_time ON epcis_events (event_time, seq);
CREATE INDEX IF NOT EXISTS epcis_events_record_time ON epcis_events (record_time, seq);
CREATE INDEX IF NOT EXISTS epcis_events_biz_step ON epcis_events (biz_step, seq);
CREATE INDEX IF NOT EXISTS epcis_events_disposition ON epcis_events (disposition, seq);
CREATE INDEX IF NOT EXISTS epcis_events_read_point ON epcis_events (read_point, seq);
CREATE INDEX IF NOT EXISTS epcis_events_biz_location ON epcis_events (biz_location, seq);
CREATE INDEX IF NOT EXISTS epcis_events_type ON epcis_events (event_type, seq);
CREATE TABLE IF NOT EXISTS epcis_event_keys (
  kind text NOT NULL,
  value text NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (kind, value, seq)
);
CREATE INDEX IF NOT EXISTS epcis_event_keys_seq ON epcis_event_keys (seq);
-- The lots (EPC classes) by value and by prefix — the resolver's lookups of a lot and of a GTIN's lots — in any
-- collation (text_pattern_ops: LIKE 'prefix%' is a range of it where the database's collation is not C).
CREATE INDEX IF NOT EXISTS epcis_event_keys_class ON epcis_event_keys (value text_pattern_ops)
  WHERE kind IN ('epcClass', 'inputEPCClass', 'outputEPCClass');
CREATE TABLE IF NOT EXISTS epcis_meta (key text PRIMARY KEY, value text NOT NULL);
-- The capture job an event came from (POST /epcis/capture); NULL for the chain's events, which a refresh manages.
ALTER TABLE epcis_events ADD COLUMN IF NOT EXISTS capture_id text;
`;

/** Creates the store's tables when they are missing. */
export async function ensureEpcisStore(sql: Sql): Promise<void> {
  await sql.exec(EPCIS_STORE_SCHEMA);
}

/** How many events the store holds. */
export async function storedEvents(sql: Sql): Promise<number> {
  const [row] = await sql.query<{ n: string }>("SELECT count(*)::text AS n FROM epcis_events");
  return Number(row?.n ?? 0);
}

/** An EPCIS event the store takes: FishTrace's own (src/exports/epcis.ts) or any other with an eventID. */
export type StorableEvent = JsonObject & { type: string; eventID: string; eventTime: string };

const objectOf = (value: Json | undefined): JsonObject | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
const listOf = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);
const textOf = (value: Json | undefined): string | undefined => (typeof value === "string" ? value : undefined);

/** The stored row of an event: its filter columns and keys. */
export interface StoredEvent {
  eventId: string;
  type: string;
  eventTime: number;
  action?: string;
  bizStep?: string;
  disposition?: string;
  readPoint?: string;
  bizLocation?: string;
  transformationId?: string;
  keys: [string, string][];
}

/** What the query interface filters on, read from an event. */
export function storedEvent(event: JsonObject): StoredEvent {
  const keys: [string, string][] = [];
  const add = (kind: string, value: Json | undefined) => {
    const text = textOf(value);
    if (text !== undefined && text !== "") keys.push([kind, canonicalId(text)]);
  };
  for (const [field, kind] of [
    ["epcList", "epc"],
    ["childEPCs", "epc"],
    ["inputEPCList", "inputEPC"],
    ["outputEPCList", "outputEPC"],
  ] as const) {
    for (const epc of listOf(event[field])) add(kind, epc);
  }
  add("parentID", event.parentID);
  for (const [field, kind] of [
    ["quantityList", "epcClass"],
    ["childQuantityList", "epcClass"],
    ["inputQuantityList", "inputEPCClass"],
    ["outputQuantityList", "outputEPCClass"],
  ] as const) {
    for (const q of listOf(event[field])) add(kind, objectOf(q)?.epcClass);
  }
  for (const [field, item, cbv] of [
    ["sourceList", "source", "SDT"],
    ["destinationList", "destination", "SDT"],
    ["bizTransactionList", "bizTransaction", "BTT"],
  ] as const) {
    for (const element of listOf(event[field])) {
      const e = objectOf(element);
      const type = textOf(e?.type);
      if (type !== undefined) add(`${item}:${bareTerm(cbv, type)}`, e?.[item]);
    }
  }
  const persistent = objectOf(event.persistentDisposition);
  for (const [field, kind] of [
    ["set", "pdSet"],
    ["unset", "pdUnset"],
  ] as const) {
    for (const d of listOf(persistent?.[field])) {
      const text = textOf(d);
      if (text !== undefined) keys.push([kind, bareTerm("Disp", text)]);
    }
  }
  const step = textOf(event.bizStep);
  const disposition = textOf(event.disposition);
  const readPoint = textOf(objectOf(event.readPoint)?.id);
  const bizLocation = textOf(objectOf(event.bizLocation)?.id);
  const action = textOf(event.action);
  const transformationId = textOf(event.transformationID);
  return {
    eventId: textOf(event.eventID) ?? "",
    type: textOf(event.type) ?? "",
    eventTime: Date.parse(textOf(event.eventTime) ?? ""),
    ...(action === undefined ? {} : { action }),
    ...(step === undefined ? {} : { bizStep: bareTerm("BizStep", step) }),
    ...(disposition === undefined ? {} : { disposition: bareTerm("Disp", disposition) }),
    ...(readPoint === undefined ? {} : { readPoint: canonicalId(readPoint) }),
    ...(bizLocation === undefined ? {} : { bizLocation: canonicalId(bizLocation) }),
    ...(transformationId === undefined ? {} : { transformationId }),
    keys: [...new Map(keys.map((k) => [k.join("\n"), k])).values()],
  };
}

export interface RefreshOptions {
  /** The chain the index was built from (default: read from the index's cursor). */
  chainId?: bigint;
  /** Master data for the GDST KDEs the chain does not hold (as `export epcis --master-data`). */
  masterData?: MasterData;
  /** The recordTime of events stored now (default: now). */
  now?: Date;
  /** Render the index even when it has not changed since the last refresh. */
  force?: boolean;
}

export interface RefreshResult {
  /** Events stored by this refresh. */
  added: number;
  /** Events removed (no longer produced from the index: a reorganised chain, other master data). */
  removed: number;
  /** Events in the store. */
  total: number;
  /** Nothing was rendered: the index and the master data are as at the last refresh. */
  unchanged?: true;
}

/** What the store was last built from: the chain, the index's cursor and last block, the master data. */
async function indexState(sql: Sql, chainId: bigint, masterData: MasterData | undefined): Promise<string> {
  const cursor = await sql.query<{ next_block: string; last_hash: string | null }>(
    "SELECT next_block::text AS next_block, last_hash FROM cursor ORDER BY deployment",
  );
  const [block] = await sql.query<{ number: string; hash: string }>(
    "SELECT number::text AS number, hash FROM blocks ORDER BY number DESC LIMIT 1",
  );
  const data = JSON.stringify(masterData ?? null, (_, v: unknown) => (v instanceof Map ? [...v.entries()] : v));
  return createHash("sha256")
    .update(JSON.stringify([chainId.toString(), cursor, block ?? null, data]))
    .digest("hex");
}

const ROWS_PER_INSERT = 1_000;

/** Stores `events` (new ones, in order) from `seq` on, with `recordTime` (and the capture job they came from). */
async function insertEvents(
  tx: Sql,
  events: StorableEvent[],
  firstSeq: number,
  recordTime: number,
  captureId: string | null,
): Promise<void> {
  const record = new Date(recordTime).toISOString();
  for (let at = 0; at < events.length; at += ROWS_PER_INSERT) {
    const chunk = events.slice(at, at + ROWS_PER_INSERT);
    // One array a column (unnest): a few parameters however many rows, where a VALUES list takes 13 a row.
    const columns: unknown[][] = Array.from({ length: 11 }, () => []);
    const keys: unknown[][] = [[], [], []];
    chunk.forEach((event, i) => {
      const seq = firstSeq + at + i;
      const s = storedEvent(event);
      const { eventID, type, eventTime, ...rest } = event;
      // recordTime after eventTime, as the standard's examples write it; the eventID's hash leaves it out.
      const body = JSON.stringify({ eventID, type, eventTime, recordTime: record, ...rest });
      const row = [seq, s.eventId, s.type, s.eventTime, s.action, s.bizStep, s.disposition, s.readPoint];
      row.push(s.bizLocation, s.transformationId, body);
      row.forEach((v, j) => columns[j]?.push(v ?? null));
      for (const [kind, value] of s.keys) {
        keys[0]?.push(kind);
        keys[1]?.push(value);
        keys[2]?.push(seq);
      }
    });
    await tx.query(
      `INSERT INTO epcis_events (seq, event_id, event_type, event_time, record_time, action, biz_step, disposition,
         read_point, biz_location, transformation_id, body, capture_id)
       SELECT s, i, t, et, $12, a, b, d, rp, bl, tr, body, $13
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::text[], $10::text[], $11::text[]) AS r(s, i, t, et, a, b, d, rp, bl, tr, body)
       ORDER BY s`,
      [...columns, recordTime, captureId],
    );
    if ((keys[0]?.length ?? 0) > 0) {
      await tx.query(
        `INSERT INTO epcis_event_keys (kind, value, seq)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING`,
        keys,
      );
    }
  }
}

/**
 * Appends `events` to the store in their order with `recordTime` (after every stored event; an eventID already
 * stored is refused by the table's UNIQUE key). What the indexer's sync, or a capture (`captureId`: its job), calls
 * with new events — inside a transaction that took `lockEpcisStore` first, when others may append at once.
 */
export async function appendEvents(
  sql: Sql,
  events: StorableEvent[],
  recordTime: Date,
  captureId: string | null = null,
): Promise<void> {
  const [top] = await sql.query<{ seq: string | null }>("SELECT max(seq)::text AS seq FROM epcis_events");
  await insertEvents(sql, events, Number(top?.seq ?? 0) + 1, recordTime.getTime(), captureId);
}

/** One writer at a time in a transaction (a refresh, a capture job): held until the transaction ends. */
export async function lockEpcisStore(tx: Sql): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(20190003)");
}

/**
 * Brings the store up to date with the index: renders every event of the index (src/exports/epcis.ts), appends
 * those not stored yet, removes those no longer produced. One transaction: a query sees the store before or after.
 */
export async function refreshEpcisStore(sql: Sql, options: RefreshOptions = {}): Promise<RefreshResult> {
  await ensureEpcisStore(sql);
  const chainId = options.chainId ?? (await indexedChain(sql));
  // Rendering the whole index is skipped when neither the index (its cursor and last block) nor the master data
  // changed since the last refresh: a serving task refreshes after every sync, most of which find nothing new.
  // Master data named on the command line, else what `masterdata import` kept in the index.
  const masterData = options.masterData ?? (await storedMasterData(sql));
  const state = await indexState(sql, chainId, masterData);
  const [known] = await sql.query<{ value: string }>("SELECT value FROM epcis_meta WHERE key = 'refreshed_at'");
  if (known?.value === state && options.force !== true) {
    return { added: 0, removed: 0, total: await storedEvents(sql), unchanged: true };
  }
  const journey = await loadJourney(sql, { kind: "range", from: 0, to: Number.MAX_SAFE_INTEGER }, chainId);
  const rendered = epcisDocument(journey, { masterData }).epcisBody.eventList;
  const unique = [...new Map(rendered.map((e) => [e.eventID, e])).values()];
  const wanted = new Set(unique.map((e) => e.eventID));
  return sql.transaction(async (tx) => {
    await lockEpcisStore(tx);
    const stored = await tx.query<{ event_id: string; seq: string; captured: boolean }>(
      "SELECT event_id, seq::text, capture_id IS NOT NULL AS captured FROM epcis_events",
    );
    const have = new Set(stored.map((r) => r.event_id));
    // Captured events are the partners' (capture.ts), not the chain's: never removed here.
    const gone = stored.filter((r) => !r.captured && !wanted.has(r.event_id)).map((r) => r.seq);
    if (gone.length > 0) {
      await tx.query("DELETE FROM epcis_event_keys WHERE seq = ANY($1::bigint[])", [gone]);
      await tx.query("DELETE FROM epcis_events WHERE seq = ANY($1::bigint[])", [gone]);
    }
    const added = unique.filter((e) => !have.has(e.eventID));
    await appendEvents(tx, added, options.now ?? new Date());
    await tx.query(
      `INSERT INTO epcis_meta (key, value) VALUES ('refreshed_at', $1)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [state],
    );
    return { added: added.length, removed: gone.length, total: stored.length - gone.length + added.length };
  });
}
