/**
 * EPCIS 2.0 query subscriptions (src/services/epcis/subscriptions.ts, deliveries.ts, webhook.ts, schedule.ts) over
 * the export tests' journey (test/helpers/export-rows.ts), with webhook receivers on 127.0.0.1: a stream
 * subscription gets each new matching event once, signed (the test checks the HMAC); a schedule fires; a receiver
 * answering 500 or not listening is retried with backoff until it takes the report; a recall recorded while the
 * receiver is down reaches it from a restarted server (through the task and a PGlite folder:
 * epcis-subscriptions-serve.test.ts); DELETE stops deliveries; bad requests are problem+json. Every answer and report is checked against the OpenAPI's schemas and GS1's EPCIS JSON schema.
 */
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import type { Sql } from "../../src/index/db.js";
import { Deliveries } from "../../src/services/epcis/deliveries.js";
import { listenEpcis, type EpcisService } from "../../src/services/epcis/http.js";
import { nextRun, parseSchedule } from "../../src/services/epcis/schedule.js";
import { refreshEpcisStore } from "../../src/services/epcis/store.js";
import {
  addressRefusal,
  guardedLookup,
  postWebhook,
  webhookDest,
  webhookHosts,
  type WebhookPolicy,
} from "../../src/services/epcis/webhook.js";
import { answerErrors, call, schemaErrors, type Answer } from "../helpers/epcis-api.js";
import { CHAIN_ID, exportWorld, GTIN, LOT_NUMBER, LOTS, MASTER_DATA } from "../helpers/export-rows.js";
import { insertRecall, Receiver, reportEvents, signedReport, type Received } from "../helpers/webhook-receiver.js";

const OPENAPI = "https://gs1.github.io/EPCIS/openapi.json#/components";
const LOINS = `https://id.gs1.org/01/${GTIN.loins}/10/${LOT_NUMBER.loins}`;
const FILLETS = `https://id.gs1.org/01/${GTIN.fillets}/10/${LOT_NUMBER.fillets}`;
const TOKEN = "13df38d8275b13f05704629e5f1cf3d45d6132d5";
const FAST = { tickMs: 100, backoffMs: 60, maxBackoffMs: 300, maxAttempts: 3, timeoutMs: 2_000 };

const events = reportEvents;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The OpenAPI's subscription schemas, one erratum set aside: its schedule fields' `pattern`s are Oniguruma (Ruby)
 * expressions (`\g<element>`) no JavaScript engine compiles — dropped here, the fields checked against the
 * standard's grammar instead.
 */
const openapi = JSON.parse(readFileSync(new URL("../../standards/epcis-openapi.json", import.meta.url), "utf8"));
const ONIGURUMA = (key: string, value: unknown) =>
  key === "pattern" && typeof value === "string" && value.includes("\\g<") ? undefined : value;
const ajv = addFormatsModule.default(new Ajv({ strict: false, allErrors: true }));
ajv.addSchema({ $id: "openapi", components: JSON.parse(JSON.stringify(openapi.components, ONIGURUMA)) });
const SUBSCRIPTION = ajv.compile({
  allOf: [
    { $ref: "openapi#/components/schemas/AbstractQuerySubscriptionResponse" },
    {
      oneOf: [
        { $ref: "openapi#/components/schemas/QueryScheduleSubscription" },
        { $ref: "openapi#/components/schemas/QueryStreamSubscription" },
      ],
    },
  ],
});
const SCHEDULE_FIELD = /^(\d+|\[\d+-\d+\]|\d+\/\d+)(,(\d+|\[\d+-\d+\]|\d+\/\d+))*$/;

/** The OpenAPI's verdict on a subscription as answered (empty: valid). */
function subscriptionErrors(body: any): string[] {
  const errors = SUBSCRIPTION(body) ? [] : (SUBSCRIPTION.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  for (const [field, value] of Object.entries(body?.schedule ?? {})) {
    if (typeof value !== "string" || !SCHEDULE_FIELD.test(value)) errors.push(`/schedule/${field} ${String(value)}`);
  }
  return errors;
}

describe("EPCIS subscriptions", function () {
  this.timeout(60_000);
  let index: Sql;
  let service: EpcisService;
  let deliveries: Deliveries;
  let base: string;
  let block = 40;
  const receivers: Receiver[] = [];

  const receiver = async () => {
    const r = await new Receiver().start();
    receivers.push(r);
    return r;
  };

  async function startServer(): Promise<void> {
    service = await listenEpcis(index, { webhooks: { allowLoopback: true } });
    base = service.url;
    deliveries = new Deliveries(index, { policy: { allowLoopback: true }, ...FAST });
    await deliveries.init();
    deliveries.start();
  }
  async function stopServer(): Promise<void> {
    await deliveries.stop();
    await service.close();
  }

  /** A recall of `lot` at `stage` indexed (a new block) and the EPCIS store refreshed: as one indexer cycle does. */
  async function recall(lot: bigint, stage: number): Promise<void> {
    block++;
    await insertRecall(index, lot, stage, block);
    const stored = await refreshEpcisStore(index, { chainId: CHAIN_ID, masterData: MASTER_DATA });
    expect(stored.added).to.be.greaterThan(0);
  }

  const post = (path: string, body: unknown, contentType = "application/json"): Promise<Answer> =>
    call(base, path, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const query = (name: string, q: Record<string, readonly string[]>) => post("/epcis/queries", { name, query: q });
  async function subscribe(name: string, body: Record<string, unknown>): Promise<string> {
    const created = await post(`/epcis/queries/${name}/subscriptions`, { signatureToken: TOKEN, ...body });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(subscriptionErrors(created.body)).to.deep.equal([]);
    expect(created.headers.get("location")).to.equal(
      `/epcis/queries/${name}/subscriptions/${created.body.subscriptionID}`,
    );
    expect(created.body).to.not.have.property("signatureToken");
    return created.body.subscriptionID;
  }
  const attempts = (subscription: string) =>
    index.query<{ attempt: number; http_status: number | null; error: string | null; at: string }>(
      `SELECT a.attempt, a.http_status, a.error, a.at::text FROM epcis_delivery_attempts a
         JOIN epcis_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1 ORDER BY d.id, a.attempt`,
      [subscription],
    );

  /** Checks a report: signed with TOKEN over its exact bytes, the headers, valid EPCIS; its events. */
  function checkedReport(got: Received | undefined, name: string, id: string): any[] {
    const doc = signedReport(got, TOKEN);
    expect(got?.headers["content-type"]).to.equal("application/json");
    expect(got?.headers["gs1-epcis-version"]).to.equal("2.0.0");
    expect(answerErrors("/epcis/events", 200, "application/json", doc)).to.deep.equal([]);
    expect(doc.epcisBody.queryResults.queryName).to.equal(name);
    expect(doc.epcisBody.queryResults.subscriptionID).to.equal(id);
    return events(doc);
  }

  before(async function () {
    ({ index } = await exportWorld());
    await refreshEpcisStore(index, {
      chainId: CHAIN_ID,
      masterData: MASTER_DATA,
      now: new Date(Date.now() - 3_600_000),
    });
    await startServer();
    for (const [name, q] of [
      ["all-recalls", { EQ_disposition: ["recalled"] }],
      ["loins-recalls", { MATCH_anyEPCClass: [LOINS], EQ_disposition: ["recalled"] }],
      ["fillets", { MATCH_anyEPCClass: [FILLETS] }],
      ["recalls-2", { EQ_disposition: ["recalled"] }],
    ] as const) {
      expect((await query(name, q)).status).to.equal(201);
    }
  });
  after(async function () {
    await stopServer();
    for (const r of receivers) await r.stop();
    await index.close();
  });

  it("refuses a bad subscription as problem+json: dest, token, stream/schedule, body; unknown query 404", async function () {
    const path = "/epcis/queries/all-recalls/subscriptions";
    const ok = { dest: "https://partner.example.com/hook", signatureToken: TOKEN, stream: true };
    const refusals: [unknown, RegExp][] = [
      [{ ...ok, dest: "ftp://partner.example.com/hook" }, /ftp is not a webhook scheme/],
      [{ ...ok, dest: "not a url" }, /not a URL/],
      [{ ...ok, dest: "http://10.1.2.3/hook" }, /not a public address/],
      [{ ...ok, dest: "http://169.254.169.254/latest/meta-data" }, /not a public address/],
      [{ ...ok, dest: "http://[::ffff:192.168.1.1]/hook" }, /not a public address/],
      [{ ...ok, dest: "http://user:pw@partner.example.com/" }, /user or password/],
      [{ ...ok, dest: undefined }, /dest must be/],
      [{ ...ok, signatureToken: "short" }, /signatureToken must be a secret/],
      [{ ...ok, signatureToken: undefined }, /signatureToken must be a secret/],
      [{ ...ok, stream: false }, /stream can only be true/],
      [{ ...ok, schedule: { minute: "5" } }, /either stream: true or a schedule/],
      [{ dest: ok.dest, signatureToken: TOKEN }, /either stream: true or a schedule/],
      [{ ...ok, reportIfEmpty: true }, /reportIfEmpty applies to a schedule/],
      [{ ...ok, initialRecordTime: "yesterday" }, /initialRecordTime must be a date-time/],
      [{ ...ok, secret: "x" }, /unknown field secret/],
      [{ dest: ok.dest, signatureToken: TOKEN, schedule: { minute: "60" } }, /schedule.minute: 60 is outside 0–59/],
      [{ dest: ok.dest, signatureToken: TOKEN, schedule: { hour: "[5-1]" } }, /runs backwards/],
      [{ dest: ok.dest, signatureToken: TOKEN, schedule: { hour: "*" } }, /schedule.hour: "\*" is not a list/],
      [{ dest: ok.dest, signatureToken: TOKEN, schedule: { minutes: "5" } }, /unknown field minutes/],
      [{ dest: ok.dest, signatureToken: TOKEN, schedule: {} }, /names no field/],
      [{ dest: ok.dest, signatureToken: TOKEN, schedule: { month: "2", dayOfMonth: "30" } }, /never fires/],
      [[ok], /must be a JSON object/],
    ];
    for (const [body, detail] of refusals) {
      const a = await post(path, body);
      expect(a.status, JSON.stringify(body)).to.equal(400);
      expect(a.headers.get("content-type")).to.equal("application/problem+json");
      expect(a.body.type).to.equal("epcisException:SubscriptionControlsException");
      expect(a.body.detail).to.match(detail);
      expect(
        schemaErrors(a.body, `${OPENAPI}/responses/400SubscriptionIssues/content/application~1json/schema`),
      ).to.deep.equal([]);
    }
    const notJson = await post(path, "{");
    expect([notJson.status, notJson.body.type]).to.deep.equal([400, "epcisException:ValidationException"]);
    expect((await post(path, JSON.stringify(ok), "text/plain")).status).to.equal(415);
    for (const [method, p] of [
      ["POST", "/epcis/queries/nope/subscriptions"],
      ["GET", "/epcis/queries/nope/subscriptions"],
      ["GET", `${path}/00000000-0000-0000-0000-000000000000`],
      ["DELETE", `${path}/00000000-0000-0000-0000-000000000000`],
    ] as const) {
      const a = await call(base, p, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "POST" ? JSON.stringify(ok) : null,
      });
      expect([a.status, a.body.type], `${method} ${p}`).to.deep.equal([404, "epcisException:NoSuchNameException"]);
    }
    const options = await fetch(`${base}${path}`, { method: "OPTIONS" });
    expect([options.status, options.headers.get("allow")]).to.deep.equal([204, "OPTIONS, GET, POST"]);
    const one = await fetch(`${base}${path}/x`, { method: "OPTIONS" });
    expect(one.headers.get("allow")).to.equal("OPTIONS, GET, DELETE");
    expect((await fetch(`${base}${path}/x`, { method: "POST" })).status).to.equal(405);
    // Nothing was stored by the refusals.
    expect((await call(base, path)).body).to.deep.equal([]);
  });

  it("checks webhook addresses: public only, loopback when allowed, an allow-list decides alone", function () {
    expect(addressRefusal("127.0.0.1", {})).to.match(/loopback/);
    expect(addressRefusal("127.0.0.1", { allowLoopback: true })).to.equal(undefined);
    expect(addressRefusal("::1", {})).to.match(/loopback/);
    for (const a of [
      "10.0.0.1",
      "172.16.5.4",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "fd00::1",
      "fe80::1",
    ]) {
      expect(addressRefusal(a, { allowLoopback: true }), a).to.match(/not a public address/);
    }
    expect(addressRefusal("::ffff:a00:1", {})).to.match(/not a public address/);
    expect(addressRefusal("::ffff:7f00:1", {})).to.match(/loopback/);
    expect(addressRefusal("93.184.216.34", {})).to.equal(undefined);
    expect(addressRefusal("2606:4700::1111", {})).to.equal(undefined);
    expect(() => webhookDest("http://localhost:9000/", {})).to.throw(/this machine/);
    expect(webhookDest("http://localhost:9000/", { allowLoopback: true })).to.equal("http://localhost:9000/");
    const listed = { allowedHosts: ["*.partner.example", "hooks.example.com"] };
    expect(webhookDest("https://a.partner.example/h", listed)).to.equal("https://a.partner.example/h");
    expect(webhookDest("https://hooks.example.com/h", listed)).to.equal("https://hooks.example.com/h");
    expect(() => webhookDest("https://evil.example.com/h", listed)).to.throw(/not an allowed webhook host/);
    expect(() => webhookDest("https://partner.example.evil.com/h", listed)).to.throw(/not an allowed webhook host/);
    // --webhook-hosts, as the serving task reads it.
    expect(webhookHosts("Partner.Example.com, *.example.org,[::1],10.0.0.5")).to.deep.equal([
      "partner.example.com",
      "*.example.org",
      "[::1]",
      "10.0.0.5",
    ]);
    for (const bad of ["", "a,,b", "https://partner.example.com", "partner.example.com/hook", "*", "a b"]) {
      expect(() => webhookHosts(bad), bad).to.throw(/^--webhook-hosts: ".*" is not a host name/);
    }
  });

  it("checks the address a webhook connects to, and gives up on a receiver that does not answer in time", async function () {
    const resolved = (policy: WebhookPolicy) =>
      new Promise<string>((resolve) =>
        guardedLookup(policy)("localhost", { all: true }, (err, addresses) =>
          resolve(err === null ? JSON.stringify(addresses) : `${err.code}: ${err.message}`),
        ),
      );
    expect(await resolved({})).to.match(/^EWEBHOOKADDRESS: localhost: .* is a loopback address$/);
    expect(await resolved({ allowLoopback: true })).to.match(/"address":"(127\.0\.0\.1|::1)"/);

    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const result = await postWebhook(
        `http://127.0.0.1:${port}/`,
        "{}",
        {},
        {
          policy: { allowLoopback: true },
          timeoutMs: 200,
        },
      );
      expect(result.status).to.equal(undefined);
      expect(result.error).to.equal("no answer within 200 ms");
      expect(result.ms).to.be.within(190, 2_000);
      const refused = await postWebhook(`http://127.0.0.1:${port}/`, "{}", {}, { policy: {}, timeoutMs: 200 });
      expect(refused.error).to.match(/127\.0\.0\.1 is a loopback address/);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("computes a schedule's query times in UTC as EPCIS 1.2 §8.2.5.3 says", function () {
    const at = (s: Record<string, string>, after: string) =>
      new Date(nextRun(parseSchedule(s), Date.parse(after)) ?? 0).toISOString();
    expect(at({ second: "0", minute: "5", hour: "1" }, "2027-01-15T08:00:00Z")).to.equal("2027-01-16T01:05:00.000Z");
    expect(at({ second: "0", minute: "5", hour: "1" }, "2027-01-15T00:00:00Z")).to.equal("2027-01-15T01:05:00.000Z");
    // Omitted finer fields match every value: from 01:05:00 each second of that minute.
    expect(at({ minute: "5", hour: "1" }, "2027-01-15T01:05:10Z")).to.equal("2027-01-15T01:05:11.000Z");
    // Weekdays only: Friday 2027-01-15 after the hour → Monday the 18th.
    expect(at({ second: "0", minute: "0", hour: "9", dayOfWeek: "[1-5]" }, "2027-01-15T10:00:00Z")).to.equal(
      "2027-01-18T09:00:00.000Z",
    );
    expect(at({ second: "0/30" }, "2027-01-15T10:00:00.500Z")).to.equal("2027-01-15T10:00:30.000Z");
    expect(at({ second: "0", minute: "0", hour: "0", dayOfMonth: "29", month: "2" }, "2027-01-01T00:00:00Z")).to.equal(
      "2028-02-29T00:00:00.000Z",
    );
    expect(at({ second: "5,35", minute: "[10-11]" }, "2027-01-15T10:11:35Z")).to.equal("2027-01-15T11:10:05.000Z");
  });

  it("stream: each new matching event reaches each matching subscriber once, signed; others get nothing", async function () {
    const loins = await receiver();
    const all = await receiver();
    const fillets = await receiver();
    const loinsId = await subscribe("loins-recalls", { dest: loins.url, stream: true });
    const allId = await subscribe("all-recalls", { dest: all.url, stream: true });
    await subscribe("fillets", { dest: fillets.url, stream: true });
    // The fillets' recalls stored before the subscriptions are not sent; nothing new, nothing sent.
    await deliveries.kick();
    await sleep(200);
    expect([loins.got.length, all.got.length, fillets.got.length]).to.deep.equal([0, 0, 0]);

    await recall(LOTS.loins, 5);
    await deliveries.kick();
    const [report] = await loins.reports(1);
    expect(report).to.not.equal(undefined);
    const first = checkedReport(loins.got[0], "loins-recalls", loinsId);
    expect(first.map((e) => [e.disposition, e.quantityList[0].epcClass, e["fishtrace:stage"]])).to.deep.equal([
      ["recalled", LOINS, 5],
    ]);
    const [toAll] = await all.reports(1);
    expect(events(toAll).map((e) => e.eventID)).to.deep.equal(first.map((e) => e.eventID));
    checkedReport(all.got[0], "all-recalls", allId);

    // More cycles, no new event: nothing sent again.
    for (let i = 0; i < 5; i++) await deliveries.kick();
    await sleep(150);
    expect([loins.got.length, all.got.length, fillets.got.length]).to.deep.equal([1, 1, 0]);

    // The next recall: only the new event.
    await recall(LOTS.loins, 6);
    await deliveries.kick();
    const reports = await loins.reports(2);
    expect(reports.map((r) => events(r).map((e) => e["fishtrace:stage"]))).to.deep.equal([[5], [6]]);
    expect(fillets.got).to.have.length(0);
    const got = await call(base, `/epcis/queries/loins-recalls/subscriptions/${loinsId}`);
    expect(subscriptionErrors(got.body)).to.deep.equal([]);
    expect(got.body).to.include({ subscriptionID: loinsId, dest: loins.url, stream: true, queryName: "loins-recalls" });
    expect(Date.parse(got.body.lastNotifiedAt)).to.be.at.most(Date.now());
    const list = await call(base, "/epcis/queries/loins-recalls/subscriptions");
    expect(list.body.map((s: any) => s.subscriptionID)).to.deep.equal([loinsId]);
    for (const s of list.body) expect(subscriptionErrors(s)).to.deep.equal([]);
  });

  it("schedule: fires on its query times, with the new events, or empty with reportIfEmpty", async function () {
    const empty = await receiver();
    const quiet = await receiver();
    const id = await subscribe("all-recalls", { dest: empty.url, schedule: { second: "[0-59]" }, reportIfEmpty: true });
    await subscribe("all-recalls", { dest: quiet.url, schedule: { second: "[0-59]" } });
    const reports = await empty.reports(2, 4_000);
    expect(reports.length).to.be.at.least(2);
    expect(reports.map((r) => events(r).length)).to.deep.equal(reports.map(() => 0));
    checkedReport(empty.got[0], "all-recalls", id);
    // Whole seconds apart (one report per query time).
    const seconds = new Set(empty.got.map((g) => Math.floor(g.at / 1000)));
    expect(seconds.size).to.equal(empty.got.length);
    expect(quiet.got).to.have.length(0);
    await recall(LOTS.wild, 3);
    const [withEvent] = await quiet.reports(1, 3_000);
    expect(events(withEvent).map((e) => e.disposition)).to.deep.equal(["recalled"]);
    const scheduled = await call(base, `/epcis/queries/all-recalls/subscriptions/${id}`);
    expect(scheduled.body).to.deep.include({ schedule: { second: "[0-59]" }, reportIfEmpty: true });
    expect(subscriptionErrors(scheduled.body)).to.deep.equal([]);
    // DELETE stops them.
    for (const s of (await call(base, "/epcis/queries/all-recalls/subscriptions")).body) {
      const gone = await call(base, `/epcis/queries/all-recalls/subscriptions/${s.subscriptionID}`, {
        method: "DELETE",
      });
      expect(gone.status).to.equal(204);
    }
    await sleep(100);
    const counts = [empty.got.length, quiet.got.length];
    await sleep(1_200);
    expect([empty.got.length, quiet.got.length]).to.deep.equal(counts);
  });

  it("a receiver answering 500, then 503, is retried with backoff until it takes the report: the same bytes", async function () {
    const r = await receiver();
    r.answers = [500, 503];
    const id = await subscribe("fillets", { dest: r.url, stream: true });
    await recall(LOTS.fillets, 6);
    await deliveries.kick();
    await r.reports(3, 5_000);
    expect(r.got.map((g) => g.body.toString())).to.have.length(3);
    // The same bytes and signature each time.
    expect(new Set(r.got.map((g) => g.body.toString())).size).to.equal(1);
    expect(new Set(r.got.map((g) => g.headers["fishtrace-delivery-id"])).size).to.equal(1);
    const tried = await attempts(id);
    expect(tried.map((a) => a.http_status)).to.deep.equal([500, 503, 200]);
    const gaps = tried.slice(1).map((a, i) => Number(a.at) - Number(tried[i]?.at));
    expect(gaps[0]).to.be.at.least(FAST.backoffMs);
    expect(gaps[1]).to.be.at.least(2 * FAST.backoffMs);
    expect(checkedReport(r.got[2], "fillets", id)).to.have.length(1);
  });

  // The same through `epcis serve` processes and a PGlite folder: epcis-subscriptions-serve.test.ts.
  it("a recall recorded while the receiver is down reaches it from a restarted service and delivery loop; once", async function () {
    const r = await receiver();
    const port = r.port;
    const id = await subscribe("loins-recalls", { dest: r.url, stream: true });
    await r.stop();
    // The indexer's cycle stores the recall; the delivery fails (nobody listens), and the server stops.
    await recall(LOTS.loins, 4);
    await deliveries.kick();
    await stopServer();
    const failed = await attempts(id);
    expect(failed.length).to.be.at.least(1);
    expect(failed.every((a) => a.http_status === null && /ECONNREFUSED/.test(a.error ?? ""))).to.equal(true);

    // The receiver comes back; a new server and delivery loop start on the same database.
    await r.start(port);
    await startServer();
    const [report] = await r.reports(1, 5_000);
    expect(report).to.not.equal(undefined);
    const delivered = checkedReport(r.got[0], "loins-recalls", id);
    expect(delivered.map((e) => [e.disposition, e.quantityList[0].epcClass, e["fishtrace:stage"]])).to.deep.equal([
      ["recalled", LOINS, 4],
    ]);
    const tried = await attempts(id);
    expect(tried.at(-1)?.http_status).to.equal(200);
    // Never sent twice.
    for (let i = 0; i < 3; i++) await deliveries.kick();
    await sleep(150);
    expect(r.got).to.have.length(1);
    const [row] = await index.query<{ status: string; events: number }>(
      "SELECT status, events FROM epcis_deliveries WHERE subscription_id = $1",
      [id],
    );
    expect(row).to.deep.equal({ status: "delivered", events: 1 });
  });

  it("DELETE drops a subscription's undelivered report; deleting the query ends its subscriptions", async function () {
    const r = await receiver();
    r.answers = Array.from({ length: 50 }, () => 500);
    const id = await subscribe("recalls-2", { dest: r.url, stream: true });
    await recall(LOTS.farmed, 3);
    await deliveries.kick();
    await r.reports(1);
    const gone = await call(base, `/epcis/queries/recalls-2/subscriptions/${id}`, { method: "DELETE" });
    expect(gone.status).to.equal(204);
    expect((await call(base, `/epcis/queries/recalls-2/subscriptions/${id}`)).status).to.equal(404);
    const open = await index.query(
      "SELECT 1 FROM epcis_deliveries WHERE subscription_id = $1 AND status <> 'delivered'",
      [id],
    );
    expect(open).to.have.length(0);
    const count = r.got.length;
    await recall(LOTS.farmed, 4);
    await deliveries.kick();
    await sleep(400);
    expect(r.got).to.have.length(count);

    const other = await subscribe("recalls-2", { dest: r.url, stream: true });
    expect((await call(base, "/epcis/queries/recalls-2", { method: "DELETE" })).status).to.equal(204);
    const [left] = await index.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM epcis_subscriptions WHERE id = $1",
      [other],
    );
    expect(left?.n).to.equal("0");
  });
});
