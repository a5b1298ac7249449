/**
 * The relay service end to end on an in-process chain: what a device posts and what it is answered (each refusal
 * its own status and reason), durability (stored before the 2xx; a restarted relay resumes from its store),
 * deduplication, batching into transactions, readings the ledger refuses or already has, sensor batches anchored
 * with proofs served back, metrics and health.
 */
import { expect } from "chai";
import { Wallet, getBytes, id } from "ethers";

import { proofOf, sensorTree } from "../../src/core/sensors.js";
import { stageNumber } from "../../src/core/stages.js";
import { deployFishTrace } from "../../src/node/deploy.js";
import { addressesOf } from "../../src/node/system.js";
import { InputError } from "../../src/core/input-error.js";
import { startRelay, type Relay } from "../../src/services/relay/relay.js";
import { Store } from "../../src/services/relay/store.js";
import {
  POK,
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

async function get(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function metric(relay: Relay, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith("{") || rest.startsWith(" "))) continue;
    if (want.every((w) => rest.includes(w))) total += Number(line.split(" ").at(-1));
  }
  return total;
}

describe("relay service", function () {
  this.timeout(120_000);
  let world: RelayWorld;
  let relay: Relay;

  before(async function () {
    world = await relayWorld(4);
    relay = await relayFor(world, "main.sqlite");
  });

  after(async function () {
    await relay?.close();
    world?.cleanup();
  });

  describe("QAT readings", function () {
    it("acknowledges a signed reading only once it is in the store, then puts it on chain", async function () {
      const signed = await signedScan(world, world.lots[0]!);
      const answer = await post(`${relay.url}/v1/qat/readings`, wire(signed));
      expect(answer.status).to.equal(202);
      expect(answer.json).to.deep.equal({ accepted: 1, duplicates: 0 });
      // Already durable: a second connection to the same file sees it.
      const reader = new Store(relay.store.file);
      expect(reader.qatStatus(world.device.address, signed.reading.readingId.toString())).to.not.equal(undefined);
      reader.close();

      const ledger = world.fishTrace.qualityLedger;
      await eventually(() => ledger.isAccepted(world.device.address, signed.reading.readingId), 15_000, "the scan");
      const statusUrl = `${relay.url}/v1/qat/readings/${world.device.address}/${signed.reading.readingId}`;
      await eventually(async () => (await get(statusUrl)).json.state === "done", 5_000, "done");
      const status = await get(statusUrl);
      expect(status.json.outcome).to.equal("included");
      const tx = status.json.transaction as { hash: string; state: string; block: number };
      expect(tx.state).to.equal("mined");
      const receipt = await world.provider.getTransactionReceipt(tx.hash);
      expect(receipt?.status).to.equal(1);
      expect(receipt?.from).to.equal(world.relayWallet.address);
    });

    it("answers a repeated reading idempotently and refuses the same id with other contents (409)", async function () {
      const signed = await signedScan(world, world.lots[1]!);
      expect((await post(`${relay.url}/v1/qat/readings`, wire(signed))).status).to.equal(202);
      const again = await post(`${relay.url}/v1/qat/readings`, wire(signed));
      expect(again.status).to.equal(202);
      expect(again.json).to.deep.equal({ accepted: 0, duplicates: 1 });

      const other = await signedScan(world, world.lots[1]!, { readingId: signed.reading.readingId, grade: 9 });
      const conflict = await post(`${relay.url}/v1/qat/readings`, wire(other));
      expect(conflict.status).to.equal(409);
      expect(conflict.json.reason).to.equal("conflict");
      expect(conflict.json.error).to.match(/already accepted with other contents/);
    });

    it("takes a batch in one request, all or nothing", async function () {
      const good = await signedScan(world, world.lots[2]!);
      const bad = await signedScan(world, world.lots[2]!);
      const tampered = {
        ...(wire(bad) as object),
        reading: { ...(wire(bad) as { reading: object }).reading, grade: 3 },
      };
      const refused = await post(`${relay.url}/v1/qat/readings`, { readings: [wire(good), tampered] });
      expect(refused.status).to.equal(401);
      expect(refused.json.error).to.match(/^readings\[1\]: signed by 0x[0-9a-fA-F]{40}, not by the device/);
      expect(await relay.store.qatStatus(world.device.address, good.reading.readingId.toString())).to.equal(undefined);

      const both = await post(`${relay.url}/v1/qat/readings`, { readings: [wire(good), wire(bad)] });
      expect(both.status).to.equal(202);
      expect(both.json).to.deep.equal({ accepted: 2, duplicates: 0 });
    });

    it("refuses a reading signed by a key the registry does not know (403 unknown_device)", async function () {
      const signed = await signedScan(world, world.lots[0]!, {}, world.stranger);
      const answer = await post(`${relay.url}/v1/qat/readings`, wire(signed));
      expect(answer.status).to.equal(403);
      expect(answer.json).to.deep.equal({
        error: `request: ${world.stranger.address} is not a registered QAT device`,
        reason: "unknown_device",
      });
    });

    it("refuses malformed readings with one line naming the field (400), and a malleable signature (401)", async function () {
      const signed = await signedScan(world, world.lots[0]!);
      const body = wire(signed) as { reading: Record<string, unknown>; signature: string };
      const cases: [unknown, RegExp][] = [
        [{ ...body, reading: { ...body.reading, grade: "ten" } }, /grade "ten" is not a whole number 0\.\.255/],
        [{ ...body, reading: { ...body.reading, speciesConfidence: 101 } }, /speciesConfidence 101 is above 100 %/],
        [wire(await signedScan(world, world.lots[0]!, { grade: 11 })), /grade 11 is above the scale's 10/],
        [{ ...body, reading: { ...body.reading, scannedAt: Math.floor(Date.now() / 1000) + 3_600 } }, /in the future/],
        [{ ...body, extra: 1 }, /unknown field "extra"/],
        [{ readings: "all of them" }, /readings must be a list/],
        [{ readings: [] }, /readings is empty/],
      ];
      for (const [request, message] of cases) {
        const answer = await post(`${relay.url}/v1/qat/readings`, request);
        expect(answer.status, String(message)).to.equal(400);
        expect(answer.json.reason).to.equal("malformed");
        expect(String(answer.json.error)).to.match(message);
        expect(String(answer.json.error)).to.not.include("\n");
      }
      // s and n - s sign the same digest; the ledger (OpenZeppelin ECDSA) refuses the high one, so does the relay.
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const sig = getBytes(body.signature);
      const s = BigInt("0x" + Buffer.from(sig.subarray(32, 64)).toString("hex"));
      const high = Buffer.from((n - s).toString(16).padStart(64, "0"), "hex");
      const flipped = new Uint8Array(sig);
      flipped.set(high, 32);
      flipped[64] = sig[64] === 27 ? 28 : 27;
      const malleable = await post(`${relay.url}/v1/qat/readings`, {
        ...body,
        signature: "0x" + Buffer.from(flipped).toString("hex"),
      });
      expect(malleable.status).to.equal(401);
      expect(malleable.json.error).to.match(/signature is malformed/);
    });

    it("settles a reading the ledger refuses (no such lot) without holding up the others", async function () {
      const missing = await signedScan(world, 999_999n);
      const fine = await signedScan(world, world.lots[3]!);
      expect((await post(`${relay.url}/v1/qat/readings`, { readings: [wire(missing), wire(fine)] })).status).to.equal(
        202,
      );
      const ledger = world.fishTrace.qualityLedger;
      await eventually(() => ledger.isAccepted(world.device.address, fine.reading.readingId), 15_000, "the good scan");
      const statusUrl = `${relay.url}/v1/qat/readings/${world.device.address}/${missing.reading.readingId}`;
      await eventually(async () => (await get(statusUrl)).json.state === "refused", 5_000, "refused");
      expect((await get(statusUrl)).json.reason).to.match(/lot 999999 does not exist at any stage/);
      expect(await ledger.isAccepted(world.device.address, missing.reading.readingId)).to.equal(false);
    });

    it("marks a reading someone else already put on chain as done, not sent again", async function () {
      const signed = await signedScan(world, world.lots[0]!);
      const ledger = world.fishTrace.qualityLedger;
      await (await ledger.submitScan(stageNumber("harvester"), signed.reading, signed.signature)).wait();
      const before = await metric(relay, "fishtrace_relay_readings_onchain_total", { outcome: "already_on_chain" });
      expect((await post(`${relay.url}/v1/qat/readings`, wire(signed))).status).to.equal(202);
      const statusUrl = `${relay.url}/v1/qat/readings/${world.device.address}/${signed.reading.readingId}`;
      await eventually(async () => (await get(statusUrl)).json.state === "done", 15_000, "done");
      expect((await get(statusUrl)).json.outcome).to.equal("already_on_chain");
      expect(await metric(relay, "fishtrace_relay_readings_onchain_total", { outcome: "already_on_chain" })).to.equal(
        before + 1,
      );
    });

    it("counts the flags its transactions raise: a saithe scanned on a cod lot is a species mismatch", async function () {
      const before = await metric(relay, "fishtrace_relay_flags_total", { flag: "species_mismatch" });
      const signed = await signedScan(world, world.lots[1]!, { species: POK });
      expect((await post(`${relay.url}/v1/qat/readings`, wire(signed))).status).to.equal(202);
      await eventually(
        async () => (await metric(relay, "fishtrace_relay_flags_total", { flag: "species_mismatch" })) === before + 1,
        15_000,
        "the mismatch flag",
      );
    });
  });

  describe("the door", function () {
    it("gives each kind of bad request its own answer", async function () {
      const url = `${relay.url}/v1/qat/readings`;
      const text = await fetch(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" });
      expect(text.status).to.equal(415);
      expect(((await text.json()) as { reason: string }).reason).to.equal("content_type");

      const huge = await post(url, { readings: "x".repeat(2 << 20) });
      expect(huge.status).to.equal(413);
      expect(huge.json.reason).to.equal("too_large");

      const notJson = await post(url, "{ readings: ");
      expect(notJson.status).to.equal(400);
      expect(notJson.json.error).to.match(/^the body is not JSON/);

      const wrongMethod = await fetch(url);
      expect(wrongMethod.status).to.equal(405);
      expect(wrongMethod.headers.get("allow")).to.equal("POST");

      expect((await get(`${relay.url}/v2/everything`)).status).to.equal(404);
      expect((await get(`${relay.url}/v1/qat/readings/nobody/1`)).status).to.equal(400);
      expect((await get(`${relay.url}/v1/qat/readings/${world.device.address}/424242`)).status).to.equal(404);

      expect(await metric(relay, "fishtrace_relay_readings_rejected_total", { reason: "content_type" })).to.be.at.least(
        1,
      );
      expect(await metric(relay, "fishtrace_relay_readings_rejected_total", { reason: "too_large" })).to.be.at.least(1);
    });

    it("reports health and the metrics Prometheus scrapes", async function () {
      const health = await get(`${relay.url}/healthz`);
      expect(health.status).to.equal(200);
      expect(health.json).to.include({ status: "ok", chainId: world.chainId.toString(), rpc: "ok" });
      expect(health.json.relayer).to.equal(world.relayWallet.address);

      const text = await (await fetch(`${relay.url}/metrics`)).text();
      for (const name of [
        "fishtrace_relay_readings_accepted_total",
        "fishtrace_relay_queue_depth",
        "fishtrace_relay_batch_size_bucket",
        "fishtrace_relay_submission_seconds_bucket",
        "fishtrace_relay_gas_used_total",
        "fishtrace_relay_last_block",
        "process_cpu_seconds_total",
      ]) {
        expect(text, name).to.include(name);
      }
      expect(await metric(relay, "fishtrace_relay_gas_used_total", { kind: "qat" })).to.be.greaterThan(0);
      expect(await metric(relay, "fishtrace_relay_last_block")).to.be.greaterThan(0);
    });
  });

  describe("sensor readings", function () {
    const sensor = new Wallet(id("FishTrace relay test: hold sensor")).address;
    let base = 0;
    let readings: { sensor: string; readAt: number; temperature: number; humidity: number }[] = [];

    before(async function () {
      base = (await chainNow(world)) - 600;
      readings = Array.from({ length: 12 }, (_, i) => ({
        sensor,
        readAt: base + i * 30,
        temperature: i === 7 ? 6.5 : 1.5,
        humidity: 85,
      }));
    });

    it("anchors a gateway's signed readings and serves each reading's proof, which the ledger verifies", async function () {
      const request = await sensorPost(world.gateway, { stage: "harvester", lots: [String(world.lots[0])], readings });
      const answer = await post(`${relay.url}/v1/sensor/readings`, request.body, request.headers);
      expect(answer.status, JSON.stringify(answer.json)).to.equal(202);
      expect(answer.json).to.deep.equal({ accepted: 12, duplicates: 0 });

      const url = `${relay.url}/v1/sensor/readings/${sensor}/${base + 7 * 30}`;
      await eventually(async () => (await get(url)).json.state === "done", 15_000, "the anchor");
      const { json } = await get(url);
      const root = json.root as string;
      const proof = json.proof as string[];
      // The reading in the units it was posted in (°C); the leaf as the tree and verifyReading take it (0.01 °C);
      // the gateway that anchored the root, which verifyReading checks.
      expect(json.reading).to.deep.equal({ sensor, readAt: base + 210, temperature: 6.5, humidity: 85 });
      const reading = json.leaf as { sensor: string; readAt: number; temperature: number; humidity: number };
      expect(reading).to.deep.equal({ sensor, readAt: base + 210, temperature: 650, humidity: 85 });
      expect(json.gateway).to.equal(world.relayWallet.address);
      const ledger = world.fishTrace.qualityLedger;
      expect(await ledger.verifyReading(json.gateway as string, root, reading, proof)).to.equal(true);
      const expected = sensorTree(readings.map((r) => ({ ...r, temperature: Math.round(r.temperature * 100) })));
      expect(root).to.equal(expected.root);
      expect(proof).to.deep.equal(proofOf(expected, reading));
      expect((await ledger.anchorOf(world.relayWallet.address, root)).count).to.equal(12n);
      expect(await metric(relay, "fishtrace_relay_flags_total", { flag: "excursion" })).to.equal(1);
    });

    it("refuses a post that is unsigned, signed by another key, or from a key that is no gateway", async function () {
      const request = await sensorPost(world.gateway, { stage: "harvester", lots: [1], readings });
      const url = `${relay.url}/v1/sensor/readings`;
      const unsigned = await post(url, request.body);
      expect(unsigned.status).to.equal(401);
      expect(unsigned.json.error).to.match(/no x-fishtrace-signature header/);

      const altered = await post(url, request.body.replace('"humidity":85', '"humidity":20'), request.headers);
      expect(altered.status).to.equal(401);
      expect(altered.json.error).to.match(/not by the gateway/);

      const stranger = await sensorPost(world.stranger, { stage: "harvester", lots: [1], readings });
      const unknown = await post(url, stranger.body, stranger.headers);
      expect(unknown.status).to.equal(403);
      expect(unknown.json).to.deep.equal({
        error: `${world.stranger.address} is not a registered sensor gateway`,
        reason: "unknown_device",
      });

      const badStage = await sensorPost(world.gateway, { stage: "fishmonger", lots: [1], readings });
      const stage = await post(url, badStage.body, badStage.headers);
      expect(stage.status).to.equal(400);
      expect(stage.json.error).to.match(/fishmonger/);
    });

    it("answers a repeated post idempotently and a changed reading with 409", async function () {
      const request = await sensorPost(world.gateway, { stage: "harvester", lots: [String(world.lots[0])], readings });
      const again = await post(`${relay.url}/v1/sensor/readings`, request.body, request.headers);
      expect(again.status).to.equal(202);
      expect(again.json).to.deep.equal({ accepted: 0, duplicates: 12 });
      const changed = readings.map((r, i) => (i === 3 ? { ...r, temperature: 9 } : r));
      const other = await sensorPost(world.gateway, {
        stage: "harvester",
        lots: [String(world.lots[0])],
        readings: changed,
      });
      const conflict = await post(`${relay.url}/v1/sensor/readings`, other.body, other.headers);
      expect(conflict.status).to.equal(409);
      expect(conflict.json.error).to.match(/already reported a different reading/);
    });
  });

  describe("restarts", function () {
    it("resumes from its store: readings acknowledged by a stopped relay go on chain from the next one", async function () {
      const paused = await relayFor(world, "restart.sqlite", { submitter: { maxAgeMs: 3_600_000, qatBatch: 500 } });
      const scans = await Promise.all([0, 1, 2].map((i) => signedScan(world, world.lots[i]!)));
      expect((await post(`${paused.url}/v1/qat/readings`, { readings: scans.map(wire) })).status).to.equal(202);
      await paused.close();
      const ledger = world.fishTrace.qualityLedger;
      for (const s of scans) expect(await ledger.isAccepted(world.device.address, s.reading.readingId)).to.equal(false);

      const resumed = await relayFor(world, "restart.sqlite");
      try {
        for (const s of scans) {
          await eventually(() => ledger.isAccepted(world.device.address, s.reading.readingId), 15_000, "resumed scans");
        }
        await eventually(() => resumed.store.queueDepth("qat") === 0, 5_000, "an empty queue");
      } finally {
        await resumed.close();
      }
    });

    it("refuses a store written for another deployment", async function () {
      await relay.close();
      const second = await deployFishTrace(world.connection);
      let error: unknown;
      try {
        await startRelay({
          provider: world.provider,
          wallet: world.relayWallet,
          addresses: await addressesOf(second),
          database: relay.store.file,
          port: 0,
        });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(InputError);
      expect((error as Error).message).to.match(
        /^the relay store .*main\.sqlite belongs to the quality ledger 0x[0-9a-fA-F]{40} on chain 31337, not 0x/,
      );
    });
  });
});
