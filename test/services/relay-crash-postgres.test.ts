/**
 * Several relays, one queue, under crashes: two relay processes (src/services/relay/main.ts, each with its own
 * account) on one PostgreSQL store (a real server started here) take device and gateway posts while they are killed
 * with SIGKILL in turn and restarted. A request cut by a kill is posted again to the other relay. At the end every
 * reading either relay acknowledged is on chain exactly once: each QAT reading scanned once, each sensor reading in
 * exactly one anchored root, and the store has every reading done.
 */
import { expect } from "chai";
import { Wallet, id } from "ethers";

import { freePort } from "../../src/tools/processes.js";
import { startRelayProcess, startStack, type RelayProcess, type Stack } from "../../src/tools/relay-stack.js";
import { PgStore } from "../../src/services/relay/pg-store.js";
import { signReading, type QatReading } from "../../src/core/qat.js";
import { mulberry32 } from "../../src/core/random.js";
import { startPostgres, type RunningPostgres } from "../helpers/postgres.js";
import { eventually, post, sensorPost, wire } from "../helpers/relay-world.js";

const SEED = 0x0c0ffee;
const KILLS = 4;
const QAT_POOL = 600;
const SENSORS = Array.from({ length: 3 }, (_, i) => new Wallet(id(`FishTrace pg crash test: sensor ${i}`)).address);
const FLAGS = ["--max-age", "0.05", "--qat-batch", "20", "--sensor-batch", "50"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Request {
  kind: "qat" | "sensor";
  keys: string[];
  body: string;
  headers: Record<string, string>;
}

describe("two relays on one PostgreSQL, SIGKILLed in turn: every acknowledged reading on chain exactly once", function () {
  this.timeout(180_000);
  let stack: Stack | undefined;
  let postgres: RunningPostgres | undefined;
  const relays: (RelayProcess | undefined)[] = [undefined, undefined];

  before(async function () {
    postgres = await startPostgres();
    stack = await startStack(3, 3);
  });

  after(async function () {
    for (const relay of relays) await relay?.stop("SIGKILL");
    await stack?.stop();
    await postgres?.stop();
  });

  it(`survives ${KILLS} kills, the relays taking turns`, async function () {
    const s = stack!;
    const url = postgres!.url;
    const started = Date.now();
    const random = mulberry32(SEED);
    const keys = [s.relayKey, s.moreRelayKeys[0]!];
    const start = async (i: number) => {
      relays[i] = await startRelayProcess(s, url, await freePort(), FLAGS, keys[i]);
    };
    await start(0);
    await start(1);

    const scannedAt = Math.floor(Date.now() / 1000) - 30;
    const queue: Request[] = [];
    for (let i = 0; i < QAT_POOL; i += 3) {
      const readings = [];
      for (let j = i; j < i + 3; j++) {
        const device = s.devices[j % s.devices.length]!;
        const reading: QatReading = {
          readingId: BigInt(1 + Math.floor(j / s.devices.length)),
          lotId: s.lots[j % s.lots.length]!,
          species: "0x434f44",
          speciesConfidence: 95,
          grade: 10,
          gradeConfidence: 90,
          scannedAt,
          device: device.address,
        };
        readings.push({ reading, signature: await signReading(device, s.domain, reading) });
      }
      queue.push({
        kind: "qat",
        keys: readings.map((r) => `${r.reading.device}:${r.reading.readingId}`),
        body: JSON.stringify({ readings: readings.map(wire) }),
        headers: {},
      });
    }
    const sensorBase = Math.floor(Date.now() / 1000) - 20_000;
    for (let p = 0; p < 60; p++) {
      const readings = Array.from({ length: 10 }, (_, i) => ({
        sensor: SENSORS[(p * 10 + i) % SENSORS.length]!,
        readAt: sensorBase + p * 10 + i,
        temperature: 1.5,
        humidity: 85,
      }));
      const request = await sensorPost(s.gateway, {
        stage: "harvester",
        lots: [String(s.lots[p % s.lots.length])],
        readings,
      });
      // Interleaved with the QAT requests.
      queue.splice(p * 3, 0, { kind: "sensor", keys: readings.map((r) => `${r.sensor}:${r.readAt}`), ...request });
    }

    const acked = { qat: new Set<string>(), sensor: new Set<string>() };
    const unexpected: string[] = [];
    let cut = 0;
    let turn = 0;
    const poster = async () => {
      for (let request = queue.shift(); request !== undefined; request = queue.shift()) {
        const relay = relays[turn++ % 2];
        try {
          if (relay === undefined) throw new Error("down");
          const answer = await post(`${relay.url}/v1/${request.kind}/readings`, request.body, request.headers);
          if (answer.status !== 202)
            unexpected.push(`${request.kind} ${answer.status}: ${JSON.stringify(answer.json)}`);
          else for (const key of request.keys) acked[request.kind].add(key);
        } catch {
          cut++;
          queue.push(request);
        }
        await sleep(10 + Math.floor(random() * 20));
      }
    };
    const posting = Promise.all([poster(), poster(), poster()]);
    const kills: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const delay = 200 + Math.floor(random() * 900);
      kills.push(delay);
      await sleep(delay);
      const i = k % 2;
      const relay = relays[i]!;
      relays[i] = undefined;
      await relay.stop("SIGKILL");
      await start(i);
    }
    await posting;
    expect(unexpected, unexpected.join("\n")).to.deep.equal([]);

    for (const relay of relays) {
      await eventually(
        async () => {
          const health = (await (await fetch(`${relay!.url}/healthz`)).json()) as {
            queue: { qat: number; sensor: number };
          };
          return health.queue.qat === 0 && health.queue.sensor === 0;
        },
        60_000,
        "the shared queue to drain",
      );
    }
    for (let i = 0; i < 2; i++) {
      await relays[i]!.stop("SIGTERM");
      relays[i] = undefined;
    }

    const ledger = s.fishTrace.qualityLedger;
    const deviceIds = new Map<string, bigint>();
    for (const device of s.devices) {
      deviceIds.set(device.address, (await s.fishTrace.registry.authorization(device.address)).id as bigint);
    }
    const scans = new Map<string, number>();
    for (const event of await ledger.queryFilter(ledger.filters.QatScanned(), 0, "latest")) {
      const { deviceId, readingId } = (event as unknown as { args: { deviceId: bigint; readingId: bigint } }).args;
      scans.set(`${deviceId}:${readingId}`, (scans.get(`${deviceId}:${readingId}`) ?? 0) + 1);
    }
    expect(
      [...scans.values()].filter((n) => n !== 1),
      "QAT readings scanned more than once",
    ).to.deep.equal([]);
    for (const key of acked.qat) {
      const [device, readingId] = key.split(":");
      expect(scans.get(`${deviceIds.get(device!)}:${readingId}`), `scans of ${key}`).to.equal(1);
    }

    const store = await PgStore.open(url, { init: false });
    try {
      const qatRows = await store.allReadings("qat");
      const sensorRows = await store.allReadings("sensor");
      expect(qatRows.filter((r) => r.state !== "done")).to.deep.equal([]);
      expect(sensorRows.filter((r) => r.state !== "done")).to.deep.equal([]);
      expect(new Set(qatRows.map((r) => r.key))).to.deep.equal(acked.qat);
      expect(new Set(sensorRows.map((r) => r.key))).to.deep.equal(acked.sensor);
      const anchored = await ledger.queryFilter(ledger.filters.SensorBatchAnchored(), 0, "latest");
      const inRoots = new Set<string>();
      let count = 0;
      for (const event of anchored) {
        count += Number((event as unknown as { args: { summary: { count: bigint } } }).args.summary.count);
      }
      for (const key of acked.sensor) {
        const [sensor, readAt] = key.split(":");
        const status = await store.sensorStatus(sensor!, Number(readAt));
        expect(status?.batch?.root, `the root of ${key}`).to.be.a("string");
        inRoots.add(key);
      }
      expect(count, "readings in anchored roots").to.equal(acked.sensor.size);
      expect(inRoots.size).to.equal(acked.sensor.size);
    } finally {
      await store.close();
    }
    const sent = await Promise.all(keys.map((key) => s.provider.getTransactionCount(new Wallet(key).address)));
    console.log(
      `      two relays on PostgreSQL: ${KILLS} SIGKILLs (after ${kills.join(",")} ms), ${acked.qat.size} QAT / ` +
        `${acked.sensor.size} sensor readings acknowledged (${cut} requests cut and posted again), transactions ` +
        `${sent.join(" + ")}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(sent.every((n) => n > 0)).to.equal(true);
  });
});
