/**
 * The EPCIS benchmark: an EPCIS store of BENCH_EPCIS_EVENTS (1,000,000) events — synthetic rows shaped like
 * FishTrace's own export (an ObjectEvent per step of a lot's life, its lot as the quantity's EPC class, the step's
 * location as readPoint and bizLocation, source and destination on shipping and receiving), in time order, many lots
 * interleaved as on a real chain — served by the EPCIS 2.0 query interface and the resolver on 127.0.0.1, first on
 * PGlite (the default engine), then on a throwaway PostgreSQL server (src/tools/postgres.ts; skipped, saying so,
 * when its binaries are missing). Measured over HTTP, one request at a time, after a warm-up:
 *
 * - `GET /epcis/events?MATCH_anyEPCClass=<a lot>&GE_eventTime=…&LT_eventTime=…` — p50 / p99 / max (goal p99 ≤ 50 ms);
 * - the resolver, `GET /01/{gtin}/10/{lot}` (a 307 to the journey page) and its linkset — p99 (goal ≤ 10 ms);
 * - capture, `POST /epcis/capture` of BENCH_EPCIS_CAPTURE_DOCUMENTS EPCISDocuments of 1,000 events into that store,
 *   two at a time, until every job says success (stored and committed: durable) — events/s (goal ≥ 2,000;
 *   epcis-capture.ts);
 * - how long the store took to load (not a goal: the indexer's catch-up is `npm run bench:trace`).
 *
 * A benchmark printing figures, not a test.
 *
 *   npm run bench:epcis
 *
 * Environment: BENCH_EPCIS_EVENTS (1000000), BENCH_EPCIS_EVENTS_PER_LOT (10), BENCH_EPCIS_QUERIES (1000),
 * BENCH_EPCIS_RESOLVES (1000), BENCH_EPCIS_CAPTURE_DOCUMENTS (20), BENCH_EPCIS_SEED (1), BENCH_EPCIS_POSTGRES (1; 0 skips PostgreSQL), BENCH_EPCIS_DB (a
 * directory to keep the PGlite store in: a second run with the same directory and sizes skips the load).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import { openIndex, type Sql } from "../../index/db.js";
import { gtinCheckDigit } from "../../core/digital-link.js";
import { mulberry32 } from "../../core/random.js";
import { listenEpcis } from "../../services/epcis/http.js";
import { appendEvents, ensureEpcisStore, storedEvents, type StorableEvent } from "../../services/epcis/store.js";
import { postgresBinDir, startPostgres } from "../postgres.js";
import { benchCapture, type CaptureBenchResult } from "./epcis-capture.js";
import { envNumber } from "./env.js";
import { percentile } from "./stats.js";

const EVENTS = Math.round(envNumber("BENCH_EPCIS_EVENTS", 1_000_000));
const PER_LOT = Math.max(2, Math.round(envNumber("BENCH_EPCIS_EVENTS_PER_LOT", 10)));
const QUERIES = Math.round(envNumber("BENCH_EPCIS_QUERIES", 1_000));
const RESOLVES = Math.round(envNumber("BENCH_EPCIS_RESOLVES", 1_000));
const CAPTURE_DOCUMENTS = Math.max(1, Math.round(envNumber("BENCH_EPCIS_CAPTURE_DOCUMENTS", 20)));
const SEED = Math.round(envNumber("BENCH_EPCIS_SEED", 1));
const POSTGRES = envNumber("BENCH_EPCIS_POSTGRES", 1) !== 0;
const WARMUP = 50;
const LOAD_CHUNK = 5_000;

const LOTS = Math.max(1, Math.floor(EVENTS / PER_LOT));
const DAY_MS = 86_400_000;
/** The lots' first events spread over a year before 2026-11-01. */
const START_MS = Date.parse("2025-11-01T00:00:00Z");
const LOT_STEP_MS = Math.max(1, Math.floor((365 * DAY_MS) / LOTS));
/** Each step of a lot's life a day (and a lot's index in minutes) after the one before. */
const STEP_MS = DAY_MS;
const STEPS = ["commissioning", "shipping", "receiving", "transforming", "packing", "shipping", "receiving"];
const GTINS = Array.from({ length: 24 }, (_, i) => {
  const body = `0${String(7_090_000_000_00 + i * 7).padStart(12, "0")}`;
  return `${body}${gtinCheckDigit(body)}`;
});
const PLACES = Array.from({ length: 200 }, (_, i) => `https://id.gs1.org/414/70900000${String(i).padStart(4, "0")}0`);

const gtinOf = (lot: number): string => GTINS[lot % GTINS.length] ?? "";
const lotCode = (lot: number): string => `BENCH-${lot.toString(36).toUpperCase()}`;
const lotClass = (lot: number): string => `https://id.gs1.org/01/${gtinOf(lot)}/10/${lotCode(lot)}`;
const placeOf = (lot: number, step: number): string => PLACES[(lot * 7 + step * 13) % PLACES.length] ?? "";
const eventTimeOf = (lot: number, step: number): number => START_MS + lot * LOT_STEP_MS + step * STEP_MS;

/** Step `step` of lot `lot` as FishTrace's export writes an ObjectEvent. */
function syntheticEvent(lot: number, step: number): StorableEvent {
  const bizStep = STEPS[step % STEPS.length] ?? "inspecting";
  const place = placeOf(lot, step);
  const hash = createHash("sha256").update(`bench ${SEED} ${lot} ${step}`).digest("hex");
  const moving = bizStep === "shipping" || bizStep === "receiving";
  const from = placeOf(lot, bizStep === "shipping" ? step : step - 1);
  const to = placeOf(lot, bizStep === "shipping" ? step + 1 : step);
  return {
    type: "ObjectEvent",
    eventID: `ni:///sha-256;${hash}?ver=CBV2.0`,
    eventTime: new Date(eventTimeOf(lot, step)).toISOString(),
    eventTimeZoneOffset: "+00:00",
    epcList: [],
    action: step === 0 ? "ADD" : "OBSERVE",
    bizStep: `https://ref.gs1.org/cbv/BizStep-${bizStep}`,
    disposition: `https://ref.gs1.org/cbv/Disp-${moving ? "in_transit" : "active"}`,
    readPoint: { id: place },
    bizLocation: { id: place },
    quantityList: [{ epcClass: lotClass(lot), quantity: 10 + (lot % 90), uom: "KGM" }],
    ...(moving
      ? {
          sourceList: [{ type: "https://ref.gs1.org/cbv/SDT-location", source: from }],
          destinationList: [{ type: "https://ref.gs1.org/cbv/SDT-location", destination: to }],
        }
      : {}),
  };
}

/** Every (lot, step) in event-time order: lots interleave as their lives overlap. */
function eventOrder(): Uint32Array {
  const total = LOTS * PER_LOT;
  const order = new Uint32Array(total);
  for (let k = 0; k < total; k++) order[k] = k;
  const time = (k: number) => eventTimeOf(Math.floor(k / PER_LOT), k % PER_LOT);
  return order.sort((a, b) => time(a) - time(b) || a - b);
}

/** Loads the synthetic events into an empty store, LOAD_CHUNK to a transaction; returns the seconds it took. */
async function load(sql: Sql, engine: string): Promise<number> {
  await ensureEpcisStore(sql);
  const have = await storedEvents(sql);
  if (have === LOTS * PER_LOT) {
    console.log(`${engine}: the store already holds ${have.toLocaleString("en-US")} events (BENCH_EPCIS_DB)`);
    return NaN;
  }
  if (have > 0)
    throw new Error(`${engine}: the store holds ${have} events, not ${LOTS * PER_LOT}: use a new BENCH_EPCIS_DB`);
  const order = eventOrder();
  const t0 = performance.now();
  const recordTime = new Date();
  for (let at = 0; at < order.length; at += LOAD_CHUNK) {
    const events: StorableEvent[] = [];
    for (const k of order.subarray(at, at + LOAD_CHUNK))
      events.push(syntheticEvent(Math.floor(k / PER_LOT), k % PER_LOT));
    await sql.transaction((tx) => appendEvents(tx, events, recordTime));
    if ((at / LOAD_CHUNK) % 20 === 19) {
      const done = at + events.length;
      const rate = done / ((performance.now() - t0) / 1000);
      process.stdout.write(`\r${engine}: ${done.toLocaleString("en-US")} events loaded (${Math.round(rate)}/s)   `);
    }
  }
  process.stdout.write("\n");
  // The planner's statistics, as autovacuum would have them on a store that grew over months.
  await sql.exec("ANALYZE epcis_events; ANALYZE epcis_event_keys;");
  return (performance.now() - t0) / 1000;
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

const latency = (ms: number[]): Latency => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, n: sorted.length };
};

/** Times `count` requests one at a time after WARMUP unmeasured ones; each answer is checked by `check`. */
async function timed(
  count: number,
  request: (i: number) => Promise<Response>,
  check: (response: Response, i: number) => Promise<void>,
): Promise<Latency> {
  const ms: number[] = [];
  for (let i = -WARMUP; i < count; i++) {
    const t = performance.now();
    const response = await request(i);
    await check(response, i);
    if (i >= 0) ms.push(performance.now() - t);
  }
  return latency(ms);
}

interface EngineFigures {
  engine: string;
  events: number;
  loadSeconds: number;
  query: Latency;
  eventsPerAnswer: number;
  redirect: Latency;
  linkset: Latency;
  capture: CaptureBenchResult;
}

async function measure(sql: Sql, engine: string): Promise<EngineFigures> {
  const latencies = await measureLatency(sql, engine);
  // Last: its documents grow the store the latencies were measured on.
  const capture = await benchCapture(sql, { documents: CAPTURE_DOCUMENTS });
  return { ...latencies, capture };
}

async function measureLatency(sql: Sql, engine: string): Promise<Omit<EngineFigures, "capture">> {
  const loadSeconds = await load(sql, engine);
  const events = await storedEvents(sql);
  const service = await listenEpcis(sql, {
    host: "127.0.0.1",
    port: 0,
    resolver: {
      root: "http://127.0.0.1",
      epcis: "http://127.0.0.1",
      web: "http://127.0.0.1:5173",
      trace: "http://127.0.0.1:8547",
    },
  });
  try {
    const random = mulberry32(SEED);
    const lots = Array.from({ length: Math.max(QUERIES, RESOLVES) + WARMUP }, () => Math.floor(random() * LOTS));
    const lotAt = (i: number) => lots[i + WARMUP] ?? 0;
    let answered = 0;
    const query = await timed(
      QUERIES,
      (i) => {
        const lot = lotAt(i);
        // A window over the middle of the lot's life: some of its events, not all.
        const from = new Date(eventTimeOf(lot, 1)).toISOString();
        const to = new Date(eventTimeOf(lot, PER_LOT - 1)).toISOString();
        const params = new URLSearchParams({ MATCH_anyEPCClass: lotClass(lot), GE_eventTime: from, LT_eventTime: to });
        return fetch(`${service.url}/epcis/events?${params.toString()}`);
      },
      async (response, i) => {
        const text = await response.text();
        if (response.status !== 200) throw new Error(`query ${i}: ${response.status} ${text.slice(0, 200)}`);
        const found = (text.match(/"type":"ObjectEvent"/g) ?? []).length;
        if (found !== PER_LOT - 2) throw new Error(`query ${i}: ${found} events, expected ${PER_LOT - 2}`);
        if (i >= 0) answered += found;
      },
    );
    const resolverPath = (i: number) => `/01/${gtinOf(lotAt(i))}/10/${lotCode(lotAt(i))}`;
    const redirect = await timed(
      RESOLVES,
      (i) => fetch(`${service.url}${resolverPath(i)}`, { redirect: "manual" }),
      async (response, i) => {
        await response.arrayBuffer();
        const location = response.headers.get("location") ?? "";
        if (response.status !== 307 || !location.endsWith(resolverPath(i))) {
          throw new Error(`resolve ${i}: ${response.status} → ${location}`);
        }
      },
    );
    const linkset = await timed(
      RESOLVES,
      (i) => fetch(`${service.url}${resolverPath(i)}`, { headers: { accept: "application/linkset+json" } }),
      async (response, i) => {
        const text = await response.text();
        if (response.status !== 200 || !text.includes('"linkset"')) {
          throw new Error(`linkset ${i}: ${response.status} ${text.slice(0, 200)}`);
        }
      },
    );
    return { engine, events, loadSeconds, query, eventsPerAnswer: answered / QUERIES, redirect, linkset };
  } finally {
    await service.close();
  }
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mark = (ok: boolean) => (ok ? "✓" : "✗");

function report(machine: string, figures: EngineFigures[], skipped: string[]): void {
  console.log("");
  console.log(`## EPCIS benchmark (${machine})`);
  console.log("");
  console.log(
    "| engine | events | load | query p50 / p99 / max (goal p99 ≤ 50 ms) | resolver 307 p50 / p99 | linkset p50 / p99 (goal p99 ≤ 10 ms) | capture (goal ≥ 2,000 events/s) |",
  );
  console.log("| --- | ---: | ---: | --- | --- | --- | ---: |");
  for (const f of figures) {
    const load = Number.isNaN(f.loadSeconds)
      ? "kept"
      : `${f.loadSeconds.toFixed(0)} s (${Math.round(f.events / f.loadSeconds).toLocaleString("en-US")}/s)`;
    const resolverP99 = Math.max(f.redirect.p99, f.linkset.p99);
    console.log(
      `| ${f.engine} | ${f.events.toLocaleString("en-US")} | ${load} | ${ms(f.query.p50)} / ${ms(f.query.p99)} / ` +
        `${ms(f.query.max)} ${mark(f.query.p99 <= 50)} (${f.eventsPerAnswer.toFixed(0)} events an answer) | ` +
        `${ms(f.redirect.p50)} / ${ms(f.redirect.p99)} ${mark(f.redirect.p99 <= 10)} | ` +
        `${ms(f.linkset.p50)} / ${ms(f.linkset.p99)} ${mark(resolverP99 <= 10)} | ` +
        `${Math.round(f.capture.eventsPerSecond).toLocaleString("en-US")} events/s ${mark(f.capture.eventsPerSecond >= 2_000)} ` +
        `(${f.capture.cpuMsPerEvent.toFixed(2)} ms CPU an event here) |`,
    );
  }
  for (const line of skipped) console.log(`| PostgreSQL | ${line} | | | | | |`);
  console.log("");
  console.log(
    `${QUERIES} queries and ${RESOLVES} resolutions of each kind, one at a time over HTTP on 127.0.0.1, after ${WARMUP} ` +
      `unmeasured; ${LOTS.toLocaleString("en-US")} lots of ${PER_LOT} events. Capture: ${CAPTURE_DOCUMENTS} documents ` +
      `of 1,000 events, two in flight, timed from the first POST to the last job's success, after one unmeasured; ` +
      `its CPU time is this process's (with PostgreSQL, the server's is not in it).`,
  );
  console.log(
    `load average ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(", ")} (uptime)`,
  );
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const machine = `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), node ${process.version}`;
  console.log(`EPCIS benchmark — ${machine}; ${(LOTS * PER_LOT).toLocaleString("en-US")} events`);
  const figures: EngineFigures[] = [];
  const skipped: string[] = [];

  const kept = process.env.BENCH_EPCIS_DB?.trim();
  const dir = kept !== undefined && kept !== "" ? kept : mkdtempSync(path.join(os.tmpdir(), "fishtrace-bench-epcis-"));
  const sql = await openIndex({ dir, databaseUrl: "" });
  try {
    figures.push(await measure(sql, "PGlite"));
  } finally {
    await sql.close();
    if (kept === undefined || kept === "") rmSync(dir, { recursive: true, force: true });
  }

  if (!POSTGRES) skipped.push("skipped (BENCH_EPCIS_POSTGRES=0)");
  else if (postgresBinDir() === undefined) skipped.push("skipped: no PostgreSQL server binaries (initdb, postgres)");
  else {
    const server = await startPostgres();
    try {
      const pgSql = await openIndex({ databaseUrl: server.url });
      try {
        figures.push(await measure(pgSql, "PostgreSQL"));
      } finally {
        await pgSql.close();
      }
    } finally {
      await server.stop();
    }
  }
  report(machine, figures, skipped);
}

await main();
