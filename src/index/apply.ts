/**
 * Decoded events into the index's tables (src/index/schema.ts), one chunk per transaction. Every insert is
 * `ON CONFLICT DO NOTHING` on its natural key and every update sets a state the event itself determines, so applying
 * a range again changes nothing.
 *
 * Each event becomes a few row operations (`opsOf`), each a row of one bulk statement (src/index/bulk.ts: arrays of
 * columns through `unnest`), naming the rows it reads and writes; `RowWriter` runs each statement once for many
 * events, in an order that gives the rows of applying the events one by one.
 */
import { gtin14, lotNumberText } from "../core/digital-link.js";
import { fixedTextOf, speciesText } from "../core/units.js";
import { isOrderState, LOT_FLAGS, PROBLEM_REASONS, REMOVAL_REASONS, TRANSPORT_MODES } from "../core/vocabulary.js";
import type { Sql } from "./db.js";
import type { DecodedEvent } from "./decode.js";
import { RowWriter, type Op, type RowOp } from "./bulk.js";

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

// ------------------------------------------------------------------ an event's operations

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
const unitKey = (sscc: string) => `u ${sscc}`;

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

  if (e.contract === "packing") return packingOps(e, time);

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

/**
 * What an event of the Packing contract writes: a row per lot packed into a unit, or per unit packed onto a pallet;
 * or every row of the unit (pallet) unpacked.
 */
function packingOps(e: DecodedEvent, time: number): Op[] {
  const a = e.args;
  const sscc = a.dec("sscc");
  switch (e.name) {
    case "Packed": {
      const weights = a.bigs("weightsGrams");
      return a.bigs("lotIds").map((lotId, i): RowOp => ({
        bulk: "unitLot",
        row: [
          sscc,
          lotId.toString(),
          a.num("stage"),
          a.num("packerId"),
          Number(weights[i] ?? 0n),
          e.block,
          e.logIndex,
          time,
          e.txHash,
        ],
        writes: [unitKey(sscc)],
      }));
    }
    case "UnitsPacked":
      return a.bigs("ssccs").map((child, i): RowOp => ({
        bulk: "unitOnPallet",
        row: [sscc, child.toString(), i, a.num("stage"), a.num("packerId"), e.block, e.logIndex, time, e.txHash],
        writes: [unitKey(sscc)],
      }));
    case "Unpacked":
    case "UnitsUnpacked":
      return [
        {
          bulk: e.name === "Unpacked" ? "unitUnpacked" : "palletUnpacked",
          row: [sscc, a.num("stage"), a.num("unpackerId"), e.block, e.logIndex, time, e.txHash],
          reads: [unitKey(sscc)],
          writes: [unitKey(sscc)],
        },
      ];
    default:
      return [];
  }
}
