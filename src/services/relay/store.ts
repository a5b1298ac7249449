/**
 * The relay's durable store: one SQLite file (Node's built-in `node:sqlite`, WAL journal) holding every reading the
 * relay acknowledged, the transactions it signed and what became of both. A reading is committed here before its
 * request is answered; concurrent requests share one transaction (group commit), each inside its own savepoint so
 * a conflicting request leaves nothing behind. Readings move pending → sent → done | refused; a batch that was
 * lost or reverted returns its readings to pending.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";

import { InputError } from "../../core/input-error.js";
import {
  command,
  DatabaseSync,
  integer,
  integerOrNull,
  oneOf,
  oneOfOrNull,
  query,
  text,
  textOrNull,
  type Columns,
  type Database,
} from "./sqlite.js";
import {
  ACTION_COLUMNS,
  actionRecord,
  actionRow,
  actionStatusRow,
  nonceConflict,
  overBudget,
  type ActionAddResult,
  type ActionBudget,
  type ActionOutcome,
  type ActionRecord,
  type ActionRow,
  type ActionStatus,
  type NewAction,
} from "./actions.js";

export type Kind = "qat" | "sensor";
export const KINDS: readonly Kind[] = ["qat", "sensor"];
/** What a batch carries: readings of a kind, or sponsored actions (one `executeBatch`). */
export type BatchKind = Kind | "action";
const BATCH_KINDS: readonly BatchKind[] = ["qat", "sensor", "action"];

/** What became of a reading on chain. */
export type Outcome = "included" | "already_on_chain" | "refused";
const OUTCOMES: readonly Outcome[] = ["included", "already_on_chain", "refused"];

/** A signed QAT reading as stored: the request's JSON of it is kept verbatim for resubmission. */
export interface QatRow {
  id: number;
  device: string;
  readingId: string;
  lotId: string;
  signed: string;
  receivedAt: number;
  attempts: number;
}

export interface SensorRow {
  id: number;
  sensor: string;
  readAt: number;
  temperature: number;
  humidity: number;
  stage: number;
  /** Lot ids, ascending, comma-separated: the batch key with `stage`. */
  lots: string;
  gateway: string;
  receivedAt: number;
  attempts: number;
}

export type NewQat = Omit<QatRow, "id" | "attempts">;
/** A signed transaction as `recordBatch` records it, before it is broadcast. */
export interface NewBatch {
  kind: BatchKind;
  stage: number;
  lots?: string;
  root?: string;
  nonce: number;
  hash: string;
  raw: string;
}
export type NewSensor = Omit<SensorRow, "id" | "attempts">;

/** The answer to one request's readings. */
export type AddResult =
  { ok: true; accepted: number; duplicates: number } | { ok: false; index: number; reason: string };

export interface BatchRow {
  id: number;
  kind: BatchKind;
  stage: number;
  lots: string | null;
  root: string | null;
  readings: number;
  nonce: number;
  hash: string;
  raw: string;
  state: BatchState;
  sentAt: number;
  attempts: number;
  /** The account that signed it, when it may be another relay's (PostgreSQL: several relays, one queue). */
  relayer?: string;
}

type BatchState = "sent" | "mined" | "reverted" | "lost";
const BATCH_STATES: readonly BatchState[] = ["sent", "mined", "reverted", "lost"];

type ReadingState = "pending" | "sent" | "done" | "refused";
const READING_STATES: readonly ReadingState[] = ["pending", "sent", "done", "refused"];

export interface ReadingStatus {
  state: ReadingState;
  outcome: Outcome | null;
  reason: string | null;
  receivedAt: number;
  batch: { id: number; hash: string; state: string; block: number | null; root: string | null } | null;
  leaf: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS qat (
  id INTEGER PRIMARY KEY,
  device TEXT NOT NULL,
  reading_id TEXT NOT NULL,
  lot_id TEXT NOT NULL,
  signed TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  batch_id INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  outcome TEXT,
  reason TEXT,
  UNIQUE (device, reading_id)
) STRICT;
CREATE INDEX IF NOT EXISTS qat_open ON qat (state, id) WHERE state IN ('pending', 'sent');
CREATE INDEX IF NOT EXISTS qat_batch ON qat (batch_id) WHERE batch_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS sensor (
  id INTEGER PRIMARY KEY,
  sensor TEXT NOT NULL,
  read_at INTEGER NOT NULL,
  temperature INTEGER NOT NULL,
  humidity INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  lots TEXT NOT NULL,
  gateway TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  batch_id INTEGER,
  leaf INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  outcome TEXT,
  reason TEXT,
  UNIQUE (sensor, read_at)
) STRICT;
CREATE INDEX IF NOT EXISTS sensor_open ON sensor (state, stage, lots, id) WHERE state IN ('pending', 'sent');
CREATE INDEX IF NOT EXISTS sensor_pending ON sensor (id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS sensor_batch ON sensor (batch_id, leaf) WHERE batch_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  stage INTEGER NOT NULL,
  lots TEXT,
  root TEXT,
  readings INTEGER NOT NULL,
  nonce INTEGER NOT NULL,
  hash TEXT NOT NULL,
  raw TEXT NOT NULL,
  state TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  mined_at INTEGER,
  block INTEGER,
  gas_used TEXT,
  error TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS batches_open ON batches (state, nonce) WHERE state = 'sent';
CREATE TABLE IF NOT EXISTS sensor_proofs (
  batch_id INTEGER NOT NULL,
  leaf INTEGER NOT NULL,
  proof TEXT NOT NULL,
  PRIMARY KEY (batch_id, leaf)
) STRICT;
CREATE TABLE IF NOT EXISTS actions (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  signer TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  target TEXT NOT NULL,
  gas INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  data TEXT NOT NULL,
  signature TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  batch_id INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  UNIQUE (signer, nonce)
) STRICT;
CREATE INDEX IF NOT EXISTS actions_open ON actions (state, signer, nonce) WHERE state IN ('queued', 'submitted');
CREATE INDEX IF NOT EXISTS actions_budget ON actions (signer, received_at);
CREATE INDEX IF NOT EXISTS actions_batch ON actions (batch_id) WHERE batch_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS chain_answers (key TEXT PRIMARY KEY, value TEXT NOT NULL, checked_at INTEGER NOT NULL) STRICT;
`;

/** A QAT reading's row (`qatPending`). */
export function qatRow(r: Columns): QatRow {
  return {
    id: integer(r, "id"),
    device: text(r, "device"),
    readingId: text(r, "reading_id"),
    lotId: text(r, "lot_id"),
    signed: text(r, "signed"),
    receivedAt: integer(r, "received_at"),
    attempts: integer(r, "attempts"),
  };
}

/** A sensor reading's row (`sensorPending`). */
export function sensorRow(r: Columns): SensorRow {
  return {
    id: integer(r, "id"),
    sensor: text(r, "sensor"),
    readAt: integer(r, "read_at"),
    temperature: integer(r, "temperature"),
    humidity: integer(r, "humidity"),
    stage: integer(r, "stage"),
    lots: text(r, "lots"),
    gateway: text(r, "gateway"),
    receivedAt: integer(r, "received_at"),
    attempts: integer(r, "attempts"),
  };
}

/** A batch's row (`openBatches`). */
export function batchRow(r: Columns): BatchRow {
  return {
    id: integer(r, "id"),
    kind: oneOf(r, "kind", BATCH_KINDS),
    stage: integer(r, "stage"),
    lots: textOrNull(r, "lots"),
    root: textOrNull(r, "root"),
    readings: integer(r, "readings"),
    nonce: integer(r, "nonce"),
    hash: text(r, "hash"),
    raw: text(r, "raw"),
    state: oneOf(r, "state", BATCH_STATES),
    sentAt: integer(r, "sent_at"),
    attempts: integer(r, "attempts"),
  };
}

/** A reading's status row joined with its batch (`qatStatus`, `sensorStatus`); `leaf` is the sensor's. */
export function statusRow(r: Columns, leaf: number | null): ReadingStatus {
  const batchId = integerOrNull(r, "batch_id");
  return {
    state: oneOf(r, "state", READING_STATES),
    outcome: oneOfOrNull(r, "outcome", OUTCOMES),
    reason: textOrNull(r, "reason"),
    receivedAt: integer(r, "received_at"),
    leaf,
    batch:
      batchId === null
        ? null
        : {
            id: batchId,
            hash: text(r, "hash"),
            state: text(r, "bstate"),
            block: integerOrNull(r, "block"),
            root: textOrNull(r, "root"),
          },
  };
}

/** A kept Merkle proof: the JSON list of hex nodes `keepProofs` wrote. */
export function proofOf(r: Columns): string[] {
  const proof: unknown = JSON.parse(text(r, "proof"));
  if (!Array.isArray(proof) || !proof.every((node) => typeof node === "string")) {
    throw new Error("the relay store's column proof is not a list of hex strings");
  }
  return proof;
}

/** One acknowledged reading's key and state (`allReadings`). */
export function readingRow(r: Columns): { key: string; state: string; outcome: string | null } {
  return { key: text(r, "key"), state: text(r, "state"), outcome: textOrNull(r, "outcome") };
}

/** The count of a `COUNT(*) AS n` query. */
const countOf = (r: Columns) => integer(r, "n");

/** Every statement the store runs after it is opened, each with its parameters and its rows' type. */
function prepareStatements(db: Database) {
  return {
    qatGet: query<[device: string, readingId: string], { signed: string }>(
      db,
      "SELECT signed FROM qat WHERE device = ? AND reading_id = ?",
      (r) => ({ signed: text(r, "signed") }),
    ),
    qatInsert: command<[device: string, readingId: string, lotId: string, signed: string, receivedAt: number]>(
      db,
      "INSERT INTO qat (device, reading_id, lot_id, signed, received_at) VALUES (?, ?, ?, ?, ?)",
    ),
    sensorGet: query<
      [sensor: string, readAt: number],
      { temperature: number; humidity: number; stage: number; lots: string }
    >(db, "SELECT temperature, humidity, stage, lots FROM sensor WHERE sensor = ? AND read_at = ?", (r) => ({
      temperature: integer(r, "temperature"),
      humidity: integer(r, "humidity"),
      stage: integer(r, "stage"),
      lots: text(r, "lots"),
    })),
    sensorInsert: command<
      [
        sensor: string,
        readAt: number,
        temperature: number,
        humidity: number,
        stage: number,
        lots: string,
        gateway: string,
        receivedAt: number,
      ]
    >(
      db,
      "INSERT INTO sensor (sensor, read_at, temperature, humidity, stage, lots, gateway, received_at) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    qatPending: query<[limit: number], QatRow>(
      db,
      "SELECT id, device, reading_id, lot_id, signed, received_at, attempts FROM qat " +
        "WHERE state = 'pending' ORDER BY id LIMIT ?",
      qatRow,
    ),
    sensorGroups: query<[], { stage: number; lots: string; count: number; oldest: number }>(
      db,
      "SELECT stage, lots, COUNT(*) AS n, MIN(received_at) AS oldest FROM sensor WHERE state = 'pending' " +
        "GROUP BY stage, lots ORDER BY oldest",
      (r) => ({ stage: integer(r, "stage"), lots: text(r, "lots"), count: countOf(r), oldest: integer(r, "oldest") }),
    ),
    sensorPending: query<[stage: number, lots: string, limit: number], SensorRow>(
      db,
      "SELECT id, sensor, read_at, temperature, humidity, stage, lots, gateway, received_at, attempts FROM sensor " +
        "WHERE state = 'pending' AND stage = ? AND lots = ? ORDER BY id LIMIT ?",
      sensorRow,
    ),
    // The first pending row by id is the oldest (ids grow with arrival): read off an index, not a scan of the queue.
    oldest: query<[], number>(
      db,
      "SELECT received_at AS oldest FROM qat WHERE state = 'pending' ORDER BY id LIMIT 1",
      (r) => integer(r, "oldest"),
    ),
    oldestSensor: query<[], number>(
      db,
      "SELECT received_at AS oldest FROM sensor WHERE state = 'pending' ORDER BY id LIMIT 1",
      (r) => integer(r, "oldest"),
    ),
    count: query<[], number>(db, "SELECT COUNT(*) AS n FROM qat WHERE state IN ('pending', 'sent')", countOf),
    countActions: query<[], number>(
      db,
      "SELECT COUNT(*) AS n FROM actions WHERE state IN ('queued', 'submitted')",
      countOf,
    ),
    countSensor: query<[], number>(db, "SELECT COUNT(*) AS n FROM sensor WHERE state IN ('pending', 'sent')", countOf),
    batchInsert: command<
      [
        kind: BatchKind,
        stage: number,
        lots: string | null,
        root: string | null,
        readings: number,
        nonce: number,
        hash: string,
        raw: string,
        sentAt: number,
      ]
    >(
      db,
      "INSERT INTO batches (kind, stage, lots, root, readings, nonce, hash, raw, state, sent_at) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?)",
    ),
    anchoredInsert: command<[stage: number, lots: string, root: string, readings: number, sentAt: number]>(
      db,
      "INSERT INTO batches (kind, stage, lots, root, readings, nonce, hash, raw, state, sent_at, error) " +
        "VALUES ('sensor', ?, ?, ?, ?, -1, '', '', 'mined', ?, 'root already anchored')",
    ),
    qatSend: command<[batchId: number, id: number]>(
      db,
      "UPDATE qat SET state = 'sent', batch_id = ?, attempts = attempts + 1 WHERE id = ?",
    ),
    sensorSend: command<[batchId: number, leaf: number, id: number]>(
      db,
      "UPDATE sensor SET state = 'sent', batch_id = ?, leaf = ?, attempts = attempts + 1 WHERE id = ?",
    ),
    openBatches: query<[], BatchRow>(
      db,
      "SELECT id, kind, stage, lots, root, readings, nonce, hash, raw, state, sent_at, attempts FROM batches " +
        "WHERE state = 'sent' ORDER BY nonce",
      batchRow,
    ),
    maxNonce: query<[], number | null>(db, "SELECT MAX(nonce) AS nonce FROM batches", (r) => integerOrNull(r, "nonce")),
    batchMined: command<[minedAt: number, block: number, gasUsed: string, id: number]>(
      db,
      "UPDATE batches SET state = 'mined', mined_at = ?, block = ?, gas_used = ? WHERE id = ?",
    ),
    batchEnd: command<[state: "reverted" | "lost", error: string, id: number]>(
      db,
      "UPDATE batches SET state = ?, error = ? WHERE id = ?",
    ),
    batchResent: command<[sentAt: number, id: number]>(
      db,
      "UPDATE batches SET attempts = attempts + 1, sent_at = ? WHERE id = ?",
    ),
    qatOfBatch: query<[batchId: number], { id: number; device: string; readingId: string }>(
      db,
      "SELECT id, device, reading_id FROM qat WHERE batch_id = ? AND state = 'sent'",
      (r) => ({ id: integer(r, "id"), device: text(r, "device"), readingId: text(r, "reading_id") }),
    ),
    sensorOfBatch: query<[batchId: number], { sensor: string; readAt: number; temperature: number; humidity: number }>(
      db,
      "SELECT id, sensor, read_at, temperature, humidity FROM sensor WHERE batch_id = ? ORDER BY leaf",
      (r) => ({
        sensor: text(r, "sensor"),
        readAt: integer(r, "read_at"),
        temperature: integer(r, "temperature"),
        humidity: integer(r, "humidity"),
      }),
    ),
    batchRaw: query<[id: number], string>(db, "SELECT raw FROM batches WHERE id = ?", (r) => text(r, "raw")),
    qatDone: command<[outcome: Outcome, id: number]>(
      db,
      "UPDATE qat SET state = 'done', outcome = ?, reason = NULL WHERE id = ?",
    ),
    sensorDoneBatch: command<[outcome: Outcome, batchId: number]>(
      db,
      "UPDATE sensor SET state = 'done', outcome = ? WHERE batch_id = ? AND state = 'sent'",
    ),
    sensorAnchored: command<[batchId: number, leaf: number, id: number]>(
      db,
      "UPDATE sensor SET state = 'done', outcome = 'already_on_chain', batch_id = ?, leaf = ? WHERE id = ?",
    ),
    qatRefuse: command<[reason: string, id: number]>(
      db,
      "UPDATE qat SET state = 'refused', outcome = 'refused', reason = ? WHERE id = ?",
    ),
    sensorRefuse: command<[reason: string, id: number]>(
      db,
      "UPDATE sensor SET state = 'refused', outcome = 'refused', reason = ? WHERE id = ? AND state = 'pending'",
    ),
    sensorRefuseBatch: command<[reason: string, batchId: number]>(
      db,
      "UPDATE sensor SET state = 'refused', outcome = 'refused', reason = ? WHERE batch_id = ? AND state = 'sent'",
    ),
    qatBack: command<[batchId: number]>(
      db,
      "UPDATE qat SET state = 'pending', batch_id = NULL WHERE batch_id = ? AND state = 'sent'",
    ),
    sensorBack: command<[batchId: number]>(
      db,
      "UPDATE sensor SET state = 'pending', batch_id = NULL, leaf = NULL WHERE batch_id = ? AND state = 'sent'",
    ),
    qatStatus: query<[device: string, readingId: string], ReadingStatus>(
      db,
      "SELECT q.state, q.outcome, q.reason, q.received_at, q.batch_id, b.hash, b.state AS bstate, b.block, b.root " +
        "FROM qat q LEFT JOIN batches b ON b.id = q.batch_id WHERE q.device = ? AND q.reading_id = ?",
      (r) => statusRow(r, null),
    ),
    sensorStatus: query<[sensor: string, readAt: number], ReadingStatus>(
      db,
      "SELECT s.state, s.outcome, s.reason, s.received_at, s.batch_id, s.leaf, b.hash, b.state AS bstate, b.block, " +
        "b.root FROM sensor s LEFT JOIN batches b ON b.id = s.batch_id WHERE s.sensor = ? AND s.read_at = ?",
      (r) => statusRow(r, integerOrNull(r, "leaf")),
    ),
    qatReadings: query<[], { key: string; state: string; outcome: string | null }>(
      db,
      "SELECT device || ':' || reading_id AS key, state, outcome FROM qat ORDER BY id",
      readingRow,
    ),
    sensorReadings: query<[], { key: string; state: string; outcome: string | null }>(
      db,
      "SELECT sensor || ':' || read_at AS key, state, outcome FROM sensor ORDER BY id",
      readingRow,
    ),
    proofInsert: command<[batchId: number, leaf: number, proof: string]>(
      db,
      "INSERT OR REPLACE INTO sensor_proofs (batch_id, leaf, proof) VALUES (?, ?, ?)",
    ),
    proofGet: query<[batchId: number, leaf: number], string[]>(
      db,
      "SELECT proof FROM sensor_proofs WHERE batch_id = ? AND leaf = ?",
      proofOf,
    ),
    answerGet: query<[key: string], { value: string; checkedAt: number }>(
      db,
      "SELECT value, checked_at FROM chain_answers WHERE key = ?",
      (r) => ({ value: text(r, "value"), checkedAt: integer(r, "checked_at") }),
    ),
    answerSet: command<[key: string, value: string, checkedAt: number]>(
      db,
      "INSERT INTO chain_answers (key, value, checked_at) VALUES (?, ?, ?) " +
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, checked_at = excluded.checked_at",
    ),
    actionGet: query<[signer: string, nonce: number], string>(
      db,
      "SELECT id FROM actions WHERE signer = ? AND nonce = ?",
      (r) => text(r, "id"),
    ),
    actionUsed: query<[signer: string, since: number], { requests: number; gas: number }>(
      db,
      "SELECT COUNT(*) AS n, COALESCE(SUM(gas), 0) AS gas FROM actions WHERE signer = ? AND received_at >= ?",
      (r) => ({ requests: countOf(r), gas: integer(r, "gas") }),
    ),
    actionInsert: command<
      [
        id: string,
        signer: string,
        nonce: number,
        target: string,
        gas: number,
        deadline: number,
        data: string,
        signature: string,
        receivedAt: number,
      ]
    >(
      db,
      "INSERT INTO actions (id, signer, nonce, target, gas, deadline, data, signature, received_at) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    actionStatus: query<[id: string], ActionStatus>(
      db,
      "SELECT a.id, a.state, a.reason, b.hash, b.block FROM actions a LEFT JOIN batches b ON b.id = a.batch_id " +
        "WHERE a.id = ?",
      actionStatusRow,
    ),
    actionsQueued: query<[signers: number], ActionRow>(
      db,
      `SELECT ${ACTION_COLUMNS} FROM actions WHERE state = 'queued' AND signer IN (SELECT signer FROM actions a ` +
        "WHERE state = 'queued' AND NOT EXISTS (SELECT 1 FROM actions b WHERE b.signer = a.signer AND " +
        "b.state = 'submitted') GROUP BY signer ORDER BY MIN(seq) LIMIT ?) ORDER BY signer, nonce",
      actionRow,
    ),
    actionSend: command<[batchId: number, seq: number]>(
      db,
      "UPDATE actions SET state = 'submitted', batch_id = ?, attempts = attempts + 1 WHERE seq = ? AND state = 'queued'",
    ),
    actionsOfBatch: query<[batchId: number], ActionRow>(
      db,
      `SELECT ${ACTION_COLUMNS} FROM actions WHERE batch_id = ? AND state = 'submitted' ORDER BY signer, nonce`,
      actionRow,
    ),
    actionSettle: command<[state: "done" | "refused" | "queued", reason: string | null, seq: number]>(
      db,
      "UPDATE actions SET state = ?1, reason = ?2, batch_id = CASE WHEN ?1 = 'queued' THEN NULL ELSE batch_id END " +
        "WHERE seq = ?3 AND state = 'submitted'",
    ),
    actionRefuse: command<[reason: string, seq: number]>(
      db,
      "UPDATE actions SET state = 'refused', reason = ? WHERE seq = ? AND state = 'queued'",
    ),
    actionBack: command<[batchId: number]>(
      db,
      "UPDATE actions SET state = 'queued', batch_id = NULL WHERE batch_id = ? AND state = 'submitted'",
    ),
    allActions: query<[], ActionRecord>(
      db,
      "SELECT id, signer, nonce, state, reason FROM actions ORDER BY seq",
      actionRecord,
    ),
    metaGet: query<[key: string], string>(db, "SELECT value FROM meta WHERE key = ?", (r) => text(r, "value")),
    metaSet: command<[key: string, value: string]>(
      db,
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** A request's write in the next group commit: `run` says whether it holds (else its savepoint is undone). */
interface Job {
  run: () => boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** The identity row every relay store holds (meta key `store`): an empty or foreign file is not mistaken for one. */
const IDENTITY_KEY = "store";
const IDENTITY = "fishtrace-relay-store/1";

/** Whether `file` is missing or 0 bytes (a store that has to be created, which only --init may do). */
function emptyOrMissing(file: string): boolean {
  try {
    return statSync(file).size === 0;
  } catch {
    return true;
  }
}

export interface StoreOptions {
  /** Create the store when the file is missing or empty (`--init`); without it such a file is refused. */
  init?: boolean;
  /** `full` (default): every commit is fsynced, an acknowledged reading survives a power cut; `normal`: it
   * survives a crash of the relay process but not of the machine. */
  sync?: "full" | "normal";
}

/** Checkpoints the store's WAL from a connection of its own, every `everyMs` (see `Store.handOffCheckpoints`). */
export class Checkpointer {
  private readonly db: Database;
  private readonly timer: NodeJS.Timeout;

  constructor(file: string, sync: "full" | "normal", everyMs = 500) {
    this.db = new DatabaseSync(file);
    this.db.exec(`PRAGMA synchronous = ${sync === "normal" ? "NORMAL" : "FULL"}`);
    // PASSIVE: copies what it can without waiting on (or holding up) the writer.
    this.timer = setInterval(() => this.checkpoint(), everyMs);
  }

  private checkpoint(): void {
    try {
      this.db.exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch {
      // Busy or interrupted: the next one goes on from there (the WAL keeps everything meanwhile).
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.checkpoint();
    this.db.close();
  }
}

export class Store {
  readonly file: string;
  private readonly db: Database;
  private readonly jobs: Job[] = [];
  private scheduled = false;
  private closed = false;
  private readonly backlog: Record<Kind, number> = { qat: 0, sensor: 0 };
  private readonly s: Statements;

  constructor(file: string, options: StoreOptions = {}) {
    this.file = file;
    const fresh = file === ":memory:" || emptyOrMissing(file);
    if (fresh && options.init !== true) {
      throw new InputError(
        `the relay store ${file} ${existsSync(file) ? "is empty (0 bytes)" : "does not exist"}: restore it from ` +
          "a backup (README: backing up the relay store), or start the relay with --init (hardhat relay --init-store) for a new, empty one",
      );
    }
    if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    try {
      this.db = new DatabaseSync(file);
    } catch (err) {
      throw new InputError(`cannot open the relay store ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      this.db.exec("PRAGMA busy_timeout = 5000;");
      if (!fresh) this.selfCheck();
      this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.sync === "normal" ? "NORMAL" : "FULL"};`);
      this.db.exec(SCHEMA);
      command<[key: string, value: string]>(this.db, "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)").run(
        IDENTITY_KEY,
        IDENTITY,
      );
    } catch (err) {
      this.db.close();
      if (err instanceof InputError) throw err;
      throw new InputError(
        `the relay store ${file} cannot be read (${err instanceof Error ? err.message : String(err)}): restore it ` +
          "from a backup (README: backing up the relay store), or move it aside and give --init to start a new one",
      );
    }
    this.s = prepareStatements(this.db);
    this.backlog.qat = this.s.count.one();
    this.backlog.sensor = this.s.countSensor.one();
  }

  /**
   * Refuses a store that is damaged (`PRAGMA quick_check`) or is not a relay store: a store has its identity row, or
   * — written before stores had one — the tables and deployment binding of one (then it gets the row).
   */
  private selfCheck(): void {
    // Any SQLite file can be met here, not only a relay store: its values are shown as text, not checked.
    const [damage] = query<[], string>(this.db, "PRAGMA quick_check", (r) => String(Object.values(r)[0]))
      .all()
      .filter((v) => v !== "ok");
    if (damage !== undefined) {
      throw new InputError(
        `the relay store ${this.file} is damaged (quick_check: ${damage.split("\n")[0]}): restore it from a ` +
          "backup (README: backing up the relay store); to start over, move it aside and give --init",
      );
    }
    const tables = new Set(
      query<[], string>(this.db, "SELECT name FROM sqlite_master WHERE type = 'table'", (r) => String(r.name)).all(),
    );
    const identity = tables.has("meta")
      ? query<[key: string], string>(this.db, "SELECT value FROM meta WHERE key = ?", (r) => String(r.value)).get(
          IDENTITY_KEY,
        )
      : undefined;
    if (identity !== undefined) {
      if (identity !== IDENTITY) throw new InputError(`the relay store ${this.file} is ${identity}, not ${IDENTITY}`);
      return;
    }
    const older = ["meta", "qat", "sensor", "batches"].every((t) => tables.has(t));
    if (!older) {
      throw new InputError(
        `${this.file} is a SQLite file but not a relay store (no identity row): give the relay store's path with --db`,
      );
    }
  }

  /**
   * Binds the store to one chain and ledger: a store written for another deployment is refused (its readings were
   * signed for another ledger and must not be sent here).
   */
  bind(chainId: bigint, ledger: string): void {
    const current = `${chainId}:${ledger.toLowerCase()}`;
    const bound = this.s.metaGet.get("deployment");
    if (bound === undefined) {
      this.s.metaSet.run("deployment", current);
      return;
    }
    if (bound !== current) {
      const [chain, address] = bound.split(":");
      throw new InputError(
        `the relay store ${this.file} belongs to the quality ledger ${address} on chain ${chain}, not ${ledger} on ` +
          `chain ${chainId} (give another --db)`,
      );
    }
  }

  /**
   * Leaves WAL checkpoints to another connection (`Checkpointer`, in the submitter's thread): copying the journal
   * back into the file and syncing it takes tens of milliseconds every few thousand readings, and this connection
   * commits for the requests waiting on their answer.
   */
  handOffCheckpoints(): void {
    this.db.exec("PRAGMA wal_autocheckpoint = 0");
  }

  /** The chain's last answer kept under `key` (a device's registry record, a species' grade scale), or undefined. */
  chainAnswer(key: string): { value: string; checkedAt: number } | undefined {
    return this.s.answerGet.get(key);
  }

  /** Keeps the chain's answer under `key`, so intake can go on without the node after a restart. */
  keepChainAnswer(key: string, value: string, checkedAt = Date.now()): void {
    if (!this.closed) this.s.answerSet.run(key, value, checkedAt);
  }

  /** Acknowledged readings of `kind` not yet on chain or refused. */
  queueDepth(kind: Kind): number {
    return this.backlog[kind];
  }

  /** When the oldest pending reading of `kind` was received (ms), or undefined. */
  oldestPending(kind: Kind): number | undefined {
    return (kind === "qat" ? this.s.oldest : this.s.oldestSensor).get();
  }

  /** Stores a request's QAT readings (all or none), after any requests queued in the same tick. */
  addQat(readings: readonly NewQat[]): Promise<AddResult> {
    return this.enqueue(() => {
      let accepted = 0;
      let duplicates = 0;
      for (const [index, r] of readings.entries()) {
        const existing = this.s.qatGet.get(r.device, r.readingId);
        if (existing !== undefined) {
          if (existing.signed !== r.signed) {
            return {
              ok: false,
              index,
              reason: `reading ${r.readingId} of device ${r.device} was already accepted with other contents`,
            };
          }
          duplicates++;
          continue;
        }
        this.s.qatInsert.run(r.device, r.readingId, r.lotId, r.signed, r.receivedAt);
        accepted++;
      }
      return { ok: true, accepted, duplicates };
    }, "qat");
  }

  /** Stores a request's sensor readings (all or none). */
  addSensor(readings: readonly NewSensor[]): Promise<AddResult> {
    return this.enqueue(() => {
      let accepted = 0;
      let duplicates = 0;
      for (const [index, r] of readings.entries()) {
        const existing = this.s.sensorGet.get(r.sensor, r.readAt);
        if (existing !== undefined) {
          const same =
            existing.temperature === r.temperature &&
            existing.humidity === r.humidity &&
            existing.stage === r.stage &&
            existing.lots === r.lots;
          if (!same) {
            return {
              ok: false,
              index,
              reason: `sensor ${r.sensor} already reported a different reading at ${r.readAt}`,
            };
          }
          duplicates++;
          continue;
        }
        this.s.sensorInsert.run(
          r.sensor,
          r.readAt,
          r.temperature,
          r.humidity,
          r.stage,
          r.lots,
          r.gateway,
          r.receivedAt,
        );
        accepted++;
      }
      return { ok: true, accepted, duplicates };
    }, "sensor");
  }

  private enqueue(run: () => AddResult, kind: Kind): Promise<AddResult> {
    return this.grouped(run, (result) => {
      if (result.ok) this.backlog[kind] += result.accepted;
    });
  }

  /** Runs `run` in the next group commit (a savepoint of its own, undone unless its result is ok). */
  private grouped<T extends { ok: boolean }>(run: () => T, held: (result: T) => void = () => undefined): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the relay store is closed"));
    return new Promise((resolve, reject) => {
      let result: T | undefined;
      this.jobs.push({
        run: () => {
          result = run();
          if (result.ok) held(result);
          return result.ok;
        },
        resolve: () => {
          if (result === undefined) reject(new Error("internal: the relay store's commit lost a request's result"));
          else resolve(result);
        },
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.commit());
      }
    });
  }

  /** Runs every queued request in one transaction (each in a savepoint), commits, then answers them all. */
  private commit(): void {
    this.scheduled = false;
    const jobs = this.jobs.splice(0);
    if (jobs.length === 0) return;
    const results: (true | Error)[] = [];
    const before = { ...this.backlog };
    try {
      this.db.exec("BEGIN IMMEDIATE");
      for (const job of jobs) {
        this.db.exec("SAVEPOINT request");
        try {
          const ok = job.run();
          this.db.exec(ok ? "RELEASE request" : "ROLLBACK TO request; RELEASE request");
          results.push(true);
        } catch (err) {
          this.db.exec("ROLLBACK TO request; RELEASE request");
          results.push(err instanceof Error ? err : new Error(String(err)));
        }
      }
      this.db.exec("COMMIT");
    } catch (err) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      Object.assign(this.backlog, before);
      for (const job of jobs) job.reject(err);
      return;
    }
    for (const [i, job] of jobs.entries()) {
      const result = results[i];
      if (result === undefined) job.reject(new Error("internal: the relay store's commit lost a request's result"));
      else if (result instanceof Error) job.reject(result);
      else job.resolve();
    }
  }

  private transaction<T>(work: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.db.exec("COMMIT");
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw err;
    }
  }

  /** Up to `limit` pending QAT readings, oldest first. */
  pendingQat(limit: number): QatRow[] {
    return this.s.qatPending.all(limit);
  }

  /** The groups of pending sensor readings (one batch key each), oldest first. */
  sensorGroups(): { stage: number; lots: string; count: number; oldest: number }[] {
    return this.s.sensorGroups.all();
  }

  /** Up to `limit` pending sensor readings of one group, oldest first. */
  pendingSensor(stage: number, lots: string, limit: number): SensorRow[] {
    return this.s.sensorPending.all(stage, lots, limit);
  }

  /** The highest nonce the relay ever signed with, or -1. */
  maxNonce(): number {
    return this.s.maxNonce.one() ?? -1;
  }

  /**
   * Records a signed transaction and the readings it carries (in leaf order for a sensor batch), before it is
   * broadcast: after a crash the same raw transaction is sent again, so a reading is never signed into two.
   */
  recordBatch(batch: NewBatch, readingIds: readonly number[], proofs?: readonly (readonly string[])[]): number {
    return this.transaction(() => {
      const { lastInsertRowid } = this.s.batchInsert.run(
        batch.kind,
        batch.stage,
        batch.lots ?? null,
        batch.root ?? null,
        readingIds.length,
        batch.nonce,
        batch.hash,
        batch.raw,
        Date.now(),
      );
      const id = Number(lastInsertRowid);
      if (batch.kind === "qat") for (const r of readingIds) this.s.qatSend.run(id, r);
      else if (batch.kind === "action") {
        for (const seq of readingIds) {
          if (Number(this.s.actionSend.run(id, seq).changes) !== 1) throw new Error(`action ${seq} is not queued`);
        }
      } else readingIds.forEach((r, leaf) => this.s.sensorSend.run(id, leaf, r));
      this.keepProofs(id, proofs);
      return id;
    });
  }

  /** Batches signed and sent but not yet seen mined, by nonce. */
  openBatches(): BatchRow[] {
    return this.s.openBatches.all();
  }

  /** The QAT readings a batch carries that are still in flight. */
  qatOfBatch(batchId: number): { id: number; device: string; readingId: string }[] {
    return this.s.qatOfBatch.all(batchId);
  }

  /** The sensor readings of a batch, in leaf order. */
  sensorOfBatch(batchId: number): { sensor: string; readAt: number; temperature: number; humidity: number }[] {
    return this.s.sensorOfBatch.all(batchId);
  }

  /** The signed transaction of batch `batchId`, as it was broadcast; undefined for an unknown batch. */
  batchTransaction(batchId: number): string | undefined {
    return this.s.batchRaw.get(batchId);
  }

  /** The batch was mined: its readings are done, each with its outcome (QAT) or all included (sensor). */
  batchMined(batch: BatchRow, block: number, gasUsed: bigint, outcomes?: Map<number, Outcome>): void {
    this.transaction(() => {
      this.s.batchMined.run(Date.now(), block, gasUsed.toString(), batch.id);
      if (batch.kind === "sensor") {
        const { changes } = this.s.sensorDoneBatch.run("included", batch.id);
        this.backlog.sensor -= Number(changes);
        return;
      }
      for (const r of this.qatOfBatch(batch.id)) {
        this.s.qatDone.run(outcomes?.get(r.id) ?? "already_on_chain", r.id);
        this.backlog.qat--;
      }
    });
  }

  /**
   * Pending sensor readings whose root is already anchored (by this relay, before a crash lost the record of its
   * transaction): recorded as a mined batch without a transaction of its own, so each keeps its proof.
   */
  recordAnchored(
    batch: { stage: number; lots: string; root: string },
    readingIds: readonly number[],
    proofs?: readonly (readonly string[])[],
  ): void {
    this.transaction(() => {
      const { lastInsertRowid } = this.s.anchoredInsert.run(
        batch.stage,
        batch.lots,
        batch.root,
        readingIds.length,
        Date.now(),
      );
      const id = Number(lastInsertRowid);
      readingIds.forEach((r, leaf) => (this.backlog.sensor -= Number(this.s.sensorAnchored.run(id, leaf, r).changes)));
      this.keepProofs(id, proofs);
    });
  }

  private keepProofs(batchId: number, proofs: readonly (readonly string[])[] | undefined): void {
    proofs?.forEach((proof, leaf) => this.s.proofInsert.run(batchId, leaf, JSON.stringify(proof)));
  }

  /** One sensor reading's values (the leaf of its proof), or undefined. */
  sensorReading(sensor: string, readAt: number): { temperature: number; humidity: number } | undefined {
    const row = this.s.sensorGet.get(sensor, readAt);
    return row === undefined ? undefined : { temperature: row.temperature, humidity: row.humidity };
  }

  /** The proof kept for leaf `leaf` of sensor batch `batchId` (computed when it was anchored), or undefined. */
  sensorProof(batchId: number, leaf: number): string[] | undefined {
    return this.s.proofGet.get(batchId, leaf);
  }

  /** Keeps the proofs of a batch anchored before proofs were kept (computed once, on its first proof request). */
  keepSensorProofs(batchId: number, proofs: readonly (readonly string[])[]): void {
    this.transaction(() => this.keepProofs(batchId, proofs));
  }

  /** The batch's transaction reverted or was lost: its readings go back to pending, to be planned again. */
  batchFailed(batch: BatchRow, state: "reverted" | "lost", error: string): void {
    this.transaction(() => {
      this.s.batchEnd.run(state, error, batch.id);
      (batch.kind === "qat" ? this.s.qatBack : batch.kind === "action" ? this.s.actionBack : this.s.sensorBack).run(
        batch.id,
      );
    });
  }

  /** The batch was refused on chain for good (a sensor batch the ledger will never take): its readings too. */
  batchRefused(batch: BatchRow, reason: string): void {
    this.transaction(() => {
      this.s.batchEnd.run("reverted", reason, batch.id);
      const { changes } = this.s.sensorRefuseBatch.run(reason, batch.id);
      this.backlog.sensor -= Number(changes);
    });
  }

  /** A transaction was broadcast again. */
  batchResent(batchId: number): void {
    this.s.batchResent.run(Date.now(), batchId);
  }

  /** Pending QAT readings settled without a transaction: already on chain, or refused with `reason`. */
  settleQat(settled: readonly { id: number; outcome: "already_on_chain" | "refused"; reason?: string }[]): void {
    if (settled.length === 0) return;
    this.transaction(() => {
      for (const s of settled) {
        if (s.outcome === "refused") this.s.qatRefuse.run(s.reason ?? "refused", s.id);
        else this.s.qatDone.run("already_on_chain", s.id);
        this.backlog.qat--;
      }
    });
  }

  /** Pending sensor readings refused before any transaction (e.g. no lot of the group is held any more). */
  refuseSensor(ids: readonly number[], reason: string): void {
    if (ids.length === 0) return;
    this.transaction(() => {
      for (const id of ids) this.backlog.sensor -= Number(this.s.sensorRefuse.run(reason, id).changes);
    });
  }

  /** Where one QAT reading is, or undefined if the relay never accepted it. */
  qatStatus(device: string, readingId: string): ReadingStatus | undefined {
    return this.s.qatStatus.get(device, readingId);
  }

  /** Where one sensor reading is, or undefined. */
  sensorStatus(sensor: string, readAt: number): ReadingStatus | undefined {
    return this.s.sensorStatus.get(sensor, readAt);
  }

  /** Every acknowledged reading's key and state (for the crash test and audits). */
  allReadings(kind: Kind): { key: string; state: string; outcome: string | null }[] {
    return (kind === "qat" ? this.s.qatReadings : this.s.sensorReadings).all();
  }

  /**
   * Stores an acknowledged action, in the next group commit: the same request again answers its id; another
   * request of the same signer and nonce is refused (only one can execute); a signer over `budget` is refused.
   */
  addAction(action: NewAction, budget: ActionBudget): Promise<ActionAddResult> {
    return this.grouped((): ActionAddResult => {
      const existing = this.s.actionGet.get(action.signer, action.nonce);
      if (existing !== undefined) {
        if (existing === action.id) return { ok: true, id: existing, duplicate: true };
        return nonceConflict(action.signer, action.nonce);
      }
      const over = overBudget(this.s.actionUsed.one(action.signer, budget.since), budget, action.gas);
      if (over !== undefined) return { ok: false, status: 429, reason: "budget", message: over };
      const a = action;
      this.s.actionInsert.run(a.id, a.signer, a.nonce, a.target, a.gas, a.deadline, a.data, a.signature, a.receivedAt);
      return { ok: true, id: action.id, duplicate: false };
    });
  }

  /** Sponsored actions acknowledged and not yet done or refused. */
  actionQueueDepth(): number {
    return this.s.countActions.one();
  }

  /** Where one action is, or undefined if the relay never accepted it. */
  actionStatus(id: string): ActionStatus | undefined {
    return this.s.actionStatus.get(id);
  }

  /** The queued actions of up to `signers` signers with none in flight, by signer and nonce. */
  queuedActions(signers: number): ActionRow[] {
    return this.s.actionsQueued.all(signers);
  }

  /** The actions an `executeBatch` batch carries that are still in flight. */
  actionsOfBatch(batchId: number): ActionRow[] {
    return this.s.actionsOfBatch.all(batchId);
  }

  /** An action batch was mined: the batch, and each of its actions done, refused, or queued again. */
  actionBatchMined(batch: BatchRow, block: number, gasUsed: bigint, outcomes: readonly ActionOutcome[]): void {
    this.transaction(() => {
      this.s.batchMined.run(Date.now(), block, gasUsed.toString(), batch.id);
      for (const o of outcomes) this.s.actionSettle.run(o.state, o.reason ?? null, o.seq);
    });
  }

  /** Queued actions refused before any transaction (deadline passed, nonce used elsewhere, too many attempts). */
  refuseActions(refused: readonly { seq: number; reason: string }[]): void {
    if (refused.length === 0) return;
    this.transaction(() => {
      for (const r of refused) this.s.actionRefuse.run(r.reason, r.seq);
    });
  }

  /** Every acknowledged action's key and state (the crash test and audits). */
  allActions(): ActionRecord[] {
    return this.s.allActions.all();
  }

  /** Finishes queued requests and closes the file. */
  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    this.db.close();
  }
}
