/**
 * The values of EPCIS query parameters and of stored events in one comparable form, so that a partner may write a
 * CBV term bare (`shipping`), as its CBV 2.0 web URI (`https://ref.gs1.org/cbv/BizStep-shipping`) or as its EPCIS 1.x
 * URN (`urn:epcglobal:cbv:bizstep:shipping`), and an EPC or location as an EPC URN or as its GS1 Digital Link
 * (`urn:epc:id:sgln:7038010.00000.0` = `https://id.gs1.org/414/7038010000002`), and find the same events.
 */
import { epcDigitalLink } from "../../exports/event-hash.js";
import { parameterProblem } from "./problem.js";

/** CBV 2.0 business steps (the bare words of GS1's query schema, `REST Bindings/query-schema.json`). */
export const CBV_BIZ_STEPS = [
  "accepting",
  "arriving",
  "assembling",
  "collecting",
  "commissioning",
  "consigning",
  "creating_class_instance",
  "cycle_counting",
  "decommissioning",
  "departing",
  "destroying",
  "disassembling",
  "dispensing",
  "encoding",
  "entering_exiting",
  "holding",
  "inspecting",
  "installing",
  "killing",
  "loading",
  "other",
  "packing",
  "picking",
  "receiving",
  "removing",
  "repackaging",
  "repairing",
  "replacing",
  "reserving",
  "retail_selling",
  "sampling",
  "sensor_reporting",
  "shipping",
  "staging_outbound",
  "stock_taking",
  "stocking",
  "storing",
  "transporting",
  "unloading",
  "unpacking",
  "void_shipping",
] as const;

/** CBV 2.0 dispositions (the bare words of GS1's query schema). */
export const CBV_DISPOSITIONS = [
  "active",
  "available",
  "completeness_inferred",
  "completeness_verified",
  "conformant",
  "container_closed",
  "container_open",
  "damaged",
  "destroyed",
  "dispensed",
  "disposed",
  "encoded",
  "expired",
  "in_progress",
  "in_transit",
  "inactive",
  "mismatch_class",
  "mismatch_instance",
  "mismatch_quantity",
  "needs_replacement",
  "no_pedigree_match",
  "non_conformant",
  "non_sellable_other",
  "partially_dispensed",
  "recalled",
  "reserved",
  "retail_sold",
  "returned",
  "sellable_accessible",
  "sellable_not_accessible",
  "stolen",
  "unavailable",
  "unknown",
] as const;

/** The five EPCIS 2.0 event types. */
export const EVENT_TYPES = [
  "ObjectEvent",
  "AggregationEvent",
  "TransactionEvent",
  "TransformationEvent",
  "AssociationEvent",
] as const;

/** Whether `text` reads as an absolute URI (`scheme:rest`). */
export const isUri = (text: string): boolean => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(text);

type CbvKind = "BizStep" | "Disp" | "BTT" | "SDT";

const URN_PREFIX: Record<CbvKind, string> = {
  BizStep: "urn:epcglobal:cbv:bizstep:",
  Disp: "urn:epcglobal:cbv:disp:",
  BTT: "urn:epcglobal:cbv:btt:",
  SDT: "urn:epcglobal:cbv:sdt:",
};

/**
 * A CBV term in its bare form: `https://ref.gs1.org/cbv/BizStep-shipping`, `https://gs1.org/voc/BizStep-shipping`
 * and `urn:epcglobal:cbv:bizstep:shipping` → `shipping`; any other URI unchanged; anything else as given.
 */
export function bareTerm(kind: CbvKind, value: string): string {
  const text = value.trim();
  for (const prefix of [`https://ref.gs1.org/cbv/${kind}-`, `https://gs1.org/voc/${kind}-`, URN_PREFIX[kind]]) {
    if (text.startsWith(prefix)) return text.slice(prefix.length);
  }
  return text;
}

/**
 * A business step or disposition of a query, bare when it is a CBV term; a custom one must be a URI (the
 * standard's rule: "custom values should be expressed as URIs").
 */
export function vocabularyValue(kind: "BizStep" | "Disp", value: string, what: string): string {
  const bare = bareTerm(kind, value);
  const standard: readonly string[] = kind === "BizStep" ? CBV_BIZ_STEPS : CBV_DISPOSITIONS;
  if (standard.includes(bare) || (isUri(bare) && bare.includes(":"))) return bare;
  throw parameterProblem(
    `${what} "${value}" is neither a CBV 2.0 ${kind === "BizStep" ? "business step" : "disposition"} nor a URI`,
  );
}

/** An identifier (EPC, class, location, party) in the form stored and compared: EPC URNs as GS1 Digital Links. */
export const canonicalId = (value: string): string => epcDigitalLink(value.trim());
