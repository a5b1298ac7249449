/**
 * The GS1-Conformant resolver beside the EPCIS query interface (src/services/epcis/resolver.ts), checked as GS1's
 * resolver test suite checks (github.com/gs1/GS1DL-resolver-testsuite, Conformance1_2.txt): the description file,
 * a redirect to the default link (the journey page) and to each link type, the request's query string passed on,
 * the linkset (by linkType=linkset or Accept) valid against GS1's linkset schema (standards/gs1-linkset-schema.json)
 * with its JSON-LD context, 400 for a path that is no GS1 Digital Link, walking up from an unknown lot, trailing
 * slashes tolerated, OPTIONS and HEAD.
 */
import { readFileSync } from "node:fs";

import { Ajv } from "ajv";
import { expect } from "chai";

import type { Sql } from "../../src/index/db.js";
import { listenEpcis, type EpcisService } from "../../src/services/epcis/http.js";
import { refreshEpcisStore } from "../../src/services/epcis/store.js";
import { CHAIN_ID, exportWorld, GTIN, LOT_NUMBER, MASTER_DATA } from "../helpers/export-rows.js";

const OPTIONS = {
  root: "https://id.fishtrace.example",
  web: "https://fishtrace.example",
  epcis: "https://epcis.fishtrace.example",
  trace: "https://trace.fishtrace.example",
};

const linksetSchema: unknown = JSON.parse(
  readFileSync(new URL("../../standards/gs1-linkset-schema.json", import.meta.url), "utf8"),
);

describe("GS1-Conformant resolver", function () {
  let index: Sql;
  let service: EpcisService;
  const loins = `/01/${GTIN.loins}/10/${LOT_NUMBER.loins}`;
  const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
    fetch(`${service.url}${path}`, { redirect: "manual", headers, method });
  /** The EPCIS answer behind a link of this resolver's (its origin replaced by the test server's). */
  const follow = async (location: string) =>
    (await (await fetch(location.replace(OPTIONS.epcis, service.url))).json()) as {
      epcisBody: { queryResults: { resultsBody: { eventList: { bizStep?: string; disposition?: string }[] } } };
    };

  before(async function () {
    ({ index } = await exportWorld());
    await refreshEpcisStore(index, { chainId: CHAIN_ID, masterData: MASTER_DATA });
    service = await listenEpcis(index, { resolver: OPTIONS });
  });
  after(async function () {
    await service.close();
    await index.close();
  });

  it("describes itself at /.well-known/gs1resolver", async function () {
    const answer = await get("/.well-known/gs1resolver");
    expect(answer.status).to.equal(200);
    expect(await answer.json()).to.deep.equal({
      name: "FishTrace GS1-Conformant resolver",
      resolverRoot: OPTIONS.root,
      supportedPrimaryKeys: ["01"],
      supportedLinkType: [{ namespace: "https://ref.gs1.org/voc/", prefix: "gs1:" }],
      linkTypeDefaultCanBeLinkset: false,
    });
  });

  it("redirects (307) to the journey page by default, naming the linkset; HEAD and a trailing slash alike", async function () {
    for (const [path, method] of [
      [loins, "GET"],
      [`${loins}/`, "GET"],
      [loins, "HEAD"],
    ] as const) {
      const answer = await get(path, {}, method);
      expect(answer.status, `${method} ${path}`).to.equal(307);
      expect(answer.headers.get("location")).to.equal(`${OPTIONS.web}${loins}`);
      expect(answer.headers.get("link")).to.equal(
        `<${OPTIONS.root}${loins}?linkType=linkset>; rel="linkset"; type="application/linkset+json"`,
      );
      expect(answer.headers.get("access-control-allow-origin")).to.equal("*");
    }
  });

  it("redirects to each link type, in its CURIE or URI form; an unknown one to the default", async function () {
    const link = encodeURIComponent(`https://id.gs1.org${loins}`);
    const want: Record<string, string> = {
      "gs1:pip": `${OPTIONS.web}${loins}`,
      "gs1:epcis": `${OPTIONS.epcis}/epcis/epcs/${link}/events`,
      "https://ref.gs1.org/voc/epcis": `${OPTIONS.epcis}/epcis/epcs/${link}/events`,
      "gs1:traceability": `${OPTIONS.trace}/v1/trace?link=${link}`,
      "gs1:masterData": `${OPTIONS.trace}/v1/journey?link=${link}`,
      "gs1:recallStatus": `${OPTIONS.epcis}/epcis/events?MATCH_anyEPCClass=${link}&EQ_disposition=recalled`,
      "gs1:nutritionalInfo": `${OPTIONS.web}${loins}`,
    };
    for (const [type, location] of Object.entries(want)) {
      const answer = await get(`${loins}?linkType=${encodeURIComponent(type)}`);
      expect(answer.status, type).to.equal(307);
      expect(answer.headers.get("location"), type).to.equal(location);
    }
  });

  it("gs1:epcis leads to the lot's EPCIS events, gs1:recallStatus to its recall (none for the loins)", async function () {
    const events = await follow((await get(`${loins}?linkType=gs1:epcis`)).headers.get("location") ?? "");
    const shipped = events.epcisBody.queryResults.resultsBody.eventList.filter((e) => e.bizStep === "shipping");
    expect(shipped.length).to.be.greaterThan(0);
    const loinsRecall = await follow((await get(`${loins}?linkType=gs1:recallStatus`)).headers.get("location") ?? "");
    expect(loinsRecall.epcisBody.queryResults.resultsBody.eventList).to.deep.equal([]);
    const fillets = `/01/${GTIN.fillets}/10/${LOT_NUMBER.fillets}`;
    const recall = await follow((await get(`${fillets}?linkType=gs1:recallStatus`)).headers.get("location") ?? "");
    const recalled = recall.epcisBody.queryResults.resultsBody.eventList;
    expect(recalled.length).to.be.greaterThan(0);
    for (const e of recalled) expect(e.disposition).to.equal("recalled");
  });

  it("passes the request's other query parameters on to the target", async function () {
    const answer = await get(`${loins}?linkType=gs1:traceability&direction=backward`);
    expect(answer.headers.get("location")).to.match(/\/v1\/trace\?link=.*&direction=backward$/);
    expect((await get(`${loins}?utm_source=label`)).headers.get("location")).to.equal(
      `${OPTIONS.web}${loins}?utm_source=label`,
    );
  });

  it("answers the linkset (linkType=linkset, =all, or Accept: application/linkset+json), valid against GS1's schema", async function () {
    const validate = new Ajv({ strict: false }).compile(linksetSchema as object);
    for (const [query, headers] of [
      ["?linkType=linkset", {}],
      ["?linkType=all", {}],
      ["", { accept: "application/linkset+json" }],
    ] as const) {
      const answer = await get(`${loins}${query}`, headers);
      expect(answer.status, query).to.equal(200);
      expect(answer.headers.get("content-type")).to.equal("application/linkset+json");
      expect(answer.headers.get("link")).to.equal(
        '<https://ref.gs1.org/standards/resolver/linkset-context>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"',
      );
      const body: unknown = await answer.json();
      expect(validate(body), JSON.stringify(validate.errors)).to.equal(true);
      const [set] = (body as { linkset: Record<string, unknown>[] }).linkset;
      expect(set?.anchor).to.equal(`${OPTIONS.root}${loins}`);
      expect(Object.keys(set ?? {})).to.include.members([
        "https://ref.gs1.org/voc/pip",
        "https://ref.gs1.org/voc/epcis",
        "https://ref.gs1.org/voc/traceability",
        "https://ref.gs1.org/voc/masterData",
        "https://ref.gs1.org/voc/recallStatus",
        "https://ref.gs1.org/voc/defaultLink",
      ]);
      // The default link: a target and a title, nothing else (the test suite's rule).
      expect(set?.["https://ref.gs1.org/voc/defaultLink"]).to.deep.equal([
        { href: `${OPTIONS.web}${loins}`, title: "Where this fish comes from" },
      ]);
    }
    // The schema catches a linkset without an anchor.
    expect(validate({ linkset: [{ itemDescription: "x" }] })).to.equal(false);
  });

  it("an unknown lot walks up to its GTIN; an unknown GTIN is 404; a malformed path 400; OPTIONS 204", async function () {
    const unknownLot = await get(`/01/${GTIN.loins}/10/NOPE-1`);
    expect(unknownLot.status).to.equal(307);
    expect(unknownLot.headers.get("location")).to.equal(`${OPTIONS.web}/01/${GTIN.loins}`);
    const linkset = (await (await get(`/01/${GTIN.loins}/10/NOPE-1?linkType=linkset`)).json()) as {
      linkset: { anchor: string }[];
    };
    expect(linkset.linkset[0]?.anchor).to.equal(`${OPTIONS.root}/01/${GTIN.loins}`);
    expect((await get(`/01/${GTIN.loins}`)).status).to.equal(307);
    expect((await get("/01/09506000134352/10/X")).status).to.equal(404);
    for (const bad of [
      "/01/0950600013435",
      "/01/09506000134353",
      "/01/abc/10/X",
      `/01/${GTIN.loins}/10/${"x".repeat(21)}`,
    ]) {
      const answer = await get(bad);
      expect(answer.status, bad).to.equal(400);
      expect(((await answer.json()) as { error: string }).error).to.be.a("string");
    }
    const options = await get(loins, {}, "OPTIONS");
    expect(options.status).to.equal(204);
    expect(options.headers.get("allow")).to.equal("GET, HEAD, OPTIONS");
    expect((await get(loins, {}, "POST")).status).to.equal(405);
  });
});
