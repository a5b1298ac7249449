/**
 * The identifiers the EPCIS and FSMA 204 exports use for lots, parties, places and business steps.
 *
 * - A product lot has a GS1 key (GTIN + lot number, AI 01 + AI 10). Its EPCIS class is its GS1 Digital Link
 *   (`https://id.gs1.org/01/{gtin14}/10/{lot}`), which EPCIS 2.0 accepts wherever it accepts an EPC URI. The
 *   `urn:epc:class:lgtin:` form needs the length of the GS1 company prefix, which the chain does not record, so it
 *   is not used.
 * - A catch lot has no GTIN. Its class is `urn:fishtrace:{chainId}:lot:{lotId}` — not a GS1 key, documented here
 *   and in the `@context` of every document.
 * - A party whose registered location is a 13-digit GLN is `urn:epc:id:pgln:…`, a place that is a GLN its GS1
 *   Digital Link (SGLN `/414/`); any other party is `urn:fishtrace:{chainId}:party:{id}` and any other place
 *   `urn:fishtrace:{chainId}:location:{text}`.
 * - CBV business steps and dispositions are written in the compact form EPCIS 2.0 JSON-LD uses ("shipping"); the
 *   full `https://ref.gs1.org/cbv/…` form is `cbvUri`.
 */
import { GS1_RESOLVER, gtin14, gtinCheckDigit } from "../core/digital-link.js";

/** The FishTrace namespace of the `@context`: extension fields named `fishtrace:…`. */
export const FISHTRACE_NS = "https://fishtrace.github.io/ns/epcis#";
/** GDST 1.2's namespace (https://developer.thegdst.org). */
export const GDST_NS = "https://traceability-dialogue.org/epcis";
/** The GS1 EPCIS 2.0 JSON-LD context. */
export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/** CBV 2.0 business steps used by the exports. */
export const BIZ_STEP = {
  commissioning: "commissioning",
  shipping: "shipping",
  receiving: "receiving",
  inspecting: "inspecting",
  sensorReporting: "sensor_reporting",
  transforming: "commissioning",
  holding: "holding",
  destroying: "destroying",
  /** GDST: a wild catch on a vessel. */
  fishingEvent: "urn:gdst:bizStep:fishingEvent",
  /** GDST: an aquaculture harvest. */
  farmHarvest: "urn:gdst:bizStep:farmHarvest",
  /** GDST: a catch unloaded at port. */
  landing: "urn:gdst:bizStep:landing",
  /** GDST: lots moved at sea from the catching vessel onto a carrier. */
  transshipment: "urn:gdst:bizStep:transshipment",
  /** Lots packed into a logistic unit (an SSCC): AggregationEvent ADD. */
  packing: "packing",
  /** A logistic unit unpacked: AggregationEvent DELETE. */
  unpacking: "unpacking",
} as const;

/** CBV 2.0 dispositions used by the exports. */
export const DISPOSITION = {
  active: "active",
  inTransit: "in_transit",
  inProgress: "in_progress",
  recalled: "recalled",
  destroyed: "destroyed",
} as const;

/** A CBV term in its full web-vocabulary form: `https://ref.gs1.org/cbv/BizStep-shipping`. */
export function cbvUri(kind: "BizStep" | "Disp" | "BTT" | "SDT", term: string): string {
  return term.includes(":") ? term : `https://ref.gs1.org/cbv/${kind}-${term}`;
}

/** The product lot's GS1 Digital Link (its EPCIS class). */
export function productClass(gtin: string | bigint, lot: string): string {
  return `${GS1_RESOLVER}/01/${gtin14(BigInt(gtin))}/10/${encodeURIComponent(lot)}`;
}

/** A catch lot's class: `urn:fishtrace:{chainId}:lot:{lotId}` (catches have no GTIN). */
export function catchClass(chainId: bigint | number, lotId: bigint): string {
  return `urn:fishtrace:${chainId}:lot:${lotId}`;
}

/** Whether `text` is a GLN: 13 digits with a valid GS1 check digit. */
export function isGln(text: string): boolean {
  return /^\d{13}$/.test(text) && gtinCheckDigit(text.slice(0, -1)) === Number(text.at(-1));
}

/**
 * A party: `urn:epc:id:pgln:{company prefix}.{party reference}` when its location is a GLN (the form GS1's EPCIS
 * examples use; GS1's Digital Link tools refuse `/417/`), else `urn:fishtrace:{chainId}:party:{id}`. The chain
 * does not record where the company prefix ends: `companyPrefixLength` comes from master data, 7 by default (any
 * split names the same GLN; the CBV 2.0 event hash writes it as `https://id.gs1.org/417/{GLN}` either way).
 */
export function partyUri(
  chainId: bigint | number,
  party: { id: number; location: string },
  companyPrefixLength = 7,
): string {
  const location = party.location.trim();
  if (!isGln(location)) return `urn:fishtrace:${chainId}:party:${party.id}`;
  return `urn:epc:id:pgln:${location.slice(0, companyPrefixLength)}.${location.slice(companyPrefixLength, 12)}`;
}

/** A place: its SGLN Digital Link when it is a GLN, else `urn:fishtrace:{chainId}:location:{text}`. */
export function locationUri(chainId: bigint | number, location: string): string {
  const text = location.trim();
  if (isGln(text)) return `${GS1_RESOLVER}/414/${text}`;
  return `urn:fishtrace:${chainId}:location:${encodeURIComponent(text === "" ? "unknown" : text)}`;
}

/** A geographic point as a `geo:` URI (RFC 5870), degrees. */
export function geoUri(latitude: number, longitude: number): string {
  return `geo:${latitude},${longitude}`;
}

/** An order as a business transaction: `urn:fishtrace:{chainId}:order:{stage}:{orderId}` (per-stage order books). */
export function orderUri(chainId: bigint | number, stage: number, orderId: bigint): string {
  return `urn:fishtrace:${chainId}:order:${stage}:${orderId}`;
}

/** A shipment (bill of lading) of an order. */
export function shipmentUri(chainId: bigint | number, stage: number, orderId: bigint, shipmentNo: bigint): string {
  return `urn:fishtrace:${chainId}:shipment:${stage}:${orderId}:${shipmentNo}`;
}

/** A processing run: the TransformationEvent's transformationID. */
export function processUri(chainId: bigint | number, processId: bigint): string {
  return `urn:fishtrace:${chainId}:process:${processId}`;
}

/** A QAT device or sensor gateway (participant or device id). */
export function deviceUri(chainId: bigint | number, kind: "device" | "gateway", id: number): string {
  return `urn:fishtrace:${chainId}:${kind}:${id}`;
}

/** GDST 1.2 certificate types (`gdst:certificationType`) of the master data's certificate kinds. */
export const GDST_CERTIFICATE_TYPE = {
  harvest: "urn:gdst:certType:harvestCert",
  chainOfCustody: "urn:gdst:certType:harvestCoC",
  fishingAuthorisation: "urn:gdst:certType:fishingAuth",
  humanWelfare: "urn:gdst:certType:humanPolicy",
} as const;

/** A catch area as a GDST-style URN: an FAO major area or subarea ("27.2.a") → `urn:gdst:fao:27.2.a`. */
export function catchAreaUri(area: string): string {
  const text = area.trim();
  if (text === "") return "urn:gdst:fao:unknown";
  if (/^urn:/i.test(text)) return text;
  return `urn:gdst:fao:${encodeURIComponent(text.replace(/^FAO\s*/i, ""))}`;
}

/**
 * ISSCFG (FAO's fishing gear classification) alpha codes → the numeric codes GDST's `urn:gdst:gear:` list uses,
 * for the gears a FishTrace harvester is likely to declare. Unknown codes pass through.
 */
const ISSCFG: Record<string, string> = {
  PS: "01.1",
  SB: "02.1",
  SDN: "02.1",
  TBB: "03.11",
  OTB: "03.12",
  PTB: "03.13",
  OTM: "03.21",
  PTM: "03.22",
  DRB: "04.1",
  GNS: "07.1",
  GND: "07.2",
  GTR: "07.5",
  FPO: "08.2",
  LHP: "09.1",
  LLS: "09.31",
  LLD: "09.32",
  LTL: "09.4",
};

/** A gear code as GDST writes it: `urn:gdst:gear:03.12` for OTB (bottom otter trawl). */
export function gearUri(gear: string): string {
  const text = gear.trim().toUpperCase();
  if (/^urn:/i.test(text)) return gear.trim();
  const numeric = ISSCFG[text] ?? (/^\d{2}(\.\d+)*$/.test(text) ? text : undefined);
  return numeric === undefined ? `urn:gdst:gear:${encodeURIComponent(text || "unknown")}` : `urn:gdst:gear:${numeric}`;
}
