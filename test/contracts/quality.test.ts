/**
 * The quality ledger: device-signed QAT scans (EIP-712) and Merkle-anchored cold-chain sensor batches.
 *
 * The security cases come first, each a named test: the digest the TypeScript signer computes is the contract's;
 * a signature cannot be replayed (same chain, other chain id, other deployment), tampered with or made malleable;
 * only a registered device of the lot's custodian (or of a regulator) scans, only a lot held at the stage named,
 * never from the future; an inner node of a sensor tree never passes for a reading; roots are anchored once, by a
 * gateway. Then the behaviour: species substitution, the latest inspection at every stage, the freshness rule
 * after a warm leg, excursions, batches, and how the new errors read.
 */
import { expect } from "chai";
import {
  Wallet,
  ZeroAddress,
  ZeroHash,
  concat,
  dataSlice,
  getAddress,
  id,
  keccak256,
  recoverAddress,
  Signature,
  toBeHex,
  toBigInt,
  type ContractTransactionResponse,
  type Signer,
  type TypedDataDomain,
} from "ethers";

import { describeError } from "../../src/core/errors.js";
import { DEFAULT_FRESHNESS_RULE, evaluateFreshness, relativeRate } from "../../src/core/freshness.js";
import {
  QAT_READING_TYPES,
  domainOf,
  qatDomain,
  readingDigest,
  signReading,
  signerOf,
  type QatReading,
  type SignedReading,
} from "../../src/core/qat.js";
import { proofOf, sensorTree, summarize, type SensorReading, type SensorSummary } from "../../src/core/sensors.js";
import { roleId } from "../../src/core/roles.js";
import { lotAt, sell, shipLots, stageAt } from "../helpers/chain.js";
import {
  COD,
  DAY,
  Flag,
  HAD,
  LotStatus,
  RemovalReason,
  deployWorld,
  ethers,
  networkHelpers,
  registerLot,
  time,
  type World,
} from "../helpers/fixtures.js";

const QAT_DEVICE = roleId("QAT_DEVICE");
/** The order of secp256k1: s and n − s sign the same digest (with the other parity). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const ECRECOVER = "0x0000000000000000000000000000000000000001";
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

/** The standard tree's inner-node hash: keccak256 of the sorted pair. */
function hashPair(a: string, b: string): string {
  return keccak256(toBigInt(a) < toBigInt(b) ? concat([a, b]) : concat([b, a]));
}

/** What a naive verifier (OpenZeppelin's `MerkleProof.processProof`) computes for `leaf` and `proof`. */
function processProof(leaf: string, proof: readonly string[]): string {
  return proof.reduce(hashPair, leaf);
}

/** The path from node `index` of a dumped tree (root = 0, children 2i + 1 and 2i + 2) up to the root. */
function pathFrom(nodes: readonly string[], index: number): string[] {
  const proof: string[] = [];
  for (let i = index; i > 0; i = Math.floor((i - 1) / 2)) proof.push(nodes[i % 2 === 1 ? i + 1 : i - 1]!);
  return proof;
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

  describe("security", () => {
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

    it("a reading replayed on the same chain is refused (submitScan) or skipped (submitScans)", async () => {
      const ledger = w.qualityLedger;
      const reading = await readingOf(w.harvesterQat, w.cod);
      const signature = await signReading(w.harvesterQat, w.domain, reading);
      await ledger.submitScan(HARVESTER, reading, signature);

      await expect(ledger.submitScan(HARVESTER, reading, signature))
        .to.be.revertedWithCustomError(ledger, "QatReadingAlreadyAccepted")
        .withArgs(w.harvesterQat.address, reading.readingId);

      const batch: SignedReading[] = [{ reading, signature }];
      expect(await ledger.submitScans.staticCall(HARVESTER, batch)).to.equal(0n);
      const tx = await ledger.submitScans(HARVESTER, batch);
      await expect(tx).not.to.emit(ledger, "QatScanned");
      await expect(tx).not.to.emit(w.harvester, "LotFlagged");
      expect((await ledger.qualityOf(w.cod)).scans).to.equal(1n);

      // A batch carrying the same new reading twice records it once.
      const fresh = await readingOf(w.harvesterQat, w.cod);
      const freshSigned = { reading: fresh, signature: await signReading(w.harvesterQat, w.domain, fresh) };
      expect(await ledger.submitScans.staticCall(HARVESTER, [freshSigned, freshSigned, ...batch])).to.equal(1n);
    });

    it("a signature made for another chain id is refused with QatWrongSigner", async () => {
      const ledger = w.qualityLedger;
      const reading = await readingOf(w.harvesterQat, w.cod);
      const elsewhere = qatDomain(w.chainId + 1n, w.addresses.qualityLedger);
      const signature = await signReading(w.harvesterQat, elsewhere, reading);
      expect(signerOf(elsewhere, reading, signature)).to.equal(w.harvesterQat.address);

      const recovered = signerOf(w.domain, reading, signature);
      expect(recovered).not.to.equal(w.harvesterQat.address);
      await expect(ledger.submitScan(HARVESTER, reading, signature))
        .to.be.revertedWithCustomError(ledger, "QatWrongSigner")
        .withArgs(reading.readingId, w.harvesterQat.address, recovered);
    });

    it("a signature made for another deployment's ledger is refused with QatWrongSigner", async () => {
      // Deployment B: the same device registered to the same harvester, a lot with the same id.
      const b = await deployWorld();
      expect(b.addresses.qualityLedger).not.to.equal(w.addresses.qualityLedger);
      await b.registry.registerDevice(w.harvesterQat.address, QAT_DEVICE, b.cast.harvester1);
      expect(await registerLot(b, b.cast.harvester1)).to.equal(w.cod);
      const domainB = qatDomain(w.chainId, b.addresses.qualityLedger);

      const reading = await readingOf(w.harvesterQat, w.cod);
      const forA = await signReading(w.harvesterQat, w.domain, reading);
      await expect(b.qualityLedger.submitScan(HARVESTER, reading, forA))
        .to.be.revertedWithCustomError(b.qualityLedger, "QatWrongSigner")
        .withArgs(reading.readingId, w.harvesterQat.address, signerOf(domainB, reading, forA));

      // The same reading is good on A with A's signature, and on B only with B's.
      await expect(w.qualityLedger.submitScan(HARVESTER, reading, forA)).to.emit(w.qualityLedger, "QatScanned");
      const forB = await signReading(w.harvesterQat, domainB, reading);
      await expect(b.qualityLedger.submitScan(HARVESTER, reading, forB)).to.emit(b.qualityLedger, "QatScanned");
    });

    it("tampering with any of the 8 signed fields makes the signature recover another signer (QatWrongSigner)", async () => {
      const ledger = w.qualityLedger;
      const other = await registerLot(w, w.cast.harvester1, { species: HAD });
      const reading = await readingOf(w.harvesterQat, w.cod, { speciesConfidence: 90, grade: 9, gradeConfidence: 80 });
      const signature = await signReading(w.harvesterQat, w.domain, reading);

      const tampered: Record<keyof QatReading, QatReading> = {
        readingId: { ...reading, readingId: reading.readingId + 1_000_000n },
        lotId: { ...reading, lotId: other },
        species: { ...reading, species: HAD },
        speciesConfidence: { ...reading, speciesConfidence: 91 },
        grade: { ...reading, grade: 8 },
        gradeConfidence: { ...reading, gradeConfidence: 81 },
        scannedAt: { ...reading, scannedAt: reading.scannedAt - 1 },
        device: { ...reading, device: w.regulatorQat.address },
      };
      expect(Object.keys(tampered)).to.have.members(QAT_READING_TYPES.QatReading.map((f) => f.name));

      for (const [field, forged] of Object.entries(tampered)) {
        const recovered = recoverAddress(readingDigest(w.domain, forged), signature);
        expect(recovered, field).not.to.equal(forged.device);
        await expect(ledger.submitScan(HARVESTER, forged, signature), field)
          .to.be.revertedWithCustomError(ledger, "QatWrongSigner")
          .withArgs(forged.readingId, forged.device, recovered);
      }
      // Untouched, it is accepted.
      await expect(ledger.submitScan(HARVESTER, reading, signature)).to.emit(ledger, "QatScanned");
    });

    it("a high-s (malleated) signature is refused with QatMalformedSignature, though ecrecover accepts it", async () => {
      const ledger = w.qualityLedger;
      const reading = await readingOf(w.harvesterQat, w.cod);
      const signature = await signReading(w.harvesterQat, w.domain, reading);
      const sig = Signature.from(signature);
      const highS = toBeHex(SECP256K1_N - toBigInt(sig.s), 32);
      const flippedV = sig.v === 27 ? 28 : 27;
      const malleated = concat([sig.r, highS, toBeHex(flippedV, 1)]);

      // The malleated signature is a valid ECDSA signature of the same digest by the same key.
      const digest = readingDigest(w.domain, reading);
      const out = await ethers.provider.call({
        to: ECRECOVER,
        data: concat([digest, toBeHex(flippedV, 32), sig.r, highS]),
      });
      expect(getAddress(dataSlice(out, 12))).to.equal(w.harvesterQat.address);

      await expect(ledger.submitScan(HARVESTER, reading, malleated))
        .to.be.revertedWithCustomError(ledger, "QatMalformedSignature")
        .withArgs(reading.readingId);
      // So are signatures of the wrong length (a 64-byte EIP-2098 signature, an empty one).
      await expect(ledger.submitScan(HARVESTER, reading, sig.compactSerialized))
        .to.be.revertedWithCustomError(ledger, "QatMalformedSignature")
        .withArgs(reading.readingId);
      await expect(ledger.submitScan(HARVESTER, reading, "0x"))
        .to.be.revertedWithCustomError(ledger, "QatMalformedSignature")
        .withArgs(reading.readingId);
      // The canonical signature is accepted: the refusals did not consume the reading id.
      await expect(ledger.submitScan(HARVESTER, reading, signature)).to.emit(ledger, "QatScanned");
    });

    it("an unknown device, a revoked device and a device whose operator was revoked are QatDeviceUnauthorized", async () => {
      const ledger = w.qualityLedger;
      const stranger = Wallet.createRandom();
      let reading = await readingOf(stranger, w.cod);
      await expect(submit(w, HARVESTER, stranger, reading))
        .to.be.revertedWithCustomError(ledger, "QatDeviceUnauthorized")
        .withArgs(stranger.address);

      // A sensor gateway is a device, but not a QAT device.
      reading = await readingOf(w.cast.gateway, w.cod);
      await expect(submit(w, HARVESTER, w.cast.gateway, reading))
        .to.be.revertedWithCustomError(ledger, "QatDeviceUnauthorized")
        .withArgs(w.cast.gateway.address);

      // Revoked device.
      const spare = new Wallet(id("FishTrace test: spare QAT device of harvester1"));
      await w.registry.registerDevice(spare.address, QAT_DEVICE, w.cast.harvester1);
      await expect(submit(w, HARVESTER, spare, await readingOf(spare, w.cod))).to.emit(ledger, "QatScanned");
      await w.registry.revokeParticipant(spare.address);
      reading = await readingOf(spare, w.cod);
      await expect(submit(w, HARVESTER, spare, reading))
        .to.be.revertedWithCustomError(ledger, "QatDeviceUnauthorized")
        .withArgs(spare.address);

      // The operator revoked: its still-registered device stops with it.
      await expect(submit(w, HARVESTER, w.harvesterQat, await readingOf(w.harvesterQat, w.cod))).to.emit(
        ledger,
        "QatScanned",
      );
      await w.registry.revokeParticipant(w.cast.harvester1);
      reading = await readingOf(w.harvesterQat, w.cod);
      await expect(submit(w, HARVESTER, w.harvesterQat, reading))
        .to.be.revertedWithCustomError(ledger, "QatDeviceUnauthorized")
        .withArgs(w.harvesterQat.address);
    });

    it("another actor's device cannot scan a lot it does not hold (QualityOperatorNotAtStage, QualityNotCustodian)", async () => {
      const ledger = w.qualityLedger;
      // The cast's `qat` device is supplier1's; the lot is harvester1's, at the Harvester, where supplier1 has no role.
      let reading = await readingOf(w.cast.qat, w.cod);
      await expect(submit(w, HARVESTER, w.cast.qat, reading))
        .to.be.revertedWithCustomError(ledger, "QualityOperatorNotAtStage")
        .withArgs(w.cast.supplier1.address, HARVESTER);

      // A device of harvester2 (same role, other participant).
      const rival = new Wallet(id("FishTrace test: QAT device of harvester2"));
      await w.registry.registerDevice(rival.address, QAT_DEVICE, w.cast.harvester2);
      reading = await readingOf(rival, w.cod);
      await expect(submit(w, HARVESTER, rival, reading))
        .to.be.revertedWithCustomError(ledger, "QualityNotCustodian")
        .withArgs(w.cod, w.ids.harvester1, w.ids.harvester2);
    });

    it("a regulator-operated device scans any lot, at any stage, in anyone's custody", async () => {
      const ledger = w.qualityLedger;
      const deviceId = await idOf(w, w.regulatorQat);
      const atHarvester = await scan(w, HARVESTER, w.regulatorQat, w.cod);
      await expect(atHarvester.tx)
        .to.emit(ledger, "QatScanned")
        .withArgs(w.cod, deviceId, atHarvester.reading.readingId, COD, 97, 10, 90, atHarvester.reading.scannedAt);

      const atSupplier = await lotAt(w, SUPPLIER);
      const { reading, tx } = await scan(w, SUPPLIER, w.regulatorQat, atSupplier);
      await expect(tx)
        .to.emit(ledger, "QatScanned")
        .withArgs(atSupplier, deviceId, reading.readingId, COD, 97, 10, 90, reading.scannedAt);
      const [inspection] = await w.supplier.queryQAT(atSupplier);
      expect(inspection.deviceId).to.equal(deviceId);
    });

    it("a scan time after the block that records it is refused with QatScanInFuture", async () => {
      const ledger = w.qualityLedger;
      const now = (await time.latest()) + 100;
      const reading = await readingOf(w.harvesterQat, w.cod, { scannedAt: now + 1 });
      await time.setNextBlockTimestamp(now);
      await expect(submit(w, HARVESTER, w.harvesterQat, reading))
        .to.be.revertedWithCustomError(ledger, "QatScanInFuture")
        .withArgs(now + 1, now);

      // Scanned in the very block that records it is fine.
      const later = (await time.latest()) + 100;
      const onTime = await readingOf(w.harvesterQat, w.cod, { scannedAt: later });
      const signature = await signReading(w.harvesterQat, w.domain, onTime);
      await time.setNextBlockTimestamp(later);
      await expect(ledger.submitScan(HARVESTER, onTime, signature)).to.emit(ledger, "QatScanned");
    });

    it("readings a device cannot make are refused: confidence above 100 %, grade above the rule's scale", async () => {
      const ledger = w.qualityLedger;
      let reading = await readingOf(w.harvesterQat, w.cod, { speciesConfidence: 101 });
      await expect(submit(w, HARVESTER, w.harvesterQat, reading))
        .to.be.revertedWithCustomError(ledger, "QatInvalidConfidence")
        .withArgs(101);
      reading = await readingOf(w.harvesterQat, w.cod, { gradeConfidence: 255 });
      await expect(submit(w, HARVESTER, w.harvesterQat, reading))
        .to.be.revertedWithCustomError(ledger, "QatInvalidConfidence")
        .withArgs(255);
      reading = await readingOf(w.harvesterQat, w.cod, { grade: DEFAULT_FRESHNESS_RULE.maxGrade + 1 });
      await expect(submit(w, HARVESTER, w.harvesterQat, reading))
        .to.be.revertedWithCustomError(ledger, "QatGradeOutOfScale")
        .withArgs(DEFAULT_FRESHNESS_RULE.maxGrade + 1, DEFAULT_FRESHNESS_RULE.maxGrade);
    });

    it("a lot not held at the stage named (supplied onward, removed, never there) is QualityLotNotHere; stage 0 or 7 is QualityUnknownStage", async () => {
      const ledger = w.qualityLedger;
      // Supplied onward: the lot now lives at the Supplier.
      const moved = await registerLot(w, w.cast.harvester1);
      await sell(w, HARVESTER, w.cast.harvester1, w.cast.supplier1, [moved]);
      let reading = await readingOf(w.regulatorQat, moved);
      await expect(submit(w, HARVESTER, w.regulatorQat, reading))
        .to.be.revertedWithCustomError(ledger, "QualityLotNotHere")
        .withArgs(moved, HARVESTER, LotStatus.Supplied);
      await expect(submit(w, SUPPLIER, w.cast.qat, await readingOf(w.cast.qat, moved))).to.emit(ledger, "QatScanned");

      // Removed.
      const removed = await registerLot(w, w.cast.harvester1);
      await w.harvester.connect(w.cast.harvester1).removeFish(removed, RemovalReason.Discarded);
      reading = await readingOf(w.harvesterQat, removed);
      await expect(submit(w, HARVESTER, w.harvesterQat, reading))
        .to.be.revertedWithCustomError(ledger, "QualityLotNotHere")
        .withArgs(removed, HARVESTER, LotStatus.Removed);

      // Wrong stage: the lot was never at the Manufacturer; a lot id that exists nowhere.
      reading = await readingOf(w.regulatorQat, w.cod);
      await expect(submit(w, 3, w.regulatorQat, reading))
        .to.be.revertedWithCustomError(ledger, "QualityLotNotHere")
        .withArgs(w.cod, 3, LotStatus.None);
      reading = await readingOf(w.regulatorQat, 999_999n);
      await expect(submit(w, HARVESTER, w.regulatorQat, reading))
        .to.be.revertedWithCustomError(ledger, "QualityLotNotHere")
        .withArgs(999_999n, HARVESTER, LotStatus.None);

      // No such stage.
      for (const stage of [0, 7, 255]) {
        reading = await readingOf(w.harvesterQat, w.cod);
        await expect(submit(w, stage, w.harvesterQat, reading))
          .to.be.revertedWithCustomError(ledger, "QualityUnknownStage")
          .withArgs(stage);
      }
      await expect(ledger.submitScans(7, [])).to.be.revertedWithCustomError(ledger, "QualityUnknownStage").withArgs(7);

      // A lot in transit (Shipped) is still held by its seller at its stage and can be scanned there.
      const shipped = await registerLot(w, w.cast.harvester1);
      await shipLots(w, HARVESTER, w.cast.harvester1, w.cast.supplier1, [shipped]);
      expect((await w.harvester.getLot(shipped)).status).to.equal(LotStatus.Shipped);
      await expect(submit(w, HARVESTER, w.harvesterQat, await readingOf(w.harvesterQat, shipped))).to.emit(
        ledger,
        "QatScanned",
      );
    });

    it("an inner node of a sensor tree passes a naive Merkle check as a leaf, but no SensorReading built from it verifies", async () => {
      const ledger = w.qualityLedger;
      const readings = await sensorReadings(8, (i) => 150 + 10 * i);
      const { tree } = await anchor(w, [w.cod], readings);
      const nodes = tree.dump().tree;
      expect(nodes).to.have.length(15);

      // Node 1 is an inner node (children 3 and 4), not the root, not a leaf.
      const inner = nodes[1]!;
      expect(inner).to.equal(hashPair(nodes[3]!, nodes[4]!));
      const shortProof = pathFrom(nodes, 1);
      expect(shortProof).to.have.length(1);
      // The naive attack: the raw proof check (MerkleProof.processProof) with the inner node as the leaf
      // reaches the anchored root.
      expect(processProof(inner, shortProof)).to.equal(tree.root);

      // The ledger hashes a leaf twice from the reading's values, so a 32-byte hash is compared with the 64-byte
      // pair under `inner`: no reading leads there. Readings made of the node's bits and of its children's fail.
      const candidates: SensorReading[] = [inner, nodes[3]!, nodes[4]!].flatMap((word) => [
        {
          sensor: getAddress(dataSlice(word, 12)),
          readAt: Number(toBigInt(dataSlice(word, 27)) & 0xffffffffffn),
          temperature: Number(BigInt.asIntN(16, toBigInt(dataSlice(word, 30)))),
          humidity: Number(toBigInt(dataSlice(word, 31))),
        },
        {
          sensor: getAddress(dataSlice(word, 0, 20)),
          readAt: Number(toBigInt(dataSlice(word, 20, 25))),
          temperature: Number(BigInt.asIntN(16, toBigInt(dataSlice(word, 25, 27)))),
          humidity: Number(toBigInt(dataSlice(word, 27, 28))),
        },
      ]);
      for (const candidate of candidates) {
        expect(
          tree.leafHash([candidate.sensor, candidate.readAt, candidate.temperature, candidate.humidity]),
        ).not.to.equal(inner);
        expect(await ledger.verifyReading(w.cast.gateway.address, tree.root, candidate, shortProof)).to.equal(false);
        expect(await ledger.verifyReading(w.cast.gateway.address, tree.root, candidate, pathFrom(nodes, 3))).to.equal(
          false,
        );
        expect(await ledger.verifyReading(w.cast.gateway.address, tree.root, candidate, [])).to.equal(false);
      }

      // The real readings under that node do verify.
      for (const reading of readings) {
        expect(await ledger.verifyReading(w.cast.gateway.address, tree.root, reading, proofOf(tree, reading))).to.equal(
          true,
        );
      }
    });

    it("a root anchored twice, or the zero root, is SensorRootInvalid", async () => {
      const ledger = w.qualityLedger.connect(w.cast.gateway);
      const readings = await sensorReadings(4, () => 200);
      const { tree, summary } = await anchor(w, [w.cod], readings);
      await expect(ledger.anchorReadings(HARVESTER, [w.cod], tree.root, summary))
        .to.be.revertedWithCustomError(ledger, "SensorRootInvalid")
        .withArgs(tree.root);
      // Not for another lot either.
      const other = await registerLot(w, w.cast.harvester1);
      await expect(ledger.anchorReadings(HARVESTER, [other], tree.root, summary))
        .to.be.revertedWithCustomError(ledger, "SensorRootInvalid")
        .withArgs(tree.root);
      await expect(ledger.anchorReadings(HARVESTER, [other], ZeroHash, summary))
        .to.be.revertedWithCustomError(ledger, "SensorRootInvalid")
        .withArgs(ZeroHash);
    });

    it("only a SENSOR_GATEWAY of the lot's custodian anchors (SensorGatewayUnauthorized, QualityNotCustodian)", async () => {
      const ledger = w.qualityLedger;
      const readings = await sensorReadings(4, () => 200);
      const tree = sensorTree(readings);
      const summary = summarize(readings);
      for (const account of [w.cast.harvester1, w.cast.qat, w.cast.regulator, w.cast.outsider]) {
        await expect(ledger.connect(account).anchorReadings(HARVESTER, [w.cod], tree.root, summary))
          .to.be.revertedWithCustomError(ledger, "SensorGatewayUnauthorized")
          .withArgs(account.address);
      }
      const rivals = await registerLot(w, w.cast.harvester2);
      await expect(ledger.connect(w.cast.gateway).anchorReadings(HARVESTER, [w.cod, rivals], tree.root, summary))
        .to.be.revertedWithCustomError(ledger, "QualityNotCustodian")
        .withArgs(rivals, w.ids.harvester2, w.ids.harvester1);
      await expect(ledger.connect(w.cast.gateway).anchorReadings(HARVESTER, [w.cod], tree.root, summary)).to.emit(
        ledger,
        "SensorBatchAnchored",
      );
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

  describe("behaviour", () => {
    it("a substituted fillet (HAD scanned on a COD lot) emits SpeciesMismatch and flags the lot at its stage", async () => {
      const ledger = w.qualityLedger;
      const deviceId = await idOf(w, w.harvesterQat);
      const { tx } = await scan(w, HARVESTER, w.harvesterQat, w.cod, { species: HAD, speciesConfidence: 88 });
      await expect(tx).to.emit(ledger, "SpeciesMismatch").withArgs(w.cod, deviceId, COD, NO_SPECIES, HAD, 88);
      await expect(tx).to.emit(w.harvester, "LotFlagged").withArgs(w.cod, Flag.SPECIES_MISMATCH);
      expect((await w.harvester.getLot(w.cod)).flags & Flag.SPECIES_MISMATCH).to.equal(Flag.SPECIES_MISMATCH);
      expect((await w.harvester.queryQAT(w.cod))[1]).to.equal(Flag.SPECIES_MISMATCH);

      // A second scan is compared with the registration and the previous scan; the flag is raised only once.
      const again = await scan(w, HARVESTER, w.harvesterQat, w.cod, { species: COD });
      await expect(again.tx).to.emit(ledger, "SpeciesMismatch").withArgs(w.cod, deviceId, COD, HAD, COD, 97);
      await expect(again.tx).not.to.emit(w.harvester, "LotFlagged");

      // A matching scan of a clean lot raises nothing.
      const clean = await registerLot(w, w.cast.harvester1);
      const ok = await scan(w, HARVESTER, w.harvesterQat, clean);
      await expect(ok.tx).not.to.emit(ledger, "SpeciesMismatch");
      await expect(ok.tx).not.to.emit(w.harvester, "LotFlagged");
    });

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

    it("a late upload (an older scan) is recorded as an event but does not replace the latest inspection", async () => {
      const ledger = w.qualityLedger;
      const latest = await scan(w, HARVESTER, w.harvesterQat, w.cod, { grade: 9 });
      const older = await scan(w, HARVESTER, w.harvesterQat, w.cod, {
        grade: 3,
        scannedAt: latest.reading.scannedAt - 3_600,
      });
      await expect(older.tx).to.emit(ledger, "QatScanned");
      await expect(older.tx).not.to.emit(ledger, "FreshnessWarning");
      const quality = await ledger.qualityOf(w.cod);
      expect([quality.scannedAt, quality.grade, quality.scans]).to.deep.equal([
        BigInt(latest.reading.scannedAt),
        9n,
        1n,
      ]);
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

    it("an anchored summary outside the lot's band emits SensorExcursion and flags EXCURSION; one inside does not", async () => {
      const ledger = w.qualityLedger;
      const gatewayId = await idOf(w, w.cast.gateway);
      const warm = await sensorReadings(10, (i) => 200 + 50 * i); // up to 6.5 °C: above the fresh band
      const { tree, summary, tx } = await anchor(w, [w.cod], warm);
      expect(summary.maximum).to.equal(650);
      await expect(tx)
        .to.emit(ledger, "SensorExcursion")
        .withArgs(tree.root, w.cod, summary.minimum, summary.maximum, 0, 400);
      await expect(tx)
        .to.emit(ledger, "SensorBatchAnchored")
        .withArgs(tree.root, gatewayId, HARVESTER, [w.cod], summaryTuple(summary));
      await expect(tx).to.emit(w.harvester, "LotFlagged").withArgs(w.cod, Flag.EXCURSION);
      expect((await w.harvester.getLot(w.cod)).flags & Flag.EXCURSION).to.equal(Flag.EXCURSION);
      const stored = await ledger.anchorOf(w.cast.gateway.address, tree.root);
      expect(stored.gatewayId).to.equal(gatewayId);
      expect(stored.anchoredAt).to.equal(BigInt(await time.latest()));

      // In band for a fresh lot: no excursion. The same temperatures are an excursion for a frozen lot.
      const fresh = await registerLot(w, w.cast.harvester1);
      const frozen = await registerLot(w, w.cast.harvester1, { frozen: true });
      const cold = await sensorReadings(10, (i) => 100 + 20 * i);
      const inBand = await anchor(w, [fresh, frozen], cold);
      await expect(inBand.tx)
        .to.emit(ledger, "SensorExcursion")
        .withArgs(inBand.tree.root, frozen, inBand.summary.minimum, inBand.summary.maximum, -32768, -1800);
      await expect(inBand.tx).to.emit(w.harvester, "LotFlagged").withArgs(frozen, Flag.EXCURSION);
      expect((await w.harvester.getLot(fresh)).flags & Flag.EXCURSION).to.equal(0n);
    });

    it("a batch of 20 signed readings returns 20 and records all of them", async () => {
      const ledger = w.qualityLedger;
      const start = (await time.latest()) - 1_000;
      const batch: SignedReading[] = [];
      for (let i = 0; i < 20; i++) {
        const reading = await readingOf(w.harvesterQat, w.cod, { scannedAt: start + 10 * i, grade: 10 - (i >> 3) });
        batch.push({ reading, signature: await signReading(w.harvesterQat, w.domain, reading) });
      }
      expect(await ledger.submitScans.staticCall(HARVESTER, batch)).to.equal(20n);
      const receipt = await (await ledger.connect(w.cast.relayer).submitScans(HARVESTER, batch)).wait();
      const scanned = (receipt?.logs ?? []).filter((log) => ledger.interface.parseLog(log)?.name === "QatScanned");
      expect(scanned).to.have.length(20);
      for (const { reading } of batch) {
        expect(await ledger.isAccepted(w.harvesterQat.address, reading.readingId)).to.equal(true);
      }
      const quality = await ledger.qualityOf(w.cod);
      const last = batch[19]!.reading;
      expect([quality.scans, quality.scannedAt, quality.grade]).to.deep.equal([
        20n,
        BigInt(last.scannedAt),
        BigInt(last.grade),
      ]);
      // Retrying the whole batch is harmless.
      expect(await ledger.submitScans.staticCall(HARVESTER, batch)).to.equal(0n);
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
