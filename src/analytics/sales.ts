/**
 * Seeded daily sales per species and retailer (kg/day), the demand the forecasts are tested on: a level per series,
 * a weekly profile (Friday–Saturday peaks, quiet Sundays), an annual cycle (fish sells best in winter and Lent),
 * holidays (Christmas week, Easter), unannounced promotions and multiplicative noise.
 */
import type { SalesSeries } from "../core/chain-history.js";
import { InputError } from "../core/input-error.js";
import { rngOf } from "./rng.js";
import { defined } from "../core/checks.js";

export interface SalesOptions {
  seed: number;
  species: readonly string[];
  retailers: number;
  days: number;
  /** Unix seconds of day 0 (a midnight UTC). */
  start: number;
}

export const DEFAULT_SALES_OPTIONS: SalesOptions = {
  seed: 1,
  species: ["COD", "HAD", "POK"],
  retailers: 4,
  days: 730,
  start: Date.UTC(2025, 0, 6) / 1000,
};

/** Monday … Sunday. */
const WEEKLY = [0.85, 0.8, 0.9, 1.0, 1.4, 1.3, 0.55] as const;
const BASE_KG: Record<string, number> = { COD: 60, HAD: 35, POK: 20 };

/** Day of year (0-based) and weekday (0 = Monday) of unix time `t`. */
function calendar(t: number): { dayOfYear: number; weekday: number } {
  const d = new Date(t * 1000);
  const jan1 = Date.UTC(d.getUTCFullYear(), 0, 1);
  return { dayOfYear: Math.floor((d.getTime() - jan1) / 86_400_000), weekday: (d.getUTCDay() + 6) % 7 };
}

/** The holiday uplift of a day of year: the week before Christmas, and a fixed Easter-like week in spring. */
function holiday(dayOfYear: number): number {
  if (dayOfYear >= 352 && dayOfYear <= 357) return 1.6;
  if (dayOfYear >= 358 && dayOfYear <= 360) return 0.3;
  if (dayOfYear >= 95 && dayOfYear <= 99) return 1.3;
  return 1;
}

/** Daily sales of every species at every retailer. */
export function generateSales(options: Partial<SalesOptions> = {}): SalesSeries[] {
  const o: SalesOptions = { ...DEFAULT_SALES_OPTIONS, ...options };
  if (!Number.isInteger(o.days) || o.days < 28) throw new InputError(`days ${o.days} is not a whole number ≥ 28`);
  if (!Number.isInteger(o.retailers) || o.retailers < 1)
    throw new InputError(`retailers ${o.retailers} is not a whole number ≥ 1`);
  const rng = rngOf(o.seed);
  const out: SalesSeries[] = [];
  for (let r = 0; r < o.retailers; r++) {
    const size = rng.uniform(0.5, 1.6);
    for (const species of o.species) {
      const level = (BASE_KG[species] ?? 25) * size;
      const peakDay = rng.uniform(0, 60);
      const trend = rng.normal(0, 0.1) / 365;
      let promoLeft = 0;
      const values: number[] = [];
      for (let day = 0; day < o.days; day++) {
        const { dayOfYear, weekday } = calendar(o.start + day * 86_400);
        if (promoLeft === 0 && rng.chance(1 / 30)) promoLeft = 3;
        const promo = promoLeft > 0 ? 1.4 : 1;
        if (promoLeft > 0) promoLeft--;
        const annual = 1 + 0.2 * Math.cos((2 * Math.PI * (dayOfYear - peakDay)) / 365);
        const noise = Math.exp(rng.normal(0, 0.12));
        const kg =
          level *
          defined(WEEKLY[weekday], `weekday ${weekday}`) *
          annual *
          (1 + trend * day) *
          holiday(dayOfYear) *
          promo *
          noise;
        values.push(Math.round(Math.max(0, kg) * 10) / 10);
      }
      out.push({ species, retailer: `retailer ${r + 1}`, start: o.start, values });
    }
  }
  return out;
}
