/**
 * The FishTrace tasks, run in-process through `hre.tasks` against the network they connect to themselves
 * (`hre.network.getOrCreate()`, the in-process network here), plus one run of the real CLI for the process-level
 * promise: a bad argument prints one `error:` line, no stack trace, and exits with code 1.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import hre from "hardhat";

import { Harvester__factory } from "../typechain-types/index.js";

interface TaskRun {
  result: unknown;
  out: string[];
  err: string[];
  exitCode: string | number | null | undefined;
}

/** Runs task `id` with `args`, capturing what it prints and the exit code it sets (restored afterwards). */
async function runTask(id: string[], args: Record<string, string | boolean>): Promise<TaskRun> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  console.log = (...data: unknown[]) => void out.push(data.join(" "));
  console.error = (...data: unknown[]) => void err.push(data.join(" "));
  try {
    const result: unknown = await hre.tasks.getTask(id).run(args);
    return { result, out, err, exitCode: process.exitCode };
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = exitCodeBefore;
  }
}

/** Runs a task that must succeed; returns its `Result` value and output. */
async function ok(id: string[], args: Record<string, string | boolean> = {}) {
  const run = await runTask(id, args);
  expect(run.err, `${id.join(" ")} printed errors`).to.deep.equal([]);
  expect(run.result).to.have.property("success", true);
  return { value: (run.result as { value: unknown }).value, text: run.out.join("\n") };
}

/** Runs a task that must fail, and checks the one-line error contract; returns that line. */
async function fails(id: string[], args: Record<string, string | boolean>): Promise<string> {
  const run = await runTask(id, args);
  expect(run.exitCode).to.equal(1);
  expect(run.result).to.have.property("success", false);
  expect(run.err).to.have.length(1);
  expect(run.err[0]).to.match(/^error: /);
  expect(run.err[0]).to.not.match(/\n|\s+at\s.+:\d+:\d+/);
  return run.err[0]!;
}

const CATCH = { species: "COD", lat: "68.93512", lon: "15.0221E", area: "27.2.a", vessel: "IMO9241061", gear: "OTB" };

describe("tasks", function () {
  let harvesterAddress: string;

  before(async function () {
    const deployed = await ok(["deploy"]);
    expect(deployed.text).to.match(/Registry\s+0x[0-9a-fA-F]{40}/);
    expect(deployed.text).to.match(/deploy Harvester at 0x[0-9a-fA-F]{40}: tx 0x[0-9a-f]{64}, block \d+, gas [\d,]+/);
    harvesterAddress = (deployed.value as { harvester: string }).harvester;

    const vessel = { address: "1", role: "HARVESTER", name: "MV Nordkapp", location: "7080003000004" };
    expect((await ok(["participant", "add"], vessel)).text).to.match(/^MV Nordkapp \(#2, 0x.+\) now holds HARVESTER/);
    await ok(["participant", "add"], { address: "2", role: "supplier", name: "Bodø Fish Receiving", location: "x" });
    expect((await ok(["device", "add"], { address: "3", role: "sensor-gateway", operator: "1" })).text).to.match(
      /is a SENSOR_GATEWAY of MV Nordkapp/,
    );
    expect((await ok(["species", "add"], { code: "COD", name: "Atlantic cod" })).text).to.match(
      /^species COD \(Atlantic cod\) listed\n {2}tx 0x[0-9a-f]{64}, block \d+, gas [\d,]+$/,
    );
  });

  it("drives a catch from registration to payment", async function () {
    const lot1 = await ok(["harvester", "register"], { ...CATCH, weight: "250kg" });
    expect(lot1.text).to.match(/^lot 1 registered: COD \(Atlantic cod\), 250 kg, fresh, wild-caught\n/);
    expect(lot1.text).to.include("at 68.93512° N, 15.0221° E, area 27.2.a, vessel IMO9241061, gear OTB");
    await ok(["harvester", "register"], { ...CATCH, weight: "0.18t", caughtAt: "2026-01-02T03:04:05Z" });

    const reading = await ok(["harvester", "update"], { lot: "1", temp: "1.8", humidity: "85" });
    expect(reading.value).to.deep.equal({ lotId: 1n, excursion: false });
    const warm = await ok(["harvester", "update"], { lot: "2", temp: "6.5", humidity: "80", from: "3" });
    expect(warm.text).to.include("cold-chain excursion: 6.5 °C is outside the cold-chain band 0..4 °C");

    const query = await ok(["harvester", "query"], { lot: "2" });
    expect(query.text).to.include("caught       2026-01-02T03:04:05Z");
    expect(query.text).to.include("flags        EXCURSION");
    expect(query.text).to.match(/latest status\n {2}.+: 6\.5 °C, 80 %/);
    expect(query.text).to.include("not scanned yet");

    const order = await ok(["order", "place"], {
      seller: "1",
      species: "COD",
      weight: "400kg",
      price: "2.5",
      ackWindow: "36h",
    });
    expect(order.text).to.match(/^order 1 placed by Bodø Fish Receiving .+ at least 400 kg of COD \(Atlantic cod\)/);
    expect(order.text).to.include("2.5 ETH in escrow");
    await ok(["harvester", "ship"], { order: "1", shipment: "1001", lots: "1,2" });
    await ok(["harvester", "confirm"], { order: "1" });

    // The buyer passes only the order: the shipment number and lots come from the ShipmentInitiated event.
    const ack = await ok(["order", "acknowledge"], { order: "1" });
    expect(ack.text).to.match(/^order 1 acknowledged: custody of lots 1, 2 passed to Bodø Fish Receiving/);
    const paid = await ok(["order", "withdraw"], { order: "1" });
    expect(paid.text).to.match(/^order 1: price of 2\.5 ETH paid to MV Nordkapp/);
    expect(paid.text).to.include("escrow left in the contract 0 ETH");

    const totals = await ok(["harvester", "totals"], {});
    expect(totals.text).to.match(
      /COD \(Atlantic cod\)\n {2}available {2}0 lots, 0 g.*\n {2}supplied {3}2 lots, 430 kg/,
    );
    const shown = await ok(["order", "show"], { order: "1" });
    expect(shown.text).to.match(/^order 1: Paid\n/);
    expect(shown.text).to.include("shipment  1001: lots 1, 2 (430 kg)");

    const { ethers } = await hre.network.getOrCreate();
    const harvester = Harvester__factory.connect(harvesterAddress, ethers.provider);
    expect((await harvester.getLot(1n)).custodianId).to.equal(3n);
  });

  it("prints one error line naming a bad argument, before touching the chain", async function () {
    expect(await fails(["harvester", "register"], { ...CATCH, weight: "abc" })).to.equal(
      'error: weight "abc" is not a weight (e.g. 250kg, 1.2t, 900g)',
    );
    expect(await fails(["harvester", "register"], { ...CATCH, species: "CODX", weight: "1kg" })).to.equal(
      'error: species "CODX" is not an FAO 3-alpha code (three letters, e.g. COD)',
    );
    expect(await fails(["harvester", "register"], { ...CATCH, lat: "95", weight: "1kg" })).to.equal(
      "error: latitude 95 is outside -90..90 degrees",
    );
    expect(await fails(["harvester", "register"], { ...CATCH })).to.equal("error: --weight is required");
    expect(await fails(["order", "place"], { seller: "1", species: "COD", weight: "1kg", price: "two" })).to.equal(
      'error: price "two" is not an amount of ETH (e.g. 1.5)',
    );
    expect(await fails(["harvester", "remove"], { lot: "1", reason: "stolen" })).to.equal(
      'error: reason "stolen" is not one of discarded, consumed, sold, lost, other',
    );
    expect(await fails(["harvester", "query"], { lot: "1", from: "99" })).to.match(
      /^error: --from 99 is not an account index/,
    );
  });

  it("prints a revert as its decoded custom error", async function () {
    await ok(["harvester", "register"], { ...CATCH, weight: "5kg" });
    // Lot 1 now belongs to the Supplier: the vessel cannot remove it.
    expect(await fails(["harvester", "remove"], { lot: "1", reason: "sold" })).to.equal(
      "error: LotNotInCustody: lot 1 is held by participant 3, not by the caller (participant 2)",
    );
    expect(await fails(["harvester", "register"], { ...CATCH, species: "HAD", weight: "1kg" })).to.equal(
      "error: StageSpeciesNotListed: species HAD is not on the registry's species list",
    );
    const supplier = (await (await hre.network.getOrCreate()).ethers.getSigners())[2]!;
    expect(await fails(["harvester", "update"], { lot: "3", temp: "2", humidity: "80", from: "2" })).to.equal(
      `error: StageUnauthorized: account ${supplier.address} is not HARVESTER or SENSOR_GATEWAY in the registry`,
    );
    expect(await fails(["order", "acknowledge"], { order: "7" })).to.equal("error: order 7 does not exist");
  });

  it("rejects, cancels and claims, taking the shipment from the order's events", async function () {
    const { networkHelpers } = await hre.network.getOrCreate();
    await ok(["order", "place"], { seller: "1", species: "COD", weight: "5kg", price: "0.1", shipBy: "1h" });
    await ok(["harvester", "ship"], { order: "2", lots: "3" });
    const rejected = await ok(["order", "reject"], { order: "2", reason: "too warm on arrival" });
    expect(rejected.text).to.match(
      /^order 2 rejected \("too warm on arrival"\): lot 3 back in the inventory of MV Nordkapp/,
    );
    expect((await ok(["order", "withdraw"], { order: "2" })).text).to.match(
      /^order 2: refund of 0\.1 ETH paid to Bodø/,
    );

    await ok(["order", "place"], { seller: "1", species: "COD", weight: "5kg", price: "0.1", shipBy: "1h" });
    expect(await fails(["order", "cancel"], { order: "3" })).to.match(
      /^error: OrderDeadlineNotReached: order 3: allowed only after /,
    );
    expect((await ok(["order", "cancel"], { order: "3", from: "1" })).text).to.match(
      /^order 3 cancelled by MV Nordkapp/,
    );

    await ok(["order", "place"], { seller: "1", species: "COD", weight: "5kg", price: "0.1", ackWindow: "1h" });
    await ok(["harvester", "ship"], { order: "4", lots: "3" });
    await ok(["harvester", "confirm"], { order: "4" });
    expect(await fails(["order", "claim"], { order: "4" })).to.match(/^error: OrderDeadlineNotReached: order 4/);
    await networkHelpers.time.increase(3_601);
    expect((await ok(["order", "claim"], { order: "4" })).text).to.match(
      /^order 4 acknowledged for the buyer, whose deadline passed: custody of lot 3 passed to Bodø/,
    );
  });

  it("exits the CLI with code 1 and one error line, no stack trace", async function () {
    this.timeout(60_000);
    const hardhat = path.join(hre.config.paths.root, "node_modules", "hardhat", "dist", "src", "cli.js");
    const run = promisify(execFile)(
      process.execPath,
      [hardhat, "harvester", "register", "--species", "CODX", "--weight", "1kg", "--lat", "1", "--lon", "1"],
      { cwd: hre.config.paths.root, env: { ...process.env, CI: "true" } },
    );
    const failure: unknown = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).to.include({ code: 1 });
    const { stdout, stderr } = failure as { stdout: string; stderr: string };
    expect(stderr.trim().split("\n")).to.deep.equal([
      'error: species "CODX" is not an FAO 3-alpha code (three letters, e.g. COD)',
    ]);
    expect(stdout).to.equal("");
  });
});
