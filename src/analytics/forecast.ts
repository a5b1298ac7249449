/**
 * Demand forecasts per species and retailer: SARIMA (the `arima` package: the C time-series library ctsa
 * compiled to WebAssembly) against the seasonal-naive baseline (the value of the same weekday
 * a week before), and a rolling-origin backtest that hands each forecaster only the history before its origin.
 */
import ARIMA from "arima";

import { InputError } from "../core/input-error.js";
import { mape, mase } from "./metrics-eval.js";
import { defined } from "../core/checks.js";

/** A forecaster: from the history up to an origin (never past it), `horizon` daily values after it. */
export type Forecaster = (history: readonly number[], horizon: number) => number[];

/** The SARIMA model: orders (p, d, q)(P, D, Q)s and how many recent days it is fitted on. */
export interface ForecastSpec {
  method: "sarima";
  order: { p: number; d: number; q: number; P: number; D: number; Q: number; s: number };
  /** Days of history the model is fitted on (the most recent ones). */
  trainingDays: number;
}

/** SARIMA(1,0,1)(0,1,1)₇ on the last 365 days: weekly seasonality differenced away, short memory on top. */
export const DEFAULT_FORECAST_SPEC: ForecastSpec = {
  method: "sarima",
  order: { p: 1, d: 0, q: 1, P: 0, D: 1, Q: 1, s: 7 },
  trainingDays: 365,
};

/** The seasonal-naive forecast: each day repeats the same day one season (`season` days) before the origin. */
export function seasonalNaive(season = 7): Forecaster {
  return (history, horizon) => {
    if (history.length < season)
      throw new InputError(`seasonal naive needs ${season} days of history, got ${history.length}`);
    return Array.from({ length: horizon }, (_, i) => {
      const day = history.length - season + (i % season);
      return defined(history[day], `day ${day} of the history`);
    });
  };
}

/** A forecast and the method that made it: "seasonal-naive" when the SARIMA fit gave no usable forecast. */
export interface MethodForecast {
  values: number[];
  method: "sarima" | "seasonal-naive";
}

/** SARIMA's forecast of `horizon` days after `history` (negatives clipped to 0), or seasonal naive's, said so. */
export function sarimaForecast(
  history: readonly number[],
  horizon: number,
  spec: ForecastSpec = DEFAULT_FORECAST_SPEC,
): MethodForecast {
  const minimum = 3 * spec.order.s;
  if (history.length < minimum) throw new InputError(`SARIMA needs ${minimum} days of history, got ${history.length}`);
  const model = new ARIMA({ ...spec.order, verbose: false });
  try {
    const [predicted] = model.train(history.slice(-spec.trainingDays)).predict(horizon);
    if (predicted.length === horizon && predicted.every(Number.isFinite))
      return { values: predicted.map((x) => Math.max(0, x)), method: "sarima" };
  } finally {
    model.destroy();
  }
  return { values: seasonalNaive(spec.order.s)(history, horizon), method: "seasonal-naive" };
}

/** The SARIMA forecaster of `spec` (`sarimaForecast`'s values). */
export function sarima(spec: ForecastSpec = DEFAULT_FORECAST_SPEC): Forecaster {
  return (history, horizon) => sarimaForecast(history, horizon, spec).values;
}

export interface BacktestOptions {
  /** Forecast origins (the last one leaves exactly `horizon` days after it). */
  origins: number;
  horizon: number;
  /** Days between origins. */
  step: number;
  /** The season of MASE's seasonal-naive scale. */
  season: number;
}

export const DEFAULT_BACKTEST: BacktestOptions = { origins: 8, horizon: 7, step: 7, season: 7 };

/** One origin of a backtest. */
export interface BacktestFold {
  /** Index of the first forecast day; the forecaster saw days 0 … origin − 1. */
  origin: number;
  /** How many days the forecaster was given. */
  trainingLength: number;
  actual: number[];
  forecast: number[];
  mape: number;
  mase: number;
}

/** The origins of a rolling-origin backtest of `length` days: the last leaves `horizon` days, earlier ones `step` apart. */
export function backtestOrigins(length: number, o: BacktestOptions = DEFAULT_BACKTEST): number[] {
  const last = length - o.horizon;
  const first = last - (o.origins - 1) * o.step;
  if (first < 3 * o.season) throw new InputError(`a series of ${length} days is too short for ${o.origins} origins`);
  return Array.from({ length: o.origins }, (_, i) => first + i * o.step);
}

/**
 * The rolling-origin backtest of `forecaster` on `series`: at each origin it gets a copy of the days before the
 * origin only, and its forecast is scored on the `horizon` days after.
 */
export function backtest(
  series: readonly number[],
  forecaster: Forecaster,
  o: BacktestOptions = DEFAULT_BACKTEST,
): BacktestFold[] {
  return backtestOrigins(series.length, o).map((origin) => {
    const training = series.slice(0, origin);
    const actual = series.slice(origin, origin + o.horizon);
    const forecast = forecaster(training, o.horizon);
    if (forecast.length !== o.horizon)
      throw new Error(`the forecaster returned ${forecast.length} days, not ${o.horizon}`);
    return {
      origin,
      trainingLength: training.length,
      actual,
      forecast,
      mape: mape(actual, forecast),
      mase: mase(actual, forecast, training, o.season),
    };
  });
}
