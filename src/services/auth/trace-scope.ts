/**
 * What each scope (scope.ts) sees of the trace API's answers (`/v1/trace`, `/v1/journey`, `/v1/participants`):
 *
 * - public (a consumer): every lot's trace and journey — catches, places, processing, custody, cold chain, scans,
 *   recalls and alarms — with each party named by its role only ("a retailer", "a customer"; regulators, public
 *   authorities, keep their names) and its account left out; no order data: no order events, no order ids,
 *   shipment numbers, prices, open orders, ship-by times or acknowledgement windows. A participant's page lists
 *   what it holds, not its orders.
 * - partner (GLN P): the public view, plus the parties' names on the lots P reaches (reach.ts: handled, one-up,
 *   one-down) and on P's own participant page, and the order data of the orders P is the seller or buyer of.
 * - regulator: everything.
 *
 * The journey and participant answers are filtered as JSON (`viewJson`: every party object, every order and every
 * order reference found anywhere in the answer), the trace graph as a graph (`viewGraph`, so the SVG is filtered
 * too).
 */
import type { Sql } from "../../index/db.js";
import type { Party, StageHolding, TraceGraph } from "../../core/trace/types.js";
import { stageOfNumber } from "../../core/stages.js";
import { alarmText } from "../trace/journey-api.js";
import { isRecord } from "./json.js";
import { partnerReach } from "./reach.js";
import type { Scope } from "./scope.js";

/** What one answer may show. */
export interface Visibility {
  /** Parties' names and accounts; otherwise their roles. */
  names: boolean;
  /** The participants whose orders are shown ("all", or none: an empty set). */
  orders: "all" | Set<number>;
}

export interface TraceAccess {
  scope: Scope;
  /** What the answers about `lotId` show. */
  ofLot(lotId: bigint): Visibility;
  /** What the participant page of `account` shows. */
  ofAccount(account: string): Promise<Visibility>;
}

const EVERYTHING: Visibility = { names: true, orders: "all" };
const NOTHING: Visibility = { names: false, orders: new Set() };

/** The access of `scope` to the index `sql` (a partner's reach read now). */
export async function traceAccess(sql: Sql, scope: Scope): Promise<TraceAccess> {
  if (scope.kind === "regulator") return { scope, ofLot: () => EVERYTHING, ofAccount: async () => EVERYTHING };
  if (scope.kind === "public") return { scope, ofLot: () => NOTHING, ofAccount: async () => NOTHING };
  const reach = await partnerReach(sql, scope.party);
  const lots = new Set(reach.lotIds);
  const mine = new Set(reach.participantIds);
  return {
    scope,
    ofLot: (lotId) => ({ names: lots.has(lotId.toString()), orders: mine }),
    ofAccount: async (account) => {
      const [own] = await sql.query(
        "SELECT 1 FROM participants WHERE lower(account) = lower($1) AND id = ANY($2::int[])",
        [account, [...mine]],
      );
      return { names: own !== undefined, orders: mine };
    },
  };
}

/** Whether an order of the participants `ids` (seller and buyer, or sender and receiver) may be shown. */
function allowed(v: Visibility, ids: unknown[]): boolean {
  const shown = v.orders;
  return shown === "all" || ids.some((id) => typeof id === "number" && shown.has(id));
}

/** How parties are named to someone who may not see names: by role (regulators by name). */
interface Roles {
  role: Map<number, { role: string; named: boolean }>;
}

/** The roles of `ids`: the first stage a participant held a lot at, harvester, regulator, else "participant". */
async function rolesOf(sql: Sql, ids: number[]): Promise<Roles> {
  const rows = await sql.query<{ id: number; stage: number | null; harvester: boolean; regulator: boolean }>(
    `SELECT p.id,
       (SELECT min(s.stage) FROM lot_stages s WHERE s.custodian_id = p.id) AS stage,
       EXISTS (SELECT 1 FROM lots l WHERE l.harvester_id = p.id) AS harvester,
       EXISTS (SELECT 1 FROM recalls r WHERE r.regulator_id = p.id) AS regulator
     FROM participants p WHERE p.id = ANY($1::int[])`,
    [ids],
  );
  const role = new Map<number, { role: string; named: boolean }>();
  for (const r of rows) {
    const stage = r.stage === null ? undefined : Number(r.stage);
    const name = r.regulator
      ? "regulator"
      : r.harvester
        ? "harvester"
        : stage !== undefined && stage >= 1 && stage <= 6
          ? stageOfNumber(stage)
          : "participant";
    role.set(Number(r.id), { role: name, named: r.regulator });
  }
  return { role };
}

/** A party as someone who may not see names sees it. */
function roleParty(party: Party, roles: Roles): Party {
  const role = roles.role.get(party.id);
  if (role?.named === true) return party;
  return { id: party.id, account: "", name: `a ${role?.role ?? "participant"}`, location: party.location };
}

/** The parties a graph names. */
function graphParties(graph: TraceGraph): number[] {
  const ids = new Set<number>();
  for (const node of graph.lots.values()) {
    if (node.catch !== undefined) ids.add(node.catch.harvester.id);
    for (const s of node.stages) ids.add(s.custodian.id);
  }
  for (const h of graph.holders) ids.add(h.custodian.id);
  for (const c of graph.customers) ids.add(c.id);
  return [...ids];
}

/** A trace graph as `v` shows it: parties by role unless names are shown, order data only of allowed orders. */
export async function viewGraph(sql: Sql, graph: TraceGraph, v: Visibility): Promise<TraceGraph> {
  if (v.names && v.orders === "all") return graph;
  const roles = await rolesOf(sql, graphParties(graph));
  const party = (p: Party): Party => (v.names ? p : roleParty(p, roles));
  const holding = (s: StageHolding): StageHolding => {
    const { receivedOrderId: _, ...rest } = s;
    return { ...(allowed(v, [s.custodian.id]) ? s : rest), custodian: party(s.custodian) };
  };
  return {
    ...graph,
    lots: new Map(
      [...graph.lots].map(([id, node]) => [
        id,
        {
          ...node,
          ...(node.catch === undefined ? {} : { catch: { ...node.catch, harvester: party(node.catch.harvester) } }),
          stages: node.stages.map(holding),
        },
      ]),
    ),
    holders: graph.holders.map((h) => ({ ...holding(h), lotId: h.lotId })),
    customers: graph.customers.map(party),
    openOrders: graph.openOrders
      .filter((o) => allowed(v, [o.seller.id, o.buyer.id]))
      .map((o) => ({ ...o, seller: party(o.seller), buyer: party(o.buyer) })),
  };
}

const isParty = (value: unknown): value is Party =>
  isRecord(value) &&
  typeof value.id === "number" &&
  typeof value.account === "string" &&
  typeof value.name === "string" &&
  typeof value.location === "string";

/** Fields that are an order's money or terms: shown only on an order the viewer may see. */
const ORDER_TERMS = new Set(["price", "priceWei", "escrow", "shipBy", "ackWindow", "ackDeadline", "refund"]);
/** Fields that name an order or a shipment of one. */
const ORDER_REFS = new Set(["orderId", "receivedOrderId", "shipmentNo"]);

/** The parties of an order object (a journey's order event, a trace's open order, a participant's order). */
function orderParties(o: Record<string, unknown>): unknown[] | undefined {
  if (o.kind === "order") return [o.sellerId, o.buyerId];
  if (isParty(o.seller) && isParty(o.buyer)) return [o.seller.id, o.buyer.id];
  return undefined;
}

/** The parties an object's order references belong to (a shipment, a receipt, a stage holding). */
function refParties(o: Record<string, unknown>): unknown[] {
  if (isParty(o.custodian)) return [o.custodian.id];
  return [o.fromId, o.toId];
}

const DROP = Symbol("drop");

/** Every party id a JSON value names (party objects, and the ids of its order, shipment and alarm fields). */
function partyIds(value: unknown, ids: Set<number>): Set<number> {
  if (Array.isArray(value)) for (const v of value) partyIds(v, ids);
  else if (isRecord(value)) {
    if (isParty(value)) ids.add(value.id);
    for (const v of Object.values(value)) partyIds(v, ids);
    for (const k of ["sellerId", "buyerId", "fromId", "toId", "customerId", "harvesterId", "manufacturerId"]) {
      const id = value[k];
      if (typeof id === "number") ids.add(id);
    }
  }
  return ids;
}

/**
 * A JSON answer (journey, participant) as `v` shows it: every party object by role unless names are shown, every
 * order not allowed left out, every order term and reference of one not allowed removed, a problem alarm's line
 * naming its reporter by role.
 */
export async function viewJson(sql: Sql, value: unknown, v: Visibility): Promise<unknown> {
  if (v.names && v.orders === "all") return value;
  const roles = await rolesOf(sql, [...partyIds(value, new Set())]);
  const named = new Map<number, Party>(
    [...roles.role.keys()].map((id) => [id, roleParty({ id, account: "", name: "", location: "" }, roles)]),
  );
  const walk = (node: unknown, keepOrders: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, keepOrders)).filter((n) => n !== DROP);
    if (!isRecord(node)) return node;
    if (isParty(node)) return v.names ? node : roleParty(node, roles);
    const parties = orderParties(node);
    if (parties !== undefined && !keepOrders && !allowed(v, parties)) return DROP;
    const keep = keepOrders || parties !== undefined || allowed(v, refParties(node));
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(node)) {
      if (!keep && (ORDER_TERMS.has(key) || ORDER_REFS.has(key))) continue;
      out[key] = walk(field, parties !== undefined);
    }
    if (!v.names && node.kind === "problem" && isRecord(node.detail) && typeof node.text === "string") {
      const stage = typeof node.stage === "number" ? node.stage : undefined;
      out.text = alarmText("problem", stage, node.detail, named);
    }
    return out;
  };
  return walk(value, false);
}
