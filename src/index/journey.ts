/**
 * The facts an export needs, read from the trace index (src/index/schema.ts) with SQL: the lots, the parties, the
 * lineage edges and the events of one scope — a lot's history (the lot, its ancestors and its descendants through
 * `lineage`), one actor's events, or a time range — in chain order. The EPCIS and FSMA 204 writers
 * (src/exports/epcis.ts, src/exports/fsma.ts) read nothing else.
 */
import type { Sql } from "./db.js";
import type { Journey, JourneyEvent, JourneyScope, LotFacts } from "../core/api/journey-types.js";
import type { LineageEdge, Party } from "../core/trace/types.js";
import { InputError } from "../core/input-error.js";
import { fixedTextOf } from "../core/units.js";
import {
  bigintList,
  bigintOf,
  numberOf,
  numberOrZero,
  optionalNumber,
  partyRow,
  textOf,
  textOrEmpty,
  type Row,
} from "./rows.js";

export type {
  At,
  CatchFacts,
  Journey,
  JourneyEvent,
  JourneyEventKind,
  JourneyScope,
  LotFacts,
  Route,
} from "../core/api/journey-types.js";

/** The ids of the lots reached from `lotId` through `lineage` one way, transitively (not the lot itself). */
async function lineageWalk(sql: Sql, lotId: bigint, way: "up" | "down"): Promise<bigint[]> {
  const [from, to] = way === "up" ? ["child_id", "parent_id"] : ["parent_id", "child_id"];
  const rows = await sql.query<{ lot_id: string }>(
    `WITH RECURSIVE walk(lot_id) AS (
       SELECT $1::numeric UNION SELECT l.${to} FROM lineage l JOIN walk ON l.${from} = walk.lot_id)
     SELECT lot_id::text AS lot_id FROM walk WHERE lot_id <> $1::numeric`,
    [lotId.toString()],
  );
  return rows.map((r) => BigInt(r.lot_id));
}

/** The ids of the lots `lotId` was made from through `lineage`, transitively (its ancestors; not the lot itself). */
export function lotAncestors(sql: Sql, lotId: bigint): Promise<bigint[]> {
  return lineageWalk(sql, lotId, "up");
}

/** The ids of the lots made from `lotId` through `lineage`, transitively (its descendants; not the lot itself). */
export function lotDescendants(sql: Sql, lotId: bigint): Promise<bigint[]> {
  return lineageWalk(sql, lotId, "down");
}

/** The ids of `lotId`'s ancestors and descendants through `lineage`, the lot itself included (first). */
export async function lotClosure(sql: Sql, lotId: bigint): Promise<bigint[]> {
  return [lotId, ...(await lotAncestors(sql, lotId)), ...(await lotDescendants(sql, lotId))];
}

/** The participant whose id or account is `ref`. */
export async function participantRef(sql: Sql, ref: string): Promise<number> {
  const value = ref.trim();
  if (/^\d+$/.test(value)) {
    const rows = await sql.query<{ id: number }>("SELECT id FROM participants WHERE id = $1", [Number(value)]);
    if (rows[0] === undefined) throw new InputError(`--actor ${value}: no participant with that id in the index`);
    return Number(rows[0].id);
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
    throw new InputError(`--actor "${ref}" is neither a participant id nor an account address`);
  }
  const rows = await sql.query<{ id: number }>("SELECT id FROM participants WHERE lower(account) = lower($1)", [value]);
  if (rows[0] === undefined) throw new InputError(`--actor ${value} is not an enrolled participant in the index`);
  return Number(rows[0].id);
}

/** The lots of a query's scope, `$1` (null: every lot). */
type LotScope = string[] | null;

/** `column` is one of the scope's lots (`$1`; every lot when it is null). */
const LOT_FILTER = (column: string) => `($1::numeric[] IS NULL OR ${column} = ANY($1::numeric[]))`;

/** Every fact of the index that concerns `lots` (null: every lot), one loader per kind of event. */
async function loadEvents(sql: Sql, lots: LotScope, withBulk = true): Promise<JourneyEvent[]> {
  const catches = await loadCatches(sql, lots);
  const transforms = await loadTransforms(sql, lots);
  const { ships, orderLots } = await loadShipments(sql, lots);
  const receipts = await loadReceipts(sql, lots);
  // Orders: those whose shipments or receipts carry a lot of the scope (every order for the whole index).
  const orderKeys = new Set(orderLots.keys());
  for (const r of receipts) orderKeys.add(`${r.stage - 1}:${r.orderId}`);
  const orders = await loadOrders(sql, lots === null ? null : [...orderKeys], orderLots);
  return [
    ...catches,
    ...transforms,
    ...ships,
    ...receipts,
    ...orders,
    ...(withBulk ? await loadScans(sql, lots) : []),
    ...(await loadSensorBatches(sql, lots)),
    ...(withBulk ? await loadReadings(sql, lots) : []),
    ...(await loadRecalls(sql, lots)),
    ...(await loadTransshipments(sql, lots)),
    ...(await loadPacking(sql, lots)),
  ];
}

/**
 * Where an event sits that the index keeps without its log index (ordered among its block's events by kind): the
 * row's time and block columns and its transaction.
 */
function inBlock(r: Row, time = "time", block = "block"): Pick<JourneyEvent, "time" | "block" | "logIndex" | "txHash"> {
  return { time: numberOf(r, time), block: numberOf(r, block), logIndex: -1, txHash: textOf(r, "tx_hash") };
}

/** The catches (FishRegistered) among `lots`. */
async function loadCatches(sql: Sql, lots: LotScope): Promise<JourneyEvent[]> {
  const rows = await sql.query<Row>(
    `SELECT lot_id::text, harvester_id, created_time, created_block, tx_hash FROM lots
     WHERE kind = 'catch' AND ${LOT_FILTER("lot_id")}`,
    [lots],
  );
  return rows.map((r) => ({
    kind: "catch",
    lotId: bigintOf(r, "lot_id"),
    harvesterId: numberOrZero(r.harvester_id),
    ...inBlock(r, "created_time", "created_block"),
  }));
}

/** The processings that consumed or made one of `lots`, with every input and output lot of each. */
async function loadTransforms(sql: Sql, lots: LotScope): Promise<JourneyEvent[]> {
  const processes = await sql.query<Row>(
    `SELECT p.process_id::text, p.manufacturer_id, p.block, p.time, p.tx_hash FROM processes p
     WHERE $1::numeric[] IS NULL OR EXISTS (SELECT 1 FROM lineage l WHERE l.process_id = p.process_id
       AND (l.parent_id = ANY($1::numeric[]) OR l.child_id = ANY($1::numeric[])))`,
    [lots],
  );
  if (processes.length === 0) return [];
  const ids = processes.map((r) => textOf(r, "process_id"));
  const edges = await sql.query<Row>(
    `SELECT process_id::text, parent_id::text, child_id::text, consumed_grams FROM lineage
     WHERE process_id = ANY($1::numeric[]) ORDER BY parent_id, child_id`,
    [ids],
  );
  const outputs = await sql.query<Row>(
    `SELECT process_id::text, lot_id::text, weight_grams FROM lots WHERE process_id = ANY($1::numeric[])
     ORDER BY created_block, lot_id`,
    [ids],
  );
  return processes.map((r) => {
    const id = textOf(r, "process_id");
    const inputs = new Map<string, number>();
    for (const e of edges.filter((e) => e.process_id === id)) {
      inputs.set(textOf(e, "parent_id"), numberOf(e, "consumed_grams"));
    }
    return {
      kind: "transform",
      processId: BigInt(id),
      manufacturerId: numberOf(r, "manufacturer_id"),
      inputs: [...inputs].map(([lotId, consumedGrams]) => ({ lotId: BigInt(lotId), consumedGrams })),
      outputs: outputs
        .filter((o) => o.process_id === id)
        .map((o) => ({ lotId: bigintOf(o, "lot_id"), grams: numberOf(o, "weight_grams") })),
      ...inBlock(r),
    };
  });
}

/** The shipments carrying one of `lots`, with their lots and the order's parties; and the lots by order key. */
async function loadShipments(
  sql: Sql,
  lots: LotScope,
): Promise<{ ships: JourneyEvent[]; orderLots: Map<string, bigint[]> }> {
  const rows = await sql.query<Row>(
    `SELECT s.stage, s.order_id::text, s.shipment_no::text, s.weight_grams, s.origin, s.destination, s.mode,
            s.vehicle, s.block, s.time, s.tx_hash, o.seller_id, o.buyer_id,
            array_agg(sl.lot_id::text ORDER BY sl.lot_id) AS lot_ids
     FROM shipments s JOIN orders o USING (stage, order_id)
     JOIN shipment_lots sl USING (stage, order_id)
     WHERE $1::numeric[] IS NULL OR EXISTS (SELECT 1 FROM shipment_lots x WHERE x.stage = s.stage
       AND x.order_id = s.order_id AND x.lot_id = ANY($1::numeric[]))
     GROUP BY s.stage, s.order_id, s.shipment_no, s.weight_grams, s.origin, s.destination, s.mode, s.vehicle,
              s.block, s.time, s.tx_hash, o.seller_id, o.buyer_id`,
    [lots],
  );
  const orderLots = new Map<string, bigint[]>();
  const ships = rows.map((r): JourneyEvent => {
    const lotIds = bigintList(r, "lot_ids");
    orderLots.set(`${numberOf(r, "stage")}:${textOf(r, "order_id")}`, lotIds);
    const route =
      r.origin === null || r.origin === undefined
        ? undefined
        : {
            origin: textOrEmpty(r.origin),
            destination: textOrEmpty(r.destination),
            mode: textOrEmpty(r.mode),
            vehicle: textOrEmpty(r.vehicle),
          };
    return {
      kind: "ship",
      stage: numberOf(r, "stage"),
      orderId: bigintOf(r, "order_id"),
      shipmentNo: bigintOf(r, "shipment_no"),
      weightGrams: numberOf(r, "weight_grams"),
      lotIds,
      fromId: numberOf(r, "seller_id"),
      toId: numberOf(r, "buyer_id"),
      ...(route === undefined ? {} : { route }),
      ...inBlock(r),
    };
  });
  return { ships, orderLots };
}

/** Receipts of `lots`: the lots a stage received with one order of the previous stage, at the custody transfer. */
async function loadReceipts(sql: Sql, lots: LotScope): Promise<(JourneyEvent & { kind: "receive" })[]> {
  const rows = await sql.query<Row>(
    `SELECT ls.stage, ls.received_order::text AS order_id, ls.custodian_id, ls.received_time,
            o.seller_id, s.arrived_location, min(c.block) AS block, min(c.log_index) AS log_index,
            min(c.tx_hash) AS tx_hash, array_agg(ls.lot_id::text ORDER BY ls.lot_id) AS lot_ids
     FROM lot_stages ls
     LEFT JOIN orders o ON o.stage = ls.stage - 1 AND o.order_id = ls.received_order
     LEFT JOIN shipments s ON s.stage = ls.stage - 1 AND s.order_id = ls.received_order
     LEFT JOIN custody c ON c.stage = ls.stage - 1 AND c.lot_id = ls.lot_id AND c.order_id = ls.received_order
     WHERE ls.stage > 1 AND ls.received_order IS NOT NULL AND ${LOT_FILTER("ls.lot_id")}
     GROUP BY ls.stage, ls.received_order, ls.custodian_id, ls.received_time, o.seller_id, s.arrived_location`,
    [lots],
  );
  return rows.map((r) => {
    const arrived = textOrEmpty(r.arrived_location);
    return {
      kind: "receive",
      stage: numberOf(r, "stage"),
      orderId: bigintOf(r, "order_id"),
      lotIds: bigintList(r, "lot_ids"),
      fromId: numberOrZero(r.seller_id),
      toId: numberOf(r, "custodian_id"),
      ...(arrived === "" ? {} : { arrivedLocation: arrived }),
      time: numberOrZero(r.received_time),
      block: optionalNumber(r.block) ?? 0,
      logIndex: optionalNumber(r.log_index) ?? -1,
      txHash: textOrEmpty(r.tx_hash),
    };
  });
}

/** How an order ended, by its state; undefined while it is open. */
function orderEnd(state: string): "settled" | "cancelled" | "rejected" | "refunded" | undefined {
  if (state === "Acknowledged" || state === "Paid") return "settled";
  if (state === "Cancelled") return "cancelled";
  if (state === "Rejected") return "rejected";
  return state === "Refunded" ? "refunded" : undefined;
}

/**
 * The orders of `keys` ("<stage>:<order id>"; null: every order): each placed, and settled, cancelled, rejected or
 * refunded when it ended so; with the lots `orderLots` says it carried.
 */
async function loadOrders(
  sql: Sql,
  keys: string[] | null,
  orderLots: ReadonlyMap<string, bigint[]>,
): Promise<JourneyEvent[]> {
  const rows = await sql.query<Row>(
    `SELECT stage, order_id::text, seller_id, buyer_id, species, weight_grams, price::text, state, placed_time,
            delivered_time, settled_time, shipped_time FROM orders
     WHERE $1::text[] IS NULL OR (stage::text || ':' || order_id::text) = ANY($1::text[])`,
    [keys],
  );
  return rows.flatMap((r) => {
    const base = {
      kind: "order" as const,
      stage: numberOf(r, "stage"),
      orderId: bigintOf(r, "order_id"),
      sellerId: numberOf(r, "seller_id"),
      buyerId: numberOf(r, "buyer_id"),
      species: textOf(r, "species"),
      weightGrams: numberOf(r, "weight_grams"),
      price: bigintOf(r, "price"),
      lotIds: orderLots.get(`${numberOf(r, "stage")}:${textOf(r, "order_id")}`) ?? [],
      block: 0,
      logIndex: -1,
      txHash: "",
    };
    const placed: JourneyEvent = { ...base, phase: "placed", time: numberOf(r, "placed_time") };
    const end = optionalNumber(r.settled_time) ?? optionalNumber(r.delivered_time) ?? optionalNumber(r.shipped_time);
    const phase = orderEnd(textOf(r, "state"));
    return phase !== undefined && end !== undefined ? [placed, { ...base, phase, time: end }] : [placed];
  });
}

/** The anchored sensor batches covering one of `lots`, with whether an excursion was raised in their block. */
async function loadSensorBatches(sql: Sql, lots: LotScope): Promise<JourneyEvent[]> {
  const rows = await sql.query<Row>(
    `SELECT b.root, b.gateway_id, b.stage, b.from_time, b.to_time, b.count, b.minimum, b.maximum, b.mean, b.block,
            b.time, b.tx_hash, array_agg(bl.lot_id::text ORDER BY bl.lot_id) AS lot_ids,
            EXISTS (SELECT 1 FROM flags f WHERE f.kind = 'excursion' AND f.block = b.block
                    AND f.lot_id IN (SELECT lot_id FROM sensor_batch_lots WHERE root = b.root)) AS excursion
     FROM sensor_batches b JOIN sensor_batch_lots bl USING (root)
     WHERE $1::numeric[] IS NULL OR EXISTS (SELECT 1 FROM sensor_batch_lots x WHERE x.root = b.root
       AND x.lot_id = ANY($1::numeric[]))
     GROUP BY b.root, b.gateway_id, b.stage, b.from_time, b.to_time, b.count, b.minimum, b.maximum, b.mean,
              b.block, b.time, b.tx_hash`,
    [lots],
  );
  return rows.map((r) => ({
    kind: "sensor",
    root: textOf(r, "root"),
    gatewayId: numberOf(r, "gateway_id"),
    stage: numberOf(r, "stage"),
    lotIds: bigintList(r, "lot_ids"),
    from: numberOf(r, "from_time"),
    to: numberOf(r, "to_time"),
    count: numberOf(r, "count"),
    minimum: numberOf(r, "minimum"),
    maximum: numberOf(r, "maximum"),
    mean: numberOf(r, "mean"),
    excursion: r.excursion === true,
    ...inBlock(r),
  }));
}

/** The recalls of `lots`, one per lot and stage. */
/**
 * The transshipments (FishTransshipped) of `lots`: read from the raw events the index keeps, one journey event per
 * transaction with the lots it moved.
 */
async function loadTransshipments(sql: Sql, lots: LotScope): Promise<JourneyEvent[]> {
  const rows = await sql.query<Row>(
    `SELECT e.block, e.log_index, e.tx_hash, b.time, e.args->>'lotId' AS lot_id, e.args->>'harvesterId' AS harvester_id,
       e.args->>'carrier' AS carrier, e.args->>'latitude' AS latitude, e.args->>'longitude' AS longitude,
       e.args->>'transshippedAt' AS transshipped_at
     FROM events e JOIN blocks b ON b.number = e.block
     WHERE e.contract = 'harvester' AND e.name = 'FishTransshipped' AND ${LOT_FILTER("(e.args->>'lotId')::numeric")}
     ORDER BY e.block, e.log_index`,
    [lots],
  );
  const byTx = new Map<string, JourneyEvent & { kind: "transship" }>();
  for (const r of rows) {
    const tx = textOf(r, "tx_hash");
    const known = byTx.get(tx);
    if (known !== undefined) {
      known.lotIds.push(bigintOf(r, "lot_id"));
      continue;
    }
    byTx.set(tx, {
      kind: "transship",
      lotIds: [bigintOf(r, "lot_id")],
      harvesterId: numberOf(r, "harvester_id"),
      carrier: fixedTextOf(textOf(r, "carrier")),
      latitude: numberOf(r, "latitude") / 1e5,
      longitude: numberOf(r, "longitude") / 1e5,
      transshippedAt: numberOf(r, "transshipped_at"),
      time: numberOf(r, "time"),
      block: numberOf(r, "block"),
      logIndex: numberOf(r, "log_index"),
      txHash: tx,
    });
  }
  return [...byTx.values()];
}

/**
 * The packing and unpacking (Packing: Packed, Unpacked) of the logistic units holding one of `lots`, with every lot
 * of the unit, and of the pallets holding those units (UnitsPacked, UnitsUnpacked), with every unit of the pallet:
 * one journey event each.
 */
async function loadPacking(sql: Sql, lots: LotScope): Promise<JourneyEvent[]> {
  const UNPACKED = `unpack_stage, unpacker_id, unpacked_block, unpacked_log_index, unpacked_time, unpacked_tx_hash`;
  const lotRows = await sql.query<Row>(
    `SELECT sscc::text, lot_id::text AS child, weight_grams, stage, packer_id, block, log_index, time, tx_hash, ${UNPACKED}
     FROM unit_lots
     WHERE $1::numeric[] IS NULL OR sscc IN (SELECT sscc FROM unit_lots WHERE lot_id = ANY($1::numeric[]))
     ORDER BY block, log_index, lot_id`,
    [lots],
  );
  const unitRows = await sql.query<Row>(
    `SELECT sscc::text, child_sscc::text AS child, stage, packer_id, block, log_index, time, tx_hash, ${UNPACKED}
     FROM unit_units
     WHERE $1::numeric[] IS NULL OR sscc IN (
       SELECT p.sscc FROM unit_units p JOIN unit_lots l ON l.sscc = p.child_sscc WHERE l.lot_id = ANY($1::numeric[]))
     ORDER BY block, log_index, position`,
    [lots],
  );
  return [
    ...packEvents(lotRows, (event, r) => {
      event.lotIds.push(bigintOf(r, "child"));
      event.grams.push(numberOf(r, "weight_grams"));
    }),
    ...packEvents(unitRows, (event, r) => event.units.push(bigintOf(r, "child"))),
  ];
}

type PackEvent = JourneyEvent & { kind: "pack" };

/**
 * The packing (and unpacking, once unpacked) events of the logistic units in `rows` (one row per unit and item,
 * `unit_lots` or `unit_units`, in packing order); `add` puts a row's item into an event.
 */
function packEvents(rows: readonly Row[], add: (event: PackEvent, row: Row) => void): PackEvent[] {
  const units = new Map<string, { packed: PackEvent; unpacked?: PackEvent }>();
  const event = (r: Row, action: "ADD" | "DELETE", prefix: "" | "unpacked_"): PackEvent => ({
    kind: "pack",
    action,
    sscc: bigintOf(r, "sscc"),
    stage: numberOf(r, prefix === "" ? "stage" : "unpack_stage"),
    actorId: numberOf(r, prefix === "" ? "packer_id" : "unpacker_id"),
    lotIds: [],
    grams: [],
    units: [],
    time: numberOf(r, `${prefix}time`),
    block: numberOf(r, `${prefix}block`),
    logIndex: numberOf(r, `${prefix}log_index`),
    txHash: textOf(r, `${prefix}tx_hash`),
  });
  for (const r of rows) {
    const sscc = textOf(r, "sscc");
    let unit = units.get(sscc);
    if (unit === undefined) {
      unit = { packed: event(r, "ADD", "") };
      if (optionalNumber(r.unpacked_time) !== undefined) unit.unpacked = event(r, "DELETE", "unpacked_");
      units.set(sscc, unit);
    }
    add(unit.packed, r);
    if (unit.unpacked !== undefined) add(unit.unpacked, r);
  }
  return [...units.values()].flatMap((u) => (u.unpacked === undefined ? [u.packed] : [u.packed, u.unpacked]));
}

async function loadRecalls(sql: Sql, lots: LotScope): Promise<JourneyEvent[]> {
  const rows = await sql.query<Row>(
    `SELECT lot_id::text, stage, regulator_id, reason, block, log_index, time, tx_hash FROM recalls
     WHERE ${LOT_FILTER("lot_id")}`,
    [lots],
  );
  return rows.map((r) => ({
    kind: "recall",
    lotId: bigintOf(r, "lot_id"),
    stage: numberOf(r, "stage"),
    regulatorId: numberOf(r, "regulator_id"),
    reason: textOf(r, "reason"),
    time: numberOf(r, "time"),
    block: numberOf(r, "block"),
    logIndex: numberOf(r, "log_index"),
    txHash: textOf(r, "tx_hash"),
  }));
}

const SCAN_COLUMNS = `lot_id::text, device_id, reading_id::text, species, species_confidence, grade, grade_confidence,
            scanned_at, block, log_index, tx_hash`;
const READING_COLUMNS = `r.lot_id::text, r.stage, r.reporter_id, r.read_at, r.temperature, r.humidity, r.latitude,
            r.longitude, r.block, r.log_index, e.tx_hash`;

function scanOf(r: Row): JourneyEvent {
  return {
    kind: "scan",
    lotId: bigintOf(r, "lot_id"),
    deviceId: numberOf(r, "device_id"),
    readingId: bigintOf(r, "reading_id"),
    species: textOf(r, "species"),
    speciesConfidence: numberOf(r, "species_confidence"),
    grade: numberOf(r, "grade"),
    gradeConfidence: numberOf(r, "grade_confidence"),
    time: numberOf(r, "scanned_at"),
    block: numberOf(r, "block"),
    logIndex: numberOf(r, "log_index"),
    txHash: textOf(r, "tx_hash"),
  };
}

function readingOf(r: Row): JourneyEvent {
  const latitude = optionalNumber(r.latitude);
  const longitude = optionalNumber(r.longitude);
  return {
    kind: "reading",
    lotId: bigintOf(r, "lot_id"),
    stage: numberOf(r, "stage"),
    reporterId: numberOf(r, "reporter_id"),
    temperature: numberOf(r, "temperature"),
    humidity: numberOf(r, "humidity"),
    ...(latitude === undefined || longitude === undefined
      ? {}
      : { latitude: latitude / 1e5, longitude: longitude / 1e5 }),
    time: numberOf(r, "read_at"),
    block: numberOf(r, "block"),
    logIndex: numberOf(r, "log_index"),
    // The event's transaction, where `events` still holds it.
    txHash: textOrEmpty(r.tx_hash),
  };
}

/** The QAT scans of `lots`. */
async function loadScans(sql: Sql, lots: LotScope): Promise<JourneyEvent[]> {
  const rows = await sql.query<Row>(`SELECT ${SCAN_COLUMNS} FROM scans WHERE ${LOT_FILTER("lot_id")}`, [lots]);
  return rows.map(scanOf);
}

/** The cold-chain readings of `lots`. */
async function loadReadings(sql: Sql, lots: LotScope): Promise<JourneyEvent[]> {
  const rows = await sql.query<Row>(
    `SELECT ${READING_COLUMNS} FROM readings r LEFT JOIN events e USING (block, log_index)
     WHERE ${LOT_FILTER("r.lot_id")}`,
    [lots],
  );
  return rows.map(readingOf);
}

/**
 * One page of the bulk events of `lots` — QAT scans and cold-chain readings, the lists any registered device can make
 * long — in chain order (`compareEvents`: time, block, scans before readings, log index), read with LIMIT/OFFSET so
 * that a lot with tens of thousands of scans costs one page, with the counts by kind.
 */
export async function loadBulkPage(
  sql: Sql,
  lots: string[],
  page: BulkPage,
): Promise<{ events: JourneyEvent[]; total: { scan: number; reading: number } }> {
  const [counts] = await sql.query<{ scans: string | number; readings: string | number }>(
    `SELECT (SELECT count(*) FROM scans WHERE lot_id = ANY($1::numeric[])) AS scans,
            (SELECT count(*) FROM readings WHERE lot_id = ANY($1::numeric[])) AS readings`,
    [lots],
  );
  const keys = await sql.query<{ kind: string; block: string | number; log_index: string | number }>(
    `SELECT kind, block, log_index FROM (
       SELECT 'scan' AS kind, scanned_at AS time, block, ${rank({ kind: "scan" })} AS rank, log_index
         FROM scans WHERE lot_id = ANY($1::numeric[])
       UNION ALL
       SELECT 'reading', read_at, block, ${rank({ kind: "reading" })}, log_index
         FROM readings WHERE lot_id = ANY($1::numeric[])
     ) bulk ORDER BY time, block, rank, log_index LIMIT $2 OFFSET $3`,
    [lots, page.limit, page.offset],
  );
  const wanted = (kind: string) => keys.filter((k) => k.kind === kind).map((k) => `${k.block}:${k.log_index}`);
  const scanKeys = wanted("scan");
  const readingKeys = wanted("reading");
  const scans =
    scanKeys.length === 0
      ? []
      : await sql.query<Row>(
          `SELECT ${SCAN_COLUMNS} FROM scans
           WHERE lot_id = ANY($1::numeric[]) AND (block::text || ':' || log_index::text) = ANY($2::text[])`,
          [lots, scanKeys],
        );
  const readings =
    readingKeys.length === 0
      ? []
      : await sql.query<Row>(
          `SELECT ${READING_COLUMNS} FROM readings r LEFT JOIN events e USING (block, log_index)
           WHERE r.lot_id = ANY($1::numeric[]) AND (r.block::text || ':' || r.log_index::text) = ANY($2::text[])`,
          [lots, readingKeys],
        );
  const events = [...scans.map(scanOf), ...readings.map(readingOf)].sort(compareEvents);
  if (counts === undefined) throw new Error("the index returned no bulk event counts");
  return { events, total: { scan: numberOf(counts, "scans"), reading: numberOf(counts, "readings") } };
}

/** A page of a journey's bulk events (scans and readings): from `offset`, at most `limit`. */
export interface BulkPage {
  offset: number;
  limit: number;
}

/** Where events go among those of the same time whose blocks are not known to differ. */
function rank(event: Pick<JourneyEvent, "kind"> & { phase?: string }): number {
  if (event.kind === "order") return event.phase === "placed" ? 0 : 5;
  return {
    catch: 1,
    transship: 2,
    transform: 2,
    pack: 3,
    ship: 3,
    receive: 4,
    scan: 6,
    reading: 7,
    sensor: 8,
    recall: 9,
  }[event.kind];
}

/** Chain order: by time, then block (where both are known), then kind, then log index. */
export function compareEvents(a: JourneyEvent, b: JourneyEvent): number {
  return (
    a.time - b.time ||
    (a.block > 0 && b.block > 0 ? a.block - b.block : 0) ||
    rank(a) - rank(b) ||
    a.logIndex - b.logIndex ||
    (a.kind === "order" && b.kind === "order" ? a.stage - b.stage || Number(a.orderId - b.orderId) : 0)
  );
}

/** The lots an event names. */
export function lotsOf(event: JourneyEvent): bigint[] {
  switch (event.kind) {
    case "catch":
    case "scan":
    case "reading":
    case "recall":
      return [event.lotId];
    case "transform":
      return [...event.inputs.map((i) => i.lotId), ...event.outputs.map((o) => o.lotId)];
    default:
      return event.lotIds;
  }
}

/** The participants an event names. */
function partiesOf(event: JourneyEvent): number[] {
  switch (event.kind) {
    case "catch":
    case "transship":
      return [event.harvesterId];
    case "transform":
      return [event.manufacturerId];
    case "order":
      return [event.sellerId, event.buyerId];
    case "ship":
    case "receive":
      return [event.fromId, event.toId];
    case "scan":
      return [event.deviceId];
    case "sensor":
      return [event.gatewayId];
    case "reading":
      return [event.reporterId];
    case "recall":
      return [event.regulatorId];
    case "pack":
      return [event.actorId];
  }
}

async function lotsOfActor(sql: Sql, id: number): Promise<string[]> {
  const rows = await sql.query<{ lot_id: string }>(
    `SELECT lot_id::text AS lot_id FROM lot_stages WHERE custodian_id = $1
     UNION SELECT lot_id::text FROM lots WHERE harvester_id = $1
     UNION SELECT l.lot_id::text FROM lots l JOIN processes p USING (process_id) WHERE p.manufacturer_id = $1
     UNION SELECT sl.lot_id::text FROM shipment_lots sl JOIN orders o USING (stage, order_id)
       WHERE o.seller_id = $1 OR o.buyer_id = $1`,
    [id],
  );
  return rows.map((r) => r.lot_id);
}

/**
 * Whether `actor` took part in `event`: a party of it, or — for a scan, sensor batch, reading or recall — the
 * custodian of one of its lots where and when it happened.
 */
function involves(
  event: JourneyEvent,
  actor: number,
  holds: (lotId: bigint, stage: number | undefined, at: number) => boolean,
): boolean {
  if (partiesOf(event).includes(actor)) return true;
  switch (event.kind) {
    case "scan":
      return holds(event.lotId, undefined, event.time);
    case "sensor":
      return event.lotIds.some((lot) => holds(lot, event.stage, event.time));
    case "reading":
    case "recall":
      return holds(event.lotId, event.stage, event.time);
    default:
      return false;
  }
}

/** Reads the facts of `scope` from the index. */
export async function loadJourney(
  sql: Sql,
  scope: JourneyScope,
  chainId: bigint,
  options: { bulk?: BulkPage } = {},
): Promise<Journey> {
  let events: JourneyEvent[];
  let closure: bigint[] | undefined;
  let bulk: Journey["bulk"];
  if (scope.kind === "lot") {
    const known = await sql.query("SELECT 1 FROM lots WHERE lot_id = $1::numeric", [scope.lotId.toString()]);
    if (known.length === 0) throw new InputError(`lot ${scope.lotId} is not in the index`);
    closure = await lotClosure(sql, scope.lotId);
    events = await loadEvents(sql, closure.map(String), options.bulk === undefined);
    if (options.bulk !== undefined) {
      const page = await loadBulkPage(sql, closure.map(String), options.bulk);
      events.push(...page.events);
      bulk = { ...options.bulk, total: page.total };
    }
  } else if (scope.kind === "actor") {
    const lots = await lotsOfActor(sql, scope.participantId);
    const stages = await sql.query<{ lot_id: string; stage: number; custodian_id: number; received_time: unknown }>(
      `SELECT lot_id::text AS lot_id, stage, custodian_id, received_time FROM lot_stages
       WHERE lot_id = ANY($1::numeric[]) ORDER BY stage`,
      [lots],
    );
    const byLot = new Map<string, Array<{ stage: number; custodian: number; since: number }>>();
    for (const r of stages) {
      const list = byLot.get(r.lot_id) ?? [];
      list.push({
        stage: Number(r.stage),
        custodian: Number(r.custodian_id),
        since: optionalNumber(r.received_time) ?? 0,
      });
      byLot.set(r.lot_id, list);
    }
    const holds = (lotId: bigint, stage: number | undefined, at: number): boolean => {
      const list = byLot.get(lotId.toString()) ?? [];
      // A scan names no stage: the lot was where it had most recently arrived.
      const row = stage === undefined ? list.filter((s) => s.since <= at).at(-1) : list.find((s) => s.stage === stage);
      return row?.custodian === scope.participantId;
    };
    events = (await loadEvents(sql, lots)).filter((e) => involves(e, scope.participantId, holds));
  } else {
    if (scope.to < scope.from) throw new InputError(`--to is before --from`);
    events = (await loadEvents(sql, null)).filter((e) => e.time >= scope.from && e.time <= scope.to);
  }
  events.sort(compareEvents);

  const lotIds = new Set<string>();
  for (const e of events) for (const lot of lotsOf(e)) lotIds.add(lot.toString());
  const lots = new Map<bigint, LotFacts>();
  const ids = [...lotIds];
  for (const r of await sql.query<Row>(
    `SELECT lot_id::text, kind, species, weight_grams, origin_stage, created_block, created_time, tx_hash,
            harvester_id, caught_at, latitude, longitude, catch_area, vessel, gear, farmed, frozen, gtin, lot_number,
            process_id::text, (SELECT name FROM species s WHERE s.code = lots.species) AS species_name,
            CASE WHEN kind = 'product' THEN (SELECT manufacturer_id FROM processes p WHERE p.process_id = lots.process_id)
                 WHEN farmed THEN harvester_id
                 ELSE (SELECT custodian_id FROM lot_stages s WHERE s.lot_id = lots.lot_id AND s.stage = 2) END
              AS tlc_source_id
     FROM lots WHERE lot_id = ANY($1::numeric[])`,
    [ids],
  )) {
    const lot: LotFacts = {
      lotId: bigintOf(r, "lot_id"),
      kind: r.kind === "product" ? "product" : "catch",
      species: textOf(r, "species"),
      weightGrams: numberOf(r, "weight_grams"),
      originStage: numberOf(r, "origin_stage"),
      createdAt: numberOf(r, "created_time"),
      createdBlock: numberOf(r, "created_block"),
      txHash: textOf(r, "tx_hash"),
    };
    const speciesName = textOrEmpty(r.species_name);
    if (speciesName !== "") lot.speciesName = speciesName;
    const tlcSource = optionalNumber(r.tlc_source_id);
    if (tlcSource !== undefined) lot.tlcSourceId = tlcSource;
    if (lot.kind === "catch") {
      lot.catch = {
        harvesterId: numberOrZero(r.harvester_id),
        caughtAt: numberOrZero(r.caught_at),
        latitude: numberOrZero(r.latitude) / 1e5,
        longitude: numberOrZero(r.longitude) / 1e5,
        catchArea: textOrEmpty(r.catch_area),
        vessel: textOrEmpty(r.vessel),
        gear: textOrEmpty(r.gear),
        farmed: r.farmed === true,
        frozen: r.frozen === true,
      };
    } else {
      lot.gtin = textOrEmpty(r.gtin);
      lot.lotNumber = textOrEmpty(r.lot_number);
      if (r.process_id !== null && r.process_id !== undefined) lot.processId = bigintOf(r, "process_id");
    }
    lots.set(lot.lotId, lot);
  }

  const edges: LineageEdge[] = (
    await sql.query<Row>(
      `SELECT parent_id::text, child_id::text, process_id::text, consumed_grams FROM lineage
       WHERE parent_id = ANY($1::numeric[]) AND child_id = ANY($1::numeric[]) ORDER BY process_id, parent_id, child_id`,
      [ids],
    )
  ).map((r) => ({
    parent: bigintOf(r, "parent_id"),
    child: bigintOf(r, "child_id"),
    processId: bigintOf(r, "process_id"),
    consumedGrams: numberOf(r, "consumed_grams"),
  }));

  const partyIds = new Set<number>();
  for (const e of events) for (const id of partiesOf(e)) partyIds.add(id);
  for (const lot of lots.values()) {
    if (lot.catch !== undefined) partyIds.add(lot.catch.harvesterId);
    if (lot.tlcSourceId !== undefined) partyIds.add(lot.tlcSourceId);
  }
  const parties = new Map<number, Party>();
  for (const r of await sql.query<Row>(
    "SELECT id, account, name, location FROM participants WHERE id = ANY($1::int[])",
    [[...partyIds]],
  )) {
    const party = partyRow(numberOf(r, "id"), r.account, r.name, r.location);
    parties.set(party.id, party);
  }
  const head = await sql.query<{ n: string | null }>("SELECT max(number)::text AS n FROM blocks");
  return {
    scope,
    chainId,
    lots,
    parties,
    edges,
    events,
    indexedTo: Number(head[0]?.n ?? 0),
    ...(closure === undefined ? {} : { closure: new Set(closure) }),
    ...(bulk === undefined ? {} : { bulk }),
  };
}

/** A party as known to the index, or a placeholder naming its id. */
export function partyOf(journey: Journey, id: number): Party {
  return journey.parties.get(id) ?? { id, account: "", name: `participant ${id}`, location: "" };
}
