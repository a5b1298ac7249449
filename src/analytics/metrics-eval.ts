/** Scoring against ground truth: precision / recall / F1 of findings per anomaly kind, MAPE and MASE of forecasts. */
import type { Finding } from "./anomaly.js";
import { ANOMALY_KINDS, type AnomalyKind, type AnomalyLabel } from "../core/chain-history.js";

export interface KindScore {
  kind: AnomalyKind;
  /** Labelled items of this kind. */
  labelled: number;
  flagged: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Precision, recall and F1 of `findings` against `labels`, per kind (an item counts once per kind). */
export function scoreFindings(findings: readonly Finding[], labels: readonly AnomalyLabel[]): KindScore[] {
  return ANOMALY_KINDS.map((kind) => {
    const truth = new Set(labels.filter((l) => l.kind === kind).map((l) => l.itemId));
    const flagged = new Set(findings.filter((f) => f.kind === kind).map((f) => f.itemId));
    const tp = [...flagged].filter((id) => truth.has(id)).length;
    const precision = flagged.size === 0 ? (truth.size === 0 ? 1 : 0) : tp / flagged.size;
    const recall = truth.size === 0 ? 1 : tp / truth.size;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { kind, labelled: truth.size, flagged: flagged.size, truePositives: tp, precision, recall, f1 };
  });
}

/** Mean absolute percentage error over the points whose actual value is not 0 (NaN when there are none). */
export function mape(actual: readonly number[], forecast: readonly number[]): number {
  let sum = 0;
  let n = 0;
  actual.forEach((a, i) => {
    if (a === 0) return;
    // A forecast shorter than the actuals scores NaN (no value to compare).
    sum += Math.abs((a - (forecast[i] ?? NaN)) / a);
    n++;
  });
  return n === 0 ? NaN : (100 * sum) / n;
}

/**
 * Mean absolute scaled error (Hyndman & Koehler): the forecast's mean absolute error over the in-sample mean
 * absolute error of the seasonal-naive forecast (lag `season`) on `training`. Below 1: better than seasonal naive
 * was in sample.
 */
export function mase(
  actual: readonly number[],
  forecast: readonly number[],
  training: readonly number[],
  season = 7,
): number {
  let scale = 0;
  training.slice(season).forEach((x, i) => {
    scale += Math.abs(x - (training[i] ?? NaN));
  });
  scale /= Math.max(1, training.length - season);
  const mae = actual.reduce((s, a, i) => s + Math.abs(a - (forecast[i] ?? NaN)), 0) / actual.length;
  return scale === 0 ? NaN : mae / scale;
}
