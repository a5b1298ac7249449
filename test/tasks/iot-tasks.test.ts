/**
 * The IoT tasks, run in-process through `hre.tasks` like test/tasks/tasks.test.ts: a QAT device signs its scans (`qat
 * sign`), anyone relays them (`qat relay`), a sensor gateway anchors a log of cold-chain readings (`sensor anchor`)
 * and anyone proves one reading against the root on chain (`sensor prove`). Every check reads the chain itself:
 * `isAccepted`, `queryQAT`, `anchorOf`, the lot flags.
 *
 * The tests share one chain and build on each other: three catches at the vessel, scanned by two devices, then sensor
 * batches around them and a shipment.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toUtf8Bytes, Wallet } from "ethers";
import hre from "hardhat";

import { isoTime } from "../../src/core/format.js";
import { readScans } from "../../src/node/qat-files.js";
import { qatDomain, readingDigest, signerOf, type QatReading } from "../../src/core/qat.js";
import { readSensorLog } from "../../src/node/sensor-files.js";
import { SENSOR_LEAF_TYPES } from "../../src/core/sensors.js";
import { speciesCode } from "../../src/core/units.js";
import { LOT_FLAGS } from "../../src/core/vocabulary.js";
import type { RelaySummary } from "../../tasks/actions/qat-relay.js";
import { Harvester__factory, QualityLedger__factory, Registry__factory } from "../../typechain-types/index.js";
import { ACCOUNTS, CATCH, enrolDemoCast, fails, ok } from "../helpers/task-run.js";

/** Account 9 is the regulator's QAT device. */
const INSPECTOR_DEVICE = 9;

/** The vessel's hand-held QAT device: a key outside the node's accounts, as a real device has. */
const DEVICE_KEY = keccak256(toUtf8Bytes("FishTrace example QAT device"));
const device = new Wallet(DEVICE_KEY);

const SCAN_HEADER = "readingId,lot,species,speciesConfidence,grade,gradeConfidence,scannedAt";
const LOG_HEADER = "sensor,readAt,temperature,humidity";
const PROBE_1 = new Wallet(keccak256(toUtf8Bytes("FishTrace example probe 1"))).address;
const PROBE_2 = new Wallet(keccak256(toUtf8Bytes("FishTrace example probe 2"))).address;

interface SignedFileRecord {
  reading: Record<keyof QatReading, string | number>;
  signature: string;
}

interface ProofsFileJson {
  chainId: string;
  ledger: string;
  root: string;
  stage: string;
  lotIds: string[];
  summary: { from: number; to: number; count: number; minimum: number; maximum: number; mean: number };
  tree: unknown;
  proofs: { reading: { sensor: string; readAt: number; temperature: number; humidity: number }; proof: string[] }[];
}

describe("IoT tasks", function () {
  let dir: string;
  let addresses: Record<string, string>;
  let inspector: string;

  const file = (name: string) => path.join(dir, name);
  const write = async (name: string, lines: string[]) => {
    await writeFile(file(name), `${lines.join("\n")}\n`);
    return file(name);
  };
  const readJson = async <T>(name: string): Promise<T> => JSON.parse(await readFile(file(name), "utf8")) as T;
  const exists = (name: string) =>
    readFile(file(name)).then(
      () => true,
      () => false,
    );

  async function chain() {
    const { ethers } = await hre.network.getOrCreate();
    const block = await ethers.provider.getBlock("latest");
    return {
      ethers,
      now: block!.timestamp,
      chainId: (await ethers.provider.getNetwork()).chainId,
      ledger: QualityLedger__factory.connect(addresses.qualityLedger!, ethers.provider),
      harvester: Harvester__factory.connect(addresses.harvester!, ethers.provider),
      registry: Registry__factory.connect(addresses.registry!, ethers.provider),
    };
  }

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "fishtrace-iot-"));
    addresses = (await ok<Record<string, string>>(["deploy"])).value;
    expect(addresses).to.have.property("qualityLedger");

    await enrolDemoCast();
    const { ethers } = await hre.network.getOrCreate();
    const signers = await ethers.getSigners();
    await ok(["device", "add"], { address: "3", role: "sensor-gateway", operator: "1" });
    // The vessel's own scanner, and an inspector's scanner operated by the regulator (it may scan any lot).
    expect((await ok(["device", "add"], { address: device.address, role: "qat-device", operator: "1" })).text).to.match(
      /is a QAT_DEVICE of MV Nordkapp/,
    );
    expect(
      (await ok(["device", "add"], { address: String(INSPECTOR_DEVICE), role: "qat-device", operator: "8" })).text,
    ).to.match(/is a QAT_DEVICE of Food Safety Authority/);
    inspector = signers[INSPECTOR_DEVICE]!.address;
    await ok(["species", "add"], { code: "COD", name: "Atlantic cod" });
    await ok(["species", "add"], { code: "HAD", name: "Haddock" });
    // Caught yesterday and registered on landing: the scans below (up to two hours old) are never older than the
    // lot's creation day, whatever the hour this runs (a lot caught "now" refused them in the first two hours of a
    // UTC day, QatScanBeforeLot).
    const caughtAt = String((await chain()).now - 86_400);
    for (const weight of ["250kg", "180kg", "90kg", "10kg"]) {
      await ok(["harvester", "register"], { ...CATCH, weight, caughtAt });
    }
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("signs scans with the device's key, relays them, and a second relay finds them all on chain", async function () {
    const { now, chainId, ledger, harvester, registry } = await chain();
    const readings = await write("scans.csv", [
      SCAN_HEADER,
      `1,1,COD,97,10,90,${isoTime(now - 7_200)}`,
      `2,${"2"},cod,95,9,85,${now - 3_600}`,
      `3,1,COD,96,10,95,${now - 1_800}`,
    ]);
    const signed = await ok(["qat", "sign"], { in: readings, out: file("signed.json"), key: DEVICE_KEY });
    expect(signed.text).to.match(
      new RegExp(
        `^signed 3 readings of .+scans\\.csv as device #\\d+ ${device.address} \\(QAT_DEVICE of MV Nordkapp\\) ` +
          `for the quality ledger ${addresses.qualityLedger} on chain ${chainId}\\n`,
      ),
    );
    expect(signed.text).to.include(`  reading 2: lot 2, COD (95 %), grade 9 (85 %), scanned ${isoTime(now - 3_600)}`);
    expect(signed.text).to.not.include("note:");

    // The file holds exactly what was signed, bigints as decimal strings; each signature recovers to the device, and
    // the digest is the one the ledger computes.
    const records = await readJson<SignedFileRecord[]>("signed.json");
    expect(records).to.have.length(3);
    expect(records[0]!.reading).to.deep.equal({
      readingId: "1",
      lotId: "1",
      species: speciesCode("COD"),
      speciesConfidence: 97,
      grade: 10,
      gradeConfidence: 90,
      scannedAt: now - 7_200,
      device: device.address,
    });
    const domain = qatDomain(chainId, addresses.qualityLedger!);
    for (const { reading: r, signature } of records) {
      const reading: QatReading = {
        readingId: BigInt(r.readingId),
        lotId: BigInt(r.lotId),
        species: String(r.species),
        speciesConfidence: Number(r.speciesConfidence),
        grade: Number(r.grade),
        gradeConfidence: Number(r.gradeConfidence),
        scannedAt: Number(r.scannedAt),
        device: String(r.device),
      };
      expect(signerOf(domain, reading, signature)).to.equal(device.address);
      expect(await ledger.readingDigest(reading)).to.equal(readingDigest(domain, reading));
    }

    const relayed = await ok<RelaySummary>(["qat", "relay"], { in: file("signed.json") });
    expect(relayed.value).to.include({ submitted: 3, alreadyOnChain: 0 });
    expect(relayed.value.rejected).to.deep.equal([]);
    expect(relayed.value.speciesMismatches).to.deep.equal([]);
    expect(relayed.value.freshnessWarnings).to.deep.equal([]);
    expect(relayed.value.transactions).to.have.length(1);
    expect(relayed.value.transactions[0]!.gasPerReading > 0n).to.equal(true);
    expect(relayed.text).to.match(/^relayed .+signed\.json \(3 signed readings\) to the quality ledger 0x/);
    expect(relayed.text).to.include("  submitted         3 (harvester 3) in 1 transaction\n");
    expect(relayed.text).to.include("  already on chain  0\n  rejected          0\n");
    expect(relayed.text).to.match(
      / {2}harvester: 3 of 3 recorded, tx 0x[0-9a-f]{64}, block \d+, gas [\d,]+ \([\d,]+ per reading\)/,
    );

    for (const id of [1n, 2n, 3n]) expect(await ledger.isAccepted(device.address, id)).to.equal(true);
    expect(await ledger.isAccepted(device.address, 4n)).to.equal(false);
    const { id: deviceId } = await registry.authorization(device.address);
    const [inspection, flags] = await harvester.queryQAT(1n);
    expect(inspection.scannedAt).to.equal(BigInt(now - 1_800));
    expect(inspection.species).to.equal(speciesCode("COD"));
    expect(inspection.grade).to.equal(10n);
    expect(inspection.gradeConfidence).to.equal(95n);
    expect(inspection.deviceId).to.equal(deviceId);
    expect(flags).to.equal(0n);
    expect((await ledger.qualityOf(1n)).scans).to.equal(2n);

    const again = await ok<RelaySummary>(["qat", "relay"], { in: file("signed.json") });
    expect(again.value).to.include({ submitted: 0, alreadyOnChain: 3 });
    expect(again.value.transactions).to.deep.equal([]);
    expect(again.text).to.include("  submitted         0\n  already on chain  3\n  rejected          0");
    expect((await ledger.qualityOf(1n)).scans).to.equal(2n);
  });

  it("raises a species mismatch and a freshness warning, and rejects what the ledger would refuse", async function () {
    const { now, ledger, harvester } = await chain();
    // The regulator's inspector, a node account: haddock where cod was registered, cod that went off in half an
    // hour, a scan from the future and one altered after signing.
    const readings = await write("inspection.json", [
      JSON.stringify([
        {
          readingId: 1,
          lot: "2",
          species: "HAD",
          speciesConfidence: 80,
          grade: 9,
          gradeConfidence: 90,
          scannedAt: now,
        },
        { readingId: 2, lot: 1, species: "COD", speciesConfidence: 98, grade: 3, gradeConfidence: 95, scannedAt: now },
        {
          readingId: 3,
          lot: "1",
          species: "COD",
          speciesConfidence: 98,
          grade: 9,
          gradeConfidence: 95,
          scannedAt: isoTime(now + 86_400),
        },
        {
          readingId: 4,
          lot: "3",
          species: "COD",
          speciesConfidence: 99,
          grade: 10,
          gradeConfidence: 99,
          scannedAt: now,
        },
      ]),
    ]);
    await ok(["qat", "sign"], { in: readings, out: file("inspection-signed.json"), device: String(INSPECTOR_DEVICE) });
    const records = await readJson<SignedFileRecord[]>("inspection-signed.json");
    expect(records.map((r) => r.reading.device)).to.deep.equal(Array(4).fill(inspector));
    records[3]!.reading.grade = 2; // altered: the signature no longer matches
    await writeFile(file("inspection-signed.json"), JSON.stringify(records));

    const relayed = await ok<RelaySummary>(["qat", "relay"], { in: file("inspection-signed.json"), batch: "1" });
    expect(relayed.value).to.include({ submitted: 2, alreadyOnChain: 0 });
    expect(relayed.value.speciesMismatches).to.deep.equal([2n]);
    expect(relayed.value.freshnessWarnings).to.deep.equal([1n]);
    expect(relayed.value.transactions).to.have.length(2); // --batch 1
    expect(relayed.value.rejected.map((r) => r.where)).to.deep.equal(["record 3", "record 4"]);
    expect(relayed.value.rejected[0]!.reason).to.match(
      /^QatScanInFuture: scan time .+ is after the current block time/,
    );
    expect(relayed.value.rejected[1]!.reason).to.match(
      /^signed by 0x[0-9a-fA-F]{40}, not by the device it names \(altered, or signed for another ledger or chain\)$/,
    );
    expect(relayed.text).to.include(
      "  species mismatch  lot 2 at the harvester stage: scanned HAD (80 % confident), registered COD, last " +
        "scanned as COD; flagged SPECIES_MISMATCH",
    );
    expect(relayed.text).to.match(
      / {2}freshness warning lot 1 at the harvester stage: grade 10 → 3 in 30m, a drop of 7\.00 where \d+\.\d\d is allowed; flagged FRESHNESS_WARNING/,
    );
    expect(relayed.text).to.include(`    record 3 (device ${inspector}, reading 3): QatScanInFuture: `);

    expect(await ledger.isAccepted(inspector, 1n)).to.equal(true);
    expect(await ledger.isAccepted(inspector, 2n)).to.equal(true);
    expect(await ledger.isAccepted(inspector, 3n)).to.equal(false);
    expect(await ledger.isAccepted(inspector, 4n)).to.equal(false);
    expect(Number((await harvester.getLot(2n)).flags) & LOT_FLAGS.SPECIES_MISMATCH).to.not.equal(0);
    expect(Number((await harvester.getLot(1n)).flags) & LOT_FLAGS.FRESHNESS_WARNING).to.not.equal(0);
    expect(Number((await harvester.getLot(1n)).flags) & LOT_FLAGS.SPECIES_MISMATCH).to.equal(0);
    const [inspection] = await harvester.queryQAT(1n);
    expect(inspection.grade).to.equal(3n);
  });

  it("prints one error line for a bad file, record, field, key or lot, and writes nothing", async function () {
    const { now } = await chain();
    const sign = (input: string, extra: Record<string, string> = {}) =>
      fails(["qat", "sign"], { in: input, out: file("never.json"), key: DEVICE_KEY, ...extra });

    expect(await fails(["qat", "sign"], { out: file("never.json"), key: DEVICE_KEY })).to.equal(
      "error: --in is required",
    );
    expect(await sign(file("missing.csv"))).to.equal(`error: ${file("missing.csv")}: no such file`);
    const good = `1,1,COD,97,10,90,${now}`;
    expect(await sign(await write("k.csv", [SCAN_HEADER, good]), { key: "0x1234" })).to.equal(
      "error: --key is not a private key (64 hex digits, 0x optional)",
    );
    expect(await sign(file("k.csv"), { key: "0x" + "0".repeat(64) })).to.equal(
      "error: --key is not a valid secp256k1 private key",
    );
    expect(await fails(["qat", "sign"], { in: file("k.csv"), out: file("never.json") })).to.equal(
      "error: --key or --device is required: the device that signs",
    );

    const bad = async (name: string, lines: string[]) => sign(await write(name, lines));
    expect(await bad("conf.csv", [SCAN_HEADER, good, `2,1,COD,120,10,90,${now}`])).to.equal(
      `error: ${file("conf.csv")} line 3: speciesConfidence "120" is not a whole percent 0..100`,
    );
    expect(await bad("species.csv", ["# a comment", SCAN_HEADER, `1,1,CODX,97,10,90,${now}`])).to.equal(
      `error: ${file("species.csv")} line 3: species "CODX" is not an FAO 3-alpha code (three letters, e.g. COD)`,
    );
    expect(await bad("when.csv", [SCAN_HEADER, `1,1,COD,97,10,90,yesterday`])).to.match(
      new RegExp(`^error: .+when\\.csv line 2: scannedAt "yesterday" is not a date \\(use ISO 8601`),
    );
    expect(await bad("grade.csv", [SCAN_HEADER, `1,1,COD,97,ten,90,${now}`])).to.equal(
      `error: ${file("grade.csv")} line 2: grade "ten" is not a whole number 0..255`,
    );
    expect(await bad("twice.csv", [SCAN_HEADER, good, good])).to.equal(
      `error: ${file("twice.csv")} line 3: readingId 1 repeats line 2 (a device numbers each scan once)`,
    );
    expect(
      await bad("header.csv", ["readingId,lot,species,speciesConfidence,gradeConfidence,scannedAt", good]),
    ).to.equal(`error: ${file("header.csv")} line 1: no "grade" column (the header must be ${SCAN_HEADER})`);
    expect(await bad("short.csv", [SCAN_HEADER, "1,1,COD"])).to.match(
      new RegExp(`^error: .+short\\.csv is not valid CSV \\(Invalid Record Length: .+line 2`),
    );
    expect(await bad("broken.json", ['[{"readingId": 1,'])).to.match(/^error: .+broken\.json is not valid JSON \(/);
    const record = { readingId: 1, lot: "1", species: "COD", speciesConfidence: 97, grade: 10, gradeConfidence: 90 };
    expect(await bad("missing.json", [JSON.stringify([{ ...record, scannedAt: now }, record])])).to.equal(
      `error: ${file("missing.json")} record 2: scannedAt is missing`,
    );
    expect(await bad("typo.json", [JSON.stringify([{ ...record, scannedAt: now, grde: 9 }])])).to.equal(
      `error: ${file("typo.json")} record 1: unknown field "grde"`,
    );
    expect(await bad("object.json", [JSON.stringify({ readings: [] })])).to.equal(
      `error: ${file("object.json")} must hold a JSON array of records`,
    );
    expect(await bad("unknown-lot.csv", [SCAN_HEADER, `1,99,COD,97,10,90,${now}`])).to.equal(
      `error: ${file("unknown-lot.csv")} line 2: lot 99 does not exist at any stage`,
    );
    expect(await bad("link.csv", [SCAN_HEADER, `1,https://id.gs1.org/01/123/10/L1,COD,97,10,90,${now}`])).to.equal(
      `error: ${file("link.csv")} line 2: lot "https://id.gs1.org/01/123/10/L1": the GTIN after /01/ must be 14 digits`,
    );
    expect(await exists("never.json")).to.equal(false);

    // The relay reads only what qat sign writes.
    expect(await fails(["qat", "relay"], { in: file("k.csv") })).to.match(/^error: .+k\.csv is not valid JSON/);
    const signedRecords = await readJson<SignedFileRecord[]>("signed.json");
    await writeFile(file("bad-signed.json"), JSON.stringify([{ ...signedRecords[0], signature: "0x1234" }]));
    expect(await fails(["qat", "relay"], { in: file("bad-signed.json") })).to.equal(
      `error: ${file("bad-signed.json")} record 1: signature is not 65 bytes of hex (0x and 130 hex digits)`,
    );
    expect(await fails(["qat", "relay"], { in: file("signed.json"), batch: "0" })).to.equal(
      "error: --batch must be at least 1",
    );
    expect(await fails(["qat", "relay"], { in: file("signed.json"), stage: "quay" })).to.match(
      /^error: --stage "quay" is not one of harvester, /,
    );
  });

  it("anchors a sensor log with its proofs, and flags the lots of an out-of-band batch", async function () {
    const { now, ledger, harvester, registry, ethers } = await chain();
    const log = await write("cold-store.csv", [
      LOG_HEADER,
      `${PROBE_1},${isoTime(now - 3_600)},1.2,91`,
      `${PROBE_2},${isoTime(now - 3_600)},2.5,90`,
      `${PROBE_1},${now - 600},0.8,93`,
      `${PROBE_2.toLowerCase()},${now - 600},3.9,92`,
    ]);
    const anchored = await ok<{ root: string; stage: string; lotIds: bigint[]; excursions: bigint[] }>(
      ["sensor", "anchor"],
      { in: log, out: file("cold-store.proofs.json"), lots: "1,2" },
    );
    const gateway = (await ethers.getSigners())[ACCOUNTS.gateway]!.address;
    const { id: gatewayId } = await registry.authorization(gateway);
    const expected = StandardMerkleTree.of(
      [
        [PROBE_1, now - 3_600, 120, 91],
        [PROBE_2, now - 3_600, 250, 90],
        [PROBE_1, now - 600, 80, 93],
        [PROBE_2, now - 600, 390, 92],
      ],
      SENSOR_LEAF_TYPES,
    );
    expect(anchored.value).to.deep.include({
      root: expected.root,
      stage: "harvester",
      lotIds: [1n, 2n],
      excursions: [],
    });
    expect(anchored.text).to.match(
      new RegExp(
        `^anchored .+cold-store\\.csv for lots 1, 2 at the harvester stage, by device #${gatewayId} ${gateway} \\(SENSOR_GATEWAY of MV Nordkapp\\)\\n`,
      ),
    );
    expect(anchored.text).to.include(`  root     ${expected.root}\n`);
    expect(anchored.text).to.include(
      `  summary  4 readings from ${isoTime(now - 3_600)} to ${isoTime(now - 600)}: minimum 0.8 °C, maximum 3.9 °C, mean 2.1 °C\n`,
    );
    expect(anchored.text).to.match(/ {2}tx 0x[0-9a-f]{64}, block \d+, gas [\d,]+ \([\d,]+ per reading\)\n/);
    expect(anchored.text).to.not.include("EXCURSION");

    const anchor = await ledger.anchorOf(gateway, expected.root);
    expect(anchor.gatewayId).to.equal(gatewayId);
    expect([anchor.from, anchor.to, anchor.count]).to.deep.equal([BigInt(now - 3_600), BigInt(now - 600), 4n]);
    expect([anchor.minimum, anchor.maximum, anchor.mean]).to.deep.equal([80n, 390n, 210n]);
    expect((await ledger.qualityOf(2n)).coveredSeconds).to.equal(3_000n);

    const proofs = await readJson<ProofsFileJson>("cold-store.proofs.json");
    expect(proofs).to.deep.include({
      chainId: "31337",
      ledger: addresses.qualityLedger,
      root: expected.root,
      stage: "harvester",
      lotIds: ["1", "2"],
    });
    expect(proofs.summary).to.deep.equal({
      from: now - 3_600,
      to: now - 600,
      count: 4,
      minimum: 80,
      maximum: 390,
      mean: 210,
    });
    expect(StandardMerkleTree.load(proofs.tree as Parameters<typeof StandardMerkleTree.load>[0]).root).to.equal(
      expected.root,
    );
    expect(proofs.proofs).to.have.length(4);
    expect(proofs.proofs[3]).to.deep.equal({
      reading: { sensor: PROBE_2, readAt: now - 600, temperature: 390, humidity: 92 },
      proof: expected.getProof(3),
    });

    // The same log again: the root is on chain already.
    expect(await fails(["sensor", "anchor"], { in: log, out: file("again.json"), lots: "1,2" })).to.equal(
      `error: ${log} was anchored already: root ${expected.root} at ${isoTime(anchor.anchoredAt)} by gateway #${gatewayId}`,
    );
    expect(await exists("again.json")).to.equal(false);

    // A warm hold: 5.5..7 °C is outside the fresh band, so lot 3 is flagged.
    const warm = await write("warm.csv", [
      LOG_HEADER,
      `${PROBE_1},${now - 900},5.5,80`,
      `${PROBE_1},${now - 300},7,78`,
    ]);
    const excursion = await ok<{ excursions: bigint[] }>(["sensor", "anchor"], {
      in: warm,
      out: file("warm.proofs.json"),
      lots: "3",
      stage: "harvester",
    });
    expect(excursion.value.excursions).to.deep.equal([3n]);
    expect(excursion.text).to.include(
      "  lot 3 flagged EXCURSION: minimum 5.5 °C, maximum 7 °C outside the cold-chain band 0..4 °C\n",
    );
    expect(Number((await harvester.getLot(3n)).flags) & LOT_FLAGS.EXCURSION).to.not.equal(0);
    expect(Number((await harvester.getLot(1n)).flags) & LOT_FLAGS.EXCURSION).to.equal(0);
  });

  it("anchors the lots of a shipment by its order, and refuses a gateway the lots' custodian does not operate", async function () {
    const { now, ledger, ethers } = await chain();
    const gateway = (await ethers.getSigners())[ACCOUNTS.gateway]!.address;
    await ok(["order", "place"], { species: "COD", weight: "10kg", price: "0.1" });
    await ok(["order", "ship"], { order: "1", lots: "4" });
    const truck = await write("truck.csv", [LOG_HEADER, `${PROBE_2},${now - 60},−1.5,95`, `${PROBE_2},${now},0.5,95`]);
    const shipped = await ok<{ root: string; lotIds: bigint[]; excursions: bigint[] }>(["sensor", "anchor"], {
      in: truck,
      out: file("truck.proofs.json"),
      order: "1",
    });
    expect(shipped.value.lotIds).to.deep.equal([4n]);
    expect(shipped.value.excursions).to.deep.equal([4n]); // −1.5 °C is below the fresh band
    expect(shipped.text).to.match(
      /^anchored .+truck\.csv for lot 4 \(shipped against harvester order 1\) at the harvester stage/,
    );
    expect((await ledger.anchorOf(gateway, shipped.value.root)).count).to.equal(2n);

    // Once the Supplier holds lot 4, the vessel's gateway may no longer anchor for it, and none of the Supplier's is
    // among the accounts.
    await ok(["order", "confirm"], { order: "1" });
    await ok(["order", "acknowledge"], { order: "1" });
    const later = await write("later.csv", [LOG_HEADER, `${PROBE_2},${now},0.5,95`]);
    const args = { in: later, out: file("later.json"), lots: "4" };
    expect(await fails(["sensor", "anchor"], args)).to.match(
      /^error: no SENSOR_GATEWAY operated by Bodø Fish Receiving \(#\d+, 0x[0-9a-fA-F]{40}\) is among the accounts default can sign with; pass --from$/,
    );
    expect(await fails(["sensor", "anchor"], { ...args, from: "3" })).to.match(
      /^error: QualityOperatorNotAtStage: the device's operator 0x[0-9a-fA-F]{40} holds neither stage 2's actor role nor REGULATOR, so its devices cannot act on lots there$/,
    );
    const supplier = (await (await hre.network.getOrCreate()).ethers.getSigners())[ACCOUNTS.supplier]!.address;
    expect(await fails(["sensor", "anchor"], { ...args, from: "2" })).to.equal(
      `error: SensorGatewayUnauthorized: account ${supplier} is not a SENSOR_GATEWAY in the registry`,
    );
    expect(await fails(["sensor", "anchor"], { ...args, lots: "99" })).to.equal(
      "error: lot 99 does not exist at any stage",
    );
    expect(await fails(["sensor", "anchor"], { ...args, lots: "4", stage: "harvester", from: "3" })).to.match(
      /^error: QualityLotNotHere: lot 4 is not held at stage 1 \(it is Supplied there\)$/,
    );
    expect(await fails(["sensor", "anchor"], { in: later, out: file("later.json") })).to.equal(
      "error: --lots or --order is required: the lots the readings were taken around",
    );
    const hot = await write("bad-temp.csv", [LOG_HEADER, `${PROBE_1},${now},1.5,90`, `${PROBE_1},${now + 1},warm,90`]);
    expect(await fails(["sensor", "anchor"], { ...args, in: hot })).to.equal(
      `error: ${hot} line 3: temperature "warm" is not a number`,
    );
    const future = await write("future.csv", [LOG_HEADER, `${PROBE_1},${now + 86_400},1.5,90`]);
    expect(await fails(["sensor", "anchor"], { ...args, in: future, lots: "1" })).to.match(
      /^error: .+future\.csv: the readings run to .+, after the chain's latest block/,
    );
    expect(await exists("later.json")).to.equal(false);
  });

  it("proves a reading against its anchored root, and rejects a tampered one", async function () {
    const proofsFile = file("cold-store.proofs.json");
    const { root, proofs: listed } = await readJson<ProofsFileJson>("cold-store.proofs.json");
    const [first, , third] = listed.map((p) => p.reading.readAt);

    const byIndex = await ok<{ proved: boolean; root: string }>(["sensor", "prove"], {
      proofs: proofsFile,
      index: "2",
    });
    expect(byIndex.value).to.deep.include({ proved: true, root });
    expect(byIndex.text).to.equal(
      [
        `proved: the reading of sensor ${PROBE_1} at ${isoTime(third!)} (0.8 °C, 93 %) is in the batch anchored under root ${root}`,
        byIndex.text.split("\n")[1],
        "  for lots 1, 2 at the harvester stage",
        "  proof of 2 hashes, checked by the quality ledger",
      ].join("\n"),
    );
    expect(byIndex.text.split("\n")[1]).to.match(
      /^ {2}anchored .+ by gateway #\d+: 4 readings from .+, minimum 0\.8 °C, maximum 3\.9 °C, mean 2\.1 °C$/,
    );
    const bySensor = await ok(["sensor", "prove"], { proofs: proofsFile, sensor: PROBE_2, at: isoTime(first!) });
    expect(bySensor.text).to.match(new RegExp(`^proved: the reading of sensor ${PROBE_2} at .+ \\(2\\.5 °C, 90 %\\)`));

    // A reading altered after anchoring (0.8 °C → 0.3 °C) does not lead to the root.
    const proofs = await readJson<ProofsFileJson>("cold-store.proofs.json");
    proofs.proofs[2]!.reading.temperature = 30;
    await writeFile(file("tampered.json"), JSON.stringify(proofs));
    expect(await fails(["sensor", "prove"], { proofs: file("tampered.json"), index: "2" })).to.equal(
      `error: the reading of sensor ${PROBE_1} at ${isoTime(third!)} (0.3 °C, 93 %) is not in the anchored batch: ` +
        `its proof does not lead to root ${root}`,
    );
    // A root nobody anchored.
    const otherRoot = `0x${"ab".repeat(32)}`;
    await writeFile(file("other-root.json"), JSON.stringify({ ...proofs, root: otherRoot }));
    expect(await fails(["sensor", "prove"], { proofs: file("other-root.json"), index: "0" })).to.equal(
      `error: root ${otherRoot} of ${file("other-root.json")} is not anchored: no batch was anchored under it on default`,
    );

    expect(await fails(["sensor", "prove"], { proofs: proofsFile, index: "4" })).to.equal(
      `error: --index 4 is not in ${proofsFile}, which lists readings 0..3`,
    );
    expect(await fails(["sensor", "prove"], { proofs: proofsFile, sensor: PROBE_1, at: String(third! + 1) })).to.equal(
      `error: ${proofsFile} has no reading of sensor ${PROBE_1} at ${isoTime(third! + 1)}`,
    );
    expect(await fails(["sensor", "prove"], { proofs: proofsFile })).to.equal(
      "error: --index, or --sensor with --at, is required: the reading to prove",
    );
    expect(await fails(["sensor", "prove"], { proofs: file("signed.json"), index: "0" })).to.equal(
      `error: ${file("signed.json")}: must be an object with root and proofs (a file sensor anchor wrote)`,
    );
  });

  it("reads the example files", async function () {
    const root = hre.config.paths.root;
    // Their times are written "50m ago": before the clock they are read against (the chain's, in the tasks), so
    // they stay true on a fresh chain whenever the README's examples run.
    const now = 1_800_000_000;
    const scans = await readScans(path.join(root, "examples", "qat-readings.csv"), now);
    expect(scans.map((s) => s.where)).to.deep.equal(["line 4", "line 5", "line 6", "line 7"]);
    expect(scans[0]!.scan.scannedAt).to.equal(now - 50 * 60);
    expect(scans[3]!.scan).to.deep.include({
      readingId: 4n,
      lotId: 2n,
      species: speciesCode("HAD"),
      scannedAt: now - 16 * 60,
    });
    const log = await readSensorLog(path.join(root, "examples", "sensor-readings.csv"), now);
    expect(log).to.have.length(8);
    expect(log[0]).to.deep.equal({ sensor: PROBE_1, readAt: now - 3_600, temperature: 120, humidity: 91 });
    expect(log[7]!.readAt).to.equal(now - 15 * 60);
  });

  it("exits the CLI with code 1 and one error line that does not echo the key", async function () {
    this.timeout(60_000);
    const hardhat = path.join(hre.config.paths.root, "node_modules", "hardhat", "dist", "src", "cli.js");
    const secret = "0xnot-a-key-but-secret";
    const run = promisify(execFile)(
      process.execPath,
      [hardhat, "qat", "sign", "--in", "examples/qat-readings.csv", "--out", file("cli.json"), "--key", secret],
      { cwd: hre.config.paths.root, env: { ...process.env, CI: "true" } },
    );
    const failure: unknown = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).to.include({ code: 1 });
    const { stdout, stderr } = failure as { stdout: string; stderr: string };
    expect(stderr.trim().split("\n")).to.deep.equal(["error: --key is not a private key (64 hex digits, 0x optional)"]);
    expect(stdout).to.equal("");
    expect(stderr).to.not.include(secret);
  });
});
