/**
 * The EPCIS 2.0 query interface (src/services/epcis/) over the export tests' journey (test/helpers/export-rows.ts):
 * the events are the EPCIS export's (same eventIDs), every query parameter finds what it should and nothing when it
 * should not, wrong parameters are problem+json 400s of the OpenAPI's types, pages follow the Link header, and
 * every answer validates against GS1's EPCIS 2.0 JSON schema and the OpenAPI's response schemas
 * (test/helpers/epcis-api.ts).
 */
import { expect } from "chai";

import type { Sql } from "../../src/index/db.js";
import { loadJourney } from "../../src/index/journey.js";
import { epcisDocument, type EpcisEvent } from "../../src/exports/epcis.js";
import { listenEpcis, type EpcisService } from "../../src/services/epcis/http.js";
import { refreshEpcisStore } from "../../src/services/epcis/store.js";
import { answerErrors, call, CHECKED, type Answer } from "../helpers/epcis-api.js";
import { regulatorAuth } from "../helpers/api-key.js";
import { CHAIN_ID, exportWorld, GLN, MASTER_DATA, T } from "../helpers/export-rows.js";

/** The recordTime of the store's events. */
const RECORDED = new Date("2027-02-01T00:00:00.000Z");

const ids = (a: Answer): string[] =>
  a.body.epcisBody.queryResults.resultsBody.eventList.map((e: EpcisEvent) => e.eventID);
const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

describe("EPCIS 2.0 query interface", function () {
  let index: Sql;
  let service: EpcisService;
  let base: string;
  let events: EpcisEvent[];
  const where = (test: (e: EpcisEvent) => boolean): string[] => events.filter(test).map((e) => e.eventID);
  /** The regulator's key: these tests read the store in full (what each scope sees: scoped-access.test.ts). */
  let auth: RequestInit = {};
  const get = (path: string) => call(base, path, auth);
  /** A Link header's next page, with the same key (a page token is bound to the scope it was issued to). */
  const follow = (url: string) => call("", url, auth);

  before(async function () {
    ({ index } = await exportWorld());
    const journey = await loadJourney(index, { kind: "range", from: 0, to: Number.MAX_SAFE_INTEGER }, CHAIN_ID);
    events = epcisDocument(journey, { masterData: MASTER_DATA }).epcisBody.eventList;
    const stored = await refreshEpcisStore(index, { chainId: CHAIN_ID, masterData: MASTER_DATA, now: RECORDED });
    expect(stored).to.deep.equal({ added: events.length, removed: 0, total: events.length });
    service = await listenEpcis(index);
    base = service.url;
    auth = await regulatorAuth(index);
  });
  after(async function () {
    await service.close();
    await index.close();
  });

  it("serves the export's events, eventIDs and all, with recordTime, headers and content type", async function () {
    const all = await get("/epcis/events?perPage=1000");
    expect(all.status).to.equal(200);
    expect(all.headers.get("content-type")).to.equal("application/json");
    expect(all.headers.get("gs1-epcis-version")).to.equal("2.0.0");
    expect(all.headers.get("gs1-cbv-version")).to.equal("2.0.0");
    expect(all.headers.get("link")).to.equal(null);
    expect(all.body.type).to.equal("EPCISQueryDocument");
    expect(ids(all)).to.deep.equal(events.map((e) => e.eventID));
    const [first] = all.body.epcisBody.queryResults.resultsBody.eventList;
    expect(first.recordTime).to.equal(RECORDED.toISOString());
    const { recordTime: _, ...rest } = first;
    expect(rest).to.deep.equal(events[0]);
    expect(events.length).to.be.greaterThan(15);
  });

  it("refreshing again renders nothing when the index has not changed; forced, adds nothing; recordTimes stay", async function () {
    expect(await refreshEpcisStore(index, { chainId: CHAIN_ID, masterData: MASTER_DATA })).to.deep.equal({
      added: 0,
      removed: 0,
      total: events.length,
      unchanged: true,
    });
    expect(await refreshEpcisStore(index, { chainId: CHAIN_ID, masterData: MASTER_DATA, force: true })).to.deep.equal({
      added: 0,
      removed: 0,
      total: events.length,
    });
    const all = await get("/epcis/events?perPage=1000&LT_recordTime=2027-02-01T00:00:00.001Z");
    expect(ids(all)).to.have.length(events.length);
  });

  describe("each query parameter: a matching value and a value matching nothing", function () {
    const loins = "https://id.gs1.org/01/07038010123450/10/L2027-001";
    const cases: [string, string, (e: EpcisEvent) => boolean, string][] = [
      ["eventType", "TransformationEvent", (e) => e.type === "TransformationEvent", "AssociationEvent"],
      ["eventType", "ObjectEvent|TransactionEvent", (e) => e.type !== "TransformationEvent", "AggregationEvent"],
      [
        "GE_eventTime",
        "2027-01-15T08:20:00Z",
        (e) => Date.parse(e.eventTime) >= (T + 1200) * 1000,
        "2030-01-01T00:00:00Z",
      ],
      ["LT_eventTime", "2027-01-15T10:00:00+02:00", (e) => Date.parse(e.eventTime) < T * 1000, "1990-01-01T00:00:00Z"],
      ["GE_recordTime", "2027-02-01T00:00:00Z", () => true, "2027-02-01T00:00:00.001Z"],
      ["LT_recordTime", "2027-02-01T00:00:00.001Z", () => true, "2027-02-01T00:00:00Z"],
      ["EQ_action", "ADD", (e) => e.action === "ADD", "DELETE"],
      ["EQ_action", "ADD|OBSERVE", (e) => e.action === "ADD" || e.action === "OBSERVE", "DELETE"],
      ["EQ_bizStep", "shipping", (e) => e.bizStep === "shipping", "void_shipping"],
      ["EQ_bizStep", "https://ref.gs1.org/cbv/BizStep-receiving", (e) => e.bizStep === "receiving", "loading"],
      ["EQ_bizStep", "urn:epcglobal:cbv:bizstep:shipping", (e) => e.bizStep === "shipping", "urn:x:none"],
      [
        "EQ_bizStep",
        "urn:gdst:bizStep:fishingEvent",
        (e) => e.bizStep === "urn:gdst:bizStep:fishingEvent",
        "urn:gdst:bizStep:transshipment",
      ],
      ["EQ_disposition", "in_transit", (e) => e.disposition === "in_transit", "damaged"],
      [
        "EQ_disposition",
        "urn:epcglobal:cbv:disp:recalled",
        (e) => e.disposition === "recalled",
        "https://ref.gs1.org/cbv/Disp-stolen",
      ],
      ["EQ_persistentDisposition_set", "recalled", (e) => e.persistentDisposition !== undefined, "expired"],
      [
        "EQ_readPoint",
        `https://id.gs1.org/414/${GLN.manufacturer}`,
        (e) => JSON.stringify(e.readPoint ?? {}).includes(GLN.manufacturer),
        "urn:x:nowhere",
      ],
      // The same place as an EPC URN (SGLN, company prefix 7): the Digital Link's events.
      [
        "EQ_bizLocation",
        `urn:epc:id:sgln:${GLN.manufacturer.slice(0, 7)}.${GLN.manufacturer.slice(7, 12)}.0`,
        (e) => JSON.stringify(e.bizLocation ?? {}).includes(GLN.manufacturer),
        "urn:epc:id:sgln:0614141.00777.0",
      ],
      [
        "WD_bizLocation",
        `https://id.gs1.org/414/${GLN.manufacturer}`,
        (e) => JSON.stringify(e.bizLocation ?? {}).includes(GLN.manufacturer),
        "urn:x:nowhere",
      ],
      [
        "EQ_transformationID",
        "urn:fishtrace:31337:process:77",
        (e) => e.type === "TransformationEvent",
        "urn:fishtrace:31337:process:78",
      ],
      [
        "MATCH_epcClass",
        "urn:fishtrace:31337:lot:1",
        (e) => JSON.stringify(e.quantityList ?? []).includes('"urn:fishtrace:31337:lot:1"'),
        "urn:fishtrace:31337:lot:999",
      ],
      [
        "MATCH_anyEPCClass",
        loins,
        (e) => JSON.stringify([e.quantityList, e.inputQuantityList, e.outputQuantityList]).includes(loins),
        "https://id.gs1.org/01/07038010123450/10/NONE",
      ],
      [
        "MATCH_inputEPCClass",
        "urn:fishtrace:31337:lot:2",
        (e) => JSON.stringify(e.inputQuantityList ?? []).includes('lot:2"'),
        "urn:fishtrace:31337:lot:3",
      ],
      [
        "MATCH_outputEPCClass",
        loins,
        (e) => JSON.stringify(e.outputQuantityList ?? []).includes(loins),
        "urn:fishtrace:31337:lot:1",
      ],
      ["MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017", () => false, "urn:epc:id:sgtin:0614141.107346.2018"],
      ["MATCH_anyEPC", "urn:epc:id:sscc:0614141.1234567890", () => false, "urn:epc:id:sscc:0614141.1234567891"],
      [
        "EQ_source_owning_party",
        `urn:epc:id:pgln:${GLN.manufacturer.slice(0, 7)}.${GLN.manufacturer.slice(7, 12)}`,
        (e) =>
          JSON.stringify(e.sourceList ?? []).includes(
            `pgln:${GLN.manufacturer.slice(0, 7)}.${GLN.manufacturer.slice(7, 12)}"`,
          ),
        "urn:epc:id:pgln:0614141.00001",
      ],
      [
        "EQ_destination_owning_party",
        `https://id.gs1.org/417/${GLN.distributor}`,
        (e) =>
          JSON.stringify(e.destinationList ?? []).includes(
            `pgln:${GLN.distributor.slice(0, 7)}.${GLN.distributor.slice(7, 12)}"`,
          ),
        "https://id.gs1.org/417/0614141000012",
      ],
      [
        "EQ_destination_location",
        "urn:fishtrace:31337:location:Retailer%20Oslo",
        (e) => JSON.stringify(e.destinationList ?? []).includes('location:Retailer%20Oslo"'),
        "urn:fishtrace:31337:location:Bergen",
      ],
      [
        "EQ_bizTransaction_po",
        "urn:fishtrace:31337:order:3:1",
        (e) => JSON.stringify(e.bizTransactionList ?? []).includes('order:3:1"'),
        "urn:fishtrace:31337:order:9:1",
      ],
      ["EXISTS_errorDeclaration", "false", () => true, "true"],
      ["EQ_errorReason", "incorrect_data", () => false, "did_not_occur"],
    ];
    for (const [name, value, expected, none] of cases) {
      it(`${name}=${value} (and ${none})`, async function () {
        const want = where(expected);
        const found = await get(`/epcis/events${q({ [name]: value, perPage: "1000" })}`);
        expect(found.status, JSON.stringify(found.body)).to.equal(200);
        expect(ids(found)).to.deep.equal(want);
        if (name !== "MATCH_epc" && name !== "MATCH_anyEPC" && name !== "EQ_errorReason") {
          expect(want.length, "the case matches some events").to.be.greaterThan(0);
        }
        const nothing = await get(`/epcis/events${q({ [name]: none })}`);
        expect(nothing.status).to.equal(200);
        expect(ids(nothing)).to.deep.equal([]);
      });
    }

    it("EQ_eventID (one of several), and an unknown one", async function () {
      const [a, , c] = events;
      const found = await get(`/epcis/events${q({ EQ_eventID: `${c?.eventID}|${a?.eventID}` })}`);
      expect(ids(found)).to.deep.equal([a?.eventID, c?.eventID]);
      expect(ids(await get(`/epcis/events${q({ EQ_eventID: "ni:///sha-256;00?ver=CBV2.0" })}`))).to.deep.equal([]);
    });

    it("a time whose '+' a URL turned into a space reads as '+'; perPage beyond 1,000 serves 1,000", async function () {
      const raw = await get("/epcis/events?GE_eventTime=2027-01-15T10:20:00+02:00&perPage=1000");
      const encoded = await get(`/epcis/events${q({ GE_eventTime: "2027-01-15T10:20:00+02:00", perPage: "1000" })}`);
      expect(ids(raw)).to.deep.equal(ids(encoded));
      expect(ids(raw)).to.deep.equal(where((e) => Date.parse(e.eventTime) >= Date.parse("2027-01-15T08:20:00Z")));
      expect((await get("/epcis/events?perPage=1000000")).status).to.equal(200);
    });

    it("several parameters together: all of them hold", async function () {
      const found = await get(
        `/epcis/events${q({ eventType: "ObjectEvent", EQ_bizStep: "shipping|receiving", LT_eventTime: "2027-01-15T09:00:00Z" })}`,
      );
      const want = where(
        (e) =>
          e.type === "ObjectEvent" &&
          ["shipping", "receiving"].includes(String(e.bizStep)) &&
          Date.parse(e.eventTime) < Date.parse("2027-01-15T09:00:00Z"),
      );
      expect(want.length).to.be.greaterThan(0);
      expect(ids(found)).to.deep.equal(want);
    });

    it("orderBy eventTime (DESC by default, ASC when asked) and eventCountLimit; maxEventCount too small is 413", async function () {
      const desc = ids(await get(`/epcis/events${q({ orderBy: "eventTime", perPage: "1000" })}`));
      const byTime = [...events].sort((x, y) => Date.parse(y.eventTime) - Date.parse(x.eventTime));
      expect(desc.map((id) => Date.parse(events.find((e) => e.eventID === id)?.eventTime ?? ""))).to.deep.equal(
        byTime.map((e) => Date.parse(e.eventTime)),
      );
      const asc = ids(
        await get(`/epcis/events${q({ orderBy: "eventTime", orderDirection: "ASC", eventCountLimit: "3" })}`),
      );
      expect(asc).to.have.length(3);
      expect(Date.parse(events.find((e) => e.eventID === asc[0])?.eventTime ?? "")).to.equal(
        Math.min(...events.map((e) => Date.parse(e.eventTime))),
      );
      const limited = await get(`/epcis/events${q({ orderBy: "eventTime", eventCountLimit: "5", perPage: "2" })}`);
      let count = ids(limited).length;
      let link = limited.headers.get("link");
      while (link !== null) {
        const next = await follow(/<([^>]+)>/.exec(link)?.[1] ?? "");
        count += ids(next).length;
        link = next.headers.get("link");
      }
      expect(count).to.equal(5);
      const tooLarge = await get(`/epcis/events${q({ maxEventCount: "2" })}`);
      expect(tooLarge.status).to.equal(413);
      expect(tooLarge.body.type).to.equal("epcisException:QueryTooLargeException");
      expect(ids(await get(`/epcis/events${q({ maxEventCount: "1000" })}`))).to.have.length(
        Math.min(30, events.length),
      );
    });
  });

  describe("a wrong parameter or value: problem+json 400 QueryParameterException", function () {
    const bad: [string, RegExp][] = [
      ["EQ_colour=red", /EQ_colour is not an EPCIS 2.0 query parameter/],
      ["EQ_action=MOVE", /EQ_action "MOVE" is not ADD, OBSERVE or DELETE/],
      ["GE_eventTime=yesterday", /GE_eventTime "yesterday" is not a date-time/],
      ["LT_recordTime=2027-13-45", /LT_recordTime .* is not a date-time/],
      ["eventType=Shipment", /eventType "Shipment" is not ObjectEvent/],
      ["EQ_bizStep=shipped", /EQ_bizStep "shipped" is neither a CBV 2.0 business step nor a URI/],
      ["EQ_disposition=fresh", /EQ_disposition "fresh" is neither a CBV 2.0 disposition/],
      ["MATCH_epc=not%20a%20uri", /MATCH_epc "not a uri" is not a URI/],
      ["EQ_bizStep=shipping&EQ_bizStep=receiving", /EQ_bizStep is given twice/],
      ["EQ_quantity=5", /EQ_quantity is not supported by this repository/],
      ["orderDirection=ASC", /orderDirection needs orderBy/],
      ["orderBy=bizStep", /orderBy "bizStep" is not supported/],
      ["eventCountLimit=3", /eventCountLimit needs orderBy/],
      ["orderBy=eventTime&eventCountLimit=2&maxEventCount=3", /cannot be given together/],
      ["perPage=0", /perPage must be a whole number/],
      ["perPage=ten", /perPage must be a whole number/],
      ["nextPageToken=abc.def", /nextPageToken is not a token of this query/],
      ["EQ_action=", /EQ_action has an empty value/],
    ];
    for (const [query, message] of bad) {
      it(query, async function () {
        const answer = await get(`/epcis/events?${query}`);
        expect(answer.status).to.equal(400);
        expect(answer.headers.get("content-type")).to.equal("application/problem+json");
        expect(answer.body.type).to.equal("epcisException:QueryParameterException");
        expect(answer.body.status).to.equal(400);
        expect(answer.body.detail).to.match(message);
        expect(JSON.stringify(answer.body)).not.to.match(/ at |\.ts:/);
      });
    }
  });

  describe("pagination", function () {
    it("pages of 4 follow the Link header to the end: every event once, then no Link", async function () {
      const seen: string[] = [];
      let answer = await get("/epcis/events?perPage=4&eventType=ObjectEvent");
      let pages = 1;
      for (;;) {
        seen.push(...ids(answer));
        const link = answer.headers.get("link");
        if (link === null) break;
        expect(link).to.match(
          /^<http:\/\/127\.0\.0\.1:\d+\/epcis\/events\?perPage=4&eventType=ObjectEvent&nextPageToken=[^>]+>; rel="next"$/,
        );
        expect(Date.parse(answer.headers.get("gs1-next-page-token-expires") ?? "")).to.be.greaterThan(Date.now());
        answer = await follow(/<([^>]+)>/.exec(link)?.[1] ?? "");
        expect(answer.status).to.equal(200);
        pages++;
      }
      expect(pages).to.be.at.least(3);
      expect(seen).to.deep.equal(where((e) => e.type === "ObjectEvent"));
    });

    it("a token is tied to its query: another query, an edited token or a forged one is refused", async function () {
      const first = await get("/epcis/events?perPage=2&EQ_bizStep=shipping|receiving");
      const token =
        new URLSearchParams((/<[^?]+\?([^>]+)>/.exec(first.headers.get("link") ?? "") ?? [])[1]).get("nextPageToken") ??
        "";
      expect(token).not.to.equal("");
      expect(
        (await get(`/epcis/events?perPage=2&EQ_bizStep=shipping|receiving&nextPageToken=${token}`)).status,
      ).to.equal(200);
      const other = await get(`/epcis/events?perPage=2&EQ_bizStep=shipping&nextPageToken=${token}`);
      expect(other.status).to.equal(400);
      expect(other.body.detail).to.match(/nextPageToken is not a token of this query/);
      const [payload = "", signature = ""] = token.split(".");
      const decoded = JSON.parse(Buffer.from(payload, "base64url").toString());
      const forged = Buffer.from(JSON.stringify({ ...decoded, a: [0, 0] })).toString("base64url");
      for (const t of [`${forged}.${signature}`, `${payload}.${signature.slice(1)}x`, "x"]) {
        const refused = await get(`/epcis/events?perPage=2&EQ_bizStep=shipping|receiving&nextPageToken=${t}`);
        expect(refused.status).to.equal(400);
        expect(refused.body.type).to.equal("epcisException:QueryParameterException");
      }
    });

    it("the Link header names the publicUrl when one is given", async function () {
      const other = await listenEpcis(index, { publicUrl: "https://epcis.example.com/" });
      try {
        const answer = await call(other.url, "/epcis/events?perPage=1");
        expect(answer.headers.get("link")).to.match(
          /^<https:\/\/epcis\.example\.com\/epcis\/events\?perPage=1&nextPageToken=/,
        );
      } finally {
        await other.close();
      }
    });
  });

  describe("events by id and the resource endpoints", function () {
    it("GET /epcis/events/{eventID} (URL-encoded ni:/// id); an unknown one is 404 NoSuchNameException", async function () {
      const event = events[3];
      const found = await get(`/epcis/events/${encodeURIComponent(event?.eventID ?? "")}`);
      expect(found.status).to.equal(200);
      expect(ids(found)).to.deep.equal([event?.eventID]);
      expect(ids(await get(`/epcis/events/${event?.eventID ?? ""}`))).to.deep.equal([event?.eventID]);
      const missing = await get(`/epcis/events/${encodeURIComponent("ni:///sha-256;00?ver=CBV2.0")}`);
      expect(missing.status).to.equal(404);
      expect(missing.body.type).to.equal("epcisException:NoSuchNameException");
    });

    it("/epcis/eventTypes, /epcis/eventTypes/{type}, …/events; an unknown type is 404", async function () {
      expect((await get("/epcis/eventTypes")).body.member).to.deep.equal([
        "AggregationEvent",
        "AssociationEvent",
        "ObjectEvent",
        "TransactionEvent",
        "TransformationEvent",
      ]);
      expect((await get("/epcis/eventTypes/TransactionEvent")).body.member).to.deep.equal(["events"]);
      const transactions = await get("/epcis/eventTypes/TransactionEvent/events?perPage=100");
      expect(ids(transactions)).to.deep.equal(where((e) => e.type === "TransactionEvent"));
      expect((await get("/epcis/eventTypes/Shipment")).status).to.equal(404);
      expect((await get("/epcis/eventTypes/Shipment/events")).status).to.equal(404);
    });

    it("/epcis/epcs lists the lots' classes; /epcis/epcs/{class}/events their events (a Digital Link, encoded or not)", async function () {
      const loins = "https://id.gs1.org/01/07038010123450/10/L2027-001";
      expect((await get("/epcis/epcs?perPage=100")).body.member).to.include(loins);
      const want = where((e) =>
        JSON.stringify([e.quantityList, e.inputQuantityList, e.outputQuantityList]).includes(loins),
      );
      expect(ids(await get(`/epcis/epcs/${encodeURIComponent(loins)}/events?perPage=100`))).to.deep.equal(want);
      expect(ids(await get(`/epcis/epcs/${loins}/events?perPage=100`))).to.deep.equal(want);
      expect((await get(`/epcis/epcs/${encodeURIComponent(loins)}`)).body.member).to.deep.equal(["events"]);
      expect((await get(`/epcis/epcs/${encodeURIComponent("urn:epc:id:sgtin:0614141.107346.1")}`)).status).to.equal(
        404,
      );
      const filtered = await get(`/epcis/epcs/${encodeURIComponent(loins)}/events?EQ_bizStep=shipping&perPage=100`);
      expect(ids(filtered)).to.deep.equal(
        want.filter((id) => events.find((e) => e.eventID === id)?.bizStep === "shipping"),
      );
    });

    it("/epcis/bizSteps (CBV's and the custom ones held) and /epcis/bizSteps/{step}/events in any of the step's forms", async function () {
      const steps = await get("/epcis/bizSteps?perPage=100");
      expect(steps.body.member).to.include.members(["shipping", "void_shipping", "urn:gdst:bizStep:fishingEvent"]);
      const want = where((e) => e.bizStep === "receiving");
      for (const step of [
        "receiving",
        "urn:epcglobal:cbv:bizstep:receiving",
        "https://ref.gs1.org/cbv/BizStep-receiving",
      ]) {
        expect(ids(await get(`/epcis/bizSteps/${encodeURIComponent(step)}/events?perPage=100`))).to.deep.equal(want);
      }
      expect((await get("/epcis/bizSteps/receiving")).body.member).to.deep.equal(["events"]);
      expect((await get("/epcis/bizSteps/shipped/events")).status).to.equal(400);
      const paged = await get("/epcis/bizSteps?perPage=10");
      expect(paged.body.member).to.have.length(10);
      const next = await follow(/<([^>]+)>/.exec(paged.headers.get("link") ?? "")?.[1] ?? "");
      expect(next.body.member[0] > paged.body.member[9]).to.equal(true);
    });

    it("/epcis/dispositions, /epcis/bizLocations, /epcis/readPoints and their events", async function () {
      expect((await get("/epcis/dispositions?perPage=100")).body.member).to.include.members(["recalled", "in_transit"]);
      expect(ids(await get("/epcis/dispositions/in_transit/events?perPage=100"))).to.deep.equal(
        where((e) => e.disposition === "in_transit"),
      );
      const place = `https://id.gs1.org/414/${GLN.manufacturer}`;
      expect((await get("/epcis/bizLocations?perPage=100")).body.member).to.include(place);
      expect(ids(await get(`/epcis/bizLocations/${encodeURIComponent(place)}/events?perPage=100`))).to.deep.equal(
        where((e) => JSON.stringify(e.bizLocation ?? {}).includes(GLN.manufacturer)),
      );
      expect((await get(`/epcis/bizLocations/${encodeURIComponent("urn:x:nowhere")}`)).status).to.equal(404);
      const points = await get("/epcis/readPoints?perPage=100");
      expect(points.body.member).to.include(place);
      expect(ids(await get(`/epcis/readPoints/${encodeURIComponent(place)}/events?perPage=100`))).to.deep.equal(
        where((e) => JSON.stringify(e.readPoint ?? {}).includes(GLN.manufacturer)),
      );
      expect((await get(`/epcis/readPoints/${encodeURIComponent(place)}`)).body.member).to.deep.equal(["events"]);
    });

    it("another path is 404, another method 405, OPTIONS 204 with Allow — problem+json, never a 500", async function () {
      const missing = await get("/epcis/widgets");
      expect(missing.status).to.equal(404);
      expect(missing.body.type).to.equal("epcisException:NoSuchNameException");
      const posted = await call(base, "/epcis/events", { method: "POST", body: "{}" });
      expect(posted.status).to.equal(405);
      expect(posted.headers.get("content-type")).to.equal("application/problem+json");
      const options = await fetch(`${base}/epcis/queries`, { method: "OPTIONS" });
      expect(options.status).to.equal(204);
      expect(options.headers.get("allow")).to.equal("OPTIONS, GET, POST");
      expect(options.headers.get("gs1-epcis-version")).to.equal("2.0.0");
      const bad = await get("/epcis/events/%E0%A4%A");
      expect(bad.status).to.equal(400);
    });
  });

  describe("named queries", function () {
    const definition = { eventType: ["ObjectEvent"], EQ_bizStep: ["shipping", "receiving"] };
    const post = (body: unknown, type = "application/json") =>
      call(base, "/epcis/queries", { method: "POST", headers: { "content-type": type }, body: JSON.stringify(body) });

    it("create, list, read, run (paged), delete; a name taken is 409, an unknown one 404 NoSuchNameException", async function () {
      const created = await post({ name: "shipments", query: definition });
      expect(created.status).to.equal(201);
      expect(created.headers.get("location")).to.equal("/epcis/queries/shipments");
      expect((await post({ name: "shipments", query: definition })).status).to.equal(409);
      expect((await post({ name: "a-recall", query: { EQ_disposition: ["recalled"] } })).status).to.equal(201);

      const listed = await get("/epcis/queries");
      expect(listed.body).to.deep.equal([
        { name: "a-recall", query: { EQ_disposition: ["recalled"] } },
        { name: "shipments", query: definition },
      ]);
      const onePage = await get("/epcis/queries?perPage=1");
      expect(onePage.body).to.have.length(1);
      const second = await follow(/<([^>]+)>/.exec(onePage.headers.get("link") ?? "")?.[1] ?? "");
      expect(second.body.map((x: { name: string }) => x.name)).to.deep.equal(["shipments"]);

      expect((await get("/epcis/queries/shipments")).body).to.deep.equal({ name: "shipments", query: definition });
      const want = where((e) => e.type === "ObjectEvent" && ["shipping", "receiving"].includes(String(e.bizStep)));
      const seen: string[] = [];
      let answer = await get("/epcis/queries/shipments/events?perPage=3");
      expect(answer.body.epcisBody.queryResults.queryName).to.equal("shipments");
      for (;;) {
        seen.push(...ids(answer));
        const link = answer.headers.get("link");
        if (link === null) break;
        answer = await follow(/<([^>]+)>/.exec(link)?.[1] ?? "");
      }
      expect(seen).to.deep.equal(want);
      expect((await get("/epcis/queries/shipments/events?EQ_action=ADD")).status).to.equal(400);

      // Stored in the index: another server on the same database serves it.
      const other = await listenEpcis(index);
      try {
        expect(ids(await call(other.url, "/epcis/queries/shipments/events?perPage=100"))).to.deep.equal(want);
      } finally {
        await other.close();
      }

      const deleted = await fetch(`${base}/epcis/queries/shipments`, { method: "DELETE" });
      expect(deleted.status).to.equal(204);
      for (const path of ["/epcis/queries/shipments", "/epcis/queries/shipments/events", "/epcis/queries/nothing"]) {
        const gone = await get(path);
        expect(gone.status, path).to.equal(404);
        expect(gone.body.type).to.equal("epcisException:NoSuchNameException");
      }
      const again = await call(base, "/epcis/queries/shipments", { method: "DELETE" });
      expect(again.status).to.equal(404);
    });

    it("a definition that is not a query is refused: bad parameter 400, bad name 400, not JSON 415", async function () {
      const badParam = await post({ name: "bad", query: { EQ_action: ["MOVE"] } });
      expect(badParam.status).to.equal(400);
      expect(badParam.body.type).to.equal("epcisException:QueryParameterException");
      for (const body of [{ name: "white space", query: {} }, { name: "x" }, { name: "x", query: {}, extra: 1 }, [1]]) {
        const refused = await post(body);
        expect(refused.status, JSON.stringify(body)).to.equal(400);
        expect(refused.body.type).to.equal("epcisException:ValidationException");
      }
      const text = await post({ name: "x", query: {} }, "text/plain");
      expect(text.status).to.equal(415);
      expect(text.body.type).to.equal("epcisException:UnsupportedMediaTypeException");
      const huge = await call(base, "/epcis/queries", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "big", query: { EQ_eventID: ["x".repeat(70_000)] } }),
      });
      expect(huge.status).to.equal(413);
      expect((await get("/epcis/queries")).body.map((x: { name: string }) => x.name)).not.to.include("bad");
    });
  });

  describe("the standards' verdict (after the tests above)", function () {
    it("the checks find what is wrong: a bad problem type, a collection member, a document without a body", function () {
      const problem = { type: "epcisException:NoSuchThing", title: "x", status: 404 };
      expect(answerErrors("/epcis/events/x", 404, "application/problem+json", problem).join()).to.match(
        /type must be equal/,
      );
      const steps = {
        "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        type: "Collection",
        member: ["shipped"],
      };
      expect(answerErrors("/epcis/bizSteps", 200, "application/json", steps).join()).to.match(/member\/0/);
      const doc = { "@context": [], type: "EPCISQueryDocument" };
      expect(answerErrors("/epcis/events", 200, "application/json", doc).join()).to.match(
        /EPCIS JSON schema: .*epcisBody/,
      );
      const event = { ...events[0], action: "MOVE", "undeclared:field": 1 };
      const bad = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        type: "EPCISQueryDocument",
        schemaVersion: "2.0",
        creationDate: "2027-01-01T00:00:00Z",
        epcisBody: { queryResults: { queryName: "q", resultsBody: { eventList: [event] } } },
      };
      expect(answerErrors("/epcis/events", 200, "application/json", bad).join()).to.match(/epcis2\.js: /);
    });

    it("every answer validated against GS1's EPCIS 2.0 JSON schema and the OpenAPI's response schemas", function () {
      const documents = CHECKED.filter(([path, status]) => status === 200 && /events/.test(path));
      expect(documents.length).to.be.greaterThan(50);
      expect(CHECKED.filter(([, status]) => status >= 400).length).to.be.greaterThan(25);
      for (const [path, status, errors] of CHECKED) expect(errors, `${status} ${path}`).to.deep.equal([]);
    });
  });
});
