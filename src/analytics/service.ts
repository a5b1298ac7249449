/**
 * The analytics served over the trace index (issue 9, item 5): anomalies with their reasons, demand forecasts, and
 * shelf-life-first dispatch advice, plus the metrics that watch them. One service behind both the `analytics` task
 * and the HTTP routes (http.ts).
 *
 * The detector comes from its model file (model-file.ts), cached per file and read again when the file changes
 * (mtime or size), or — without a file — is trained in memory on the indexed history itself. The history is re-read
 * from the index at most every `historyTtlMs` (5 s by default; 0: whenever asked), and only when the index's cursor
 * has moved since the last read: a whole re-read is a handful of queries, it keeps every answer consistent with one
 * snapshot, and an index that syncs every 5 s is never more than one sync behind. The scoring of one history
 * snapshot by one detector is kept, so the metrics and repeated requests do not score it again.
 */
import { stat } from "node:fs/promises";

import type { Sql } from "../index/db.js";
import { lotRef } from "../core/digital-link.js";
import { lotAncestors, lotDescendants } from "../index/journey.js";
import { readText } from "../node/record-files.js";
import { LotNotIndexedError, indexedBlock } from "../index/trace.js";
import { InputError } from "../core/input-error.js";
import { detectAnomalies, trainDetector, type Finding } from "./anomaly.js";
import type {
  AnomalyJson,
  AnomalyRelation,
  AnomalyReport,
  DispatchReport,
  ForecastReport,
  ModelInfo,
  SeriesForecast,
} from "../core/api/analytics.js";
import { featureDrift, type DriftFeature, type DriftValue } from "./drift.js";
import { extractFeatures, type HistoryFeatures } from "./features.js";
import { DEFAULT_FORECAST_SPEC, sarimaForecast, seasonalNaive } from "./forecast.js";
import { ITEM_OF_KIND, itemKey, type ChainHistory } from "../core/chain-history.js";
import { dispatchFromIndex } from "./hubs.js";
import { historyFromIndex } from "../index/history.js";
import { detectorModel, parseModelFile, serializeModel, type ModelFile } from "./model-file.js";
import { NotInIndexError, participantOf, salesFromIndex } from "../index/sales.js";
import { AnalyticsMetrics } from "./serve-metrics.js";

export interface AnalyticsOptions {
  /** The anomaly detector's model file; without one the detector is trained in memory on the indexed history. */
  modelFile?: string;
  /** Intake weighings (grams) by leg id, from the receiving stations' stream (the chain does not hold them). */
  intake?: ReadonlyMap<string, number>;
  /** The product key yields are compared under, from a product lot's GTIN-14 (default: the GTIN). */
  productOf?: (gtin: string) => string;
  /** How long one read of the indexed history serves requests (ms; default 5000; 0: re-checked at every request). */
  historyTtlMs?: number;
  /** The live window of the anomaly rate and the drift: the last this many seconds of indexed items (default 7 d). */
  liveWindowSeconds?: number;
  /** Where the service counts (default: a registry of its own). */
  metrics?: AnalyticsMetrics;
}

/**
 * The served model file is missing or refused: a one-line error of whoever chose it (`--model`), which the HTTP
 * routes answer as the server's failure (500), not as the client's bad request.
 */
export class ModelFileError extends InputError {}

/** A model file as `analytics train` writes it: a detector model plus when it was trained. */
export type DetectorFile = ModelFile<"anomaly-detector">;

/** The detector being served and where it came from. */
export interface ServedDetector {
  source: "file" | "memory";
  file?: string;
  model: DetectorFile;
  /** ISO time: the file's `trainedAt` (else its modification time), or when it was trained in memory. */
  trainedAt: string;
}

export interface ForecastQuery {
  species?: string;
  /** A retailer's participant id or account. */
  retailer?: string;
  /** What `retailer` is called in an error ("retailer", "--retailer"). */
  retailerName?: string;
  days?: number;
}

const DAY = 86_400;
const SARIMA_DAYS = 3 * DEFAULT_FORECAST_SPEC.order.s;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const isoDay = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);

/** A species as typed (?species=, --species): an FAO 3-alpha code. */
export function speciesParam(value: string, what: string): string {
  const text = value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(text)) throw new InputError(`${what} "${value}" is not an FAO 3-alpha species code (COD)`);
  return text;
}

/** Forecast days as typed: 1..60. */
export function daysParam(value: string, what: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 60)
    throw new InputError(`${what} "${value}" is not a whole number 1..60`);
  return Number(text);
}

/** The text of a detector model file trained on `history` at `trainedAt` (what `analytics train` writes). */
export function trainedDetectorFile(history: ChainHistory, trainedAt: Date): { file: DetectorFile; text: string } {
  const model = detectorModel(trainDetector(extractFeatures(history)), history);
  const file: DetectorFile = { ...model, trainedAt: trainedAt.toISOString() };
  return { file, text: serializeModel(file) };
}

interface Scoring {
  history: ChainHistory;
  detector: ServedDetector;
  features: HistoryFeatures;
  findings: Finding[];
  anomalyRate: number;
  drift: Record<DriftFeature, DriftValue>;
}

/** Anomalies, forecasts and dispatch advice over one trace index, with their metrics (module comment). */
export class AnalyticsService {
  readonly metrics: AnalyticsMetrics;
  private readonly ttl: number;
  private readonly window: number;
  private cached?: { at: number; block: Promise<number>; history: Promise<ChainHistory> };
  private readonly files = new Map<string, { mtimeMs: number; size: number; detector: ServedDetector }>();
  private trainedOn?: { history: ChainHistory; detector: ServedDetector };
  private scoring?: Scoring;

  constructor(
    private readonly sql: Sql,
    private readonly options: AnalyticsOptions = {},
  ) {
    this.metrics = options.metrics ?? new AnalyticsMetrics();
    this.ttl = options.historyTtlMs ?? 5_000;
    this.window = options.liveWindowSeconds ?? 7 * DAY;
  }

  /**
   * The indexed history, read again when the last read is older than the TTL and the index has synced further
   * since (its cursor moved): an idle index is not re-read, nor re-scored, at every scrape of the metrics.
   */
  history(): Promise<ChainHistory> {
    const now = Date.now();
    const previous = this.cached;
    if (previous !== undefined && now - previous.at < this.ttl) return previous.history;
    const block = indexedBlock(this.sql);
    const history = (async () => {
      const [was, is] = await Promise.all([previous?.block, block]);
      if (previous !== undefined && was === is) return previous.history;
      return historyFromIndex(this.sql, {
        ...(this.options.intake === undefined ? {} : { intake: this.options.intake }),
        ...(this.options.productOf === undefined ? {} : { productOf: this.options.productOf }),
      });
    })();
    this.cached = { at: now, block, history };
    // A failed read is not kept: the next request reads again.
    history.catch(() => {
      if (this.cached?.history === history) this.cached = undefined;
    });
    return history;
  }

  /** The detector: from the model file (cached until it changes) or trained in memory on `history`. */
  async detector(history?: ChainHistory): Promise<ServedDetector> {
    const file = this.options.modelFile;
    if (file === undefined) {
      const h = history ?? (await this.history());
      if (this.trainedOn?.history !== h) {
        const trainedAt = new Date().toISOString();
        const model: DetectorFile = { ...detectorModel(trainDetector(extractFeatures(h)), h), trainedAt };
        this.trainedOn = { history: h, detector: { source: "memory", model, trainedAt } };
      }
      return this.trainedOn.detector;
    }
    let info;
    try {
      info = await stat(file);
    } catch {
      throw new ModelFileError(`${file}: no such model file`);
    }
    const known = this.files.get(file);
    if (known !== undefined && known.mtimeMs === info.mtimeMs && known.size === info.size) return known.detector;
    let model: DetectorFile;
    try {
      model = parseModelFile(await readText(file), "anomaly-detector");
    } catch (err) {
      throw err instanceof InputError ? new ModelFileError(err.message) : err;
    }
    const trainedAt = typeof model.trainedAt === "string" ? model.trainedAt : info.mtime.toISOString();
    const detector: ServedDetector = { source: "file", file, model, trainedAt };
    this.files.set(file, { mtimeMs: info.mtimeMs, size: info.size, detector });
    return detector;
  }

  /** What the detector is. */
  async model(): Promise<ModelInfo> {
    return infoOf(await this.detector());
  }

  /** The current history scored by the current detector (kept while neither changes); updates the metrics. */
  async score(): Promise<Scoring> {
    const history = await this.history();
    const detector = await this.detector(history);
    if (this.scoring?.history === history && this.scoring.detector === detector) return this.scoring;
    const { features, findings } = await this.metrics.time("anomaly-detector", () => {
      const f = extractFeatures(history);
      return { features: f, findings: detectAnomalies(detector.model.params, f) };
    });
    const keyOf = (f: Finding) => itemKey(f.kind, f.itemId);
    const items = [
      ...features.legs.map((l) => `leg:${l.legId}`),
      ...features.processes.map((p) => `process:${p.processId}`),
    ];
    this.metrics.detectorScored(items, findings, keyOf);

    // The live window: the items of the last `window` seconds before the newest one. (A loop, not Math.max(...):
    // spreading a large index's times as arguments overflows the stack.)
    const timeOf = new Map<string, number>();
    let newest = -Infinity;
    const at = (key: string, time: number) => {
      timeOf.set(key, time);
      if (time > newest) newest = time;
    };
    for (const l of history.legs) at(`leg:${l.legId}`, l.arrivedAt);
    for (const p of history.processes) at(`process:${p.processId}`, p.time);
    const live = (key: string) => (timeOf.get(key) ?? -Infinity) >= newest - this.window;
    const liveFeatures: HistoryFeatures = {
      legs: features.legs.filter((l) => live(`leg:${l.legId}`)),
      processes: features.processes.filter((p) => live(`process:${p.processId}`)),
    };
    const liveItems = items.filter(live);
    const flagged = new Set(findings.map(keyOf).filter(live));
    const anomalyRate = liveItems.length === 0 ? 0 : flagged.size / liveItems.length;
    const drift = featureDrift(detector.model.params, liveFeatures);
    this.metrics.live(anomalyRate, drift);
    this.metrics.model(detector.model.version, detector.model.trainingDataSha256);
    this.scoring = { history, detector, features, findings, anomalyRate, drift };
    return this.scoring;
  }

  /**
   * The findings on the indexed history, or (`lot`: an id, GTIN:LOT or Digital Link) those touching the lot or any
   * lot of its lineage — the lots it was made from and made into, transitively — each with its `relation` to it.
   */
  async anomalies(lot?: string, what = "lot"): Promise<AnomalyReport> {
    const lotId = lot === undefined ? undefined : lotRef(lot, what);
    let relationOf: ((lotIds: readonly string[]) => AnomalyRelation | undefined) | undefined;
    if (lotId !== undefined) {
      const rows = await this.sql.query(`SELECT 1 FROM lots WHERE lot_id = $1`, [lotId.toString()]);
      if (rows.length === 0) throw new LotNotIndexedError(lotId, await indexedBlock(this.sql));
      const self = lotId.toString();
      const ancestors = new Set((await lotAncestors(this.sql, lotId)).map(String));
      const descendants = new Set((await lotDescendants(this.sql, lotId)).map(String));
      relationOf = (lotIds) =>
        lotIds.includes(self)
          ? "this lot"
          : lotIds.some((id) => ancestors.has(id))
            ? "made from"
            : lotIds.some((id) => descendants.has(id))
              ? "made into"
              : undefined;
    }
    const s = await this.score();
    const lotsOf = new Map<string, string[]>([
      ...s.history.legs.map((l): [string, string[]] => [`leg:${l.legId}`, l.lotIds]),
      ...s.history.processes.map((p): [string, string[]] => [
        `process:${p.processId}`,
        [...p.inputLotIds, ...p.outputLotIds],
      ]),
    ]);
    const anomalies: AnomalyJson[] = [];
    for (const f of s.findings) {
      const item = ITEM_OF_KIND[f.kind];
      const lotIds = lotsOf.get(itemKey(f.kind, f.itemId)) ?? [];
      const relation = relationOf?.(lotIds);
      if (relationOf !== undefined && relation === undefined) continue;
      anomalies.push({
        kind: f.kind,
        item,
        itemId: f.itemId,
        lotIds,
        score: round(f.score, 2),
        reasons: f.reasons,
        ...(relation === undefined ? {} : { relation }),
      });
    }
    anomalies.sort((a, b) => b.score - a.score);
    return {
      model: infoOf(s.detector),
      scored: { legs: s.features.legs.length, processes: s.features.processes.length },
      anomalyRate: round(s.anomalyRate, 4),
      ...(lotId === undefined ? {} : { lot: lotId.toString() }),
      anomalies,
    };
  }

  /** Daily demand forecasts per species and retailer from the index's retail sales, beside seasonal naive. */
  async forecast(q: ForecastQuery = {}): Promise<ForecastReport> {
    const days = q.days ?? 7;
    const retailer =
      q.retailer === undefined ? undefined : await participantOf(this.sql, q.retailer, q.retailerName ?? "retailer");
    const series = await salesFromIndex(this.sql, {
      ...(q.species === undefined ? {} : { species: q.species }),
      ...(retailer === undefined ? {} : { retailerId: retailer.id }),
    });
    if (series.length === 0) {
      const of = [q.species, retailer === undefined ? undefined : `at retailer ${retailer.id}`].filter(Boolean);
      throw new NotInIndexError(`the index holds no retail sales${of.length > 0 ? ` of ${of.join(" ")}` : ""}`);
    }
    const out: SeriesForecast[] = [];
    for (const s of series) {
      if (s.values.length < 7)
        throw new InputError(`${s.species} at retailer ${s.retailer} has ${s.values.length} days of sales; 7 needed`);
      const { values: predicted, method } = await this.metrics.time("demand-forecast", () =>
        s.values.length >= SARIMA_DAYS
          ? sarimaForecast(s.values, days)
          : { values: seasonalNaive()(s.values, days), method: "seasonal-naive" as const },
      );
      this.metrics.scored.inc({ kind: "series" });
      const after = s.start + s.values.length * DAY;
      const dated = (kg: readonly number[]) => kg.map((x, i) => ({ date: isoDay(after + i * DAY), kg: round(x) }));
      out.push({
        species: s.species,
        retailer: s.retailerOf,
        history: {
          from: isoDay(s.start),
          to: isoDay(after - DAY),
          days: s.values.length,
          meanKg: round(s.values.reduce((a, b) => a + b, 0) / s.values.length),
        },
        method,
        forecast: dated(predicted),
        baseline: dated(seasonalNaive()(s.values, days)),
      });
    }
    return { days, series: out };
  }

  /** Shelf-life-first dispatch advice for the lots held at `hub` (participant id or account), or at every hub. */
  async dispatch(hub?: string, what = "hub"): Promise<DispatchReport> {
    const who = hub === undefined ? undefined : await participantOf(this.sql, hub, what);
    const [row] = await this.sql.query<{ t: string | number | null }>(`SELECT max(time) AS t FROM blocks`);
    const now = row?.t === null || row?.t === undefined ? Math.floor(Date.now() / 1000) : Number(row.t);
    const plan = await this.metrics.time("shelf-life-dispatch", () =>
      dispatchFromIndex(this.sql, { now, ...(who === undefined ? {} : { hub: who }) }),
    );
    this.metrics.scored.inc({ kind: "lot" }, plan.advice.length + plan.expired.length + plan.held.length);
    return { ...(who === undefined ? {} : { hub: who }), ...plan };
  }
}

function infoOf(d: ServedDetector): ModelInfo {
  return {
    kind: "anomaly-detector",
    source: d.source,
    ...(d.file === undefined ? {} : { file: d.file }),
    version: d.model.version,
    trainedAt: d.trainedAt,
    trainingDataSha256: d.model.trainingDataSha256,
    paramsSha256: d.model.paramsSha256,
    threshold: d.model.params.threshold,
  };
}
