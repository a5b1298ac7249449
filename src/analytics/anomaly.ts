/**
 * Anomaly detection over the features of a chain history: rules plus a learned robust-statistics detector, and the
 * threshold-only baseline it is measured against.
 *
 * The learned part fits, on a training history, the median and the median absolute deviation (MAD,
 * `simple-statistics`) of each feature — per product for yields — and scores an item by the modified z-score
 * 0.6745·(x − median)/MAD (Iglewicz & Hoaglin), flagging |z| > `threshold` (3.5 by their rule) on the side that
 * means trouble. Median and MAD stay put when a few percent of the training data are anomalies themselves, so the
 * detector trains on unlabelled history; its parameters are a handful of numbers, stored in a model file.
 *
 * Why not an isolation forest: every anomaly kind here shows in one or two known features, where a per-feature
 * robust score is as sensitive, explains itself ("yield 71.0 % for COD-fillet (z 9.8)") and needs no extra library.
 */
import { median, medianAbsoluteDeviation } from "simple-statistics";

import type { HistoryFeatures, LegFeatures, ProcessFeatures } from "./features.js";
import type { AnomalyKind } from "../core/chain-history.js";

/** The median and MAD of one feature. */
export interface RobustScale {
  median: number;
  mad: number;
}

/** What `trainDetector` learns (and a model file stores). */
export interface DetectorParams {
  /** Modified z-score beyond which an item is flagged. */
  threshold: number;
  /** Summary mean − readings mean (hundredths of °C). */
  summaryMeanGap: RobustScale;
  /** Grade drop beyond the freshness model's (grades). */
  gradeResidual: RobustScale;
  /** Weight lost per day in transit (share of shipped weight), and the scale of what is lost beyond it. */
  lossPerDay: number;
  lossResidual: RobustScale;
  /** Yield per product seen at least 5 times in training (another product's yield is not scored). */
  yieldByProduct: Record<string, RobustScale>;
  /** Mean confidence that products are the declared species. */
  declaredConfidence: RobustScale;
  /** Identical consecutive readings that make a flat-lined sensor (rule). */
  flatRun: number;
}

/** One flagged item: which kind, on which leg or processing, how strongly, and why. */
export interface Finding {
  kind: AnomalyKind;
  itemId: string;
  /** The largest modified z-score (or rule weight) behind the finding. */
  score: number;
  reasons: string[];
}

const Z = 0.6745;

/** Median and MAD of `values`, the MAD at least `floor` (a near-constant feature would flag any change at all). */
function scaleOf(values: readonly number[], floor: number): RobustScale {
  if (values.length === 0) return { median: 0, mad: floor };
  return { median: median([...values]), mad: Math.max(floor, medianAbsoluteDeviation([...values])) };
}

/** The modified z-score of `x` under `s`. */
export function robustZ(x: number, s: RobustScale): number {
  return (Z * (x - s.median)) / s.mad;
}

const defined = <T>(xs: readonly (T | undefined)[]): T[] => xs.filter((x): x is T => x !== undefined);

/** Fits the detector on the features of an (unlabelled) training history. */
export function trainDetector(features: HistoryFeatures, threshold = 3.5): DetectorParams {
  const legs = features.legs;
  const withLoss = legs.flatMap(({ lossShare, hours }) =>
    lossShare !== undefined && hours > 0 ? [{ lossShare, hours }] : [],
  );
  const lossPerDay = withLoss.length === 0 ? 0 : median(withLoss.map((l) => (l.lossShare / l.hours) * 24));
  const byProduct = new Map<string, number[]>();
  for (const p of features.processes) {
    if (p.yieldShare === undefined) continue;
    const list = byProduct.get(p.product) ?? [];
    list.push(p.yieldShare);
    byProduct.set(p.product, list);
  }
  const yieldByProduct: Record<string, RobustScale> = {};
  for (const [product, ys] of byProduct) if (ys.length >= 5) yieldByProduct[product] = scaleOf(ys, 0.005);
  return {
    threshold,
    summaryMeanGap: scaleOf(defined(legs.map((l) => l.summaryMeanGap)), 10),
    gradeResidual: scaleOf(defined(legs.map((l) => l.gradeResidual)), 0.25),
    lossPerDay,
    lossResidual: scaleOf(
      withLoss.map((l) => l.lossShare - (lossPerDay * l.hours) / 24),
      0.0005,
    ),
    yieldByProduct,
    declaredConfidence: scaleOf(defined(features.processes.map((p) => p.declaredConfidence)), 1),
    flatRun: 4,
  };
}

function legFindings(p: DetectorParams, l: LegFeatures): Finding[] {
  const out: Finding[] = [];
  const t = p.threshold;

  // Warm leg: a posted reading or the anchored summary left the band (rules: the chain's own band checks), the
  // summary's mean sits above what the readings saw, or the lots lost more grades than the readings explain (learned).
  const warm: string[] = [];
  let warmScore = 0;
  if (l.readingsOutOfBand > 0 && l.longestFlatRun < p.flatRun) {
    warm.push(`${l.readingsOutOfBand} posted reading${l.readingsOutOfBand === 1 ? "" : "s"} outside the band`);
    warmScore = t + l.readingsOutOfBand;
  }
  if (l.summaryBeyondBand !== undefined && l.summaryBeyondBand > 0 && !l.summaryFlat) {
    warm.push(`the anchored summary leaves the band by ${(l.summaryBeyondBand / 100).toFixed(2)} °C`);
    warmScore = Math.max(warmScore, t + l.summaryBeyondBand / 100);
  }
  if (l.summaryMeanGap !== undefined) {
    const z = robustZ(l.summaryMeanGap, p.summaryMeanGap);
    if (z > t) {
      warm.push(`summary mean ${(l.summaryMeanGap / 100).toFixed(2)} °C above the readings' (z ${z.toFixed(1)})`);
      warmScore = Math.max(warmScore, z);
    }
  }
  if (l.gradeResidual !== undefined) {
    const z = robustZ(l.gradeResidual, p.gradeResidual);
    if (z > t) {
      warm.push(`${l.gradeResidual.toFixed(2)} grades lost beyond the freshness model (z ${z.toFixed(1)})`);
      warmScore = Math.max(warmScore, z);
    }
  }
  if (warm.length > 0) out.push({ kind: "warm-leg", itemId: l.legId, score: warmScore, reasons: warm });

  // Weight shrink: more lost than drip loss over the leg's duration explains (learned).
  if (l.lossShare !== undefined) {
    const z = robustZ(l.lossShare - (p.lossPerDay * l.hours) / 24, p.lossResidual);
    if (z > t) {
      out.push({
        kind: "weight-shrink",
        itemId: l.legId,
        score: z,
        reasons: [`${(l.lossShare * 100).toFixed(1)} % of the shipped weight missing at intake (z ${z.toFixed(1)})`],
      });
    }
  }

  // Flat-line: identical consecutive readings or a constant summary (rules). (A learned lower bound on the readings'
  // spread flagged short, calm legs: dropped.)
  const flat: string[] = [];
  let flatScore = 0;
  if (l.longestFlatRun >= p.flatRun) {
    flat.push(`${l.longestFlatRun} identical readings in a row`);
    flatScore = t + l.longestFlatRun;
  }
  if (l.summaryFlat) {
    flat.push("the anchored summary has minimum = maximum");
    flatScore = Math.max(flatScore, t + 1);
  }
  if (flat.length > 0) out.push({ kind: "sensor-flatline", itemId: l.legId, score: flatScore, reasons: flat });
  return out;
}

function processFindings(p: DetectorParams, f: ProcessFeatures): Finding[] {
  const out: Finding[] = [];
  const t = p.threshold;
  const scale = p.yieldByProduct[f.product];
  if (scale !== undefined && f.yieldShare !== undefined) {
    const z = robustZ(f.yieldShare, scale);
    if (z > t) {
      out.push({
        kind: "impossible-yield",
        itemId: f.processId,
        score: z,
        reasons: [`yield ${(f.yieldShare * 100).toFixed(1)} % for ${f.product} (z ${z.toFixed(1)})`],
      });
    }
  }
  const why: string[] = [];
  let score = 0;
  if (f.foreignScans > 0) {
    why.push(`${f.foreignScans} of ${f.scanCount} product scans name another species`);
    score = t + f.foreignScans;
  }
  if (f.declaredConfidence !== undefined) {
    const z = robustZ(f.declaredConfidence, p.declaredConfidence);
    if (z < -t) {
      why.push(`products scan as ${f.species} at ${f.declaredConfidence.toFixed(0)} % on average (z ${z.toFixed(1)})`);
      score = Math.max(score, -z);
    }
  }
  if (why.length > 0) out.push({ kind: "species-substitution", itemId: f.processId, score, reasons: why });
  return out;
}

/** The detector's findings on `features`. */
export function detectAnomalies(params: DetectorParams, features: HistoryFeatures): Finding[] {
  return [
    ...features.legs.flatMap((l) => legFindings(params, l)),
    ...features.processes.flatMap((f) => processFindings(params, f)),
  ];
}

/** The threshold-only baseline's fixed limits. */
export const BASELINE_LIMITS = {
  /** Weight loss in transit beyond which a leg is flagged (a common contract tolerance). */
  lossShare: 0.05,
  /** Yield beyond which a processing is flagged, whatever the product. */
  yieldShare: 0.92,
} as const;

/**
 * The threshold-only baseline: the chain's own band checks — on each posted reading and on the anchored sensor
 * summary's minimum and maximum (the contracts' ColdChainExcursion and SensorExcursion) — flagging warm leg and
 * flat-line alike (a sensor stuck inside the band passes), a fixed weight-loss limit, a fixed yield limit, and the
 * chain's species rule (a scan naming another species).
 */
export function baselineAnomalies(features: HistoryFeatures): Finding[] {
  const out: Finding[] = [];
  for (const l of features.legs) {
    const summaryOut = l.summaryBeyondBand !== undefined && l.summaryBeyondBand > 0;
    if (l.readingsOutOfBand > 0 || summaryOut) {
      const reasons = [
        ...(l.readingsOutOfBand > 0 ? [`${l.readingsOutOfBand} readings outside the band`] : []),
        ...(summaryOut ? ["the anchored summary outside the band"] : []),
      ];
      const score = l.readingsOutOfBand + (summaryOut ? 1 : 0);
      out.push({ kind: "warm-leg", itemId: l.legId, score, reasons });
      out.push({ kind: "sensor-flatline", itemId: l.legId, score, reasons });
    }
    if (l.lossShare !== undefined && l.lossShare > BASELINE_LIMITS.lossShare) {
      out.push({ kind: "weight-shrink", itemId: l.legId, score: l.lossShare, reasons: ["loss above 5 %"] });
    }
  }
  for (const f of features.processes) {
    if (f.yieldShare !== undefined && f.yieldShare > BASELINE_LIMITS.yieldShare) {
      out.push({ kind: "impossible-yield", itemId: f.processId, score: f.yieldShare, reasons: ["yield above 92 %"] });
    }
    if (f.foreignScans > 0) {
      out.push({ kind: "species-substitution", itemId: f.processId, score: f.foreignScans, reasons: ["foreign scan"] });
    }
  }
  return out;
}
