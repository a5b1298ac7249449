/**
 * What the journey page shows, derived from the trace API's `JourneyJson`: the looked-up lot, its catches, the
 * hand-overs between participants, the QAT scans, the cold-chain series per lot and the alarms, as plain values.
 */
import type { AnomalyJson, AnomalyKind, AnomalyReport } from "@core/api/analytics.js";
import type { LotFacts } from "@core/api/journey-types.js";
import type { ColdChainBand } from "@core/cold-chain.js";
import type { JourneyJson, AlarmJson } from "@core/api/journey-json.js";
import { defined } from "@core/checks.js";
import { alarmsText, type Jsonified } from "@core/trace/tree.js";
import type { LotNode, Party } from "@core/trace/types.js";
import { coldChainBand, STAGE_NAMES } from "@core/vocabulary.js";

export type LotJson = Jsonified<LotNode>;
export type FactsJson = Jsonified<LotFacts>;
export type EventJson = JourneyJson["events"][number];
type EventOf<K extends EventJson["kind"]> = Extract<EventJson, { kind: K }>;

/** Stage number 1…6 as its name ("harvester"); "" without a number, "stage 9" for an unknown one. */
export function stageName(stage: number | undefined): string {
  return stage === undefined ? "" : (STAGE_NAMES[stage - 1] ?? `stage ${stage}`);
}

export interface Journey {
  json: JourneyJson;
  rootId: string;
  root: LotJson | undefined;
  rootFacts: FactsJson | undefined;
  lots: Map<string, LotJson>;
  facts: Map<string, FactsJson>;
  parties: Map<number, Party>;
}

/** The API's answer indexed for the views: lots, facts and parties by id. */
export function journeyOf(json: JourneyJson): Journey {
  const lots = new Map(json.trace.lots.map((l) => [l.lotId, l]));
  const facts = new Map(json.lots.map((l) => [l.lotId, l]));
  const parties = new Map<number, Party>();
  for (const p of json.parties) parties.set(p.id, p);
  return {
    json,
    rootId: json.lotId,
    root: lots.get(json.lotId),
    rootFacts: facts.get(json.lotId),
    lots,
    facts,
    parties,
  };
}

/** A participant's name, "participant 7" when it has none, "unknown" without an id. */
export function partyName(j: Journey, id: number | undefined): string {
  if (id === undefined || id === 0) return "unknown";
  const p = j.parties.get(id);
  return p === undefined || p.name === "" ? `participant ${id}` : p.name;
}

function shortId(id: string): string {
  return id.length > 20 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id;
}

/** A lot as people name it: "pack 07038010123450:L1", "catch 3". */
export function lotName(j: Journey, id: string): string {
  const lot = j.lots.get(id);
  const facts = j.facts.get(id);
  const kind = lot?.kind ?? facts?.kind;
  const gtin = lot?.gtin ?? facts?.gtin;
  const lotNumber = lot?.lotNumber ?? facts?.lotNumber;
  if (kind === "catch") return `catch ${shortId(id)}`;
  if (gtin !== undefined && lotNumber !== undefined) return `pack ${gtin}:${lotNumber}`;
  return `lot ${shortId(id)}`;
}

/** "Atlantic cod (COD)", or the code alone when the registry has no name. */
export function speciesLabel(j: Journey, code: string, lotId?: string): string {
  let name = lotId === undefined ? undefined : j.facts.get(lotId)?.speciesName;
  if (name === undefined) {
    for (const f of j.facts.values()) if (f.species === code && f.speciesName !== undefined) name = f.speciesName;
  }
  return name === undefined || name === "" || name === code ? code : `${name} (${code})`;
}

// ---------------------------------------------------------------------------------------------- alarms

export type BannerKind = "recalled" | "species-mismatch" | "freshness-warning" | "excursion" | "problem" | "flagged";

export interface Banner {
  kind: BannerKind;
  title: string;
  lines: string[];
}

const BANNER_OF: Record<AlarmJson["kind"], BannerKind> = {
  recalled: "recalled",
  species_mismatch: "species-mismatch",
  freshness_warning: "freshness-warning",
  excursion: "excursion",
  cold_chain: "excursion",
  problem: "problem",
  flagged: "flagged",
};

const TITLES: Record<BannerKind, string> = {
  recalled: "RECALLED — do not eat this product",
  "species-mismatch": "SPECIES MISMATCH",
  "freshness-warning": "FRESHNESS WARNING",
  excursion: "COLD-CHAIN EXCURSION",
  problem: "PROBLEM REPORTED",
  flagged: "FLAGGED",
};

const FLAG_BANNER: Record<string, BannerKind> = {
  RECALLED: "recalled",
  "SPECIES MISMATCH": "species-mismatch",
  "FRESHNESS WARNING": "freshness-warning",
  EXCURSION: "excursion",
  "PROBLEM REPORTED": "problem",
};

const ORDER: BannerKind[] = ["recalled", "species-mismatch", "freshness-warning", "excursion", "problem", "flagged"];

function where(j: Journey, lotId: string, stage: number | undefined): string {
  const lot = lotId === j.rootId ? "this lot" : lotName(j, lotId);
  return stage === undefined ? lot : `${lot} at the ${stageName(stage)}`;
}

/** "a", "a and b", "a, b and c". */
export function wordList(words: readonly string[]): string {
  const last = words.at(-1);
  if (last === undefined) return "";
  return words.length === 1 ? last : `${words.slice(0, -1).join(", ")} and ${last}`;
}

/** The alarm banners, most serious first: one per kind, one line per alarm. */
export function bannersOf(j: Journey, dateText: (t: number) => string): Banner[] {
  const byKind = new Map<BannerKind, string[]>();
  // Kinds raised on the lot itself or on what it was made from; the others only concern lots made from it.
  const direct = new Set<BannerKind>();
  const upstream = ancestorsOf(j);
  const add = (kind: BannerKind, line: string, lotId = j.rootId) => {
    const lines = byKind.get(kind) ?? [];
    if (!lines.includes(line)) lines.push(line);
    byKind.set(kind, lines);
    if (upstream.has(lotId)) direct.add(kind);
  };
  const recalls = j.json.events.filter((e): e is EventOf<"recall"> => e.kind === "recall");
  // One lot recalled at several stages (the chain forwards a recall to every later stage) is one line naming them.
  const recallGroups = new Map<string, EventOf<"recall">[]>();
  for (const r of recalls) {
    const key = `${r.lotId} ${r.regulatorId} ${r.reason}`;
    recallGroups.set(key, [...(recallGroups.get(key) ?? []), r]);
  }
  for (const group of recallGroups.values()) {
    const r = defined(group[0], "the first recall of a group");
    const reason = r.reason === "" ? "no reason given" : r.reason;
    const stages = [...new Set(group.map((g) => g.stage))].sort((a, b) => a - b).map((s) => `the ${stageName(s)}`);
    const first = Math.min(...group.map((g) => g.time));
    add(
      "recalled",
      `${where(j, r.lotId, undefined)}: ${reason} — recalled by ${partyName(j, r.regulatorId)} at ${wordList(stages)} ` +
        `on ${dateText(first)}`,
      r.lotId,
    );
  }
  for (const a of j.json.alarms) {
    const kind = BANNER_OF[a.kind] ?? "flagged";
    if (kind === "recalled" && recalls.some((r) => r.lotId === a.lotId)) continue;
    // "Species mismatch: registered as COD…" under a SPECIES MISMATCH title: drop the repeated name.
    const text = a.text
      .trim()
      .replace(
        /^(Species mismatch|Freshness warning|Problem reported by [^:]*?|Recalled|Flagged)(?: at the \w+)?: /,
        (_match, name: string) => (name.startsWith("Problem") ? `${name}: ` : ""),
      );
    add(kind, `${where(j, a.lotId, a.stage)}${text === "" ? "" : `: ${text}`} — ${dateText(a.time)}`, a.lotId);
  }
  if (j.root !== undefined) {
    for (const name of alarmsText(j.root)) {
      const kind = FLAG_BANNER[name] ?? "flagged";
      if (!byKind.has(kind)) add(kind, `This lot is flagged ${name.toLowerCase()}.`);
    }
  }
  return ORDER.flatMap((kind) => {
    const lines = byKind.get(kind);
    if (lines === undefined) return [];
    const title = direct.has(kind)
      ? TITLES[kind]
      : `${kind === "recalled" ? "RECALL" : TITLES[kind]} of a lot made from this one`;
    return [{ kind, title, lines }];
  });
}

/** The lot looked up and every lot it was made from (backward along the trace's lineage edges). */
export function ancestorsOf(j: Journey): Set<string> {
  const out = new Set([j.rootId]);
  const queue = [j.rootId];
  for (let child = queue.pop(); child !== undefined; child = queue.pop()) {
    for (const e of j.json.trace.edges) {
      if (e.child === child && !out.has(e.parent)) {
        out.add(e.parent);
        queue.push(e.parent);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- product

export interface PackedBy {
  manufacturerId: number;
  time: number;
}

/** The transformation that made `lotId`, when it is a product lot. */
export function packedBy(j: Journey, lotId: string): PackedBy | undefined {
  for (const e of j.json.events) {
    if (e.kind === "transform" && e.outputs.some((o) => o.lotId === lotId)) {
      return { manufacturerId: e.manufacturerId, time: e.time };
    }
  }
  return undefined;
}

/** Where the lot is now, in words ("bought by Anna", "held by Fiskebutikken at the retailer"). */
export function whereNow(j: Journey, lot: LotJson | undefined): string | undefined {
  const latest = lot?.stages.at(-1);
  if (latest === undefined) return undefined;
  const who = latest.custodian.name === "" ? `participant ${latest.custodian.id}` : latest.custodian.name;
  if (latest.stage === "customer") return `bought by ${who}`;
  if (latest.status === "Created") return `held by ${who} at the ${latest.stage}`;
  if (latest.status === "Shipped") return `on its way from ${who} (${latest.stage})`;
  if (latest.status === "Removed") return `removed by ${who} at the ${latest.stage}`;
  return `passed on by ${who} at the ${latest.stage}`;
}

/** The storage band of a lot in hundredths of a degree: the API's, else the one its flags imply. */
export function bandOf(j: Journey, lotId: string): ColdChainBand {
  const band = j.json.bands.find((b) => b.lotId === lotId);
  if (band !== undefined) return band.min === undefined ? { max: band.max } : { min: band.min, max: band.max };
  const flags = j.lots.get(lotId)?.flags ?? 0;
  const { min, max } = coldChainBand(flags);
  return min === undefined ? { max } : { min, max };
}

// ---------------------------------------------------------------------------------------------- hand-overs

export interface Handover {
  /** The seller's stage. */
  stage: number;
  orderId: string;
  sellerId: number;
  buyerId: number;
  lotIds: string[];
  shipped?: number;
  received?: number;
  settled?: { phase: string; time: number };
  route?: { origin: string; destination: string; mode: string; vehicle: string };
  arrivedLocation?: string;
  weightGrams?: number;
}

/** One hand-over per order the lots went through (shipped, received, settled), oldest first. */
export function handoversOf(j: Journey): Handover[] {
  const byKey = new Map<string, Handover>();
  const get = (stage: number, orderId: string, sellerId: number, buyerId: number) => {
    const key = `${stage}:${orderId}`;
    let h = byKey.get(key);
    if (h === undefined) {
      h = { stage, orderId, sellerId, buyerId, lotIds: [] };
      byKey.set(key, h);
    }
    return h;
  };
  const addLots = (h: Handover, ids: string[]) => {
    for (const id of ids) if (!h.lotIds.includes(id)) h.lotIds.push(id);
  };
  for (const e of j.json.events) {
    if (e.kind === "ship") {
      const h = get(e.stage, e.orderId, e.fromId, e.toId);
      h.shipped ??= e.time;
      h.weightGrams = (h.weightGrams ?? 0) + e.weightGrams;
      if (e.route !== undefined) h.route = e.route;
      addLots(h, e.lotIds);
    } else if (e.kind === "receive") {
      const h = get(e.stage - 1, e.orderId, e.fromId, e.toId);
      h.received = Math.max(h.received ?? 0, e.time);
      if (e.arrivedLocation !== undefined) h.arrivedLocation = e.arrivedLocation;
      addLots(h, e.lotIds);
    }
  }
  for (const e of j.json.events) {
    if (e.kind !== "order" || e.phase === "placed") continue;
    const h = byKey.get(`${e.stage}:${e.orderId}`);
    if (h !== undefined) h.settled = { phase: e.phase, time: e.time };
  }
  return [...byKey.values()].sort(
    (a, b) => (a.shipped ?? a.received ?? 0) - (b.shipped ?? b.received ?? 0) || a.stage - b.stage,
  );
}

// ---------------------------------------------------------------------------------------------- scans

export interface ScanRow {
  lotId: string;
  time: number;
  stage: string;
  deviceId: number;
  scanned: string;
  registered: string | undefined;
  speciesConfidence: number;
  grade: number;
  gradeConfidence: number;
  freshnessWarning: boolean;
}

/** The stage a lot was at, at `time`: the last stage it had reached by then. */
function stageAt(j: Journey, lotId: string, time: number): string {
  const lot = j.lots.get(lotId);
  if (lot === undefined) return "";
  let at = "";
  for (const s of lot.stages) {
    const since = s.receivedAt ?? lot.createdAt;
    if (since <= time) at = s.stage;
  }
  return at === "" ? (lot.stages[0]?.stage ?? "") : at;
}

/** The QAT scans of the journey's lots, one row each. */
export function scansOf(j: Journey): ScanRow[] {
  return j.json.events
    .filter((e): e is EventOf<"scan"> => e.kind === "scan")
    .map((e) => {
      const alarm = j.json.alarms.find(
        (a) =>
          a.lotId === e.lotId && a.time === e.time && (a.kind === "freshness_warning" || a.kind === "species_mismatch"),
      );
      return {
        lotId: e.lotId,
        time: e.time,
        stage: alarm?.stage !== undefined ? stageName(alarm.stage) : stageAt(j, e.lotId, e.time),
        deviceId: e.deviceId,
        scanned: e.species,
        registered: j.facts.get(e.lotId)?.species ?? j.lots.get(e.lotId)?.species,
        speciesConfidence: e.speciesConfidence,
        grade: e.grade,
        gradeConfidence: e.gradeConfidence,
        freshnessWarning: j.json.alarms.some(
          (a) => a.kind === "freshness_warning" && a.lotId === e.lotId && a.time === e.time,
        ),
      };
    });
}

// ---------------------------------------------------------------------------------------------- cold chain

export interface ColdChainSeries {
  lotId: string;
  band: { min?: number; max: number };
  readings: Array<{ time: number; temperature: number; stage: string; humidity: number }>;
  batches: Array<{
    from: number;
    to: number;
    minimum: number;
    maximum: number;
    mean: number;
    count: number;
    stage: string;
    excursion: boolean;
  }>;
}

/** One series per lot with readings or sensor batches, the looked-up lot first, then in lot order of the trace. */
export function coldChainOf(j: Journey): ColdChainSeries[] {
  const series = new Map<string, ColdChainSeries>();
  const of = (lotId: string) => {
    let s = series.get(lotId);
    if (s === undefined) {
      s = { lotId, band: bandOf(j, lotId), readings: [], batches: [] };
      series.set(lotId, s);
    }
    return s;
  };
  for (const e of j.json.events) {
    if (e.kind === "reading") {
      of(e.lotId).readings.push({
        time: e.time,
        temperature: e.temperature,
        stage: stageName(e.stage),
        humidity: e.humidity,
      });
    } else if (e.kind === "sensor") {
      for (const lotId of e.lotIds) {
        if (!j.lots.has(lotId) && !j.facts.has(lotId)) continue;
        of(lotId).batches.push({
          from: e.from,
          to: e.to,
          minimum: e.minimum,
          maximum: e.maximum,
          mean: e.mean,
          count: e.count,
          stage: stageName(e.stage),
          excursion: e.excursion,
        });
      }
    }
  }
  const rank = (id: string) => (id === j.rootId ? 0 : j.lots.get(id)?.kind === "catch" ? 1 : 2);
  return [...series.values()].sort((a, b) => rank(a.lotId) - rank(b.lotId));
}

// ---------------------------------------------------------------------------------------------- analytics

/** The anomaly detector's kinds in words. */
export const ANOMALY_WORDS: Record<AnomalyKind, string> = {
  "warm-leg": "Warm spell hidden between temperature readings",
  "weight-shrink": "Weight lost between shipment and arrival",
  "species-substitution": "Possible species substitution at processing",
  "impossible-yield": "Impossible yield at processing",
  "sensor-flatline": "Temperature sensor stuck (flat-lined)",
};

/** One finding for people: what, where, why and how sure. */
export interface AnomalyFlag {
  kind: AnomalyKind;
  title: string;
  /** "the transport from the manufacturer to the distributor (order 3)", "processing run 4". */
  where: string;
  /** How it touches this lot (the API's `relation`; "this lot" when not said). */
  relation: NonNullable<AnomalyJson["relation"]>;
  /** For a finding on the lot's lineage: "on a lot this one was made from (catch 3)", "on a lot made from this one". */
  lineage: string | undefined;
  reasons: string[];
  score: number;
}

/**
 * How a finding on another lot of the lineage is said: which way it is related, and (made from) which lot. Only lots
 * of this lot's lineage (the trace) are named: a transport also carried lots this one was not made from, and naming
 * them here said it was.
 */
function lineageText(j: Journey, a: AnomalyJson): string | undefined {
  if (a.relation === "made into") return "on a lot made from this one";
  if (a.relation !== "made from") return undefined;
  const names = a.lotIds.filter((id) => id !== j.rootId && j.lots.has(id)).map((id) => lotName(j, id));
  return `on a lot this one was made from${names.length === 0 ? "" : ` (${names.join(", ")})`}`;
}

/** The detector's findings as flags, highest score first. */
export function anomalyFlagsOf(j: Journey, report: AnomalyReport): AnomalyFlag[] {
  return [...report.anomalies]
    .sort((a, b) => b.score - a.score)
    .map((a) => {
      let place: string;
      if (a.item === "leg") {
        const [stage, order] = a.itemId.split(":");
        const from = Number(stage);
        place = `the transport from the ${stageName(from)} to the ${stageName(from + 1)} (order ${order ?? "?"})`;
      } else {
        const made = a.lotIds.filter((id) => j.lots.has(id) || j.facts.has(id)).map((id) => lotName(j, id));
        place = `processing run ${a.itemId}${made.length === 0 ? "" : ` (${made.join(", ")})`}`;
      }
      return {
        kind: a.kind,
        title: ANOMALY_WORDS[a.kind] ?? a.kind,
        where: place,
        relation: a.relation ?? "this lot",
        lineage: lineageText(j, a),
        reasons: a.reasons,
        score: a.score,
      };
    });
}
