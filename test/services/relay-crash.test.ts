/**
 * The relay's crash guarantee, end to end: under a steady load of device and gateway posts, the relay process
 * (src/services/relay/main.ts against a `hardhat node`) is killed with SIGKILL at random moments — some right after it starts,
 * while it resumes what it had sent — and restarted on the same store, over and over. Requests cut by a kill are not
 * acknowledged and are posted again by their device in the next cycle (as a device would). At the end every reading
 * the relay acknowledged (202) is on chain exactly once: each QAT reading is accepted by the ledger and scanned once,
 * each sensor reading sits in exactly one anchored batch whose proof the ledger verifies.
 */
import path from "node:path";

import { expect } from "chai";
import { Wallet, id } from "ethers";

import { freePort } from "../../src/tools/processes.js";
import { startRelayProcess, startStack, type RelayProcess, type Stack } from "../../src/tools/relay-stack.js";
import { Store } from "../../src/services/relay/store.js";
import { signReading, type QatReading } from "../../src/core/qat.js";
import { proofOf, sensorTree } from "../../src/core/sensors.js";
import { eventually, post, sensorPost, wire } from "../helpers/relay-world.js";
import { mulberry32 } from "../../src/core/random.js";

const SEED = 0x5eed_f15b;
const CYCLES = 12;
const QAT_POOL = 1_300;
const QAT_POSTERS = 2;
const SENSOR_POSTERS = 1;
const SENSORS = Array.from({ length: 4 }, (_, i) => new Wallet(id(`FishTrace crash test: sensor ${i}`)).address);
const RELAY_FLAGS = ["--max-age", "0.05", "--qat-batch", "20", "--sensor-batch", "50", "--sync", "normal"];

interface QatRequest {
  readings: { device: string; readingId: bigint }[];
  body: unknown;
}

interface SensorRequest {
  readings: { sensor: string; readAt: number; temperature: number; humidity: number }[];
  body: string;
  headers: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("relay crash test: SIGKILL under load, restart, every acknowledged reading on chain exactly once", function () {
  this.timeout(300_000);
  let stack: Stack | undefined;
  let relay: RelayProcess | undefined;
  let store: Store | undefined;

  before(async function () {
    stack = await startStack(4, 4);
  });

  after(async function () {
    try {
      store?.close();
    } catch {
      // already closed
    }
    await relay?.stop("SIGKILL");
    await stack?.stop();
  });

  it(`survives ${CYCLES} kills at random moments`, async function () {
    const s = stack!;
    const started = Date.now();
    // The kill schedule has a generator of its own, so it repeats whatever the load's timing.
    const killRandom = mulberry32(SEED);
    const random = mulberry32(SEED + 1);
    const dbPath = path.join(s.dir, "crash.sqlite");
    const ledger = s.fishTrace.qualityLedger;
    // The relay anchors with its own account: the roots are bound to it.
    const relayAccount = new Wallet(s.relayKey).address;

    // QAT readings, signed before the load (signing is slower than posting).
    const scannedAt = Math.floor(Date.now() / 1000) - 30;
    const pool: { device: string; readingId: bigint; wire: unknown }[] = [];
    for (let i = 0; i < QAT_POOL; i++) {
      const device = s.devices[i % s.devices.length]!;
      const reading: QatReading = {
        readingId: BigInt(1 + Math.floor(i / s.devices.length)),
        lotId: s.lots[Math.floor(random() * s.lots.length)]!,
        species: "0x434f44",
        speciesConfidence: 95,
        grade: 10,
        gradeConfidence: 90,
        scannedAt,
        device: device.address,
      };
      pool.push({
        device: device.address,
        readingId: reading.readingId,
        wire: wire({ reading, signature: await signReading(device, s.domain, reading) }),
      });
    }
    let nextQat = 0;
    const nextQatRequest = (): QatRequest | undefined => {
      if (nextQat >= pool.length) return undefined;
      const n = 1 + Math.floor(random() * 5);
      const picked = pool.slice(nextQat, nextQat + n);
      nextQat += picked.length;
      return {
        readings: picked.map(({ device, readingId }) => ({ device, readingId })),
        body: { readings: picked.map((p) => p.wire) },
      };
    };

    // Sensor readings: unique (sensor, readAt), well in the past, all within the cold-chain band.
    const sensorBase = Math.floor(Date.now() / 1000) - 20_000;
    let sensorCounter = 0;
    const nextSensorRequest = async (): Promise<SensorRequest> => {
      const readings = Array.from({ length: 10 }, () => {
        const n = sensorCounter++;
        return {
          sensor: SENSORS[n % SENSORS.length]!,
          readAt: sensorBase + n,
          temperature: 0.5 + (n % 7) * 0.25,
          humidity: 80 + (n % 10),
        };
      });
      const lot = s.lots[Math.floor(random() * s.lots.length)]!;
      const request = await sensorPost(s.gateway, { stage: "harvester", lots: [lot.toString()], readings });
      return { readings, ...request };
    };

    const ackedQat = new Map<string, { device: string; readingId: bigint }>();
    const ackedSensor = new Map<string, { sensor: string; readAt: number }>();
    // Requests a kill cut: their devices post them again in the next cycle.
    const retryQat: QatRequest[] = [];
    const retrySensor: SensorRequest[] = [];
    const unexpected: string[] = [];
    let cut = 0;
    let duplicates = 0;

    const sendQat = async (url: string, request: QatRequest): Promise<boolean> => {
      try {
        const answer = await post(`${url}/v1/qat/readings`, request.body);
        if (answer.status !== 202) {
          unexpected.push(`QAT ${answer.status}: ${JSON.stringify(answer.json)}`);
          return false;
        }
        duplicates += Number(answer.json.duplicates);
        for (const r of request.readings) ackedQat.set(`${r.device}:${r.readingId}`, r);
        return true;
      } catch {
        cut++;
        retryQat.push(request);
        return false;
      }
    };
    const sendSensor = async (url: string, request: SensorRequest): Promise<boolean> => {
      try {
        const answer = await post(`${url}/v1/sensor/readings`, request.body, request.headers);
        if (answer.status !== 202) {
          unexpected.push(`sensor ${answer.status}: ${JSON.stringify(answer.json)}`);
          return false;
        }
        duplicates += Number(answer.json.duplicates);
        for (const r of request.readings) ackedSensor.set(`${r.sensor}:${r.readAt}`, r);
        return true;
      } catch {
        cut++;
        retrySensor.push(request);
        return false;
      }
    };

    const kills: number[] = [];
    const outputs: string[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      relay = await startRelayProcess(s, dbPath, await freePort(), RELAY_FLAGS);
      const url = relay.url;
      // Every fourth cycle dies almost at once, while the relay resumes what it sent before the last kill.
      const delay = cycle % 4 === 1 ? Math.floor(killRandom() * 60) : 100 + Math.floor(killRandom() * 800);
      kills.push(delay);
      let running = true;
      const retries = { qat: retryQat.splice(0), sensor: retrySensor.splice(0) };
      const qatPoster = async () => {
        while (running) {
          const request = retries.qat.shift() ?? nextQatRequest();
          if (request === undefined) return;
          if (!(await sendQat(url, request))) return;
          await sleep(15 + Math.floor(random() * 20));
        }
      };
      const sensorPoster = async () => {
        while (running) {
          const request = retries.sensor.shift() ?? (await nextSensorRequest());
          if (!(await sendSensor(url, request))) return;
          await sleep(30 + Math.floor(random() * 40));
        }
      };
      const posters = [
        ...Array.from({ length: QAT_POSTERS }, qatPoster),
        ...Array.from({ length: SENSOR_POSTERS }, sensorPoster),
      ];
      await sleep(delay);
      await relay.stop("SIGKILL");
      outputs.push(relay.output());
      running = false;
      await Promise.all(posters);
      // Requests of this cycle's retries that no poster reached go out again next time.
      retryQat.push(...retries.qat);
      retrySensor.push(...retries.sensor);
      expect(unexpected, unexpected.join("\n")).to.deep.equal([]);
    }

    // Once more, to the end: what is still to be posted goes out, then the relay drains its queue and stops.
    relay = await startRelayProcess(s, dbPath, await freePort(), RELAY_FLAGS);
    for (const request of retryQat.splice(0)) expect(await sendQat(relay.url, request)).to.equal(true);
    for (const request of retrySensor.splice(0)) expect(await sendSensor(relay.url, request)).to.equal(true);
    expect(unexpected, unexpected.join("\n")).to.deep.equal([]);
    const healthz = `${relay.url}/healthz`;
    let health: { queue?: { qat: number; sensor: number } } = {};
    await eventually(
      async () => {
        health = (await (await fetch(healthz)).json()) as typeof health;
        return health.queue?.qat === 0 && health.queue.sensor === 0;
      },
      90_000,
      "the relay to drain its queue",
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(health)}\n${relay!.output().slice(-2000)}`);
    });
    await relay.stop("SIGTERM");
    outputs.push(relay.output());
    expect(relay.child.exitCode, relay.output().slice(-2000)).to.equal(0);
    relay = undefined;

    // (1) QAT: every acknowledged reading accepted by the ledger, and scanned exactly once.
    const scanned = new Map<string, number>();
    for (const event of await ledger.queryFilter(ledger.filters.QatScanned(), 0, "latest")) {
      const { deviceId, readingId } = (event as unknown as { args: { deviceId: bigint; readingId: bigint } }).args;
      const key = `${deviceId}:${readingId}`;
      scanned.set(key, (scanned.get(key) ?? 0) + 1);
    }
    const twice = [...scanned.entries()].filter(([, n]) => n !== 1);
    expect(twice, "QAT readings scanned more than once").to.deep.equal([]);
    const deviceIds = new Map<string, bigint>();
    for (const device of s.devices) {
      deviceIds.set(device.address, (await s.fishTrace.registry.authorization(device.address)).id as bigint);
    }
    const acked = [...ackedQat.values()];
    for (let i = 0; i < acked.length; i += 100) {
      const accepted = await Promise.all(
        acked.slice(i, i + 100).map((r) => ledger.isAccepted(r.device, r.readingId) as Promise<boolean>),
      );
      const missing = acked.slice(i, i + 100).filter((_, j) => !accepted[j]);
      expect(
        missing.map((r) => `${r.device}:${r.readingId}`),
        "acknowledged QAT readings not on chain",
      ).to.deep.equal([]);
    }
    for (const r of acked) {
      expect(scanned.get(`${deviceIds.get(r.device)}:${r.readingId}`), `scans of ${r.device}:${r.readingId}`).to.equal(
        1,
      );
    }

    // (2) Sensor readings: each acknowledged one done, in one anchored batch, with a proof the ledger verifies;
    // no reading anchored twice.
    store = new Store(dbPath);
    const qatRows = store.allReadings("qat");
    expect(qatRows.filter((r) => r.state !== "done")).to.deep.equal([]);
    const sensorRows = store.allReadings("sensor");
    expect(sensorRows.filter((r) => r.state !== "done")).to.deep.equal([]);
    const batchOfRoot = new Map<string, Set<number>>();
    for (const row of sensorRows) {
      const [sensor, readAt] = row.key.split(":");
      const status = store.sensorStatus(sensor!, Number(readAt))!;
      expect(status.batch?.root, `the batch of ${row.key}`).to.be.a("string");
      const root = status.batch!.root!.toLowerCase();
      batchOfRoot.set(root, (batchOfRoot.get(root) ?? new Set()).add(status.batch!.id));
    }
    const anchored = await ledger.queryFilter(ledger.filters.SensorBatchAnchored(), 0, "latest");
    const anchoredKeys = new Set<string>();
    let anchoredCount = 0;
    const roots = new Set<string>();
    for (const event of anchored) {
      const { root, summary } = (event as unknown as { args: { root: string; summary: { count: bigint } } }).args;
      anchoredCount += Number(summary.count);
      roots.add(root.toLowerCase());
      const batches = [...(batchOfRoot.get(root.toLowerCase()) ?? [])];
      expect(batches, `store batches of the anchored root ${root}`).to.have.length(1);
      const leaves = store.sensorOfBatch(batches[0]!);
      expect(leaves, `leaves of ${root}`).to.have.length(Number(summary.count));
      expect(sensorTree(leaves).root.toLowerCase()).to.equal(root.toLowerCase());
      for (const leaf of leaves) {
        const key = `${leaf.sensor}:${leaf.readAt}`;
        expect(anchoredKeys.has(key), `${key} anchored twice`).to.equal(false);
        anchoredKeys.add(key);
      }
    }
    expect(anchoredCount, "readings in anchored batches").to.equal(sensorRows.length);
    expect(
      [...batchOfRoot.keys()].filter((root) => !roots.has(root)),
      "roots never anchored",
    ).to.deep.equal([]);

    const ackedSensors = [...ackedSensor.values()];
    for (let i = 0; i < ackedSensors.length; i += 100) {
      const verified = await Promise.all(
        ackedSensors.slice(i, i + 100).map(async ({ sensor, readAt }) => {
          const status = store!.sensorStatus(sensor, readAt);
          if (status?.state !== "done" || status.batch?.root == null) return `${sensor}:${readAt} is ${status?.state}`;
          const leaves = store!.sensorOfBatch(status.batch.id);
          const reading = leaves[status.leaf!]!;
          if (reading.sensor !== sensor || reading.readAt !== readAt) return `${sensor}:${readAt} has the wrong leaf`;
          const proof = proofOf(sensorTree(leaves), reading);
          const ok = (await ledger.verifyReading(relayAccount, status.batch.root, reading, proof)) as boolean;
          return ok ? undefined : `${sensor}:${readAt}: the ledger refuses its proof`;
        }),
      );
      expect(verified.filter((v) => v !== undefined)).to.deep.equal([]);
    }
    store.close();
    store = undefined;

    const resumed = outputs.filter((o) => /resuming \d+ transaction/.test(o)).length;
    const trouble = outputs
      .flatMap((o) => o.split("\n"))
      .filter((line) => /refused|reverted|replaced|failed/.test(line));
    // Not failures in themselves (a resent transaction may meet its own mined twin), but worth seeing.
    for (const line of trouble) console.log(`      relay said: ${line}`);
    const transactions = await s.provider.getTransactionCount(new Wallet(s.relayKey).address, "latest");
    console.log(
      `      relay crash test: ${CYCLES} SIGKILLs (delays ${kills.join(",")} ms, seed ${SEED.toString(16)}), ` +
        `${acked.length} QAT / ${ackedSensors.length} sensor readings acknowledged ` +
        `(${cut} requests cut by a kill and posted again, ${duplicates} duplicates), ` +
        `${anchored.length} anchored roots, ${transactions} transactions, ${resumed} restarts resumed sent transactions, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(acked.length).to.be.greaterThan(0);
    expect(ackedSensors.length).to.be.greaterThan(0);
  });
});
