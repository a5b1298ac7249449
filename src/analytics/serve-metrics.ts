/**
 * The served analytics' Prometheus metrics (prom-client), on a registry of their own (several services can live in
 * one process; the trace server may merge it into its /metrics with `Registry.merge`). Names and labels are what the
 * `fishtrace-analytics` group of monitoring/alerts.yml is written against:
 *
 * - `fishtrace_analytics_model_latency_seconds{model}`: one scoring call (anomaly-detector: features + detector over
 *   the history; demand-forecast: one series; shelf-life-dispatch: one plan);
 * - `fishtrace_analytics_items_scored_total{kind}`: legs and processes scored by the detector (each item once, the
 *   first time the detector sees it), lots planned by dispatch and series forecast (each request);
 * - `fishtrace_analytics_anomalies_total{kind}`: findings per anomaly kind, each (kind, item) once;
 * - `fishtrace_analytics_anomaly_ratio`: share of the legs and processings of the live window that have a finding;
 * - `fishtrace_analytics_feature_drift_mads{feature}`: drift.ts (absent while a feature has too few live items);
 * - `fishtrace_analytics_model_info{model, version, training_sha256}`: 1 for the detector being served.
 *
 * No default process metrics here: the process that serves them (the trace API) has its own.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

import type { Finding } from "./anomaly.js";
import { DRIFT_FEATURES, type DriftFeature, type DriftValue } from "./drift.js";
import { ANOMALY_KINDS } from "../core/chain-history.js";

/** The models timed by the latency histogram. */
export type ServedModel = "anomaly-detector" | "demand-forecast" | "shelf-life-dispatch";

/** What `items_scored_total` counts. */
export type ScoredKind = "leg" | "process" | "lot" | "series";

/** The analytics' metrics on a registry of their own (module comment: names and labels). */
export class AnalyticsMetrics {
  readonly registry = new Registry();
  readonly latency: Histogram<"model">;
  readonly scored: Counter<"kind">;
  readonly anomalies: Counter<"kind">;
  readonly anomalyRate: Gauge;
  readonly drift: Gauge<"feature">;
  readonly modelInfo: Gauge<"model" | "version" | "training_sha256">;
  /** Items and findings counted already ("leg:3:7", "warm-leg leg:3:7"). */
  private readonly counted = new Set<string>();

  constructor() {
    const registers = [this.registry];
    const p = "fishtrace_analytics_";
    this.latency = new Histogram({
      name: `${p}model_latency_seconds`,
      help: "Time of one scoring call of a served model",
      labelNames: ["model"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.scored = new Counter({
      name: `${p}items_scored_total`,
      help: "Legs and processes scored by the anomaly detector (each once), lots planned and series forecast",
      labelNames: ["kind"],
      registers,
    });
    this.anomalies = new Counter({
      name: `${p}anomalies_total`,
      help: "Anomalies found by the served detector, per kind (each item once)",
      labelNames: ["kind"],
      registers,
    });
    this.anomalyRate = new Gauge({
      name: `${p}anomaly_ratio`,
      help: "Share of the legs and processings of the live window with at least one anomaly",
      registers,
    });
    this.drift = new Gauge({
      name: `${p}feature_drift_mads`,
      help: "|median(live feature) - training median| / training MAD of the served detector, per feature",
      labelNames: ["feature"],
      registers,
    });
    this.modelInfo = new Gauge({
      name: `${p}model_info`,
      help: "The anomaly detector being served: model kind, format version and sha256 of its training data",
      labelNames: ["model", "version", "training_sha256"],
      registers,
    });
    for (const kind of ["leg", "process", "lot", "series"] satisfies ScoredKind[]) this.scored.inc({ kind }, 0);
    for (const kind of ANOMALY_KINDS) this.anomalies.inc({ kind }, 0);
  }

  /** Runs `work`, observing its time under `model`. */
  async time<T>(model: ServedModel, work: () => T | Promise<T>): Promise<T> {
    const end = this.latency.startTimer({ model });
    try {
      return await work();
    } finally {
      end();
    }
  }

  /** Counts the detector's `items` ("leg:<id>", "process:<id>") and `findings` not counted before. */
  detectorScored(items: readonly string[], findings: readonly Finding[], itemOf: (f: Finding) => string): void {
    for (const item of items) {
      if (this.counted.has(item)) continue;
      this.counted.add(item);
      this.scored.inc({ kind: item.startsWith("leg:") ? "leg" : "process" });
    }
    for (const f of findings) {
      const key = `${f.kind} ${itemOf(f)}`;
      if (this.counted.has(key)) continue;
      this.counted.add(key);
      this.anomalies.inc({ kind: f.kind });
    }
  }

  /** Sets the live window's anomaly rate and the drift of every feature (a feature with too few items: absent). */
  live(rate: number, drift: Record<DriftFeature, DriftValue>): void {
    this.anomalyRate.set(rate);
    for (const feature of DRIFT_FEATURES) {
      const d = drift[feature].drift;
      if (d === undefined) this.drift.remove({ feature });
      else this.drift.set({ feature }, d);
    }
  }

  /** Names the detector being served (one series at a time). */
  model(version: number, trainingSha256: string): void {
    this.modelInfo.reset();
    this.modelInfo.set({ model: "anomaly-detector", version: String(version), training_sha256: trainingSha256 }, 1);
  }

  /** The exposition text (for GET /metrics). */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
