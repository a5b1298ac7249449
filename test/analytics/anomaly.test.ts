/**
 * Anomaly detection on a small fixed generated history (seed 12: 8 catches of cod and haddock, 26 legs, 5
 * processings, every anomaly kind injected): the detector, trained on another seed's unlabelled history, finds the
 * injected anomalies with the recall and precision pinned here; the threshold-only baseline (the chain's band checks
 * on readings and anchored summaries, fixed loss and yield limits) finds the same warm legs but misses every
 * flat-lined sensor and most shrinks and yields. The generator is repeatable and refuses bad options in one line.
 */
import { expect } from "chai";

import { baselineAnomalies, detectAnomalies, robustZ, trainDetector } from "../../src/analytics/anomaly.js";
import { extractFeatures } from "../../src/analytics/features.js";
import { generateHistory, labelCounts } from "../../src/analytics/generate.js";
import { ANOMALY_KINDS } from "../../src/core/chain-history.js";
import { scoreFindings } from "../../src/analytics/metrics-eval.js";
import { InputError } from "../../src/core/input-error.js";

/** `actual` within `tolerance` of `expected` (chai's closeTo is bigint-only once hardhat's chai matchers load). */
function expectNear(actual: number, expected: number, tolerance = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} ≈ ${expected}`).to.be.at.most(tolerance);
}

/** The small fixed data set of the anomaly tests (the chain test replays the same one). */
const SMALL = { seed: 12, catches: 8, species: ["COD", "HAD"], anomalyRate: 0.25 } as const;
/** The training history of the detector: another seed, unlabelled, the default anomaly rate. */
const TRAINING = { seed: 1, catches: 400, species: ["COD", "HAD"] } as const;

describe("analytics: anomaly detection on the small fixed data set", function () {
  const small = generateHistory({ ...SMALL, species: [...SMALL.species] });
  const training = generateHistory({ ...TRAINING, species: [...TRAINING.species] });
  const params = trainDetector(extractFeatures(training.history));
  const features = extractFeatures(small.history);
  const byKind = (scores: ReturnType<typeof scoreFindings>) => Object.fromEntries(scores.map((s) => [s.kind, s]));

  it("holds every anomaly kind, labelled by leg or processing", () => {
    expect(small.history.legs).to.have.length(26);
    expect(small.history.processes).to.have.length(5);
    expect(labelCounts(small.labels)).to.deep.equal({
      "warm-leg": 5,
      "weight-shrink": 5,
      "species-substitution": 1,
      "impossible-yield": 1,
      "sensor-flatline": 6,
    });
    const legIds = new Set(small.history.legs.map((l) => l.legId));
    const processIds = new Set(small.history.processes.map((p) => p.processId));
    for (const l of small.labels) {
      const known = ["warm-leg", "weight-shrink", "sensor-flatline"].includes(l.kind) ? legIds : processIds;
      expect(known.has(l.itemId), `${l.kind} ${l.itemId}`).to.equal(true);
    }
  });

  it("finds the injected anomalies: recall and precision per kind on this seed", () => {
    const s = byKind(scoreFindings(detectAnomalies(params, features), small.labels));
    const pinned = Object.fromEntries(
      ANOMALY_KINDS.map((k) => [k, [s[k]!.truePositives, s[k]!.labelled, s[k]!.flagged]]),
    );
    // [found, labelled, flagged]. Missed: a warm leg with no anchored summary whose scans show no excess drop, two
    // flat-lines on legs of 3 readings with no summary. One false warm leg: scans 1.9 grades below the model.
    expect(pinned).to.deep.equal({
      "warm-leg": [4, 5, 5],
      "weight-shrink": [5, 5, 5],
      "species-substitution": [1, 1, 1],
      "impossible-yield": [1, 1, 1],
      "sensor-flatline": [4, 6, 4],
    });
    for (const k of ANOMALY_KINDS) expect(s[k]!.precision, k).to.be.at.least(0.8);
    expect(s["warm-leg"]!.recall).to.equal(0.8);
    expectNear(s["sensor-flatline"]!.recall, 4 / 6, 1e-9);
  });

  it("the threshold-only baseline (the chain's band checks, fixed limits) misses every flat-lined sensor", () => {
    const d = byKind(scoreFindings(detectAnomalies(params, features), small.labels));
    const b = byKind(scoreFindings(baselineAnomalies(features), small.labels));
    // Warm legs: the band checks on the readings and the anchored summary find what the detector finds, without its
    // one false alarm from the scans; the other kinds need the learned scales (or the flat-line rule).
    expect(b["warm-leg"]!.truePositives).to.equal(4);
    expect(b["warm-leg"]!.flagged).to.equal(4);
    expect(d["warm-leg"]!.truePositives).to.equal(b["warm-leg"]!.truePositives);
    expect(b["sensor-flatline"]!.truePositives).to.equal(0);
    expect(b["weight-shrink"]!.truePositives).to.equal(2);
    expect(b["impossible-yield"]!.truePositives).to.equal(0);
    for (const k of ANOMALY_KINDS.filter((k) => k !== "warm-leg")) expect(d[k]!.f1, k).to.be.above(b[k]!.f1);

    // A hidden warm leg: no posted reading left the band, yet the detector flags it from the summary or the scans.
    const hidden = small.labels.filter(
      (l) => l.kind === "warm-leg" && features.legs.find((f) => f.legId === l.itemId)!.readingsOutOfBand === 0,
    );
    expect(hidden).to.have.length(4);
    const flagged = new Set(
      detectAnomalies(params, features)
        .filter((f) => f.kind === "warm-leg")
        .map((f) => f.itemId),
    );
    expect(hidden.filter((l) => flagged.has(l.itemId))).to.have.length(3);
  });

  it("explains each finding in words with its score", () => {
    const findings = detectAnomalies(params, features);
    for (const f of findings) {
      expect(f.reasons.length, `${f.kind} ${f.itemId}`).to.be.greaterThan(0);
      expect(f.score).to.be.greaterThan(params.threshold);
    }
    expect(robustZ(params.gradeResidual.median, params.gradeResidual)).to.equal(0);
  });

  it("judges no share of nothing: a leg shipped at 0 g or a processing that consumed 0 g gives no loss or yield", () => {
    const leg = { ...small.history.legs[0]!, shippedGrams: 0, receivedGrams: 0 };
    const process = { ...small.history.processes[0]!, consumedGrams: 0 };
    const odd = extractFeatures({ ...small.history, legs: [leg], processes: [process] });
    expect(odd.legs[0]!.lossShare).to.equal(undefined);
    expect(odd.processes[0]!.yieldShare).to.equal(undefined);
    for (const f of detectAnomalies(params, odd)) expect(Number.isFinite(f.score), f.kind).to.equal(true);
  });

  it("is repeatable: the same seed gives the same history and labels", () => {
    const again = generateHistory({ ...SMALL, species: [...SMALL.species] });
    expect(again.history).to.deep.equal(small.history);
    expect(again.labels).to.deep.equal(small.labels);
    expect(generateHistory({ ...SMALL, species: [...SMALL.species], seed: 13 }).history).to.not.deep.equal(
      small.history,
    );
  });

  it("refuses bad generator options in one line", () => {
    for (const bad of [{ catches: 0 }, { anomalyRate: 2 }, { species: [] }, { readingEveryMinutes: 5 }]) {
      expect(() => generateHistory(bad))
        .to.throw(InputError)
        .with.property("message")
        .that.does.not.include("\n");
    }
  });
});
