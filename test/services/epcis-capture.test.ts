/**
 * The EPCIS 2.0 capture interface (src/services/epcis/capture*.ts, anchor.ts, proof.ts) over the export tests'
 * journey (test/helpers/export-rows.ts) and the test network's FishTrace deployment: the GDST "advance shipping
 * notice" — a supplier pushes its shipping event for a lot FishTrace knows, the buyer finds it beside the chain's
 * events with MATCH_anyEPCClass, and its Merkle proof verifies against the root anchored with
 * `Registry.anchorDocuments`; schema-invalid documents fail their job with each error; too large ones are 413;
 * repeats are idempotent, conflicts 409 or a failed job; a job accepted before a restart completes after it; a
 * stored event changed afterwards fails verification. Answers validate against the OpenAPI's schemas.
 */
import { expect } from "chai";
import { ZeroAddress } from "ethers";

import type { Sql } from "../../src/index/db.js";
import type { JsonObject } from "../../src/exports/epcis.js";
import { CaptureAnchorer } from "../../src/services/epcis/anchor.js";
import { CAPTURE_LIMIT, CaptureService } from "../../src/services/epcis/capture.js";
import { regulatorAuth } from "../helpers/api-key.js";
import { listenEpcis, type EpcisService } from "../../src/services/epcis/http.js";
import { verifyEventProof, verifyStoredEvent, type ChainView } from "../../src/services/epcis/proof.js";
import { refreshEpcisStore } from "../../src/services/epcis/store.js";
import { call, CHECKED, schemaErrors, type Answer } from "../helpers/epcis-api.js";
import { CHAIN_ID, exportWorld, GLN, MASTER_DATA } from "../helpers/export-rows.js";
import { roleId } from "../../src/core/roles.js";
import type { Registry } from "../../typechain-types/index.js";
import { ethers } from "../helpers/fixtures.js";

const LOINS = "https://id.gs1.org/01/07038010123450/10/L2027-001";
const SUPPLIER_GLN = "7038010000118";
const OPENAPI = "https://gs1.github.io/EPCIS/openapi.json#/components/schemas/CaptureJob";

/**
 * The OpenAPI's CaptureJob schema errs: its `oneOf` of `{properties: {errors}}` and `{properties: {errorFile}}`
 * requires neither, so every object matches both branches and no job can pass "exactly one". Set aside when the job
 * has `errors` (an array, checked against the schema's items below) and no `errorFile`.
 */
function captureJobErrors(job: JsonObject): string[] {
  const errors = schemaErrors(job, OPENAPI);
  const oneOfErratum = Array.isArray(job.errors) && !("errorFile" in job);
  return errors.filter((e) => !(oneOfErratum && e === "/ must match exactly one schema in oneOf"));
}

/** The supplier's shipping event for the loins lot (GDST: source and destination owning party, the lot's class). */
function shipping(kg: number, extra: JsonObject = {}): JsonObject {
  return {
    type: "ObjectEvent",
    eventTime: "2027-01-20T06:00:00.000Z",
    eventTimeZoneOffset: "+01:00",
    action: "OBSERVE",
    bizStep: "shipping",
    disposition: "in_transit",
    quantityList: [{ epcClass: LOINS, quantity: kg, uom: "KGM" }],
    readPoint: { id: `https://id.gs1.org/414/${SUPPLIER_GLN}` },
    sourceList: [{ type: "owning_party", source: `https://id.gs1.org/417/${SUPPLIER_GLN}` }],
    destinationList: [{ type: "owning_party", destination: `https://id.gs1.org/417/${GLN.manufacturer}` }],
    ...extra,
  };
}

const document = (events: JsonObject[]): JsonObject => ({
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2027-01-20T06:05:00.000Z",
  epcisBody: { eventList: events },
});

/** A regulator's key (set before the tests): capture takes a key. */
let auth: Record<string, string> = {};

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  call(base, "/epcis/capture", {
    method: "POST",
    headers: { "content-type": "application/json", ...auth, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** Polls the job behind a 202 until it stops running; the job, checked against the OpenAPI's CaptureJob. */
async function finished(base: string, accepted: Answer): Promise<JsonObject> {
  expect(accepted.status, JSON.stringify(accepted.body)).to.equal(202);
  const location = accepted.headers.get("location") ?? "";
  expect(location).to.match(/^\/epcis\/capture\/id[0-9a-f]+$/);
  for (let i = 0; i < 200; i++) {
    const job = await call(base, location, { headers: auth });
    expect(job.status).to.equal(200);
    expect(captureJobErrors(job.body)).to.deep.equal([]);
    for (const error of job.body.errors) {
      expect(
        schemaErrors(error, "https://gs1.github.io/EPCIS/openapi.json#/components/schemas/RFC7807ProblemResponseBody"),
      ).to.deep.equal([]);
    }
    if (job.body.running === false) return job.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the job ${location} did not finish`);
}

const eventsOf = (a: Answer): JsonObject[] => a.body.epcisBody.queryResults.resultsBody.eventList;

describe("EPCIS 2.0 capture interface", function () {
  let index: Sql;
  let registry: Registry;
  /** The server's signer: the buyer, a registered manufacturer. */
  let buyer: string;
  let chain: ChainView;
  let anchorer: CaptureAnchorer;
  let service: EpcisService;
  let base: string;
  let chainEvents: number;

  before(async function () {
    // A Registry of its own (no stages needed to anchor documents), the buyer registered as a participant.
    const [admin, signer] = await ethers.getSigners();
    if (admin === undefined || signer === undefined) throw new Error("the test network has no accounts");
    registry = await ethers.deployContract("Registry", [admin.address, 0, ZeroAddress, ZeroAddress]);
    await registry.registerParticipant(signer, roleId("MANUFACTURER"), "Lofoten Filet", GLN.manufacturer);
    buyer = signer.address;
    ({ index } = await exportWorld());
    ({ headers: auth } = await regulatorAuth(index));
    await refreshEpcisStore(index, { chainId: CHAIN_ID, masterData: MASTER_DATA });
    anchorer = new CaptureAnchorer(index, {
      registry: registry.connect(signer),
      signer: buyer,
      chainId: CHAIN_ID,
      registryAddress: await registry.getAddress(),
    });
    chain = anchorer.chain;
    service = await listenEpcis(index, { capture: new CaptureService(index, { anchorer }) });
    base = service.url;
    chainEvents = eventsOf(
      await call(base, `/epcis/events?MATCH_anyEPCClass=${encodeURIComponent(LOINS)}`, { headers: auth }),
    ).length;
    expect(chainEvents).to.be.greaterThan(0);
  });
  after(async function () {
    await service.close();
    await index.close();
  });

  it("takes a document only with a partner's or a regulator's key (401 SecurityException without)", async function () {
    const anonymous = await call(base, "/epcis/capture", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(document([shipping(900)])),
    });
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body.type).to.equal("epcisException:SecurityException");
    expect((await call(base, "/epcis/capture")).status).to.equal(401);
  });

  it("OPTIONS /epcis/capture names the limits and the error behaviours", async function () {
    const res = await fetch(`${base}/epcis/capture`, { method: "OPTIONS" });
    expect(res.status).to.equal(204);
    expect(res.headers.get("allow")).to.equal("OPTIONS, GET, POST");
    expect(res.headers.get("gs1-epcis-capture-limit")).to.equal(String(CAPTURE_LIMIT));
    expect(Number(res.headers.get("gs1-epcis-capture-file-size-limit"))).to.be.greaterThan(1_000_000);
    expect(res.headers.get("gs1-capture-error-behaviour")).to.equal("rollback, proceed");
  });

  it("advance shipping notice: the supplier's event is captured, found beside the chain's, its proof verified on chain", async function () {
    const event = shipping(480);
    const job = await finished(base, await post(base, document([event])));
    expect(job).to.include({ running: false, success: true, captureErrorBehaviour: "rollback" });
    expect(job.errors).to.deep.equal([]);

    const found = await call(base, `/epcis/events?MATCH_anyEPCClass=${encodeURIComponent(LOINS)}&perPage=1000`, {
      headers: auth,
    });
    expect(found.status).to.equal(200);
    const events = eventsOf(found);
    expect(events).to.have.length(chainEvents + 1);
    const captured = events.filter((e) => e.bizStep === "shipping" && JSON.stringify(e).includes(SUPPLIER_GLN));
    expect(captured).to.have.length(1);
    const [served] = captured;
    if (served === undefined) throw new Error("not served");
    expect(served.eventID).to.match(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    // A refresh from the chain keeps it.
    await refreshEpcisStore(index, { chainId: CHAIN_ID, masterData: MASTER_DATA, force: true });
    const bySource = await call(
      base,
      `/epcis/events?EQ_source_owning_party=${encodeURIComponent(`https://id.gs1.org/417/${SUPPLIER_GLN}`)}`,
    );
    expect(eventsOf(bySource).map((e) => e.eventID)).to.deep.equal([served.eventID]);

    await anchorer.idle();
    const id = encodeURIComponent(String(served.eventID));
    const proof = await call(base, `/epcis/events/${id}/proof`, { headers: auth });
    expect(proof.status).to.equal(200);
    expect(proof.body).to.include({
      eventID: served.eventID,
      hash: served.eventID,
      status: "anchored",
      anchoredBy: buyer,
      chainId: CHAIN_ID.toString(),
      registry: await registry.getAddress(),
    });
    expect(proof.body.proof).to.deep.equal([]); // one event: the leaf is the root's only node
    const anchoredAt = await registry.documentAnchoredAt(buyer, proof.body.root);
    expect(proof.body.anchoredAt).to.equal(new Date(Number(anchoredAt) * 1000).toISOString());
    const verdict = await verifyEventProof(served, proof.body, registry);
    expect(verdict).to.deep.equal({ valid: true, problems: [], anchoredAt: Number(anchoredAt) });
  });

  it("a batch's proofs verify for every event; a stored event changed afterwards does not", async function () {
    const events = [1, 2, 3, 4, 5].map((n) =>
      shipping(100 + n, { eventID: `urn:uuid:6f1c0d4e-0000-4000-8000-00000000000${n}` }),
    );
    const job = await finished(base, await post(base, document(events)));
    expect(job.success).to.equal(true);
    await anchorer.idle();
    for (const e of events) {
      const verdict = await verifyStoredEvent(index, String(e.eventID), chain);
      expect(verdict.problems, String(e.eventID)).to.deep.equal([]);
      const served = await call(base, `/epcis/events/${encodeURIComponent(String(e.eventID))}/proof`, {
        headers: auth,
      });
      expect(served.body.proof.length).to.be.greaterThan(1);
    }
    const tampered = "urn:uuid:6f1c0d4e-0000-4000-8000-000000000003";
    await index.query(
      "UPDATE epcis_events SET body = replace(body, '\"quantity\":103', '\"quantity\":130') WHERE event_id = $1",
      [tampered],
    );
    const verdict = await verifyStoredEvent(index, tampered, chain);
    expect(verdict.valid).to.equal(false);
    expect(verdict.problems.join()).to.match(/not the proof's/);
    expect(verdict.problems.join()).to.match(/does not lead from the event's hash to the root/);
  });

  it("a repeated event is idempotent; the same eventID with other content is 409, or fails the job", async function () {
    const event = shipping(77, { eventID: "urn:uuid:0b7e6a10-1111-4111-8111-111111111111" });
    expect((await finished(base, await post(base, document([event])))).success).to.equal(true);
    const before = await index.query<{ n: string }>("SELECT count(*)::text AS n FROM epcis_events");
    const again = await finished(base, await post(base, document([event])));
    expect(again).to.include({ success: true });
    expect(await index.query("SELECT count(*)::text AS n FROM epcis_events")).to.deep.equal(before);

    const changed = await post(
      base,
      document([{ ...event, quantityList: [{ epcClass: LOINS, quantity: 78, uom: "KGM" }] }]),
    );
    expect(changed.status).to.equal(409);
    expect(changed.body.type).to.equal("epcisException:ResourceAlreadyExistsException");
    expect(changed.body.detail).to.include("urn:uuid:0b7e6a10-1111-4111-8111-111111111111");

    // Twice in one document with different content: found while processing, the job fails with that event's error.
    const twin = { ...event, eventID: "urn:uuid:0b7e6a10-2222-4222-8222-222222222222" };
    const twice = await finished(base, await post(base, document([twin, { ...twin, action: "ADD" }])));
    expect(twice).to.include({ success: false });
    expect(twice.errors).to.have.length(1);
    expect(JSON.stringify(twice.errors)).to.include("ResourceAlreadyExistsException").and.include("event 1");
    expect(await index.query("SELECT 1 FROM epcis_events WHERE event_id = $1", [twin.eventID])).to.deep.equal([]);
  });

  it("a schema-invalid document fails its job with each event's errors and stores nothing (rollback); proceed stores the rest", async function () {
    const { eventTime: _, ...noTime } = shipping(5);
    const bad = [shipping(1), shipping(2, { action: "MOVE" }), noTime, shipping(4, { bizStep: "shipped" })];
    const before = await index.query("SELECT count(*)::text AS n FROM epcis_events");
    const job = await finished(base, await post(base, document(bad)));
    expect(job).to.include({ running: false, success: false, captureErrorBehaviour: "rollback" });
    const details = (job.errors as JsonObject[]).map((e) => String(e.detail));
    expect(details.some((d) => /^event 1: schema: \/action /.test(d))).to.equal(true);
    expect(details.some((d) => /^event 2: schema: .*eventTime/.test(d))).to.equal(true);
    expect(
      details.some((d) => /^event 3: CBV: bizStep "shipped" is neither a CBV 2.0 business step nor a URI/.test(d)),
    ).to.equal(true);
    expect(details.some((d) => d.startsWith("event 0"))).to.equal(false);
    expect(await index.query("SELECT count(*)::text AS n FROM epcis_events")).to.deep.equal(before);

    const proceed = await finished(base, await post(base, document(bad), { "GS1-Capture-Error-Behaviour": "proceed" }));
    expect(proceed).to.include({ success: false, captureErrorBehaviour: "proceed" });
    const [after] = await index.query<{ n: string }>("SELECT count(*)::text AS n FROM epcis_events");
    const [was] = await index.query<{ n: string }>("SELECT $1::text AS n", [before[0]?.n]);
    expect(Number(after?.n)).to.equal(Number(was?.n) + 1);
  });

  it("refuses at once what is not an EPCIS document (400), another media type (415), too many events or bytes (413)", async function () {
    const notJson = await post(base, "{ not json");
    expect(notJson.status).to.equal(400);
    expect(notJson.body.type).to.equal("epcisException:ValidationException");
    expect((await post(base, { type: "EPCISDocument" })).status).to.equal(400);
    expect((await post(base, { hello: 1 })).status).to.equal(400);
    const text = await post(base, document([shipping(1)]), { "content-type": "text/plain" });
    expect(text.status).to.equal(415);
    expect((await post(base, document([shipping(1)]), { "GS1-Capture-Error-Behaviour": "maybe" })).status).to.equal(
      400,
    );
    const many = await post(base, document(Array.from({ length: CAPTURE_LIMIT + 1 }, (_, i) => shipping(i + 1))));
    expect(many.status).to.equal(413);
    expect(many.body.type).to.equal("epcisException:CaptureLimitExceededException");
    expect(many.headers.get("gs1-epcis-capture-limit")).to.equal(String(CAPTURE_LIMIT));
    expect(
      schemaErrors(
        many.body,
        "https://gs1.github.io/EPCIS/openapi.json#/components/responses/413CapturePayloadTooLarge/content/application~1problem+json/schema",
      ),
    ).to.deep.equal([]);

    const small = await listenEpcis(index, {
      capture: new CaptureService(index, { fileSizeLimit: 2_000, threaded: false }),
    });
    try {
      const big = await post(small.url, document(Array.from({ length: 10 }, (_, i) => shipping(i + 1))));
      expect(big.status).to.equal(413);
      expect(big.headers.get("gs1-epcis-capture-file-size-limit")).to.equal("2000");
    } finally {
      await small.close();
    }
    const none = await call(base, "/epcis/capture/id00", { headers: auth });
    expect(none.status).to.equal(404);
    const proofless = await call(base, `/epcis/events/${encodeURIComponent("urn:uuid:none")}/proof`, { headers: auth });
    expect(proofless.status).to.equal(404);
  });

  it("lists the jobs in order, a page at a time", async function () {
    const all = await call(base, "/epcis/capture?perPage=1000", { headers: auth });
    expect(all.status).to.equal(200);
    expect(all.body.length).to.be.greaterThan(5);
    for (const job of all.body) expect(captureJobErrors(job)).to.deep.equal([]);
    const first = await call(base, "/epcis/capture?perPage=2", { headers: auth });
    expect(first.body.map((j: JsonObject) => j.captureID)).to.deep.equal(
      all.body.slice(0, 2).map((j: JsonObject) => j.captureID),
    );
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1] ?? "";
    const second = await call(base, next, { headers: auth });
    expect(second.body.map((j: JsonObject) => j.captureID)).to.deep.equal(
      all.body.slice(2, 4).map((j: JsonObject) => j.captureID),
    );
  });

  it("a job accepted before a restart is processed after it; without a signer its events stay unanchored", async function () {
    const down = new CaptureService(index, { threaded: false });
    await down.start();
    await down.close(); // the server stops after storing the job, before processing it
    const event = shipping(9, { eventID: "urn:uuid:9a9a9a9a-3333-4333-8333-333333333333" });
    const captureId = await down.accept(JSON.stringify(document([event])), "rollback");
    const [pending] = await index.query<{ running: boolean }>(
      "SELECT running FROM epcis_capture_jobs WHERE capture_id = $1",
      [captureId],
    );
    expect(pending?.running).to.equal(true);

    // No signer; analysed on the server's thread (the main server above analyses on a worker thread).
    const restarted = await listenEpcis(index, { capture: new CaptureService(index, { threaded: false }) });
    try {
      const fake: Answer = {
        status: 202,
        headers: new Headers({ location: `/epcis/capture/${captureId}` }),
        body: undefined,
      };
      expect(await finished(restarted.url, fake)).to.include({ success: true });
      const proof = await call(restarted.url, `/epcis/events/${encodeURIComponent(String(event.eventID))}/proof`);
      expect(proof.body).to.include({ status: "unanchored", anchoredBy: null, anchoredAt: null, chainId: null });
      const verdict = await verifyEventProof(event, proof.body, registry);
      expect(verdict.valid).to.equal(false);
      expect(verdict.problems).to.deep.equal(["the root is not anchored on chain (yet)"]);
    } finally {
      await restarted.close();
    }
  });

  it("every refusal of the capture interface validates against the OpenAPI's problem schemas", function () {
    const ours = CHECKED.filter(
      ([path, status]) => status >= 400 && /^\/epcis\/(capture|events\/[^/]+\/proof)/.test(path),
    );
    expect(new Set(ours.map(([, status]) => status))).to.deep.equal(new Set([400, 401, 404, 409, 413, 415]));
    for (const [path, status, errors] of ours) expect(errors, `${status} ${path}`).to.deep.equal([]);
  });
});
