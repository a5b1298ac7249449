/**
 * Decoded events into the index's tables (src/index/schema.ts), one chunk per transaction. Every insert is
 * `ON CONFLICT DO NOTHING` on its natural key and every update sets a state the event itself determines, so applying
 * a range again changes nothing.
 *
 * Each event becomes a few row operations (`opsOf`), each a row of one bulk statement (`BULK`: arrays of columns
 * through `unnest`). `RowWriter` gathers the rows of each statement and runs it once for many events, yet gives the
 * rows of applying the events one by one in (block, log index) order: every operation names the rows it reads and
 * writes (a lot at a stage, its status, its flags, an order, …), and a statement with a row that depends on a row
 * gathered for another statement runs after that one (or, should they wait for each other, the first runs at
 * once). Statements that do not wait for one another touch different rows, and run in any order they give the same
 * rows.
 */
import { gtin14, lotNumberText } from "../core/digital-link.js";
import { fixedTextOf, speciesText } from "../core/units.js";
import { isOrderState, LOT_FLAGS, PROBLEM_REASONS, REMOVAL_REASONS, TRANSPORT_MODES } from "../core/vocabulary.js";
import type { Sql } from "./db.js";
import type { DecodedEvent } from "./decode.js";

/** The flags a product lot inherits from its inputs (`Manufacturer._INHERITED`). */
const INHERITED = LOT_FLAGS.FARMED | LOT_FLAGS.EXCURSION | LOT_FLAGS.SPECIES_MISMATCH | LOT_FLAGS.FRESHNESS_WARNING;

/** A right-padded `bytesN` as text; its hex when it is not UTF-8 text. */
export function textOf(hex: string): string {
  try {
    return fixedTextOf(hex);
  } catch {
    return hex;
  }
}

const state = (name: string): string => {
  if (!isOrderState(name)) throw new Error(`unknown order state ${name}`);
  return name;
};

/**
 * Every decoded event of a chunk into `events`, in one statement (one row per event: a statement per event was a
 * third of the indexer's time).
 */
export async function insertEvents(sql: Sql, events: readonly DecodedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sql.query(
    `INSERT INTO events (block, log_index, tx_hash, contract, name, args)
     SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
     ON CONFLICT DO NOTHING`,
    [
      events.map((e) => e.block),
      events.map((e) => e.logIndex),
      events.map((e) => e.txHash),
      events.map((e) => e.contract),
      events.map((e) => e.name),
      events.map((e) => JSON.stringify(e.json)),
    ],
  );
}

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
} satisfies Record<string, Bulk>;

type BulkName = keyof typeof BULK;

// ------------------------------------------------------------------ an event's operations

/** A row of a bulk statement, with the rows (keys) it reads and writes besides its own table's new rows. */
interface RowOp {
  bulk: BulkName;
  row: unknown[];
  reads?: string[];
  writes?: string[];
}

/** Statements that run on their own, after everything gathered (rare events: the registry, a rejection). */
interface AloneOp {
  alone: (sql: Sql) => Promise<unknown>;
}

type Op = RowOp | AloneOp;

// The rows operations depend on: a lot at a stage (the row, and apart from it its status and its flags, which
// updates change), a lot, an order, a shipment.
const lotStageKey = (lotId: string, stage: number) => `ls ${lotId} ${stage}`;
const statusKey = (lotId: string, stage: number) => `lss ${lotId} ${stage}`;
const flagsKey = (lotId: string, stage: number) => `lsf ${lotId} ${stage}`;
/** An update of a lot's status at a stage: it needs the row, changes the status. */
const statusUpdate = (bulk: "shipped" | "supplied", lotId: string, stage: number): RowOp => ({
  bulk,
  row: [lotId, stage],
  reads: [lotStageKey(lotId, stage)],
  writes: [statusKey(lotId, stage)],
});
const lotKey = (lotId: string) => `l ${lotId}`;
const orderKey = (stage: number, orderId: string) => `o ${stage} ${orderId}`;
const shipmentKey = (stage: number, orderId: string) => `s ${stage} ${orderId}`;

/** What `e` writes, in order (but its `events` row: see `insertEvents`); `time` is its block's timestamp. */
export function opsOf(e: DecodedEvent, time: number): Op[] {
  const a = e.args;
  const s = e.stage;
  const at = [e.block, e.logIndex] as const;

  const flag = (kind: string, stage: number | undefined, detail: Record<string, unknown>): RowOp => ({
    bulk: "flag",
    row: [...at, a.dec("lotId"), stage ?? null, kind, JSON.stringify(detail), time],
  });
  const orFlags = (stage: number, bits: number): RowOp => {
    const lotId = a.dec("lotId");
    return {
      bulk: "orFlags",
      row: [lotId, stage, bits],
      reads: [lotStageKey(lotId, stage)],
      writes: [flagsKey(lotId, stage)],
    };
  };

  if (e.contract === "registry") {
    switch (e.name) {
      case "ParticipantEnrolled":
        return [
          {
            alone: (sql) =>
              sql.query(`INSERT INTO participants (id, account) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
                a.num("id"),
                a.str("account"),
              ]),
          },
        ];
      case "ParticipantProfileSet":
        return [
          {
            alone: (sql) =>
              sql.query(`UPDATE participants SET name = $2, location = $3 WHERE account = $1`, [
                a.str("account"),
                a.str("name"),
                a.str("location"),
              ]),
          },
        ];
      case "ParticipantRevoked":
        return [
          {
            alone: (sql) => sql.query(`UPDATE participants SET revoked = true WHERE account = $1`, [a.str("account")]),
          },
        ];
      case "SpeciesListed":
        return [
          {
            alone: (sql) =>
              sql.query(
                `INSERT INTO species (code, name, listed) VALUES ($1, $2, true)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, listed = true`,
                [speciesText(a.str("code")), a.str("name")],
              ),
          },
        ];
      case "SpeciesDelisted":
        return [
          {
            alone: (sql) =>
              sql.query(`UPDATE species SET listed = false WHERE code = $1`, [speciesText(a.str("code"))]),
          },
        ];
      default:
        return [];
    }
  }

  if (e.contract === "qualityLedger") {
    switch (e.name) {
      case "QatScanned":
        return [
          {
            bulk: "scan",
            row: [
              a.num("deviceId"),
              a.dec("readingId"),
              a.dec("lotId"),
              speciesText(a.str("species")),
              a.num("speciesConfidence"),
              a.num("grade"),
              a.num("gradeConfidence"),
              a.num("scannedAt"),
              ...at,
              e.txHash,
            ],
          },
        ];
      case "SensorBatchAnchored": {
        const root = a.str("root");
        const summary = a.sub("summary");
        return [
          {
            bulk: "sensorBatch",
            row: [
              root,
              a.num("gatewayId"),
              a.num("stage"),
              summary.num("from"),
              summary.num("to"),
              summary.num("count"),
              summary.num("minimum"),
              summary.num("maximum"),
              summary.num("mean"),
              e.block,
              time,
              e.txHash,
            ],
          },
          ...a.bigs("lotIds").map((id): RowOp => ({ bulk: "sensorBatchLot", row: [root, id.toString()] })),
        ];
      }
      case "SpeciesMismatch":
        return [
          flag("species_mismatch", undefined, {
            deviceId: a.num("deviceId"),
            registered: speciesText(a.str("registered")),
            previous: a.str("previous") === "0x000000" ? null : speciesText(a.str("previous")),
            scanned: speciesText(a.str("scanned")),
            confidence: a.num("confidence"),
          }),
        ];
      case "FreshnessWarning":
        return [
          flag("freshness_warning", undefined, {
            deviceId: a.num("deviceId"),
            previousGrade: a.num("previousGrade"),
            grade: a.num("grade"),
            elapsed: a.num("elapsed"),
            equivalentSeconds: a.dec("equivalentSeconds"),
            allowedDrop: a.dec("allowedDrop"),
            drop: a.dec("drop"),
          }),
        ];
      case "SensorExcursion":
        return [
          flag("excursion", undefined, {
            root: a.str("root"),
            minimum: a.num("minimum"),
            maximum: a.num("maximum"),
            bandMinimum: a.num("bandMinimum"),
            bandMaximum: a.num("bandMaximum"),
          }),
        ];
      default:
        return [];
    }
  }

  // A stage contract.
  if (s === undefined) return [];
  switch (e.name) {
    case "FishRegistered": {
      const c = a.sub("catchData");
      const lotId = a.dec("lotId");
      const farmed = c.bool("farmed");
      const frozen = c.bool("frozen");
      return [
        {
          bulk: "catchLot",
          row: [
            lotId,
            speciesText(c.str("species")),
            c.num("weightGrams"),
            s,
            e.block,
            time,
            e.txHash,
            a.num("harvesterId"),
            c.num("caughtAt"),
            c.num("latitude"),
            c.num("longitude"),
            textOf(c.str("catchArea")),
            textOf(c.str("vessel")),
            textOf(c.str("gear")),
            farmed,
            frozen,
          ],
          writes: [lotKey(lotId)],
        },
        {
          bulk: "lotStage",
          row: [lotId, s, a.num("harvesterId"), (frozen ? LOT_FLAGS.FROZEN : 0) | (farmed ? LOT_FLAGS.FARMED : 0)],
          writes: [lotStageKey(lotId, s)],
        },
      ];
    }
    case "ProductLotCreated": {
      // The product's form: its cold-chain band (a frozen pack is not judged against the fresh 0-4 °C band).
      const lotId = a.dec("lotId");
      return [
        {
          bulk: "productLot",
          row: [
            lotId,
            speciesText(a.str("species")),
            a.num("weightGrams"),
            s,
            e.block,
            time,
            e.txHash,
            gtin14(a.big("gtin")),
            lotNumberText(a.str("lotNumber")),
            a.dec("processId"),
            a.bool("frozen"),
          ],
          writes: [lotKey(lotId)],
        },
      ];
    }
    case "LotsProcessed": {
      const processId = a.dec("processId");
      const manufacturerId = a.num("manufacturerId");
      const inputs = a.bigs("inputLotIds").map(String);
      const consumed = a.bigs("consumedGrams");
      const outputs = a.bigs("productLotIds").map(String);
      const inputKeys = inputs.flatMap((id) => [lotStageKey(id, s), flagsKey(id, s)]);
      return [
        {
          bulk: "process",
          row: [processId, manufacturerId, a.num("producedGrams"), a.num("yieldBps"), e.block, time, e.txHash],
        },
        // Every input × every output.
        ...inputs.flatMap((parent, i) =>
          outputs.map((child): RowOp => ({
            bulk: "lineage",
            row: [parent, child, processId, (consumed[i] ?? 0n).toString()],
          })),
        ),
        // The products inherit the inputs' alarm flags, and carry their own form (ProductLotCreated, logged before).
        ...outputs.map((child): RowOp => ({
          bulk: "productStage",
          row: [child, s, manufacturerId, inputs.join(",")],
          reads: [...inputKeys, lotKey(child)],
          writes: [lotStageKey(child, s)],
        })),
      ];
    }
    case "OrderPlaced": {
      const orderId = a.dec("orderId");
      return [
        {
          bulk: "order",
          row: [
            s,
            orderId,
            a.num("sellerId"),
            a.num("buyerId"),
            speciesText(a.str("species")),
            a.num("weightGrams"),
            a.dec("price"),
            a.num("shipBy"),
            a.num("ackWindow"),
            time,
          ],
          writes: [orderKey(s, orderId)],
        },
      ];
    }
    case "ShipmentInitiated": {
      const orderId = a.dec("orderId");
      const lotIds = a.bigs("lotIds").map(String);
      return [
        {
          bulk: "shipment",
          row: [s, orderId, a.dec("shipmentNo"), a.num("weightGrams"), e.block, time, e.txHash],
          writes: [shipmentKey(s, orderId)],
        },
        ...lotIds.map((lotId): RowOp => ({ bulk: "shipmentLot", row: [s, orderId, lotId] })),
        ...lotIds.map((lotId) => statusUpdate("shipped", lotId, s)),
        { bulk: "orderShipped", row: [s, orderId, state("Shipped"), time], writes: [orderKey(s, orderId)] },
      ];
    }
    case "ShipmentDispatched": {
      const route = a.sub("route");
      const orderId = a.dec("orderId");
      return [
        {
          bulk: "route",
          row: [
            s,
            orderId,
            textOf(route.str("origin")),
            textOf(route.str("destination")),
            TRANSPORT_MODES[route.num("mode")] ?? String(route.num("mode")),
            textOf(route.str("vehicle")),
          ],
          writes: [shipmentKey(s, orderId)],
        },
      ];
    }
    case "ShipmentArrived": {
      const orderId = a.dec("orderId");
      return [
        {
          bulk: "arrived",
          row: [s, orderId, textOf(a.str("location"))],
          writes: [shipmentKey(s, orderId)],
        },
      ];
    }
    case "DeliveryConfirmed":
      return [setOrder(s, a.dec("orderId"), "Delivered", "orderDelivered", time)];
    case "OrderAcknowledged":
      return [setOrder(s, a.dec("orderId"), "Acknowledged", "orderSettled", time)];
    case "OrderPaid":
      return [setOrder(s, a.dec("orderId"), "Paid")];
    case "OrderCancelled":
      return [setOrder(s, a.dec("orderId"), "Cancelled")];
    case "OrderRefunded":
      return [setOrder(s, a.dec("orderId"), "Refunded")];
    case "DeliveryRejected":
      return [
        {
          alone: async (sql) => {
            await sql.query(
              `UPDATE orders SET state = 'Rejected', reject_reason = $3 WHERE stage = $1 AND order_id = $2`,
              [s, a.dec("orderId"), textOf(a.str("reason"))],
            );
            await sql.query(
              `UPDATE lot_stages SET status = 'Created'
               WHERE stage = $1 AND lot_id IN (SELECT lot_id FROM shipment_lots WHERE stage = $1 AND order_id = $2)`,
              [s, a.dec("orderId")],
            );
          },
        },
      ];
    case "CustodyTransferred": {
      const lotId = a.dec("lotId");
      return [
        {
          bulk: "custody",
          row: [...at, s, lotId, a.num("fromId"), a.num("toId"), a.dec("orderId"), time, e.txHash],
        },
        statusUpdate("supplied", lotId, s),
      ];
    }
    case "LotReceived": {
      const lotId = a.dec("lotId");
      return [
        {
          bulk: "receivedStage",
          row: [lotId, s, a.num("custodianId"), a.dec("orderId"), time],
          reads: [lotStageKey(lotId, s - 1), flagsKey(lotId, s - 1)],
          writes: [lotStageKey(lotId, s)],
        },
      ];
    }
    case "FishUpdated":
      return [
        {
          bulk: "reading",
          row: [
            ...at,
            s,
            a.dec("lotId"),
            a.num("reporterId"),
            a.num("readAt"),
            a.num("temperature"),
            a.num("humidity"),
            a.num("latitude"),
            a.num("longitude"),
          ],
        },
      ];
    case "ColdChainExcursion":
      return [
        flag("cold_chain", s, {
          readAt: a.num("readAt"),
          temperature: a.num("temperature"),
          minimum: a.num("minimum"),
          maximum: a.num("maximum"),
        }),
        orFlags(s, LOT_FLAGS.EXCURSION),
      ];
    case "LotFlagged":
      return [flag("flagged", s, { flags: a.num("flags") }), orFlags(s, a.num("flags"))];
    case "ProblemReported":
      return [
        flag("problem", s, {
          customerId: a.num("customerId"),
          reason: PROBLEM_REASONS[a.num("reason")] ?? String(a.num("reason")),
          detail: textOf(a.str("detail")),
        }),
        orFlags(s, LOT_FLAGS.PROBLEM_REPORTED),
      ];
    case "FishRemoved": {
      const lotId = a.dec("lotId");
      return [
        {
          bulk: "removed",
          row: [lotId, s, REMOVAL_REASONS[a.num("reason")] ?? String(a.num("reason"))],
          reads: [lotStageKey(lotId, s)],
          writes: [statusKey(lotId, s)],
        },
      ];
    }
    case "LotRecalled": {
      const lotId = a.dec("lotId");
      return [
        {
          bulk: "recall",
          row: [lotId, s, a.num("regulatorId"), textOf(a.str("reason")), ...at, time, e.txHash],
        },
        orFlags(s, LOT_FLAGS.RECALLED),
      ];
    }
    default:
      return [];
  }
}

/** An order's new state (and the time of the step, in `bulk`'s column). */
function setOrder(
  stage: number,
  orderId: string,
  next: string,
  bulk: "orderState" | "orderDelivered" | "orderSettled" = "orderState",
  time?: number,
): RowOp {
  return {
    bulk,
    row: [stage, orderId, state(next), ...(time === undefined ? [] : [time])],
    writes: [orderKey(stage, orderId)],
  };
}

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

/**
 * Writes `events` (one chunk, in (block, log index) order) into the tables but `events`; `timeOf` gives a block's
 * timestamp. `bulk: false` writes each row with its own statement.
 */
export async function applyEvents(
  sql: Sql,
  events: readonly DecodedEvent[],
  timeOf: (block: number) => number,
  bulk = true,
): Promise<void> {
  const writer = new RowWriter(sql, bulk);
  for (const e of events) {
    for (const op of opsOf(e, timeOf(e.block))) await writer.add(op);
  }
  await writer.flush();
}
