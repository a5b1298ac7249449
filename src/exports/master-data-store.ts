/**
 * Master data kept in the trace index (table `master_data`), so that exports, the trace API and partners read one
 * copy imported once (`npx hardhat masterdata import`) instead of files named on each command. One row per record
 * (section and key), with its canonical JSON, its SHA-256 and, once anchored, who anchored it on chain and in which
 * transaction. The table is not the chain's: rebuilding the index (`indexer --reset`) leaves it in place.
 */
import type { z } from "zod";

import type { Sql } from "../index/db.js";
import { InputError } from "../core/input-error.js";
import { MASTER_SCHEMAS, type MasterData } from "./master-data.js";
import {
  canonicalRecord,
  masterDataOf,
  recordDigest,
  MASTER_SECTIONS,
  type MasterRecord,
  type MasterSection,
} from "./master-data-records.js";

const TABLE = `
CREATE TABLE IF NOT EXISTS master_data (
  section     text   NOT NULL,
  key         text   NOT NULL,
  digest      text   NOT NULL,
  record      text   NOT NULL,
  imported_at bigint NOT NULL,
  anchored_by text,
  anchor_tx   text,
  PRIMARY KEY (section, key)
);`;

/** A stored record with its digest and anchor. */
export interface StoredRecord {
  record: MasterRecord;
  digest: string;
  /** Unix seconds. */
  importedAt: number;
  /** The account that anchored the digest, and the transaction (null until anchored). */
  anchoredBy: string | null;
  anchorTx: string | null;
}

interface Row {
  section: string;
  key: string;
  digest: string;
  record: string;
  imported_at: string | number;
  anchored_by: string | null;
  anchor_tx: string | null;
}

async function ensureTable(sql: Sql): Promise<void> {
  await sql.exec(TABLE);
}

const isSection = (v: string): v is MasterSection => MASTER_SECTIONS.some((s) => s === v);

/** A stored row's record, checked again by the section's schema (the index is an input too). */
function recordOf(row: Row): MasterRecord {
  const where = `the index's master data ${row.section} "${row.key}"`;
  if (!isSection(row.section)) throw new InputError(`${where}: unknown section`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.record);
  } catch {
    throw new InputError(`${where}: the stored record is not JSON`);
  }
  const data = typeof parsed === "object" && parsed !== null && "data" in parsed ? parsed.data : undefined;
  const check = <S extends z.ZodType>(schema: S): z.output<S> => {
    const r = schema.safeParse(data);
    if (!r.success) throw new InputError(`${where}: ${r.error.issues[0]?.message ?? "invalid"}`);
    return r.data;
  };
  const record: MasterRecord =
    row.section === "vessel"
      ? { section: "vessel", key: row.key, data: check(MASTER_SCHEMAS.vessel) }
      : row.section === "party"
        ? { section: "party", key: row.key, data: check(MASTER_SCHEMAS.party) }
        : row.section === "location"
          ? { section: "location", key: row.key, data: check(MASTER_SCHEMAS.location) }
          : { section: "certificate", key: row.key, data: check(MASTER_SCHEMAS.certificate) };
  // A row edited by hand no longer matches the digest it was stored (and anchored) with.
  if (recordDigest(record) !== row.digest) throw new InputError(`${where}: the record does not match its digest`);
  return record;
}

export interface SaveResult {
  /** Records new or changed by this import (their digests are not anchored yet). */
  changed: StoredRecord[];
  /** Records stored already with the same content. */
  unchanged: number;
}

/**
 * Stores `records` (a later one of the same section and key replacing the stored one), in one transaction. A record
 * whose content changed gets its new digest and loses its anchor until it is anchored again.
 */
export async function saveMasterRecords(sql: Sql, records: readonly MasterRecord[], now: number): Promise<SaveResult> {
  await ensureTable(sql);
  return sql.transaction(async (tx) => {
    const changed: StoredRecord[] = [];
    let unchanged = 0;
    for (const record of records) {
      const digest = recordDigest(record);
      const [stored] = await tx.query<{ digest: string }>(
        "SELECT digest FROM master_data WHERE section = $1 AND key = $2",
        [record.section, record.key],
      );
      if (stored?.digest === digest) {
        unchanged++;
        continue;
      }
      await tx.query(
        `INSERT INTO master_data (section, key, digest, record, imported_at, anchored_by, anchor_tx)
         VALUES ($1, $2, $3, $4, $5, NULL, NULL)
         ON CONFLICT (section, key) DO UPDATE SET digest = $3, record = $4, imported_at = $5,
           anchored_by = NULL, anchor_tx = NULL`,
        [record.section, record.key, digest, canonicalRecord(record), now],
      );
      changed.push({ record, digest, importedAt: now, anchoredBy: null, anchorTx: null });
    }
    return { changed, unchanged };
  });
}

/**
 * Records that `by` anchored `digests` in transaction `tx` (null: found anchored on chain already, by an earlier
 * import), on the rows whose digest is still one of them.
 */
export async function markAnchored(sql: Sql, digests: readonly string[], by: string, tx: string | null): Promise<void> {
  await ensureTable(sql);
  await sql.transaction(async (t) => {
    for (const digest of digests) {
      await t.query("UPDATE master_data SET anchored_by = $2, anchor_tx = $3 WHERE digest = $1", [digest, by, tx]);
    }
  });
}

/** Every stored record, in section and key order. */
export async function storedRecords(sql: Sql): Promise<StoredRecord[]> {
  await ensureTable(sql);
  const rows = await sql.query<Row>(
    "SELECT section, key, digest, record, imported_at, anchored_by, anchor_tx FROM master_data ORDER BY section, key",
  );
  return rows.map((row) => ({
    record: recordOf(row),
    digest: row.digest,
    importedAt: Number(row.imported_at),
    anchoredBy: row.anchored_by,
    anchorTx: row.anchor_tx,
  }));
}

/** The master data kept in the index (empty sections when nothing was imported). */
export async function storedMasterData(sql: Sql): Promise<MasterData> {
  return masterDataOf((await storedRecords(sql)).map((s) => s.record));
}
