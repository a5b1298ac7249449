/**
 * A small known trace graph written straight into an in-memory trace index (no chain), for the trace unit tests:
 *
 *   catch 1 (COD, NO-1234-A, 27.2.a) ─┬─ process 1 ─┬─▶ LOINS   (retailer1 → customer1; SPECIES MISMATCH at retailer)
 *   catch 2 (COD, NO-5678-B, 27.2.b) ─┘             └─▶ FILLETS (held by retailer1)
 *   catch 2 ───────────────────────────── process 2 ──▶ SMOKED  (RECALLED; shipped by distributor1 on open order 7)
 *
 * Catch 1 was consumed at the manufacturer (Removed); what is left of catch 2 is still held there (Created).
 */
import { openIndex, type Sql } from "../../src/index/db.js";
import { SCHEMA } from "../../src/index/schema.js";
import { productLotId } from "../../src/core/digital-link.js";
import { LOT_FLAGS } from "../../src/core/vocabulary.js";

export const GTIN = "07038010123450";

export const ROWS = {
  catchA: 1n,
  catchB: 2n,
  loins: productLotId(BigInt(GTIN), "L-LOINS"),
  fillets: productLotId(BigInt(GTIN), "L-FILLETS"),
  smoked: productLotId(BigInt(GTIN), "L-SMOKED"),
  process1: 11n,
  process2: 12n,
  indexedTo: 100,
} as const;

export const PARTICIPANTS = [
  { id: 1, name: "harvester1", location: "NO-TROMSO" },
  { id: 2, name: "supplier1", location: "NO-BODO" },
  { id: 3, name: 'Fisk & Co <"AS">', location: "7038010000008" },
  { id: 4, name: "distributor1", location: "NO-OSLO" },
  { id: 5, name: "retailer1", location: "DE-HAMBURG" },
  { id: 6, name: "customer1", location: "DE-HAMBURG" },
  { id: 7, name: "retailer2", location: "FR-PARIS" },
] as const;

/** The account of participant `id` (a fixed fake address). */
export function accountOf(id: number): string {
  return `0x${id.toString(16).padStart(40, "0")}`;
}

type StageRow = [lot: bigint, stage: number, custodian: number, status: string, flags: number];

/** Opens an index in `dir` (default in memory) with the schema and the rows above. */
export async function traceRows(dir = "memory://"): Promise<Sql> {
  const sql = await openIndex({ dir });
  await sql.exec(SCHEMA);
  const { catchA, catchB, loins, fillets, smoked, process1, process2 } = ROWS;
  await sql.query(`INSERT INTO cursor (deployment, next_block, last_hash) VALUES ('31337:0xregistry', $1, '0xabc')`, [
    ROWS.indexedTo + 1,
  ]);
  for (const p of PARTICIPANTS) {
    await sql.query(`INSERT INTO participants (id, account, name, location) VALUES ($1, $2, $3, $4)`, [
      p.id,
      accountOf(p.id),
      p.name,
      p.location,
    ]);
  }
  const insertCatch = `INSERT INTO lots (lot_id, kind, species, weight_grams, origin_stage, created_block, created_time,
      tx_hash, harvester_id, caught_at, latitude, longitude, catch_area, vessel, gear, farmed, frozen)
    VALUES ($1, 'catch', 'COD', $2, 1, $3, $4, '0x01', 1, $5, $6, $7, $8, $9, $10, false, false)`;
  await sql.query(insertCatch, [
    catchA.toString(),
    100_000,
    10,
    1_700_000_100,
    1_700_000_000,
    6_912_345,
    1_850_000,
    "27.2.a",
    "NO-1234-A",
    "OTB",
  ]);
  await sql.query(insertCatch, [
    catchB.toString(),
    80_000,
    11,
    1_700_000_200,
    1_700_003_600,
    7_000_000,
    -250_000,
    "27.2.b",
    "NO-5678-B",
    "LLS",
  ]);
  const insertProduct = `INSERT INTO lots (lot_id, kind, species, weight_grams, origin_stage, created_block, created_time,
      tx_hash, gtin, lot_number, process_id) VALUES ($1, 'product', 'COD', $2, 3, $3, $4, '0x02', $5, $6, $7)`;
  await sql.query(insertProduct, [loins.toString(), 40_000, 30, 1_700_100_000, GTIN, "L-LOINS", process1.toString()]);
  await sql.query(insertProduct, [
    fillets.toString(),
    60_000,
    30,
    1_700_100_000,
    GTIN,
    "L-FILLETS",
    process1.toString(),
  ]);
  await sql.query(insertProduct, [smoked.toString(), 20_000, 31, 1_700_100_500, GTIN, "L-SMOKED", process2.toString()]);
  await sql.query(
    `INSERT INTO processes (process_id, manufacturer_id, produced_grams, yield_bps, block, time, tx_hash)
     VALUES ($1, 3, 100000, 6250, 30, 1700100000, '0x02'), ($2, 3, 20000, 5000, 31, 1700100500, '0x03')`,
    [process1.toString(), process2.toString()],
  );
  const lineage: [bigint, bigint, bigint, number][] = [
    [catchA, loins, process1, 50_000],
    [catchA, fillets, process1, 50_000],
    [catchB, loins, process1, 30_000],
    [catchB, fillets, process1, 30_000],
    [catchB, smoked, process2, 40_000],
  ];
  for (const [parent, child, process, grams] of lineage) {
    await sql.query(`INSERT INTO lineage (parent_id, child_id, process_id, consumed_grams) VALUES ($1, $2, $3, $4)`, [
      parent.toString(),
      child.toString(),
      process.toString(),
      grams,
    ]);
  }
  const { RECALLED, SPECIES_MISMATCH } = LOT_FLAGS;
  const stages: StageRow[] = [
    [catchA, 1, 1, "Supplied", 0],
    [catchA, 2, 2, "Supplied", 0],
    [catchA, 3, 3, "Removed", 0],
    [catchB, 1, 1, "Supplied", 0],
    [catchB, 2, 2, "Supplied", 0],
    [catchB, 3, 3, "Created", 0],
    [loins, 3, 3, "Supplied", 0],
    [loins, 4, 4, "Supplied", 0],
    [loins, 5, 5, "Supplied", SPECIES_MISMATCH],
    [loins, 6, 6, "Created", SPECIES_MISMATCH],
    [fillets, 3, 3, "Supplied", 0],
    [fillets, 4, 4, "Supplied", 0],
    [fillets, 5, 5, "Created", 0],
    [smoked, 3, 3, "Supplied", RECALLED],
    [smoked, 4, 4, "Shipped", RECALLED],
  ];
  for (const [lot, stage, custodian, status, flags] of stages) {
    await sql.query(
      `INSERT INTO lot_stages (lot_id, stage, custodian_id, status, flags, received_order, received_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        lot.toString(),
        stage,
        custodian,
        status,
        flags,
        stage === 1 ? null : stage,
        stage === 1 ? null : 1_700_000_000 + stage,
      ],
    );
  }
  // Distributor orders: 6 (settled, fillets to retailer1) and 7 (open: smoked shipped to retailer2).
  await sql.query(
    `INSERT INTO orders (stage, order_id, seller_id, buyer_id, species, weight_grams, price, state, placed_time)
     VALUES (4, 6, 4, 5, 'COD', 60000, 1000, 'Paid', 1700200000), (4, 7, 4, 7, 'COD', 20000, 1000, 'Shipped', 1700200100)`,
  );
  await sql.query(`INSERT INTO shipment_lots (stage, order_id, lot_id) VALUES (4, 6, $1), (4, 7, $2)`, [
    fillets.toString(),
    smoked.toString(),
  ]);
  await sql.query(
    `INSERT INTO recalls (lot_id, stage, regulator_id, reason, block, log_index, time, tx_hash)
     VALUES ($1, 3, 9, 'listeria', 90, 0, 1700300000, '0x09')`,
    [smoked.toString()],
  );
  return sql;
}
