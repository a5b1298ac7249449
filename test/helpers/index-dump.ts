/** Every row of a trace index, for tests that compare two indexes built in different ways. */
import type { Sql } from "../../src/index/db.js";

/** The index's tables (all but the cursor, whose time is the wall clock's). */
export const INDEX_TABLES = [
  "meta",
  "blocks",
  "events",
  "participants",
  "species",
  "lots",
  "processes",
  "lineage",
  "lot_stages",
  "orders",
  "shipments",
  "shipment_lots",
  "custody",
  "readings",
  "scans",
  "sensor_batches",
  "sensor_batch_lots",
  "flags",
  "recalls",
  "unit_lots",
  "unit_units",
];

/** Every row of every table (and the cursor without its wall-clock time), sorted: equal dumps, equal indexes. */
export async function dumpIndex(sql: Sql): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of INDEX_TABLES) {
    const rows = await sql.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM ${table} t`);
    out[table] = rows.map((r) => r.j).sort();
  }
  const cursor = await sql.query<{ j: string }>(
    `SELECT json_build_array(deployment, next_block, last_hash)::text AS j FROM cursor`,
  );
  out.cursor = cursor.map((r) => r.j);
  return out;
}
