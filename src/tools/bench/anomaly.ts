/**
 * The anomaly benchmark (issue 9): trains the detector on one generated history (unlabelled, seed S), scores a
 * second one (seed S + 1) with labelled anomalies, and prints precision / recall / F1 per anomaly kind for the
 * detector (rules + robust statistics) beside the threshold-only baseline, with the latency per scored item.
 *
 *   npm run bench:anomaly      (hardhat run --no-compile src/tools/bench/anomaly.ts)
 *
 * Environment: BENCH_ANOMALY_CATCHES (1500 catch lots per history), BENCH_ANOMALY_RATE (0.05, share of records
 * given each anomaly kind), BENCH_ANOMALY_SEED (1), BENCH_ANOMALY_READING_MINUTES (120, minutes between posted
 * readings).
 */
import os from "node:os";
import { performance } from "node:perf_hooks";

import { baselineAnomalies, detectAnomalies, trainDetector } from "../../analytics/anomaly.js";
import { extractFeatures } from "../../analytics/features.js";
import { generateHistory, labelCounts } from "../../analytics/generate.js";
import { scoreFindings, type KindScore } from "../../analytics/metrics-eval.js";
import { detectorModel, parseModelFile, serializeModel } from "../../analytics/model-file.js";
import { defined } from "../checked.js";
import { envNumber } from "./env.js";

const CATCHES = Math.round(envNumber("BENCH_ANOMALY_CATCHES", 1500));
const RATE = envNumber("BENCH_ANOMALY_RATE", 0.05);
const SEED = Math.round(envNumber("BENCH_ANOMALY_SEED", 1));
const READING_MINUTES = Math.round(envNumber("BENCH_ANOMALY_READING_MINUTES", 120));

const cpus = os.cpus();
const machine = `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), node ${process.version}`;
const options = { catches: CATCHES, anomalyRate: RATE, readingEveryMinutes: READING_MINUTES };

const t0 = performance.now();
const training = generateHistory({ ...options, seed: SEED });
const test = generateHistory({ ...options, seed: SEED + 1 });
const genMs = performance.now() - t0;

const trainingFeatures = extractFeatures(training.history);
const params = trainDetector(trainingFeatures);
const model = parseModelFile(
  serializeModel(detectorModel(params, training.history)),
  "anomaly-detector",
  training.history,
);

const tScore = performance.now();
const features = extractFeatures(test.history);
const findings = detectAnomalies(model.params, features);
const scoreMs = performance.now() - tScore;
const items = features.legs.length + features.processes.length;
const baseline = baselineAnomalies(features);

const detector = scoreFindings(findings, test.labels);
const base = scoreFindings(baseline, test.labels);
const f = (x: number) => x.toFixed(2);
const prf = (s: KindScore) => `${f(s.precision)} / ${f(s.recall)} / ${f(s.f1)}`;

console.log(`anomaly benchmark — ${machine}`);
console.log("");
console.log(
  `Training history: seed ${SEED}, ${training.history.legs.length} legs, ${training.history.processes.length} processings ` +
    `(labels unused). Test history: seed ${SEED + 1}, ${test.history.legs.length} legs, ` +
    `${test.history.processes.length} processings, ${test.history.scans.length} scans, ` +
    `${test.labels.length} labelled anomalies (${Object.entries(labelCounts(test.labels))
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}); readings posted every ${READING_MINUTES} min. Generated in ${(genMs / 1000).toFixed(1)} s.`,
);
console.log(`Model: ${model.kind} v${model.version}, training data sha256 ${model.trainingDataSha256.slice(0, 16)}…`);
console.log("");
console.log("| kind | n labelled | detector P / R / F1 | baseline P / R / F1 |");
console.log("| --- | ---: | --- | --- |");
detector.forEach((d, i) =>
  console.log(`| ${d.kind} | ${d.labelled} | ${prf(d)} | ${prf(defined(base[i], `the baseline's ${d.kind} score`))} |`),
);
const micro = (scores: KindScore[]) => {
  const tp = scores.reduce((s, x) => s + x.truePositives, 0);
  const flagged = scores.reduce((s, x) => s + x.flagged, 0);
  const labelled = scores.reduce((s, x) => s + x.labelled, 0);
  const p = flagged === 0 ? 0 : tp / flagged;
  const r = labelled === 0 ? 0 : tp / labelled;
  return `${f(p)} / ${f(r)} / ${f(p + r === 0 ? 0 : (2 * p * r) / (p + r))}`;
};
console.log(`| all (micro) | ${test.labels.length} | ${micro(detector)} | ${micro(base)} |`);
console.log("");
console.log(
  `Latency: features + detection of ${items.toLocaleString("en-US")} items in ${scoreMs.toFixed(1)} ms = ` +
    `${((scoreMs * 1000) / items).toFixed(1)} µs per scored item (legs and processings).`,
);
