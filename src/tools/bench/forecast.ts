/**
 * The forecast benchmark (issue 9): daily sales of every species at every retailer (generated, seeded), a
 * rolling-origin backtest (8 origins a week apart, 7-day horizon) of SARIMA beside the seasonal-naive baseline,
 * MAPE and MASE per series summarised (median, mean) and over all forecasts — over ordinary weeks (history of
 * BENCH_FORECAST_DAYS − 30 days) and over the weeks with Christmas and New Year (BENCH_FORECAST_DAYS days).
 *
 *   npm run bench:forecast      (hardhat run --no-compile src/tools/bench/forecast.ts)
 *
 * Environment: BENCH_FORECAST_RETAILERS (4), BENCH_FORECAST_DAYS (730 days of history), BENCH_FORECAST_ORIGINS (8),
 * BENCH_FORECAST_HORIZON (7), BENCH_FORECAST_SEED (1).
 */
import os from "node:os";
import { performance } from "node:perf_hooks";

import { median } from "simple-statistics";

import {
  backtest,
  backtestOrigins,
  DEFAULT_FORECAST_SPEC,
  sarima,
  seasonalNaive,
  type BacktestFold,
} from "../../analytics/forecast.js";
import { mape } from "../../analytics/metrics-eval.js";
import { DEFAULT_SALES_OPTIONS, generateSales } from "../../analytics/sales.js";
import { defined } from "../checked.js";
import { envNumber } from "./env.js";

const RETAILERS = Math.round(envNumber("BENCH_FORECAST_RETAILERS", 4));
const DAYS = Math.round(envNumber("BENCH_FORECAST_DAYS", 730));
const ORIGINS = Math.round(envNumber("BENCH_FORECAST_ORIGINS", 8));
const HORIZON = Math.round(envNumber("BENCH_FORECAST_HORIZON", 7));
const SEED = Math.round(envNumber("BENCH_FORECAST_SEED", 1));

const cpus = os.cpus();
const machine = `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), node ${process.version}`;
const options = { origins: ORIGINS, horizon: HORIZON, step: 7, season: 7 };
const models = { SARIMA: sarima(DEFAULT_FORECAST_SPEC), "seasonal naive (lag 7)": seasonalNaive(7) };
const order = DEFAULT_FORECAST_SPEC.order;
const sarimaName = `SARIMA(${order.p},${order.d},${order.q})(${order.P},${order.D},${order.Q})${order.s}`;

interface Result {
  perSeriesMape: number[];
  perSeriesMase: number[];
  folds: BacktestFold[];
  ms: number;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Backtests both models on `days` days of sales and prints one table. */
function window(days: number, title: string): void {
  const series = generateSales({ seed: SEED, retailers: RETAILERS, days });
  const results = new Map<string, Result>();
  for (const [name, forecaster] of Object.entries(models)) {
    const r: Result = { perSeriesMape: [], perSeriesMase: [], folds: [], ms: 0 };
    const t = performance.now();
    for (const s of series) {
      const folds = backtest(s.values, forecaster, options);
      r.folds.push(...folds);
      r.perSeriesMape.push(mean(folds.map((f) => f.mape)));
      r.perSeriesMase.push(mean(folds.map((f) => f.mase)));
    }
    r.ms = performance.now() - t;
    results.set(name, r);
  }
  const origins = backtestOrigins(days, options);
  const start = defined(series[0], "a generated sales series").start;
  const dateOf = (day: number) => new Date((start + day * 86_400) * 1000).toISOString().slice(0, 10);
  console.log("");
  console.log(
    `${title}: forecast days ${dateOf(defined(origins[0], "a backtest origin"))} … ${dateOf(days - 1)} (history of ${days} days)`,
  );
  console.log("");
  console.log(
    "| model | MAPE % median / mean per series | MASE median / mean per series | MAPE % overall | MASE overall | time |",
  );
  console.log("| --- | --- | --- | ---: | ---: | ---: |");
  for (const [name, r] of results) {
    const actual = r.folds.flatMap((f) => f.actual);
    const forecast = r.folds.flatMap((f) => f.forecast);
    console.log(
      `| ${name} | ${median(r.perSeriesMape).toFixed(1)} / ${mean(r.perSeriesMape).toFixed(1)} | ` +
        `${median(r.perSeriesMase).toFixed(2)} / ${mean(r.perSeriesMase).toFixed(2)} | ` +
        `${mape(actual, forecast).toFixed(1)} | ${mean(r.folds.map((f) => f.mase)).toFixed(2)} | ` +
        `${(r.ms / 1000).toFixed(1)} s |`,
    );
  }
  const sarimaResult = defined(results.get("SARIMA"), "the SARIMA backtest");
  const naiveResult = defined(results.get("seasonal naive (lag 7)"), "the seasonal naive backtest");
  const wins = sarimaResult.perSeriesMase.filter(
    (m, i) => m < defined(naiveResult.perSeriesMase[i], `the seasonal naive MASE of series ${i}`),
  ).length;
  console.log("");
  console.log(`SARIMA has the lower MASE on ${wins} of ${series.length} series. (MASE overall: mean over folds.)`);
}

console.log(`forecast benchmark — ${machine}`);
console.log("");
console.log(
  `${RETAILERS} retailers × ${DEFAULT_SALES_OPTIONS.species.length} species (${DEFAULT_SALES_OPTIONS.species.join(", ")}), seed ${SEED}; rolling origin: ${ORIGINS} origins a week apart, horizon ` +
    `${HORIZON} days; ${sarimaName} on the last ${DEFAULT_FORECAST_SPEC.trainingDays} days before each origin. ` +
    "Neither model is told the holidays (Christmas week ×1.6, then closed days ×0.3) nor the unannounced promotions.",
);
window(DAYS - 30, "Ordinary weeks");
window(DAYS, "Weeks with Christmas and New Year");
