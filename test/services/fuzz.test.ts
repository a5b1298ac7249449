/**
 * A seeded, bounded fuzz of the HTTP services (issue 17): the relay, the trace API (with the analytics) and the dApp's
 * web server each take a few hundred generated requests — broken percent-encodings, numbers beyond their types,
 * foreign hosts and origins, wrong content types, malformed and oversized JSON, correctly signed sensor posts whose
 * fields are out of range — sent 16 at a time. None may answer 500 (or anything outside 2xx–5xx), none may stop
 * answering, /healthz must answer within 100 ms between the waves, the process's heap must stay bounded, and the
 * relay must still put a valid reading on chain afterwards (nothing it accepted jams its queue).
 *
 * The seed is fixed (FUZZ_SEED overrides it); a failure names the request that caused it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { openIndex, type Sql } from "../../src/index/db.js";
import { SCHEMA } from "../../src/index/schema.js";
import type { Relay } from "../../src/services/relay/relay.js";
import { analyticsRoutes } from "../../src/services/analytics/http.js";
import { mulberry32 } from "../../src/core/random.js";
import { RPC_METHODS, startStaticServer, type StaticServer } from "../../src/services/web/server.js";
import { listenTrace, type TraceService } from "../../src/services/trace/http.js";
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
import { testWebConfig } from "../helpers/web-config-fixture.js";

const SEED = Number(process.env.FUZZ_SEED ?? 0x17_f022);
const REQUESTS_PER_SERVICE = 600;
const WAVE = 16;

interface Fuzzed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** One request through node:http (which sends the Host it is given); its status, or 0 when the connection failed. */
function send(base: string, r: Fuzzed): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    // A connection of its own for each request (agent: false): what one request does to its connection cannot
    // then be mistaken for what the server did to another's.
    const req = request(base + r.path, { method: r.method, headers: r.headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text.length < 4_096 ? (text += d) : undefined));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.setTimeout(20_000, () => req.destroy());
    req.on("error", (err) => resolve({ status: 0, text: err.message }));
    req.end(r.body);
  });
}

async function healthMs(base: string): Promise<number> {
  const started = Date.now();
  const { status, text } = await send(base, { method: "GET", path: "/healthz", headers: {} });
  expect(status, `${base}/healthz: ${text}`).to.be.oneOf([200, 503]);
  return Date.now() - started;
}

/** The values a fuzzer tries where a number, an id or a text belongs. */
const NASTY: readonly (string | number | null | boolean | object)[] = [
  0,
  -1,
  1,
  2 ** 31,
  2 ** 53,
  1e300,
  -1e300,
  0.5,
  "1e3",
  "0x" + "f".repeat(65),
  (1n << 256n).toString(),
  ((1n << 256n) - 1n).toString(),
  (1n << 64n).toString(),
  "",
  " ",
  "%",
  "%E0%A4%A",
  "%ZZ",
  "\u0000",
  "\uD800",
  "☃".repeat(50),
  "a".repeat(5_000),
  "../../etc/passwd",
  "'; DROP TABLE lots; --",
  null,
  true,
  [],
  {},
  { $gt: "" },
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function segment(random: () => number): string {
  const value = pick(random, NASTY);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  // Half sent raw (broken encodings stay broken), half percent-encoded.
  if (random() < 0.5) return text.replace(/[/?#\s]/g, "");
  try {
    return encodeURIComponent(text);
  } catch {
    return "%ED%A0%80"; // a lone surrogate, as its UTF-8 bytes: valid percent-encoding, invalid UTF-8
  }
}

function headersOf(random: () => number, base: string): Record<string, string> {
  const host = new URL(base).host;
  const headers: Record<string, string> = {
    host: pick(random, [host, host, host, "evil.example", `localhost:${new URL(base).port}`, ""]),
  };
  const type = pick(random, [
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
  ]);
  if (type !== "") headers["content-type"] = type;
  const origin = pick(random, [undefined, base, "http://evil.example", "null"]);
  if (origin !== undefined) headers.origin = origin;
  if (headers.host === "") delete headers.host;
  return headers;
}

function bodyOf(random: () => number, shapes: readonly unknown[]): string {
  const roll = random();
  if (roll < 0.1) return "{not json";
  if (roll < 0.15) return "[".repeat(5_000);
  if (roll < 0.2) return JSON.stringify({ readings: Array.from({ length: 20_000 }, () => 1) });
  const shape = structuredClone(pick(random, shapes)) as Record<string, unknown>;
  mutate(random, shape, 3);
  return JSON.stringify(shape);
}

/** Replaces a few values deep in `value` with nasty ones. */
function mutate(random: () => number, value: Record<string, unknown> | unknown[], depth: number): void {
  const keys = Object.keys(value);
  if (keys.length === 0) return;
  for (let n = 0; n < 1 + Math.floor(random() * 2); n++) {
    const key = pick(random, keys);
    const current = (value as Record<string, unknown>)[key];
    if (depth > 0 && current !== null && typeof current === "object" && random() < 0.6) {
      mutate(random, current as Record<string, unknown>, depth - 1);
    } else (value as Record<string, unknown>)[key] = structuredClone(pick(random, NASTY));
  }
}

/** Runs `requests` 16 at a time; every answer must be 2xx–4xx or 503; /healthz is timed between waves. */
async function hammer(base: string, requests: Fuzzed[]): Promise<{ statuses: Map<number, number>; slowest: number }> {
  const statuses = new Map<number, number>();
  let slowest = 0;
  for (let i = 0; i < requests.length; i += WAVE) {
    const wave = requests.slice(i, i + WAVE);
    const answers = await Promise.all(wave.map((r) => send(base, r)));
    answers.forEach((answer, j) => {
      const r = wave[j]!;
      const what = `${r.method} ${r.path.slice(0, 120)} (${JSON.stringify(r.headers)}) ${r.body?.slice(0, 200) ?? ""}`;
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      expect(answer.status, `${what} → ${answer.text.slice(0, 300)}`).to.not.equal(500);
      // A connection may be closed after a 413 is answered; never before an answer otherwise.
      if (answer.status === 0) expect(r.body?.length ?? 0, `${what}: no answer`).to.be.greaterThan(1 << 20);
      else expect(answer.status, what).to.be.within(200, 503);
      if (answer.status >= 400 && answer.text.startsWith("{")) {
        const parsed = JSON.parse(answer.text) as { error?: unknown };
        expect(typeof parsed.error === "string" && !parsed.error.includes("\n"), `${what}: one-line error`).to.equal(
          true,
        );
      }
    });
    slowest = Math.max(slowest, await healthMs(base));
  }
  return { statuses, slowest };
}

const CONFIG = testWebConfig;

describe("services fuzz (seeded, bounded): no 500, no crash, /healthz fast, memory bounded", function () {
  this.timeout(300_000);
  let world: RelayWorld;
  let relay: Relay;
  let index: Sql;
  let trace: TraceService;
  let web: StaticServer;
  let node: Server;
  let dist: string;
  let heapBefore = 0;
  /** The JSON-RPC methods that reached the stand-in node through /rpc. */
  const nodeSaw = new Set<string>();

  before(async function () {
    world = await relayWorld(2);
    relay = await relayFor(world, "fuzz.sqlite");
    index = await openIndex({ dir: "memory://" });
    await index.exec(SCHEMA);
    trace = await listenTrace(index, { port: 0, analytics: analyticsRoutes(index) });
    node = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        try {
          const parsed = JSON.parse(body) as { method?: unknown } | { method?: unknown }[];
          for (const call of Array.isArray(parsed) ? parsed : [parsed]) nodeSaw.add(String(call.method));
        } catch {
          nodeSaw.add("(not JSON)");
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"jsonrpc":"2.0","id":1,"result":"0x7a69"}');
      });
    });
    await new Promise<void>((resolve) => node.listen(0, "127.0.0.1", resolve));
    dist = await mkdtemp(path.join(tmpdir(), "fishtrace-fuzz-"));
    await writeFile(path.join(dist, "index.html"), "<!doctype html><title>fuzz</title>\n");
    web = await startStaticServer({
      root: dist,
      port: 0,
      config: CONFIG,
      nodeUrl: `http://127.0.0.1:${(node.address() as AddressInfo).port}`,
      traceUrl: trace.url,
    });
    global.gc?.();
    heapBefore = process.memoryUsage().heapUsed;
  });

  after(async function () {
    await web?.close();
    await trace?.close();
    await index?.close();
    await new Promise<void>((resolve) => (node === undefined ? resolve() : node.close(() => resolve())));
    await relay?.close();
    world?.cleanup();
    if (dist !== undefined) await rm(dist, { recursive: true, force: true });
  });

  it("the relay", async function () {
    const random = mulberry32(SEED);
    const now = await chainNow(world);
    const scan = wire(await signedScan(world, world.lots[0]!));
    const sensorShape = {
      gateway: world.gateway.address,
      stage: "harvester",
      lots: [String(world.lots[0])],
      readings: [{ sensor: world.gateway.address, readAt: now - 60, temperature: 1.5, humidity: 80 }],
    };
    // The attacks of the issue first, then generated ones.
    const beyond = await sensorPost(world.gateway, { ...sensorShape, lots: [(1n << 256n).toString()] });
    const requests: Fuzzed[] = [
      { method: "GET", path: "/v1/qat/readings/%E0%A4%A/1", headers: {} },
      { method: "GET", path: "/v1/sensor/readings/%ZZ/1", headers: {} },
      {
        method: "POST",
        path: "/v1/sensor/readings",
        headers: { "content-type": "application/json", ...beyond.headers },
        body: beyond.body,
      },
      { method: "POST", path: "/v1/qat/readings", headers: { "content-type": "text/plain" }, body: "{}" },
    ];
    for (let i = 0; i < REQUESTS_PER_SERVICE; i++) {
      const roll = random();
      if (roll < 0.35) {
        // A correctly signed sensor post with fuzzed fields: it gets past the signature to the field checks.
        const shape = structuredClone(sensorShape) as Record<string, unknown>;
        mutate(random, shape, 3);
        const { gateway: _, ...rest } = shape;
        const signed = await sensorPost(world.gateway, rest as Parameters<typeof sensorPost>[1]);
        requests.push({
          method: "POST",
          path: "/v1/sensor/readings",
          headers: { "content-type": "application/json", ...signed.headers },
          body: signed.body,
        });
      } else if (roll < 0.7) {
        requests.push({
          method: pick(random, ["POST", "POST", "PUT", "GET"]),
          path: pick(random, ["/v1/qat/readings", "/v1/sensor/readings", "/v1/qat/readings/"]),
          headers: headersOf(random, relay.url),
          body: bodyOf(random, [scan, { readings: [scan, scan] }, sensorShape]),
        });
      } else {
        requests.push({
          method: pick(random, ["GET", "GET", "DELETE", "OPTIONS"]),
          path: `/v1/${pick(random, ["qat", "sensor", "x"])}/readings/${segment(random)}/${segment(random)}`,
          headers: headersOf(random, relay.url),
        });
      }
    }
    const { statuses, slowest } = await hammer(relay.url, requests);
    expect(slowest, `/healthz took ${slowest} ms`).to.be.below(100);
    expect(statuses.get(202) ?? 0, "some fuzzed posts were valid").to.be.greaterThan(0);

    // Whatever it accepted, the queue moves: a valid scan reaches the chain.
    const fresh = await signedScan(world, world.lots[1]!);
    expect((await post(`${relay.url}/v1/qat/readings`, wire(fresh))).status).to.equal(202);
    const ledger = world.fishTrace.qualityLedger;
    await eventually(() => ledger.isAccepted(world.device.address, fresh.reading.readingId), 20_000, "a scan on chain");
    await eventually(() => relay.store.queueDepth("sensor") === 0, 20_000, "the sensor queue drained");
  });

  it("the trace API and the analytics", async function () {
    const random = mulberry32(SEED + 1);
    const huge = (1n << 256n).toString();
    const requests: Fuzzed[] = [
      "/v1/analytics/forecast?retailer=2147483648",
      `/v1/analytics/dispatch?hub=${huge}`,
      "/v1/journey/%E0%A4%A",
      "/v1/trace/%ZZ",
      `/v1/journey/1?limit=${huge}`,
    ].map((p) => ({ method: "GET", path: p, headers: {} }));
    for (let i = 0; i < REQUESTS_PER_SERVICE; i++) {
      const param = () =>
        `${pick(random, ["lot", "link", "retailer", "hub", "species", "days", "offset", "limit", "direction", "format", "x"])}=${segment(random)}`;
      requests.push({
        method: pick(random, ["GET", "GET", "GET", "HEAD", "OPTIONS", "POST"]),
        path:
          pick(random, [
            `/v1/trace/${segment(random)}`,
            `/v1/journey/${segment(random)}`,
            `/v1/participants/${segment(random)}`,
            "/v1/trace",
            "/v1/journey",
            "/v1/analytics/forecast",
            "/v1/analytics/dispatch",
            "/v1/analytics/anomalies",
            "/v1/analytics/model",
            `/${segment(random)}`,
          ]) + `?${param()}&${param()}`,
        headers: headersOf(random, trace.url),
      });
    }
    const { slowest } = await hammer(trace.url, requests);
    expect(slowest, `/healthz took ${slowest} ms`).to.be.below(100);
  });

  it("the dApp's web server", async function () {
    const random = mulberry32(SEED + 2);
    const rpcShapes = [
      { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: 1, method: "hardhat_setBalance", params: ["0x1", "0x1"] },
      [{ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{}] }],
    ];
    const requests: Fuzzed[] = [
      {
        method: "POST",
        path: "/rpc",
        headers: { "content-type": "text/plain", origin: "http://evil.example" },
        body: JSON.stringify(rpcShapes[1]),
      },
      {
        method: "POST",
        path: "/rpc",
        headers: { "content-type": "application/json", host: "evil.example" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{}] }),
      },
    ];
    for (let i = 0; i < REQUESTS_PER_SERVICE; i++) {
      const roll = random();
      requests.push(
        roll < 0.5
          ? {
              method: pick(random, ["POST", "POST", "GET", "PUT"]),
              path: "/rpc",
              headers: headersOf(random, web.url),
              body: bodyOf(random, rpcShapes),
            }
          : {
              method: pick(random, ["GET", "GET", "HEAD", "DELETE"]),
              path: pick(random, [
                `/api/v1/journey/${segment(random)}`,
                `/api/${segment(random)}`,
                `/${segment(random)}`,
                `/assets/${segment(random)}`,
                `/lot/${segment(random)}`,
                "/config.json",
              ]),
              headers: headersOf(random, web.url),
            },
      );
    }
    const { slowest } = await hammer(web.url, requests);
    expect(slowest, `/healthz took ${slowest} ms`).to.be.below(100);
    expect(nodeSaw.size, "some calls reached the node").to.be.greaterThan(0);
    for (const method of nodeSaw) expect(RPC_METHODS.has(method), `${method} reached the node`).to.equal(true);
  });

  it("kept its heap bounded", function () {
    global.gc?.();
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    expect(grown, `heap grew ${grown.toFixed(0)} MiB over the fuzz`).to.be.below(256);
  });
});
