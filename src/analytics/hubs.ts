/**
 * Shelf-life-first dispatch advice for the lots a hub holds now, from the trace index: every lot at the distributor
 * stage (4) whose status there is Created (received, not shipped on), with its scans and every reading posted for it,
 * planned by `planDispatch` (dispatch.ts) per hub and species, then ranked together, shortest shelf life first.
 *
 * Where a lot may go, per hub and species, and how much each retailer wants:
 * 1. the retailers with open orders for the species in the hub's order book (state Ordered): their ordered weight;
 * 2. else the retailers the hub delivered the species to before: `salesDays` days of their mean daily sales over the
 *    last 7 days of the retail sales in the index (sales-index.ts), unbounded when the index has none of theirs.
 * How far: the median hours of the hub's past deliveries to that retailer (shipped → delivered), else
 * `defaultTransitHours`. Recalled lots and lots never scanned (no grade to start from) are listed apart.
 */
import { median } from "simple-statistics";

import type { Sql } from "../index/db.js";
import { LOT_FLAGS } from "../core/vocabulary.js";
import type { HubAdvice, HubDispatch, IndexedParticipant } from "../core/api/analytics.js";
import {
  DEFAULT_SHELF_LIFE,
  planDispatch,
  predictGrade,
  type Destination,
  type LotCondition,
  type ShelfLifeOptions,
} from "./dispatch.js";
import { salesFromIndex, type IndexedSalesSeries } from "../index/sales.js";
import { numberOf, optionalNumber } from "../index/rows.js";
import { defined } from "../core/checks.js";

/** The distributor stage: the hubs. */
export const HUB_STAGE = 4;

export interface HubDispatchOptions {
  /** One hub; every hub holding lots when undefined. */
  hub?: IndexedParticipant;
  /** Unix seconds the plan is for (served: the latest indexed block's time; the clock for an empty index). */
  now: number;
  shelfLife?: ShelfLifeOptions & { minimumSellDays: number };
  defaultTransitHours?: number;
  /** Days of sales a retailer without open orders is sent. */
  salesDays?: number;
}

const DEFAULT_TRANSIT_HOURS = 6;

interface HeldLot {
  lotId: string;
  hub: number;
  species: string;
  grams: number;
  flags: number;
  receivedAt: number;
}

async function heldLots(sql: Sql, hub: number | undefined): Promise<HeldLot[]> {
  const rows = await sql.query<{
    lot_id: string;
    custodian_id: number;
    species: string;
    weight_grams: string | number;
    flags: number;
    received_time: string | number | null;
    created_time: string | number;
  }>(
    `SELECT ls.lot_id::text AS lot_id, ls.custodian_id, l.species, l.weight_grams, ls.flags, ls.received_time,
       l.created_time
     FROM lot_stages ls JOIN lots l ON l.lot_id = ls.lot_id
     WHERE ls.stage = ${HUB_STAGE} AND ls.status = 'Created' AND ($1::int IS NULL OR ls.custodian_id = $1::int)
     ORDER BY ls.lot_id`,
    [hub ?? null],
  );
  return rows.map((r) => ({
    lotId: r.lot_id,
    hub: numberOf(r, "custodian_id"),
    species: r.species,
    grams: numberOf(r, "weight_grams"),
    flags: numberOf(r, "flags"),
    receivedAt: optionalNumber(r.received_time) ?? numberOf(r, "created_time"),
  }));
}

async function conditionsOf(sql: Sql, lots: readonly HeldLot[]): Promise<Map<string, LotCondition>> {
  const ids = lots.map((l) => l.lotId);
  const scans = await sql.query<{
    lot_id: string;
    scanned_at: string | number;
    grade: number;
    grade_confidence: number;
  }>(
    `SELECT lot_id::text AS lot_id, scanned_at, grade, grade_confidence FROM scans WHERE lot_id = ANY($1::numeric[])
     ORDER BY scanned_at`,
    [ids],
  );
  const readings = await sql.query<{ lot_id: string; read_at: string | number; temperature: number }>(
    `SELECT lot_id::text AS lot_id, read_at, temperature FROM readings WHERE lot_id = ANY($1::numeric[])
     ORDER BY read_at, block, log_index`,
    [ids],
  );
  const out = new Map<string, LotCondition>();
  for (const l of lots) {
    out.set(l.lotId, { lotId: l.lotId, grams: l.grams, arrivedAt: l.receivedAt, scans: [], readings: [] });
  }
  for (const s of scans) {
    out.get(s.lot_id)?.scans.push({
      scannedAt: numberOf(s, "scanned_at"),
      grade: s.grade,
      gradeConfidence: s.grade_confidence,
    });
  }
  for (const r of readings)
    out.get(r.lot_id)?.readings.push({ readAt: numberOf(r, "read_at"), temperature: r.temperature });
  return out;
}

async function participants(sql: Sql, ids: readonly number[]): Promise<Map<number, IndexedParticipant>> {
  const rows = await sql.query<{ id: number; account: string; name: string }>(
    `SELECT id, account, name FROM participants WHERE id = ANY($1::int[])`,
    [[...new Set(ids)]],
  );
  const out = new Map<number, IndexedParticipant>(ids.map((id) => [id, { id, account: "", name: "" }]));
  for (const r of rows) out.set(numberOf(r, "id"), { id: numberOf(r, "id"), account: r.account, name: r.name });
  return out;
}

interface Wanted extends Destination {
  demand: HubAdvice["demand"];
}

/** The retailers `hub` may send `species` to (module comment). */
async function destinationsOf(
  sql: Sql,
  hub: number,
  species: string,
  defaultTransitHours: number,
  salesDays: number,
  salesOf: (species: string) => Promise<IndexedSalesSeries[]>,
): Promise<Wanted[]> {
  const legs = await sql.query<{ buyer_id: number; hours: string | number }>(
    `SELECT o.buyer_id, (o.delivered_time - s.time) / 3600.0 AS hours
     FROM orders o JOIN shipments s ON s.stage = o.stage AND s.order_id = o.order_id
     WHERE o.stage = ${HUB_STAGE} AND o.seller_id = $1 AND o.delivered_time IS NOT NULL`,
    [hub],
  );
  const hoursTo = (buyer: number) => {
    const past = legs.filter((l) => numberOf(l, "buyer_id") === buyer).map((l) => numberOf(l, "hours"));
    return past.length === 0 ? defaultTransitHours : Math.round(median(past) * 10) / 10;
  };
  const open = await sql.query<{ buyer_id: number; grams: string | number }>(
    `SELECT buyer_id, sum(weight_grams) AS grams FROM orders
     WHERE stage = ${HUB_STAGE} AND seller_id = $1 AND species = $2 AND state = 'Ordered' GROUP BY buyer_id`,
    [hub, species],
  );
  if (open.length > 0) {
    return open.map((o) => ({
      retailer: String(o.buyer_id),
      transitHours: hoursTo(numberOf(o, "buyer_id")),
      demandGrams: numberOf(o, "grams"),
      demand: "open orders",
    }));
  }
  const past = await sql.query<{ buyer_id: number }>(
    `SELECT DISTINCT buyer_id FROM orders
     WHERE stage = ${HUB_STAGE} AND seller_id = $1 AND species = $2 AND delivered_time IS NOT NULL`,
    [hub, species],
  );
  const sales = await salesOf(species);
  return past.map((p) => {
    const series = sales.find((s) => s.retailerOf.id === numberOf(p, "buyer_id"));
    const recent = series?.values.slice(-7) ?? [];
    const perDay = recent.length === 0 ? undefined : recent.reduce((a, b) => a + b, 0) / recent.length;
    return {
      retailer: String(p.buyer_id),
      transitHours: hoursTo(numberOf(p, "buyer_id")),
      demandGrams: perDay === undefined ? Infinity : Math.round(perDay * salesDays * 1_000),
      demand: perDay === undefined ? "unknown" : "recent sales",
    };
  });
}

/** The dispatch advice for what the hub(s) hold at `o.now` (module comment). */
export async function dispatchFromIndex(sql: Sql, o: HubDispatchOptions): Promise<HubDispatch> {
  const shelfLife = o.shelfLife ?? { ...DEFAULT_SHELF_LIFE, minimumSellDays: 1 };
  const defaultTransitHours = o.defaultTransitHours ?? DEFAULT_TRANSIT_HOURS;
  const salesDays = o.salesDays ?? 3;
  const lots = await heldLots(sql, o.hub?.id);
  const conditions = await conditionsOf(sql, lots);
  const out: HubDispatch = { at: o.now, advice: [], expired: [], held: [], recalled: [], unscanned: [] };
  const conditionOf = (lotId: string) => defined(conditions.get(lotId), `the condition of lot ${lotId}`);
  const plannable: HeldLot[] = [];
  for (const l of lots) {
    const c = conditionOf(l.lotId);
    if ((l.flags & LOT_FLAGS.RECALLED) !== 0) out.recalled.push({ lotId: l.lotId, hub: l.hub });
    else if (c.scans.every((s) => s.scannedAt > o.now)) out.unscanned.push({ lotId: l.lotId, hub: l.hub });
    else plannable.push(l);
  }
  const groups = new Map<string, HeldLot[]>();
  for (const l of plannable) {
    const key = `${l.hub} ${l.species}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  // One read of the retail sales per species for the whole plan (not one per hub).
  const sales = new Map<string, Promise<IndexedSalesSeries[]>>();
  const salesOf = (species: string) => {
    let read = sales.get(species);
    if (read === undefined) sales.set(species, (read = salesFromIndex(sql, { species })));
    return read;
  };
  const unranked: (Omit<HubAdvice, "rank" | "hub" | "retailer"> & { who: { hub: number; retailer: number } })[] = [];
  for (const group of groups.values()) {
    const { hub, species } = defined(group[0], "a lot of a hub's group");
    const destinations = await destinationsOf(sql, hub, species, defaultTransitHours, salesDays, salesOf);
    const plan = planDispatch(
      group.map((l) => conditionOf(l.lotId)),
      destinations,
      o.now,
      shelfLife,
    );
    for (const e of plan.expired) out.expired.push({ ...e, hub });
    for (const lotId of plan.held) out.held.push({ lotId, hub, species });
    for (const a of plan.advice) {
      const to = defined(
        destinations.find((d) => d.retailer === a.retailer),
        `retailer ${a.retailer} among the destinations`,
      );
      const grade = predictGrade(conditionOf(a.lotId), o.now, shelfLife.rule);
      unranked.push({
        lotId: a.lotId,
        species,
        grams: a.grams,
        transitHours: to.transitHours,
        remainingDays: a.remainingDays,
        predictedGrade: Math.round(grade * 100) / 100,
        demand: to.demand,
        why: `${a.why}; demand from ${to.demand}`,
        who: { hub, retailer: Number(a.retailer) },
      });
    }
  }
  const names = await participants(sql, [...unranked.flatMap(({ who }) => [who.hub, who.retailer])]);
  const nameOf = (id: number) => defined(names.get(id), `participant ${id}`);
  out.advice = [...unranked]
    .sort((a, b) => a.remainingDays - b.remainingDays)
    .map(({ who, ...advice }, n) => ({
      ...advice,
      rank: n + 1,
      hub: nameOf(who.hub),
      retailer: nameOf(who.retailer),
    }));
  return out;
}
