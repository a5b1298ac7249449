/**
 * The bulk statements the index is written with (src/index/apply.ts makes their rows of events) and `RowWriter`,
 * which gathers rows and runs each statement once for many events, yet gives the rows of applying the events one by
 * one in (block, log index) order: every row operation names the rows it reads and writes (a lot at a stage, its
 * status, its flags, an order, …), and a statement with a row that depends on a row gathered for another statement
 * runs after that one (or, should they wait for each other, the first runs at once). Statements that do not wait
 * for one another touch different rows, and run in any order they give the same rows.
 */
import { LOT_FLAGS } from "../core/vocabulary.js";
import type { Sql } from "./db.js";

/** The flags a product lot inherits from its inputs (`Manufacturer._INHERITED`). */
const INHERITED = LOT_FLAGS.FARMED | LOT_FLAGS.EXCURSION | LOT_FLAGS.SPECIES_MISMATCH | LOT_FLAGS.FRESHNESS_WARNING;

// ------------------------------------------------------------------ bulk statements

/** A statement writing many rows: `$1 … $n` are arrays, one per column, of equal length. */
interface Bulk {
  readonly sql: string;
  /** Whether one batch may hold two rows for the same written row (a repeat changes nothing, or merges). */
  readonly repeats: boolean;
}

/** `$1::t1[], $2::t2[], …` of `types`. */
const arrays = (types: readonly string[]) => types.map((t, i) => `$${i + 1}::${t}[]`).join(", ");

/** Inserts rows of `columns` (name and type), plus `fixed` columns of constant values; a row already there stays. */
function insertSql(table: string, columns: readonly (readonly [string, string])[], fixed: Record<string, string> = {}) {
  const names = [...columns.map(([name]) => name), ...Object.keys(fixed)].join(", ");
  const values = ["*", ...Object.values(fixed)].join(", ");
  return `INSERT INTO ${table} (${names}) SELECT ${values} FROM unnest(${arrays(columns.map(([, type]) => type))})
    ON CONFLICT DO NOTHING`;
}

const inserting = (sql: string): Bulk => ({ sql, repeats: true });

/** `UPDATE table SET …` for rows matched on `keys`; `u.<column>` in `set` reads a row's value. */
function updateSql(
  table: string,
  keys: readonly (readonly [string, string])[],
  values: readonly (readonly [string, string])[],
  set: string,
) {
  const all = [...keys, ...values];
  return `UPDATE ${table} t SET ${set} FROM unnest(${arrays(all.map(([, type]) => type))}) AS u(${all.map(([name]) => name).join(", ")})
    WHERE ${keys.map(([name]) => `t.${name} = u.${name}`).join(" AND ")}`;
}

const LOT_STAGE = [
  ["lot_id", "numeric"],
  ["stage", "smallint"],
] as const;
const ORDER = [
  ["stage", "smallint"],
  ["order_id", "numeric"],
] as const;

const lotStatus = (status: string): Bulk => ({
  sql: updateSql("lot_stages", LOT_STAGE, [], `status = '${status}'`),
  repeats: true,
});

const orderState = (column?: string): Bulk => ({
  sql: updateSql(
    "orders",
    ORDER,
    [["state", "text"], ...(column === undefined ? [] : [["time", "bigint"] as const])],
    `state = u.state${column === undefined ? "" : `, ${column} = u.time`}`,
  ),
  repeats: false,
});

/** Marks every row of the logistic unit `sscc` in `table` (`unit_lots` or `unit_units`) unpacked. */
const unpacking = (table: string): Bulk => ({
  sql: updateSql(
    table,
    [["sscc", "numeric"]],
    [
      ["stage", "smallint"],
      ["unpacker_id", "int"],
      ["block", "bigint"],
      ["log_index", "int"],
      ["time", "bigint"],
      ["tx_hash", "text"],
    ],
    `unpack_stage = u.stage, unpacker_id = u.unpacker_id, unpacked_block = u.block,
     unpacked_log_index = u.log_index, unpacked_time = u.time, unpacked_tx_hash = u.tx_hash`,
  ),
  repeats: false,
});

/** The columns every lot has (`lots`), as catches and products fill them first. */
const LOT = [
  ["lot_id", "numeric"],
  ["species", "text"],
  ["weight_grams", "bigint"],
  ["origin_stage", "smallint"],
  ["created_block", "bigint"],
  ["created_time", "bigint"],
  ["tx_hash", "text"],
] as const;

/** The statements events are written with. */
const BULK = {
  scan: inserting(
    insertSql("scans", [
      ["device_id", "int"],
      ["reading_id", "numeric"],
      ["lot_id", "numeric"],
      ["species", "text"],
      ["species_confidence", "int"],
      ["grade", "int"],
      ["grade_confidence", "int"],
      ["scanned_at", "bigint"],
      ["block", "bigint"],
      ["log_index", "int"],
      ["tx_hash", "text"],
    ]),
  ),
  sensorBatch: inserting(
    insertSql("sensor_batches", [
      ["root", "text"],
      ["gateway_id", "int"],
      ["stage", "smallint"],
      ["from_time", "bigint"],
      ["to_time", "bigint"],
      ["count", "int"],
      ["minimum", "int"],
      ["maximum", "int"],
      ["mean", "int"],
      ["block", "bigint"],
      ["time", "bigint"],
      ["tx_hash", "text"],
    ]),
  ),
  sensorBatchLot: inserting(
    insertSql("sensor_batch_lots", [
      ["root", "text"],
      ["lot_id", "numeric"],
    ]),
  ),
  flag: inserting(
    insertSql("flags", [
      ["block", "bigint"],
      ["log_index", "int"],
      ["lot_id", "numeric"],
      ["stage", "smallint"],
      ["kind", "text"],
      ["detail", "jsonb"],
      ["time", "bigint"],
    ]),
  ),
  catchLot: inserting(
    insertSql(
      "lots",
      [
        ...LOT,
        ["harvester_id", "int"],
        ["caught_at", "bigint"],
        ["latitude", "int"],
        ["longitude", "int"],
        ["catch_area", "text"],
        ["vessel", "text"],
        ["gear", "text"],
        ["farmed", "boolean"],
        ["frozen", "boolean"],
      ],
      { kind: "'catch'" },
    ),
  ),
  productLot: inserting(
    insertSql(
      "lots",
      [...LOT, ["gtin", "text"], ["lot_number", "text"], ["process_id", "numeric"], ["frozen", "boolean"]],
      { kind: "'product'" },
    ),
  ),
  lotStage: inserting(
    insertSql(
      "lot_stages",
      [
        ["lot_id", "numeric"],
        ["stage", "smallint"],
        ["custodian_id", "int"],
        ["flags", "int"],
      ],
      { status: "'Created'" },
    ),
  ),
  process: inserting(
    insertSql("processes", [
      ["process_id", "numeric"],
      ["manufacturer_id", "int"],
      ["produced_grams", "bigint"],
      ["yield_bps", "int"],
      ["block", "bigint"],
      ["time", "bigint"],
      ["tx_hash", "text"],
    ]),
  ),
  lineage: inserting(
    insertSql("lineage", [
      ["parent_id", "numeric"],
      ["child_id", "numeric"],
      ["process_id", "numeric"],
      ["consumed_grams", "bigint"],
    ]),
  ),
  /** A product lot at the manufacturer: the inputs' alarm flags (inputs: ids joined by commas), and its own form. */
  productStage: inserting(
    `INSERT INTO lot_stages (lot_id, stage, custodian_id, status, flags)
     SELECT u.lot_id, u.stage, u.custodian_id, 'Created',
       (COALESCE((SELECT bit_or(p.flags)::int FROM lot_stages p
          WHERE p.stage = u.stage AND p.lot_id = ANY(string_to_array(u.inputs, ',')::numeric[])), 0) & ${INHERITED})
       | (CASE WHEN l.frozen THEN ${LOT_FLAGS.FROZEN} ELSE 0 END)
     FROM unnest($1::numeric[], $2::smallint[], $3::int[], $4::text[]) AS u(lot_id, stage, custodian_id, inputs)
       LEFT JOIN lots l ON l.lot_id = u.lot_id
     ON CONFLICT DO NOTHING`,
  ),
  /** The lot word handed over keeps its flags: copied from the previous stage. */
  receivedStage: inserting(
    `INSERT INTO lot_stages (lot_id, stage, custodian_id, status, flags, received_order, received_time)
     SELECT u.lot_id, u.stage, u.custodian_id, 'Created',
       COALESCE((SELECT p.flags FROM lot_stages p WHERE p.lot_id = u.lot_id AND p.stage = u.stage - 1), 0),
       u.received_order, u.received_time
     FROM unnest($1::numeric[], $2::smallint[], $3::int[], $4::numeric[], $5::bigint[])
       AS u(lot_id, stage, custodian_id, received_order, received_time)
     ON CONFLICT DO NOTHING`,
  ),
  order: inserting(
    insertSql(
      "orders",
      [
        ["stage", "smallint"],
        ["order_id", "numeric"],
        ["seller_id", "int"],
        ["buyer_id", "int"],
        ["species", "text"],
        ["weight_grams", "bigint"],
        ["price", "numeric"],
        ["ship_by", "bigint"],
        ["ack_window", "bigint"],
        ["placed_time", "bigint"],
      ],
      { state: "'Ordered'" },
    ),
  ),
  shipment: inserting(
    insertSql("shipments", [
      ["stage", "smallint"],
      ["order_id", "numeric"],
      ["shipment_no", "numeric"],
      ["weight_grams", "bigint"],
      ["block", "bigint"],
      ["time", "bigint"],
      ["tx_hash", "text"],
    ]),
  ),
  shipmentLot: inserting(
    insertSql("shipment_lots", [
      ["stage", "smallint"],
      ["order_id", "numeric"],
      ["lot_id", "numeric"],
    ]),
  ),
  custody: inserting(
    insertSql("custody", [
      ["block", "bigint"],
      ["log_index", "int"],
      ["stage", "smallint"],
      ["lot_id", "numeric"],
      ["from_id", "int"],
      ["to_id", "int"],
      ["order_id", "numeric"],
      ["time", "bigint"],
      ["tx_hash", "text"],
    ]),
  ),
  reading: inserting(
    insertSql("readings", [
      ["block", "bigint"],
      ["log_index", "int"],
      ["stage", "smallint"],
      ["lot_id", "numeric"],
      ["reporter_id", "int"],
      ["read_at", "bigint"],
      ["temperature", "int"],
      ["humidity", "int"],
      ["latitude", "int"],
      ["longitude", "int"],
    ]),
  ),
  recall: inserting(
    insertSql("recalls", [
      ["lot_id", "numeric"],
      ["stage", "smallint"],
      ["regulator_id", "int"],
      ["reason", "text"],
      ["block", "bigint"],
      ["log_index", "int"],
      ["time", "bigint"],
      ["tx_hash", "text"],
    ]),
  ),
  shipped: lotStatus("Shipped"),
  supplied: lotStatus("Supplied"),
  removed: {
    sql: updateSql("lot_stages", LOT_STAGE, [["reason", "text"]], `status = 'Removed', removed_reason = u.reason`),
    repeats: false,
  },
  /** Alarm bits or-ed into a lot's flags (several for one lot in a batch are or-ed together first). */
  orFlags: {
    sql: `UPDATE lot_stages t SET flags = t.flags | u.bits
      FROM (SELECT lot_id, stage, bit_or(bits) AS bits FROM unnest($1::numeric[], $2::smallint[], $3::int[])
        AS v(lot_id, stage, bits) GROUP BY lot_id, stage) AS u
      WHERE t.lot_id = u.lot_id AND t.stage = u.stage`,
    repeats: true,
  },
  orderState: orderState(),
  orderShipped: orderState("shipped_time"),
  orderDelivered: orderState("delivered_time"),
  orderSettled: orderState("settled_time"),
  route: {
    sql: updateSql(
      "shipments",
      ORDER,
      [
        ["origin", "text"],
        ["destination", "text"],
        ["mode", "text"],
        ["vehicle", "text"],
      ],
      "origin = u.origin, destination = u.destination, mode = u.mode, vehicle = u.vehicle",
    ),
    repeats: false,
  },
  arrived: {
    sql: updateSql("shipments", ORDER, [["location", "text"]], "arrived_location = u.location"),
    repeats: false,
  },
  unitLot: inserting(
    insertSql("unit_lots", [
      ["sscc", "numeric"],
      ["lot_id", "numeric"],
      ["stage", "smallint"],
      ["packer_id", "int"],
      ["weight_grams", "bigint"],
      ["block", "bigint"],
      ["log_index", "int"],
      ["time", "bigint"],
      ["tx_hash", "text"],
    ]),
  ),
  /** Every lot of a logistic unit unpacked (the contract unpacks a unit once). */
  unitUnpacked: unpacking("unit_lots"),
  unitOnPallet: inserting(
    insertSql("unit_units", [
      ["sscc", "numeric"],
      ["child_sscc", "numeric"],
      ["position", "int"],
      ["stage", "smallint"],
      ["packer_id", "int"],
      ["block", "bigint"],
      ["log_index", "int"],
      ["time", "bigint"],
      ["tx_hash", "text"],
    ]),
  ),
  /** Every unit on a pallet taken off it (the contract unpacks a pallet once). */
  palletUnpacked: unpacking("unit_units"),
} satisfies Record<string, Bulk>;

export type BulkName = keyof typeof BULK;

// ------------------------------------------------------------------ row operations

/** A row of a bulk statement, with the rows (keys) it reads and writes besides its own table's new rows. */
export interface RowOp {
  bulk: BulkName;
  row: unknown[];
  reads?: string[];
  writes?: string[];
}

/** Statements that run on their own, after everything gathered (rare events: the registry, a rejection). */
export interface AloneOp {
  alone: (sql: Sql) => Promise<unknown>;
}

export type Op = RowOp | AloneOp;

// ------------------------------------------------------------------ gathering rows

interface Batch {
  rows: unknown[][];
  reads: Set<string>;
  writes: Set<string>;
  /** Statements gathered that must run before this one (one of their rows comes before one of its rows). */
  after: Set<BulkName>;
}

const overlaps = (keys: readonly string[] | undefined, set: ReadonlySet<string>) =>
  keys !== undefined && set.size > 0 && keys.some((k) => set.has(k));

/** Whether `op` must come after the rows of `batch` (of statement `name`): a row both touch, but two reads. */
function dependsOn(op: RowOp, name: BulkName, batch: Batch): boolean {
  return (
    overlaps(op.reads, batch.writes) ||
    overlaps(op.writes, batch.reads) ||
    // A row written twice by one statement: when the statement allows repeats, its later row changes nothing.
    ((name !== op.bulk || !BULK[name].repeats) && overlaps(op.writes, batch.writes))
  );
}

/**
 * Gathers row operations into their bulk statements (see the file's comment). An operation that depends on rows
 * gathered for another statement makes its own statement wait for that one; on rows gathered for its own
 * statement, or when that other statement already waits for its own, the gathered statement runs first.
 * `bulk: false` runs each operation as it comes (a statement per row, in event order: what the bulk path must
 * equal).
 */
export class RowWriter {
  private readonly batches = new Map<BulkName, Batch>();

  constructor(
    private readonly sql: Sql,
    private readonly bulk = true,
  ) {}

  async add(op: Op): Promise<void> {
    if ("alone" in op) {
      await this.flush();
      await op.alone(this.sql);
      return;
    }
    const own = this.batches.get(op.bulk);
    if (own !== undefined && dependsOn(op, op.bulk, own)) await this.run(op.bulk);
    const before = [...this.batches].filter(([name, b]) => name !== op.bulk && dependsOn(op, name, b));
    if (before.some(([name]) => this.waitsFor(name, op.bulk))) await this.run(op.bulk);
    let batch = this.batches.get(op.bulk);
    if (batch === undefined) {
      batch = { rows: [], reads: new Set(), writes: new Set(), after: new Set() };
      this.batches.set(op.bulk, batch);
    }
    for (const [name] of before) if (this.batches.has(name)) batch.after.add(name);
    batch.rows.push(op.row);
    for (const k of op.reads ?? []) batch.reads.add(k);
    for (const k of op.writes ?? []) batch.writes.add(k);
    if (!this.bulk) await this.run(op.bulk);
  }

  /** Runs every gathered statement. */
  async flush(): Promise<void> {
    for (let first = this.batches.keys().next(); first.done !== true; first = this.batches.keys().next()) {
      await this.run(first.value);
    }
  }

  /** Whether the statement `name` waits (perhaps through others) for `target`. */
  private waitsFor(name: BulkName, target: BulkName): boolean {
    const seen = new Set<BulkName>();
    const stack = [name];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (next === target) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.batches.get(next)?.after ?? []));
    }
    return false;
  }

  /** Runs the statement `name` with its gathered rows, after those it waits for. */
  private async run(name: BulkName): Promise<void> {
    const batch = this.batches.get(name);
    if (batch === undefined) return;
    for (const first of batch.after) await this.run(first);
    this.batches.delete(name);
    for (const other of this.batches.values()) other.after.delete(name);
    const first = batch.rows[0];
    if (first === undefined) return;
    const columns = first.map((_, i) => batch.rows.map((row) => row[i]));
    await this.sql.query(BULK[name].sql, columns);
  }
}
