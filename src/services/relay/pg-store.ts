/**
 * The relay store on PostgreSQL (`--db postgres://…`): the same readings, batches and outcomes as the SQLite store
 * (store.ts), in one schema that several relay processes share, each sending from its own account. A relay claims
 * pending readings before it batches them — `FOR UPDATE SKIP LOCKED`, so two relays never take the same rows, and a
 * lease, so the rows of a relay that died go to the others once it runs out. Each relay renews its own lease
 * (`relay_leases`) while its submitter runs; the transactions a dead relay signed and sent are checked by the
 * others (their receipts, or the nonce taken, or broadcast again as they were signed), and every settling update
 * is conditional on the state it changes, so a reading is settled once however many relays look at it.
 */
import { createHash } from "node:crypto";

import pg from "pg";

import { InputError } from "../../core/input-error.js";
import type { AnswerStore } from "./devices.js";
import type { StoreStatus } from "./store-messages.js";
import { integer, integerOrNull, text, type Columns } from "./sqlite.js";
import {
  batchRow,
  proofOf,
  qatRow,
  readingRow,
  sensorRow,
  statusRow,
  type AddResult,
  type BatchRow,
  type Kind,
  type NewBatch,
  type NewQat,
  type NewSensor,
  type Outcome,
  type QatRow,
  type ReadingStatus,
  type SensorRow,
} from "./store.js";
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

/** Whether `database` names a PostgreSQL database rather than a SQLite file. */
export function isPostgres(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database.trim());
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS relay_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS relay_qat (
  id BIGSERIAL PRIMARY KEY,
  device TEXT NOT NULL,
  reading_id TEXT NOT NULL,
  lot_id TEXT NOT NULL,
  signed TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  batch_id BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  outcome TEXT,
  reason TEXT,
  claimed_by TEXT,
  claimed_until BIGINT,
  UNIQUE (device, reading_id)
);
CREATE INDEX IF NOT EXISTS relay_qat_pending ON relay_qat (id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS relay_qat_batch ON relay_qat (batch_id) WHERE batch_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS relay_sensor (
  id BIGSERIAL PRIMARY KEY,
  sensor TEXT NOT NULL,
  read_at BIGINT NOT NULL,
  temperature INTEGER NOT NULL,
  humidity INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  lots TEXT NOT NULL,
  gateway TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  batch_id BIGINT,
  leaf INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  outcome TEXT,
  reason TEXT,
  claimed_by TEXT,
  claimed_until BIGINT,
  UNIQUE (sensor, read_at)
);
CREATE INDEX IF NOT EXISTS relay_sensor_pending ON relay_sensor (stage, lots, id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS relay_sensor_batch ON relay_sensor (batch_id, leaf) WHERE batch_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS relay_batches (
  id BIGSERIAL PRIMARY KEY,
  relayer TEXT NOT NULL,
  kind TEXT NOT NULL,
  stage INTEGER NOT NULL,
  lots TEXT,
  root TEXT,
  readings INTEGER NOT NULL,
  nonce BIGINT NOT NULL,
  hash TEXT NOT NULL,
  raw TEXT NOT NULL,
  state TEXT NOT NULL,
  sent_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  mined_at BIGINT,
  block BIGINT,
  gas_used TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS relay_batches_open ON relay_batches (relayer, nonce) WHERE state = 'sent';
CREATE TABLE IF NOT EXISTS relay_sensor_proofs (
  batch_id BIGINT NOT NULL,
  leaf INTEGER NOT NULL,
  proof TEXT NOT NULL,
  PRIMARY KEY (batch_id, leaf)
);
CREATE TABLE IF NOT EXISTS relay_actions (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  signer TEXT NOT NULL,
  nonce BIGINT NOT NULL,
  target TEXT NOT NULL,
  gas BIGINT NOT NULL,
  deadline BIGINT NOT NULL,
  data TEXT NOT NULL,
  signature TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  batch_id BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  claimed_by TEXT,
  claimed_until BIGINT,
  UNIQUE (signer, nonce)
);
CREATE INDEX IF NOT EXISTS relay_actions_open ON relay_actions (signer, nonce) WHERE state IN ('queued', 'submitted');
CREATE INDEX IF NOT EXISTS relay_actions_budget ON relay_actions (signer, received_at);
CREATE INDEX IF NOT EXISTS relay_actions_batch ON relay_actions (batch_id) WHERE batch_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS relay_chain_answers (key TEXT PRIMARY KEY, value TEXT NOT NULL, checked_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS relay_leases (relayer TEXT PRIMARY KEY, until BIGINT NOT NULL);
`;

const IDENTITY = "fishtrace-relay-store/1";
/** How long a claim on pending readings holds, and a relay's lease on its sent transactions. */
const CLAIM_MS = 30_000;
const LEASE_MS = 15_000;
const RENEW_MS = 3_000;
const STATUS_MS = 250;

/** Rows come out as the SQLite store's do (BIGINT as a number: the store keeps nothing beyond 2^53). */
type Row = Columns;

/** PostgreSQL's BIGINT (oid 20) read as a number, so the SQLite store's row readers read these rows too. */
function bigintsAsNumbers(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(20, (value: string) => Number(value));
  return types;
}

const BATCH_COLUMNS = "id, relayer, kind, stage, lots, root, readings, nonce, hash, raw, state, sent_at, attempts";

type Client = pg.Pool | pg.PoolClient;

/** The relay store on PostgreSQL; `relayer` (the account a submitter sends from) claims, leases and signs. */
export class PgStore implements AnswerStore {
  private readonly status: StoreStatus = {
    queue: { qat: 0, sensor: 0 },
    actions: 0,
    oldest: { qat: undefined, sensor: undefined },
  };
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(
    /** The URL without its password: what messages name the store by. */
    readonly file: string,
    /** The URL as given (the submitter's thread connects with it). */
    readonly url: string,
    private readonly pool: pg.Pool,
    private readonly relayer: string | undefined,
  ) {}

  /**
   * Opens the store at `url`: its schema must exist unless `init` (then it is created). `relayer`: the account
   * whose submitter uses this connection (it claims readings and holds a lease on its transactions).
   */
  static async open(url: string, options: { init: boolean; relayer?: string }): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: url, max: 8, types: bigintsAsNumbers() });
    pool.on("error", () => undefined);
    const where = url.replace(/\/\/[^@/]*@/, "//");
    try {
      const [found] = (
        await pool.query<{ present: boolean }>("SELECT to_regclass('relay_meta') IS NOT NULL AS present")
      ).rows;
      if (found?.present !== true) {
        if (!options.init) {
          throw new InputError(
            `the relay store ${where} has no relay schema: start the relay with --init (hardhat relay --init-store) ` +
              "to create it",
          );
        }
      }
      // The schema's statements run only when the store has not got this very schema yet, one relay at a time:
      // run while another relay writes, its CREATE INDEX IF NOT EXISTS takes each table's lock in turn and can
      // deadlock with that relay's transactions (a relay restarted beside a running one).
      const version = createHash("sha256").update(SCHEMA).digest("hex");
      const current =
        found?.present === true
          ? (await pool.query<{ value: string }>("SELECT value FROM relay_meta WHERE key = 'schema'")).rows[0]?.value
          : undefined;
      if (current !== version) {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          await client.query("SELECT pg_advisory_xact_lock(hashtext('fishtrace relay schema'))");
          await client.query(SCHEMA);
          await client.query(
            `INSERT INTO relay_meta (key, value) VALUES ('schema', $1)
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
            [version],
          );
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      }
      await pool.query("INSERT INTO relay_meta (key, value) VALUES ('store', $1) ON CONFLICT (key) DO NOTHING", [
        IDENTITY,
      ]);
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof InputError) throw err;
      throw new InputError(`cannot open the relay store ${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const store = new PgStore(where, url, pool, options.relayer);
    await store.refresh();
    store.timers.push(setInterval(() => void store.refresh().catch(() => undefined), STATUS_MS));
    if (options.relayer !== undefined) {
      await store.renew();
      store.timers.push(setInterval(() => void store.renew().catch(() => undefined), RENEW_MS));
    }
    return store;
  }

  private async refresh(): Promise<void> {
    const [row] = (
      await this.pool.query<Row>(
        "SELECT (SELECT COUNT(*) FROM relay_qat WHERE state IN ('pending', 'sent')) AS qat, " +
          "(SELECT COUNT(*) FROM relay_sensor WHERE state IN ('pending', 'sent')) AS sensor, " +
          "(SELECT COUNT(*) FROM relay_actions WHERE state IN ('queued', 'submitted')) AS actions, " +
          "(SELECT received_at FROM relay_qat WHERE state = 'pending' ORDER BY id LIMIT 1) AS oldest_qat, " +
          "(SELECT received_at FROM relay_sensor WHERE state = 'pending' ORDER BY id LIMIT 1) AS oldest_sensor",
      )
    ).rows;
    if (row === undefined) return;
    this.status.queue = { qat: integer(row, "qat"), sensor: integer(row, "sensor") };
    this.status.actions = integer(row, "actions");
    this.status.oldest = {
      qat: integerOrNull(row, "oldest_qat") ?? undefined,
      sensor: integerOrNull(row, "oldest_sensor") ?? undefined,
    };
  }

  private async renew(): Promise<void> {
    if (this.relayer === undefined || this.closed) return;
    await this.pool.query(
      "INSERT INTO relay_leases (relayer, until) VALUES ($1, $2) ON CONFLICT (relayer) DO UPDATE SET until = $2",
      [this.relayer, Date.now() + LEASE_MS],
    );
  }

  private me(): string {
    if (this.relayer === undefined) throw new Error("internal: this relay store connection sends nothing");
    return this.relayer;
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async rows(client: Client, sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await client.query<Row>(sql, params)).rows;
  }

  // ------------------------------------------------------------ what the relay's thread reads at once

  queueDepth(kind: Kind): number {
    return this.status.queue[kind];
  }

  actionQueueDepth(): number {
    return this.status.actions;
  }

  oldestPending(kind: Kind): number | undefined {
    return this.status.oldest[kind];
  }

  async bind(chainId: bigint, ledger: string): Promise<void> {
    const current = `${chainId}:${ledger.toLowerCase()}`;
    await this.pool.query("INSERT INTO relay_meta (key, value) VALUES ('deployment', $1) ON CONFLICT DO NOTHING", [
      current,
    ]);
    const [row] = await this.rows(this.pool, "SELECT value FROM relay_meta WHERE key = 'deployment'");
    const bound = row === undefined ? current : text(row, "value");
    if (bound !== current) {
      const [chain, address] = bound.split(":");
      throw new InputError(
        `the relay store ${this.file} belongs to the quality ledger ${address} on chain ${chain}, not ${ledger} on ` +
          `chain ${chainId} (give another --db)`,
      );
    }
  }

  async chainAnswer(key: string): Promise<{ value: string; checkedAt: number } | undefined> {
    const [row] = await this.rows(this.pool, "SELECT value, checked_at FROM relay_chain_answers WHERE key = $1", [key]);
    return row === undefined ? undefined : { value: text(row, "value"), checkedAt: integer(row, "checked_at") };
  }

  async keepChainAnswer(key: string, value: string, checkedAt = Date.now()): Promise<void> {
    if (this.closed) return;
    await this.pool.query(
      "INSERT INTO relay_chain_answers (key, value, checked_at) VALUES ($1, $2, $3) " +
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, checked_at = excluded.checked_at",
      [key, value, checkedAt],
    );
  }

  /** Stores a request's QAT readings, all or none (another relay may store the same ones at once: one wins). */
  async addQat(readings: readonly NewQat[]): Promise<AddResult> {
    const result = await this.transaction(async (client) => {
      const inserted = await this.rows(
        client,
        "INSERT INTO relay_qat (device, reading_id, lot_id, signed, received_at) " +
          "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) " +
          "ON CONFLICT (device, reading_id) DO NOTHING RETURNING device, reading_id",
        [
          readings.map((r) => r.device),
          readings.map((r) => r.readingId),
          readings.map((r) => r.lotId),
          readings.map((r) => r.signed),
          readings.map((r) => r.receivedAt),
        ],
      );
      const fresh = new Set(inserted.map((r) => `${text(r, "device")}:${text(r, "reading_id")}`));
      const others = readings.filter((r) => !fresh.has(`${r.device}:${r.readingId}`));
      const existing = new Map<string, string>();
      if (others.length > 0) {
        for (const row of await this.rows(
          client,
          "SELECT device, reading_id, signed FROM relay_qat q JOIN unnest($1::text[], $2::text[]) AS u(d, r) " +
            "ON q.device = u.d AND q.reading_id = u.r",
          [others.map((r) => r.device), others.map((r) => r.readingId)],
        )) {
          existing.set(`${text(row, "device")}:${text(row, "reading_id")}`, text(row, "signed"));
        }
      }
      for (const [index, r] of readings.entries()) {
        const key = `${r.device}:${r.readingId}`;
        if (fresh.has(key)) continue;
        if (existing.get(key) !== r.signed) {
          throw new Conflict(
            index,
            `reading ${r.readingId} of device ${r.device} was already accepted with other contents`,
          );
        }
      }
      return { ok: true as const, accepted: fresh.size, duplicates: readings.length - fresh.size };
    }).catch((err: unknown) => {
      if (err instanceof Conflict) return { ok: false as const, index: err.index, reason: err.message };
      throw err;
    });
    if (result.ok) this.status.queue.qat += result.accepted;
    return result;
  }

  /** Stores a request's sensor readings (all or none). */
  async addSensor(readings: readonly NewSensor[]): Promise<AddResult> {
    const result = await this.transaction(async (client) => {
      const inserted = await this.rows(
        client,
        "INSERT INTO relay_sensor (sensor, read_at, temperature, humidity, stage, lots, gateway, received_at) " +
          "SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::int[], $6::text[], $7::text[], " +
          "$8::bigint[]) ON CONFLICT (sensor, read_at) DO NOTHING RETURNING sensor, read_at",
        [
          readings.map((r) => r.sensor),
          readings.map((r) => r.readAt),
          readings.map((r) => r.temperature),
          readings.map((r) => r.humidity),
          readings.map((r) => r.stage),
          readings.map((r) => r.lots),
          readings.map((r) => r.gateway),
          readings.map((r) => r.receivedAt),
        ],
      );
      const fresh = new Set(inserted.map((r) => `${text(r, "sensor")}:${integer(r, "read_at")}`));
      const others = readings.filter((r) => !fresh.has(`${r.sensor}:${r.readAt}`));
      const existing = new Map<string, string>();
      if (others.length > 0) {
        for (const row of await this.rows(
          client,
          "SELECT sensor, read_at, temperature, humidity, stage, lots FROM relay_sensor s " +
            "JOIN unnest($1::text[], $2::bigint[]) AS u(se, ra) ON s.sensor = u.se AND s.read_at = u.ra",
          [others.map((r) => r.sensor), others.map((r) => r.readAt)],
        )) {
          existing.set(
            `${text(row, "sensor")}:${integer(row, "read_at")}`,
            `${integer(row, "temperature")}:${integer(row, "humidity")}:${integer(row, "stage")}:${text(row, "lots")}`,
          );
        }
      }
      for (const [index, r] of readings.entries()) {
        const key = `${r.sensor}:${r.readAt}`;
        if (fresh.has(key)) continue;
        if (existing.get(key) !== `${r.temperature}:${r.humidity}:${r.stage}:${r.lots}`) {
          throw new Conflict(index, `sensor ${r.sensor} already reported a different reading at ${r.readAt}`);
        }
      }
      return { ok: true as const, accepted: fresh.size, duplicates: readings.length - fresh.size };
    }).catch((err: unknown) => {
      if (err instanceof Conflict) return { ok: false as const, index: err.index, reason: err.message };
      throw err;
    });
    if (result.ok) this.status.queue.sensor += result.accepted;
    return result;
  }

  async qatStatus(device: string, readingId: string): Promise<ReadingStatus | undefined> {
    const [row] = await this.rows(
      this.pool,
      "SELECT q.state, q.outcome, q.reason, q.received_at, q.batch_id, b.hash, b.state AS bstate, b.block, b.root " +
        "FROM relay_qat q LEFT JOIN relay_batches b ON b.id = q.batch_id WHERE q.device = $1 AND q.reading_id = $2",
      [device, readingId],
    );
    return row === undefined ? undefined : statusRow(row, null);
  }

  async sensorStatus(sensor: string, readAt: number): Promise<ReadingStatus | undefined> {
    const [row] = await this.rows(
      this.pool,
      "SELECT s.state, s.outcome, s.reason, s.received_at, s.batch_id, s.leaf, b.hash, b.state AS bstate, b.block, " +
        "b.root FROM relay_sensor s LEFT JOIN relay_batches b ON b.id = s.batch_id WHERE s.sensor = $1 AND s.read_at = $2",
      [sensor, readAt],
    );
    return row === undefined ? undefined : statusRow(row, integerOrNull(row, "leaf"));
  }

  async sensorReading(sensor: string, readAt: number): Promise<{ temperature: number; humidity: number } | undefined> {
    const [row] = await this.rows(
      this.pool,
      "SELECT temperature, humidity FROM relay_sensor WHERE sensor = $1 AND read_at = $2",
      [sensor, readAt],
    );
    return row === undefined
      ? undefined
      : { temperature: integer(row, "temperature"), humidity: integer(row, "humidity") };
  }

  async sensorProof(batchId: number, leaf: number): Promise<string[] | undefined> {
    const [row] = await this.rows(
      this.pool,
      "SELECT proof FROM relay_sensor_proofs WHERE batch_id = $1 AND leaf = $2",
      [batchId, leaf],
    );
    return row === undefined ? undefined : proofOf(row);
  }

  async keepSensorProofs(batchId: number, proofs: readonly (readonly string[])[]): Promise<void> {
    await this.keepProofs(this.pool, batchId, proofs);
  }

  private async keepProofs(client: Client, batchId: number, proofs?: readonly (readonly string[])[]): Promise<void> {
    if (proofs === undefined || proofs.length === 0) return;
    await client.query(
      "INSERT INTO relay_sensor_proofs (batch_id, leaf, proof) SELECT $1, u.leaf - 1, u.proof " +
        "FROM unnest($2::text[]) WITH ORDINALITY AS u(proof, leaf) " +
        "ON CONFLICT (batch_id, leaf) DO UPDATE SET proof = excluded.proof",
      [batchId, proofs.map((p) => JSON.stringify(p))],
    );
  }

  async batchTransaction(batchId: number): Promise<string | undefined> {
    const [row] = await this.rows(this.pool, "SELECT raw FROM relay_batches WHERE id = $1", [batchId]);
    return row === undefined ? undefined : text(row, "raw");
  }

  async sensorOfBatch(
    batchId: number,
  ): Promise<{ sensor: string; readAt: number; temperature: number; humidity: number }[]> {
    return (
      await this.rows(
        this.pool,
        "SELECT sensor, read_at, temperature, humidity FROM relay_sensor WHERE batch_id = $1 ORDER BY leaf",
        [batchId],
      )
    ).map((r) => ({
      sensor: text(r, "sensor"),
      readAt: integer(r, "read_at"),
      temperature: integer(r, "temperature"),
      humidity: integer(r, "humidity"),
    }));
  }

  async allReadings(kind: Kind): Promise<{ key: string; state: string; outcome: string | null }[]> {
    const sql =
      kind === "qat"
        ? "SELECT device || ':' || reading_id AS key, state, outcome FROM relay_qat ORDER BY id"
        : "SELECT sensor || ':' || read_at AS key, state, outcome FROM relay_sensor ORDER BY id";
    return (await this.rows(this.pool, sql)).map(readingRow);
  }

  // ------------------------------------------------------------ the submitter's

  async maxNonce(): Promise<number> {
    const [row] = await this.rows(this.pool, "SELECT MAX(nonce) AS nonce FROM relay_batches WHERE relayer = $1", [
      this.me(),
    ]);
    return row === undefined ? -1 : (integerOrNull(row, "nonce") ?? -1);
  }

  /** This relay's sent transactions not seen mined, and those of relays whose lease ran out. */
  async openBatches(): Promise<BatchRow[]> {
    return (
      await this.rows(
        this.pool,
        `SELECT ${BATCH_COLUMNS} FROM relay_batches WHERE state = 'sent' AND (relayer = $1 OR relayer NOT IN ` +
          "(SELECT relayer FROM relay_leases WHERE until > $2)) ORDER BY relayer = $1 DESC, relayer, nonce",
        [this.me(), Date.now()],
      )
    ).map((r) => ({ ...batchRow(r), relayer: text(r, "relayer") }));
  }

  /** Claims up to `limit` pending QAT readings (unclaimed, this relay's, or whose claim ran out), oldest first. */
  async pendingQat(limit: number): Promise<QatRow[]> {
    const now = Date.now();
    return (
      await this.rows(
        this.pool,
        "UPDATE relay_qat SET claimed_by = $1, claimed_until = $2 WHERE id IN (SELECT id FROM relay_qat WHERE " +
          "state = 'pending' AND (claimed_by IS NULL OR claimed_by = $1 OR claimed_until < $3) ORDER BY id LIMIT $4 " +
          "FOR UPDATE SKIP LOCKED) RETURNING id, device, reading_id, lot_id, signed, received_at, attempts",
        [this.me(), now + CLAIM_MS, now, limit],
      )
    )
      .map(qatRow)
      .sort((a, b) => a.id - b.id);
  }

  async sensorGroups(): Promise<{ stage: number; lots: string; count: number; oldest: number }[]> {
    return (
      await this.rows(
        this.pool,
        "SELECT stage, lots, COUNT(*) AS n, MIN(received_at) AS oldest FROM relay_sensor WHERE state = 'pending' AND " +
          "(claimed_by IS NULL OR claimed_by = $1 OR claimed_until < $2) GROUP BY stage, lots ORDER BY oldest",
        [this.me(), Date.now()],
      )
    ).map((r) => ({
      stage: integer(r, "stage"),
      lots: text(r, "lots"),
      count: integer(r, "n"),
      oldest: integer(r, "oldest"),
    }));
  }

  async pendingSensor(stage: number, lots: string, limit: number): Promise<SensorRow[]> {
    const now = Date.now();
    return (
      await this.rows(
        this.pool,
        "UPDATE relay_sensor SET claimed_by = $1, claimed_until = $2 WHERE id IN (SELECT id FROM relay_sensor WHERE " +
          "state = 'pending' AND stage = $5 AND lots = $6 AND (claimed_by IS NULL OR claimed_by = $1 OR " +
          "claimed_until < $3) ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING id, sensor, read_at, " +
          "temperature, humidity, stage, lots, gateway, received_at, attempts",
        [this.me(), now + CLAIM_MS, now, limit, stage, lots],
      )
    )
      .map(sensorRow)
      .sort((a, b) => a.id - b.id);
  }

  /**
   * Records a signed transaction with the readings it carries, before it is broadcast — only if this relay still
   * holds its claim on every one of them (else nothing is recorded and the transaction is never sent).
   */
  async recordBatch(
    batch: NewBatch,
    readingIds: readonly number[],
    proofs?: readonly (readonly string[])[],
  ): Promise<number> {
    const me = this.me();
    return this.transaction(async (client) => {
      const [row] = await this.rows(
        client,
        "INSERT INTO relay_batches (relayer, kind, stage, lots, root, readings, nonce, hash, raw, state, sent_at) " +
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'sent', $10) RETURNING id",
        [
          me,
          batch.kind,
          batch.stage,
          batch.lots ?? null,
          batch.root ?? null,
          readingIds.length,
          batch.nonce,
          batch.hash,
          batch.raw,
          Date.now(),
        ],
      );
      if (row === undefined) throw new Error("internal: the relay store recorded no batch");
      const id = integer(row, "id");
      if (batch.kind === "action") {
        const { rowCount } = await client.query(
          "UPDATE relay_actions SET state = 'submitted', batch_id = $1, attempts = attempts + 1, claimed_by = NULL, " +
            "claimed_until = NULL WHERE seq = ANY($2::bigint[]) AND state = 'queued' AND claimed_by = $3",
          [id, readingIds, me],
        );
        if (rowCount !== readingIds.length) {
          throw new Error(`${readingIds.length - (rowCount ?? 0)} actions of the batch were claimed by another relay`);
        }
        return id;
      }
      const table = batch.kind === "qat" ? "relay_qat" : "relay_sensor";
      const leaf = batch.kind === "qat" ? "" : ", leaf = u.leaf - 1";
      const { rowCount } = await client.query(
        `UPDATE ${table} t SET state = 'sent', batch_id = $1${leaf}, attempts = attempts + 1, claimed_by = NULL, ` +
          "claimed_until = NULL FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, leaf) WHERE t.id = u.id AND " +
          "t.state = 'pending' AND t.claimed_by = $3",
        [id, readingIds, me],
      );
      if (rowCount !== readingIds.length) {
        throw new Error(`${readingIds.length - (rowCount ?? 0)} readings of the batch were claimed by another relay`);
      }
      await this.keepProofs(client, id, proofs);
      return id;
    });
  }

  async qatOfBatch(batchId: number): Promise<{ id: number; device: string; readingId: string }[]> {
    return (
      await this.rows(
        this.pool,
        "SELECT id, device, reading_id FROM relay_qat WHERE batch_id = $1 AND state = 'sent'",
        [batchId],
      )
    ).map((r) => ({ id: integer(r, "id"), device: text(r, "device"), readingId: text(r, "reading_id") }));
  }

  /** The batch was mined: its readings are done, once (another relay may have settled it first). */
  async batchMined(batch: BatchRow, block: number, gasUsed: bigint, outcomes?: Map<number, Outcome>): Promise<void> {
    await this.transaction(async (client) => {
      const { rowCount } = await client.query(
        "UPDATE relay_batches SET state = 'mined', mined_at = $1, block = $2, gas_used = $3 WHERE id = $4 AND state = 'sent'",
        [Date.now(), block, gasUsed.toString(), batch.id],
      );
      if (rowCount === 0) return;
      if (batch.kind === "sensor") {
        await client.query(
          "UPDATE relay_sensor SET state = 'done', outcome = 'included' WHERE batch_id = $1 AND state = 'sent'",
          [batch.id],
        );
        return;
      }
      const ids = [...(outcomes?.keys() ?? [])];
      await client.query(
        "UPDATE relay_qat q SET state = 'done', outcome = COALESCE(u.outcome, 'already_on_chain'), reason = NULL " +
          "FROM (SELECT id FROM relay_qat WHERE batch_id = $1 AND state = 'sent') AS s " +
          "LEFT JOIN unnest($2::bigint[], $3::text[]) AS u(id, outcome) ON u.id = s.id WHERE q.id = s.id",
        [batch.id, ids, ids.map((id) => outcomes?.get(id) ?? "already_on_chain")],
      );
    });
  }

  async recordAnchored(
    batch: { stage: number; lots: string; root: string },
    readingIds: readonly number[],
    proofs?: readonly (readonly string[])[],
  ): Promise<void> {
    const me = this.me();
    await this.transaction(async (client) => {
      const [row] = await this.rows(
        client,
        "INSERT INTO relay_batches (relayer, kind, stage, lots, root, readings, nonce, hash, raw, state, sent_at, " +
          "error) VALUES ($1, 'sensor', $2, $3, $4, $5, -1, '', '', 'mined', $6, 'root already anchored') RETURNING id",
        [me, batch.stage, batch.lots, batch.root, readingIds.length, Date.now()],
      );
      if (row === undefined) throw new Error("internal: the relay store recorded no batch");
      const id = integer(row, "id");
      await client.query(
        "UPDATE relay_sensor t SET state = 'done', outcome = 'already_on_chain', batch_id = $1, leaf = u.leaf - 1 " +
          "FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, leaf) WHERE t.id = u.id AND t.state = 'pending'",
        [id, readingIds],
      );
      await this.keepProofs(client, id, proofs);
    });
  }

  /** The batch reverted or was lost: its readings go back to pending (once). */
  async batchFailed(batch: BatchRow, state: "reverted" | "lost", error: string): Promise<void> {
    await this.transaction(async (client) => {
      const { rowCount } = await client.query(
        "UPDATE relay_batches SET state = $1, error = $2 WHERE id = $3 AND state = 'sent'",
        [state, error, batch.id],
      );
      if (rowCount === 0) return;
      await client.query(
        batch.kind === "qat"
          ? "UPDATE relay_qat SET state = 'pending', batch_id = NULL WHERE batch_id = $1 AND state = 'sent'"
          : batch.kind === "action"
            ? "UPDATE relay_actions SET state = 'queued', batch_id = NULL WHERE batch_id = $1 AND state = 'submitted'"
            : "UPDATE relay_sensor SET state = 'pending', batch_id = NULL, leaf = NULL WHERE batch_id = $1 AND state = 'sent'",
        [batch.id],
      );
    });
  }

  async batchRefused(batch: BatchRow, reason: string): Promise<void> {
    await this.transaction(async (client) => {
      const { rowCount } = await client.query(
        "UPDATE relay_batches SET state = 'reverted', error = $1 WHERE id = $2 AND state = 'sent'",
        [reason, batch.id],
      );
      if (rowCount === 0) return;
      await client.query(
        "UPDATE relay_sensor SET state = 'refused', outcome = 'refused', reason = $1 WHERE batch_id = $2 AND state = 'sent'",
        [reason, batch.id],
      );
    });
  }

  async batchResent(batchId: number): Promise<void> {
    await this.pool.query("UPDATE relay_batches SET attempts = attempts + 1, sent_at = $1 WHERE id = $2", [
      Date.now(),
      batchId,
    ]);
  }

  async settleQat(
    settled: readonly { id: number; outcome: "already_on_chain" | "refused"; reason?: string }[],
  ): Promise<void> {
    if (settled.length === 0) return;
    await this.pool.query(
      "UPDATE relay_qat q SET state = CASE WHEN u.outcome = 'refused' THEN 'refused' ELSE 'done' END, " +
        "outcome = u.outcome, reason = u.reason FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, outcome, " +
        "reason) WHERE q.id = u.id AND q.state = 'pending'",
      [
        settled.map((s) => s.id),
        settled.map((s) => s.outcome),
        settled.map((s) => (s.outcome === "refused" ? (s.reason ?? "refused") : null)),
      ],
    );
  }

  async refuseSensor(ids: readonly number[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      "UPDATE relay_sensor SET state = 'refused', outcome = 'refused', reason = $1 WHERE id = ANY($2::bigint[]) " +
        "AND state = 'pending'",
      [reason, ids],
    );
  }

  // ------------------------------------------------------------ sponsored actions

  /**
   * Stores an acknowledged action: the same request again answers its id, another of the same signer and nonce is
   * refused, a signer over `budget` is refused — under a lock on the signer, so relays sharing the store agree.
   */
  async addAction(action: NewAction, budget: ActionBudget): Promise<ActionAddResult> {
    const result = await this.transaction(async (client): Promise<ActionAddResult> => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`relay-action:${action.signer}`]);
      const [existing] = await this.rows(client, "SELECT id FROM relay_actions WHERE signer = $1 AND nonce = $2", [
        action.signer,
        action.nonce,
      ]);
      if (existing !== undefined) {
        if (text(existing, "id") === action.id) return { ok: true, id: action.id, duplicate: true };
        return nonceConflict(action.signer, action.nonce);
      }
      const [used] = await this.rows(
        client,
        "SELECT COUNT(*) AS n, COALESCE(SUM(gas), 0)::bigint AS gas FROM relay_actions WHERE signer = $1 AND " +
          "received_at >= $2",
        [action.signer, budget.since],
      );
      const over = overBudget(
        { requests: used === undefined ? 0 : integer(used, "n"), gas: used === undefined ? 0 : integer(used, "gas") },
        budget,
        action.gas,
      );
      if (over !== undefined) return { ok: false, status: 429, reason: "budget", message: over };
      const a = action;
      await client.query(
        "INSERT INTO relay_actions (id, signer, nonce, target, gas, deadline, data, signature, received_at) " +
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [a.id, a.signer, a.nonce, a.target, a.gas, a.deadline, a.data, a.signature, a.receivedAt],
      );
      return { ok: true, id: action.id, duplicate: false };
    });
    if (result.ok && !result.duplicate) this.status.actions++;
    return result;
  }

  async actionStatus(id: string): Promise<ActionStatus | undefined> {
    const [row] = await this.rows(
      this.pool,
      "SELECT a.id, a.state, a.reason, b.hash, b.block FROM relay_actions a LEFT JOIN relay_batches b " +
        "ON b.id = a.batch_id WHERE a.id = $1",
      [id],
    );
    return row === undefined ? undefined : actionStatusRow(row);
  }

  /** Claims the queued actions of up to `signers` signers with none in flight (by any relay), by signer and nonce. */
  async queuedActions(signers: number): Promise<ActionRow[]> {
    const now = Date.now();
    return (
      await this.rows(
        this.pool,
        "UPDATE relay_actions SET claimed_by = $1, claimed_until = $2 WHERE seq IN (SELECT seq FROM relay_actions " +
          "WHERE state = 'queued' AND (claimed_by IS NULL OR claimed_by = $1 OR claimed_until < $3) AND signer IN " +
          "(SELECT signer FROM relay_actions a WHERE state = 'queued' AND NOT EXISTS (SELECT 1 FROM relay_actions b " +
          "WHERE b.signer = a.signer AND b.state = 'submitted') GROUP BY signer ORDER BY MIN(seq) LIMIT $4) " +
          `FOR UPDATE SKIP LOCKED) RETURNING ${ACTION_COLUMNS}`,
        [this.me(), now + CLAIM_MS, now, signers],
      )
    )
      .map(actionRow)
      .sort((a, b) => (a.signer === b.signer ? a.nonce - b.nonce : a.signer < b.signer ? -1 : 1));
  }

  async actionsOfBatch(batchId: number): Promise<ActionRow[]> {
    return (
      await this.rows(
        this.pool,
        `SELECT ${ACTION_COLUMNS} FROM relay_actions WHERE batch_id = $1 AND state = 'submitted' ORDER BY signer, nonce`,
        [batchId],
      )
    ).map(actionRow);
  }

  /** An action batch was mined: settled once (another relay may have settled it first). */
  async actionBatchMined(
    batch: BatchRow,
    block: number,
    gasUsed: bigint,
    outcomes: readonly ActionOutcome[],
  ): Promise<void> {
    await this.transaction(async (client) => {
      const { rowCount } = await client.query(
        "UPDATE relay_batches SET state = 'mined', mined_at = $1, block = $2, gas_used = $3 WHERE id = $4 AND state = 'sent'",
        [Date.now(), block, gasUsed.toString(), batch.id],
      );
      if (rowCount === 0) return;
      await client.query(
        "UPDATE relay_actions a SET state = u.state, reason = u.reason, batch_id = CASE WHEN u.state = 'queued' THEN " +
          "NULL ELSE a.batch_id END FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(seq, state, reason) " +
          "WHERE a.seq = u.seq AND a.state = 'submitted' AND a.batch_id = $4",
        [outcomes.map((o) => o.seq), outcomes.map((o) => o.state), outcomes.map((o) => o.reason ?? null), batch.id],
      );
    });
  }

  async refuseActions(refused: readonly { seq: number; reason: string }[]): Promise<void> {
    if (refused.length === 0) return;
    await this.pool.query(
      "UPDATE relay_actions a SET state = 'refused', reason = u.reason FROM unnest($1::bigint[], $2::text[]) AS " +
        "u(seq, reason) WHERE a.seq = u.seq AND a.state = 'queued'",
      [refused.map((r) => r.seq), refused.map((r) => r.reason)],
    );
  }

  async allActions(): Promise<ActionRecord[]> {
    return (await this.rows(this.pool, "SELECT id, signer, nonce, state, reason FROM relay_actions ORDER BY seq")).map(
      actionRecord,
    );
  }

  /** SQLite's WAL checkpoints have no counterpart here. */
  handOffCheckpoints(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.relayer !== undefined) {
      // A clean stop hands this relay's sent transactions to the others at once.
      await this.pool
        .query("UPDATE relay_leases SET until = 0 WHERE relayer = $1", [this.relayer])
        .catch(() => undefined);
    }
    await this.pool.end();
  }
}

/** A request whose reading conflicts with one already stored: the request is taken whole or not at all. */
class Conflict extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}
