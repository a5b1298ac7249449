/**
 * `qat receive`, run in-process through `hre.tasks` like test/tasks/iot-tasks.test.ts: the buyer's QAT device scans
 * the lots of a shipment on its way (`qat sign`), and anyone submits the signed readings against the order
 * (`submitReceivingScan`), before the buyer acknowledges or rejects. Every check reads the chain itself:
 * `isAccepted`, `qualityOf`, the lot flags at the seller's stage.
 *
 * The tests share one chain and build on each other: four catches at the vessel, two of them shipped to the supplier
 * under harvester order 1; order 2 is placed but not shipped.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { keccak256, toUtf8Bytes, Wallet } from "ethers";
import hre from "hardhat";

import { LOT_FLAGS } from "../../src/core/vocabulary.js";
import type { ReceiveSummary } from "../../tasks/actions/qat-receive.js";
import { Harvester__factory, QualityLedger__factory, Registry__factory } from "../../typechain-types/index.js";
import { CATCH, enrolDemoCast, fails, ok } from "../helpers/task-run.js";

/** The supplier's receiving-bay scanner and the vessel's own: keys outside the node's accounts, as real devices. */
const BUYER_KEY = keccak256(toUtf8Bytes("FishTrace example receiving QAT device"));
const SELLER_KEY = keccak256(toUtf8Bytes("FishTrace example vessel QAT device"));
const buyerDevice = new Wallet(BUYER_KEY);
const sellerDevice = new Wallet(SELLER_KEY);

const SCAN_HEADER = "readingId,lot,species,speciesConfidence,grade,gradeConfidence,scannedAt";

describe("qat receive: the buyer's receiving scans of a shipment on its way", function () {
  let dir: string;
  let addresses: Record<string, string>;

  const file = (name: string) => path.join(dir, name);
  const write = async (name: string, lines: string[]) => {
    await writeFile(file(name), `${lines.join("\n")}\n`);
    return file(name);
  };
  /** Signs the scans `lines` (CSV rows) with `key` into `name`. */
  const sign = async (name: string, key: string, lines: string[]) => {
    const readings = await write(`${name}.csv`, [SCAN_HEADER, ...lines]);
    await ok(["qat", "sign"], { in: readings, out: file(name), key });
    return file(name);
  };

  async function chain() {
    const { ethers } = await hre.network.getOrCreate();
    const block = await ethers.provider.getBlock("latest");
    return {
      now: block!.timestamp,
      ledger: QualityLedger__factory.connect(addresses.qualityLedger!, ethers.provider),
      harvester: Harvester__factory.connect(addresses.harvester!, ethers.provider),
      registry: Registry__factory.connect(addresses.registry!, ethers.provider),
    };
  }

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "fishtrace-receive-"));
    addresses = (await ok<Record<string, string>>(["deploy"])).value;

    await enrolDemoCast();
    await ok(["device", "add"], { address: buyerDevice.address, role: "qat-device", operator: "2" });
    await ok(["device", "add"], { address: sellerDevice.address, role: "qat-device", operator: "1" });
    await ok(["species", "add"], { code: "COD", name: "Atlantic cod" });
    await ok(["species", "add"], { code: "HAD", name: "Haddock" });
    // Caught yesterday: the scans below (up to an hour old) are never older than the lot's creation day, whatever the
    // hour this runs (QatScanBeforeLot).
    const caughtAt = String((await chain()).now - 86_400);
    for (const weight of ["250kg", "180kg", "90kg", "50kg"]) {
      await ok(["harvester", "register"], { ...CATCH, weight, caughtAt });
    }
    await ok(["order", "place"], { species: "COD", weight: "400kg", price: "0.1" });
    await ok(["order", "ship"], { order: "1", lots: "1,2" });
    await ok(["order", "place"], { species: "COD", weight: "50kg", price: "0.1" });
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("records the buyer's device's scans of the shipped lots, reports a species mismatch, then finds them on chain", async function () {
    const { now, ledger, harvester, registry } = await chain();
    const signed = await sign("arrival.json", BUYER_KEY, [`1,1,COD,97,10,90,${now - 1_800}`, `2,2,HAD,85,9,90,${now}`]);

    const received = await ok<ReceiveSummary>(["qat", "receive"], { in: signed, order: "1", stage: "harvester" });
    expect(received.value).to.deep.include({
      stage: "harvester",
      orderId: 1n,
      lotIds: [1n, 2n],
      submitted: 2,
      alreadyOnChain: 0,
      rejected: [],
      speciesMismatches: [2n],
      freshnessWarnings: [],
      flagged: [{ lotId: 2n, flags: ["SPECIES_MISMATCH"] }],
    });
    expect(received.value.transactions.map((t) => [t.where, t.lotId])).to.deep.equal([
      ["record 1", 1n],
      ["record 2", 2n],
    ]);
    const lines = received.text.split("\n");
    expect(lines[0]).to.match(
      /^received .+arrival\.json \(2 signed readings\) for harvester order 1, shipment 1 of lots 1, 2 to Bodø Fish Receiving \(#\d+, 0x[0-9a-fA-F]{40}\), at the quality ledger 0x[0-9a-fA-F]{40} from /,
    );
    expect(received.text).to.include(
      "  submitted         2 in 2 transactions\n  already on chain  0\n  rejected          0\n",
    );
    expect(received.text).to.include(
      "  species mismatch  lot 2 at the harvester stage: scanned HAD (85 % confident), registered COD; " +
        "flagged SPECIES_MISMATCH\n",
    );
    expect(received.text).to.match(
      / {2}record 1: reading 1 of lot 1 recorded, tx 0x[0-9a-f]{64}, block \d+, gas [\d,]+\n/,
    );
    expect(lines.at(-1)).to.equal(
      "next: order 1: lot 2 flagged SPECIES_MISMATCH — reject with " +
        '`npx hardhat order reject --stage harvester --order 1 --reason "species mismatch"`',
    );

    // On chain: the scans by the buyer's device, the flag on the lot at the seller's stage, still in transit.
    const { id: deviceId } = await registry.authorization(buyerDevice.address);
    const quality = await ledger.qualityOf(1n);
    expect(quality.deviceId).to.equal(deviceId);
    expect(quality.scannedAt).to.equal(BigInt(now - 1_800));
    expect(quality.grade).to.equal(10n);
    expect(quality.scans).to.equal(1n);
    expect(await ledger.isAccepted(buyerDevice.address, 1n)).to.equal(true);
    expect(await ledger.isAccepted(buyerDevice.address, 2n)).to.equal(true);
    const lot2 = await harvester.getLot(2n);
    expect(Number(lot2.flags) & LOT_FLAGS.SPECIES_MISMATCH).to.not.equal(0);
    expect(Number((await harvester.getLot(1n)).flags) & LOT_FLAGS.SPECIES_MISMATCH).to.equal(0);
    expect((await ledger.qualityOf(2n)).species).to.equal("0x484144"); // HAD

    const again = await ok<ReceiveSummary>(["qat", "receive"], { in: signed, order: "1" });
    expect(again.value).to.deep.include({ submitted: 0, alreadyOnChain: 2, rejected: [], transactions: [] });
    expect(again.text).to.include("  submitted         0\n  already on chain  2\n  rejected          0\n");
    expect((await ledger.qualityOf(1n)).scans).to.equal(1n);
  });

  it("rejects a lot outside the shipment and the seller's device with their reasons, and submits the rest", async function () {
    await ok(["order", "confirm"], { order: "1" }); // Delivered: still before the buyer decides
    const { now, ledger, harvester } = await chain();
    const buyers = await sign("more.json", BUYER_KEY, [`3,3,COD,96,10,90,${now}`, `4,1,COD,98,3,95,${now}`]);
    const sellers = await sign("vessel.json", SELLER_KEY, [`1,1,COD,97,10,90,${now}`]);
    const records = [
      ...(JSON.parse(await readFile(buyers, "utf8")) as unknown[]),
      ...(JSON.parse(await readFile(sellers, "utf8")) as unknown[]),
    ];
    await writeFile(file("mixed.json"), JSON.stringify(records));

    const received = await ok<ReceiveSummary>(["qat", "receive"], { in: file("mixed.json"), order: "1" });
    expect(received.value).to.deep.include({ submitted: 1, alreadyOnChain: 0, freshnessWarnings: [1n] });
    expect(received.value.transactions.map((t) => t.where)).to.deep.equal(["record 2"]);
    expect(received.value.rejected.map((r) => [r.where, r.device, r.readingId])).to.deep.equal([
      ["record 1", buyerDevice.address, 3n],
      ["record 3", sellerDevice.address, 1n],
    ]);
    expect(received.value.rejected[0]!.reason).to.equal("lot 3 is not in the shipment of harvester order 1");
    expect(received.value.rejected[1]!.reason).to.match(
      /^QualityNotBuyer: the device's operator \(participant \d+\) is not the buyer \(participant \d+\) of the order lot 1 is shipped under$/,
    );
    expect(received.text).to.include(
      `    record 1 (device ${buyerDevice.address}, reading 3): lot 3 is not in the shipment of harvester order 1\n`,
    );
    expect(received.text).to.include(`    record 3 (device ${sellerDevice.address}, reading 1): QualityNotBuyer: `);
    expect(received.text).to.match(
      / {2}freshness warning lot 1 at the harvester stage: grade 10 → 3 in \d+m, a drop of 7\.00 where \d+\.\d\d is allowed; flagged FRESHNESS_WARNING\n/,
    );
    expect(received.value.flagged).to.deep.equal([
      { lotId: 1n, flags: ["FRESHNESS_WARNING"] },
      { lotId: 2n, flags: ["SPECIES_MISMATCH"] },
    ]);
    expect(received.text).to.include(
      "next: order 1: lot 1 flagged FRESHNESS_WARNING — reject with " +
        '`npx hardhat order reject --stage harvester --order 1 --reason "freshness warning"`',
    );

    expect(await ledger.isAccepted(buyerDevice.address, 3n)).to.equal(false);
    expect(await ledger.isAccepted(buyerDevice.address, 4n)).to.equal(true);
    expect(await ledger.isAccepted(sellerDevice.address, 1n)).to.equal(false);
    expect((await ledger.qualityOf(3n)).scans).to.equal(0n);
    expect(Number((await harvester.getLot(1n)).flags) & LOT_FLAGS.FRESHNESS_WARNING).to.not.equal(0);
    // The buyer may act on it: rejecting as suggested sends the lots back.
    await ok(["order", "reject"], { order: "1", reason: "freshness warning" });
    expect((await harvester.getLot(1n)).status).to.equal(1n); // Created: back in the vessel's inventory
  });

  it("prints one error line for an unshipped or unknown order, a stage that sells nothing, or a bad file", async function () {
    const { now } = await chain();
    const signed = await sign("later.json", BUYER_KEY, [`5,4,COD,97,10,90,${now}`]);

    expect(await fails(["qat", "receive"], { in: signed, order: "2" })).to.equal(
      "error: harvester order 2 is Ordered: it has not been shipped",
    );
    expect(await fails(["qat", "receive"], { in: signed, order: "1" })).to.equal(
      "error: harvester order 1 is Rejected: only a Shipped or Delivered order's lots are on their way to the buyer",
    );
    expect(await fails(["qat", "receive"], { in: signed, order: "99" })).to.equal(
      "error: harvester order 99 does not exist",
    );
    expect(await fails(["qat", "receive"], { in: signed, order: "1", stage: "supplier" })).to.equal(
      "error: supplier order 1 does not exist",
    );
    expect(await fails(["qat", "receive"], { in: signed, order: "1", stage: "customer" })).to.match(
      /^error: --stage customer sells nothing on; give the seller's stage: harvester, supplier, /,
    );
    expect(await fails(["qat", "receive"], { in: signed, order: "1", stage: "quay" })).to.match(
      /^error: --stage "quay" is not one of harvester, supplier, /,
    );
    expect(await fails(["qat", "receive"], { in: file("missing.json"), order: "1" })).to.equal(
      `error: ${file("missing.json")}: no such file`,
    );
    expect(await fails(["qat", "receive"], { in: signed })).to.equal("error: --order is required");
    expect(await fails(["qat", "receive"], { order: "1" })).to.equal("error: --in is required");
  });
});
