/**
 * The freshness rule in two languages: contracts/libraries/Freshness.sol (through the ledger's pure
 * `evaluateFreshness`) and src/core/freshness.ts must reach the same verdict, number for number, on the same inputs.
 * A seeded generator (mulberry32) draws rules and inputs with the edges weighted in; a failure names the case so
 * it can be replayed. Then unit tests of the TypeScript module and the worked example of docs/freshness.md.
 */
import { expect } from "chai";
import { Wallet, id } from "ethers";

import {
  DEFAULT_FRESHNESS_RULE,
  DEFAULT_RULE_SPECIES,
  equivalentSeconds,
  evaluateFreshness,
  evaluateFreshnessSequence,
  exposureOf,
  relativeRate,
  ruleProblem,
  type FreshnessInput,
  type FreshnessRule,
  type FreshnessScan,
  type FreshnessVerdict,
} from "../../src/core/freshness.js";
import { qatDomain, signReading, type QatReading } from "../../src/core/qat.js";
import { roleId } from "../../src/core/roles.js";
import type { QualityLedger } from "../../typechain-types/index.js";
import {
  COD,
  DAY,
  Flag,
  HAD,
  ethers,
  networkHelpers,
  registerLot,
  time,
  worldFixture,
  type World,
} from "../helpers/fixtures.js";
import { mulberry32 } from "../../src/core/random.js";

/** The seed of the fuzzed cross-check: fixed, so a failure replays; change it to explore. */
const SEED = 0x0f15_b0a7;
/** Random (rule, input) pairs drawn, on top of the hand-picked edge cases. */
const RANDOM_CASES = 2_400;
/** Sequences of scans the sequence cross-check draws. */
const SEQUENCES = 400;
/** eth_calls in flight at once. */
const CHUNK = 200;

const I16_MIN = -32_768;
const I16_MAX = 32_767;
const U32_MAX = 2n ** 32n - 1n;
const U40_MAX = 2n ** 40n - 1n;
const U48_MAX = 2n ** 48n - 1n;

/** Draws from a generator. */
class Draw {
  constructor(private readonly next: () => number) {}

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A uniform unsigned integer of `n` bits. */
  bits(n: number): bigint {
    let v = 0n;
    for (let i = 0; i < n; i += 32) v = (v << 32n) | BigInt(Math.floor(this.next() * 4_294_967_296));
    return BigInt.asUintN(n, v);
  }

  /** A bigint in [0, max]. */
  below(max: bigint): bigint {
    return max <= 0n ? 0n : this.bits(64) % (max + 1n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const clamp16 = (t: number) => Math.min(I16_MAX, Math.max(I16_MIN, t));

/** A uint8: an edge half the time (the Torry scale's top, 100 %, just above, the type's end). */
function uint8(d: Draw): number {
  return d.chance(0.5) ? d.pick([0, 1, 2, 9, 10, 11, 99, 100, 101, 254, 255]) : d.int(0, 255);
}

function uint16(d: Draw): number {
  return d.chance(0.5) ? d.pick([0, 1, 50, 99, 100, 200, 65_534, 65_535]) : d.int(0, 65_535);
}

/** A rule. Tmin below zero, as every storable rule has; now and then Tmin ≥ 0 with the default at or below it. */
function drawRule(d: Draw): FreshnessRule {
  let minimumTemperature: number;
  let defaultTemperature: number;
  if (d.chance(0.03)) {
    minimumTemperature = d.pick([0, 1, I16_MAX, d.int(0, I16_MAX)]);
    defaultTemperature = d.pick([minimumTemperature, I16_MIN, d.int(I16_MIN, minimumTemperature)]);
  } else {
    minimumTemperature = d.chance(0.5)
      ? d.pick([-1, -2, -3, -100, -1_000, -1_800, -32_767, I16_MIN])
      : d.int(I16_MIN, -1);
    defaultTemperature = d.pick([
      clamp16(minimumTemperature - 1),
      minimumTemperature,
      minimumTemperature + 1,
      clamp16(minimumTemperature + d.int(2, 300)),
      0,
      400,
      1_000,
      -1_800,
      I16_MAX,
      I16_MIN,
      d.int(I16_MIN, I16_MAX),
    ]);
  }
  return {
    decayPerDay: uint16(d),
    minimumTemperature,
    defaultTemperature,
    margin: uint16(d),
    uncertainty: uint16(d),
    maxGrade: uint8(d),
  };
}

function drawElapsed(d: Draw): bigint {
  switch (d.int(0, 3)) {
    case 0:
      return d.pick([0n, 1n, 2n, 59n, 3_600n, 86_399n, 86_400n, 86_401n, U32_MAX, U32_MAX + 1n, U40_MAX]);
    case 1:
      return BigInt(d.int(0, 1_000));
    case 2:
      return BigInt(d.int(0, 30 * DAY));
    default:
      return d.bits(40);
  }
}

function drawCovered(d: Draw, elapsed: bigint): bigint {
  switch (d.int(0, 5)) {
    case 0:
      return 0n;
    case 1:
      return min(elapsed, U32_MAX); // all of it
    case 2:
      return min(elapsed + BigInt(d.int(1, 100_000)), U32_MAX); // more than elapsed
    case 3:
      return U32_MAX;
    case 4:
      return d.below(min(elapsed, U32_MAX)); // part of it
    default:
      return d.bits(32);
  }
}

function drawEquivalent(d: Draw, covered: bigint): bigint {
  switch (d.int(0, 4)) {
    case 0:
      return 0n;
    case 1:
      return U48_MAX;
    case 2:
      return d.bits(48);
    case 3:
      return BigInt(d.int(0, 1_000));
    default:
      // As a gateway would have anchored it: covered seconds at some rate up to 16× ice.
      return min((covered * BigInt(d.int(0, 16_000_000))) / 1_000_000n, U48_MAX);
  }
}

function drawInput(d: Draw, rule: FreshnessRule): FreshnessInput {
  const previousGrade = d.chance(0.5) ? d.int(0, Math.max(rule.maxGrade, 1)) : uint8(d);
  const grade = d.chance(0.6) ? Math.max(0, previousGrade - d.int(0, 4)) : uint8(d);
  const elapsed = drawElapsed(d);
  const coveredSeconds = drawCovered(d, elapsed);
  return {
    previousGrade,
    previousConfidence: uint8(d),
    grade,
    confidence: uint8(d),
    elapsed,
    coveredSeconds,
    equivalentSeconds: drawEquivalent(d, coveredSeconds),
  };
}

interface Case {
  rule: FreshnessRule;
  input: FreshnessInput;
}

/** Hand-picked edges: each type's extremes, at and around Tmin, nothing covered, over-covered. */
function edgeCases(): Case[] {
  const rule = DEFAULT_FRESHNESS_RULE;
  const input: FreshnessInput = {
    previousGrade: 10,
    previousConfidence: 100,
    grade: 7,
    confidence: 100,
    elapsed: 86_400n,
    coveredSeconds: 0n,
    equivalentSeconds: 0n,
  };
  const extreme: FreshnessRule = {
    decayPerDay: 65_535,
    minimumTemperature: -1,
    defaultTemperature: I16_MAX,
    margin: 65_535,
    uncertainty: 65_535,
    maxGrade: 255,
  };
  return [
    { rule, input },
    { rule, input: { ...input, elapsed: 0n } },
    { rule, input: { ...input, grade: 10 } },
    { rule, input: { ...input, grade: 11 } },
    { rule, input: { ...input, previousGrade: 255, grade: 0, confidence: 0, previousConfidence: 255 } },
    { rule, input: { ...input, coveredSeconds: 86_400n, equivalentSeconds: 0n } },
    { rule, input: { ...input, coveredSeconds: 172_800n, equivalentSeconds: 691_200n } },
    { rule, input: { ...input, coveredSeconds: U32_MAX, equivalentSeconds: U48_MAX } },
    { rule, input: { ...input, elapsed: U40_MAX, coveredSeconds: U32_MAX, equivalentSeconds: U48_MAX } },
    { rule: { ...rule, defaultTemperature: rule.minimumTemperature }, input },
    { rule: { ...rule, defaultTemperature: rule.minimumTemperature + 1 }, input },
    { rule: { ...rule, defaultTemperature: rule.minimumTemperature - 1 }, input },
    { rule: { ...rule, maxGrade: 0 }, input },
    { rule: extreme, input: { ...input, elapsed: U40_MAX } },
    {
      rule: { ...extreme, minimumTemperature: I16_MIN, defaultTemperature: I16_MAX },
      input: { ...input, elapsed: U40_MAX },
    },
    {
      rule: { ...extreme, minimumTemperature: I16_MIN, defaultTemperature: I16_MIN },
      input: { ...input, elapsed: U40_MAX },
    },
    { rule: { ...rule, minimumTemperature: I16_MAX, defaultTemperature: I16_MIN }, input },
    { rule: { ...rule, minimumTemperature: 0, defaultTemperature: 0 }, input },
  ];
}

const json = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));

/** The ledger's verdict as the TypeScript module shapes it. */
async function chainVerdict(ledger: QualityLedger, { rule, input }: Case): Promise<FreshnessVerdict> {
  const [warning, equivalent, allowedDrop, drop] = await ledger.evaluateFreshness(rule, input);
  return { warning, equivalentSeconds: equivalent, allowedDrop, drop };
}

describe("freshness rule", () => {
  let w: World;

  beforeEach(async () => {
    w = await networkHelpers.loadFixture(worldFixture);
  });

  describe("Solidity and TypeScript agree", () => {
    const seedText = `0x${SEED.toString(16).padStart(8, "0")}`;

    it(`the Solidity rule and the TypeScript module give the same verdict on the same fuzzed inputs (mulberry32 seed ${seedText}, ${RANDOM_CASES.toLocaleString("en")} random cases + edges)`, async function () {
      this.timeout(30_000);
      const d = new Draw(mulberry32(SEED));
      const cases = edgeCases();
      for (let i = 0; i < RANDOM_CASES; i++) {
        const rule = drawRule(d);
        cases.push({ rule, input: drawInput(d, rule) });
      }
      expect(cases.length).to.be.at.least(2_000);

      const mismatches: string[] = [];
      const seen = { warnings: 0, clean: 0, overCovered: 0, uncovered: 0, partial: 0, tminAtOrAboveZero: 0 };
      for (let start = 0; start < cases.length; start += CHUNK) {
        const chunk = cases.slice(start, start + CHUNK);
        const onChain = await Promise.all(chunk.map((c) => chainVerdict(w.qualityLedger, c)));
        chunk.forEach((c, k) => {
          const expected = evaluateFreshness(c.rule, c.input);
          const actual = onChain[k]!;
          if (json(actual) !== json(expected)) {
            mismatches.push(`case ${start + k}: ${json(c)} chain ${json(actual)} ts ${json(expected)}`);
          }
          if (expected.warning) seen.warnings++;
          else seen.clean++;
          if (c.input.coveredSeconds > c.input.elapsed) seen.overCovered++;
          if (c.input.coveredSeconds === 0n) seen.uncovered++;
          if (c.input.coveredSeconds > 0n && c.input.coveredSeconds < c.input.elapsed) seen.partial++;
          if (c.rule.minimumTemperature >= 0) seen.tminAtOrAboveZero++;
        });
      }
      expect(mismatches.slice(0, 5), `${mismatches.length} of ${cases.length} cases differ`).to.deep.equal([]);
      // The generator reached every region it is meant to.
      for (const [region, count] of Object.entries(seen)) expect(count, region).to.be.greaterThan(10);
    });

    it(`sequences of scans: the chain's evaluateFreshnessSequence and the TypeScript twin agree scan for scan, and no sequence avoids the warning its first-to-last pair gives (seed ${seedText}, ${SEQUENCES} sequences)`, async function () {
      this.timeout(60_000);
      const d = new Draw(mulberry32(SEED ^ 0x5e9));
      const mismatches: string[] = [];
      const seen = { warnedOnlyFromReference: 0, pairWarnings: 0, clean: 0 };
      for (let start = 0; start < SEQUENCES; start += CHUNK) {
        const batch: { rule: FreshnessRule; scans: FreshnessScan[] }[] = [];
        for (let k = start; k < Math.min(SEQUENCES, start + CHUNK); k++) {
          let rule = drawRule(d);
          if (ruleProblem(rule) !== undefined) rule = DEFAULT_FRESHNESS_RULE;
          const anchored = d.chance(0.5);
          let t = BigInt(d.int(1_700_000_000, 1_800_000_000));
          const scans: FreshnessScan[] = [];
          for (let i = 0, n = d.int(2, 8); i < n; i++) {
            const elapsed = i === 0 ? 0n : BigInt(d.int(0, d.pick([2, 3_600, 86_400, 4 * 86_400])));
            t += elapsed;
            const coveredSeconds = anchored && i !== 0 ? drawCovered(d, elapsed) : 0n;
            const top = Math.max(rule.maxGrade, 1);
            const before = scans[scans.length - 1];
            // Mostly a slow slide, a grade or none a step (what the pair rule alone let through), else any grade.
            const grade =
              before !== undefined && d.chance(0.7) ? Math.max(0, before.grade - d.int(0, 1)) : d.int(0, top);
            scans.push({
              grade,
              confidence: d.chance(0.5) ? 100 : d.int(0, 100),
              scannedAt: t,
              coveredSeconds,
              equivalentSeconds: coveredSeconds === 0n ? 0n : drawEquivalent(d, coveredSeconds),
            });
          }
          batch.push({ rule, scans });
        }
        const onChain = await Promise.all(batch.map((c) => w.qualityLedger.evaluateFreshnessSequence(c.rule, c.scans)));
        batch.forEach((c, k) => {
          const expected = evaluateFreshnessSequence(c.rule, c.scans);
          const actual = [...onChain[k]!];
          if (json(actual) !== json(expected)) mismatches.push(`${json(c)} chain ${json(actual)} ts ${json(expected)}`);
          const first = c.scans[0]!;
          const last = c.scans[c.scans.length - 1]!;
          const equalConfidence = c.scans.every((x) => x.confidence === first.confidence);
          const uncovered = c.scans.every((x) => x.coveredSeconds === 0n);
          const pairs = c.scans.slice(1).map((x, i) =>
            evaluateFreshness(c.rule, {
              previousGrade: c.scans[i]!.grade,
              previousConfidence: c.scans[i]!.confidence,
              grade: x.grade,
              confidence: x.confidence,
              elapsed: x.scannedAt - c.scans[i]!.scannedAt,
              coveredSeconds: x.coveredSeconds,
              equivalentSeconds: x.equivalentSeconds,
            }),
          );
          const whole = evaluateFreshness(c.rule, {
            previousGrade: first.grade,
            previousConfidence: first.confidence,
            grade: last.grade,
            confidence: last.confidence,
            elapsed: last.scannedAt - first.scannedAt,
            coveredSeconds: 0n,
            equivalentSeconds: 0n,
          });
          if (equalConfidence && uncovered && whole.warning && !expected.includes(true)) {
            mismatches.push(`the sequence ${json(c)} avoids the warning of its first-to-last pair`);
          }
          if (expected.includes(true) && !pairs.some((p) => p.warning)) seen.warnedOnlyFromReference++;
          else if (expected.includes(true)) seen.pairWarnings++;
          else seen.clean++;
        });
      }
      expect(mismatches.slice(0, 3), `${mismatches.length} of ${SEQUENCES} sequences`).to.deep.equal([]);
      for (const [region, count] of Object.entries(seen)) expect(count, region).to.be.greaterThan(10);
    });

    it("a rule no ledger stores (Tmin ≥ 0 with the default above it) makes the chain panic; ruleProblem names it", async () => {
      const input: FreshnessInput = {
        previousGrade: 10,
        previousConfidence: 100,
        grade: 9,
        confidence: 100,
        elapsed: 60n,
        coveredSeconds: 0n,
        equivalentSeconds: 0n,
      };
      const zero = { ...DEFAULT_FRESHNESS_RULE, minimumTemperature: 0, defaultTemperature: 400 };
      await expect(w.qualityLedger.evaluateFreshness(zero, input)).to.be.revertedWithPanic(0x12); // division by zero
      expect(() => evaluateFreshness(zero, input)).to.throw(RangeError);
      const positive = { ...DEFAULT_FRESHNESS_RULE, minimumTemperature: 100, defaultTemperature: 400 };
      await expect(w.qualityLedger.evaluateFreshness(positive, input)).to.be.revertedWithPanic(0x11); // overflow
      for (const rule of [zero, positive]) {
        expect(ruleProblem(rule)).to.equal("the minimum temperature of the square-root model must be below 0 °C");
      }
    });
  });

  describe("src/core/freshness.ts", () => {
    it("relativeRate: 4 °C spoils 1.96 times as fast as 0 °C under Tmin = −10 °C; nothing at or below Tmin", () => {
      expect(relativeRate(400, -1_000)).to.equal(1_960_000n);
      expect(relativeRate(0, -1_000)).to.equal(1_000_000n);
      expect(relativeRate(1_000, -1_000)).to.equal(4_000_000n);
      expect(relativeRate(-500, -1_000)).to.equal(250_000n);
      expect(relativeRate(-999, -1_000)).to.equal(1n);
      expect(relativeRate(-1_000, -1_000)).to.equal(0n);
      expect(relativeRate(-1_001, -1_000)).to.equal(0n);
      expect(relativeRate(I16_MIN, -1_000)).to.equal(0n);
      expect(equivalentSeconds(86_400n, 400, -1_000)).to.equal(169_344n);
      expect(equivalentSeconds(86_400n, -1_800, -1_000)).to.equal(0n);
    });

    it("exposureOf sums RRS · Δt over a time-ordered series, each temperature holding until the next reading", () => {
      const series = [
        { readAt: 1_000, temperature: 0 }, // an hour at 0 °C: 3,600 s
        { readAt: 4_600, temperature: 400 }, // an hour at 4 °C: 7,056 s
        { readAt: 8_200, temperature: 1_000 }, // the last reading closes the series
      ];
      expect(exposureOf(series, -1_000)).to.equal(3_600n + 7_056n);
      expect(exposureOf([...series].reverse(), -1_000)).to.equal(10_656n);
      expect(exposureOf([{ readAt: 0, temperature: 1_000 }], -1_000)).to.equal(0n);
      expect(exposureOf([], -1_000)).to.equal(0n);
      expect(
        exposureOf(
          [
            { readAt: 0, temperature: -1_800 },
            { readAt: DAY, temperature: -1_800 },
          ],
          -1_000,
        ),
      ).to.equal(0n);
    });

    it("ruleProblem phrases each unusable rule as FreshnessInvalidRule refuses it, and the chain agrees", async () => {
      const rule = DEFAULT_FRESHNESS_RULE;
      expect(ruleProblem(rule)).to.equal(undefined);
      const problems: [FreshnessRule, string][] = [
        [{ ...rule, minimumTemperature: 0 }, "the minimum temperature of the square-root model must be below 0 °C"],
        [{ ...rule, minimumTemperature: 250 }, "the minimum temperature of the square-root model must be below 0 °C"],
        [
          { ...rule, defaultTemperature: -1_000 },
          "the default temperature must lie above the model's minimum temperature",
        ],
        [
          { ...rule, defaultTemperature: -2_000 },
          "the default temperature must lie above the model's minimum temperature",
        ],
        [{ ...rule, maxGrade: 0 }, "the grade scale needs a top grade of at least 1"],
      ];
      const ledger = w.qualityLedger; // connected to the admin
      for (const [bad, message] of problems) {
        expect(ruleProblem(bad)).to.equal(message);
        await expect(ledger.setFreshnessRule(HAD, bad))
          .to.be.revertedWithCustomError(ledger, "FreshnessInvalidRule")
          .withArgs(bad.minimumTemperature, bad.defaultTemperature, bad.maxGrade);
      }
      const haddock: FreshnessRule = { ...rule, decayPerDay: 60, maxGrade: 1 };
      expect(ruleProblem(haddock)).to.equal(undefined);
      await expect(ledger.setFreshnessRule(HAD, haddock)).to.emit(ledger, "FreshnessRuleSet");
      expect(await ruleOf(ledger, HAD)).to.deep.equal(haddock);
    });

    it("DEFAULT_FRESHNESS_RULE is the deployed default (0x000000), and what a species without its own rule gets", async () => {
      expect(DEFAULT_RULE_SPECIES).to.equal("0x000000");
      expect(await ruleOf(w.qualityLedger, DEFAULT_RULE_SPECIES)).to.deep.equal(DEFAULT_FRESHNESS_RULE);
      expect(await ruleOf(w.qualityLedger, COD)).to.deep.equal(DEFAULT_FRESHNESS_RULE);
      expect(await ruleOf(w.qualityLedger, HAD)).to.deep.equal(DEFAULT_FRESHNESS_RULE);
    });

    it("worked example: cod graded 10 at landing, 9 a day later at unknown temperature → no warning; 6 → warning", async () => {
      // A day nobody's sensors covered counts at the rule's default, 4 °C: t0 = 86,400 s · 1.96 = 169,344 s at
      // 0 °C, worth 50 · 169,344 / 86,400 = 98 hundredths of a grade. The device reports whole grades: one grade
      // of margin (100), and at 90 % confidence 200 · 10 / 100 = 20 more. Allowed: 218 hundredths.
      const landing: FreshnessInput = {
        previousGrade: 10,
        previousConfidence: 90,
        grade: 9,
        confidence: 95,
        elapsed: 86_400n,
        coveredSeconds: 0n,
        equivalentSeconds: 0n,
      };
      const nine = evaluateFreshness(DEFAULT_FRESHNESS_RULE, landing);
      expect(nine).to.deep.equal({ warning: false, equivalentSeconds: 169_344n, allowedDrop: 218n, drop: 100n });
      const six = evaluateFreshness(DEFAULT_FRESHNESS_RULE, { ...landing, grade: 6 });
      expect(six).to.deep.equal({ warning: true, equivalentSeconds: 169_344n, allowedDrop: 218n, drop: 400n });
      expect(await chainVerdict(w.qualityLedger, { rule: DEFAULT_FRESHNESS_RULE, input: landing })).to.deep.equal(nine);

      // The same story scanned for real: two lots of cod, each graded at landing and a day later.
      const device = new Wallet(id("FishTrace test: QAT device of harvester1"));
      await w.registry.registerDevice(device.address, roleId("QAT_DEVICE"), w.cast.harvester1);
      const domain = qatDomain((await ethers.provider.getNetwork()).chainId, w.addresses.qualityLedger);
      const ledger = w.qualityLedger;
      let readingId = 0n;
      const submit = async (reading: Omit<QatReading, "readingId" | "device" | "species" | "speciesConfidence">) => {
        const full: QatReading = {
          readingId: ++readingId,
          device: device.address,
          species: COD,
          speciesConfidence: 99,
          ...reading,
        };
        return ledger.submitScan(1, full, await signReading(device, domain, full));
      };
      for (const [later, warns] of [
        [9, false],
        [6, true],
      ] as const) {
        const lotId = await registerLot(w, w.cast.harvester1);
        await time.increase(2 * DAY);
        const landed = (await time.latest()) - DAY;
        await submit({ lotId, grade: 10, gradeConfidence: 90, scannedAt: landed });
        const tx = await submit({ lotId, grade: later, gradeConfidence: 95, scannedAt: landed + DAY });
        if (warns) {
          await expect(tx).to.emit(ledger, "FreshnessWarning");
          expect((await w.harvester.getLot(lotId)).flags & Flag.FRESHNESS_WARNING).to.equal(Flag.FRESHNESS_WARNING);
        } else {
          await expect(tx).not.to.emit(ledger, "FreshnessWarning");
          expect((await w.harvester.getLot(lotId)).flags).to.equal(0n);
        }
      }
    });
  });
});

/** `freshnessRuleOf(species)` as the TypeScript module's rule. */
async function ruleOf(ledger: QualityLedger, species: string): Promise<FreshnessRule> {
  const r = await ledger.freshnessRuleOf(species);
  return {
    decayPerDay: Number(r.decayPerDay),
    minimumTemperature: Number(r.minimumTemperature),
    defaultTemperature: Number(r.defaultTemperature),
    margin: Number(r.margin),
    uncertainty: Number(r.uncertainty),
    maxGrade: Number(r.maxGrade),
  };
}
