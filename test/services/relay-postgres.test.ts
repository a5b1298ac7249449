/**
 * Two relays, each with its own account, on one PostgreSQL store (a real server started here): devices post to
 * either, the relays share the queue (rows claimed with FOR UPDATE SKIP LOCKED), and every reading goes on chain
 * exactly once, from one account or the other. A relay that stops hands its sent transactions to the other.
 */
import { expect } from "chai";
import { HDNodeWallet, Wallet, id } from "ethers";

import { roleId } from "../../src/core/roles.js";
import type { Relay } from "../../src/services/relay/relay.js";
import { startPostgres, type RunningPostgres } from "../helpers/postgres.js";
import {
  chainNow,
  eventually,
  post,
  relayFor,
  relayWorld,
  sensorPost,
  signedScan,
  wire,
  type RelayWorld,
} from "../helpers/relay-world.js";

const MNEMONIC = "test test test test test test test test test test test junk";

describe("relays on PostgreSQL: two relays, one queue", function () {
  this.timeout(120_000);
  let postgres: RunningPostgres | undefined;
  let world: RelayWorld;
  const relays: Relay[] = [];

  before(async function () {
    postgres = await startPostgres();
    world = await relayWorld(3);
  });

  after(async function () {
    for (const relay of relays) await relay.close();
    world?.cleanup();
    await postgres?.stop();
  });

  it("refuses a database without the relay schema unless --init", async function () {
    let error: unknown;
    try {
      await relayFor(world, "unused", { database: postgres!.url, init: false });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/has no relay schema: start the relay with --init/);
  });

  it("puts every reading posted to either relay on chain exactly once", async function () {
    // A second relay account (Hardhat's development account #18), a sensor gateway of the harvester too.
    const second = HDNodeWallet.fromPhrase(MNEMONIC, "", "m/44'/60'/0'/0/18");
    const harvester = (await world.connection.ethers.getSigners())[1]!;
    await (await world.fishTrace.registry.registerDevice(second.address, roleId("SENSOR_GATEWAY"), harvester)).wait();
    const a = await relayFor(world, "unused", { database: postgres!.url });
    relays.push(a);
    const b = await relayFor(world, "unused", {
      database: postgres!.url,
      wallet: new Wallet(second.privateKey, world.provider),
    });
    relays.push(b);

    const scans = await Promise.all(Array.from({ length: 40 }, (_, i) => signedScan(world, world.lots[i % 3]!)));
    const sensor = new Wallet(id("FishTrace relay postgres test: sensor")).address;
    const base = (await chainNow(world)) - 600;
    const posts = [];
    for (let p = 0; p < 6; p++) {
      const readings = Array.from({ length: 10 }, (_, i) => ({
        sensor,
        readAt: base + p * 10 + i,
        temperature: 1.5,
        humidity: 85,
      }));
      posts.push(await sensorPost(world.gateway, { stage: "harvester", lots: [String(world.lots[p % 3])], readings }));
    }
    await Promise.all([
      ...scans.map(async (scan, i) => {
        const answer = await post(`${(i % 2 === 0 ? a : b).url}/v1/qat/readings`, wire(scan));
        expect(answer.status, JSON.stringify(answer.json)).to.equal(202);
      }),
      ...posts.map(async (p, i) => {
        const answer = await post(`${(i % 2 === 0 ? a : b).url}/v1/sensor/readings`, p.body, p.headers);
        expect(answer.status, JSON.stringify(answer.json)).to.equal(202);
      }),
    ]);
    // The same reading posted to the other relay is a duplicate: one queue.
    const again = await post(`${b.url}/v1/qat/readings`, wire(scans[0]!));
    expect(again.json).to.deep.equal({ accepted: 0, duplicates: 1 });

    await eventually(
      async () =>
        (await a.store.allReadings("qat")).every((r) => r.state === "done") &&
        (await a.store.allReadings("sensor")).every((r) => r.state === "done"),
      60_000,
      "every reading done",
    );
    const ledger = world.fishTrace.qualityLedger;
    const scanned = new Map<string, number>();
    for (const event of await ledger.queryFilter(ledger.filters.QatScanned(), 0, "latest")) {
      const key = String((event as unknown as { args: { readingId: bigint } }).args.readingId);
      scanned.set(key, (scanned.get(key) ?? 0) + 1);
    }
    for (const scan of scans) {
      expect(await ledger.isAccepted(world.device.address, scan.reading.readingId)).to.equal(true);
      expect(scanned.get(scan.reading.readingId.toString()), `scans of ${scan.reading.readingId}`).to.equal(1);
    }
    const anchored = await ledger.queryFilter(ledger.filters.SensorBatchAnchored(), 0, "latest");
    const count = anchored.reduce(
      (n, e) => n + Number((e as unknown as { args: { summary: { count: bigint } } }).args.summary.count),
      0,
    );
    expect(count, "sensor readings anchored").to.equal(60);
    // Both accounts sent transactions: the queue was shared.
    const sent = await Promise.all(
      [world.relayWallet.address, second.address].map((address) => world.provider.getTransactionCount(address)),
    );
    expect(
      sent.every((n) => n > 0),
      `transactions per relay: ${sent.join(", ")}`,
    ).to.equal(true);
  });
});
