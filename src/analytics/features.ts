/**
 * The one feature-extraction layer between a chain history (generated, or read from the trace index) and the
 * detectors: per transport leg (temperatures seen, the anchored summary, the grade drop against the freshness model,
 * the weight lost) and per processing (yield, what the products' scans say about their species).
 */
import { mean } from "simple-statistics";

import { DEFAULT_FRESHNESS_RULE, type FreshnessRule } from "../core/freshness.js";
import { coldChainBand, LOT_FLAGS } from "../core/vocabulary.js";
import { gradesLostOver } from "./decay.js";
import type { ChainHistory, LegRecord, ProcessRecord, ScanRecord } from "../core/chain-history.js";

export interface LegFeatures {
  legId: string;
  stage: number;
  species: string;
  lotIds: string[];
  hours: number;
  /** Readings posted for the leg, their mean / min / max / standard deviation (hundredths of °C). */
  readingCount: number;
  readingMean: number | undefined;
  readingMin: number | undefined;
  readingMax: number | undefined;
  readingSd: number | undefined;
  /** The longest run of consecutive readings with the very same value. */
  longestFlatRun: number;
  /** Readings outside the lot's cold-chain band. */
  readingsOutOfBand: number;
  /** The anchored summary's mean minus the readings' mean (what the readings did not see). */
  summaryMeanGap: number | undefined;
  /** How far the summary's maximum (minimum) lies above (below) the band; 0 inside it. */
  summaryBeyondBand: number | undefined;
  /** The summary of ≥ 3 logger readings has minimum = maximum. */
  summaryFlat: boolean;
  /** Grades dropped between the scans around the leg minus the drop the freshness model expects from the readings. */
  gradeResidual: number | undefined;
  /** Share of the shipped weight missing at the intake weighing. */
  lossShare: number | undefined;
}

export interface ProcessFeatures {
  processId: string;
  species: string;
  product: string;
  /** Produced / consumed; undefined when nothing consumed is known (no share of nothing). */
  yieldShare: number | undefined;
  /** Scans of the products. */
  scanCount: number;
  /** Scans of the products that name another species than the declared one. */
  foreignScans: number;
  /** Mean confidence that the products are the declared species (a foreign scan counts 100 − its confidence). */
  declaredConfidence: number | undefined;
}

export interface HistoryFeatures {
  legs: LegFeatures[];
  processes: ProcessFeatures[];
}

function scansByLot(scans: readonly ScanRecord[]): Map<string, ScanRecord[]> {
  const byLot = new Map<string, ScanRecord[]>();
  for (const s of scans) {
    let list = byLot.get(s.lotId);
    if (list === undefined) byLot.set(s.lotId, (list = []));
    list.push(s);
  }
  for (const list of byLot.values()) list.sort((a, b) => a.scannedAt - b.scannedAt);
  return byLot;
}

/** Grades the freshness model expects a lot to lose from `from` to `to` given the leg's readings. */
function expectedDrop(leg: LegRecord, from: number, to: number, rule: FreshnessRule): number {
  const inside = leg.readings.filter((r) => r.readAt >= from && r.readAt <= to);
  const assumed = inside.length > 0 ? Math.round(mean(inside.map((r) => r.temperature))) : rule.defaultTemperature;
  const points = [
    { readAt: from, temperature: inside[0]?.temperature ?? assumed },
    ...inside,
    { readAt: to, temperature: assumed },
  ];
  return gradesLostOver(points, rule);
}

function legFeatures(leg: LegRecord, scans: Map<string, ScanRecord[]>, rule: FreshnessRule): LegFeatures {
  const band = coldChainBand(leg.frozen ? LOT_FLAGS.FROZEN : 0);
  const temps = leg.readings.map((r) => r.temperature);
  const n = temps.length;
  const m = n > 0 ? mean(temps) : undefined;
  let run = n > 0 ? 1 : 0;
  let longest = run;
  for (let i = 1; i < n; i++) {
    run = temps[i] === temps[i - 1] ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  const outOfBand = temps.filter((t) => t > band.max || (band.min !== undefined && t < band.min)).length;
  const s = leg.summary;
  let beyond: number | undefined;
  if (s !== undefined) {
    beyond = Math.max(0, s.maximum - band.max, band.min === undefined ? 0 : band.min - s.minimum);
  }

  const residuals: number[] = [];
  for (const lotId of leg.lotIds) {
    const list = scans.get(lotId) ?? [];
    const before = list.filter((x) => x.scannedAt <= leg.departedAt).at(-1);
    const after = list.find((x) => x.scannedAt >= leg.arrivedAt);
    if (before === undefined || after === undefined) continue;
    const drop = before.grade - after.grade;
    residuals.push(drop - expectedDrop(leg, before.scannedAt, after.scannedAt, rule));
  }
  return {
    legId: leg.legId,
    stage: leg.stage,
    species: leg.species,
    lotIds: leg.lotIds,
    hours: (leg.arrivedAt - leg.departedAt) / 3_600,
    readingCount: n,
    readingMean: m,
    readingMin: n > 0 ? Math.min(...temps) : undefined,
    readingMax: n > 0 ? Math.max(...temps) : undefined,
    readingSd: m === undefined ? undefined : Math.sqrt(mean(temps.map((t) => (t - m) ** 2))),
    longestFlatRun: longest,
    readingsOutOfBand: outOfBand,
    summaryMeanGap: s !== undefined && m !== undefined ? s.mean - m : undefined,
    summaryBeyondBand: beyond,
    summaryFlat: s !== undefined && s.count >= 3 && s.minimum === s.maximum,
    gradeResidual: residuals.length > 0 ? mean(residuals) : undefined,
    // No share of nothing: a leg shipped at 0 g (or not weighed at intake) has no loss to judge.
    lossShare:
      leg.receivedGrams === undefined || leg.shippedGrams <= 0
        ? undefined
        : (leg.shippedGrams - leg.receivedGrams) / leg.shippedGrams,
  };
}

function processFeatures(p: ProcessRecord, scans: Map<string, ScanRecord[]>): ProcessFeatures {
  const own = p.outputLotIds.flatMap((id) => scans.get(id) ?? []);
  const confidence = own.map((s) => (s.species === p.species ? s.speciesConfidence : 100 - s.speciesConfidence));
  return {
    processId: p.processId,
    species: p.species,
    product: p.product,
    yieldShare: p.consumedGrams > 0 ? p.producedGrams / p.consumedGrams : undefined,
    scanCount: own.length,
    foreignScans: own.filter((s) => s.species !== p.species).length,
    declaredConfidence: confidence.length > 0 ? mean(confidence) : undefined,
  };
}

/** The features of every leg and processing of `history` (scans judged under `rule`, the deployed default). */
export function extractFeatures(history: ChainHistory, rule: FreshnessRule = DEFAULT_FRESHNESS_RULE): HistoryFeatures {
  const scans = scansByLot(history.scans);
  return {
    legs: history.legs.map((leg) => legFeatures(leg, scans, rule)),
    processes: history.processes.map((p) => processFeatures(p, scans)),
  };
}
