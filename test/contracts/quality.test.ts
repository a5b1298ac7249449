/**
 * The quality ledger as the TypeScript toolkit meets it: the EIP-712 digest the TypeScript signer computes is the
 * contract's; a 1,000-reading sensor tree built with src/core/sensors.ts verifies on chain; the freshness rule of
 * src/core/freshness.ts gives the contract's verdicts; and the ledger's errors read as one line.
 *
 * The contract's own behaviour (replay, tampering, malleable signatures, device and custody checks, anchoring,
 * species substitution, excursions, batches) is tested in test/contracts/QualityLedger.t.sol.
 */
import { expect } from "chai";
import {
  Wallet,
  ZeroAddress,
  id,
  recoverAddress,
  type ContractTransactionResponse,
  type Signer,
  type TypedDataDomain,
} from "ethers";

import { describeError } from "../../src/core/errors.js";
import { DEFAULT_FRESHNESS_RULE, evaluateFreshness, relativeRate } from "../../src/core/freshness.js";
import { domainOf, qatDomain, readingDigest, signReading, signerOf, type QatReading } from "../../src/core/qat.js";
import { proofOf, sensorTree, summarize, type SensorReading, type SensorSummary } from "../../src/core/sensors.js";
import { roleId } from "../../src/core/roles.js";
import { sell, stageAt } from "../helpers/chain.js";
import {
  COD,
  DAY,
  Flag,
  HAD,
  RemovalReason,
  deployWorld,
  ethers,
  networkHelpers,
  registerLot,
  time,
  type World,
} from "../helpers/fixtures.js";

const QAT_DEVICE = roleId("QAT_DEVICE");
const NO_SPECIES = "0x000000";
const HARVESTER = 1;
const SUPPLIER = 2;

/** Anything that signs a reading and names itself in it: a `Wallet` key, or a node account. */
type Device = Signer & { address: string };

interface QualityWorld extends World {
  chainId: bigint;
  /** The signing domain of this deployment's ledger. */
  domain: TypedDataDomain;
  /** A QAT device operated by harvester1 (a key held off chain: it never needs Ether). */
  harvesterQat: Wallet;
  /** A QAT device operated by the regulator. */
  regulatorQat: Wallet;
  /** A 250 kg COD lot of harvester1 at the Harvester. */
  cod: bigint;
}

async function qualityFixture(): Promise<QualityWorld> {
  const world = await deployWorld();
  const { registry, cast } = world;
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const harvesterQat = new Wallet(id("FishTrace test: QAT device of harvester1"));
  const regulatorQat = new Wallet(id("FishTrace test: QAT device of the regulator"));
  await registry.registerDevice(harvesterQat.address, QAT_DEVICE, cast.harvester1);
  await registry.registerDevice(regulatorQat.address, QAT_DEVICE, cast.regulator);
  const cod = await registerLot(world, cast.harvester1);
  return {
    ...world,
    chainId,
    domain: qatDomain(chainId, world.addresses.qualityLedger),
    harvesterQat,
    regulatorQat,
    cod,
  };
}

let lastReadingId = 0n;

/** A scan of `lotId` by `device`: COD, grade 10, scanned at the latest block, a reading id not used before. */
async function readingOf(
  device: { address: string },
  lotId: bigint,
  over: Partial<QatReading> = {},
): Promise<QatReading> {
  return {
    readingId: ++lastReadingId,
    lotId,
    species: COD,
    speciesConfidence: 97,
    grade: 10,
    gradeConfidence: 90,
    scannedAt: await time.latest(),
    device: device.address,
    ...over,
  };
}

/** The participant id of `account` (a device's own id, as events report it). */
async function idOf(w: World, account: { address: string }): Promise<bigint> {
  return (await w.registry.authorization(account.address)).id;
}

/** `reading` signed by `device` for `w`'s ledger, submitted by the relayer (anyone may submit). */
async function submit(
  w: QualityWorld,
  stage: number,
  device: Device,
  reading: QatReading,
): Promise<ContractTransactionResponse> {
  const signature = await signReading(device, w.domain, reading);
  return w.qualityLedger.connect(w.cast.relayer).submitScan(stage, reading, signature);
}

/** `device` scans `lotId` at `stage` (see `readingOf`); returns the reading and the transaction. */
async function scan(
  w: QualityWorld,
  stage: number,
  device: Device,
  lotId: bigint,
  over: Partial<QatReading> = {},
): Promise<{ reading: QatReading; tx: ContractTransactionResponse }> {
  const reading = await readingOf(device, lotId, over);
  return { reading, tx: await submit(w, stage, device, reading) };
}

/** A sensor of the cold chain. */
const SENSOR = new Wallet(id("FishTrace test: reefer sensor")).address;

/** `count` readings a minute apart ending before the latest block, at `temperature(i)` hundredths of °C. */
async function sensorReadings(count: number, temperature: (i: number) => number): Promise<SensorReading[]> {
  const start = (await time.latest()) - 60 * count - 60;
  return Array.from({ length: count }, (_, i) => ({
    sensor: SENSOR,
    readAt: start + 60 * i,
    temperature: temperature(i),
    humidity: 80 + (i % 20),
  }));
}

/** The summary as the contract's tuple (and as `anchorOf` / events return it). */
function summaryTuple(s: SensorSummary): [bigint, bigint, bigint, bigint, bigint, bigint] {
  return [BigInt(s.from), BigInt(s.to), BigInt(s.count), BigInt(s.minimum), BigInt(s.maximum), BigInt(s.mean)];
}

/** The gateway (operated by harvester1) anchors `readings` for `lotIds` at the Harvester; returns the tree. */
async function anchor(w: QualityWorld, lotIds: bigint[], readings: SensorReading[]) {
  const tree = sensorTree(readings);
  const summary = summarize(readings);
  const tx = await w.qualityLedger.connect(w.cast.gateway).anchorReadings(HARVESTER, lotIds, tree.root, summary);
  return { tree, summary, tx };
}

/** What `promise` rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return expect.fail("expected the call to revert");
}

describe("QualityLedger", () => {
  let w: QualityWorld;

  beforeEach(async () => {
    w = await networkHelpers.loadFixture(qualityFixture);
  });

  describe("TypeScript and contract agree", () => {
    it("the digest the TypeScript signer computes equals the contract's, checked against eip712Domain()", async () => {
      const ledger = w.qualityLedger;
      expect(await domainOf(ledger)).to.deep.equal(qatDomain(w.chainId, w.addresses.qualityLedger));
      expect(w.domain).to.deep.equal(await domainOf(ledger));

      const base = await readingOf(w.harvesterQat, w.cod);
      const readings: QatReading[] = [
        base,
        { ...base, species: HAD, speciesConfidence: 0, grade: 0, gradeConfidence: 0 },
        { ...base, readingId: 0n, lotId: 0n, species: NO_SPECIES, scannedAt: 0, device: ZeroAddress },
        {
          readingId: 2n ** 64n - 1n,
          lotId: 2n ** 256n - 1n,
          species: "0xffffff",
          speciesConfidence: 255,
          grade: 255,
          gradeConfidence: 255,
          scannedAt: 2 ** 40 - 1,
          device: w.regulatorQat.address,
        },
      ];
      for (const reading of readings) {
        expect(await ledger.readingDigest(reading)).to.equal(readingDigest(w.domain, reading));
      }
      // And a signature made with the TypeScript signer recovers to the device on chain: the scan is accepted.
      const signature = await signReading(w.harvesterQat, w.domain, base);
      expect(signerOf(w.domain, base, signature)).to.equal(w.harvesterQat.address);
      await expect(ledger.submitScan(HARVESTER, base, signature)).to.emit(ledger, "QatScanned");
      expect(await ledger.isAccepted(w.harvesterQat.address, base.readingId)).to.equal(true);
    });

    it("every reading of a 1,000-reading tree built with src/core/sensors.ts verifies on chain (a sample of indices); a tampered one does not", async () => {
      const ledger = w.qualityLedger;
      const readings = await sensorReadings(1_000, (i) => 100 + ((i * 37) % 250));
      const { tree, summary } = await anchor(w, [w.cod], readings);
      const stored = await ledger.anchorOf(w.cast.gateway.address, tree.root);
      expect(stored.count).to.equal(1_000n);
      expect([stored.from, stored.to, stored.count, stored.minimum, stored.maximum, stored.mean]).to.deep.equal(
        summaryTuple(summary),
      );

      const sample = [0, 1, 2, 255, 256, 499, 500, 511, 512, 767, 998, 999];
      for (let k = 0; k < 20; k++) sample.push((k * 7919 + 13) % 1_000);
      const results = await Promise.all(
        sample.map((i) =>
          ledger.verifyReading(w.cast.gateway.address, tree.root, readings[i]!, proofOf(tree, readings[i]!)),
        ),
      );
      expect(results).to.deep.equal(sample.map(() => true));

      const reading = readings[500]!;
      const proof = proofOf(tree, reading);
      const forgeries: SensorReading[] = [
        { ...reading, temperature: reading.temperature - 1 },
        { ...reading, readAt: reading.readAt + 1 },
        { ...reading, humidity: reading.humidity + 1 },
        { ...reading, sensor: w.cast.outsider.address },
      ];
      for (const forged of forgeries)
        expect(await ledger.verifyReading(w.cast.gateway.address, tree.root, forged, proof)).to.equal(false);
      // Another reading's proof, and a proof against a root nobody anchored.
      expect(
        await ledger.verifyReading(w.cast.gateway.address, tree.root, reading, proofOf(tree, readings[501]!)),
      ).to.equal(false);
      const unanchored = id("no such batch");
      await expect(ledger.verifyReading(w.cast.gateway.address, unanchored, reading, proof))
        .to.be.revertedWithCustomError(ledger, "SensorRootNotFound")
        .withArgs(unanchored);
    });
  });

  describe("freshness verdicts and error phrasing", () => {
    it("queryQAT returns the latest inspection and the lot's flags at every stage the lot reaches", async () => {
      const ledger = w.qualityLedger;
      const harvesterDevice = await idOf(w, w.harvesterQat);
      const lot = w.cod;

      const first = await scan(w, HARVESTER, w.harvesterQat, lot, { grade: 10, gradeConfidence: 95 });
      let [inspection, flags] = await w.harvester.queryQAT(lot);
      expect([inspection.scannedAt, inspection.species, inspection.grade, inspection.deviceId]).to.deep.equal([
        BigInt(first.reading.scannedAt),
        COD,
        10n,
        harvesterDevice,
      ]);
      expect(flags).to.equal(0n);

      await sell(w, HARVESTER, w.cast.harvester1, w.cast.supplier1, [lot]);
      // The supplier's device (the cast's `qat`, a node account) grades it 6 soon after: the rule compares this
      // scan with the harvester's.
      const second = await scan(w, SUPPLIER, w.cast.qat, lot, { grade: 6, gradeConfidence: 95 });
      const elapsed = second.reading.scannedAt - first.reading.scannedAt;
      const verdict = evaluateFreshness(DEFAULT_FRESHNESS_RULE, {
        previousGrade: 10,
        previousConfidence: 95,
        grade: 6,
        confidence: 95,
        elapsed: BigInt(elapsed),
        coveredSeconds: 0n,
        equivalentSeconds: 0n,
      });
      expect(verdict.warning).to.equal(true);
      await expect(second.tx)
        .to.emit(ledger, "FreshnessWarning")
        .withArgs(lot, w.ids.qat, 10, 6, elapsed, verdict.equivalentSeconds, verdict.allowedDrop, verdict.drop);
      await expect(second.tx).to.emit(w.supplier, "LotFlagged").withArgs(lot, Flag.FRESHNESS_WARNING);
      await expect(second.tx).not.to.emit(w.harvester, "LotFlagged");

      // Both stages report the latest inspection (the supplier's); each its own flags.
      const latest = [BigInt(second.reading.scannedAt), COD, 97n, 6n, 95n, w.ids.qat];
      for (const [n, expectedFlags] of [
        [HARVESTER, 0n],
        [SUPPLIER, Flag.FRESHNESS_WARNING],
      ] as const) {
        [inspection, flags] = await stageAt(w, n).queryQAT(lot);
        expect([...inspection]).to.deep.equal(latest);
        expect(flags).to.equal(expectedFlags);
      }
      expect([...(await ledger.inspectionOf(lot))]).to.deep.equal(latest);
      expect((await ledger.qualityOf(lot)).scans).to.equal(2n);
    });

    it("a freshness warning after a warm leg: a drop just above the allowance warns, one at the allowance does not", async () => {
      const ledger = w.qualityLedger;
      const rule = DEFAULT_FRESHNESS_RULE;
      expect([...(await ledger.freshnessRuleOf(COD))]).to.deep.equal([
        BigInt(rule.decayPerDay),
        BigInt(rule.minimumTemperature),
        BigInt(rule.defaultTemperature),
        BigInt(rule.margin),
        BigInt(rule.uncertainty),
        BigInt(rule.maxGrade),
      ]);
      // A leg at 10 °C spoils fish RRS(10 °C) = 4 times as fast as ice. Grades 10 → 7 (a drop of 300 hundredths)
      // at full confidence are allowed after t0 = (300 − margin) · 86,400 / k seconds at 0 °C.
      const warm = 1_000;
      const rrs = relativeRate(warm, rule.minimumTemperature);
      expect(rrs).to.equal(4_000_000n);
      const t0 = (BigInt(300 - rule.margin) * 86_400n) / BigInt(rule.decayPerDay);
      const window = Number((t0 * 1_000_000n) / rrs);
      expect(window).to.equal(DAY);
      const deviceId = await idOf(w, w.harvesterQat);
      const other = await registerLot(w, w.cast.harvester1);
      await time.increase(3 * DAY);

      for (const [lot, leg, warns] of [
        [w.cod, window, false],
        [other, window - 1, true],
      ] as const) {
        const start = (await time.latest()) - 2 * DAY;
        await scan(w, HARVESTER, w.harvesterQat, lot, { grade: 10, gradeConfidence: 100, scannedAt: start });
        const summary: SensorSummary = {
          from: start,
          to: start + leg,
          count: 2,
          minimum: warm,
          maximum: warm,
          mean: warm,
        };
        await w.qualityLedger.connect(w.cast.gateway).anchorReadings(HARVESTER, [lot], id(`warm leg ${lot}`), summary);
        const quality = await ledger.qualityOf(lot);
        expect([quality.coveredSeconds, quality.equivalentSeconds]).to.deep.equal([BigInt(leg), 4n * BigInt(leg)]);

        const verdict = evaluateFreshness(rule, {
          previousGrade: 10,
          previousConfidence: 100,
          grade: 7,
          confidence: 100,
          elapsed: BigInt(leg),
          coveredSeconds: quality.coveredSeconds,
          equivalentSeconds: quality.equivalentSeconds,
        });
        expect(verdict.warning).to.equal(warns);
        expect(verdict.allowedDrop).to.equal(warns ? 299n : 300n);
        expect(verdict.drop).to.equal(300n);
        const onChain = await ledger.evaluateFreshness(rule, {
          previousGrade: 10,
          previousConfidence: 100,
          grade: 7,
          confidence: 100,
          elapsed: leg,
          coveredSeconds: quality.coveredSeconds,
          equivalentSeconds: quality.equivalentSeconds,
        });
        expect([...onChain]).to.deep.equal([
          verdict.warning,
          verdict.equivalentSeconds,
          verdict.allowedDrop,
          verdict.drop,
        ]);

        const { tx } = await scan(w, HARVESTER, w.harvesterQat, lot, {
          grade: 7,
          gradeConfidence: 100,
          scannedAt: start + leg,
        });
        if (warns) {
          await expect(tx)
            .to.emit(ledger, "FreshnessWarning")
            .withArgs(lot, deviceId, 10, 7, leg, verdict.equivalentSeconds, verdict.allowedDrop, verdict.drop);
          await expect(tx).to.emit(w.harvester, "LotFlagged").withArgs(lot, Flag.FRESHNESS_WARNING);
          expect((await w.harvester.getLot(lot)).flags & Flag.FRESHNESS_WARNING).to.equal(Flag.FRESHNESS_WARNING);
        } else {
          await expect(tx).not.to.emit(ledger, "FreshnessWarning");
          expect((await w.harvester.getLot(lot)).flags & Flag.FRESHNESS_WARNING).to.equal(0n);
        }
        // The scan starts a new interval.
        const after = await ledger.qualityOf(lot);
        expect([after.coveredSeconds, after.equivalentSeconds]).to.deep.equal([0n, 0n]);
      }
    });

    it("describeError phrases the new errors in one line naming the values", async () => {
      const ledger = w.qualityLedger;
      const reading = await readingOf(w.harvesterQat, w.cod);
      const signature = await signReading(w.harvesterQat, w.domain, reading);
      await ledger.submitScan(HARVESTER, reading, signature);
      const messages: [unknown, string][] = [
        [
          await rejection(ledger.submitScan(HARVESTER, reading, signature)),
          `QatReadingAlreadyAccepted: device ${w.harvesterQat.address} already submitted reading ${reading.readingId}`,
        ],
        [
          await rejection(ledger.submitScan(9, reading, signature)),
          "QualityUnknownStage: there is no stage 9 (1 = harvester … 6 = customer)",
        ],
      ];
      const wrong = { ...reading, readingId: reading.readingId + 1n };
      messages.push([
        await rejection(ledger.submitScan(HARVESTER, wrong, signature)),
        `QatWrongSigner: reading ${wrong.readingId} names device ${w.harvesterQat.address} but was signed by ${recoverAddress(readingDigest(w.domain, wrong), signature)}`,
      ]);
      const removed = await registerLot(w, w.cast.harvester1);
      await w.harvester.connect(w.cast.harvester1).removeFish(removed, RemovalReason.Discarded);
      const late = await readingOf(w.harvesterQat, removed);
      messages.push([
        await rejection(submit(w, HARVESTER, w.harvesterQat, late)),
        `QualityLotNotHere: lot ${removed} is not held at stage 1 (it is Removed there)`,
      ]);
      messages.push([
        await rejection(
          ledger
            .connect(w.cast.harvester1)
            .anchorReadings(HARVESTER, [w.cod], id("x"), summarize(await sensorReadings(2, () => 0))),
        ),
        `SensorGatewayUnauthorized: account ${w.cast.harvester1.address} is not a SENSOR_GATEWAY in the registry`,
      ]);
      for (const [err, text] of messages) {
        const line = describeError(err);
        expect(line).to.equal(text);
        expect(line).not.to.include("\n");
      }
    });
  });
});
