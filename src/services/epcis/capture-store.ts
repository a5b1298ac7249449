/**
 * The capture interface's tables, beside the EPCIS store's (store.ts) in the trace index, created with
 * CREATE … IF NOT EXISTS (no migration):
 *
 * - `epcis_capture_jobs`: one row per accepted document — its captureID, when it was accepted and finished, running
 *   and success (the OpenAPI's CaptureJob), the error behaviour, the errors (RFC 7807 bodies, JSON), and the
 *   document as received until the job finishes: a job is stored before its 202 is sent, so one accepted before a
 *   crash is processed after the restart;
 * - `epcis_captured_events`: each captured event's CBV 2.0 hash (the Merkle leaf), its batch's root and its place
 *   in the batch's tree;
 * - `epcis_capture_batches`: one Merkle tree per capture job — its root, its nodes (proofs are read from them), the
 *   extension prefixes its hashes were computed with — and who anchored the root on chain
 *   (`Registry.anchorDocuments`) in which transaction: NULL until then.
 */
import type { Sql } from "../../index/db.js";
import { proofAt } from "../../core/merkle.js";

export const CAPTURE_SCHEMA = `
CREATE TABLE IF NOT EXISTS epcis_capture_jobs (
  capture_id text PRIMARY KEY,
  created_at bigint NOT NULL,        -- ms since 1970
  finished_at bigint,
  running boolean NOT NULL,
  success boolean NOT NULL,
  behaviour text NOT NULL,           -- rollback | proceed
  events integer NOT NULL,
  errors text NOT NULL,              -- JSON: RFC 7807 bodies
  document text                      -- as received; NULL once the job has finished
);
CREATE INDEX IF NOT EXISTS epcis_capture_jobs_running ON epcis_capture_jobs (running, created_at, capture_id);
CREATE TABLE IF NOT EXISTS epcis_captured_events (
  event_id text PRIMARY KEY,
  capture_id text NOT NULL,
  hash text NOT NULL,                -- ni:///sha-256;…?ver=CBV2.0 of the event's content
  root text NOT NULL,
  node integer NOT NULL              -- the leaf's index in its batch's tree
);
CREATE TABLE IF NOT EXISTS epcis_capture_batches (
  root text PRIMARY KEY,
  capture_id text NOT NULL,
  leaves integer NOT NULL,
  prefixes text NOT NULL,            -- JSON [[prefix, namespace], …] the hashes were computed with
  tree text NOT NULL,                -- JSON [bytes32, …]: the tree's nodes, root first (src/core/merkle.ts)
  created_at bigint NOT NULL,
  anchored_by text,
  tx_hash text
);
-- Stored as they are, not compressed: a document is written once and read at most once (a restart), and
-- compressing megabytes of JSON costs more than the space it saves.
ALTER TABLE epcis_capture_jobs ALTER COLUMN document SET STORAGE EXTERNAL;
ALTER TABLE epcis_capture_batches ALTER COLUMN tree SET STORAGE EXTERNAL;
`;

export type ErrorBehaviour = "rollback" | "proceed";

/** An RFC 7807 body, as a job's `errors` holds them. */
export interface CaptureError {
  type: string;
  title: string;
  status: number;
  detail: string;
}

/** A capture job as the OpenAPI's CaptureJob schema has it. */
export interface CaptureJob {
  captureID: string;
  createdAt: string;
  finishedAt?: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: ErrorBehaviour;
  errors: CaptureError[];
}

interface JobRow {
  capture_id: string;
  created_at: string;
  finished_at: string | null;
  running: boolean;
  success: boolean;
  behaviour: string;
  errors: string;
}

const JOB_COLUMNS = "capture_id, created_at::text, finished_at::text, running, success, behaviour, errors";

function jobOf(row: JobRow): CaptureJob {
  const parsed: unknown = JSON.parse(row.errors);
  const errors: CaptureError[] = Array.isArray(parsed) ? parsed.filter(isCaptureError) : [];
  return {
    captureID: row.capture_id,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    ...(row.finished_at === null ? {} : { finishedAt: new Date(Number(row.finished_at)).toISOString() }),
    running: row.running,
    success: row.success,
    captureErrorBehaviour: row.behaviour === "proceed" ? "proceed" : "rollback",
    errors,
  };
}

function isCaptureError(value: unknown): value is CaptureError {
  return typeof value === "object" && value !== null && "type" in value && "title" in value;
}

/** Creates the capture tables when they are missing. */
export async function ensureCaptureStore(sql: Sql): Promise<void> {
  await sql.exec(CAPTURE_SCHEMA);
}

/** Stores an accepted document as a running job (before the 202 is sent). */
export async function saveJob(
  sql: Sql,
  job: { captureId: string; createdAt: number; behaviour: ErrorBehaviour; events: number; document: string },
): Promise<void> {
  await sql.query(
    `INSERT INTO epcis_capture_jobs (capture_id, created_at, running, success, behaviour, events, errors, document)
     VALUES ($1, $2, true, true, $3, $4, '[]', $5)`,
    [job.captureId, job.createdAt, job.behaviour, job.events, job.document],
  );
}

/** The job `captureId`, or undefined. */
export async function jobById(sql: Sql, captureId: string): Promise<CaptureJob | undefined> {
  const [row] = await sql.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM epcis_capture_jobs WHERE capture_id = $1`, [
    captureId,
  ]);
  return row === undefined ? undefined : jobOf(row);
}

/** Up to `limit` jobs in the order they were accepted, after the job `after` (a captureID). */
export async function listJobs(sql: Sql, limit: number, after?: string): Promise<CaptureJob[]> {
  const rows = await sql.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM epcis_capture_jobs
     WHERE $1::text IS NULL OR (created_at, capture_id) >
       (SELECT created_at, capture_id FROM epcis_capture_jobs WHERE capture_id = $1)
     ORDER BY created_at, capture_id LIMIT $2`,
    [after ?? null, limit],
  );
  return rows.map(jobOf);
}

/** The oldest running jobs (up to `limit`), oldest first. */
export async function runningJobs(
  sql: Sql,
  limit: number,
): Promise<{ captureId: string; behaviour: ErrorBehaviour }[]> {
  const rows = await sql.query<{ capture_id: string; behaviour: string }>(
    "SELECT capture_id, behaviour FROM epcis_capture_jobs WHERE running ORDER BY created_at, capture_id LIMIT $1",
    [limit],
  );
  return rows.map((row) => ({
    captureId: row.capture_id,
    behaviour: row.behaviour === "proceed" ? "proceed" : "rollback",
  }));
}

/** The document of a running job, as received ("" once the job has finished). */
export async function jobDocument(sql: Sql, captureId: string): Promise<string> {
  const [row] = await sql.query<{ document: string | null }>(
    "SELECT document FROM epcis_capture_jobs WHERE capture_id = $1",
    [captureId],
  );
  return row?.document ?? "";
}

/** Marks a job finished (its document dropped). */
export async function finishJob(
  sql: Sql,
  captureId: string,
  outcome: { success: boolean; errors: CaptureError[]; finishedAt: number },
): Promise<void> {
  await sql.query(
    `UPDATE epcis_capture_jobs SET running = false, success = $2, errors = $3, finished_at = $4, document = NULL
     WHERE capture_id = $1`,
    [captureId, outcome.success, JSON.stringify(outcome.errors), outcome.finishedAt],
  );
}

/** A captured event's hash and its place in its batch's tree. */
export interface CapturedLeaf {
  eventId: string;
  hash: string;
  node: number;
}

/** Records a job's captured events and its batch (one Merkle tree). */
export async function saveBatch(
  tx: Sql,
  batch: {
    captureId: string;
    createdAt: number;
    prefixes: [string, string][];
    tree: string[];
    leaves: CapturedLeaf[];
  },
): Promise<void> {
  const root = batch.tree[0] ?? "";
  await tx.query(
    `INSERT INTO epcis_capture_batches (root, capture_id, leaves, prefixes, tree, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (root) DO NOTHING`,
    [
      root,
      batch.captureId,
      batch.leaves.length,
      JSON.stringify(batch.prefixes),
      JSON.stringify(batch.tree),
      batch.createdAt,
    ],
  );
  await tx.query(
    `INSERT INTO epcis_captured_events (event_id, capture_id, hash, root, node)
     SELECT e, $1, h, $2, n FROM unnest($3::text[], $4::text[], $5::int[]) AS t(e, h, n)`,
    [
      batch.captureId,
      root,
      batch.leaves.map((l) => l.eventId),
      batch.leaves.map((l) => l.hash),
      batch.leaves.map((l) => l.node),
    ],
  );
}

/** The hashes of the captured events among `eventIds` (eventID → hash). */
export async function capturedHashes(sql: Sql, eventIds: string[]): Promise<Map<string, string>> {
  const rows = await sql.query<{ event_id: string; hash: string }>(
    "SELECT event_id, hash FROM epcis_captured_events WHERE event_id = ANY($1::text[])",
    [eventIds],
  );
  return new Map(rows.map((r) => [r.event_id, r.hash]));
}

/** A captured event's proof record: hash, prefixes, batch root, proof, and who anchored the root where. */
export interface CapturedRecord {
  eventId: string;
  captureId: string;
  hash: string;
  prefixes: [string, string][];
  root: string;
  proof: string[];
  anchoredBy: string | null;
  txHash: string | null;
}

const stringPairs = (text: string): [string, string][] => {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((p: unknown): [string, string][] => {
    if (!Array.isArray(p)) return [];
    const [prefix, namespace]: unknown[] = p;
    return typeof prefix === "string" && typeof namespace === "string" ? [[prefix, namespace]] : [];
  });
};
const strings = (text: string): string[] => {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((p: unknown): p is string => typeof p === "string") : [];
};

/** The proof record of a captured event, or undefined (not captured). */
export async function capturedRecord(sql: Sql, eventId: string): Promise<CapturedRecord | undefined> {
  const [row] = await sql.query<{
    capture_id: string;
    hash: string;
    prefixes: string;
    root: string;
    node: number;
    tree: string;
    anchored_by: string | null;
    tx_hash: string | null;
  }>(
    `SELECT c.capture_id, c.hash, b.prefixes, c.root, c.node, b.tree, b.anchored_by, b.tx_hash
     FROM epcis_captured_events c JOIN epcis_capture_batches b ON b.root = c.root WHERE c.event_id = $1`,
    [eventId],
  );
  if (row === undefined) return undefined;
  return {
    eventId,
    captureId: row.capture_id,
    hash: row.hash,
    prefixes: stringPairs(row.prefixes),
    root: row.root,
    proof: proofAt(strings(row.tree), row.node),
    anchoredBy: row.anchored_by,
    txHash: row.tx_hash,
  };
}

/** Roots not anchored yet, oldest first. */
export async function unanchoredRoots(sql: Sql, limit: number): Promise<string[]> {
  const rows = await sql.query<{ root: string }>(
    "SELECT root FROM epcis_capture_batches WHERE anchored_by IS NULL ORDER BY created_at, root LIMIT $1",
    [limit],
  );
  return rows.map((r) => r.root);
}

/** Records that `roots` were anchored by `by` (in `txHash`; null: found anchored already). */
export async function markRootsAnchored(sql: Sql, roots: string[], by: string, txHash: string | null): Promise<void> {
  await sql.query("UPDATE epcis_capture_batches SET anchored_by = $2, tx_hash = $3 WHERE root = ANY($1::text[])", [
    roots,
    by,
    txHash,
  ]);
}
