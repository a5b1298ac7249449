/**
 * Grades lost under the shared freshness model (src/core/freshness.ts), as the analytics use it in continuous grades: the
 * model's decay k (hundredths of a grade per day at 0 °C) times the exposure t0 (seconds at 0 °C) in days. Written
 * once here for the generator, the features, the dispatch prediction and its simulation.
 */
import { equivalentSeconds, exposureOf, type FreshnessRule } from "../core/freshness.js";
import type { TemperatureReading } from "../core/chain-history.js";

const DAY = 86_400;

/** Grades lost over `t0` seconds at 0 °C under `rule`. */
export function gradesLost(t0: bigint, rule: FreshnessRule): number {
  return (rule.decayPerDay / 100) * (Number(t0) / DAY);
}

/** Grades lost under `rule` over time-ordered `readings`, each temperature holding until the next reading. */
export function gradesLostOver(readings: readonly TemperatureReading[], rule: FreshnessRule): number {
  return gradesLost(exposureOf(readings, rule.minimumTemperature), rule);
}

/** Grades lost under `rule` in `seconds` at `temperature` (hundredths of °C). */
export function gradesLostAt(seconds: number, temperature: number, rule: FreshnessRule): number {
  return gradesLost(equivalentSeconds(BigInt(Math.round(seconds)), temperature, rule.minimumTemperature), rule);
}
