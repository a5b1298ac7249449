/**
 * Scoped access (issue 19, item 5) on the export tests' journey (test/helpers/export-rows.ts) plus one unrelated
 * catch of a second harvester: API keys made, listed, revoked and kept hashed (src/services/auth/api-keys.ts), and
 * what each scope sees on both servers — the EPCIS interface (events, an event by id, a resource, a named query,
 * paging) and the trace API (journey, trace JSON and SVG, participant page):
 *
 * - public: no price, order or buyer name anywhere in any answer;
 * - partner (the distributor's GLN): the events of its lots and of their one-up/one-down, not the unrelated
 *   catch's; the orders it is a party to with their prices, no other order's;
 * - regulator: everything;
 * - an unknown or revoked key: 401 (EPCIS: problem+json SecurityException); a page token of one scope refused in
 *   another.
 */
import { createHash } from "node:crypto";

import { expect } from "chai";

import type { Sql } from "../../src/index/db.js";
import { gtinCheckDigit } from "../../src/core/digital-link.js";
import type { EpcisEvent } from "../../src/exports/epcis.js";
import { listenEpcis, type EpcisService } from "../../src/services/epcis/http.js";
import { refreshEpcisStore } from "../../src/services/epcis/store.js";
import { listenTrace, type TraceService } from "../../src/services/trace/http.js";
import { ApiKeys } from "../../src/services/auth/api-keys.js";
import { call, type Answer } from "../helpers/epcis-api.js";
import { Receiver, reportEvents } from "../helpers/webhook-receiver.js";
import { Deliveries } from "../../src/services/epcis/deliveries.js";
import { CHAIN_ID, exportWorld, GLN, LOTS, MASTER_DATA, PARTIES } from "../helpers/export-rows.js";

/**
 * A second harvester with a catch of its own, which no other party handled, and one shipped to the distributor and
 * not received yet (the distributor sees it on its way).
 */
const GLN2 = ((body: string) => body + String(gtinCheckDigit(body)))("703801000009");
const OTHER_CATCH = 3n;
const INBOUND_CATCH = 4n;
/** The inbound catch's order: harvester2 sells it to the distributor. */
const INBOUND_PRICE = "7000000000000000000";
const catchClass = (lot: bigint) => `urn:fishtrace:${CHAIN_ID}:lot:${lot}`;

async function addSecondHarvester(index: Sql): Promise<void> {
  await index.query("INSERT INTO participants (id, account, name, location) VALUES (10, $1, 'harvester2', $2)", [
    `0x${"a".repeat(40)}`,
    GLN2,
  ]);
  for (const [lot, status] of [
    [OTHER_CATCH, "Created"],
    [INBOUND_CATCH, "Shipped"],
  ] as const) {
    await index.query(
      `INSERT INTO lots (lot_id, kind, species, weight_grams, origin_stage, created_block, created_time, tx_hash,
         harvester_id, caught_at, latitude, longitude, catch_area, vessel, gear, farmed, frozen)
       VALUES ($1, 'catch', 'HAD', 100000, 1, 29, 1800002900, $2, 10, 1800002800, 6900000, 1700000, '27.2.a', '',
         'OTB', false, false)`,
      [lot.toString(), `0x${"c".repeat(64)}`],
    );
    await index.query("INSERT INTO lot_stages (lot_id, stage, custodian_id, status) VALUES ($1, 1, 10, $2)", [
      lot.toString(),
      status,
    ]);
  }
  await index.query(
    `INSERT INTO orders (stage, order_id, seller_id, buyer_id, species, weight_grams, price, ship_by, ack_window,
       state, placed_time, shipped_time) VALUES (1, 2, 10, $1, 'HAD', 100000, $2, 1800090000, 172800, 'Shipped',
       1800002900, 1800002950)`,
    [PARTIES.distributor.id, INBOUND_PRICE],
  );
  await index.query(
    `INSERT INTO shipments (stage, order_id, shipment_no, weight_grams, block, time, tx_hash)
     VALUES (1, 2, 1, 100000, 29, 1800002950, $1)`,
    [`0x${"d".repeat(64)}`],
  );
  await index.query("INSERT INTO shipment_lots (stage, order_id, lot_id) VALUES (1, 2, $1)", [
    INBOUND_CATCH.toString(),
  ]);
}

const eventsOf = (a: Answer): EpcisEvent[] => a.body.epcisBody.queryResults.resultsBody.eventList;
const classesOf = (e: EpcisEvent): string[] =>
  ["quantityList", "inputQuantityList", "outputQuantityList", "childQuantityList"].flatMap((list) => {
    const q: unknown = e[list];
    return Array.isArray(q) ? q.map((x: { epcClass: string }) => x.epcClass) : [];
  });

describe("Scoped access: API keys, and what the public, a partner and a regulator see", function () {
  let index: Sql;
  let epcis: EpcisService;
  let trace: TraceService;
  let keys: ApiKeys;
  let all: EpcisEvent[];
  /** Every order's price in wei, as the index holds it; those of the distributor's orders. */
  let prices: string[];
  let distributorPrices: string[];
  const key = { partner: "", other: "", regulator: "" };
  const bearer = (k: string): RequestInit => ({ headers: { authorization: `Bearer ${k}` } });
  const loins = LOTS.loins.toString();

  before(async function () {
    ({ index } = await exportWorld());
    await addSecondHarvester(index);
    await refreshEpcisStore(index, { chainId: CHAIN_ID, masterData: MASTER_DATA });
    epcis = await listenEpcis(index);
    trace = await listenTrace(index, { chainId: CHAIN_ID });
    keys = await new ApiKeys(index).init();
    key.partner = (await keys.create(GLN.distributor, "partner", "distributor's WMS")).key;
    key.other = (await keys.create(GLN2, "partner")).key;
    key.regulator = (await keys.create(GLN.harvester, "regulator", "inspector")).key;
    all = eventsOf(await call(epcis.url, "/epcis/events?perPage=1000", bearer(key.regulator)));
    const priceOf = (r: { price: string }) => r.price;
    prices = (await index.query<{ price: string }>("SELECT price::text AS price FROM orders")).map(priceOf);
    expect(prices).to.have.length(6);
    const theirs = "SELECT price::text AS price FROM orders WHERE seller_id = $1 OR buyer_id = $1";
    distributorPrices = (await index.query<{ price: string }>(theirs, [PARTIES.distributor.id])).map(priceOf);
    expect(distributorPrices).to.have.length(3);
  });
  after(async function () {
    await epcis.close();
    await trace.close();
    await index.close();
  });

  describe("API keys", function () {
    it("are made once with a recognisable prefix, listed without the key, and stored only as a SHA-256", async function () {
      expect(key.partner).to.match(/^ft_[A-Za-z0-9_-]{43}$/);
      const list = await keys.list();
      expect(list.map((k) => [k.id, k.party, k.scope, k.label, k.revoked])).to.deep.equal([
        [1, GLN.distributor, "partner", "distributor's WMS", null],
        [2, GLN2, "partner", "", null],
        [3, GLN.harvester, "regulator", "inspector", null],
      ]);
      expect(JSON.stringify(list)).to.not.include("ft_");
      const rows = JSON.stringify(await index.query("SELECT * FROM api_keys"));
      for (const k of Object.values(key)) {
        expect(rows).to.not.include(k);
        expect(rows).to.include(createHash("sha256").update(k).digest("hex"));
      }
      expect(await keys.authenticate(key.partner)).to.deep.equal({ party: GLN.distributor, scope: "partner" });
      expect(await keys.authenticate(`${key.partner.slice(0, -1)}A`)).to.equal(undefined);
    });

    it("refuse a GLN with a wrong check digit and an unknown scope in one line", async function () {
      const wrong = GLN.distributor.slice(0, 12) + String((Number(GLN.distributor.at(-1)) + 1) % 10);
      await expectError(keys.create(wrong, "partner"), `party "${wrong}" is not a GLN`);
      await expectError(keys.revoke(99), "there is no API key 99");
    });

    it("an unknown key is 401 on both servers, never served as public; Bearer and x-api-key both work", async function () {
      const unknown = `ft_${"x".repeat(43)}`;
      for (const path of ["/epcis/events", "/epcis/events/nothing", "/epcis/bizSteps", "/epcis/queries"]) {
        const a = await call(epcis.url, path, bearer(unknown));
        expect(a.status, path).to.equal(401);
        expect(a.headers.get("content-type")).to.equal("application/problem+json");
        expect(a.headers.get("www-authenticate")).to.match(/^Bearer/);
        expect(a.body).to.deep.include({ type: "epcisException:SecurityException", status: 401 });
      }
      expect((await call(epcis.url, "/epcis/events", { headers: { authorization: "Basic abc" } })).status).to.equal(
        401,
      );
      const t = await fetch(`${trace.url}/v1/journey/${loins}`, { headers: { "x-api-key": unknown } });
      expect(t.status).to.equal(401);
      expect(await t.json()).to.deep.equal({ error: "the API key is unknown or revoked" });
      const viaHeader = await call(epcis.url, "/epcis/events?perPage=1000", {
        headers: { "x-api-key": key.regulator },
      });
      expect(eventsOf(viaHeader)).to.have.length(all.length);
    });

    it("a revoked key is 401 from then on", async function () {
      const made = await keys.create(GLN2, "regulator");
      expect((await call(epcis.url, "/epcis/events", bearer(made.key))).status).to.equal(200);
      const revoked = await keys.revoke(made.id);
      expect(revoked.revoked).to.be.a("string");
      expect((await call(epcis.url, "/epcis/events", bearer(made.key))).status).to.equal(401);
      expect((await fetch(`${trace.url}/v1/trace/${loins}`, bearer(made.key))).status).to.equal(401);
      await expectError(keys.revoke(made.id), `API key ${made.id} is already revoked`);
    });
  });

  describe("EPCIS interface", function () {
    it("regulator: every event, orders and prices included", function () {
      expect(all.length).to.be.greaterThan(15);
      const transactions = all.filter((e) => e.type === "TransactionEvent");
      expect(transactions.map((e) => e["fishtrace:priceWei"])).to.include.members(prices);
      expect(all.some((e) => classesOf(e).includes(catchClass(OTHER_CATCH)))).to.equal(true);
    });

    it("public: no order events, no bizTransactionList, no price in any answer of any endpoint", async function () {
      const someObject = all.find((e) => e.type === "ObjectEvent" && e.bizTransactionList !== undefined);
      const someOrder = all.find((e) => e.type === "TransactionEvent");
      const named = await call(epcis.url, "/epcis/queries", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "scopedShipping", query: { EQ_bizStep: ["shipping", "receiving"] } }),
      });
      expect(named.status).to.equal(201);
      const paths = [
        "/epcis/events?perPage=1000",
        `/epcis/events/${encodeURIComponent(String(someObject?.eventID))}`,
        "/epcis/bizSteps/shipping/events",
        "/epcis/eventTypes/TransactionEvent/events",
        "/epcis/epcs",
        "/epcis/queries/scopedShipping/events",
        `/epcis/events?EQ_bizTransaction_po=${encodeURIComponent(`urn:fishtrace:${CHAIN_ID}:order:1:1`)}`,
      ];
      const answers = await Promise.all(paths.map((p) => call(epcis.url, p)));
      const publicEvents = eventsOf(answers[0]!);
      expect(publicEvents.length).to.equal(all.filter((e) => e.type !== "TransactionEvent").length);
      for (const [i, a] of answers.entries()) {
        expect(a.status, paths[i]).to.equal(200);
        expectNoOrderData(JSON.stringify(a.body), prices, paths[i] ?? "");
      }
      expect(eventsOf(answers[1]!)).to.have.length(1);
      expect(eventsOf(answers[2]!).length).to.be.greaterThan(0);
      expect(eventsOf(answers[3]!)).to.deep.equal([]);
      expect(eventsOf(answers[5]!).length).to.be.greaterThan(0);
      expect(eventsOf(answers[6]!)).to.deep.equal([]);
      const byId = await call(epcis.url, `/epcis/events/${encodeURIComponent(String(someOrder?.eventID))}`);
      expect(byId.status).to.equal(404);
      // Everything else the public sees is the regulator's event minus the order fields.
      const { bizTransactionList: _, ...rest } = someObject ?? { bizTransactionList: undefined };
      expect(eventsOf(answers[1]!)[0]).to.deep.equal(rest);
    });

    it("partner: its lots' events and their one-up/one-down, not an unrelated lot's; its own orders only", async function () {
      const a = await call(epcis.url, "/epcis/events?perPage=1000", bearer(key.partner));
      const seen = eventsOf(a);
      const ids = new Set(seen.map((e) => e.eventID));
      const mine = [LOTS.loins, LOTS.fillets].map((l) => (l === LOTS.loins ? loinsClass : filletsClass));
      const oneUp = [catchClass(LOTS.wild), catchClass(LOTS.farmed)];
      // Every non-order event naming its lots or their inputs is served …
      for (const e of all.filter((x) => x.type !== "TransactionEvent")) {
        if (classesOf(e).some((c) => [...mine, ...oneUp].includes(c)))
          expect(ids.has(e.eventID), e.eventID).to.equal(true);
      }
      // … the unrelated catch's are not.
      expect(seen.some((e) => classesOf(e).includes(catchClass(OTHER_CATCH)))).to.equal(false);
      // A catch on its way to the distributor: its events too (GDST's advance shipping notice).
      const inbound = all.filter(
        (e) => e.type !== "TransactionEvent" && classesOf(e).includes(catchClass(INBOUND_CATCH)),
      );
      expect(inbound.map((e) => e.bizStep)).to.include("urn:gdst:bizStep:fishingEvent");
      for (const e of inbound) expect(ids.has(e.eventID), `${e.bizStep} of the inbound catch`).to.equal(true);
      // Order events: the orders the distributor bought and sold, with their prices; no other.
      const orders = seen.filter((e) => e.type === "TransactionEvent");
      expect(new Set(orders.map((e) => e["fishtrace:priceWei"]))).to.deep.equal(new Set(distributorPrices));
      const body = JSON.stringify(a.body);
      for (const other of prices.filter((p) => !distributorPrices.includes(p))) {
        expect(body).to.not.include(`"${other}"`);
      }
      for (const e of seen.filter((x) => x.bizTransactionList !== undefined)) {
        const parties = JSON.stringify([e.sourceList, e.destinationList]);
        expect(parties, e.eventID).to.include(GLN.distributor.slice(7, 12));
      }
      // The other partner sees its catches only.
      const other = eventsOf(await call(epcis.url, "/epcis/events?perPage=1000", bearer(key.other)));
      expect(other.length).to.be.greaterThan(0);
      const its = [catchClass(OTHER_CATCH), catchClass(INBOUND_CATCH)];
      for (const e of other) expect(its).to.include.members(classesOf(e));
      // An event out of scope is not found by id, nor listed in a resource.
      const theirs = other.find((e) => classesOf(e).includes(catchClass(OTHER_CATCH)))?.eventID ?? "";
      expect(
        (await call(epcis.url, `/epcis/events/${encodeURIComponent(theirs)}`, bearer(key.partner))).status,
      ).to.equal(404);
      const epcs = await call(epcis.url, "/epcis/epcs?perPage=1000", bearer(key.partner));
      expect(epcs.body.member).to.include(loinsClass).and.not.include(catchClass(OTHER_CATCH));
    });

    it("a page token is bound to its scope: refused when another scope sends it", async function () {
      const first = await call(epcis.url, "/epcis/events?perPage=2");
      const link = first.headers.get("link") ?? "";
      const next = /<[^>]*?(\/epcis\/events\?[^>]+)>/.exec(link)?.[1] ?? "";
      expect(next).to.include("nextPageToken=");
      expect((await call(epcis.url, next)).status).to.equal(200);
      for (const k of [key.partner, key.regulator]) {
        const refused = await call(epcis.url, next, bearer(k));
        expect(refused.status).to.equal(400);
        expect(refused.body.type).to.equal("epcisException:QueryParameterException");
      }
      const regulatorFirst = await call(epcis.url, "/epcis/events?perPage=2", bearer(key.regulator));
      const regulatorNext =
        /<[^>]*?(\/epcis\/events\?[^>]+)>/.exec(regulatorFirst.headers.get("link") ?? "")?.[1] ?? "";
      expect((await call(epcis.url, regulatorNext)).status).to.equal(400);
    });
  });

  describe("trace API", function () {
    const get = async (path: string, k?: string) => {
      const res = await fetch(`${trace.url}${path}`, k === undefined ? {} : bearer(k));
      return { status: res.status, text: await res.text() };
    };

    it("public: every journey, trace and participant answer without a price, an order or a party's name", async function () {
      const accounts = await index.query<{ account: string }>("SELECT account FROM participants ORDER BY id");
      const paths = [
        ...[LOTS.wild, LOTS.farmed, LOTS.loins, LOTS.fillets, OTHER_CATCH, INBOUND_CATCH].flatMap((l) => [
          `/v1/journey/${l}`,
          `/v1/trace/${l}`,
          `/v1/trace/${l}?format=svg`,
        ]),
        ...accounts.map((a) => `/v1/participants/${a.account}`),
      ];
      for (const path of paths) {
        const a = await get(path);
        expect(a.status, path).to.equal(200);
        expectNoOrderData(a.text, prices, path);
        for (const name of ["harvester1", "supplier1", "manufacturer1", "distributor1", "retailer1", "customer1"]) {
          expect(a.text, `${path} names ${name}`).to.not.include(name);
        }
      }
      const journey = JSON.parse((await get(`/v1/journey/${loins}`)).text);
      expect(journey.events.map((e: { kind: string }) => e.kind)).to.not.include("order");
      expect(journey.events.map((e: { kind: string }) => e.kind)).to.include.members(["catch", "ship", "receive"]);
      const retailer = journey.parties.find((p: { id: number }) => p.id === PARTIES.retailer.id);
      expect(retailer).to.deep.equal({ id: 5, account: "", name: "a retailer", location: PARTIES.retailer.location });
      // The regulator who recalled the fillets is a public authority: named.
      expect((await get(`/v1/journey/${LOTS.fillets}`)).text).to.include("regulator1");
    });

    it("partner: names on the lots it reaches, the orders it is a party to, no other order", async function () {
      const journey = JSON.parse((await get(`/v1/journey/${loins}`, key.partner)).text);
      const orders = journey.events.filter((e: { kind: string }) => e.kind === "order");
      expect(orders.length).to.be.greaterThan(0);
      for (const o of orders) expect([o.sellerId, o.buyerId]).to.include(PARTIES.distributor.id);
      // The loins travelled under two of the distributor's three orders (not the inbound catch's).
      const shown = new Set(orders.map((o: { price: string }) => o.price));
      expect(shown).to.deep.equal(new Set(distributorPrices.filter((p) => p !== INBOUND_PRICE)));
      const text = JSON.stringify(journey);
      for (const other of prices.filter((p) => !distributorPrices.includes(p))) {
        expect(text).to.not.include(`"${other}"`);
      }
      expect(text).to.include("retailer1");
      // The unrelated catch: the public view, names hidden.
      const theirs = (await get(`/v1/journey/${OTHER_CATCH}`, key.partner)).text;
      expect(theirs).to.not.include("harvester2");
      expect((await get(`/v1/journey/${OTHER_CATCH}`, key.other)).text).to.include("harvester2");
      const own = JSON.parse((await get(`/v1/participants/0x${"4".padStart(40, "0")}`, key.partner)).text);
      expect(own.participant.name).to.equal("distributor1");
    });

    it("regulator: the journey as it is, every order and price", async function () {
      const journey = JSON.parse((await get(`/v1/journey/${loins}`, key.regulator)).text);
      const orderPrices = journey.events
        .filter((e: { kind: string }) => e.kind === "order")
        .map((o: { price: string }) => o.price);
      expect(new Set(orderPrices)).to.deep.equal(new Set(prices.filter((p) => p !== INBOUND_PRICE)));
      expect(JSON.stringify(journey)).to.include("customer1");
    });
  });

  describe("subscriptions", function () {
    it("a report holds what its subscriber's scope may read; no other scope lists, reads or ends it", async function () {
      const service = await listenEpcis(index, { webhooks: { allowLoopback: true } });
      const receivers = { public: await new Receiver().start(), regulator: await new Receiver().start() };
      const post = (path: string, body: unknown, init: RequestInit = {}) =>
        fetch(`${service.url}${path}`, {
          method: "POST",
          ...init,
          headers: { "content-type": "application/json", ...(init.headers ?? {}) },
          body: JSON.stringify(body),
        });
      try {
        const everything = ["ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent"];
        expect(
          (await post("/epcis/queries", { name: "everything", query: { eventType: everything } })).status,
        ).to.equal(201);
        const subscribe = async (dest: string, init: RequestInit = {}) => {
          const body = {
            dest,
            signatureToken: "a-secret-of-16-chars",
            stream: true,
            initialRecordTime: "2000-01-01T00:00:00Z",
          };
          const answer = await post("/epcis/queries/everything/subscriptions", body, init);
          expect(answer.status).to.equal(201);
          return ((await answer.json()) as { subscriptionID: string }).subscriptionID;
        };
        const publicId = await subscribe(receivers.public.url);
        const regulatorId = await subscribe(receivers.regulator.url, bearer(key.regulator));

        const deliveries = new Deliveries(index, { policy: { allowLoopback: true } });
        await deliveries.init();
        await deliveries.cycle();
        await deliveries.cycle();
        const [publicReport] = await receivers.public.reports(1);
        const [regulatorReport] = await receivers.regulator.reports(1);
        const publicText = JSON.stringify(publicReport);
        expectNoOrderData(publicText, prices, "the public subscriber's report");
        expect(reportEvents(publicReport).map((e: EpcisEvent) => e.type)).to.not.include("TransactionEvent");
        expect(reportEvents(publicReport)).to.not.be.empty;
        const regulatorText = JSON.stringify(regulatorReport);
        expect(
          prices.some((p) => regulatorText.includes(p)),
          "the regulator's report has the prices",
        ).to.equal(true);

        const list = async (init: RequestInit = {}) =>
          (
            (await (await fetch(`${service.url}/epcis/queries/everything/subscriptions`, init)).json()) as {
              subscriptionID: string;
            }[]
          ).map((s) => s.subscriptionID);
        expect(await list()).to.deep.equal([publicId]);
        expect(await list(bearer(key.regulator))).to.deep.equal([regulatorId]);
        const theirs = `${service.url}/epcis/queries/everything/subscriptions/${regulatorId}`;
        expect((await fetch(theirs)).status).to.equal(404);
        expect((await fetch(theirs, { method: "DELETE" })).status).to.equal(404);
        expect((await fetch(theirs, { method: "DELETE", ...bearer(key.regulator) })).status).to.equal(204);
      } finally {
        await receivers.public.stop();
        await receivers.regulator.stop();
        await service.close();
      }
    });
  });
});

const loinsClass = "https://id.gs1.org/01/07038010123450/10/L2027-001";
const filletsClass = "https://id.gs1.org/01/07038010123467/10/F2027-001";

/** No price (wei, or as ETH), no order field, no order reference in `text`. */
function expectNoOrderData(text: string, prices: string[], where: string): void {
  for (const price of prices) {
    expect(text, `${where}: price ${price}`).to.not.include(price);
    const eth = `${BigInt(price) / 10n ** 18n}`;
    expect(text, `${where}: ${eth} ETH`).to.not.match(new RegExp(`\\b${eth}(\\.0+)?\\s*ETH\\b`));
  }
  for (const field of ["price", "priceWei", "bizTransaction", "orderId", "receivedOrderId", "shipmentNo", ":order:"]) {
    expect(text, `${where}: ${field}`).to.not.include(field === ":order:" ? field : `"${field}`);
  }
  expect(text, `${where}: open orders`).to.not.match(/"openOrders":\[\{/);
}

async function expectError(promise: Promise<unknown>, message: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err instanceof Error ? err.message : String(err)).to.include(message);
    return;
  }
  expect.fail(`expected an error: ${message}`);
}
