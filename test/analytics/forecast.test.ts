/**
 * Demand forecasting: SARIMA beats the seasonal-naive baseline on seasonal sales in a rolling-origin backtest, and
 * cannot cheat — every forecaster is handed a copy of the days before its origin only, so a future rewritten to
 * nonsense changes nothing it forecasts. MAPE and MASE are checked by hand.
 */
import { expect } from "chai";

import {
  backtest,
  backtestOrigins,
  DEFAULT_BACKTEST,
  sarima,
  seasonalNaive,
  type Forecaster,
} from "../../src/analytics/forecast.js";
import { mape, mase } from "../../src/analytics/metrics-eval.js";
import { generateSales } from "../../src/analytics/sales.js";
import { InputError } from "../../src/core/input-error.js";

/** `actual` within `tolerance` of `expected` (chai's closeTo is bigint-only once hardhat's chai matchers load). */
function expectNear(actual: number, expected: number, tolerance = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} ≈ ${expected}`).to.be.at.most(tolerance);
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe("analytics: demand forecasting against seasonal naive", function () {
  this.timeout(60_000);
  const series = generateSales({ seed: 3, species: ["COD", "HAD"], retailers: 2, days: 500 });

  it("SARIMA has a lower MASE and MAPE than seasonal naive on every seasonal series", () => {
    for (const s of series) {
      const model = backtest(s.values, sarima());
      const naive = backtest(s.values, seasonalNaive(7));
      const label = `${s.species} at ${s.retailer}`;
      expect(mean(model.map((f) => f.mase)), label).to.be.lessThan(mean(naive.map((f) => f.mase)));
      expect(mean(model.map((f) => f.mape)), label).to.be.lessThan(mean(naive.map((f) => f.mape)));
    }
  });

  it("hands each forecaster only the days before its origin (8 origins a week apart, 7-day horizon)", () => {
    const values = series[0]!.values;
    const seen: { origin: number; history: number[] }[] = [];
    const spy: Forecaster = (history, horizon) => {
      seen.push({ origin: history.length, history: [...history] });
      return Array.from({ length: horizon }, () => 0);
    };
    const folds = backtest(values, spy);
    const origins = backtestOrigins(values.length);
    expect(origins).to.have.length(8);
    expect(origins.at(-1)).to.equal(values.length - 7);
    expect(origins.slice(1).map((o, i) => o - origins[i]!)).to.deep.equal(Array(7).fill(7));
    folds.forEach((fold, i) => {
      expect(fold.origin).to.equal(origins[i]);
      expect(fold.trainingLength).to.equal(fold.origin);
      expect(seen[i]!.history).to.deep.equal(values.slice(0, fold.origin));
      expect(fold.actual).to.deep.equal(values.slice(fold.origin, fold.origin + 7));
    });
  });

  it("cannot cheat: a future rewritten to nonsense leaves every forecast unchanged", () => {
    const values = series[1]!.values;
    const honest = backtest(values, sarima());
    const origins = backtestOrigins(values.length);
    origins.forEach((origin, i) => {
      const poisoned = values.map((v, day) => (day >= origin ? 1e6 : v));
      // Fit only at this origin (later origins would fit on the nonsense, now part of their past).
      const model = sarima();
      const atOrigin: Forecaster = (history, horizon) =>
        history.length === origin ? model(history, horizon) : Array.from({ length: horizon }, () => 0);
      const [fold] = backtest(poisoned, atOrigin, DEFAULT_BACKTEST).filter((f) => f.origin === origin);
      expect(fold!.forecast, `origin ${origin}`).to.deep.equal(honest[i]!.forecast);
    });
  });

  it("scores MAPE and MASE as defined (by hand)", () => {
    expectNear(mape([100, 200, 0], [110, 180, 5]), 10, 1e-12);
    // Seasonal-naive in-sample errors of [1,2,3,4, 2,3,4,5] with season 4: all 1, so MASE = MAE.
    expectNear(mase([10, 10], [9, 12], [1, 2, 3, 4, 2, 3, 4, 5], 4), 1.5, 1e-12);
    const weekly = Array.from({ length: 84 }, (_, i) => [5, 6, 7, 8, 12, 11, 3][i % 7]!);
    const folds = backtest(weekly, seasonalNaive(7));
    expect(folds.every((f) => f.mape === 0)).to.equal(true);
  });

  it("refuses a series too short for its origins in one line", () => {
    expect(() => backtest([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], seasonalNaive(7)))
      .to.throw(InputError)
      .with.property("message")
      .that.does.not.include("\n");
    expect(() => generateSales({ days: 3 })).to.throw(InputError, /days 3/);
  });
});
