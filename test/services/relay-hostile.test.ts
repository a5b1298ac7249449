/**
 * The relay under hostile input and faults (issue 17): a calldata field beyond its Solidity type is refused at the
 * door on every path; a group the encoder refuses (kept by an older relay) is settled `refused` and holds up
 * nothing; /healthz says `degraded` when rounds or the RPC fail or the backlog is stale, and answers at once while
 * the node is hung; a device the relay has seen posts without the node (its registry record is kept in the store,
 * across a restart); an unknown one gets 503 with retry-after, never 500.
 *
 * The node's faults are simulated by an EIP-1193 wrapper in front of the in-process chain: `down` refuses every call
 * like a closed port, `hung` never answers (until it is `up` again, when the held calls go through).
 */
import { expect } from "chai";
import { BrowserProvider, Wallet, id } from "ethers";

import type { Relay } from "../../src/services/relay/relay.js";
import { Store } from "../../src/services/relay/store.js";
import { rawUpload } from "../helpers/raw-http.js";
import { stageNumber } from "../../src/core/stages.js";
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

type Mode = "up" | "down" | "hung";

interface FaultyNode {
  provider: BrowserProvider;
  wallet: Wallet;
  set(mode: Mode): void;
}

function faultyNode(world: RelayWorld): FaultyNode {
  let mode: Mode = "up";
  const held: (() => void)[] = [];
  const upstream = world.connection.provider;
  const eip1193 = {
    async request(args: { method: string; params?: unknown[] }): Promise<unknown> {
      if (mode === "down") throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: -32603 });
      if (mode === "hung") await new Promise<void>((resolve) => held.push(resolve));
      return upstream.request(args);
    },
  };
  const provider = new BrowserProvider(eip1193, undefined, { polling: true, pollingInterval: 50 });
  return {
    provider,
    wallet: new Wallet(world.relayWallet.privateKey, provider),
    set(next) {
      mode = next;
      if (next !== "hung") for (const release of held.splice(0)) release();
    },
  };
}

async function get(url: string): Promise<{ status: number; json: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  const response = await fetch(url);
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, json, ms: Date.now() - started };
}

async function metric(relay: Relay, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(name) && l.includes(label));
  return Number(line?.split(" ").at(-1) ?? NaN);
}

describe("relay under hostile input and faults", function () {
  this.timeout(120_000);
  let world: RelayWorld;

  before(async function () {
    world = await relayWorld(3);
  });

  after(function () {
    world?.cleanup();
  });

  it("refuses a sensor post whose lot id is beyond uint256 (400), as the QAT path does", async function () {
    const relay = await relayFor(world, "bounds.sqlite");
    try {
      const beyond = (1n << 256n).toString();
      const readAt = (await chainNow(world)) - 30;
      const readings = [{ sensor: world.gateway.address, readAt, temperature: 2, humidity: 80 }];
      for (const lots of [[beyond], [1e300], ["0x" + "f".repeat(65)]]) {
        const request = await sensorPost(world.gateway, { stage: "harvester", lots, readings });
        const answer = await post(`${relay.url}/v1/sensor/readings`, request.body, request.headers);
        expect(answer.status, JSON.stringify(answer.json)).to.equal(400);
        expect(answer.json.reason).to.equal("malformed");
        expect(answer.json.error).to.match(/lot id .* is not a lot id/);
      }
      const scan = wire(await signedScan(world, world.lots[0]!));
      const qat = await post(`${relay.url}/v1/qat/readings`, {
        ...(scan as object),
        reading: { ...(scan as { reading: object }).reading, lotId: beyond },
      });
      expect(qat.status).to.equal(400);
      expect(relay.store.queueDepth("sensor")).to.equal(0);
    } finally {
      await relay.close();
    }
  });

  it("answers broken percent-encoding in a path with 400 and closes an endless upload after its 413", async function () {
    const relay = await relayFor(world, "door.sqlite");
    try {
      for (const url of ["/v1/qat/readings/%E0%A4%A/1", "/v1/qat/readings/%ZZ/1", "/v1/sensor/readings/0x1/%ZZ"]) {
        const answer = await get(relay.url + url);
        expect(answer.status, url).to.equal(400);
        expect(answer.json.reason).to.equal("malformed");
      }
      const head =
        `POST /v1/sensor/readings HTTP/1.1\r\nHost: 127.0.0.1:${relay.port}\r\nContent-Type: application/json\r\n` +
        "Transfer-Encoding: chunked\r\n\r\n";
      const started = Date.now();
      const result = await rawUpload(relay.port, head, Buffer.from(`10000\r\n${"x".repeat(0x10000)}\r\n`), 8_000);
      expect(result.answer).to.match(/^HTTP\/1\.1 413 /);
      expect(result.closed, "the relay closed the connection").to.equal(true);
      expect(Date.now() - started).to.be.below(5_000);
      expect((await get(`${relay.url}/healthz`)).status).to.equal(200);
    } finally {
      await relay.close();
    }
  });

  it("serves sensor proofs from what it kept at anchoring: 20 concurrent GETs on a 2,048-reading batch leave /healthz fast", async function () {
    const relay = await relayFor(world, "proofs.sqlite", { submitter: { sensorBatch: 2_048 } });
    try {
      const sensor = new Wallet(id("FishTrace hostile test: proof sensor")).address;
      const base = (await chainNow(world)) - 4_000;
      const readings = Array.from({ length: 2_048 }, (_, i) => ({
        sensor,
        readAt: base + i,
        temperature: 1 + (i % 7) / 10,
        humidity: 80,
      }));
      const request = await sensorPost(world.gateway, { stage: "harvester", lots: [String(world.lots[0])], readings });
      expect((await post(`${relay.url}/v1/sensor/readings`, request.body, request.headers)).status).to.equal(202);
      const url = (i: number) => `${relay.url}/v1/sensor/readings/${sensor}/${base + i}`;
      await eventually(async () => (await get(url(2_047))).json.state === "done", 30_000, "the batch anchored");

      const gets = Array.from({ length: 20 }, (_, k) => get(url(k * 100)));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const health = await get(`${relay.url}/healthz`);
      const answers = await Promise.all(gets);
      expect(health.ms, `/healthz took ${health.ms} ms under 20 proof requests`).to.be.below(100);
      const ledger = world.fishTrace.qualityLedger;
      for (const answer of answers.slice(0, 3)) {
        const { root, proof, leaf, gateway } = answer.json as {
          root: string;
          proof: string[];
          leaf: { sensor: string; readAt: number; temperature: number; humidity: number };
          gateway: string;
        };
        expect(proof).to.have.length(11);
        expect(gateway).to.equal(world.relayWallet.address);
        expect(await ledger.verifyReading(gateway, root, leaf, proof)).to.equal(true);
      }
      const slowest = Math.max(...answers.map((a) => a.ms));
      expect(slowest, `the slowest of 20 proof GETs took ${slowest} ms`).to.be.below(1_000);
    } finally {
      await relay.close();
    }
  });

  it("settles a group the encoder refuses as refused, and the other readings go on chain", async function () {
    // A store an older relay filled: a sensor reading of lot 2^256 (the encoder cannot take it) waits first.
    const file = `${world.dir}/poisoned.sqlite`;
    const old = new Store(file, { sync: "normal", init: true });
    old.bind(world.chainId, world.addresses.qualityLedger);
    const readAt = (await chainNow(world)) - 120;
    const sensor = new Wallet(id("FishTrace hostile test: poisoned sensor")).address;
    const added = await old.addSensor([
      {
        sensor,
        readAt,
        temperature: 200,
        humidity: 80,
        stage: stageNumber("harvester"),
        lots: (1n << 256n).toString(),
        gateway: world.gateway.address,
        receivedAt: Date.now() - 60_000,
      },
    ]);
    expect(added.ok).to.equal(true);
    old.close();

    const relay = await relayFor(world, "poisoned.sqlite");
    try {
      const url = `${relay.url}/v1/sensor/readings/${sensor}/${readAt}`;
      await eventually(async () => (await get(url)).json.state === "refused", 10_000, "the poisoned group refused");
      expect((await get(url)).json.reason).to.match(/^cannot be encoded: /);

      const scan = await signedScan(world, world.lots[1]!);
      expect((await post(`${relay.url}/v1/qat/readings`, wire(scan))).status).to.equal(202);
      const ledger = world.fishTrace.qualityLedger;
      await eventually(() => ledger.isAccepted(world.device.address, scan.reading.readingId), 10_000, "the QAT scan");
      expect((await get(`${relay.url}/healthz`)).json.status).to.equal("ok");
      expect(await metric(relay, "fishtrace_relay_readings_onchain_total", `kind="sensor",outcome="refused"`)).to.equal(
        1,
      );
    } finally {
      await relay.close();
    }
  });

  it("goes on without the node for devices it has seen, answers 503 for others, and says it is degraded", async function () {
    const node = faultyNode(world);
    const options = {
      provider: node.provider,
      wallet: node.wallet,
      heartbeatMs: 200,
      staleAfterMs: 1_500,
    };
    const first = await relayFor(world, "node-away.sqlite", options);
    // Seen once while the node answers: the device's record and the cod grade scale are kept in the store.
    try {
      expect(
        (await post(`${first.url}/v1/qat/readings`, wire(await signedScan(world, world.lots[2]!)))).status,
      ).to.equal(202);
    } finally {
      await first.close();
    }

    const relay = await relayFor(world, "node-away.sqlite", options);
    try {
      // The first relay's reading may be older than staleAfterMs by the time this one runs: ok once it is sent.
      await eventually(async () => (await get(`${relay.url}/healthz`)).json.status === "ok", 10_000, "a healthy start");
      for (const mode of ["down", "hung"] as const) {
        node.set(mode);
        const known = await post(`${relay.url}/v1/qat/readings`, wire(await signedScan(world, world.lots[2]!)));
        expect(known.status, `${mode}: ${JSON.stringify(known.json)}`).to.equal(202);

        const stranger = new Wallet(id(`FishTrace hostile test: stranger while ${mode}`));
        const started = Date.now();
        const response = await fetch(`${relay.url}/v1/qat/readings`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(wire(await signedScan(world, world.lots[2]!, {}, stranger))),
        });
        expect(response.status, mode).to.equal(503);
        expect(response.headers.get("retry-after")).to.match(/^\d+$/);
        const body = (await response.json()) as { reason: string; error: string };
        expect(body.reason).to.equal("node_unavailable");
        expect(body.error).to.not.include("\n");
        expect(Date.now() - started).to.be.below(5_000);

        await eventually(
          async () => ((await get(`${relay.url}/healthz`)).json.degraded as string[]).includes("rpc_failing"),
          5_000,
          `${mode}: rpc_failing`,
        );
        await eventually(
          async () => ((await get(`${relay.url}/healthz`)).json.degraded as string[]).includes("backlog_stale"),
          5_000,
          `${mode}: backlog_stale`,
        );
        const health = await get(`${relay.url}/healthz`);
        expect(health.json.status).to.equal("degraded");
        expect(health.ms, `${mode}: /healthz took ${health.ms} ms`).to.be.below(100);
        expect(await metric(relay, "fishtrace_relay_degraded", 'reason="rpc_failing"')).to.equal(1);
        node.set("up");
        await eventually(async () => (await get(`${relay.url}/healthz`)).json.status === "ok", 15_000, "recovery");
      }
    } finally {
      node.set("up");
      await relay.close();
    }
  });

  it("says rounds_failing while its submission rounds fail", async function () {
    const node = faultyNode(world);
    const relay = await relayFor(world, "rounds.sqlite", { provider: node.provider, wallet: node.wallet });
    try {
      expect(
        (await post(`${relay.url}/v1/qat/readings`, wire(await signedScan(world, world.lots[0]!)))).status,
      ).to.equal(202);
      await eventually(() => relay.store.queueDepth("qat") === 0, 10_000, "the scan on chain");
      node.set("down");
      expect(
        (await post(`${relay.url}/v1/qat/readings`, wire(await signedScan(world, world.lots[0]!)))).status,
      ).to.equal(202);
      await eventually(
        async () => ((await get(`${relay.url}/healthz`)).json.degraded as string[]).includes("rounds_failing"),
        5_000,
        "rounds_failing",
      );
      expect(await metric(relay, "fishtrace_relay_round_failures_total", "")).to.be.greaterThan(0);
    } finally {
      node.set("up");
      await relay.close();
    }
  });
});
