/**
 * The dispatch simulation behind `bench:dispatch`: a hub receives lots every day (caught ½–4 days before, some with
 * a warm episode on the way, each scanned at landing and on arrival, with its temperature readings) and ships to
 * retailers that order each day's demand (generated sales); retailers sell first-received first, never a lot past
 * rejection. Both policies see
 * the same arrivals and demand; only the hub's choice of which lot goes where differs. A lot spoils (its kilograms
 * are lost) when its true grade falls below the rejection grade, at the hub or on a shop's shelf.
 */
import { DEFAULT_FRESHNESS_RULE } from "../core/freshness.js";
import { InputError } from "../core/input-error.js";
import { gradesLostAt, gradesLostOver } from "./decay.js";
import { planDispatch, planFifo, DEFAULT_SHELF_LIFE, type LotCondition } from "./dispatch.js";
import type { TemperatureReading } from "../core/chain-history.js";
import { rngOf } from "./rng.js";
import { generateSales } from "./sales.js";
import { defined } from "../core/checks.js";

export interface DispatchScenarioOptions {
  seed: number;
  days: number;
  retailers: number;
  /** Supply over demand. */
  supplyRatio: number;
  /** Share of lots with a warm episode before the hub. */
  warmShare: number;
}

export const DEFAULT_DISPATCH_SCENARIO: DispatchScenarioOptions = {
  seed: 1,
  days: 56,
  retailers: 4,
  supplyRatio: 1.0,
  warmShare: 0.2,
};

/** A lot arriving at the hub, with what is known of it and its true grade on arrival. */
export interface ArrivingLot extends LotCondition {
  trueGrade: number;
}

export interface DispatchScenario {
  start: number;
  retailers: { retailer: string; transitHours: number }[];
  /** Grams demanded, [day][retailer]. */
  demand: number[][];
  /** Lots arriving before each day's dispatch, [day]. */
  arrivals: ArrivingLot[][];
}

const HOUR = 3_600;
const DAY = 86_400;
const RULE = DEFAULT_FRESHNESS_RULE;
const HUB_TEMPERATURE = 200;
const SHOP_TEMPERATURE = 300;

const gradeLoss = (readings: readonly TemperatureReading[]) => gradesLostOver(readings, RULE);
const heldLoss = (seconds: number, temperature: number) => gradesLostAt(seconds, temperature, RULE);

/** A seeded scenario: demand from `generateSales` (cod), lots to match it `supplyRatio` over. */
export function generateDispatchScenario(options: Partial<DispatchScenarioOptions> = {}): DispatchScenario {
  const o = { ...DEFAULT_DISPATCH_SCENARIO, ...options };
  if (!Number.isInteger(o.days) || o.days < 1) throw new InputError(`days ${o.days} is not a whole number ≥ 1`);
  const rng = rngOf(o.seed);
  const start = Date.UTC(2026, 1, 2, 6) / 1000;
  const sales = generateSales({
    seed: o.seed,
    species: ["COD"],
    retailers: o.retailers,
    days: Math.max(28, o.days),
    start: start - 6 * HOUR,
  });
  const retailers = sales.map((s, i) => ({ retailer: s.retailer, transitHours: 1 + ((i * 7) % 8) }));
  const demand = Array.from({ length: o.days }, (_, d) =>
    sales.map((s) => Math.round(defined(s.values[d], `day ${d} of ${s.retailer}'s sales`) * 1_000)),
  );
  let nextLot = 1;
  const arrivals = demand.map((day, d) => {
    const now = start + d * DAY;
    const wanted = o.supplyRatio * day.reduce((s, g) => s + g, 0);
    const lots: ArrivingLot[] = [];
    for (let supplied = 0; supplied < wanted;) {
      const grams = rng.int(15, 70) * 1_000;
      supplied += grams;
      const arrivedAt = now - rng.int(1, 18) * HOUR;
      const caughtAt = arrivedAt - Math.round(rng.uniform(0.5, 4) * DAY);
      // Hourly truth from catch to hub; readings posted every 3 h; a warm episode on some lots.
      const base = rng.uniform(50, 250);
      const truth: TemperatureReading[] = [];
      for (let t = caughtAt; t <= arrivedAt; t += HOUR)
        truth.push({ readAt: t, temperature: Math.round(base + rng.normal(0, 30)) });
      if (rng.chance(o.warmShare)) {
        const from = rng.int(0, Math.max(0, truth.length - 10));
        const hot = rng.uniform(600, 1200);
        for (let i = from; i < Math.min(truth.length, from + rng.int(3, 10)); i++)
          defined(truth[i], `reading ${i} of a lot's truth`).temperature = Math.round(hot);
      }
      const trueGrade = 10 - rng.uniform(0, 0.4) - gradeLoss(truth);
      const scan = (at: number, grade: number) => ({
        scannedAt: at,
        grade: Math.max(0, Math.min(10, Math.round(grade + rng.normal(0, 0.35)))),
        gradeConfidence: rng.int(80, 98),
      });
      lots.push({
        lotId: String(nextLot++),
        grams,
        arrivedAt,
        scans: [scan(caughtAt, 10 - rng.uniform(0, 0.4)), scan(arrivedAt, trueGrade)],
        readings: truth.filter((_, i) => i % 3 === 0),
        trueGrade,
      });
    }
    return lots;
  });
  return { start, retailers, demand, arrivals };
}

export type DispatchPolicy = "shelf-life-first" | "fifo";

export interface DispatchResult {
  policy: DispatchPolicy;
  suppliedKg: number;
  soldKg: number;
  spoiledKg: number;
  spoiledAtHubKg: number;
  spoiledAtShopsKg: number;
  /** Demand no stock met. */
  unmetKg: number;
  /** Spoiled over supplied. */
  spoilageShare: number;
}

interface Stock {
  lot: ArrivingLot;
  grams: number;
  grade: number;
}

/** Runs `scenario` under `policy` and sums the kilograms sold, spoiled and missed. */
export function simulateDispatch(given: DispatchScenario, policy: DispatchPolicy): DispatchResult {
  const scenario = structuredClone(given);
  const reject = DEFAULT_SHELF_LIFE.rejectGrade;
  let hub: Stock[] = [];
  const shops = new Map<string, Stock[]>(scenario.retailers.map((r) => [r.retailer, []]));
  const shelfOf = (retailer: string) => defined(shops.get(retailer), `the shelf of ${retailer}`);
  const r: DispatchResult = {
    policy,
    suppliedKg: 0,
    soldKg: 0,
    spoiledKg: 0,
    spoiledAtHubKg: 0,
    spoiledAtShopsKg: 0,
    unmetKg: 0,
    spoilageShare: 0,
  };
  scenario.demand.forEach((demand, d) => {
    const now = scenario.start + d * DAY;
    for (const lot of defined(scenario.arrivals[d], `the arrivals of day ${d}`)) {
      // The hub's own sensor: a reading on arrival at the hub's temperature, the lot ages there until the dispatch.
      lot.readings.push({ readAt: lot.arrivedAt, temperature: HUB_TEMPERATURE });
      hub.push({ lot, grams: lot.grams, grade: lot.trueGrade - heldLoss(now - lot.arrivedAt, HUB_TEMPERATURE) });
      r.suppliedKg += lot.grams / 1_000;
    }
    for (const s of hub) s.lot.readings.push({ readAt: now, temperature: HUB_TEMPERATURE });
    for (const s of hub) if (s.grade < reject) r.spoiledAtHubKg += s.grams / 1_000;
    hub = hub.filter((s) => s.grade >= reject);

    const destinations = scenario.retailers.map((ret, i) => {
      const onShelf = shelfOf(ret.retailer).reduce((sum, s) => sum + s.grams, 0);
      return { ...ret, demandGrams: Math.max(0, defined(demand[i], `${ret.retailer}'s demand`) - onShelf) };
    });
    const conditions = hub.map((s) => ({ ...s.lot, grams: s.grams }));
    const plan = policy === "fifo" ? planFifo(conditions, destinations) : planDispatch(conditions, destinations, now);
    const byId = new Map(hub.map((s) => [s.lot.lotId, s]));
    const shipped = new Set<string>();
    for (const a of plan.advice) {
      const s = defined(byId.get(a.lotId), `lot ${a.lotId} at the hub`);
      const to = defined(
        scenario.retailers.find((x) => x.retailer === a.retailer),
        `retailer ${a.retailer}`,
      );
      s.grade -= heldLoss(to.transitHours * HOUR, HUB_TEMPERATURE);
      shelfOf(a.retailer).push(s);
      shipped.add(a.lotId);
    }
    hub = hub.filter((s) => !shipped.has(s.lot.lotId));

    // Shops sell the day's demand first-received first; then a day passes everywhere and spoiled fish is thrown out.
    scenario.retailers.forEach((ret, i) => {
      let want = defined(demand[i], `${ret.retailer}'s demand`);
      const shelf = shelfOf(ret.retailer);
      for (const s of shelf) {
        if (want <= 0) break;
        if (s.grade < reject) continue; // past rejection: thrown out below, never sold
        const take = Math.min(want, s.grams);
        s.grams -= take;
        want -= take;
        r.soldKg += take / 1_000;
      }
      r.unmetKg += want / 1_000;
      for (const s of shelf) s.grade -= heldLoss(DAY, SHOP_TEMPERATURE);
      const kept = shelf.filter((s) => s.grams > 0 && s.grade >= reject);
      for (const s of shelf) if (s.grams > 0 && s.grade < reject) r.spoiledAtShopsKg += s.grams / 1_000;
      shops.set(ret.retailer, kept);
    });
    for (const s of hub) s.grade -= heldLoss(DAY, HUB_TEMPERATURE);
    for (const s of hub) if (s.grade < reject) r.spoiledAtHubKg += s.grams / 1_000;
    hub = hub.filter((s) => s.grade >= reject);
  });
  r.spoiledKg = r.spoiledAtHubKg + r.spoiledAtShopsKg;
  r.spoilageShare = r.suppliedKg === 0 ? 0 : r.spoiledKg / r.suppliedKg;
  return r;
}
