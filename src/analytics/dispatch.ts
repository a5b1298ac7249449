/**
 * Shelf-life-first dispatch (issue 9, item 4). A lot's grade now is predicted from its scans and its temperature
 * history with the shared freshness model: each scan's grade minus the decay the model gives for the time since
 * that scan (readings where there are any, the rule's default temperature for time no reading covers — as the chain
 * counts it), averaged over the scans weighted by their confidence (one whole-grade scan is coarse; several agree
 * better). Its remaining shelf life is the time until that grade falls to the rejection grade at the storage
 * temperature.
 *
 * The advice: lots in order of remaining shelf life, shortest first; each goes to the nearest retailer that still
 * has open demand and that it reaches with at least `minimumSellDays` of life left (else the nearest with open
 * demand: the shortest trip spends the least of it). Lots already past rejection are listed apart, not shipped.
 */
import { DEFAULT_FRESHNESS_RULE, equivalentSeconds, exposureOf, type FreshnessRule } from "../core/freshness.js";
import { InputError } from "../core/input-error.js";
import { gradesLost, gradesLostAt } from "./decay.js";
import type { ChainHistory, TemperatureReading } from "../core/chain-history.js";

/** What is known of a lot waiting at a hub. */
export interface LotCondition {
  lotId: string;
  grams: number;
  /** Unix seconds it arrived at the hub (FIFO's order). */
  arrivedAt: number;
  scans: { scannedAt: number; grade: number; gradeConfidence: number }[];
  /** Temperature readings from (at least) its first scan on. */
  readings: TemperatureReading[];
}

export interface ShelfLifeOptions {
  rule: FreshnessRule;
  /** Grade at which the lot is rejected (Torry ~6). */
  rejectGrade: number;
  /** Hundredths of °C the lot is kept at from now on. */
  storageTemperature: number;
}

export const DEFAULT_SHELF_LIFE: ShelfLifeOptions = {
  rule: DEFAULT_FRESHNESS_RULE,
  rejectGrade: 6,
  storageTemperature: 200,
};

const DAY = 86_400;

/** Grades lost under `rule` from `from` to `to`, over `readings` (each holding until the next). */
function decaySince(readings: readonly TemperatureReading[], from: number, to: number, rule: FreshnessRule): number {
  const sorted = [...readings].filter((r) => r.readAt <= to).sort((a, b) => a.readAt - b.readAt);
  const before = sorted.filter((r) => r.readAt <= from).at(-1);
  const inside = sorted.filter((r) => r.readAt > from);
  let t0 = 0n;
  if (before === undefined && inside.length === 0) {
    t0 = equivalentSeconds(BigInt(to - from), rule.defaultTemperature, rule.minimumTemperature);
  } else {
    const start = before ?? { readAt: from, temperature: rule.defaultTemperature };
    const first = { readAt: from, temperature: start.temperature };
    const points = [first, ...inside];
    const last = inside.at(-1) ?? first;
    t0 = exposureOf([...points, { readAt: to, temperature: last.temperature }], rule.minimumTemperature);
    // Readings older than a day stop vouching for the temperature: time past the last one counts at the default.
    const stale = to - last.readAt - DAY;
    if (stale > 0) {
      t0 -= equivalentSeconds(BigInt(stale), last.temperature, rule.minimumTemperature);
      t0 += equivalentSeconds(BigInt(stale), rule.defaultTemperature, rule.minimumTemperature);
    }
  }
  return gradesLost(t0, rule);
}

/** The lot's grade at `now` as its scans and readings imply it (confidence-weighted mean over its scans). */
export function predictGrade(lot: LotCondition, now: number, rule: FreshnessRule = DEFAULT_FRESHNESS_RULE): number {
  const scans = lot.scans.filter((s) => s.scannedAt <= now);
  if (scans.length === 0) throw new InputError(`lot ${lot.lotId} has no scan before ${now}: its grade is unknown`);
  let weighted = 0;
  let weights = 0;
  for (const s of scans) {
    const w = Math.max(1, s.gradeConfidence);
    weighted += w * (s.grade - decaySince(lot.readings, s.scannedAt, now, rule));
    weights += w;
  }
  return weighted / weights;
}

/** Days from a lot at `grade` to rejection when kept at `o.storageTemperature` (0 when already there). */
export function shelfLifeDays(grade: number, o: ShelfLifeOptions = DEFAULT_SHELF_LIFE): number {
  const perDay = gradesLostAt(DAY, o.storageTemperature, o.rule);
  if (perDay <= 0) return Infinity;
  return Math.max(0, (grade - o.rejectGrade) / perDay);
}

/** The remaining shelf life of `lot` at `now`, in days. */
export function remainingShelfLife(lot: LotCondition, now: number, o: ShelfLifeOptions = DEFAULT_SHELF_LIFE): number {
  return shelfLifeDays(predictGrade(lot, now, o.rule), o);
}

/** A retailer the hub can ship to: how far (hours) and how much it still wants (grams). */
export interface Destination {
  retailer: string;
  transitHours: number;
  demandGrams: number;
}

export interface DispatchAdvice {
  /** 1 = ship first. */
  rank: number;
  lotId: string;
  grams: number;
  retailer: string;
  remainingDays: number;
  why: string;
}

export interface DispatchPlan {
  advice: DispatchAdvice[];
  /** Lots past rejection: inspect or discard, do not ship. */
  expired: { lotId: string; grams: number; predictedGrade: number }[];
  /** Lots left at the hub (no open demand). */
  held: string[];
}

/** The shelf-life-first plan for `lots` at `now` over `destinations` (module comment: the rule). */
export function planDispatch(
  lots: readonly LotCondition[],
  destinations: readonly Destination[],
  now: number,
  o: ShelfLifeOptions & { minimumSellDays: number } = { ...DEFAULT_SHELF_LIFE, minimumSellDays: 1 },
): DispatchPlan {
  const open = new Map(destinations.map((d) => [d.retailer, d.demandGrams]));
  const nearest = [...destinations].sort((a, b) => a.transitHours - b.transitHours);
  const judged = lots
    .map((lot) => {
      const grade = predictGrade(lot, now, o.rule);
      return { lot, grade, days: shelfLifeDays(grade, o) };
    })
    .sort((a, b) => a.days - b.days || a.lot.arrivedAt - b.lot.arrivedAt);
  const plan: DispatchPlan = { advice: [], expired: [], held: [] };
  for (const { lot, grade, days } of judged) {
    if (days <= 0) {
      plan.expired.push({ lotId: lot.lotId, grams: lot.grams, predictedGrade: grade });
      continue;
    }
    const wanting = nearest.filter((d) => (open.get(d.retailer) ?? 0) > 0);
    const reachable = wanting.find((d) => days - d.transitHours / 24 >= o.minimumSellDays);
    const to = reachable ?? wanting[0];
    assign(
      plan,
      open,
      lot,
      to,
      days,
      reachable !== undefined
        ? `${days.toFixed(1)} days left: the nearest retailer with open demand (${reachable.transitHours} h away)`
        : `${days.toFixed(1)} days left, too few for ${o.minimumSellDays} day(s) on sale anywhere: the nearest retailer`,
    );
  }
  return plan;
}

/** Sends `lot` to `to` in `plan` (the next rank), spending `to`'s open demand; holds it when `to` is undefined. */
function assign(
  plan: DispatchPlan,
  open: Map<string, number>,
  lot: LotCondition,
  to: Destination | undefined,
  remainingDays: number,
  why: string,
): void {
  if (to === undefined) {
    plan.held.push(lot.lotId);
    return;
  }
  open.set(to.retailer, (open.get(to.retailer) ?? 0) - lot.grams);
  plan.advice.push({
    rank: plan.advice.length + 1,
    lotId: lot.lotId,
    grams: lot.grams,
    retailer: to.retailer,
    remainingDays,
    why,
  });
}

/**
 * The first-in-first-out plan: lots in arrival order, each to the nearest retailer with open demand (the same
 * routing as `planDispatch`, so the baseline differs only in which lot goes first).
 */
export function planFifo(lots: readonly LotCondition[], destinations: readonly Destination[]): DispatchPlan {
  const open = new Map(destinations.map((d) => [d.retailer, d.demandGrams]));
  const nearest = [...destinations].sort((a, b) => a.transitHours - b.transitHours);
  const plan: DispatchPlan = { advice: [], expired: [], held: [] };
  for (const lot of [...lots].sort((a, b) => a.arrivedAt - b.arrivedAt)) {
    // FIFO does not look at shelf life: NaN says "not predicted" (never served: the simulation's baseline only).
    const to = nearest.find((d) => (open.get(d.retailer) ?? 0) > 0);
    assign(plan, open, lot, to, NaN, "first in, first out");
  }
  return plan;
}

/**
 * The condition of each of `lotIds` as a chain history knows it (generated, or `historyFromIndex`): its scans, the
 * readings of every leg it travelled, and when its last leg arrived (its creation when it never travelled) — what
 * `planDispatch` takes for the lots a hub holds.
 */
export function lotConditions(history: ChainHistory, lotIds: readonly string[]): LotCondition[] {
  return lotIds.map((lotId) => {
    const lot = history.lots.find((l) => l.lotId === lotId);
    if (lot === undefined) throw new InputError(`lot ${lotId} is not in the history`);
    const legs = history.legs.filter((l) => l.lotIds.includes(lotId)).sort((a, b) => a.arrivedAt - b.arrivedAt);
    return {
      lotId,
      grams: lot.weightGrams,
      arrivedAt: legs.at(-1)?.arrivedAt ?? lot.createdAt,
      scans: history.scans
        .filter((s) => s.lotId === lotId)
        .map((s) => ({ scannedAt: s.scannedAt, grade: s.grade, gradeConfidence: s.gradeConfidence })),
      readings: legs.flatMap((l) => l.readings),
    };
  });
}
