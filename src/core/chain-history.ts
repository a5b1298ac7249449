/**
 * The chain history the analytics read: lots, transport legs (with their temperature readings, anchored sensor
 * summary and weights), QAT scans and processings, in the contracts' units (grams, hundredths of °C, unix seconds,
 * FAO 3-alpha species). The generator (generate.ts) writes it directly; `historyFromIndex` (indexed.ts) reads the
 * same shape from the trace index, so every detector consumes one typed input whichever way the data came.
 */
import type { SensorSummary } from "./sensors.js";

/** The anomaly kinds the generator injects and the detectors score. */
export const ANOMALY_KINDS = [
  "warm-leg",
  "weight-shrink",
  "species-substitution",
  "impossible-yield",
  "sensor-flatline",
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Which record an anomaly kind is scored on: a transport leg or a processing. */
export const ITEM_OF_KIND: Record<AnomalyKind, "leg" | "process"> = {
  "warm-leg": "leg",
  "weight-shrink": "leg",
  "sensor-flatline": "leg",
  "species-substitution": "process",
  "impossible-yield": "process",
};

/** One temperature reading attached to a lot (`FishUpdated`): unix seconds, hundredths of °C. */
export interface TemperatureReading {
  readAt: number;
  temperature: number;
}

/** A lot: a catch (stage 1) or a product lot made by a processing (stage 3). */
export interface LotRecord {
  lotId: string;
  kind: "catch" | "product";
  species: string;
  weightGrams: number;
  createdAt: number;
  frozen: boolean;
}

/** One shipment of a selling stage: the lots, when they left and arrived, what they weighed, what they felt. */
export interface LegRecord {
  /** "<seller stage>:<order id>". */
  legId: string;
  /** The seller's stage (1 harvester … 5 retailer). */
  stage: number;
  lotIds: string[];
  species: string;
  frozen: boolean;
  /** Unix seconds: shipment initiated, delivery confirmed. */
  departedAt: number;
  arrivedAt: number;
  /** The weight shipped (`ShipmentInitiated`). */
  shippedGrams: number;
  /** The buyer's intake weighing (relay stream), when one was reported. */
  receivedGrams: number | undefined;
  /** Readings attached to the shipped lots while in transit, time-ordered, one per reading time. */
  readings: TemperatureReading[];
  /** The anchored sensor batch covering the leg (dense logger readings summarised), when a gateway anchored one. */
  summary: SensorSummary | undefined;
}

/** One QAT scan (`QatScanned`). */
export interface ScanRecord {
  lotId: string;
  scannedAt: number;
  species: string;
  speciesConfidence: number;
  grade: number;
  gradeConfidence: number;
}

/** One processing (`LotsProcessed`): inputs consumed, product lots made. */
export interface ProcessRecord {
  processId: string;
  species: string;
  /** The product made (its GTIN-14): yields are compared within one product. */
  product: string;
  inputLotIds: string[];
  outputLotIds: string[];
  consumedGrams: number;
  producedGrams: number;
  time: number;
}

export interface ChainHistory {
  lots: LotRecord[];
  legs: LegRecord[];
  scans: ScanRecord[];
  processes: ProcessRecord[];
}

/** Ground truth: the record (leg or processing) an anomaly of `kind` was injected into. */
export interface AnomalyLabel {
  kind: AnomalyKind;
  /** A leg id or a process id, as `ITEM_OF_KIND[kind]` says. */
  itemId: string;
  /** The lots it touches. */
  lotIds: string[];
}

/** The key of a scored item: "leg:<id>" or "process:<id>". */
export function itemKey(kind: AnomalyKind, itemId: string): string {
  return `${ITEM_OF_KIND[kind]}:${itemId}`;
}

/** Daily sales of one species at one retailer: generated (analytics/sales.ts) or read from the index (index/sales.ts). */
export interface SalesSeries {
  species: string;
  /** "retailer 1" … */
  retailer: string;
  start: number;
  /** kg sold per day, day 0 first. */
  values: number[];
}
