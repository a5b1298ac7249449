/**
 * What the analytics' HTTP routes answer (src/services/analytics/http.ts), declared once: the server builds these shapes
 * (service.ts, hub-index.ts), the `analytics` tasks print them, and the dApp reads them (web/, through
 * `@core/api/analytics.js`). Types only, importing only types from browser-safe modules, so the browser
 * bundle gets nothing from here. Every field is plain JSON as sent: ids and hashes as strings, numbers as numbers.
 */
import type { AnomalyKind } from "../chain-history.js";

export type { AnomalyKind } from "../chain-history.js";

/** A participant as the index knows it (a retailer, a hub). */
export interface IndexedParticipant {
  id: number;
  account: string;
  name: string;
}

/** What GET /v1/analytics/model answers. */
export interface ModelInfo {
  kind: "anomaly-detector";
  source: "file" | "memory";
  file?: string;
  version: number;
  trainedAt: string;
  trainingDataSha256: string;
  paramsSha256: string;
  threshold: number;
}

/**
 * How a finding touches the lot asked about: through the lot itself, through a lot it was made from (an ancestor
 * through the lineage, transitively), or through a lot made from it (a descendant).
 */
export type AnomalyRelation = "this lot" | "made from" | "made into";

/** One finding, with the lots it touches. */
export interface AnomalyJson {
  kind: AnomalyKind;
  /** What was scored: a transport leg ("<stage>:<order id>") or a processing (its process id). */
  item: "leg" | "process";
  itemId: string;
  lotIds: string[];
  score: number;
  reasons: string[];
  /**
   * When a lot was asked about: "this lot" when `lotIds` include it, else "made from" when they include one of its
   * ancestors, else "made into" (a descendant).
   */
  relation?: AnomalyRelation;
}

/** What GET /v1/analytics/anomalies[?lot=] answers. */
export interface AnomalyReport {
  model: ModelInfo;
  /** Items scored in the whole indexed history. */
  scored: { legs: number; processes: number };
  /** Share of the live window's items with a finding. */
  anomalyRate: number;
  /** The lot asked about, when one was. */
  lot?: string;
  /** Highest score first; with `lot`, those touching the lot or any lot of its lineage (each with its `relation`). */
  anomalies: AnomalyJson[];
}

/** One species at one retailer: its sales history in brief, the forecast and the seasonal-naive baseline. */
export interface SeriesForecast {
  species: string;
  retailer: IndexedParticipant;
  /** The days of sales the forecast saw (UTC dates, first and last). */
  history: { from: string; to: string; days: number; meanKg: number };
  /** "sarima" (SARIMA(1,0,1)(0,1,1)₇), or "seasonal-naive" when fewer than 21 days are known or the fit failed. */
  method: "sarima" | "seasonal-naive";
  forecast: { date: string; kg: number }[];
  /** The seasonal-naive baseline (the same weekday a week before) beside it. */
  baseline: { date: string; kg: number }[];
}

/** What GET /v1/analytics/forecast answers. */
export interface ForecastReport {
  days: number;
  series: SeriesForecast[];
}

/** One lot to ship: where, why, and from which hub. */
export interface HubAdvice {
  rank: number;
  lotId: string;
  species: string;
  grams: number;
  hub: IndexedParticipant;
  retailer: IndexedParticipant;
  transitHours: number;
  /** Days of shelf life left (predicted from its scans and temperatures). */
  remainingDays: number;
  predictedGrade: number;
  /** Where the retailer's demand came from. */
  demand: "open orders" | "recent sales" | "unknown";
  why: string;
}

/** The dispatch advice for what the hub(s) hold, shortest shelf life first; the lots not advised apart. */
export interface HubDispatch {
  /** Unix seconds the plan is for. */
  at: number;
  advice: HubAdvice[];
  /** Past rejection by the prediction: inspect or discard. */
  expired: { lotId: string; hub: number; grams: number; predictedGrade: number }[];
  /** Nowhere to go: no retailer wants the species. */
  held: { lotId: string; hub: number; species: string }[];
  /** Not shipped whatever their grade. */
  recalled: { lotId: string; hub: number }[];
  /** Never scanned: no grade to predict from. */
  unscanned: { lotId: string; hub: number }[];
}

/** What GET /v1/analytics/dispatch[?hub=] answers: the plan, and the hub when one was asked about. */
export interface DispatchReport extends HubDispatch {
  hub?: IndexedParticipant;
}
