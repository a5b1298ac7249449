import { expect } from "chai";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Sql } from "../../src/index/db.js";
import { digitalLink } from "../../src/core/digital-link.js";
import {
  epcisDocument,
  gdstGaps,
  lotClass,
  validateEpcis,
  type EpcisDocument,
  type JsonObject,
} from "../../src/exports/epcis.js";
import { contextPrefixes, eventHashId } from "../../src/exports/event-hash.js";
import { loadJourney, participantRef, type Journey, type JourneyScope } from "../../src/index/journey.js";
import { readMasterData } from "../../src/exports/master-data.js";
import { InputError } from "../../src/core/input-error.js";
import { digitalLinkErrors, gdstKdeErrors } from "../../src/tools/epcis-validators.js";
import {
  CHAIN_ID,
  exportWorld,
  GTIN,
  LOT_NUMBER,
  LOTS,
  MASTER_DATA,
  PARTIES,
  PROCESS_ID,
  T,
} from "../helpers/export-rows.js";
import { fails, ok } from "../helpers/task-run.js";
import { loadTraceWorld } from "../helpers/trace-world.js";

const { validateEpcisDocument } = createRequire(import.meta.url)("epcis2.js") as {
  validateEpcisDocument(doc: object, throwError: boolean): { success: boolean; errors: string[] };
};

/** The document must pass epcis2.js. */
function expectValid(doc: EpcisDocument): void {
  const result = validateEpcisDocument(doc, false);
  expect(result.errors).to.deep.equal([]);
  expect(result.success).to.equal(true);
}

/** "Type action bizStep disposition" of each event, in order. */
const steps = (doc: EpcisDocument): string[] =>
  doc.epcisBody.eventList.map((e) =>
    [e.type, e.action ?? "-", e.bizStep ?? "-", e.disposition ?? "-"].map(String).join(" "),
  );

const count = (doc: EpcisDocument): Record<string, number> => {
  const n: Record<string, number> = {};
  for (const e of doc.epcisBody.eventList) n[e.type] = (n[e.type] ?? 0) + 1;
  return n;
};

const CATCH_WILD = "ObjectEvent ADD urn:gdst:bizStep:fishingEvent active";
const CATCH_FARMED = "ObjectEvent ADD urn:gdst:bizStep:farmHarvest active";
const PLACED = "TransactionEvent ADD - -";
const SETTLED = "TransactionEvent OBSERVE - -";
const SHIP = "ObjectEvent OBSERVE shipping in_transit";
const RECEIVE = "ObjectEvent OBSERVE receiving in_progress";
const SENSOR = "ObjectEvent OBSERVE sensor_reporting -";
const TRANSFORM = "TransformationEvent - commissioning active";
const SCAN = "ObjectEvent OBSERVE inspecting -";
const RECALL = "ObjectEvent OBSERVE holding recalled";
const LANDING = "ObjectEvent OBSERVE urn:gdst:bizStep:landing active";
/** The whole fixture journey, in chain order. */
const ALL = [
  CATCH_WILD,
  CATCH_FARMED,
  PLACED, // 1@1
  SENSOR, // the farmed lot's reading at the harvester
  SHIP,
  LANDING, // the wild catch unloaded at the supplier's quay
  RECEIVE,
  SETTLED,
  PLACED, // 1@2
  SHIP,
  RECEIVE,
  SETTLED,
  TRANSFORM, // the loins (L2027-001), with the inputs
  TRANSFORM, // the fillets (F2027-001), same transformationID
  PLACED, // 1@3
  SHIP,
  RECEIVE,
  SETTLED,
  SENSOR, // the distributor's batch
  PLACED, // 1@4
  SHIP,
  RECEIVE,
  SETTLED,
  SCAN,
  PLACED, // 1@5
  SHIP,
  RECEIVE,
  SETTLED,
  RECALL,
  RECALL,
  RECALL,
];

describe("EPCIS 2.0 export", function () {
  let index: Sql;
  const creationDate = new Date("2027-02-01T00:00:00Z");
  const doc = async (scope: JourneyScope): Promise<{ journey: Journey; doc: EpcisDocument }> => {
    const journey = await loadJourney(index, scope, CHAIN_ID);
    return { journey, doc: epcisDocument(journey, { creationDate }) };
  };

  before(async function () {
    ({ index } = await exportWorld());
  });
  after(async function () {
    await index.close();
  });

  it("a time range: every event of the journey, in chain order, valid EPCIS 2.0", async function () {
    const { doc: d } = await doc({ kind: "range", from: 0, to: T + 10_000 });
    expectValid(d);
    expect(steps(d)).to.deep.equal(ALL);
    expect(count(d)).to.deep.equal({ ObjectEvent: 19, TransactionEvent: 10, TransformationEvent: 2 });
    expect(d.creationDate).to.equal("2027-02-01T00:00:00.000Z");
    expect(new Set(d.epcisBody.eventList.map((e) => e.eventID)).size).to.equal(ALL.length);
    // A narrower range: only the manufacturer's hour.
    const { doc: narrow } = await doc({ kind: "range", from: T + 650, to: T + 750 });
    expectValid(narrow);
    expect(steps(narrow)).to.deep.equal([TRANSFORM, TRANSFORM]);
  });

  it("a lot's history: its catches, the processing, its packs' moves — not a sibling pack's recall", async function () {
    const { doc: loins } = await doc({ kind: "lot", lotId: LOTS.loins });
    expectValid(loins);
    expect(steps(loins)).to.deep.equal(ALL.filter((s) => s !== RECALL));

    const { doc: fillets } = await doc({ kind: "lot", lotId: LOTS.fillets });
    expectValid(fillets);
    // The fillets were not scanned, nor sold to the customer (order 1@5: placed, shipped, received, settled).
    expect(steps(fillets)).to.deep.equal([...ALL.slice(0, 23), ...ALL.slice(28)]);

    // A catch's history reaches forward to both packs, but not to the other catch (nor its reading).
    const { doc: wild } = await doc({ kind: "lot", lotId: LOTS.wild });
    expectValid(wild);
    expect(steps(wild)).to.deep.equal(ALL.filter((_, i) => i !== 1 && i !== 3));
  });

  it("an actor: the distributor's orders, moves, sensor batch and the recall at its stage", async function () {
    const { doc: d } = await doc({ kind: "actor", participantId: PARTIES.distributor.id });
    expectValid(d);
    expect(steps(d)).to.deep.equal([PLACED, SHIP, RECEIVE, SETTLED, SENSOR, PLACED, SHIP, RECEIVE, SETTLED, RECALL]);
    const { doc: retailer } = await doc({ kind: "actor", participantId: PARTIES.retailer.id });
    expectValid(retailer);
    expect(steps(retailer)).to.deep.equal([
      ...[PLACED, SHIP, RECEIVE, SETTLED, SCAN],
      ...[PLACED, SHIP, RECEIVE, SETTLED, RECALL],
    ]);
  });

  it("a catch carries the GDST KDEs in ilmd: vessel registration and name, catch area, gear, dates, method, species, owner", async function () {
    const { doc: d } = await doc({ kind: "lot", lotId: LOTS.loins });
    const [wild, farmed] = d.epcisBody.eventList;
    const ilmd = wild!.ilmd as JsonObject;
    const vessel = (ilmd["cbvmda:vesselCatchInformationList"] as JsonObject)[
      "cbvmda:vesselCatchInformation"
    ] as JsonObject[];
    expect(vessel).to.deep.equal([
      {
        "cbvmda:vesselID": "NO-123-TR",
        "cbvmda:vesselName": PARTIES.harvester.name,
        "cbvmda:catchArea": "urn:gdst:fao:27.2.a",
        "cbvmda:fishingGearTypeCode": "urn:gdst:gear:03.12",
        "gdst:gpsAvailability": true,
      },
    ]);
    const owner = `urn:epc:id:pgln:${PARTIES.harvester.location.slice(0, 7)}.${PARTIES.harvester.location.slice(7, 12)}`;
    expect(ilmd).to.include({
      "cbvmda:lotNumber": "1",
      "cbvmda:speciesForFisheryStatisticsPurposesCode": "COD",
      "cbvmda:productionMethodForFishAndSeafoodCode": "MARINE_FISHERY",
      "cbvmda:harvestStartDate": new Date((T - 3600) * 1000).toISOString(),
    });
    // GDST 1.2 wants the parties on the event, not in ilmd.
    expect(ilmd).to.not.have.any.keys("gdst:productOwner", "cbvmda:informationProvider");
    expect(wild).to.include({ "gdst:productOwner": owner, "cbvmda:informationProvider": owner });
    expect(wild!.quantityList).to.deep.equal([
      { epcClass: `urn:fishtrace:${CHAIN_ID}:lot:1`, quantity: 500, uom: "KGM" },
    ]);
    expect(wild!.readPoint).to.deep.equal({ id: "geo:70.1,20.5" });
    expect(wild!.eventTime).to.equal(new Date((T - 3600) * 1000).toISOString());
    expect(farmed!.ilmd).to.include({
      "cbvmda:productionMethodForFishAndSeafoodCode": "AQUACULTURE",
      "cbvmda:lotNumber": "2",
    });
    const context = d["@context"];
    expect(context[1]).to.have.keys("gdst", "fishtrace");
  });

  it("master data adds the GDST KDEs the chain does not hold: vessel, trip, policies, certificates", async function () {
    const journey = await loadJourney(index, { kind: "lot", lotId: LOTS.loins }, CHAIN_ID);
    const d = epcisDocument(journey, { creationDate, masterData: MASTER_DATA });
    expectValid(d);
    const [wild] = d.epcisBody.eventList;
    const ilmd = wild!.ilmd as JsonObject;
    const [vessel] = (ilmd["cbvmda:vesselCatchInformationList"] as JsonObject)[
      "cbvmda:vesselCatchInformation"
    ] as JsonObject[];
    expect(vessel).to.include({
      "cbvmda:vesselID": "NO-123-TR",
      "cbvmda:vesselName": "MV Nordkapp",
      "cbvmda:vesselFlagState": "NO",
      "gdst:imoNumber": "IMO9241061",
      "gdst:vesselPublicRegistry": "https://www.fiskeridir.no/",
      "cbvmda:economicZone": "urn:gdst:eez:NO",
      "gdst:rfmoArea": "urn:gdst:rfmo:NEAFC",
      // One date-time, as GDST 1.2's schema wants (an interval before).
      "gdst:vesselTripDate": new Date((T - 3 * 86_400) * 1000).toISOString(),
    });
    // The harvest dates are the trip's.
    expect(ilmd).to.include({
      "cbvmda:harvestStartDate": new Date((T - 3 * 86_400) * 1000).toISOString(),
      "cbvmda:harvestEndDate": new Date((T - 1_800) * 1000).toISOString(),
    });
    expect(wild).to.include({ "gdst:humanWelfarePolicy": "3P Audit" });
    expect(ilmd["cbvmda:certificationList"]).to.deep.equal({
      certification: [
        {
          "gdst:certificationType": "urn:gdst:certType:harvestCert",
          certificationAgency: "DNV",
          certificationStandard: "MSC Fisheries Standard",
          certificationIdentification: "MSC-F-1",
        },
      ],
    });
    const landing = d.epcisBody.eventList.find((e) => e.bizStep === "urn:gdst:bizStep:landing")!;
    expect(landing).to.include({ "cbvmda:unloadingPort": "Tromsø harbour" });
    // Every GDST 1.2 KDE the schema requires is there, and every Digital Link is one GS1's tools accept.
    expect(gdstKdeErrors(d)).to.deep.equal([]);
    expect(digitalLinkErrors(d)).to.deep.equal([]);
    expect(gdstGaps(d)).to.deep.equal([]);
    // Without master data, the table names what is missing, and so do the export's warnings.
    const bare = epcisDocument(journey, { creationDate });
    expect(gdstGaps(bare)).to.include(
      "event 0 (fishing, vessel NO-123-TR): no gdst:imoNumber — master data vessels.NO-123-TR.imo",
    );
    expect(gdstKdeErrors(bare)).to.include(
      "event 0 (ObjectEvent urn:gdst:bizStep:fishingEvent): ilmd.vessel.gdst:imoNumber is missing",
    );
  });

  it("reads master data from JSON and CSV files, each problem in one line naming file, row and field", async function () {
    const dir = await mkdtemp(join(tmpdir(), "fishtrace-master-"));
    try {
      const file = join(dir, "vessels.json");
      await writeFile(file, JSON.stringify({ vessels: { "NO-123-TR": { flag: "NO", imo: "IMO9241061" } } }));
      const read = await readMasterData(file);
      expect(read.vessels.get("NO-123-TR")).to.deep.equal({ flag: "NO", imo: "IMO9241061" });
      const bad: [unknown, RegExp][] = [
        [{ vessels: { X: { flag: "Norway" } } }, /vessels\.X\.flag: flag must be an ISO 3166-1 alpha-2 code/],
        [{ vessels: { X: { imo: "12" } } }, /vessels\.X\.imo: imo must be 7 digits/],
        [{ vessels: { X: { colour: "red" } } }, /vessels\.X: unknown field "colour"/],
        [{ vessels: { X: { tripStart: "2026-11-21", tripEnd: "2026-11-20" } } }, /tripStart is after tripEnd/],
        [[], /must be an object/],
      ];
      for (const [content, message] of bad) {
        await writeFile(file, JSON.stringify(content));
        let error: unknown;
        try {
          await readMasterData(file);
        } catch (err) {
          error = err;
        }
        expect(error, String(message)).to.be.instanceOf(InputError);
        expect((error as Error).message).to.match(message);
        expect((error as Error).message).to.not.include("\n");
      }
      // CSV: the first column names the section and holds the key; a problem names the file, the row and the field.
      const csv = join(dir, "parties.csv");
      await writeFile(csv, "party,name,phone,humanWelfarePolicy\n7038010000010,Vessel AS,+47 1,3P Audit\n");
      const both = await readMasterData(`${file.replace("vessels.json", "ok.json")},${csv}`).catch((e: unknown) => e);
      expect(String(both)).to.match(/ok\.json: no such file/);
      await writeFile(file, JSON.stringify({ vessels: { "NO-123-TR": { flag: "NO" } } }));
      const merged = await readMasterData([file, csv, "examples/master-data.json"]);
      expect(merged.parties.get("7038010000010")).to.deep.equal({
        name: "Vessel AS",
        phone: "+47 1",
        humanWelfarePolicy: "3P Audit",
      });
      expect(merged.vessels.get("IMO9241061")).to.include({ imo: "IMO9241061", economicZone: "urn:gdst:eez:NO" });
      expect(merged.certificates).to.have.length(3);
      const badCsv: [string, RegExp][] = [
        ["party,name\nA,Good\n,Nobody\n", /parties\.csv row 3 field party: is empty/],
        [
          "party,humanWelfarePolicy\nA,None\nB,Maybe\n",
          /parties\.csv row 3 field humanWelfarePolicy: humanWelfarePolicy must be one of/,
        ],
        ["vessel,imo\nV1,12\n", /parties\.csv row 2 field imo: imo must be 7 digits/],
        ["certificate,kind,issuer,standard,subject\nC1,organic,X,Y,lot:1\n", /row 2 field kind: kind must be one of/],
        ["certificate,kind,issuer,standard\nC1,harvest,X,Y\n", /row 2 field subject/],
        ["vessel,colour\nV1,red\n", /row 2: unknown field "colour"/],
        ["boat,name\nV1,x\n", /row 1: the first column must be vessel, party, location or certificate/],
      ];
      for (const [content, message] of badCsv) {
        await writeFile(csv, content);
        const error = await readMasterData(csv).catch((e: unknown) => e);
        expect(error, String(message)).to.be.instanceOf(InputError);
        expect((error as Error).message)
          .to.match(message)
          .and.not.include("\n");
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the TransformationEvents' inputs and outputs are the lineage edges, one event per output lot number", async function () {
    const { journey, doc: d } = await doc({ kind: "lot", lotId: LOTS.loins });
    const transforms = d.epcisBody.eventList.filter((e) => e.type === "TransformationEvent");
    const lineage = await index.query<{ parent_id: string; child_id: string; consumed_grams: string }>(
      "SELECT parent_id::text, child_id::text, consumed_grams FROM lineage WHERE process_id = $1",
      [PROCESS_ID.toString()],
    );
    const parents = [...new Set(lineage.map((e) => e.parent_id))].sort();
    const children = [...new Set(lineage.map((e) => e.child_id))];
    // Each edge carries what the parent gave to the whole process; the inputs are on the first event only.
    const consumed = (parent: string) => Number(lineage.find((e) => e.parent_id === parent)!.consumed_grams);
    const [first, second] = transforms;
    expect(first!.inputQuantityList).to.have.deep.members(
      parents.map((p) => ({ epcClass: lotClass(journey, BigInt(p)), quantity: consumed(p) / 1000, uom: "KGM" })),
    );
    expect(second).to.not.have.property("inputQuantityList");
    const outputs = transforms.flatMap((t) => t.outputQuantityList as JsonObject[]);
    expect(outputs.map((q) => q.epcClass)).to.have.members(children.map((c) => lotClass(journey, BigInt(c))));
    expect(first!.outputQuantityList).to.deep.equal([
      { epcClass: digitalLink(BigInt(GTIN.loins), LOT_NUMBER.loins), quantity: 400, uom: "KGM" },
    ]);
    for (const t of transforms) {
      expect(t.transformationID).to.equal(`urn:fishtrace:${CHAIN_ID}:process:${PROCESS_ID}`);
    }
    // GDST processing: each event's ilmd names its output's lot number.
    expect(transforms.map((t) => (t.ilmd as JsonObject)["cbvmda:lotNumber"])).to.deep.equal([
      LOT_NUMBER.loins,
      LOT_NUMBER.fillets,
    ]);
  });

  it("shipping names the order and route, the sensor batch its excursion, the recall its disposition", async function () {
    const { doc: d } = await doc({ kind: "lot", lotId: LOTS.fillets });
    const events = d.epcisBody.eventList;
    const routed = events.filter((e) => e.bizStep === "shipping")[3]!;
    expect(routed.bizTransactionList).to.deep.equal([
      { type: "po", bizTransaction: `urn:fishtrace:${CHAIN_ID}:order:4:1` },
      { type: "bol", bizTransaction: `urn:fishtrace:${CHAIN_ID}:shipment:4:1:1` },
    ]);
    expect(routed["fishtrace:transportMode"]).to.equal("road");
    expect(routed.sourceList).to.deep.include({
      type: "location",
      source: `https://id.gs1.org/414/${PARTIES.distributor.location}`,
    });
    const arrival = events.filter((e) => e.bizStep === "receiving")[3]!;
    expect(arrival.bizLocation).to.deep.equal({
      id: `urn:fishtrace:${CHAIN_ID}:location:${encodeURIComponent("Retailer Oslo, dock 3")}`,
    });
    const batch = events.filter((e) => e.bizStep === "sensor_reporting")[1]!;
    const [element] = batch.sensorElementList as JsonObject[];
    expect(element!.sensorReport).to.deep.equal([
      { type: "gs1:Temperature", minValue: 1, maxValue: 6.5, meanValue: 3, uom: "CEL", exception: "ALARM_CONDITION" },
    ]);
    const recalls = events.filter((e) => e.disposition === "recalled");
    expect(recalls).to.have.length(3);
    for (const recall of recalls) {
      expect(recall.persistentDisposition).to.deep.equal({ set: ["recalled"] });
      expect(recall.quantityList).to.deep.equal([
        { epcClass: digitalLink(BigInt(GTIN.fillets), LOT_NUMBER.fillets), quantity: 200, uom: "KGM" },
      ]);
      expect(recall["fishtrace:reason"]).to.equal("Listeria monocytogenes");
    }
    expect(recalls.map((r) => r["fishtrace:stage"])).to.deep.equal([3, 4, 5]);
  });

  it("every eventID is the CBV 2.0 event hash of the event's content, distinct within the document", async function () {
    const { doc: d } = await doc({ kind: "range", from: 0, to: T + 10_000 });
    const prefixes = contextPrefixes(d["@context"]);
    const ids = d.epcisBody.eventList.map((event) => {
      const { eventID, ...content } = event;
      expect(eventID).to.equal(eventHashId(content, prefixes));
      return eventID;
    });
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it("validateEpcis throws an InputError naming the first error", async function () {
    const { doc: d } = await doc({ kind: "lot", lotId: LOTS.loins });
    expect(() => validateEpcis(d)).to.not.throw();
    const undeclared = structuredClone(d);
    (undeclared.epcisBody.eventList[0] as JsonObject)["acme:note"] = "x";
    expect(() => validateEpcis(undeclared)).to.throw(InputError, /unknown extension: acme/);
    const badStep = structuredClone(d);
    (badStep.epcisBody.eventList[4] as JsonObject).action = "MOVE";
    expect(() => validateEpcis(badStep)).to.throw(InputError, /EPCIS document is not valid/);
  });

  describe("npx hardhat export epcis", function () {
    let dir: string;
    let db: string;
    before(async function () {
      dir = await mkdtemp(join(tmpdir(), "fishtrace-epcis-"));
      db = join(dir, "index");
      const world = await exportWorld(db);
      await world.index.close();
    });
    after(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it("writes a valid document for a lot, an actor and a time range", async function () {
      const out = join(dir, "loins.jsonld");
      const { text } = await ok(["export", "epcis"], {
        lot: `${GTIN.loins}:${LOT_NUMBER.loins}`,
        out,
        db,
        noSync: true,
      });
      expect(text).to.match(/wrote .*loins\.jsonld: 28 EPCIS events \(valid EPCIS 2\.0\)/);
      expect(text).to.match(
        /warning: event 0 \(fishing, vessel NO-123-TR\): no gdst:rfmoArea — master data vessels\.NO-123-TR\.rfmoArea/,
      );
      const written = JSON.parse(await readFile(out, "utf8")) as EpcisDocument;
      expectValid(written);
      expect(steps(written)).to.deep.equal(ALL.filter((s) => s !== RECALL));

      const vessels = join(dir, "vessels.json");
      await writeFile(vessels, JSON.stringify({ vessels: { "NO-123-TR": { flag: "NO", imo: "9241061" } } }));
      const withMaster = join(dir, "loins-gdst.jsonld");
      await ok(["export", "epcis"], {
        lot: String(LOTS.loins),
        out: withMaster,
        masterData: vessels,
        db,
        noSync: true,
      });
      const gdst = JSON.stringify(JSON.parse(await readFile(withMaster, "utf8")));
      expect(gdst).to.include('"cbvmda:vesselFlagState":"NO"').and.include('"gdst:imoNumber":"IMO9241061"');
      expect(
        await fails(["export", "epcis"], { lot: "1", out, masterData: join(dir, "none.json"), db, noSync: true }),
      ).to.match(/none\.json/);

      const byActor = join(dir, "actor.jsonld");
      await ok(["export", "epcis"], {
        actor: "0x0000000000000000000000000000000000000004",
        out: byActor,
        db,
        noSync: true,
      });
      expect(steps(JSON.parse(await readFile(byActor, "utf8")) as EpcisDocument)).to.have.length(10);

      const range = join(dir, "range.jsonld");
      await ok(["export", "epcis"], {
        from: new Date(T * 1000).toISOString(),
        to: String(T + 700),
        out: range,
        db,
        noSync: true,
      });
      const r = JSON.parse(await readFile(range, "utf8")) as EpcisDocument;
      expectValid(r);
      expect(steps(r)).to.deep.equal(ALL.slice(0, 14));
    });

    it("fails in one line on bad options", async function () {
      const out = join(dir, "x.jsonld");
      expect(await fails(["export", "epcis"], { out, db, noSync: true })).to.match(/give what to export/);
      expect(await fails(["export", "epcis"], { lot: "1", actor: "4", out, db, noSync: true })).to.match(
        /not lot and actor/,
      );
      expect(await fails(["export", "epcis"], { lot: "1", db, noSync: true })).to.match(/--out is required/);
      expect(await fails(["export", "epcis"], { lot: "1", out: join(dir, "x.xml"), db, noSync: true })).to.match(
        /must end in \.jsonld or \.json/,
      );
      expect(await fails(["export", "epcis"], { lot: "nope", out, db, noSync: true })).to.match(/--lot "nope"/);
      expect(
        await fails(["export", "epcis"], { from: "2027-01-02", to: "2027-01-01", out, db, noSync: true }),
      ).to.match(/--to .* is before --from/);
      expect(await fails(["export", "epcis"], { from: "yesterday", to: "2027-01-01", out, db, noSync: true })).to.match(
        /--from "yesterday" is not a date/,
      );
      expect(await fails(["export", "epcis"], { to: "2027-01-01", out, db, noSync: true })).to.match(
        /give --from with --to \(--to defaults to now\)/,
      );
      expect(await fails(["export", "epcis"], { from: "2999-01-01", out, db, noSync: true })).to.match(
        /--from 2999-01-01 is after now/,
      );
      expect(await fails(["export", "epcis"], { lot: "999", out, db, noSync: true })).to.match(
        /lot 999 is not in the index/,
      );
      expect(await fails(["export", "epcis"], { actor: "42", out, db, noSync: true })).to.match(/no participant/);
    });
  });

  describe("the indexed trace world", function () {
    it("exports the real journey of the loins and a time range: valid, with the expected steps", async function () {
      this.timeout(120_000);
      const tw = await loadTraceWorld();
      const chainId = 31337n;
      const loins = epcisDocument(await loadJourney(tw.index, { kind: "lot", lotId: tw.packs.loins }, chainId));
      expectValid(loins);
      const events = loins.epcisBody.eventList;
      expect(events.filter((e) => e.bizStep === "urn:gdst:bizStep:fishingEvent")).to.have.length(2);
      expect(events.filter((e) => e.type === "TransformationEvent")).to.have.length(1);
      const transform = events.find((e) => e.type === "TransformationEvent")!;
      expect((transform.inputQuantityList as JsonObject[]).map((q) => q.quantity)).to.have.members([300, 50]);
      expect((transform.outputQuantityList as JsonObject[]).map((q) => q.epcClass)).to.have.members([
        digitalLink(tw.gtins.loins, tw.lotNumber),
        digitalLink(tw.gtins.fillets, tw.lotNumber),
      ]);
      // Five sales (harvester … retailer → customer) carry the loins or their catches.
      expect(events.filter((e) => e.bizStep === "shipping")).to.have.length(5);
      expect(events.filter((e) => e.bizStep === "receiving")).to.have.length(5);
      expect(events.filter((e) => e.bizStep === "inspecting")).to.have.length(1);
      const all = epcisDocument(await loadJourney(tw.index, { kind: "range", from: 0, to: 2 ** 40 }, chainId));
      expectValid(all);
      // Every event of the world touches the loins' catches or packs: the whole range is the loins' history.
      expect(steps(all)).to.deep.equal(steps(loins));
      // An actor: the manufacturer, by account address.
      const manufacturer = await participantRef(tw.index, tw.world.cast.manufacturer1.address);
      const byActor = epcisDocument(
        await loadJourney(tw.index, { kind: "actor", participantId: manufacturer }, chainId),
      );
      expectValid(byActor);
      expect(steps(byActor).filter((s) => s.startsWith("TransformationEvent"))).to.have.length(1);
      // Its receipt of the catches, and the distributor's receipt of its packs.
      expect(byActor.epcisBody.eventList.filter((e) => e.bizStep === "receiving")).to.have.length(2);
    });
  });
});
