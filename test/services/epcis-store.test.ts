/**
 * The EPCIS store's materialisation (src/services/epcis/store.ts): events of other shapes than FishTrace's own —
 * GS1's examples with EPCs, a parent, inputs and outputs — are found by the MATCH_ parameters in URN and Digital
 * Link form alike, and a refresh replaces events the index no longer produces (other master data) while new ones
 * get the refresh's recordTime. And `npx hardhat epcis serve`, started as the CLI starts it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import { openIndex, type Sql } from "../../src/index/db.js";
import { loadJourney } from "../../src/index/journey.js";
import { epcisDocument } from "../../src/exports/epcis.js";
import { listenEpcis, type EpcisService } from "../../src/services/epcis/http.js";
import {
  appendEvents,
  ensureEpcisStore,
  refreshEpcisStore,
  storedEvent,
  type StorableEvent,
} from "../../src/services/epcis/store.js";
import { freePort, kill, started } from "../../src/tools/processes.js";
import { HARDHAT, hardhatCli } from "../helpers/cli.js";
import { regulatorAuth } from "../helpers/api-key.js";
import { call, CHECKED, type Answer } from "../helpers/epcis-api.js";
import { CHAIN_ID, exportWorld, MASTER_DATA } from "../helpers/export-rows.js";
import { startPostgres, type RunningPostgres } from "../helpers/postgres.js";

/** Events shaped after GS1's EPCIS 2.0 examples (JSON/Example_9.6.1, 9.6.3, 9.6.4 and PersistentDisposition). */
const GS1_EVENTS: StorableEvent[] = [
  {
    type: "ObjectEvent",
    eventID: "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0",
    eventTime: "2005-04-03T20:33:31.116-06:00",
    eventTimeZoneOffset: "-06:00",
    action: "OBSERVE",
    epcList: ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
    bizStep: "shipping",
    disposition: "in_transit",
    persistentDisposition: { unset: ["completeness_inferred"], set: ["completeness_verified"] },
    readPoint: { id: "urn:epc:id:sgln:0614141.07346.1234" },
    bizTransactionList: [{ type: "po", bizTransaction: "http://transaction.acme.com/po/12345678" }],
  },
  {
    type: "AggregationEvent",
    eventID: "ni:///sha-256;00e1e6eba3a7cc6125be4793a631f0af50f8322e0ab5f2c0bab994a11cec1d79?ver=CBV2.0",
    eventTime: "2013-06-08T14:58:56.591Z",
    eventTimeZoneOffset: "+02:00",
    parentID: "urn:epc:id:sscc:0614141.1234567890",
    childEPCs: ["urn:epc:id:sgtin:0614141.107346.2019"],
    action: "ADD",
    bizStep: "packing",
  },
  {
    type: "TransformationEvent",
    eventID: "ni:///sha-256;e2ab43e2a0a4a5b4d5a0f7f0f6e38a0a39f1d3bb6c8e1d8fc1ff7c3d7bb5b0a1?ver=CBV2.0",
    eventTime: "2013-10-31T14:58:56.591Z",
    eventTimeZoneOffset: "+02:00",
    inputEPCList: ["urn:epc:id:sgtin:4012345.011122.25"],
    outputEPCList: ["urn:epc:id:sgtin:4012345.077889.25"],
    bizStep: "https://example.org/bizStep/mixing",
  },
];

const ids = (a: Answer): string[] =>
  a.body.epcisBody.queryResults.resultsBody.eventList.map((e: StorableEvent) => e.eventID);

describe("EPCIS store", function () {
  describe("events with EPCs, a parent, inputs and outputs (GS1's examples)", function () {
    let sql: Sql;
    let service: EpcisService;
    const [observe, aggregate, transform] = GS1_EVENTS.map((e) => e.eventID);
    /** A regulator's key: the events in full (a purchase order is not the public's: scoped-access.test.ts). */
    let auth: RequestInit = {};

    before(async function () {
      sql = await openIndex({ dir: "memory://", databaseUrl: "" });
      await ensureEpcisStore(sql);
      await appendEvents(sql, GS1_EVENTS, new Date("2024-01-01T00:00:00Z"));
      service = await listenEpcis(sql);
      auth = await regulatorAuth(sql);
    });
    after(async function () {
      await service.close();
      await sql.close();
    });

    it("keys each event by what the MATCH_ parameters read, EPC URNs as Digital Links", function () {
      expect(storedEvent(GS1_EVENTS[1] ?? {}).keys).to.deep.equal([
        ["epc", "https://id.gs1.org/01/10614141073464/21/2019"],
        ["parentID", "https://id.gs1.org/00/106141412345678908"],
      ]);
      expect(storedEvent(GS1_EVENTS[0] ?? {}).keys.filter(([kind]) => kind.startsWith("pd"))).to.deep.equal([
        ["pdSet", "completeness_verified"],
        ["pdUnset", "completeness_inferred"],
      ]);
    });

    const cases: [string, string, (string | undefined)[]][] = [
      ["MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2018", [observe]],
      ["MATCH_epc", "https://id.gs1.org/01/10614141073464/21/2019", [aggregate]],
      ["MATCH_parentID", "urn:epc:id:sscc:0614141.1234567890", [aggregate]],
      ["MATCH_inputEPC", "urn:epc:id:sgtin:4012345.011122.25", [transform]],
      ["MATCH_outputEPC", "urn:epc:id:sgtin:4012345.077889.25", [transform]],
      ["MATCH_anyEPC", "urn:epc:id:sgtin:4012345.077889.25|urn:epc:id:sscc:0614141.1234567890", [aggregate, transform]],
      ["EQ_persistentDisposition_unset", "completeness_inferred", [observe]],
      ["EQ_bizStep", "https://example.org/bizStep/mixing", [transform]],
      ["EQ_readPoint", "https://id.gs1.org/414/0614141073467/254/1234", [observe]],
      ["eventType", "AggregationEvent", [aggregate]],
      ["EQ_bizTransaction_po", "http://transaction.acme.com/po/12345678", [observe]],
    ];
    for (const [name, value, want] of cases) {
      it(`${name}=${value}`, async function () {
        const found = await call(service.url, `/epcis/events?${new URLSearchParams({ [name]: value })}`, auth);
        expect(found.status, JSON.stringify(found.body)).to.equal(200);
        expect(ids(found)).to.deep.equal(want);
      });
    }

    it("/epcis/epcs lists the EPCs; /epcis/epcs/{epc}/events takes the URN", async function () {
      expect((await call(service.url, "/epcis/epcs")).body.member).to.include(
        "https://id.gs1.org/00/106141412345678908",
      );
      const found = await call(
        service.url,
        `/epcis/epcs/${encodeURIComponent("urn:epc:id:sscc:0614141.1234567890")}/events`,
      );
      expect(ids(found)).to.deep.equal([aggregate]);
    });
  });

  it("a refresh with other master data replaces the events whose content changed; new ones get its recordTime", async function () {
    const { index } = await exportWorld();
    try {
      const first = await refreshEpcisStore(index, {
        chainId: CHAIN_ID,
        masterData: MASTER_DATA,
        now: new Date(1_000),
      });
      const again = await refreshEpcisStore(index, { chainId: CHAIN_ID, now: new Date(2_000) });
      expect(again.unchanged).to.equal(undefined);
      expect(again.removed).to.be.greaterThan(0);
      expect(again.added).to.equal(again.removed);
      expect(again.total).to.equal(first.total);
      const times = await index.query<{ t: string; n: string }>(
        "SELECT record_time::text AS t, count(*)::text AS n FROM epcis_events GROUP BY record_time ORDER BY 1",
      );
      expect(times.map((r) => r.t)).to.deep.equal(["1000", "2000"]);
      expect(times.map((r) => Number(r.n)).reduce((a, b) => a + b)).to.equal(first.total);
      expect((await refreshEpcisStore(index, { chainId: CHAIN_ID })).unchanged).to.equal(true);
      await index.query("INSERT INTO blocks (number, hash, time) VALUES (31, '0x31', 1)");
      expect((await refreshEpcisStore(index, { chainId: CHAIN_ID })).unchanged).to.equal(undefined);
    } finally {
      await index.close();
    }
  });

  describe("on PostgreSQL (DATABASE_URL)", function () {
    this.timeout(120_000);
    let server: RunningPostgres;
    let sql: Sql;
    let service: EpcisService;
    let events: StorableEvent[];
    /** A regulator's key: every event, the orders' TransactionEvents included. */
    let auth: RequestInit = {};

    before(async function () {
      server = await startPostgres();
      const { index } = await exportWorld();
      try {
        const journey = await loadJourney(index, { kind: "range", from: 0, to: Number.MAX_SAFE_INTEGER }, CHAIN_ID);
        events = epcisDocument(journey, { masterData: MASTER_DATA }).epcisBody.eventList;
      } finally {
        await index.close();
      }
      sql = await openIndex({ databaseUrl: server.url });
      await ensureEpcisStore(sql);
      await appendEvents(sql, events, new Date("2027-02-01T00:00:00Z"));
      service = await listenEpcis(sql);
      auth = await regulatorAuth(sql);
    });
    after(async function () {
      await service?.close();
      await sql?.close();
      await server?.stop();
    });

    it("pages by eventTime across ≥ 3 pages, filters by class and step, runs a named query", async function () {
      const seen: string[] = [];
      let answer = await call(service.url, "/epcis/events?orderBy=eventTime&orderDirection=ASC&perPage=6", auth);
      let pages = 0;
      for (;;) {
        expect(answer.status).to.equal(200);
        seen.push(...ids(answer));
        pages++;
        const link = answer.headers.get("link");
        if (link === null) break;
        answer = await call("", /<([^>]+)>/.exec(link)?.[1] ?? "", auth);
      }
      expect(pages).to.be.at.least(3);
      const byTime = events
        .map((e, i) => [Date.parse(e.eventTime), i] as const)
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(seen).to.deep.equal(byTime.map(([, i]) => events[i]?.eventID));

      const loins = "https://id.gs1.org/01/07038010123450/10/L2027-001";
      const matched = await call(
        service.url,
        `/epcis/events?MATCH_anyEPCClass=${encodeURIComponent(loins)}&EQ_bizStep=shipping`,
      );
      const want = events
        .filter((e) => e.bizStep === "shipping" && JSON.stringify(e).includes(loins))
        .map((e) => e.eventID);
      expect(want.length).to.be.greaterThan(0);
      expect(ids(matched)).to.deep.equal(want);

      const created = await call(service.url, "/epcis/queries", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "recalls", query: { EQ_disposition: ["recalled"] } }),
      });
      expect(created.status).to.equal(201);
      const recalls = await call(service.url, "/epcis/queries/recalls/events");
      expect(ids(recalls)).to.deep.equal(events.filter((e) => e.disposition === "recalled").map((e) => e.eventID));
      expect((await call(service.url, "/epcis/queries/recalls", { method: "DELETE" })).status).to.equal(204);
      expect((await call(service.url, "/epcis/queries/recalls")).status).to.equal(404);
    });
  });

  describe("npx hardhat epcis serve", function () {
    this.timeout(120_000);
    let dir: string;
    /** A regulator's key, made in the index before the server opens it: every event. */
    let auth: RequestInit = {};
    before(async function () {
      dir = await mkdtemp(path.join(os.tmpdir(), "fishtrace-epcis-"));
      const { index } = await exportWorld(path.join(dir, "index"));
      auth = await regulatorAuth(index);
      await index.close();
    });
    after(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it("serves the index as it is (--no-sync) with /healthz, and Ctrl-C stops it", async function () {
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [HARDHAT, "epcis", "serve", "--no-sync", "--db", path.join(dir, "index"), "--port", String(port)],
        { env: { ...process.env, CI: "true" }, detached: true, stdio: ["ignore", "pipe", "pipe"] },
      );
      try {
        const out = await started(child, "EPCIS 2.0 query interface on", "epcis serve", 90_000);
        expect(out).to.match(new RegExp(`on http://127\\.0\\.0\\.1:${port}/epcis/events \\(\\d+ events;`));
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        const { ok, events } = (await health.json()) as { ok: boolean; events: number };
        expect(ok).to.equal(true);
        expect(events).to.be.greaterThan(15);
        const all = await call(`http://127.0.0.1:${port}`, "/epcis/events?perPage=1000", auth);
        expect(ids(all)).to.have.length(events);
        const description = await fetch(`http://127.0.0.1:${port}/.well-known/gs1resolver`);
        expect(((await description.json()) as { resolverRoot: string }).resolverRoot).to.equal(
          `http://127.0.0.1:${port}`,
        );
      } finally {
        await kill(child, "SIGINT");
      }
      expect(child.exitCode ?? child.signalCode).to.not.equal(null);
    });

    it("refuses a bad option in one line", async function () {
      const run = await hardhatCli(["epcis", "serve", "--no-sync", "--interval", "5", "--db", path.join(dir, "index")]);
      expect(run.code).to.equal(1);
      expect(run.output.trim().split("\n")).to.deep.equal(["error: --interval needs syncing: drop --no-sync"]);
    });
  });

  describe("the standards' verdict (after the tests above)", function () {
    it("every answer validated against GS1's EPCIS 2.0 JSON schema and the OpenAPI's response schemas", function () {
      expect(CHECKED.length).to.be.greaterThan(15);
      for (const [path, status, errors] of CHECKED) expect(errors, `${status} ${path}`).to.deep.equal([]);
    });
  });
});
