/**
 * Traces over the trace index (src/index/schema.ts): from one lot backward through `lineage` to every catch it was
 * made from, forward to every product lot made from it, with who holds each lot now, the customers who bought
 * one, and the orders not yet settled that carry one.
 *
 * A trace is one round trip: a recursive query for the closure that returns, as JSON, the lots reached, their
 * stage rows, the lineage edges and the open orders (indexed lookups on the closure, whatever the index size).
 */
import type { Sql } from "./db.js";
import { digitalLink, lotIdText } from "../core/digital-link.js";
import { InputError } from "../core/input-error.js";
import { ssccText } from "../core/sscc.js";
import { fromFixedDegrees } from "../core/units.js";
import { LOT_FLAGS } from "../core/vocabulary.js";
import type {
  Holding,
  LineageEdge,
  LotNode,
  LotStatus,
  OrderRef,
  Party,
  StageHolding,
  TraceGraph,
} from "../core/trace/types.js";
import {
  bigintOf,
  jsonRows,
  numberOf,
  numberOrZero,
  optionalNumber,
  partyRow,
  stageAt,
  textOf,
  textOrEmpty,
  type Row,
} from "./rows.js";

export type TraceDirection = TraceGraph["direction"];

export const TRACE_DIRECTIONS: readonly TraceDirection[] = ["backward", "forward", "both"];

/** A lot the index does not know (a 404 in the HTTP API, an `error:` line in the tasks). */
export class LotNotIndexedError extends InputError {
  constructor(
    readonly lotId: bigint,
    readonly indexedTo: number,
  ) {
    super(
      `lot ${lotIdText(lotId)} is not in the index (indexed to block ${indexedTo}; check the id, or sync the ` +
        `index with the network that has it)`,
    );
  }
}

/** `--direction` / `?direction=` as typed: backward, forward or both (also back, fwd). */
export function traceDirection(value: string | undefined, what = "--direction"): TraceDirection {
  if (value === undefined || value.trim() === "") return "both";
  const text = value.trim().toLowerCase();
  const alias: Record<string, TraceDirection> = { back: "backward", fwd: "forward", forwards: "forward" };
  const direction = alias[text] ?? TRACE_DIRECTIONS.find((d) => d === text);
  if (direction !== undefined) return direction;
  throw new InputError(`${what} "${value}" is not backward, forward or both`);
}

/**
 * The whole trace in one round trip: the closure (`$2`/`$3` switch the backward/forward recursion on; the root is
 * in both halves, so a backward trace's "products" is the root if it is one, and a forward trace's "catches"
 * likewise), then as JSON arrays the lots reached, their stage rows, the lineage edges inside each half, and the
 * open orders carrying a lot reached (`$4`: the open states). Ids are text in the JSON (numeric(78) would lose
 * digits as a JSON number).
 */
const TRACE = `
WITH RECURSIVE
  up(lot_id) AS (
    SELECT $1::numeric
    UNION
    SELECT l.parent_id FROM lineage l JOIN up ON l.child_id = up.lot_id WHERE $2::boolean
  ),
  down(lot_id) AS (
    SELECT $1::numeric
    UNION
    SELECT l.child_id FROM lineage l JOIN down ON l.parent_id = down.lot_id WHERE $3::boolean
  ),
  reached AS (
    SELECT lot_id, bool_or(is_up) AS up, bool_or(is_down) AS down
    FROM (SELECT lot_id, true AS is_up, false AS is_down FROM up
          UNION ALL SELECT lot_id, false, true FROM down) AS x
    GROUP BY lot_id
  )
SELECT
  (SELECT COALESCE(json_agg(json_build_object(
      'lot_id', lots.lot_id::text, 'up', r.up, 'down', r.down, 'kind', lots.kind, 'species', lots.species,
      'weight_grams', lots.weight_grams, 'created_time', lots.created_time, 'harvester_id', lots.harvester_id,
      'caught_at', lots.caught_at, 'latitude', lots.latitude, 'longitude', lots.longitude,
      'catch_area', lots.catch_area, 'vessel', lots.vessel, 'gear', lots.gear, 'farmed', lots.farmed,
      'frozen', lots.frozen, 'gtin', lots.gtin, 'lot_number', lots.lot_number,
      'process_id', lots.process_id::text,
      'recalled', EXISTS (SELECT 1 FROM recalls rc WHERE rc.lot_id = lots.lot_id),
      'h_account', h.account, 'h_name', h.name, 'h_location', h.location)
      ORDER BY lots.kind, lots.lot_id), '[]'::json)
   FROM reached r JOIN lots ON lots.lot_id = r.lot_id LEFT JOIN participants h ON h.id = lots.harvester_id
  ) AS lots,
  (SELECT COALESCE(json_agg(json_build_object(
      'lot_id', s.lot_id::text, 'stage', s.stage, 'custodian_id', s.custodian_id, 'status', s.status,
      'flags', s.flags, 'received_order', s.received_order::text, 'received_time', s.received_time,
      'account', p.account, 'name', p.name, 'location', p.location)
      ORDER BY s.lot_id, s.stage), '[]'::json)
   FROM reached r JOIN lot_stages s ON s.lot_id = r.lot_id LEFT JOIN participants p ON p.id = s.custodian_id
  ) AS stages,
  (SELECT COALESCE(json_agg(json_build_object(
      'parent_id', l.parent_id::text, 'child_id', l.child_id::text, 'process_id', l.process_id::text,
      'consumed_grams', l.consumed_grams)
      ORDER BY l.parent_id, l.child_id), '[]'::json)
   FROM lineage l
   JOIN reached rp ON rp.lot_id = l.parent_id
   JOIN reached rc ON rc.lot_id = l.child_id
   WHERE (rp.up AND rc.up) OR (rp.down AND rc.down)
  ) AS edges,
  (SELECT COALESCE(json_agg(json_build_object(
      'stage', o.stage, 'order_id', o.order_id::text, 'state', o.state,
      'seller_id', o.seller_id, 's_account', sp.account, 's_name', sp.name, 's_location', sp.location,
      'buyer_id', o.buyer_id, 'b_account', bp.account, 'b_name', bp.name, 'b_location', bp.location,
      'lots', o.lots)
      ORDER BY o.stage, o.order_id), '[]'::json)
   FROM (SELECT o.stage, o.order_id, o.state, o.seller_id, o.buyer_id,
           string_agg(sl.lot_id::text, ',' ORDER BY sl.lot_id) AS lots
         FROM reached r
         JOIN shipment_lots sl ON sl.lot_id = r.lot_id
         JOIN orders o ON o.stage = sl.stage AND o.order_id = sl.order_id
         WHERE o.state = ANY($4::text[])
         GROUP BY o.stage, o.order_id, o.state, o.seller_id, o.buyer_id) AS o
   LEFT JOIN participants sp ON sp.id = o.seller_id
   LEFT JOIN participants bp ON bp.id = o.buyer_id
  ) AS orders,
  (SELECT COALESCE(MAX(next_block), 0) - 1 FROM cursor) AS block`;

/** Orders are open until acknowledged (then settled), cancelled, rejected or refunded. */
export const OPEN_ORDER_STATES = ["Ordered", "Shipped", "Delivered"] as const;

const INDEXED_TO = `SELECT COALESCE(MAX(next_block), 0) - 1 AS block FROM cursor`;

interface TraceRow {
  lots: unknown;
  stages: unknown;
  edges: unknown;
  orders: unknown;
  block: unknown;
}

/**
 * Runs `work` in a transaction with PostgreSQL's planner kept to index lookups. A trace touches a few dozen rows of
 * tables with hundreds of thousands, but the planner cannot know how small a recursive closure will be and plans it
 * as thousands of rows: hash joins that read the whole of `lineage`, `lots` and `lot_stages` on every step, so a
 * trace would slow down as the index grows (0.6 s at 100,000 lots). Without hash and merge joins every step is an
 * index lookup and a trace costs the same at any size. `SET LOCAL` ends with the transaction.
 */
export async function withIndexLookups<T>(sql: Sql, work: (tx: Sql) => Promise<T>): Promise<T> {
  return sql.transaction(async (tx) => {
    await tx.exec("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;");
    return work(tx);
  });
}

/** The block the index has read up to (-1 when it has read nothing). */
export async function indexedBlock(sql: Sql): Promise<number> {
  const [row] = await sql.query<{ block: unknown }>(INDEXED_TO);
  return optionalNumber(row?.block) ?? -1;
}

/** The chain id of the deployment the index was built from (its cursor's "<chainId>:<registry>"); 0 when empty. */
export async function indexedChain(sql: Sql): Promise<bigint> {
  const [row] = await sql.query<{ deployment: string }>(
    "SELECT deployment FROM cursor ORDER BY updated_at DESC LIMIT 1",
  );
  const id = row?.deployment.split(":")[0] ?? "";
  return /^\d+$/.test(id) ? BigInt(id) : 0n;
}

const LOT_STATUSES: readonly LotStatus[] = ["Created", "Shipped", "Supplied", "Removed"];

/** A `lot_stages.status` (the schema allows these four only). */
function lotStatus(row: Row): LotStatus {
  const status = textOf(row, "status");
  const known = LOT_STATUSES.find((s) => s === status);
  if (known === undefined) throw new Error(`the index has a lot stage whose status ${status} is not a lot status`);
  return known;
}

/** A lot of the trace's `lots` array, its harvester's participant columns prefixed `h_`. */
function lotNode(row: Row): LotNode {
  const kind = row.kind === "product" ? "product" : "catch";
  const node: LotNode = {
    lotId: bigintOf(row, "lot_id"),
    kind,
    species: textOf(row, "species"),
    weightGrams: numberOf(row, "weight_grams"),
    createdAt: numberOf(row, "created_time"),
    recalled: row.recalled === true,
    flags: 0,
    stages: [],
  };
  if (kind === "catch") {
    node.catch = {
      harvester: partyRow(numberOrZero(row.harvester_id), row.h_account, row.h_name, row.h_location),
      caughtAt: numberOrZero(row.caught_at),
      latitude: fromFixedDegrees(numberOrZero(row.latitude)),
      longitude: fromFixedDegrees(numberOrZero(row.longitude)),
      catchArea: textOrEmpty(row.catch_area),
      vessel: textOrEmpty(row.vessel),
      gear: textOrEmpty(row.gear),
      farmed: row.farmed === true,
      frozen: row.frozen === true,
    };
  } else {
    const gtin = typeof row.gtin === "string" ? row.gtin : undefined;
    const lotNumber = typeof row.lot_number === "string" ? row.lot_number : undefined;
    if (gtin !== undefined) node.gtin = gtin;
    if (lotNumber !== undefined) node.lotNumber = lotNumber;
    if (gtin !== undefined && lotNumber !== undefined) {
      try {
        node.digitalLink = digitalLink(BigInt(gtin), lotNumber);
      } catch {
        // A lot number the Digital Link form cannot carry: the lot keeps its GTIN and lot number only.
      }
    }
  }
  if (row.process_id !== null && row.process_id !== undefined) node.processId = bigintOf(row, "process_id");
  return node;
}

/**
 * The trace of `lotId`: `backward` to every catch it was made from, `forward` to every product lot made from it,
 * or `both`. Throws `LotNotIndexedError` (an InputError) when the index has no such lot.
 */
export async function traceLot(sql: Sql, lotId: bigint, direction: TraceDirection = "both"): Promise<TraceGraph> {
  const backward = direction !== "forward";
  const forward = direction !== "backward";
  const [result] = await withIndexLookups(sql, (tx) =>
    tx.query<TraceRow>(TRACE, [lotId.toString(), backward, forward, [...OPEN_ORDER_STATES]]),
  );
  const block = optionalNumber(result?.block) ?? -1;
  const lotRows = jsonRows(result?.lots, "lots");
  if (lotRows.length === 0) throw new LotNotIndexedError(lotId, block);
  const stageRows = jsonRows(result?.stages, "stages");
  const edgeRows = jsonRows(result?.edges, "edges");
  const orderRows = jsonRows(result?.orders, "orders");

  const lots = new Map<bigint, LotNode>();
  for (const row of lotRows) {
    const node = lotNode(row);
    lots.set(node.lotId, node);
  }
  // The logistic units (SSCCs) the lots are packed in now, and their pallets: a recall pulls the case or pallet whole.
  const units = await withIndexLookups(sql, (tx) =>
    tx.query<{ lot_id: string; sscc: string }>(PACKED_IN, [[...lots.keys()].map(String)]),
  );
  for (const unit of units) {
    const lot = lots.get(BigInt(unit.lot_id));
    if (lot !== undefined) lot.packedIn = [...(lot.packedIn ?? []), ssccText(unit.sscc)];
  }

  const holders: Holding[] = [];
  const customers = new Map<number, Party>();
  for (const row of stageRows) {
    const lot = lots.get(bigintOf(row, "lot_id"));
    if (lot === undefined) continue;
    const holding: StageHolding = {
      stage: stageAt(row.stage),
      custodian: partyRow(numberOf(row, "custodian_id"), row.account, row.name, row.location),
      status: lotStatus(row),
      flags: numberOf(row, "flags"),
    };
    if (row.received_order !== null && row.received_order !== undefined) {
      holding.receivedOrderId = bigintOf(row, "received_order");
    }
    const receivedAt = optionalNumber(row.received_time);
    if (receivedAt !== undefined) holding.receivedAt = receivedAt;
    lot.stages.push(holding);
    lot.flags |= holding.flags;
    if (holding.stage === "customer" && !customers.has(holding.custodian.id)) {
      customers.set(holding.custodian.id, holding.custodian);
    }
  }
  for (const lot of lots.values()) {
    if ((lot.flags & LOT_FLAGS.RECALLED) !== 0) lot.recalled = true;
    const latest = lot.stages.at(-1);
    if (latest !== undefined && (latest.status === "Created" || latest.status === "Shipped")) {
      holders.push({ lotId: lot.lotId, ...latest });
    }
  }

  const edges: LineageEdge[] = edgeRows.map((r) => ({
    parent: bigintOf(r, "parent_id"),
    child: bigintOf(r, "child_id"),
    processId: bigintOf(r, "process_id"),
    consumedGrams: numberOf(r, "consumed_grams"),
  }));

  const openOrders: OrderRef[] = orderRows.map((r) => ({
    stage: stageAt(r.stage),
    orderId: bigintOf(r, "order_id"),
    seller: partyRow(numberOf(r, "seller_id"), r.s_account, r.s_name, r.s_location),
    buyer: partyRow(numberOf(r, "buyer_id"), r.b_account, r.b_name, r.b_location),
    state: textOf(r, "state"),
    lotIds: textOf(r, "lots")
      .split(",")
      .map((id) => BigInt(id)),
  }));

  return {
    root: lotId,
    direction,
    lots,
    edges,
    catches: lotRows.filter((r) => r.up === true && r.kind === "catch").map((r) => bigintOf(r, "lot_id")),
    products: lotRows.filter((r) => r.down === true && r.kind === "product").map((r) => bigintOf(r, "lot_id")),
    holders,
    customers: [...customers.values()].sort((a, b) => a.id - b.id),
    openOrders,
    indexedTo: { block },
  };
}

/**
 * The logistic units (SSCCs) lots `$1` are packed in now (their units not unpacked), and the pallets those units are
 * on now: `lot_id`, `sscc` rows, a lot's case before its pallet.
 */
export const PACKED_IN = `
SELECT lot_id::text AS lot_id, sscc::text AS sscc FROM (
  SELECT lot_id, sscc, 0 AS level FROM unit_lots WHERE lot_id = ANY($1::numeric[]) AND unpacked_time IS NULL
  UNION ALL
  SELECT l.lot_id, p.sscc, 1 AS level FROM unit_lots l
  JOIN unit_units p ON p.child_sscc = l.sscc AND p.unpacked_time IS NULL
  WHERE l.lot_id = ANY($1::numeric[]) AND l.unpacked_time IS NULL
) units ORDER BY lot_id, level, sscc`;

const DESCENDANTS = `
WITH RECURSIVE down(lot_id) AS (
  SELECT $1::numeric
  UNION
  SELECT l.child_id FROM lineage l JOIN down ON l.parent_id = down.lot_id
)
SELECT d.lot_id::text AS lot_id FROM down d JOIN lots ON lots.lot_id = d.lot_id
ORDER BY d.lot_id = $1::numeric DESC, d.lot_id`;

/**
 * Every lot made from `lotId`, through any number of processings, itself first (what a recall of it must reach).
 * Throws `LotNotIndexedError` when the index has no such lot.
 */
export async function descendants(sql: Sql, lotId: bigint): Promise<bigint[]> {
  const rows = await withIndexLookups(sql, (tx) => tx.query<{ lot_id: string }>(DESCENDANTS, [lotId.toString()]));
  if (rows.length === 0) throw new LotNotIndexedError(lotId, await indexedBlock(sql));
  return rows.map((r) => bigintOf(r, "lot_id"));
}
