/**
 * EPCIS subscriptions on PostgreSQL (DATABASE_URL): the same SQL as on PGlite, and two EPCIS servers on one database
 * sharing the deliveries — their loops running at once send each report once (a report is leased before it is sent,
 * a subscription has one open report at most), retries included.
 */
import { expect } from "chai";

import { openIndex, type Sql } from "../../src/index/db.js";
import { Deliveries } from "../../src/services/epcis/deliveries.js";
import { listenEpcis, type EpcisService } from "../../src/services/epcis/http.js";
import { appendEvents, ensureEpcisStore, type StorableEvent } from "../../src/services/epcis/store.js";
import { call } from "../helpers/epcis-api.js";
import { startPostgres, type RunningPostgres } from "../helpers/postgres.js";
import { Receiver, reportEvents, signedReport } from "../helpers/webhook-receiver.js";

const TOKEN = "0123456789abcdef0123456789abcdef";
const FAST = { tickMs: 50, backoffMs: 50, maxBackoffMs: 200, maxAttempts: 3, timeoutMs: 2_000 };

/** A recall of lot `n` as an EPCIS event (the store takes any event with an eventID). */
const recallEvent = (n: number): StorableEvent => ({
  type: "ObjectEvent",
  eventID: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  eventTime: "2027-01-15T08:00:00.000Z",
  eventTimeZoneOffset: "+00:00",
  action: "OBSERVE",
  bizStep: "holding",
  disposition: "recalled",
  quantityList: [{ epcClass: `https://id.gs1.org/01/07038010123450/10/LOT-${n}` }],
});

describe("EPCIS subscriptions on PostgreSQL (DATABASE_URL)", function () {
  this.timeout(60_000);
  let server: RunningPostgres;
  const pools: Sql[] = [];
  let service: EpcisService;
  let loops: Deliveries[] = [];
  let receiver: Receiver;

  before(async function () {
    server = await startPostgres();
    for (let i = 0; i < 2; i++) pools.push(await openIndex({ databaseUrl: server.url }));
    const [sql] = pools;
    if (sql === undefined) throw new Error("no pool");
    await ensureEpcisStore(sql);
    await appendEvents(sql, [recallEvent(0)], new Date(Date.now() - 3_600_000));
    service = await listenEpcis(sql, { webhooks: { allowLoopback: true } });
    receiver = await new Receiver().start();
    // Two servers' delivery loops, each on its own connection pool.
    loops = pools.map((pool) => new Deliveries(pool, { policy: { allowLoopback: true }, ...FAST }));
    for (const loop of loops) await loop.init();
  });
  after(async function () {
    for (const loop of loops) await loop.stop();
    await service?.close();
    await receiver?.stop();
    for (const pool of pools) await pool.close();
    await server?.stop();
  });

  it("two delivery loops on one database send each report once, retries included", async function () {
    const post = (path: string, body: unknown) =>
      call(service.url, path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect(
      (await post("/epcis/queries", { name: "recalls", query: { EQ_disposition: ["recalled"] } })).status,
    ).to.equal(201);
    const created = await post("/epcis/queries/recalls/subscriptions", {
      dest: receiver.url,
      signatureToken: TOKEN,
      stream: true,
    });
    expect(created.status).to.equal(201);
    const id: string = created.body.subscriptionID;
    const [sql] = pools;
    if (sql === undefined) throw new Error("no pool");

    await appendEvents(sql, [1, 2, 3].map(recallEvent), new Date());
    await Promise.all(loops.flatMap((loop) => [loop.kick(), loop.kick()]));
    await Promise.all(loops.map((loop) => loop.kick()));
    expect(receiver.got).to.have.length(1);
    const first = signedReport(receiver.got[0], TOKEN);
    expect(reportEvents(first).map((e) => e.eventID)).to.deep.equal([1, 2, 3].map((n) => recallEvent(n).eventID));

    // The receiver fails once; the two loops, started, retry it once each time, and deliver it once.
    receiver.answers = [500];
    await appendEvents(sql, [recallEvent(4)], new Date());
    for (const loop of loops) loop.start();
    await receiver.reports(3, 5_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.got).to.have.length(3);
    const [refused, taken] = [receiver.got[1], receiver.got[2]];
    expect(refused?.body.toString()).to.equal(taken?.body.toString());
    expect(reportEvents(signedReport(taken, TOKEN)).map((e) => e.eventID)).to.deep.equal([recallEvent(4).eventID]);
    const attempts = await sql.query<{ http_status: number }>(
      `SELECT a.http_status FROM epcis_delivery_attempts a JOIN epcis_deliveries d ON d.id = a.delivery_id
        WHERE d.subscription_id = $1 ORDER BY d.id, a.attempt`,
      [id],
    );
    expect(attempts.map((a) => a.http_status)).to.deep.equal([200, 500, 200]);
  });
});
