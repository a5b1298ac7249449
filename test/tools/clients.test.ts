/**
 * FishTrace on a second EVM client. Foundry's anvil (from the npm registry, pinned) and Hardhat's own node each run
 * the demo's whole story as a user runs it (`hardhat run --network localhost src/tools/demo.ts`, the node in its own
 * process): same steps, same outcomes, same gas for every transaction. Then, on anvil alone, the relay puts device-
 * signed QAT readings and a gateway's sensor batch on chain, and the tasks index, trace and export them.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, id } from "ethers";

import { freePort, kill } from "../../src/tools/processes.js";
import {
  startNode,
  startRelayProcess,
  startStack,
  type NodeClient,
  type RelayProcess,
  type Stack,
} from "../../src/tools/relay-stack.js";
import { signReading, type QatReading } from "../../src/core/qat.js";
import { roleId } from "../../src/core/roles.js";
import { hardhatCli as hardhat } from "../helpers/cli.js";
import { eventually, post, sensorPost, wire } from "../helpers/relay-world.js";

/** One numbered step of the demo's story: what it did and the gas it used. */
interface Step {
  what: string;
  gas: bigint;
}

/** The demo's numbered steps with gas (`  12. Registry.attachStage(Retailer)   gas 66,485`). */
function stepsOf(output: string): Step[] {
  const steps: Step[] = [];
  for (const line of output.split("\n")) {
    const match = /^\s*\d+\. (.*?)\s+gas ([\d,]+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      steps.push({ what: match[1], gas: BigInt(match[2].replaceAll(",", "")) });
    }
  }
  return steps;
}

/** A step's words with times, dates and Merkle roots (which hash reading times) blanked. */
function outcome(what: string): string {
  return what
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z?/g, "<time>")
    .replace(/\b\d{10}\b/g, "<unix>")
    .replace(/Merkle root 0x[0-9a-f]+…?/g, "Merkle root <root>");
}

/** A mined transaction: who sent it with which nonce, to where, with what input, and the gas it used. */
interface Mined {
  key: string;
  to: string | null;
  data: string;
  status: number | null;
  gasUsed: bigint;
}

/** Every transaction on the node at `url`, in chain order. */
async function minedOn(url: string): Promise<Mined[]> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    const latest = await provider.getBlockNumber();
    const mined: Mined[] = [];
    for (let n = 0; n <= latest; n++) {
      const block = await provider.getBlock(n, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        const receipt = await provider.getTransactionReceipt(tx.hash);
        mined.push({
          key: `${tx.from}#${tx.nonce}`,
          to: tx.to,
          data: tx.data,
          status: receipt?.status ?? null,
          gasUsed: receipt?.gasUsed ?? -1n,
        });
      }
    }
    return mined;
  } finally {
    provider.destroy();
  }
}

interface DemoRun {
  output: string;
  facts: Record<string, unknown>;
  mined: Mined[];
}

async function demoOn(client: NodeClient): Promise<DemoRun> {
  const port = await freePort();
  const node = await startNode(client, port);
  const dir = await mkdtemp(path.join(os.tmpdir(), `fishtrace-demo-${client}-`));
  const deploymentId = `clients-${client}-${process.pid}-${port}`;
  try {
    const { code, output } = await hardhat(["run", "--no-compile", "--network", "localhost", "src/tools/demo.ts"], {
      LOCALHOST_URL: `http://127.0.0.1:${port}`,
      FISHTRACE_DEPLOYMENT_ID: deploymentId,
      FISHTRACE_DEMO_OUT: dir,
      FISHTRACE_DEMO_ANALYTICS: "0",
    });
    expect(code, `the demo on ${client} failed:\n${output.slice(-3000)}`).to.equal(0);
    const facts = JSON.parse(await readFile(path.join(dir, "facts.json"), "utf8")) as Record<string, unknown>;
    return { output, facts, mined: await minedOn(`http://127.0.0.1:${port}`) };
  } finally {
    await kill(node);
    await rm(dir, { recursive: true, force: true });
    await rm(path.join("ignition", "deployments", deploymentId), { recursive: true, force: true });
  }
}

describe("a second EVM client: the demo on anvil and on a hardhat node", function () {
  this.timeout(300_000);
  const runs = new Map<NodeClient, DemoRun>();

  before(async function () {
    // One after the other: each node has the machine's cores to itself.
    runs.set("hardhat", await demoOn("hardhat"));
    runs.set("anvil", await demoOn("anvil"));
  });

  it("tells the whole story on both clients", function () {
    for (const [client, run] of runs) {
      expect(run.output, client).to.match(/Done in [\d.]+ s\./);
      expect(run.output, client).to.include("pack L2026-11-002 at the retailer: FROZEN, SPECIES_MISMATCH, RECALLED");
      expect(stepsOf(run.output).length, client).to.be.greaterThan(80);
    }
  });

  it("takes the same steps with the same outcomes, at the same addresses", function () {
    const hardhatSteps = stepsOf(runs.get("hardhat")!.output).map((s) => outcome(s.what));
    const anvilSteps = stepsOf(runs.get("anvil")!.output).map((s) => outcome(s.what));
    expect(anvilSteps).to.deep.equal(hardhatSteps);
    // The deployment (same deployer, same nonces) and the dApp's facts (lots, packs, links, roles) agree.
    expect(runs.get("anvil")!.facts).to.deep.equal(runs.get("hardhat")!.facts);
  });

  it("gives every transaction the same status and, for the same input, the same gas", function () {
    const onHardhat = runs.get("hardhat")!.mined;
    const onAnvil = new Map(runs.get("anvil")!.mined.map((m) => [m.key, m]));
    expect(onAnvil.size).to.equal(onHardhat.length);
    const differences: string[] = [];
    let sameInput = 0;
    let maxSpread = 0n;
    for (const tx of onHardhat) {
      const twin = onAnvil.get(tx.key);
      expect(twin, `${tx.key} on anvil`).to.not.equal(undefined);
      expect(twin!.to, tx.key).to.equal(tx.to);
      expect(twin!.status, tx.key).to.equal(tx.status);
      if (twin!.data === tx.data) {
        sameInput++;
        if (twin!.gasUsed !== tx.gasUsed) differences.push(`${tx.key}: hardhat ${tx.gasUsed}, anvil ${twin!.gasUsed}`);
      } else {
        // The same function of the same contract …
        expect(twin!.data.slice(0, 10), tx.key).to.equal(tx.data.slice(0, 10));
        // … with input that carries the node's clock (a scan's time and its signature, a sensor batch's root and times, a
        // reading's time): the two runs are seconds apart, so these bytes differ, and so may the gas — calldata
        // costs 16 gas a non-zero byte and 4 a zero one, and the ledger's freshness rule takes another path when
        // the elapsed times differ. Different input, so no claim on gas; the status must still agree (above).
        const spread = twin!.gasUsed > tx.gasUsed ? twin!.gasUsed - tx.gasUsed : tx.gasUsed - twin!.gasUsed;
        if (spread > maxSpread) maxSpread = spread;
      }
    }
    expect(differences, differences.join("\n")).to.deep.equal([]);
    console.log(
      `      anvil vs hardhat node: ${onHardhat.length} transactions; ${sameInput} with the same input, the same ` +
        `gas; ${onHardhat.length - sameInput} with clock-dependent input, at most ${maxSpread} gas apart`,
    );
    // Most transactions (deployment, registry, orders, escrow, processing) carry no clock at all.
    expect(sameInput * 4).to.be.greaterThan(onHardhat.length * 3);
  });
});

describe("a second EVM client: the relay, the index, trace and export on anvil", function () {
  this.timeout(300_000);
  let stack: Stack | undefined;
  let relay: RelayProcess | undefined;
  let dir: string;

  before(async function () {
    stack = await startStack(2, 2, "anvil");
    dir = await mkdtemp(path.join(os.tmpdir(), "fishtrace-anvil-index-"));
    relay = await startRelayProcess(stack, path.join(dir, "relay.sqlite"), await freePort(), ["--max-age", "0.05"]);
  });

  after(async function () {
    await relay?.stop();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("relays device-signed QAT readings and a sensor batch onto anvil", async function () {
    const s = stack!;
    const ledger = s.fishTrace.qualityLedger;
    const block = await s.provider.getBlock("latest");
    const scannedAt = (block?.timestamp ?? Math.floor(Date.now() / 1000)) - 30;
    const readings = await Promise.all(
      s.lots.map(async (lotId, i) => {
        const device = s.devices[i % s.devices.length]!;
        const reading: QatReading = {
          readingId: BigInt(i + 1),
          lotId,
          species: "0x434f44",
          speciesConfidence: 96,
          grade: 10,
          gradeConfidence: 90,
          scannedAt,
          device: device.address,
        };
        return {
          device: device.address,
          readingId: reading.readingId,
          wire: wire({ reading, signature: await signReading(device, s.domain, reading) }),
        };
      }),
    );
    const qat = await post(`${relay!.url}/v1/qat/readings`, { readings: readings.map((r) => r.wire) });
    expect(qat.status, JSON.stringify(qat.json)).to.equal(202);

    const sensor = new Wallet(id("FishTrace clients test: sensor")).address;
    const sensorReadings = Array.from({ length: 6 }, (_, i) => ({
      sensor,
      readAt: scannedAt - 600 + i * 60,
      temperature: 0.5 + i * 0.25,
      humidity: 85,
    }));
    const request = await sensorPost(s.gateway, {
      stage: "harvester",
      lots: [s.lots[0]!.toString()],
      readings: sensorReadings,
    });
    const anchored = await post(`${relay!.url}/v1/sensor/readings`, request.body, request.headers);
    expect(anchored.status, JSON.stringify(anchored.json)).to.equal(202);

    await eventually(
      async () => (await Promise.all(readings.map((r) => ledger.isAccepted(r.device, r.readingId)))).every(Boolean),
      60_000,
      "the QAT readings on anvil",
    );
    await eventually(
      async () => (await ledger.queryFilter(ledger.filters.SensorBatchAnchored(), 0, "latest")).length > 0,
      60_000,
      "the sensor batch anchored on anvil",
    );
    expect(await ledger.queryFilter(ledger.filters.QatScanned(), 0, "latest")).to.have.length(readings.length);
  });

  it("indexes, traces and exports what is on anvil with the tasks", async function () {
    const s = stack!;
    const env = { LOCALHOST_URL: s.url };
    const common = ["--network", "localhost", "--registry", s.addresses.registry];
    // Folders nobody made (a fresh clone has none): the index's and the exports' are made on first use.
    const db = path.join(dir, "fresh", "indexer-data", "pglite");
    const indexed = await hardhat(["indexer", ...common, "--db", db], env);
    expect(indexed.code, indexed.output).to.equal(0);

    const lot = s.lots[0]!.toString();
    const traced = await hardhat(
      ["trace", ...common, "--db", db, "--lot", lot, "--json", path.join(dir, "trace.json")],
      env,
    );
    expect(traced.code, traced.output).to.equal(0);
    const trace = JSON.parse(await readFile(path.join(dir, "trace.json"), "utf8")) as { lots?: unknown[] };
    expect(JSON.stringify(trace)).to.include(lot);

    const out = path.join(dir, "exports", "lot.jsonld");
    const exported = await hardhat(["export", "epcis", ...common, "--db", db, "--lot", lot, "--out", out], env);
    expect(exported.code, exported.output).to.equal(0);
    const document = JSON.parse(await readFile(out, "utf8")) as { epcisBody?: { eventList?: { bizStep?: string }[] } };
    const events = document.epcisBody?.eventList ?? [];
    // The catch, and the relayed scan as an inspection.
    expect(events.length).to.be.greaterThan(1);
    expect(
      events.some((e) => e.bizStep?.endsWith("inspecting") === true),
      "an inspection event",
    ).to.equal(true);

    // The recall planner and the FSMA export on a fresh index of their own, in folders that do not exist yet.
    const freshDb = path.join(dir, "fresh-2", "indexer-data", "pglite");
    const regulator = await s.provider.getSigner(8);
    await (
      await s.fishTrace.registry.registerParticipant(
        regulator.address,
        roleId("REGULATOR"),
        "Food Safety Authority",
        "7080003000057",
      )
    ).wait();
    const planned = await hardhat(
      ["recall", ...common, "--from", "8", "--db", freshDb, "--lot", lot, "--reason", "clients test", "--dry-run"],
      env,
    );
    expect(planned.code, planned.output).to.equal(0);
    const fsma = path.join(dir, "fsma", "out", "fsma.csv");
    const rows = await hardhat(["export", "fsma", ...common, "--db", freshDb, "--lot", lot, "--out", fsma], env);
    expect(rows.code, rows.output).to.equal(0);
    expect(await readFile(fsma, "utf8")).to.include("Traceability Lot Code");
  });
});
