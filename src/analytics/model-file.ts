/**
 * Models as versioned JSON files: the model's kind and format version, its parameters, the sha256 of its parameters
 * (a tampered file is refused) and the sha256 of the data it was trained on (a model applied beside other training
 * data than it claims is refused). Hashes are over canonical JSON (keys sorted), so they do not depend on key order.
 */
import { createHash } from "node:crypto";

import { InputError } from "../core/input-error.js";
import type { DetectorParams, RobustScale } from "./anomaly.js";
import type { ForecastSpec } from "./forecast.js";

/** The parameters each model kind stores. */
export interface ModelParams {
  "anomaly-detector": DetectorParams;
  "demand-forecast": ForecastSpec;
}
export type ModelKind = keyof ModelParams;

/** The format version each kind is written in; a file of another version is refused. */
export const MODEL_VERSIONS: Record<ModelKind, number> = { "anomaly-detector": 1, "demand-forecast": 1 };

const FORMAT = "fishtrace-model";

export interface ModelFile<K extends ModelKind> {
  format: typeof FORMAT;
  kind: K;
  version: number;
  /** sha256 (hex) of the canonical JSON of the training data. */
  trainingDataSha256: string;
  /** sha256 (hex) of the canonical JSON of `params`. */
  paramsSha256: string;
  params: ModelParams[K];
  /** ISO time the model was trained, where its writer records it (`analytics train` does). */
  trainedAt?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `value` as JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!isRecord(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = v[k];
    return sorted;
  });
}

/** sha256 (hex) of the canonical JSON of `value`. */
export function sha256Of(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/** A model file of `kind` holding `params`, trained on `trainingData`. */
export function modelFile<K extends ModelKind>(kind: K, params: ModelParams[K], trainingData: unknown): ModelFile<K> {
  return {
    format: FORMAT,
    kind,
    version: MODEL_VERSIONS[kind],
    trainingDataSha256: sha256Of(trainingData),
    paramsSha256: sha256Of(params),
    params,
  };
}

/** The anomaly detector's model file. */
export function detectorModel(params: DetectorParams, trainingData: unknown): ModelFile<"anomaly-detector"> {
  return modelFile("anomaly-detector", params, trainingData);
}

/** The text of a model file (pretty JSON, one trailing newline). */
export function serializeModel<K extends ModelKind>(model: ModelFile<K>): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}

const isFinite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isWhole = (v: unknown, min: number): v is number => Number.isInteger(v) && typeof v === "number" && v >= min;

/** Why a model's parameters are not usable (a hand-edited file whose hash was recomputed). */
class ParamsProblem extends Error {}

/** `v` as a median and a MAD (a MAD of 0 would divide every z-score by zero). */
function scaleOf(v: unknown, name: string): RobustScale {
  if (!isRecord(v) || !isFinite(v.median) || !isFinite(v.mad) || v.mad <= 0)
    throw new ParamsProblem(`${name} is not a median and a MAD > 0`);
  return { median: v.median, mad: v.mad };
}

/** SARIMA's (p, d, q)(P, D, Q)s, in whole numbers (s at least 1). */
function orderOf(o: unknown): ForecastSpec["order"] {
  const whole = (key: string, min: number): number => {
    const v = isRecord(o) ? o[key] : undefined;
    if (!isWhole(v, min)) throw new ParamsProblem("order is not (p, d, q)(P, D, Q)s in whole numbers");
    return v;
  };
  const n = (key: string) => whole(key, 0);
  return { p: n("p"), d: n("d"), q: n("q"), P: n("P"), D: n("D"), Q: n("Q"), s: whole("s", 1) };
}

/** The parameters of each kind read from a file's `params`; a `ParamsProblem` names the first that is not usable. */
const PARAMS_OF: { [K in ModelKind]: (params: Record<string, unknown>) => ModelParams[K] } = {
  "anomaly-detector": (p) => {
    const { threshold, lossPerDay, flatRun, yieldByProduct } = p;
    if (!isFinite(threshold) || threshold <= 0) throw new ParamsProblem("threshold is not a number > 0");
    if (!isFinite(lossPerDay)) throw new ParamsProblem("lossPerDay is not a number");
    if (!isWhole(flatRun, 2)) throw new ParamsProblem("flatRun is not a whole number ≥ 2");
    if (!isRecord(yieldByProduct)) throw new ParamsProblem("yieldByProduct is not an object");
    const summaryMeanGap = scaleOf(p.summaryMeanGap, "summaryMeanGap");
    const gradeResidual = scaleOf(p.gradeResidual, "gradeResidual");
    const lossResidual = scaleOf(p.lossResidual, "lossResidual");
    const declaredConfidence = scaleOf(p.declaredConfidence, "declaredConfidence");
    const yields: Record<string, RobustScale> = {};
    for (const [product, scale] of Object.entries(yieldByProduct)) {
      yields[product] = scaleOf(scale, `the yield of ${product}`);
    }
    return {
      threshold,
      summaryMeanGap,
      gradeResidual,
      lossPerDay,
      lossResidual,
      yieldByProduct: yields,
      declaredConfidence,
      flatRun,
    };
  },
  "demand-forecast": (p) => {
    if (p.method !== "sarima") throw new ParamsProblem(`method ${JSON.stringify(p.method)} is not "sarima"`);
    if (!isWhole(p.trainingDays, 1)) throw new ParamsProblem("trainingDays is not a whole number ≥ 1");
    return { method: "sarima", order: orderOf(p.order), trainingDays: p.trainingDays };
  },
};

/**
 * Reads a model file of `kind`, refusing in one line (`InputError`) a file that is not one, of another kind or
 * version, whose parameters do not match their hash (tampered) or are not usable (a missing field, a MAD of 0), or
 * — when `trainingData` is given — that was trained on other data.
 */
export function parseModelFile<K extends ModelKind>(text: string, kind: K, trainingData?: unknown): ModelFile<K> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError(`the model file is not JSON`);
  }
  if (!isRecord(raw) || raw.format !== FORMAT)
    throw new InputError(`the file is not a FishTrace model (format "${FORMAT}")`);
  if (raw.kind !== kind)
    throw new InputError(`the model file holds a model of kind "${String(raw.kind)}", not "${kind}"`);
  if (raw.version !== MODEL_VERSIONS[kind])
    throw new InputError(
      `the ${kind} model file is version ${String(raw.version)}; this build reads version ${MODEL_VERSIONS[kind]}`,
    );
  if (typeof raw.trainingDataSha256 !== "string" || typeof raw.paramsSha256 !== "string" || !isRecord(raw.params))
    throw new InputError(`the ${kind} model file lacks its parameters or hashes`);
  const actual = sha256Of(raw.params);
  if (actual !== raw.paramsSha256)
    throw new InputError(
      `the ${kind} model file was altered: its parameters hash to ${actual.slice(0, 12)}…, not ${raw.paramsSha256.slice(0, 12)}…`,
    );
  let params: ModelParams[K];
  try {
    params = PARAMS_OF[kind](raw.params);
  } catch (err) {
    if (!(err instanceof ParamsProblem)) throw err;
    throw new InputError(`the ${kind} model file's parameters are not usable: ${err.message}`);
  }
  if (trainingData !== undefined) {
    const data = sha256Of(trainingData);
    if (data !== raw.trainingDataSha256)
      throw new InputError(
        `the ${kind} model was trained on data ${raw.trainingDataSha256.slice(0, 12)}…, not on the given data ${data.slice(0, 12)}…`,
      );
  }
  return {
    format: FORMAT,
    kind,
    version: MODEL_VERSIONS[kind],
    trainingDataSha256: raw.trainingDataSha256,
    paramsSha256: raw.paramsSha256,
    params,
    ...(typeof raw.trainedAt === "string" ? { trainedAt: raw.trainedAt } : {}),
  };
}
