/**
 * One decoded event into the index's tables (src/index/schema.ts). Events are applied in (block, log index) order,
 * one chunk per transaction; every insert is `ON CONFLICT DO NOTHING` on its natural key and every update sets a
 * state the event itself determines, so applying a range again changes nothing.
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

/** Writes `e` into the tables (but `events`: see `insertEvents`); `time` is its block's timestamp. */
export async function applyEvent(sql: Sql, e: DecodedEvent, time: number): Promise<void> {
  const a = e.args;
  const s = e.stage;
  const at = [e.block, e.logIndex] as const;

  const setOrder = (next: string, column?: string) =>
    sql.query(
      `UPDATE orders SET state = $3${column === undefined ? "" : `, ${column} = $4`} WHERE stage = $1 AND order_id = $2`,
      [s, a.dec("orderId"), state(next), ...(column === undefined ? [] : [time])],
    );
  const orFlags = (lotId: string, stage: number, bits: number) =>
    sql.query(`UPDATE lot_stages SET flags = flags | $3 WHERE lot_id = $1 AND stage = $2`, [lotId, stage, bits]);
  const flag = (kind: string, stage: number | undefined, detail: Record<string, unknown>) =>
    sql.query(
      `INSERT INTO flags (block, log_index, lot_id, stage, kind, detail, time) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING`,
      [...at, a.dec("lotId"), stage ?? null, kind, JSON.stringify(detail), time],
    );

  if (e.contract === "registry") {
    switch (e.name) {
      case "ParticipantEnrolled":
        await sql.query(`INSERT INTO participants (id, account) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          a.num("id"),
          a.str("account"),
        ]);
        return;
      case "ParticipantProfileSet":
        await sql.query(`UPDATE participants SET name = $2, location = $3 WHERE account = $1`, [
          a.str("account"),
          a.str("name"),
          a.str("location"),
        ]);
        return;
      case "ParticipantRevoked":
        await sql.query(`UPDATE participants SET revoked = true WHERE account = $1`, [a.str("account")]);
        return;
      case "SpeciesListed":
        await sql.query(
          `INSERT INTO species (code, name, listed) VALUES ($1, $2, true)
           ON CONFLICT (code) DO UPDATE SET name = excluded.name, listed = true`,
          [speciesText(a.str("code")), a.str("name")],
        );
        return;
      case "SpeciesDelisted":
        await sql.query(`UPDATE species SET listed = false WHERE code = $1`, [speciesText(a.str("code"))]);
        return;
      default:
        return;
    }
  }

  if (e.contract === "qualityLedger") {
    switch (e.name) {
      case "QatScanned":
        await sql.query(
          `INSERT INTO scans (device_id, reading_id, lot_id, species, species_confidence, grade, grade_confidence,
             scanned_at, block, log_index, tx_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT DO NOTHING`,
          [
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
        );
        return;
      case "SensorBatchAnchored": {
        const root = a.str("root");
        const summary = a.sub("summary");
        await sql.query(
          `INSERT INTO sensor_batches (root, gateway_id, stage, from_time, to_time, count, minimum, maximum, mean,
             block, time, tx_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
          [
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
        );
        await sql.query(
          `INSERT INTO sensor_batch_lots (root, lot_id) SELECT $1, l FROM unnest($2::numeric[]) AS l
           ON CONFLICT DO NOTHING`,
          [root, a.bigs("lotIds").map(String)],
        );
        return;
      }
      case "SpeciesMismatch":
        await flag("species_mismatch", undefined, {
          deviceId: a.num("deviceId"),
          registered: speciesText(a.str("registered")),
          previous: a.str("previous") === "0x000000" ? null : speciesText(a.str("previous")),
          scanned: speciesText(a.str("scanned")),
          confidence: a.num("confidence"),
        });
        return;
      case "FreshnessWarning":
        await flag("freshness_warning", undefined, {
          deviceId: a.num("deviceId"),
          previousGrade: a.num("previousGrade"),
          grade: a.num("grade"),
          elapsed: a.num("elapsed"),
          equivalentSeconds: a.dec("equivalentSeconds"),
          allowedDrop: a.dec("allowedDrop"),
          drop: a.dec("drop"),
        });
        return;
      case "SensorExcursion":
        await flag("excursion", undefined, {
          root: a.str("root"),
          minimum: a.num("minimum"),
          maximum: a.num("maximum"),
          bandMinimum: a.num("bandMinimum"),
          bandMaximum: a.num("bandMaximum"),
        });
        return;
      default:
        return;
    }
  }

  // A stage contract.
  if (s === undefined) return;
  switch (e.name) {
    case "FishRegistered": {
      const c = a.sub("catchData");
      const lotId = a.dec("lotId");
      const farmed = c.bool("farmed");
      const frozen = c.bool("frozen");
      await sql.query(
        `INSERT INTO lots (lot_id, kind, species, weight_grams, origin_stage, created_block, created_time, tx_hash,
           harvester_id, caught_at, latitude, longitude, catch_area, vessel, gear, farmed, frozen)
         VALUES ($1, 'catch', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING`,
        [
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
      );
      await sql.query(
        `INSERT INTO lot_stages (lot_id, stage, custodian_id, status, flags) VALUES ($1, $2, $3, 'Created', $4)
         ON CONFLICT DO NOTHING`,
        [lotId, s, a.num("harvesterId"), (frozen ? LOT_FLAGS.FROZEN : 0) | (farmed ? LOT_FLAGS.FARMED : 0)],
      );
      return;
    }
    case "ProductLotCreated": {
      // The product's form: its cold-chain band (a frozen pack is not judged against the fresh 0-4 °C band).
      const frozen = a.bool("frozen");
      await sql.query(
        `INSERT INTO lots (lot_id, kind, species, weight_grams, origin_stage, created_block, created_time, tx_hash,
           gtin, lot_number, process_id, frozen) VALUES ($1, 'product', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING`,
        [
          a.dec("lotId"),
          speciesText(a.str("species")),
          a.num("weightGrams"),
          s,
          e.block,
          time,
          e.txHash,
          gtin14(a.big("gtin")),
          lotNumberText(a.str("lotNumber")),
          a.dec("processId"),
          frozen,
        ],
      );
      return;
    }
    case "LotsProcessed": {
      const processId = a.dec("processId");
      const manufacturerId = a.num("manufacturerId");
      const inputs = a.bigs("inputLotIds").map(String);
      const consumed = a.bigs("consumedGrams");
      const outputs = a.bigs("productLotIds").map(String);
      await sql.query(
        `INSERT INTO processes (process_id, manufacturer_id, produced_grams, yield_bps, block, time, tx_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [processId, manufacturerId, a.num("producedGrams"), a.num("yieldBps"), e.block, time, e.txHash],
      );
      // Every input × every output, in one statement.
      await sql.query(
        `INSERT INTO lineage (parent_id, child_id, process_id, consumed_grams)
         SELECT p.parent, c.child, $3, p.grams
         FROM unnest($1::numeric[], $4::bigint[]) AS p(parent, grams) CROSS JOIN unnest($2::numeric[]) AS c(child)
         ON CONFLICT DO NOTHING`,
        [inputs, outputs, processId, inputs.map((_, i) => (consumed[i] ?? 0n).toString())],
      );
      // The products inherit the inputs' alarm flags, and carry their own form (ProductLotCreated, logged before).
      const [inherited] = await sql.query<{ bits: number | null }>(
        `SELECT bit_or(flags)::int AS bits FROM lot_stages WHERE stage = $1 AND lot_id = ANY($2::numeric[])`,
        [s, inputs],
      );
      await sql.query(
        `INSERT INTO lot_stages (lot_id, stage, custodian_id, status, flags)
         SELECT c, $2, $3, 'Created', $4::int | (CASE WHEN l.frozen THEN $5::int ELSE 0 END)
         FROM unnest($1::numeric[]) AS c LEFT JOIN lots l ON l.lot_id = c ON CONFLICT DO NOTHING`,
        [outputs, s, manufacturerId, (inherited?.bits ?? 0) & INHERITED, LOT_FLAGS.FROZEN],
      );
      return;
    }
    case "OrderPlaced":
      await sql.query(
        `INSERT INTO orders (stage, order_id, seller_id, buyer_id, species, weight_grams, price, ship_by, ack_window,
           state, placed_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'Ordered', $10) ON CONFLICT DO NOTHING`,
        [
          s,
          a.dec("orderId"),
          a.num("sellerId"),
          a.num("buyerId"),
          speciesText(a.str("species")),
          a.num("weightGrams"),
          a.dec("price"),
          a.num("shipBy"),
          a.num("ackWindow"),
          time,
        ],
      );
      return;
    case "ShipmentInitiated": {
      const orderId = a.dec("orderId");
      const lotIds = a.bigs("lotIds").map(String);
      await sql.query(
        `INSERT INTO shipments (stage, order_id, shipment_no, weight_grams, block, time, tx_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [s, orderId, a.dec("shipmentNo"), a.num("weightGrams"), e.block, time, e.txHash],
      );
      await sql.query(
        `INSERT INTO shipment_lots (stage, order_id, lot_id) SELECT $1, $2, l FROM unnest($3::numeric[]) AS l
         ON CONFLICT DO NOTHING`,
        [s, orderId, lotIds],
      );
      await sql.query(`UPDATE lot_stages SET status = 'Shipped' WHERE stage = $1 AND lot_id = ANY($2::numeric[])`, [
        s,
        lotIds,
      ]);
      await setOrder("Shipped", "shipped_time");
      return;
    }
    case "ShipmentDispatched": {
      const route = a.sub("route");
      await sql.query(
        `UPDATE shipments SET origin = $3, destination = $4, mode = $5, vehicle = $6 WHERE stage = $1 AND order_id = $2`,
        [
          s,
          a.dec("orderId"),
          textOf(route.str("origin")),
          textOf(route.str("destination")),
          TRANSPORT_MODES[route.num("mode")] ?? String(route.num("mode")),
          textOf(route.str("vehicle")),
        ],
      );
      return;
    }
    case "ShipmentArrived":
      await sql.query(`UPDATE shipments SET arrived_location = $3 WHERE stage = $1 AND order_id = $2`, [
        s,
        a.dec("orderId"),
        textOf(a.str("location")),
      ]);
      return;
    case "DeliveryConfirmed":
      await setOrder("Delivered", "delivered_time");
      return;
    case "OrderAcknowledged":
      await setOrder("Acknowledged", "settled_time");
      return;
    case "OrderPaid":
      await setOrder("Paid");
      return;
    case "OrderCancelled":
      await setOrder("Cancelled");
      return;
    case "OrderRefunded":
      await setOrder("Refunded");
      return;
    case "DeliveryRejected":
      await sql.query(`UPDATE orders SET state = 'Rejected', reject_reason = $3 WHERE stage = $1 AND order_id = $2`, [
        s,
        a.dec("orderId"),
        textOf(a.str("reason")),
      ]);
      await sql.query(
        `UPDATE lot_stages SET status = 'Created'
         WHERE stage = $1 AND lot_id IN (SELECT lot_id FROM shipment_lots WHERE stage = $1 AND order_id = $2)`,
        [s, a.dec("orderId")],
      );
      return;
    case "CustodyTransferred":
      await sql.query(
        `INSERT INTO custody (block, log_index, stage, lot_id, from_id, to_id, order_id, time, tx_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
        [...at, s, a.dec("lotId"), a.num("fromId"), a.num("toId"), a.dec("orderId"), time, e.txHash],
      );
      await sql.query(`UPDATE lot_stages SET status = 'Supplied' WHERE lot_id = $1 AND stage = $2`, [
        a.dec("lotId"),
        s,
      ]);
      return;
    case "LotReceived":
      // The lot word handed over keeps its flags: copy them from the previous stage.
      await sql.query(
        `INSERT INTO lot_stages (lot_id, stage, custodian_id, status, flags, received_order, received_time)
         VALUES ($1::numeric, $2::int, $3, 'Created',
           COALESCE((SELECT flags FROM lot_stages WHERE lot_id = $1::numeric AND stage = $2::int - 1), 0), $4, $5)
         ON CONFLICT DO NOTHING`,
        [a.dec("lotId"), s, a.num("custodianId"), a.dec("orderId"), time],
      );
      return;
    case "FishUpdated":
      await sql.query(
        `INSERT INTO readings (block, log_index, stage, lot_id, reporter_id, read_at, temperature, humidity, latitude,
           longitude) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
        [
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
      );
      return;
    case "ColdChainExcursion":
      await flag("cold_chain", s, {
        readAt: a.num("readAt"),
        temperature: a.num("temperature"),
        minimum: a.num("minimum"),
        maximum: a.num("maximum"),
      });
      await orFlags(a.dec("lotId"), s, LOT_FLAGS.EXCURSION);
      return;
    case "LotFlagged":
      await flag("flagged", s, { flags: a.num("flags") });
      await orFlags(a.dec("lotId"), s, a.num("flags"));
      return;
    case "ProblemReported":
      await flag("problem", s, {
        customerId: a.num("customerId"),
        reason: PROBLEM_REASONS[a.num("reason")] ?? String(a.num("reason")),
        detail: textOf(a.str("detail")),
      });
      await orFlags(a.dec("lotId"), s, LOT_FLAGS.PROBLEM_REPORTED);
      return;
    case "FishRemoved":
      await sql.query(
        `UPDATE lot_stages SET status = 'Removed', removed_reason = $3 WHERE lot_id = $1 AND stage = $2`,
        [a.dec("lotId"), s, REMOVAL_REASONS[a.num("reason")] ?? String(a.num("reason"))],
      );
      return;
    case "LotRecalled":
      await sql.query(
        `INSERT INTO recalls (lot_id, stage, regulator_id, reason, block, log_index, time, tx_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [a.dec("lotId"), s, a.num("regulatorId"), textOf(a.str("reason")), ...at, time, e.txHash],
      );
      await orFlags(a.dec("lotId"), s, LOT_FLAGS.RECALLED);
      return;
    default:
      return;
  }
}
