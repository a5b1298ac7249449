/**
 * The relay's load benchmark: a `hardhat node` with FishTrace deployed, the relay as its own process with its
 * default settings (durable store, synchronous=FULL), and a load generator in this process posting pre-signed
 * readings. The goal rates (1,000 signed QAT readings/s, 5,000 sensor readings/s, open loop) run BENCH_RUNS times in
 * a row while the relay's submitter works through the growing queue; then saturated phases (a fixed number of
 * requests in flight) find the ceiling. Prints accepted readings per second, p50 / p99 / max acknowledgement
 * latency as the client saw it and as the relay did, the CPU each process spent, what reached the chain and its gas.
 * A benchmark printing figures, not a test.
 *
 *   npm run bench:relay      (hardhat run --no-compile src/tools/bench/relay.ts)
 *
 * Environment: BENCH_RUNS (5), BENCH_WARMUP_RUNS (1: rounds at the goal rates before the counted runs, printed,
 * not counted), BENCH_SECONDS (6, per phase), BENCH_QAT_CONCURRENCY (32), BENCH_QAT_BATCH (10,
 * readings per request of the second saturated QAT line; 0 skips it), BENCH_QAT_BATCH_SECONDS (3),
 * BENCH_SENSOR_CONCURRENCY (8), BENCH_SENSOR_READINGS (100 per post), BENCH_DEVICES (8), BENCH_DRAIN_SECONDS (20:
 * how long the queue may drain after the load), BENCH_RELAY_CPU_PROF (a directory: each relay process writes a V8
 * CPU profile there when it stops, to see where its time goes), BENCH_POSTGRES (1: the saturated phases again on a
 * PostgreSQL store the bench starts, with one relay and with two; 0 skips them).
 */
import http from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import { getAddress, getBytes, hashMessage, hexlify, id, type Wallet } from "ethers";
import secp256k1 from "secp256k1";
import { z } from "zod";

import { readingDigester, signReading, type QatReading } from "../../core/qat.js";
import { freePort } from "../processes.js";
import { startPostgres, type RunningPostgres } from "../postgres.js";
import { startRelayProcess, startStack, type RelayProcess, type Stack } from "../relay-stack.js";
import { defined } from "../checked.js";
import { envNumber } from "./env.js";
import { percentile } from "./stats.js";

const RUNS = envNumber("BENCH_RUNS", 5);
/** Rounds at the goal rates before the counted runs, printed but not counted: the relay's first seconds. */
const WARMUP_RUNS = envNumber("BENCH_WARMUP_RUNS", 1);
/** 0 skips the PostgreSQL phases (one relay, then two, on one queue). */
const BENCH_POSTGRES = envNumber("BENCH_POSTGRES", 1) !== 0;
const SECONDS = envNumber("BENCH_SECONDS", 6);
const QAT_CONCURRENCY = envNumber("BENCH_QAT_CONCURRENCY", 32);
const QAT_BATCH = envNumber("BENCH_QAT_BATCH", 10);
const SENSOR_CONCURRENCY = envNumber("BENCH_SENSOR_CONCURRENCY", 8);
const SENSOR_READINGS = envNumber("BENCH_SENSOR_READINGS", 100);
const DEVICES = envNumber("BENCH_DEVICES", 8);
const DRAIN_SECONDS = envNumber("BENCH_DRAIN_SECONDS", 20);
const QAT_BATCH_SECONDS = envNumber("BENCH_QAT_BATCH_SECONDS", Math.min(3, SECONDS));

const GOAL_QAT = 1_000;
const GOAL_SENSOR = 5_000;
const GOAL_P99_MS = 50;
/** Open-loop phases leave their first second out of the percentiles (new connections, JIT), and say so. */
const WARMUP_MS = envNumber("BENCH_WARMUP_MS", 1_000);
/** Readings pre-signed per second of a phase, at most (more than the relay can take on this machine). */
const QAT_POOL_PER_SECOND = envNumber("BENCH_QAT_POOL_PER_SECOND", 2_500);
const SENSOR_POOL_PER_SECOND = envNumber("BENCH_SENSOR_POOL_PER_SECOND", 12_000);

// ------------------------------------------------------------------ signing

/** A 65-byte signature r‖s‖v (v 27/28) of `digest` by `key`, through libsecp256k1 (~0.05 ms; ethers ~1.5 ms). */
function nativeSign(digest: Uint8Array, key: Uint8Array): string {
  const { signature, recid } = secp256k1.ecdsaSign(digest, key);
  const out = new Uint8Array(65);
  out.set(signature, 0);
  out[64] = 27 + recid;
  return hexlify(out);
}

function qatJson(r: QatReading, signature: string): string {
  return (
    `{"reading":{"readingId":"${r.readingId}","lotId":"${r.lotId}","species":"${r.species}",` +
    `"speciesConfidence":${r.speciesConfidence},"grade":${r.grade},"gradeConfidence":${r.gradeConfidence},` +
    `"scannedAt":${r.scannedAt},"device":"${r.device}"},"signature":"${signature}"}`
  );
}

interface QatPool {
  /** Request bodies, each `perRequest` readings. */
  bodies: string[];
  perRequest: number;
}

/** Pre-signs `count` readings, round-robin over the devices and lots, as bodies of `perRequest` readings. */
async function signQat(
  stack: Stack,
  devices: Wallet[],
  count: number,
  perRequest: number,
  next: bigint[],
): Promise<QatPool> {
  const digest = readingDigester(stack.domain);
  const keys = devices.map((d) => getBytes(d.privateKey));
  const scannedAt = Math.floor(Date.now() / 1000) - 60;
  const items: string[] = [];
  let checked = 0;
  for (let i = 0; i < count; i++) {
    const d = i % devices.length;
    const device = defined(devices[d], `QAT device ${d}`);
    const readingId = defined(next[d], `the next reading id of QAT device ${d}`);
    next[d] = readingId + 1n;
    const reading: QatReading = {
      readingId,
      lotId: defined(stack.lots[i % stack.lots.length], "a lot of the stack"),
      species: "0x434f44",
      speciesConfidence: 96,
      grade: 10,
      gradeConfidence: 91,
      scannedAt,
      device: device.address,
    };
    const signature = nativeSign(digest(reading), defined(keys[d], `the key of QAT device ${d}`));
    if (checked < 3) {
      // The native signature must be exactly what ethers signs (RFC 6979, low s): no silently bad posts.
      const expected = await signReading(device, stack.domain, reading);
      if (expected.toLowerCase() !== signature.toLowerCase()) {
        throw new Error(`native QAT signature ${signature} differs from ethers' ${expected}`);
      }
      checked++;
    }
    items.push(qatJson(reading, signature));
  }
  const bodies: string[] = [];
  if (perRequest === 1) bodies.push(...items);
  else
    for (let i = 0; i + perRequest <= items.length; i += perRequest) {
      bodies.push(`{"readings":[${items.slice(i, i + perRequest).join(",")}]}`);
    }
  return { bodies, perRequest };
}

interface SensorPost {
  body: string;
  signature: string;
}

/** Pre-signs `posts` gateway posts of `perPost` readings each; every (sensor, readAt) is unique. */
async function signSensor(stack: Stack, posts: number, perPost: number, earlier = 0): Promise<SensorPost[]> {
  const sensors = Array.from({ length: 1_000 }, (_, i) => getAddress("0x" + id(`bench sensor ${i}`).slice(-40)));
  // `earlier` seconds back: another pool's readings never meet these (a sensor reads once at a time).
  const base = Math.floor(Date.now() / 1000) - 600 - earlier;
  const key = getBytes(stack.gateway.privateKey);
  const out: SensorPost[] = [];
  let n = 0;
  for (let p = 0; p < posts; p++) {
    const readings: string[] = [];
    for (let i = 0; i < perPost; i++, n++) {
      const sensor = defined(sensors[n % sensors.length], "a sensor");
      const readAt = base - Math.floor(n / sensors.length);
      const temperature = (1 + (n % 30) / 10).toFixed(1);
      readings.push(
        `{"sensor":"${sensor}","readAt":${readAt},"temperature":${temperature},"humidity":${80 + (n % 15)}}`,
      );
    }
    const lot = defined(stack.lots[p % stack.lots.length], "a lot of the stack");
    const body =
      `{"gateway":"${stack.gateway.address}","stage":"harvester","lots":["${lot}"],` +
      `"readings":[${readings.join(",")}]}`;
    const bytes = new TextEncoder().encode(body);
    const signature = nativeSign(getBytes(hashMessage(bytes)), key);
    if (p === 0) {
      const expected = await stack.gateway.signMessage(bytes);
      if (expected.toLowerCase() !== signature.toLowerCase()) {
        throw new Error(`native gateway signature ${signature} differs from ethers' ${expected}`);
      }
    }
    out.push({ body, signature });
  }
  return out;
}

// ------------------------------------------------------------------ load

const acceptedAnswer = z.object({ accepted: z.number() });
const refusedAnswer = z.object({ reason: z.string().optional() });

/** What the relay's answer counts: the readings it accepted, and its key in the status table ("202", or the reason). */
function answered(status: number, text: string): { accepted: number; key: string } {
  if (status === 202) return { accepted: acceptedAnswer.parse(JSON.parse(text)).accepted, key: "202" };
  return { accepted: 0, key: `${status} ${refusedAnswer.parse(JSON.parse(text)).reason ?? ""}`.trim() };
}

interface LoadResult {
  requests: number;
  accepted: number;
  elapsed: number;
  latencies: number[];
  /** Open loop: the latencies of the first `WARMUP_MS` (new connections, JIT), kept out of `latencies`. */
  warmup: number[];
  statuses: Map<string, number>;
  exhausted: boolean;
}

/**
 * Posts `bodies` in order for `seconds` (or until the pool runs out): closed loop with `concurrency` requests in
 * flight, or — given `rate` — open loop, one request every 1/`rate` s whatever the answers, each latency counted from
 * the moment it was due (so a stalled relay cannot hide its stall by slowing the load: no coordinated omission).
 */
async function load(
  urls: readonly string[],
  bodies: { body: string; headers?: Record<string, string> }[],
  concurrency: number,
  seconds: number,
  rate?: number,
): Promise<LoadResult> {
  const targets = urls.map((url) => new URL(url));
  const agent = new http.Agent({ keepAlive: true, maxSockets: rate === undefined ? concurrency : 512 });
  const latencies: number[] = [];
  const warmup: number[] = [];
  const statuses = new Map<string, number>();
  let next = 0;
  let accepted = 0;
  let requests = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let turn = 0;
  const once = (body: string, headers: Record<string, string>) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      // Several relays (one queue on PostgreSQL): the requests go round them.
      const target = defined(targets[turn++ % targets.length], "a relay to post to");
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const worker = async () => {
    while (performance.now() < end && next < bodies.length) {
      const item = bodies[next++];
      if (item === undefined) break;
      const t0 = performance.now();
      let key: string;
      try {
        const { status, text } = await once(item.body, item.headers ?? {});
        latencies.push(performance.now() - t0);
        const answer = answered(status, text);
        accepted += answer.accepted;
        key = answer.key;
      } catch (err) {
        key = `network ${err instanceof Error ? err.message : String(err)}`;
      }
      requests++;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  };
  const paced = async (rate: number) => {
    const gap = 1000 / rate;
    const inFlight: Promise<void>[] = [];
    for (let i = 0; start + i * gap < end && next < bodies.length; i++) {
      const due = start + i * gap;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const item = bodies[next++];
      if (item === undefined) break;
      inFlight.push(
        once(item.body, item.headers ?? {}).then(
          ({ status, text }) => {
            (due - start < WARMUP_MS ? warmup : latencies).push(performance.now() - due);
            const answer = answered(status, text);
            accepted += answer.accepted;
            requests++;
            statuses.set(answer.key, (statuses.get(answer.key) ?? 0) + 1);
          },
          (err: unknown) => {
            const key = `network ${err instanceof Error ? err.message : String(err)}`;
            requests++;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
          },
        ),
      );
    }
    await Promise.all(inFlight);
  };
  if (rate === undefined) await Promise.all(Array.from({ length: concurrency }, () => worker()));
  else await paced(rate);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  return { requests, accepted, elapsed, latencies, warmup, statuses, exhausted: next >= bodies.length };
}

// ------------------------------------------------------------------ the relays' and the processes' figures

type Samples = Map<string, number>;

/** The metrics of every relay in `relays`, summed (counters and histogram buckets add up across relays). */
async function scrape(relays: readonly RelayProcess[]): Promise<Samples> {
  const samples: Samples = new Map();
  for (const relay of relays) {
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    for (const line of text.split("\n")) {
      if (line.startsWith("#") || line.trim() === "") continue;
      const space = line.lastIndexOf(" ");
      const key = line.slice(0, space);
      samples.set(key, (samples.get(key) ?? 0) + Number(line.slice(space + 1)));
    }
  }
  return samples;
}

function sample(s: Samples, key: string): number {
  return s.get(key) ?? 0;
}

/**
 * The relays' own view of acknowledgement time between two scrapes (`fishtrace_relay_ack_seconds`, from a request's
 * arrival to its answer): the bucket bound under which `p` % of the phase's requests fell, in ms. Beside the
 * client's figure it tells time in the relay from time queued before it (in the socket, or in the load generator).
 */
function serverPercentile(before: Samples, after: Samples, kind: string, p: number): number {
  const bounds: { le: number; count: number }[] = [];
  for (const [key, value] of after) {
    if (!key.startsWith("fishtrace_relay_ack_seconds_bucket{") || !key.includes(`kind="${kind}"`)) continue;
    const le = /le="([^"]+)"/.exec(key)?.[1];
    if (le === undefined) continue;
    bounds.push({ le: le === "+Inf" ? Infinity : Number(le), count: value - sample(before, key) });
  }
  bounds.sort((a, b) => a.le - b.le);
  const total = bounds.at(-1)?.count ?? 0;
  const found = bounds.find((b) => b.count >= (p / 100) * total);
  return found === undefined ? NaN : found.le * 1000;
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) of process `pid`, from /proc. */
function cpuOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return NaN;
  }
}

/** The `hardhat node` this process started (its child whose command line says so). */
function hardhatNodePid(): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmd.some((a) => a.endsWith(path.join("hardhat", "dist", "src", "cli.js"))) && cmd.includes("node")) {
        return Number(entry);
      }
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

interface Cpu {
  /** The relay processes (both threads: the request thread and the submitter's). */
  relay: number;
  node: number;
  bench: number;
}

function cpuNow(relays: readonly RelayProcess[], nodePid: number | undefined): Cpu {
  const usage = process.cpuUsage();
  return {
    relay: relays.reduce((sum, r) => sum + cpuOf(r.child.pid), 0),
    node: cpuOf(nodePid),
    bench: (usage.user + usage.system) / 1e6,
  };
}

function cpuText(a: Cpu, b: Cpu, seconds: number): string {
  const part = (what: string, x: number) => `${what} ${x.toFixed(1)} s (${Math.round((100 * x) / seconds)} %)`;
  return [
    part("relay", b.relay - a.relay),
    part("hardhat node", b.node - a.node),
    part("load generator", b.bench - a.bench),
  ].join(", ");
}

const healthAnswer = z.object({ queue: z.object({ qat: z.number(), sensor: z.number() }) });

interface Drain {
  seconds: number;
  drained: boolean;
  queue: { qat: number; sensor: number };
  included: Record<"qat" | "sensor", number>;
  gas: Record<"qat" | "sensor", number>;
  transactions: number;
  reverted: number;
  refused: number;
  already: number;
}

/**
 * Waits (up to `limit` s) until the relays' queue is empty; what reached the chain since `before` (scraped at
 * `from`). Readings reach the chain while the load runs, so the rate is counted from the first load.
 */
async function drain(relays: readonly RelayProcess[], before: Samples, from: number, limit: number): Promise<Drain> {
  const deadline = Date.now() + limit * 1000;
  let queue = { qat: NaN, sensor: NaN };
  let drained = false;
  for (;;) {
    queue = { qat: 0, sensor: 0 };
    for (const relay of relays) {
      const health = healthAnswer.parse(await (await fetch(`${relay.url}/healthz`)).json());
      // On PostgreSQL every relay sees the one shared queue.
      queue.qat = Math.max(queue.qat, health.queue.qat);
      queue.sensor = Math.max(queue.sensor, health.queue.sensor);
    }
    if (queue.qat === 0 && queue.sensor === 0) {
      drained = true;
      break;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (performance.now() - from) / 1000;
  const after = await scrape(relays);
  const delta = (key: string) => sample(after, key) - sample(before, key);
  const sum = (name: string, labels: (kind: string) => string) =>
    delta(`${name}{${labels("qat")}}`) + delta(`${name}{${labels("sensor")}}`);
  return {
    seconds,
    drained,
    queue,
    included: {
      qat: delta(`fishtrace_relay_readings_onchain_total{kind="qat",outcome="included"}`),
      sensor: delta(`fishtrace_relay_readings_onchain_total{kind="sensor",outcome="included"}`),
    },
    gas: {
      qat: delta(`fishtrace_relay_gas_used_total{kind="qat"}`),
      sensor: delta(`fishtrace_relay_gas_used_total{kind="sensor"}`),
    },
    transactions: sum("fishtrace_relay_transactions_total", (k) => `kind="${k}",outcome="mined"`),
    reverted: sum("fishtrace_relay_transactions_total", (k) => `kind="${k}",outcome="reverted"`),
    refused: sum("fishtrace_relay_readings_onchain_total", (k) => `kind="${k}",outcome="refused"`),
    already: sum("fishtrace_relay_readings_onchain_total", (k) => `kind="${k}",outcome="already_on_chain"`),
  };
}

// ------------------------------------------------------------------ phases

interface Phase {
  name: string;
  kind: "qat" | "sensor";
  perRequest: number;
  concurrency: number;
  /** Requests a second, open loop (undefined: closed loop at `concurrency`). */
  rate?: number;
  result: LoadResult;
  /** p50 / p99 acknowledgement inside the relay (histogram bucket bounds, ms). */
  server: { p50: number; p99: number };
  /** The request thread's event-loop delay over the phase, p99 and max (ms; one relay only). */
  lag?: { p99: number; max: number };
  cpu: string;
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "–";

const sortedLatencies = (r: LoadResult) => [...r.latencies].sort((a, b) => a - b);
const rateOf = (p: Phase) => p.result.accepted / p.result.elapsed;
const p99Of = (p: Phase) => percentile(sortedLatencies(p.result), 99);

function phaseLines(p: Phase): string[] {
  const r = p.result;
  const sorted = sortedLatencies(r);
  const errors = [...r.statuses.entries()].filter(([k]) => k !== "202");
  const warm = [...r.warmup].sort((a, b) => a - b);
  return [
    `${p.name}: ${p.rate === undefined ? `${p.concurrency} in flight` : `open loop, ${fmt(p.rate)} requests/s`}, ` +
      `${p.perRequest} reading${p.perRequest === 1 ? "" : "s"} a request`,
    `  accepted  ${fmt(r.accepted)} readings in ${fmt(r.elapsed, 1)} s = ${fmt(rateOf(p))} readings/s ` +
      `(${fmt(r.requests / r.elapsed)} requests/s)${r.exhausted ? "  [pre-signed pool ran out]" : ""}`,
    `  ack       p50 ${fmt(percentile(sorted, 50), 1)} ms, p99 ${fmt(percentile(sorted, 99), 1)} ms, ` +
      `max ${fmt(sorted.at(-1) ?? NaN, 1)} ms` +
      (warm.length === 0
        ? ""
        : ` (after a ${fmt(WARMUP_MS / 1000, 1)} s warm-up; in it p99 ${fmt(percentile(warm, 99), 1)} ms, ` +
          `max ${fmt(warm.at(-1) ?? NaN, 1)} ms)`),
    `  in relay  p50 ≤ ${fmt(p.server.p50, 1)} ms, p99 ≤ ${fmt(p.server.p99, 1)} ms (arrival → answer, histogram buckets)` +
      (p.lag === undefined
        ? ""
        : `; request thread's event-loop delay p99 ${fmt(p.lag.p99, 1)} ms, max ${fmt(p.lag.max, 1)} ms`),
    `  answers   202 × ${fmt(r.statuses.get("202") ?? 0)}` +
      (errors.length === 0 ? ", no errors" : `, errors: ${errors.map(([k, n]) => `${k} × ${n}`).join(", ")}`),
    `  cpu       ${p.cpu}`,
  ];
}

interface Target {
  relays: RelayProcess[];
  nodePid: number | undefined;
}

/** One phase of load on `target`'s relays (no drain: the submitters go on working meanwhile, as they would). */
async function runPhase(
  target: Target,
  spec: { name: string; kind: "qat" | "sensor"; perRequest: number; concurrency: number; seconds: number },
  bodies: { body: string; headers?: Record<string, string> }[],
  rate?: number,
): Promise<Phase> {
  const { relays, nodePid } = target;
  const before = await scrape(relays);
  const cpu0 = cpuNow(relays, nodePid);
  const urls = relays.map((r) => `${r.url}/v1/${spec.kind}/readings`);
  const result = await load(urls, bodies, spec.concurrency, spec.seconds, rate);
  const cpu1 = cpuNow(relays, nodePid);
  const after = await scrape(relays);
  const phase: Phase = {
    ...spec,
    rate,
    result,
    server: {
      p50: serverPercentile(before, after, spec.kind, 50),
      p99: serverPercentile(before, after, spec.kind, 99),
    },
    // prom-client resets its event-loop delay histogram at each scrape: `after` covers the phase.
    lag:
      relays.length === 1
        ? {
            p99: sample(after, "nodejs_eventloop_lag_p99_seconds") * 1000,
            max: sample(after, "nodejs_eventloop_lag_max_seconds") * 1000,
          }
        : undefined,
    cpu: cpuText(cpu0, cpu1, result.elapsed),
  };
  for (const line of phaseLines(phase)) console.log(line);
  console.log("");
  return phase;
}

function drainLines(d: Drain, limit: number): string[] {
  return [
    `to chain  ${d.drained ? "drained" : `not drained after ${limit} s more (queue: ${fmt(d.queue.qat)} QAT, ${fmt(d.queue.sensor)} sensor)`} ` +
      `${fmt(d.seconds, 1)} s after the first load: ${fmt(d.included.qat)} QAT readings included ` +
      `(${fmt(d.included.qat / d.seconds)}/s), ${fmt(d.included.sensor)} sensor readings (${fmt(d.included.sensor / d.seconds)}/s); ` +
      `${fmt(d.transactions)} transactions` +
      (d.reverted > 0 ? `, ${fmt(d.reverted)} reverted` : "") +
      (d.already > 0 ? `, ${fmt(d.already)} already on chain` : "") +
      (d.refused > 0 ? `, ${fmt(d.refused)} refused` : ""),
    `gas       ${fmt(d.gas.qat / Math.max(1, d.included.qat))} per QAT reading, ` +
      `${fmt(d.gas.sensor / Math.max(1, d.included.sensor))} per sensor reading`,
  ];
}

/** Prints `rows` as an aligned table. */
function table(rows: string[][]): void {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, cell.length)));
  for (const r of rows) {
    console.log(
      "  " +
        r
          .map((cell, c) => cell.padEnd(widths[c] ?? 0))
          .join("  ")
          .trimEnd(),
    );
  }
}

/** A relay process on `stack` with the store `db` (a SQLite file or postgres://…), profiled when asked. */
async function startBenchRelay(stack: Stack, db: string, key = stack.relayKey): Promise<RelayProcess> {
  // BENCH_RELAY_CPU_PROF=<dir>: the relay process writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_RELAY_CPU_PROF;
  const options = process.env.NODE_OPTIONS;
  if (profile !== undefined && profile !== "") {
    process.env.NODE_OPTIONS = `${options ?? ""} --cpu-prof --cpu-prof-dir=${path.resolve(profile)}`.trim();
  }
  try {
    return await startRelayProcess(stack, db, await freePort(), [], key);
  } finally {
    if (options === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = options;
  }
}

const mark = (ok: boolean) => (ok ? "✓" : "✗");

async function main(): Promise<void> {
  const started = performance.now();
  const cpus = os.cpus();
  console.log(
    `relay benchmark — ${cpus.length} cores (${cpus[0]?.model ?? "unknown CPU"}), node ${process.version}, ` +
      `${WARMUP_RUNS} warm-up and ${RUNS} counted runs of ${SECONDS} s a goal phase, saturated phases ${SECONDS} s (${QAT_BATCH_SECONDS} s for QAT ×${QAT_BATCH}); ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")}`,
  );
  let stack: Stack | undefined;
  const relays: RelayProcess[] = [];
  try {
    stack = await startStack(DEVICES, 8);
    const nodePid = hardhatNodePid();
    const relay = await startBenchRelay(stack, path.join(stack.dir, "relay.sqlite"));
    relays.push(relay);
    const target: Target = { relays: [relay], nodePid };
    console.log(
      `stack: hardhat node ${stack.url} (pid ${nodePid ?? "?"}), relay ${relay.url} (pid ${relay.child.pid}, ` +
        `default settings: SQLite sync=full, qat batch 100, sensor batch 2048), ${stack.devices.length} devices, ` +
        `${stack.lots.length} lots; ready after ${fmt((performance.now() - started) / 1000, 1)} s`,
    );

    const next = stack.devices.map(() => 1n);
    const t0 = performance.now();
    const goalQat = Math.ceil(GOAL_QAT * SECONDS) + 100;
    const rounds = WARMUP_RUNS + RUNS;
    const paced = await signQat(stack, stack.devices, goalQat * rounds, 1, next);
    const single = await signQat(stack, stack.devices, Math.ceil(QAT_POOL_PER_SECOND * SECONDS), 1, next);
    const batched =
      QAT_BATCH > 1
        ? await signQat(stack, stack.devices, Math.ceil(QAT_POOL_PER_SECOND * 2 * QAT_BATCH_SECONDS), QAT_BATCH, next)
        : undefined;
    const goalSensorPosts = Math.ceil((GOAL_SENSOR * SECONDS) / SENSOR_READINGS) + 5;
    const sensorAll = await signSensor(
      stack,
      goalSensorPosts * rounds + Math.ceil((SENSOR_POOL_PER_SECOND * SECONDS) / SENSOR_READINGS) + 10,
      SENSOR_READINGS,
    );
    console.log(
      `pre-signed ${fmt(paced.bodies.length + single.bodies.length + (batched?.bodies.length ?? 0) * QAT_BATCH)} ` +
        `QAT readings and ${fmt(sensorAll.length)} gateway posts (native secp256k1, checked against ethers) in ` +
        `${fmt((performance.now() - t0) / 1000, 1)} s`,
    );
    console.log("");

    const gatewayHeaders = ({ body, signature }: { body: string; signature: string }) => ({
      body,
      headers: { "x-fishtrace-signature": signature },
    });
    const before = await scrape(target.relays);
    const from = performance.now();

    // The goal rates, five times over; the submitter works through the growing queue meanwhile.
    const runs: { qat: Phase; sensor: Phase }[] = [];
    for (let round = 0; round < rounds; round++) {
      // The first rounds warm the relay up (its threads' first batches, the JIT): printed, not counted.
      const run = round - WARMUP_RUNS;
      const label = run < 0 ? `warm-up ${round + 1}` : `run ${run + 1}`;
      const qat = await runPhase(
        target,
        {
          name: `${label}: QAT at the goal rate`,
          kind: "qat",
          perRequest: 1,
          concurrency: QAT_CONCURRENCY,
          seconds: SECONDS,
        },
        paced.bodies.slice(round * goalQat, (round + 1) * goalQat).map((body) => ({ body })),
        GOAL_QAT,
      );
      const sensor = await runPhase(
        target,
        {
          name: `${label}: sensor at the goal rate, gateway posts of ${SENSOR_READINGS}`,
          kind: "sensor",
          perRequest: SENSOR_READINGS,
          concurrency: SENSOR_CONCURRENCY,
          seconds: SECONDS,
        },
        sensorAll.slice(round * goalSensorPosts, (round + 1) * goalSensorPosts).map(gatewayHeaders),
        GOAL_SENSOR / SENSOR_READINGS,
      );
      if (run >= 0) runs.push({ qat, sensor });
    }

    // Saturated: a fixed number of requests in flight, as fast as the relay answers.
    const saturated: Phase[] = [];
    saturated.push(
      await runPhase(
        target,
        {
          name: "QAT saturated, one signed reading a request",
          kind: "qat",
          perRequest: 1,
          concurrency: QAT_CONCURRENCY,
          seconds: SECONDS,
        },
        single.bodies.map((body) => ({ body })),
      ),
    );
    if (batched !== undefined) {
      saturated.push(
        await runPhase(
          target,
          {
            name: `QAT saturated, ${QAT_BATCH} signed readings a request`,
            kind: "qat",
            perRequest: QAT_BATCH,
            concurrency: QAT_CONCURRENCY,
            seconds: QAT_BATCH_SECONDS,
          },
          batched.bodies.map((body) => ({ body })),
        ),
      );
    }
    saturated.push(
      await runPhase(
        target,
        {
          name: `sensor saturated, gateway posts of ${SENSOR_READINGS}`,
          kind: "sensor",
          perRequest: SENSOR_READINGS,
          concurrency: SENSOR_CONCURRENCY,
          seconds: SECONDS,
        },
        sensorAll.slice(goalSensorPosts * rounds).map(gatewayHeaders),
      ),
    );
    const cpuDrain0 = cpuNow(target.relays, nodePid);
    const d = await drain(target.relays, before, from, DRAIN_SECONDS);
    for (const line of drainLines(d, DRAIN_SECONDS)) console.log(line);
    console.log(`cpu       while draining: ${cpuText(cpuDrain0, cpuNow(target.relays, nodePid), DRAIN_SECONDS)}`);
    await relay.stop();
    relays.length = 0;
    console.log("");

    const sqlite = { runs, saturated, drain: d };
    const scaled = BENCH_POSTGRES ? await scaledOut(stack, nodePid, next, gatewayHeaders) : [["PostgreSQL: skipped"]];

    console.log(
      `summary (${cpus.length} cores, ${cpus[0]?.model ?? "?"}, node ${process.version}, relay sync=full; ` +
        `load average now ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(", ")})`,
    );
    const rows: string[][] = [
      [
        "",
        `QAT ${fmt(GOAL_QAT)}/s: accepted/s`,
        "p50 / p99 ack",
        "in relay p99",
        "",
        `sensor ${fmt(GOAL_SENSOR)}/s: accepted/s`,
        "p50 / p99 ack",
        "in relay p99",
        "",
      ],
    ];
    const holds = (p: Phase, goal: number) => rateOf(p) >= goal * 0.98 && p99Of(p) <= GOAL_P99_MS;
    for (const [i, r] of runs.entries()) {
      const cells = (p: Phase, goal: number) => [
        fmt(rateOf(p)),
        `${fmt(percentile(sortedLatencies(p.result), 50), 1)} / ${fmt(p99Of(p), 1)} ms`,
        `≤ ${fmt(p.server.p99)} ms`,
        mark(holds(p, goal)),
      ];
      rows.push([`run ${i + 1}`, ...cells(r.qat, GOAL_QAT), ...cells(r.sensor, GOAL_SENSOR)]);
    }
    table(rows);
    const allQat = runs.every((r) => holds(r.qat, GOAL_QAT));
    const allSensor = runs.every((r) => holds(r.sensor, GOAL_SENSOR));
    console.log(
      `  goal (≥ ${fmt(GOAL_QAT)} QAT/s and ≥ ${fmt(GOAL_SENSOR)} sensor/s, each at p99 ≤ ${GOAL_P99_MS} ms, in ${RUNS} ` +
        `consecutive runs): QAT ${mark(allQat)}, sensor ${mark(allSensor)}`,
    );
    console.log("");
    const satRows: string[][] = [["saturated (SQLite, one relay)", "accepted/s", "p50 / p99 ack"]];
    for (const p of saturated) {
      satRows.push([
        `${p.kind === "qat" ? "QAT" : "sensor"} ×${p.perRequest}/req, ${p.concurrency} in flight`,
        fmt(rateOf(p)),
        `${fmt(percentile(sortedLatencies(p.result), 50), 1)} / ${fmt(p99Of(p), 1)} ms`,
      ]);
    }
    table(satRows);
    console.log(
      `  to chain: ${fmt(sqlite.drain.included.qat / sqlite.drain.seconds)} QAT and ` +
        `${fmt(sqlite.drain.included.sensor / sqlite.drain.seconds)} sensor readings/s; gas ` +
        `${fmt(sqlite.drain.gas.qat / Math.max(1, sqlite.drain.included.qat))} per QAT reading, ` +
        `${fmt(sqlite.drain.gas.sensor / Math.max(1, sqlite.drain.included.sensor))} per sensor reading`,
    );
    console.log("");
    table(scaled);
    console.log(`\nbenchmark took ${fmt((performance.now() - started) / 1000, 1)} s`);
  } finally {
    for (const relay of relays) await relay.stop();
    await stack?.stop();
  }
}

/**
 * The same saturated phases with the store on PostgreSQL (a server started here): one relay, then two relays with
 * their own accounts on the one queue, the load spread over both. Rows: the phase, accepted/s, p50 / p99.
 */
async function scaledOut(
  stack: Stack,
  nodePid: number | undefined,
  next: bigint[],
  headers: (post: SensorPost) => { body: string; headers: Record<string, string> },
): Promise<string[][]> {
  let postgres: RunningPostgres | undefined;
  const relays: RelayProcess[] = [];
  try {
    postgres = await startPostgres();
    const qat = await signQat(stack, stack.devices, Math.ceil(QAT_POOL_PER_SECOND * SECONDS) * 2, 1, next);
    const sensor = await signSensor(
      stack,
      Math.ceil((SENSOR_POOL_PER_SECOND * SECONDS * 2) / SENSOR_READINGS) + 10,
      SENSOR_READINGS,
      100_000,
    );
    const half = (n: number) => Math.floor(n / 2);
    const rows: string[][] = [["saturated, PostgreSQL", "accepted/s", "p50 / p99 ack"]];
    for (const count of [1, 2]) {
      while (relays.length < count) {
        relays.push(
          await startBenchRelay(stack, postgres.url, [stack.relayKey, ...stack.moreRelayKeys][relays.length]),
        );
      }
      const target: Target = { relays, nodePid };
      const label = `${count} relay${count === 1 ? "" : "s"}`;
      const qatBodies = (
        count === 1 ? qat.bodies.slice(0, half(qat.bodies.length)) : qat.bodies.slice(half(qat.bodies.length))
      ).map((body) => ({ body }));
      const sensorBodies = (count === 1 ? sensor.slice(0, half(sensor.length)) : sensor.slice(half(sensor.length))).map(
        headers,
      );
      for (const p of [
        await runPhase(
          target,
          {
            name: `PostgreSQL, ${label}: QAT saturated, one a request`,
            kind: "qat",
            perRequest: 1,
            concurrency: QAT_CONCURRENCY,
            seconds: SECONDS,
          },
          qatBodies,
        ),
        await runPhase(
          target,
          {
            name: `PostgreSQL, ${label}: sensor saturated, posts of ${SENSOR_READINGS}`,
            kind: "sensor",
            perRequest: SENSOR_READINGS,
            concurrency: SENSOR_CONCURRENCY,
            seconds: SECONDS,
          },
          sensorBodies,
        ),
      ]) {
        rows.push([
          `${label}: ${p.kind === "qat" ? "QAT ×1/req" : `sensor ×${p.perRequest}/req`}, ${p.concurrency} in flight`,
          fmt(rateOf(p)),
          `${fmt(percentile(sortedLatencies(p.result), 50), 1)} / ${fmt(p99Of(p), 1)} ms`,
        ]);
      }
    }
    return rows;
  } finally {
    for (const relay of relays) await relay.stop();
    await postgres?.stop();
  }
}

await main();
