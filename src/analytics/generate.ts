/**
 * A seeded generator of chain histories with injected, labelled anomalies (issue 9, item 1). Catches of several
 * species go vessel → supplier → manufacturer, are processed into product lots (fillets, loins, gutted fish) that go
 * on manufacturer → distributor → retailer. Every leg carries a dense logger series (every `loggerEveryMinutes`,
 * summarised in an anchored batch on `summaryShare` of the legs) and sparse readings posted per lot (every
 * `readingEveryMinutes`); lots are scanned before and after each leg, their true grade falling as the freshness
 * model says (`exposureOf` under `DEFAULT_FRESHNESS_RULE`); the buyer weighs each delivery (drip loss).
 *
 * Injected, each on `anomalyRate` of its records, labelled with the leg or processing it is in:
 * - warm-leg: a 20–60 min warm spike (8–16 °C) inside a leg: the sparse readings mostly miss it, the anchored
 *   summary (maximum, mean) and the next scan betray it;
 * - weight-shrink: 1.5–7 % of the weight gone between shipment and the intake weighing;
 * - species-substitution: a processing whose products scan as a blend (the declared species at low confidence) or
 *   as another species;
 * - impossible-yield: products 15–35 points heavier than the product's yield allows (never above the mass balance
 *   the contract enforces);
 * - sensor-flatline: the leg's sensor stuck at one value for the whole leg (readings and summary constant).
 */
import { DEFAULT_FRESHNESS_RULE } from "../core/freshness.js";
import { summarize, type SensorReading } from "../core/sensors.js";
import { InputError } from "../core/input-error.js";
import {
  type AnomalyKind,
  type AnomalyLabel,
  type ChainHistory,
  type LegRecord,
  type LotRecord,
  type ProcessRecord,
  type TemperatureReading,
} from "../core/chain-history.js";
import { gradesLostAt, gradesLostOver } from "./decay.js";
import { rngOf, type Rng } from "./rng.js";
import { defined } from "../core/checks.js";

export interface GeneratorOptions {
  seed: number;
  /** Catch lots to generate (each becomes part of one processing). */
  catches: number;
  /** FAO 3-alpha codes. */
  species: readonly string[];
  /** Minutes between the readings posted per lot (`FishUpdated`). */
  readingEveryMinutes: number;
  /** Minutes between the logger's readings (what an anchored batch summarises). */
  loggerEveryMinutes: number;
  /** The share of legs with an anchored sensor batch. */
  summaryShare: number;
  /** The share of records (legs or processings) given each anomaly kind. */
  anomalyRate: number;
  /** Unix seconds of the first catch. */
  start: number;
}

export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = {
  seed: 1,
  catches: 300,
  species: ["COD", "HAD", "POK"],
  readingEveryMinutes: 120,
  loggerEveryMinutes: 10,
  summaryShare: 0.7,
  anomalyRate: 0.05,
  start: Date.UTC(2026, 0, 5) / 1000,
};

/** Product forms made at processing, with the yield (produced / consumed) a real line achieves: mean, sd. */
export const PRODUCT_YIELDS = {
  fillet: { mean: 0.45, sd: 0.025 },
  loin: { mean: 0.3, sd: 0.02 },
  gutted: { mean: 0.86, sd: 0.015 },
} as const;
export type ProductForm = keyof typeof PRODUCT_YIELDS;
const PRODUCT_FORMS: readonly ProductForm[] = ["fillet", "loin", "gutted"];

export interface GeneratedHistory {
  history: ChainHistory;
  labels: AnomalyLabel[];
  /** The options it was made with. */
  options: GeneratorOptions;
}

const HOUR = 3_600;
const RULE = DEFAULT_FRESHNESS_RULE;
/** Hundredths of °C: the fresh band is 0–4 °C (`coldChainBand`). */
const STORAGE_TEMPERATURE = 100;

/** A lot's true state while it moves: grade (continuous, Torry) and weight. */
interface LotState {
  lot: LotRecord;
  grade: number;
  grams: number;
  /** Species a scan reports and at which confidence, when not the declared one (substitution). */
  scanAs?: { species: string; confidence: [number, number] };
}

function checkOptions(o: GeneratorOptions): void {
  if (!Number.isInteger(o.catches) || o.catches < 1)
    throw new InputError(`catches ${o.catches} is not a whole number ≥ 1`);
  if (o.species.length === 0) throw new InputError("the generator needs at least one species");
  if (o.readingEveryMinutes < o.loggerEveryMinutes || o.loggerEveryMinutes <= 0)
    throw new InputError(
      `readings every ${o.readingEveryMinutes} min must not be denser than the logger's ${o.loggerEveryMinutes} min`,
    );
  for (const [name, share] of [
    ["summaryShare", o.summaryShare],
    ["anomalyRate", o.anomalyRate],
  ] as const) {
    if (!(share >= 0 && share <= 1)) throw new InputError(`${name} ${share} is not a share 0..1`);
  }
}

class Builder {
  readonly history: ChainHistory = { lots: [], legs: [], scans: [], processes: [] };
  readonly labels: AnomalyLabel[] = [];
  private nextLot = 1;
  private nextProcess = 1;
  private readonly nextOrder = new Map<number, number>();

  constructor(
    readonly rng: Rng,
    readonly o: GeneratorOptions,
  ) {}

  lot(kind: LotRecord["kind"], species: string, weightGrams: number, createdAt: number): LotState {
    const lot: LotRecord = { lotId: String(this.nextLot++), kind, species, weightGrams, createdAt, frozen: false };
    this.history.lots.push(lot);
    return { lot, grade: 10 - this.rng.uniform(0, 0.4), grams: weightGrams };
  }

  /** Should this record get anomaly `kind`? (Each kind drawn independently; at most one per record.) */
  inject(kinds: readonly AnomalyKind[]): AnomalyKind | undefined {
    const hit = kinds.filter(() => this.rng.chance(this.o.anomalyRate));
    return hit.length === 0 ? undefined : this.rng.pick(hit);
  }

  scan(state: LotState, at: number): void {
    const r = this.rng;
    const grade = Math.min(RULE.maxGrade, Math.max(0, Math.round(state.grade + r.normal(0, 0.35))));
    let species = state.lot.species;
    // Devices are usually sure of the species; now and then a poor angle or wet surface costs confidence.
    let speciesConfidence = r.chance(0.06) ? r.int(72, 89) : r.int(90, 99);
    if (state.scanAs !== undefined) {
      species = state.scanAs.species;
      speciesConfidence = r.int(...state.scanAs.confidence);
    }
    this.history.scans.push({
      lotId: state.lot.lotId,
      scannedAt: at,
      species,
      speciesConfidence,
      grade,
      gradeConfidence: r.int(80, 98),
    });
  }

  /** A leg of `lots` shipped at `departedAt` by `stage`, lasting `hours`; scans before and after. */
  leg(stage: number, lots: readonly LotState[], departedAt: number, hours: number): number {
    const r = this.rng;
    const o = this.o;
    const orderId = (this.nextOrder.get(stage) ?? 0) + 1;
    this.nextOrder.set(stage, orderId);
    const legId = `${stage}:${orderId}`;
    const arrivedAt = departedAt + Math.round(hours * HOUR);
    const kind = this.inject(["warm-leg", "weight-shrink", "sensor-flatline"]);

    for (const s of lots) this.scan(s, departedAt - r.int(10, 60) * 60);

    // The logger: a base temperature for the leg plus AR(1) noise, on a grid of loggerEveryMinutes.
    const step = o.loggerEveryMinutes * 60;
    const base = r.uniform(60, 250);
    const dense: TemperatureReading[] = [];
    let x = 0;
    for (let t = departedAt; t <= arrivedAt; t += step) {
      x = 0.8 * x + r.normal(0, 15);
      dense.push({ readAt: t, temperature: Math.round(Math.min(395, Math.max(5, base + x))) });
    }
    if (kind === "warm-leg") {
      const span = arrivedAt - departedAt;
      const length = r.int(20, 60) * 60;
      const from = departedAt + r.uniform(0.1, 0.9) * (span - length);
      const peak = r.uniform(800, 1600);
      const ramp = 10 * 60;
      for (const d of dense) {
        const into = d.readAt - from;
        if (into < 0 || into > length) continue;
        const shape = Math.min(1, into / ramp, (length - into) / ramp);
        d.temperature = Math.round(d.temperature + shape * (peak - d.temperature));
      }
    }
    if (kind === "sensor-flatline") {
      const stuck = defined(dense[0], "the leg's first logger reading").temperature;
      for (const d of dense) d.temperature = stuck;
    }
    // The truth decays over the dense series (a stuck sensor does not stop the fish from warming as usual).
    const loss = gradesLostOver(
      kind === "sensor-flatline" ? dense.map((d) => ({ ...d, temperature: Math.round(base) })) : dense,
      RULE,
    );
    for (const s of lots) s.grade -= loss;

    // Sparse readings: every readingEveryMinutes from a random phase, each the logger's value at that time.
    const every = o.readingEveryMinutes * 60;
    const phase = Math.floor(r.uniform(0, every / step)) * step;
    const readings = dense.filter(
      (d) => (d.readAt - departedAt - phase) % every === 0 && d.readAt >= departedAt + phase,
    );

    const shippedGrams = lots.reduce((sum, s) => sum + s.grams, 0);
    let lossShare = Math.max(-0.002, 0.003 * (hours / 24) + r.normal(0, 0.0025));
    if (kind === "weight-shrink") lossShare += r.uniform(0.015, 0.07);
    const receivedGrams = Math.round(shippedGrams * (1 - lossShare));

    const summaryOf = r.chance(o.summaryShare)
      ? summarize(dense.map((d): SensorReading => ({ sensor: "0x0", humidity: 90, ...d })))
      : undefined;
    const leg: LegRecord = {
      legId,
      stage,
      lotIds: lots.map((s) => s.lot.lotId),
      species: defined(lots[0], `a lot on leg ${legId}`).lot.species,
      frozen: false,
      departedAt,
      arrivedAt,
      shippedGrams,
      receivedGrams,
      readings,
      summary: summaryOf,
    };
    this.history.legs.push(leg);
    if (kind !== undefined) this.labels.push({ kind, itemId: legId, lotIds: [...leg.lotIds] });

    for (const s of lots) this.scan(s, arrivedAt + r.int(10, 60) * 60);
    return arrivedAt;
  }

  /** Stores `lots` for `seconds` at the stage's cold store. */
  store(lots: readonly LotState[], seconds: number): void {
    const loss = gradesLostAt(seconds, STORAGE_TEMPERATURE, RULE);
    for (const s of lots) s.grade -= loss;
  }

  process(inputs: readonly LotState[], at: number): LotState {
    const r = this.rng;
    const species = defined(inputs[0], "an input of the processing").lot.species;
    const form = r.pick(PRODUCT_FORMS);
    const kind = this.inject(["species-substitution", "impossible-yield"]);
    const { mean, sd } = PRODUCT_YIELDS[form];
    let yieldShare = Math.min(0.98, Math.max(0.1, r.normal(mean, sd)));
    if (kind === "impossible-yield") yieldShare = Math.min(1, yieldShare + r.uniform(0.15, 0.35));
    const consumedGrams = inputs.reduce((sum, s) => sum + s.grams, 0);
    const producedGrams = Math.round(consumedGrams * yieldShare);
    const out = this.lot("product", species, producedGrams, at);
    out.grade = Math.min(...inputs.map((s) => s.grade));
    if (kind === "species-substitution") {
      const other = this.o.species.find((s) => s !== species) ?? "POK";
      out.scanAs = r.chance(0.3) ? { species: other, confidence: [55, 85] } : { species, confidence: [45, 78] };
    }
    const processId = String(this.nextProcess++);
    const record: ProcessRecord = {
      processId,
      species,
      product: `${species}-${form}`,
      inputLotIds: inputs.map((s) => s.lot.lotId),
      outputLotIds: [out.lot.lotId],
      consumedGrams,
      producedGrams,
      time: at,
    };
    this.history.processes.push(record);
    if (kind !== undefined)
      this.labels.push({ kind, itemId: processId, lotIds: [...record.inputLotIds, ...record.outputLotIds] });
    this.scan(out, at + 600);
    return out;
  }
}

/** A history of `options.catches` catch lots and the product lots made from them, with labelled anomalies. */
export function generateHistory(options: Partial<GeneratorOptions> = {}): GeneratedHistory {
  const o: GeneratorOptions = { ...DEFAULT_GENERATOR_OPTIONS, ...options };
  checkOptions(o);
  const b = new Builder(rngOf(o.seed), o);
  const r = b.rng;

  // Catches, a few hours apart, landed and shipped to a supplier, then on to a manufacturer.
  const atManufacturer: { state: LotState; readyAt: number }[] = [];
  let t = o.start;
  for (let i = 0; i < o.catches; i++) {
    t += r.int(1, 5) * HOUR;
    const species = defined(o.species[i % o.species.length], `species ${i % o.species.length}`);
    const c = b.lot("catch", species, r.int(200, 800) * 1_000, t);
    b.store([c], 4 * HOUR);
    let at = b.leg(1, [c], t + 4 * HOUR, r.uniform(8, 36));
    const wait = r.int(2, 20) * HOUR;
    b.store([c], wait);
    at = b.leg(2, [c], at + wait, r.uniform(3, 12));
    atManufacturer.push({ state: c, readyAt: at });
  }

  // Processing: lots of one species in groups of 1–3, then products to a distributor and a retailer.
  for (const species of o.species) {
    const queue = atManufacturer.filter((m) => m.state.lot.species === species);
    while (queue.length > 0) {
      const group = queue.splice(0, r.int(1, 3));
      const at = Math.max(...group.map((g) => g.readyAt)) + r.int(2, 10) * HOUR;
      for (const g of group) b.store([g.state], at - g.readyAt);
      const product = b.process(
        group.map((g) => g.state),
        at,
      );
      const atDistributor = b.leg(3, [product], at + r.int(2, 8) * HOUR, r.uniform(4, 20));
      const wait = r.int(4, 24) * HOUR;
      b.store([product], wait);
      b.leg(4, [product], atDistributor + wait, r.uniform(2, 10));
    }
  }
  b.history.scans.sort((x, y) => x.scannedAt - y.scannedAt);
  return { history: b.history, labels: b.labels, options: o };
}

/** The kinds `labels` holds, with their counts (every kind, 0 when absent). */
export function labelCounts(labels: readonly AnomalyLabel[]): Record<AnomalyKind, number> {
  const counts: Record<AnomalyKind, number> = {
    "warm-leg": 0,
    "weight-shrink": 0,
    "species-substitution": 0,
    "impossible-yield": 0,
    "sensor-flatline": 0,
  };
  for (const l of labels) counts[l.kind]++;
  return counts;
}
