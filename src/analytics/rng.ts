/** Seeded draws over `mulberry32` (src/core/random.ts): uniform, integer, normal, choice — one generator per run. */
import { mulberry32 } from "../core/random.js";
import { defined } from "../core/checks.js";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(lo: number, hi: number): number;
  /** Whole numbers lo..hi inclusive. */
  int(lo: number, hi: number): number;
  /** Normal (Box–Muller). */
  normal(mean: number, sd: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** A seeded generator of draws (the same `seed`, the same sequence). */
export function rngOf(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: (mean, sd) => {
      const u = Math.max(next(), 1e-12);
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    chance: (p) => next() < p,
    pick: (items) => defined(items[Math.floor(next() * items.length)], "an item to pick (the list is empty)"),
  };
}
