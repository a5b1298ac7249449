/**
 * Models as versioned JSON files: the model's kind and format version, its parameters, the sha256 of its parameters
 * (a tampered file is refused) and the sha256 of the data it was trained on (a model applied beside other training
 * data than it claims is refused). Hashes are over canonical JSON (keys sorted), so they do not depend on key order.
 */
import { createHash } from "node:crypto";

import { InputError } from "../core/units.js";
import type { DetectorParams } from "./anomaly.js";
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
}

/** `value` as JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isFinite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isWhole = (v: unknown, min: number): boolean => Number.isInteger(v) && (v as number) >= min;

/** Why `v` is not a median and a MAD (a MAD of 0 would divide every z-score by zero). */
function scaleProblem(v: unknown, name: string): string | undefined {
  if (!isRecord(v) || !isFinite(v.median) || !isFinite(v.mad) || v.mad <= 0)
    return `${name} is not a median and a MAD > 0`;
  return undefined;
}

/** Why `params` cannot be a model of `kind` (a hand-edited file whose hash was recomputed), or undefined. */
const PARAMS_PROBLEM: { [K in ModelKind]: (params: Record<string, unknown>) => string | undefined } = {
  "anomaly-detector": (p) => {
    if (!isFinite(p.threshold) || p.threshold <= 0) return "threshold is not a number > 0";
    if (!isFinite(p.lossPerDay)) return "lossPerDay is not a number";
    if (!isWhole(p.flatRun, 2)) return "flatRun is not a whole number ≥ 2";
    if (!isRecord(p.yieldByProduct)) return "yieldByProduct is not an object";
    for (const name of ["summaryMeanGap", "gradeResidual", "lossResidual", "declaredConfidence"] as const) {
      const problem = scaleProblem(p[name], name);
      if (problem !== undefined) return problem;
    }
    for (const [product, scale] of Object.entries(p.yieldByProduct)) {
      const problem = scaleProblem(scale, `the yield of ${product}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  },
  "demand-forecast": (p) => {
    if (p.method !== "sarima") return `method ${JSON.stringify(p.method)} is not "sarima"`;
    if (!isWhole(p.trainingDays, 1)) return "trainingDays is not a whole number ≥ 1";
    const o = p.order;
    if (!isRecord(o) || !["p", "d", "q", "P", "D", "Q"].every((k) => isWhole(o[k], 0)) || !isWhole(o.s, 1))
      return "order is not (p, d, q)(P, D, Q)s in whole numbers";
    return undefined;
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
  const problem = PARAMS_PROBLEM[kind](raw.params);
  if (problem !== undefined) throw new InputError(`the ${kind} model file's parameters are not usable: ${problem}`);
  if (trainingData !== undefined) {
    const data = sha256Of(trainingData);
    if (data !== raw.trainingDataSha256)
      throw new InputError(
        `the ${kind} model was trained on data ${raw.trainingDataSha256.slice(0, 12)}…, not on the given data ${data.slice(0, 12)}…`,
      );
  }
  return raw as unknown as ModelFile<K>;
}
