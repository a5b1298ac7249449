/**
 * The EPCIS capture throughput figure for `npm run bench:epcis`: starts the EPCIS interface on 127.0.0.1 over `sql`
 * (src/services/epcis/http.ts, capture.ts), posts `documents` EPCISDocuments of `eventsPerDocument` synthetic
 * supplier shipping events each (`parallel` requests at a time), and waits until every capture job reports success —
 * a job succeeds once its events, their hashes and its Merkle tree are committed, so the figure is durable events per
 * second. Without `anchorer` the roots stay unanchored (anchoring runs after the commit, apart from the figure).
 * Capture takes a key: the bench makes a regulator's in the store (a partner's is served the same way, its reach
 * computed per request as any partner request's is).
 */
import { performance } from "node:perf_hooks";

import type { Sql } from "../../index/db.js";
import { ApiKeys } from "../../services/auth/api-keys.js";
import type { CaptureAnchorer } from "../../services/epcis/anchor.js";
import { CaptureService } from "../../services/epcis/capture.js";
import { listenEpcis } from "../../services/epcis/http.js";

/** The key's holder: a GLN (check digit 9). */
const BENCH_PARTY = "7038010000119";

export interface CaptureBenchOptions {
  /** Documents posted (default 20). */
  documents?: number;
  /** Events per document (default 1,000: the capture limit). */
  eventsPerDocument?: number;
  /** Requests in flight at once (default 2). */
  parallel?: number;
  anchorer?: CaptureAnchorer;
  /** Validate and hash on a worker thread (default true, as the server does). */
  threaded?: boolean;
}

export interface CaptureBenchResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /**
   * This process's CPU time an event, in ms (both threads: HTTP, analysis, and with PGlite the database too): what
   * the figure would be on idle cores, when the machine is shared.
   */
  cpuMsPerEvent: number;
}

/** A document of `n` distinct shipping events (lot `doc`, event `i`: distinct content, so distinct hashes). */
function benchDocument(doc: number, n: number): string {
  const lot = `https://id.gs1.org/01/07038010123450/10/BENCH-${doc}`;
  const base = Date.UTC(2027, 0, 1) + doc * n * 1000;
  const eventList = Array.from({ length: n }, (_, i) => ({
    type: "ObjectEvent",
    eventTime: new Date(base + i * 1000).toISOString(),
    eventTimeZoneOffset: "+01:00",
    action: "OBSERVE",
    bizStep: "shipping",
    disposition: "in_transit",
    quantityList: [{ epcClass: lot, quantity: 1 + (i % 500), uom: "KGM" }],
    readPoint: { id: "https://id.gs1.org/414/7038010000118" },
    sourceList: [{ type: "owning_party", source: "https://id.gs1.org/417/7038010000118" }],
    destinationList: [{ type: "owning_party", destination: "https://id.gs1.org/417/7038010000026" }],
  }));
  return JSON.stringify({
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: new Date(base).toISOString(),
    epcisBody: { eventList },
  });
}

/** Posts the documents and waits for every job's success; the events captured per second. */
export async function benchCapture(sql: Sql, opts: CaptureBenchOptions = {}): Promise<CaptureBenchResult> {
  const documents = opts.documents ?? 20;
  const perDocument = opts.eventsPerDocument ?? 1_000;
  const parallel = opts.parallel ?? 2;
  const capture = new CaptureService(sql, {
    threaded: opts.threaded ?? true,
    ...(opts.anchorer === undefined ? {} : { anchorer: opts.anchorer }),
  });
  const service = await listenEpcis(sql, { host: "127.0.0.1", port: 0, capture });
  const { key } = await (await new ApiKeys(sql).init()).create(BENCH_PARTY, "regulator", "bench:epcis");
  const authorization = `Bearer ${key}`;
  // Distinct from any earlier run on the same store: the documents' times start after the newest stored event.
  const [top] = await sql.query<{ t: string | null }>("SELECT max(event_time)::text AS t FROM epcis_events");
  const offset = Math.floor(Number(top?.t ?? 0) / 1000 / perDocument) + 1;
  const bodies = Array.from({ length: documents + 1 }, (_, d) => benchDocument(offset + d, perDocument));
  const post = async (body: string | undefined): Promise<string> => {
    const res = await fetch(`${service.url}/epcis/capture`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body,
    });
    await res.arrayBuffer();
    const location = res.headers.get("location");
    if (res.status !== 202 || location === null) throw new Error(`capture answered ${res.status}`);
    return location;
  };
  const succeeded = async (location: string): Promise<void> => {
    for (;;) {
      const job: unknown = await (await fetch(`${service.url}${location}`, { headers: { authorization } })).json();
      if (typeof job !== "object" || job === null || !("running" in job) || !("success" in job)) {
        throw new Error(`${location}: not a capture job`);
      }
      if (job.running === false) {
        if (job.success !== true) throw new Error(`${location} failed: ${JSON.stringify(job)}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  try {
    // One document first, not counted: the analysis thread started, the schema compiled.
    await succeeded(await post(bodies.pop()));
    const started = performance.now();
    const cpu = process.cpuUsage();
    const locations: string[] = [];
    let next = 0;
    const poster = async () => {
      for (let d = next++; d < bodies.length; d = next++) locations.push(await post(bodies[d]));
    };
    await Promise.all(Array.from({ length: parallel }, poster));
    for (const location of locations) await succeeded(location);
    const seconds = (performance.now() - started) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    const events = documents * perDocument;
    return { events, seconds, eventsPerSecond: events / seconds, cpuMsPerEvent: (user + system) / 1000 / events };
  } finally {
    await service.close();
  }
}
