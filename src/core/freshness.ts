/**
 * The freshness rule between two QAT scans, step for step as `contracts/libraries/Freshness.sol` computes it (integer
 * arithmetic on bigints, the same roundings), so the toolkit can say what the chain will say before it is asked.
 * docs/freshness.md explains the model and where each default comes from.
 */

/** Hundredths of a grade per grade, hundredths of a degree per degree. */
const PPM = 1_000_000n;
const DAY = 86_400n;

/** The freshness rule of a species, as `IQualityLedger.FreshnessRule` stores it. */
export interface FreshnessRule {
  /** k: hundredths of a grade lost per day at 0 °C. */
  decayPerDay: number;
  /** Tmin of the square-root model, hundredths of °C (below zero). */
  minimumTemperature: number;
  /** Hundredths of °C assumed for time no anchored sensor batch covers. */
  defaultTemperature: number;
  /** Hundredths of a grade tolerated at 100 % confidence. */
  margin: number;
  /** Hundredths of a grade added as the confidence falls to 0 %. */
  uncertainty: number;
  /** The top of the device's grade scale (Torry: 10). */
  maxGrade: number;
}

/** What the rule looks at between two scans (`IQualityLedger.FreshnessInput`). */
export interface FreshnessInput {
  previousGrade: number;
  /** Percent. */
  previousConfidence: number;
  grade: number;
  /** Percent. */
  confidence: number;
  /** Seconds between the two scans. */
  elapsed: bigint;
  /** Seconds covered by sensor batches anchored in between. */
  coveredSeconds: bigint;
  /** Those seconds as seconds at 0 °C. */
  equivalentSeconds: bigint;
}

/** The rule's conclusion (`IQualityLedger.FreshnessVerdict`). */
export interface FreshnessVerdict {
  warning: boolean;
  /** t0: the interval in seconds at 0 °C. */
  equivalentSeconds: bigint;
  /** Hundredths of a grade. */
  allowedDrop: bigint;
  /** Hundredths of a grade (0 when the grade did not drop). */
  drop: bigint;
}

/**
 * The rule FishTrace deploys as the default (species 0x000000), for fresh temperate whitefish on the Torry scale:
 * k = 0.5 grade per day at 0 °C (iced cod, Huss 1995), Tmin = −10 °C (RRS = (1 + 0.1·T)², Ratkowsky/SSSP), time no
 * sensor batch covers counted at 4 °C (the top of the legal fresh band), a margin of one whole grade (the device
 * reports whole grades) plus up to two more as the device's confidence falls. See docs/freshness.md.
 */
export const DEFAULT_FRESHNESS_RULE: FreshnessRule = {
  decayPerDay: 50,
  minimumTemperature: -1000,
  defaultTemperature: 400,
  margin: 100,
  uncertainty: 200,
  maxGrade: 10,
};

/** The species code under which the default rule is stored. */
export const DEFAULT_RULE_SPECIES = "0x000000";

/** The relative rate of spoilage at `temperature` (hundredths of °C) versus 0 °C, in parts per million. */
export function relativeRate(temperature: number, minimumTemperature: number): bigint {
  if (temperature <= minimumTemperature) return 0n;
  // The chain reverts (an arithmetic panic) on such a rule, and never stores one: refuse it here too.
  if (minimumTemperature >= 0)
    throw new RangeError(`the model's minimum temperature ${minimumTemperature} is not below 0`);
  const above = BigInt(temperature - minimumTemperature);
  const span = BigInt(-minimumTemperature);
  return (above * above * PPM) / (span * span);
}

/** `seconds` spent at `temperature` (hundredths of °C), as seconds at 0 °C. */
export function equivalentSeconds(seconds: bigint, temperature: number, minimumTemperature: number): bigint {
  return (seconds * relativeRate(temperature, minimumTemperature)) / PPM;
}

/**
 * Σ RRS(Tᵢ)·Δtᵢ over time-ordered readings: each reading's temperature holds until the next one. What a gateway
 * would anchor if it reported exact exposure; the chain itself uses RRS of the batch's mean (docs/freshness.md).
 */
export function exposureOf(
  readings: readonly { readAt: number; temperature: number }[],
  minimumTemperature: number,
): bigint {
  const sorted = [...readings].sort((a, b) => a.readAt - b.readAt);
  let total = 0n;
  let previous: (typeof sorted)[number] | undefined;
  for (const reading of sorted) {
    if (previous !== undefined) {
      const span = BigInt(reading.readAt - previous.readAt);
      total += equivalentSeconds(span, previous.temperature, minimumTemperature);
    }
    previous = reading;
  }
  return total;
}

/** The rule's verdict on `input` under `rule`: the same numbers `QualityLedger.evaluateFreshness` returns. */
export function evaluateFreshness(rule: FreshnessRule, input: FreshnessInput): FreshnessVerdict {
  const elapsed = input.elapsed;
  const covered = input.coveredSeconds < elapsed ? input.coveredSeconds : elapsed;
  const anchored = input.coveredSeconds === 0n ? 0n : (input.equivalentSeconds * covered) / input.coveredSeconds;
  const t0 = anchored + equivalentSeconds(elapsed - covered, rule.defaultTemperature, rule.minimumTemperature);

  let confidence = BigInt(Math.min(input.confidence, input.previousConfidence));
  if (confidence > 100n) confidence = 100n;
  const allowed =
    (BigInt(rule.decayPerDay) * t0) / DAY +
    BigInt(rule.margin) +
    (BigInt(rule.uncertainty) * (100n - confidence)) / 100n;
  const drop = input.previousGrade > input.grade ? BigInt(input.previousGrade - input.grade) * 100n : 0n;
  return { warning: drop > allowed, equivalentSeconds: t0, allowedDrop: allowed, drop };
}

/** Why a rule cannot be stored, in the words of `FreshnessInvalidRule`; undefined when it can. */
export function ruleProblem(rule: FreshnessRule): string | undefined {
  if (rule.minimumTemperature >= 0) return "the minimum temperature of the square-root model must be below 0 °C";
  if (rule.defaultTemperature <= rule.minimumTemperature)
    return "the default temperature must lie above the model's minimum temperature";
  if (rule.maxGrade < 1) return "the grade scale needs a top grade of at least 1";
  return undefined;
}

/**
 * What a lot's freshness is judged against besides its previous scan (`Freshness.Reference`): its exposure (seconds
 * at 0 °C) since its first judged scan, and the reference scan — the earlier scan from which the rule allows the
 * least grade now.
 */
export interface FreshnessReference {
  /** Seconds at 0 °C from the first scan to the latest. */
  exposure: bigint;
  /** The same, up to the reference scan. */
  exposureAt: bigint;
  /** The reference scan's time, Unix seconds. */
  scannedAt: bigint;
  grade: number;
  /** Percent. */
  confidence: number;
}

/** One scan of a sequence (`IQualityLedger.FreshnessScan`): exposure counted since the scan before it. */
export interface FreshnessScan {
  grade: number;
  /** Percent. */
  confidence: number;
  /** Unix seconds. */
  scannedAt: bigint;
  coveredSeconds: bigint;
  equivalentSeconds: bigint;
}

const U32 = (1n << 32n) - 1n;
const U48 = (1n << 48n) - 1n;
const U64 = (1n << 64n) - 1n;
const cap = (value: bigint, maximum: bigint): bigint => (value < maximum ? value : maximum);

/** A lot's reference after its first scan (`Freshness.start`). */
export function startReference(scannedAt: bigint, grade: number, confidence: number): FreshnessReference {
  return { exposure: 0n, exposureAt: 0n, scannedAt, grade, confidence };
}

/** The grade a scan allows at `exposure` (hundredths · seconds of a day), as `Freshness._potential`. */
function potential(rule: FreshnessRule, grade: number, exposure: bigint): bigint {
  return BigInt(grade) * 100n * DAY + BigInt(rule.decayPerDay) * exposure;
}

/**
 * A scan at `scannedAt` judged against the previous scan (`pair`) and the reference `ref`, as `Freshness.step`: the
 * verdict (the pair's, or the reference's when only that one warns), the earlier grade and interval it speaks of,
 * and the reference for the next scan. So no sequence of scans avoids a warning the single pair would give.
 */
export function freshnessStep(
  rule: FreshnessRule,
  ref: FreshnessReference,
  pair: FreshnessInput,
  scannedAt: bigint,
): { verdict: FreshnessVerdict; fromGrade: number; elapsed: bigint; next: FreshnessReference } {
  let verdict = evaluateFreshness(rule, pair);
  let fromGrade = pair.previousGrade;
  let elapsed = pair.elapsed;
  const exposure = cap(ref.exposure + verdict.equivalentSeconds, U64);
  if (!verdict.warning && ref.scannedAt !== scannedAt - pair.elapsed) {
    const since = scannedAt - ref.scannedAt;
    const longer = evaluateFreshness(rule, {
      previousGrade: ref.grade,
      previousConfidence: ref.confidence,
      grade: pair.grade,
      confidence: pair.confidence,
      elapsed: since,
      coveredSeconds: cap(since, U32),
      equivalentSeconds: cap(exposure - ref.exposureAt, U48),
    });
    if (longer.warning) [verdict, fromGrade, elapsed] = [longer, ref.grade, since];
  }
  const next: FreshnessReference =
    potential(rule, pair.grade, exposure) >= potential(rule, ref.grade, ref.exposureAt)
      ? { exposure, exposureAt: exposure, scannedAt, grade: pair.grade, confidence: pair.confidence }
      : { ...ref, exposure };
  return { verdict, fromGrade, elapsed, next };
}

/** Whether each scan of `scans` (in time order) warns, as `QualityLedger.evaluateFreshnessSequence` says. */
export function evaluateFreshnessSequence(rule: FreshnessRule, scans: readonly FreshnessScan[]): boolean[] {
  const first = scans[0];
  if (first === undefined) return [];
  let ref = startReference(first.scannedAt, first.grade, first.confidence);
  const warnings = [false];
  let previous = first;
  for (const [i, scan] of scans.entries()) {
    if (i === 0) continue;
    if (scan.scannedAt < previous.scannedAt) throw new RangeError(`scan ${i} is older than the scan before it`);
    const step = freshnessStep(
      rule,
      ref,
      {
        previousGrade: previous.grade,
        previousConfidence: previous.confidence,
        grade: scan.grade,
        confidence: scan.confidence,
        elapsed: scan.scannedAt - previous.scannedAt,
        coveredSeconds: scan.coveredSeconds,
        equivalentSeconds: scan.equivalentSeconds,
      },
      scan.scannedAt,
    );
    ref = step.next;
    previous = scan;
    warnings.push(step.verdict.warning);
  }
  return warnings;
}
