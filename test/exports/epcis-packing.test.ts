/**
 * Logistic units in the EPCIS export: the Packing contract's `Packed` and `Unpacked` logs, decoded and indexed as the
 * indexer does (src/index/decode.ts, apply.ts), exported as AggregationEvents ADD `packing` / DELETE `unpacking` —
 * the SSCC's Digital Link as parentID, the lots' classes and kilograms as childQuantityList — and valid for every
 * validator the project runs (src/tools/epcis-validators.ts). Cases on a pallet (`UnitsPacked`, `UnitsUnpacked`)
 * likewise, the cases' SSCCs as the pallet's childEPCs. A recall notice and the trace name the units a lot is packed
 * in, and the pallet its case is on.
 */
import { expect } from "chai";

import { epcisDocument, type EpcisDocument, type EpcisEvent } from "../../src/exports/epcis.js";
import { productClass } from "../../src/exports/gs1.js";
import { ssccDigitalLink, ssccText, ssccWithCheckDigit } from "../../src/core/sscc.js";
import { applyEvents, insertEvents } from "../../src/index/apply.js";
import { Decoder, type DecodedEvent } from "../../src/index/decode.js";
import type { Sql } from "../../src/index/db.js";
import { loadJourney, type JourneyScope } from "../../src/index/journey.js";
import { noticeCsv, recallNotice } from "../../src/index/recall.js";
import { traceLot } from "../../src/index/trace.js";
import { traceJson } from "../../src/core/trace/tree.js";
import { allErrors, schemaFileErrors, schemaPaths } from "../../src/tools/epcis-validators.js";
import { Packing__factory } from "../../typechain-types/index.js";
import { CHAIN_ID, exportWorld, GLN, GTIN, LOT_NUMBER, LOTS, MASTER_DATA, PARTIES, T } from "../helpers/export-rows.js";

const SCHEMAS = schemaPaths(process.env);
/** GS1's example SSCCs (General Specifications), check digits valid. */
const SSCC = 376104250021234569n;
const SSCC_2 = 106141411234567897n;
/** A pallet's SSCC: GS1 Company Prefix 0614141, serial 999999999, check digit valid. */
const PALLET = ssccWithCheckDigit(614_141_999_999_999);
const PACKING = `0x${"9a".repeat(20)}`;
const ADDRESSES = {
  registry: `0x${"01".repeat(20)}`,
  harvester: `0x${"02".repeat(20)}`,
  supplier: `0x${"03".repeat(20)}`,
  manufacturer: `0x${"04".repeat(20)}`,
  distributor: `0x${"05".repeat(20)}`,
  retailer: `0x${"06".repeat(20)}`,
  customer: `0x${"07".repeat(20)}`,
  qualityLedger: `0x${"08".repeat(20)}`,
  packing: PACKING,
};
/** The export world's block times. */
const timeOf = (block: number) => T + (block - 10) * 100;

/** A Packing log as the node returns it (at `logIndex` in its block), decoded as the indexer decodes it. */
function packingEvent(
  block: number,
  name: "Packed" | "Unpacked" | "UnitsPacked" | "UnitsUnpacked",
  args: unknown[],
  logIndex = 50,
): DecodedEvent {
  const iface = Packing__factory.createInterface();
  const fragment = iface.getEvent(name);
  if (fragment === null) throw new Error(`no ${name} event`);
  const { data, topics } = iface.encodeEventLog(fragment, args);
  const decoded = new Decoder(ADDRESSES).decode({
    address: PACKING,
    topics,
    data,
    blockNumber: block,
    index: logIndex,
    blockHash: `0x${block.toString(16).padStart(64, "0")}`,
    transactionHash: `0x${(0xa000 + block).toString(16).padStart(64, "0")}`,
  });
  if (decoded === undefined) throw new Error(`the decoder does not know ${name}`);
  return decoded;
}

/** What each of the tests' packing events at the manufacturer (block 19) holds. */
const ADDED_AT_THE_MANUFACTURER = {
  eventTime: new Date(timeOf(19) * 1000).toISOString(),
  action: "ADD",
  bizStep: "packing",
  disposition: "in_progress",
  readPoint: { id: `https://id.gs1.org/414/${GLN.manufacturer}` },
  bizLocation: { id: `https://id.gs1.org/414/${GLN.manufacturer}` },
  "fishtrace:stage": 3,
};

/** `events` written into `index` as the indexer writes them. */
async function indexEvents(index: Sql, events: DecodedEvent[]): Promise<void> {
  await insertEvents(index, events);
  await applyEvents(index, events, timeOf);
}

/** Each scope's EPCIS document, into `documents` under the scope's name. */
async function exportEach(
  index: Sql,
  scopes: Record<string, JourneyScope>,
  documents: Record<string, EpcisDocument>,
): Promise<void> {
  for (const [name, scope] of Object.entries(scopes)) {
    documents[name] = epcisDocument(await loadJourney(index, scope, CHAIN_ID), { masterData: MASTER_DATA });
  }
}

/** One test per document named: 0 errors from every validator the project runs. */
function itHasNoValidatorErrors(names: readonly string[], documents: Record<string, EpcisDocument>): void {
  for (const name of names) {
    it(`${name}: 0 errors from epcis2.js, the EPCIS 2.0 and GDST 1.2 schemas, the KDE table, digital-link.js, the hash`, () => {
      const errors = allErrors(documents[name]!, SCHEMAS);
      for (const [validator, found] of Object.entries(errors)) expect(found, validator).to.deep.equal([]);
    });
  }
}

const aggregations = (doc: EpcisDocument): EpcisEvent[] =>
  doc.epcisBody.eventList.filter((e) => e.type === "AggregationEvent");

describe("packing exported as EPCIS AggregationEvents", function () {
  this.timeout(30_000);
  let index: Sql;
  const scopes: Record<string, JourneyScope> = {
    "the fillets' history": { kind: "lot", lotId: LOTS.fillets },
    "the manufacturer's events": { kind: "actor", participantId: PARTIES.manufacturer.id },
    "the distributor's events": { kind: "actor", participantId: PARTIES.distributor.id },
    "the whole time range": { kind: "range", from: 0, to: T + 10_000 },
  };
  const documents: Record<string, EpcisDocument> = {};

  before(async function () {
    ({ index } = await exportWorld());
    // The manufacturer packs the loins and the fillets before shipping them (block 19); the distributor, having
    // received them, unpacks the unit (block 22).
    const events = [
      packingEvent(19, "Packed", [SSCC, PARTIES.manufacturer.id, 3, [LOTS.loins, LOTS.fillets], [400_000, 200_000]]),
      packingEvent(22, "Unpacked", [SSCC, PARTIES.distributor.id, 4, [LOTS.loins, LOTS.fillets]]),
    ];
    await indexEvents(index, events);
    await exportEach(index, scopes, documents);
  });
  after(async function () {
    await index.close();
  });

  it("indexes the unit: one row per lot, packed at the manufacturer, unpacked at the distributor", async () => {
    const rows = await index.query(
      `SELECT sscc::text, stage, packer_id, weight_grams, time, unpack_stage, unpacker_id, unpacked_time
       FROM unit_lots ORDER BY weight_grams DESC`,
    );
    const unit = { sscc: SSCC.toString(), stage: 3, packer_id: 3, time: timeOf(19), unpack_stage: 4, unpacker_id: 4 };
    expect(rows).to.deep.equal([
      { ...unit, weight_grams: 400_000, unpacked_time: timeOf(22) },
      { ...unit, weight_grams: 200_000, unpacked_time: timeOf(22) },
    ]);
  });

  it("packing: AggregationEvent ADD, the SSCC as parentID, the lots' classes and kilograms, at the packer's place", () => {
    const [add, remove] = aggregations(documents["the fillets' history"]!);
    const children = [
      { epcClass: productClass(GTIN.loins, LOT_NUMBER.loins), quantity: 400, uom: "KGM" },
      { epcClass: productClass(GTIN.fillets, LOT_NUMBER.fillets), quantity: 200, uom: "KGM" },
    ];
    expect(add).to.deep.include({
      ...ADDED_AT_THE_MANUFACTURER,
      parentID: "https://id.gs1.org/00/376104250021234569",
      childQuantityList: children,
    });
    expect(add!["gdst:productOwner"]).to.equal(
      `urn:epc:id:pgln:${GLN.manufacturer.slice(0, 7)}.${GLN.manufacturer.slice(7, 12)}`,
    );
    expect(add!.eventID).to.match(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    expect(remove).to.deep.include({
      eventTime: new Date(timeOf(22) * 1000).toISOString(),
      parentID: "https://id.gs1.org/00/376104250021234569",
      childQuantityList: children,
      action: "DELETE",
      bizStep: "unpacking",
      readPoint: { id: `https://id.gs1.org/414/${GLN.distributor}` },
      "fishtrace:stage": 4,
    });
    expect(remove!.eventID).to.not.equal(add!.eventID);
  });

  it("each party's export holds its own side; the time range both", () => {
    expect(aggregations(documents["the manufacturer's events"]!).map((e) => e.action)).to.deep.equal(["ADD"]);
    expect(aggregations(documents["the distributor's events"]!).map((e) => e.action)).to.deep.equal(["DELETE"]);
    expect(aggregations(documents["the whole time range"]!).map((e) => e.action)).to.deep.equal(["ADD", "DELETE"]);
  });

  itHasNoValidatorErrors(Object.keys(scopes), documents);

  it("the GDST 1.2 schema holds an AggregationEvent to its rules: without its product owner it is refused", () => {
    const doc = documents["the fillets' history"]!;
    const at = doc.epcisBody.eventList.findIndex((e) => e.type === "AggregationEvent");
    const broken = structuredClone(doc);
    delete broken.epcisBody.eventList[at]!["gdst:productOwner"];
    expect(schemaFileErrors(broken, SCHEMAS.gdst)).to.include(
      `/epcisBody/eventList/${at} must have required property 'gdst:productOwner'`,
    );
  });
});

describe("the trace and a recall notice name the logistic units a lot is packed in", function () {
  it("lists the SSCC of a packed lot's unit, none once the unit is unpacked or for a loose lot", async () => {
    const { index } = await exportWorld();
    try {
      const packed = [packingEvent(19, "Packed", [SSCC, PARTIES.manufacturer.id, 3, [LOTS.loins], [400_000]])];
      await indexEvents(index, packed);
      const rows = await recallNotice(index, [LOTS.loins, LOTS.fillets]);
      expect(rows.map((r) => r.packedIn)).to.deep.equal([[SSCC.toString()], undefined]);
      const [header, loins, fillets] = noticeCsv(rows).split("\r\n");
      expect(header!.split(",").at(-1)).to.equal("packed_in");
      expect(loins!.split(",").at(-1)).to.equal(SSCC.toString());
      expect(fillets!.split(",").at(-1)).to.equal("");
      // The trace (GET /v1/trace) of the wild catch reaches both products: the loins' node names its unit.
      const graph = await traceLot(index, LOTS.wild);
      expect(graph.lots.get(LOTS.loins)?.packedIn).to.deep.equal([SSCC.toString()]);
      expect(graph.lots.get(LOTS.fillets)?.packedIn).to.equal(undefined);
      const loinsJson = traceJson(graph).lots.find((l) => l.lotId === LOTS.loins.toString());
      expect(loinsJson?.packedIn).to.deep.equal([SSCC.toString()]);

      const unpacked = [packingEvent(22, "Unpacked", [SSCC, PARTIES.distributor.id, 4, [LOTS.loins]])];
      await indexEvents(index, unpacked);
      expect((await recallNotice(index, [LOTS.loins]))[0]?.packedIn).to.equal(undefined);
      expect((await traceLot(index, LOTS.loins)).lots.get(LOTS.loins)?.packedIn).to.equal(undefined);
    } finally {
      await index.close();
    }
  });
});

describe("cases on a pallet exported as EPCIS AggregationEvents, traced and recalled", function () {
  this.timeout(30_000);
  let index: Sql;
  const scopes: Record<string, JourneyScope> = {
    "the fillets' history": { kind: "lot", lotId: LOTS.fillets },
    "the wild catch's history": { kind: "lot", lotId: LOTS.wild },
    "the manufacturer's events": { kind: "actor", participantId: PARTIES.manufacturer.id },
    "the distributor's events": { kind: "actor", participantId: PARTIES.distributor.id },
    "the whole time range": { kind: "range", from: 0, to: T + 10_000 },
  };
  const documents: Record<string, EpcisDocument> = {};
  /** The pallet's AggregationEvents (parentID its SSCC) of a document. */
  const palletEvents = (doc: EpcisDocument) => aggregations(doc).filter((e) => e.parentID === ssccDigitalLink(PALLET));

  before(async function () {
    ({ index } = await exportWorld());
    // The manufacturer packs the loins and the fillets into a case each and puts both cases onto a pallet before
    // shipping them (block 19); the distributor takes the cases off the pallet and opens the loins' case (block 22).
    const packed = [
      packingEvent(19, "Packed", [SSCC, PARTIES.manufacturer.id, 3, [LOTS.loins], [400_000]], 50),
      packingEvent(19, "Packed", [SSCC_2, PARTIES.manufacturer.id, 3, [LOTS.fillets], [200_000]], 51),
      packingEvent(19, "UnitsPacked", [PALLET, PARTIES.manufacturer.id, 3, [SSCC, SSCC_2]], 52),
    ];
    await indexEvents(index, packed);
    const graph = await traceLot(index, LOTS.wild);
    packedInBefore = {
      loins: graph.lots.get(LOTS.loins)?.packedIn,
      fillets: graph.lots.get(LOTS.fillets)?.packedIn,
      notice: (await recallNotice(index, [LOTS.loins])).map((r) => r.packedIn),
    };
    const unpacked = [
      packingEvent(22, "UnitsUnpacked", [PALLET, PARTIES.distributor.id, 4, [SSCC, SSCC_2]], 50),
      packingEvent(22, "Unpacked", [SSCC, PARTIES.distributor.id, 4, [LOTS.loins]], 51),
    ];
    await indexEvents(index, unpacked);
    await exportEach(index, scopes, documents);
  });
  after(async function () {
    await index.close();
  });
  let packedInBefore: { loins?: string[]; fillets?: string[]; notice: (string[] | undefined)[] };

  it("indexes the pallet: one row per case, in order, packed at the manufacturer, unpacked at the distributor", async () => {
    const rows = await index.query(
      `SELECT sscc::text, child_sscc::text, position, stage, packer_id, time, unpack_stage, unpacker_id, unpacked_time
       FROM unit_units ORDER BY position`,
    );
    const unit = { sscc: PALLET.toString(), stage: 3, packer_id: 3, time: timeOf(19), unpack_stage: 4 };
    const off = { unpacker_id: 4, unpacked_time: timeOf(22) };
    expect(rows).to.deep.equal([
      { ...unit, child_sscc: SSCC.toString(), position: 0, ...off },
      { ...unit, child_sscc: SSCC_2.toString(), position: 1, ...off },
    ]);
  });

  it("a pallet: AggregationEvent ADD and DELETE, parentID the pallet's SSCC, childEPCs every case's SSCC", () => {
    const [add, remove] = palletEvents(documents["the fillets' history"]!);
    const cases = [ssccDigitalLink(SSCC), ssccDigitalLink(SSCC_2)];
    expect(add).to.deep.include({
      ...ADDED_AT_THE_MANUFACTURER,
      childEPCs: cases,
    });
    expect(add).to.not.have.property("childQuantityList");
    expect(remove).to.deep.include({
      eventTime: new Date(timeOf(22) * 1000).toISOString(),
      childEPCs: cases,
      action: "DELETE",
      bizStep: "unpacking",
      readPoint: { id: `https://id.gs1.org/414/${GLN.distributor}` },
      "fishtrace:stage": 4,
    });
    // The GDST event-level KDEs every aggregation event carries: the product owner and information provider.
    const pgln = (gln: string) => `urn:epc:id:pgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}`;
    for (const [event, gln] of [
      [add, GLN.manufacturer],
      [remove, GLN.distributor],
    ] as const) {
      expect(event!["gdst:productOwner"]).to.equal(pgln(gln));
      expect(event!["cbvmda:informationProvider"]).to.equal(pgln(gln));
    }
    expect(remove!.eventID).to.not.equal(add!.eventID);
  });

  it("a lot's history holds its own case and the pallet it was on, not the other case's events", () => {
    const parents = (name: string) => aggregations(documents[name]!).map((e) => `${e.action} ${String(e.parentID)}`);
    expect(parents("the fillets' history")).to.deep.equal([
      `ADD ${ssccDigitalLink(SSCC_2)}`,
      `ADD ${ssccDigitalLink(PALLET)}`,
      `DELETE ${ssccDigitalLink(PALLET)}`,
    ]);
    // The wild catch's history reaches both products, so both cases, the pallet, and the loins' case opened.
    expect(parents("the wild catch's history")).to.have.members([
      `ADD ${ssccDigitalLink(SSCC)}`,
      `ADD ${ssccDigitalLink(SSCC_2)}`,
      `ADD ${ssccDigitalLink(PALLET)}`,
      `DELETE ${ssccDigitalLink(PALLET)}`,
      `DELETE ${ssccDigitalLink(SSCC)}`,
    ]);
    expect(palletEvents(documents["the manufacturer's events"]!).map((e) => e.action)).to.deep.equal(["ADD"]);
    expect(palletEvents(documents["the distributor's events"]!).map((e) => e.action)).to.deep.equal(["DELETE"]);
    expect(palletEvents(documents["the whole time range"]!).map((e) => e.action)).to.deep.equal(["ADD", "DELETE"]);
  });

  itHasNoValidatorErrors(Object.keys(scopes), documents);

  it("the trace and a recall notice name a lot's case and the pallet it is on; the pallet no more once unpacked", async () => {
    const [caseOfLoins, caseOfFillets, pallet] = [SSCC, SSCC_2, PALLET].map((u) => ssccText(u));
    expect(packedInBefore.loins).to.deep.equal([caseOfLoins, pallet]);
    expect(packedInBefore.fillets).to.deep.equal([caseOfFillets, pallet]);
    expect(packedInBefore.notice).to.deep.equal([[caseOfLoins, pallet]]);
    // Now: the pallet unpacked, the fillets still in their case; the loins' case opened.
    const [, fillets] = noticeCsv(await recallNotice(index, [LOTS.fillets])).split("\r\n");
    expect(fillets!.split(",").at(-1)).to.equal(caseOfFillets);
    expect((await traceLot(index, LOTS.loins)).lots.get(LOTS.loins)?.packedIn).to.equal(undefined);
  });
});
