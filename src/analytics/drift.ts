/**
 * The drift signal of the served anomaly detector, per feature: how far the median of the live feature values has
 * moved from the training median, in training MADs — |median over live items of (x − median) / MAD| (for yields each
 * processing is put on its own product's scale first, then pooled).
 *
 * Why this and not a population stability index: the detector *is* a median and a MAD per feature, so a shift of the
 * live median by one training MAD is exactly what starts to move its z-scores (0.6745 per MAD: a drift of 1 moves
 * every score by ~0.7 of the 3.5 threshold); it needs no bins, is robust to the few anomalies themselves, and is
 * read directly ("the live median sits 1.4 MADs above training"). Without drift the live median of n items lies
 * within ~1.9/√n MADs of the training median (one standard error), so 1.0 is far outside noise from ~15 items on.
 */
import { median } from "simple-statistics";

import type { DetectorParams, RobustScale } from "./anomaly.js";
import type { HistoryFeatures } from "./features.js";

/** The features the drift gauge watches. */
export const DRIFT_FEATURES = [
  "summary_mean_gap",
  "grade_residual",
  "loss_residual",
  "yield_share",
  "declared_confidence",
] as const;
export type DriftFeature = (typeof DRIFT_FEATURES)[number];

export interface DriftValue {
  /** |median (x − m) / MAD| over the live items; undefined with fewer than `minimum` of them. */
  drift: number | undefined;
  /** Live items with the feature. */
  items: number;
}

const shifted = (x: number, s: RobustScale) => (x - s.median) / s.mad;

/** The drift of every feature of `live` (the items of the live window) against `params` (module comment). */
export function featureDrift(
  params: DetectorParams,
  live: HistoryFeatures,
  minimum = 5,
): Record<DriftFeature, DriftValue> {
  const values: Record<DriftFeature, number[]> = {
    summary_mean_gap: [],
    grade_residual: [],
    loss_residual: [],
    yield_share: [],
    declared_confidence: [],
  };
  for (const l of live.legs) {
    if (l.summaryMeanGap !== undefined) values.summary_mean_gap.push(shifted(l.summaryMeanGap, params.summaryMeanGap));
    if (l.gradeResidual !== undefined) values.grade_residual.push(shifted(l.gradeResidual, params.gradeResidual));
    if (l.lossShare !== undefined)
      values.loss_residual.push(shifted(l.lossShare - (params.lossPerDay * l.hours) / 24, params.lossResidual));
  }
  for (const p of live.processes) {
    const scale = params.yieldByProduct[p.product];
    if (scale !== undefined && p.yieldShare !== undefined) values.yield_share.push(shifted(p.yieldShare, scale));
    if (p.declaredConfidence !== undefined)
      values.declared_confidence.push(shifted(p.declaredConfidence, params.declaredConfidence));
  }
  const driftOf = (xs: number[]): DriftValue => ({
    drift: xs.length >= minimum ? Math.abs(median(xs)) : undefined,
    items: xs.length,
  });
  return {
    summary_mean_gap: driftOf(values.summary_mean_gap),
    grade_residual: driftOf(values.grade_residual),
    loss_residual: driftOf(values.loss_residual),
    yield_share: driftOf(values.yield_share),
    declared_confidence: driftOf(values.declared_confidence),
  };
}
