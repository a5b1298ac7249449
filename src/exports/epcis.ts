/**
 * A journey (src/index/journey.ts) as a GS1 EPCIS 2.0 JSON-LD document, with the GDST 1.2 key data elements the
 * chain records (issue-7 plan, section 5):
 *
 * - a catch: ObjectEvent ADD, bizStep `urn:gdst:bizStep:fishingEvent` (wild) or `…:farmHarvest` (farmed), with the
 *   lot's master data in `ilmd` (vessel, catch area, gear, harvest dates, production method, species, certificates);
 * - a transshipment: ObjectEvent OBSERVE `urn:gdst:bizStep:transshipment` at sea (its position), the carrier vessel
 *   and, from its master data, the port it unloads at;
 * - a landing: ObjectEvent OBSERVE `urn:gdst:bizStep:landing` beside a wild catch's first receipt (stage 2), at the
 *   carrier's unloading port when the catch was transshipped;
 * - processing: TransformationEvent per output lot number under one transformationID (inputs — the parents and
 *   the grams each gave — on the first; outputs: the product lots), ilmd with the lot number (GDST processing);
 * - an order: TransactionEvent (ADD when placed, OBSERVE when settled, DELETE when cancelled/rejected/refunded);
 * - a shipment / a receipt: ObjectEvent OBSERVE `shipping` (in_transit) / `receiving` (in_progress);
 * - a QAT scan, a sensor batch, a reading: ObjectEvent OBSERVE with a sensorElementList;
 * - a recall: ObjectEvent OBSERVE with disposition `recalled` (persistent);
 * - packing / unpacking a logistic unit (Packing contract): AggregationEvent ADD `packing` / DELETE `unpacking`, the
 *   SSCC's Digital Link (`https://id.gs1.org/00/{sscc}`) as parentID, the lots' classes and kilograms as
 *   childQuantityList, at the packer's (unpacker's) place; for a pallet, its cases' SSCC Digital Links as childEPCs.
 *
 * Every GDST event carries the product owner and information provider (and, where GDST asks, the owner's
 * human-welfare policy) at event level; what the chain does not hold comes from master data (master-data.ts).
 * Each eventID is the CBV 2.0 event hash of the event (event-hash.ts).
 *
 * `validateEpcis` checks a document with epcis2.js (the schemas of the EPCIS 2.0 standard, plus its checks that
 * every `prefix:` extension is declared in `@context`).
 */
import { createRequire } from "node:module";

import { isoTime } from "../core/format.js";
import { InputError } from "../core/input-error.js";
import { ssccDigitalLink } from "../core/sscc.js";
import {
  BIZ_STEP,
  catchAreaUri,
  catchClass,
  deviceUri,
  DISPOSITION,
  EPCIS_CONTEXT,
  FISHTRACE_NS,
  GDST_CERTIFICATE_TYPE,
  GDST_NS,
  gearUri,
  geoUri,
  locationUri,
  orderUri,
  partyUri,
  processUri,
  productClass,
  shipmentUri,
} from "./gs1.js";
import { contextPrefixes, eventHashId } from "./event-hash.js";
import { partyOf, type Journey, type JourneyEvent, type LotFacts } from "../index/journey.js";
import { certificatesOf, NO_MASTER_DATA, partyData, type Certificate, type MasterData } from "./master-data.js";

/** A JSON value of the document. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface EpcisDocument {
  "@context": Json[];
  type: "EPCISDocument";
  schemaVersion: "2.0";
  creationDate: string;
  epcisBody: { eventList: EpcisEvent[] };
}

export type EpcisEvent = JsonObject & {
  type: "ObjectEvent" | "TransformationEvent" | "TransactionEvent" | "AggregationEvent";
  eventID: string;
  eventTime: string;
};

export interface EpcisOptions {
  /** The document's creation time (default: now). */
  creationDate?: Date;
  /** GDST vessel master data the chain does not hold (flag state, IMO, registry, trip dates). */
  masterData?: MasterData;
}

interface Epcis2 {
  validateEpcisDocument(doc: object, throwError: boolean): { success: boolean; errors: string[] };
  setup(settings: { checkExtensions?: boolean }): object;
}

let epcis2: Epcis2 | undefined;
/**
 * epcis2.js, loaded once on first use (CommonJS, ~0.6 s), with its check that every `prefix:` extension is
 * declared in `@context` turned on (off by default in the library; a process-wide setting of it).
 */
function loadEpcis2(): Epcis2 {
  if (epcis2 === undefined) {
    const loaded: unknown = createRequire(import.meta.url)("epcis2.js");
    if (!isEpcis2(loaded)) throw new Error("epcis2.js has no validateEpcisDocument and setup");
    loaded.setup({ checkExtensions: true });
    epcis2 = loaded;
  }
  return epcis2;
}

function isEpcis2(value: unknown): value is Epcis2 {
  return (
    typeof value === "object" &&
    value !== null &&
    "validateEpcisDocument" in value &&
    typeof value.validateEpcisDocument === "function" &&
    "setup" in value &&
    typeof value.setup === "function"
  );
}

/** The outcome of checking a document with epcis2.js. */
export function checkEpcis(doc: EpcisDocument): { success: boolean; errors: string[] } {
  return loadEpcis2().validateEpcisDocument(doc, false);
}

/** Throws an `InputError` naming the first errors when `doc` is not a valid EPCIS 2.0 document. */
export function validateEpcis(doc: EpcisDocument): void {
  const { success, errors } = checkEpcis(doc);
  if (!success) {
    throw new InputError(`the EPCIS document is not valid: ${errors.slice(0, 3).join("; ") || "unknown error"}`);
  }
}

const time = (seconds: number): string => new Date(seconds * 1000).toISOString();
const kg = (grams: number): number => grams / 1000;

/** The EPCIS class of a lot: its GS1 Digital Link (product) or `urn:fishtrace:…:lot:` (catch). */
export function lotClass(journey: Journey, lotId: bigint): string {
  const lot = journey.lots.get(lotId);
  if (lot?.kind === "product" && lot.gtin !== undefined && lot.gtin !== "" && lot.lotNumber !== undefined) {
    return productClass(lot.gtin, lot.lotNumber);
  }
  return catchClass(journey.chainId, lotId);
}

function quantity(journey: Journey, lotId: bigint, grams?: number): JsonObject {
  const weight = grams ?? journey.lots.get(lotId)?.weightGrams;
  return weight === undefined
    ? { epcClass: lotClass(journey, lotId) }
    : { epcClass: lotClass(journey, lotId), quantity: kg(weight), uom: "KGM" };
}

function partyUriOf(journey: Journey, id: number, masterData: MasterData = NO_MASTER_DATA): string {
  const party = partyOf(journey, id);
  return partyUri(journey.chainId, party, partyData(masterData, party).companyPrefixLength);
}

/** A party's key in master data and certificate subjects: its registered GLN, else its registered name. */
function partySubject(journey: Journey, id: number): string {
  const party = partyOf(journey, id);
  return `party:${party.location.trim() === "" ? party.name : party.location.trim()}`;
}

/**
 * GDST 1.2's event-level KDEs: the product owner and the information provider (every GDST event), and the
 * owner's human-welfare policy (from master data; left out when master data does not give it).
 */
function gdstParties(
  journey: Journey,
  masterData: MasterData,
  ownerId: number,
  providerId: number,
  humanWelfare: boolean,
): JsonObject {
  const policy = partyData(masterData, partyOf(journey, ownerId)).humanWelfarePolicy;
  return {
    "gdst:productOwner": partyUriOf(journey, ownerId, masterData),
    "cbvmda:informationProvider": partyUriOf(journey, providerId, masterData),
    ...(humanWelfare && policy !== undefined ? { "gdst:humanWelfarePolicy": policy } : {}),
  };
}

/** `cbvmda:certificationList` of the certificates of `subjects` valid at `time`, or nothing. */
function certificationList(
  masterData: MasterData,
  subjects: string[],
  time: number,
  kinds?: Certificate["kind"][],
): JsonObject {
  const certificates = certificatesOf(masterData, subjects, time).filter(
    (c) => kinds === undefined || kinds.includes(c.kind),
  );
  if (certificates.length === 0) return {};
  return {
    "cbvmda:certificationList": {
      certification: certificates.map((c) => ({
        "gdst:certificationType": GDST_CERTIFICATE_TYPE[c.kind],
        certificationAgency: c.issuer,
        certificationStandard: c.standard,
        ...(c.value === undefined ? {} : { certificationValue: c.value }),
        certificationIdentification: c.id,
      })),
    },
  };
}

function placeOf(journey: Journey, id: number): { id: string } {
  const party = partyOf(journey, id);
  return {
    id: party.location.trim() === "" ? partyUri(journey.chainId, party) : locationUri(journey.chainId, party.location),
  };
}

/** The fields every event has; its eventID is added last, from its content (`withEventId`). */
function base(event: JourneyEvent, type: EpcisEvent["type"], at: number) {
  return {
    type,
    eventID: "",
    eventTime: time(at),
    eventTimeZoneOffset: "+00:00",
    ...(event.txHash === "" ? {} : { "fishtrace:txHash": event.txHash }),
    ...(event.block === 0 ? {} : { "fishtrace:block": event.block }),
  };
}

/** GDST ilmd of a catch: lot, species, production method, harvest dates (the trip's when known), the vessel. */
function catchIlmd(journey: Journey, lot: LotFacts, masterData: MasterData): JsonObject {
  const c = lot.catch;
  if (c === undefined) return {};
  const known = masterData.vessels.get(c.vessel) ?? {};
  const harvester = partyOf(journey, c.harvesterId);
  const vesselName = known.name ?? harvester.name;
  const ilmd: JsonObject = {
    "cbvmda:lotNumber": lot.lotId.toString(),
    "cbvmda:speciesForFisheryStatisticsPurposesCode": lot.species,
    "cbvmda:productionMethodForFishAndSeafoodCode": c.farmed ? "AQUACULTURE" : "MARINE_FISHERY",
    "cbvmda:harvestStartDate": time(Math.min(known.tripStart ?? c.caughtAt, c.caughtAt)),
    "cbvmda:harvestEndDate": time(Math.max(known.tripEnd ?? c.caughtAt, c.caughtAt)),
  };
  if (c.farmed) {
    if (c.catchArea !== "") ilmd["cbvmda:catchArea"] = catchAreaUri(c.catchArea);
    const method = partyData(masterData, harvester).aquacultureMethod;
    if (method !== undefined) ilmd["gdst:aquacultureMethod"] = method;
  } else {
    ilmd["cbvmda:vesselCatchInformationList"] = {
      "cbvmda:vesselCatchInformation": [
        {
          "cbvmda:vesselID": c.vessel,
          // In FishTrace the harvester is the vessel: its registered name is the vessel's name.
          ...(vesselName === "" ? {} : { "cbvmda:vesselName": vesselName }),
          "cbvmda:catchArea": catchAreaUri(c.catchArea),
          "cbvmda:fishingGearTypeCode": gearUri(c.gear),
          "gdst:gpsAvailability": true,
          ...(known.flag === undefined ? {} : { "cbvmda:vesselFlagState": known.flag }),
          ...(known.imo === undefined ? {} : { "gdst:imoNumber": known.imo }),
          ...(known.publicRegistry === undefined ? {} : { "gdst:vesselPublicRegistry": known.publicRegistry }),
          ...(known.economicZone === undefined ? {} : { "cbvmda:economicZone": known.economicZone }),
          ...(known.rfmoArea === undefined ? {} : { "gdst:rfmoArea": known.rfmoArea }),
          ...(known.subnationalPermitArea === undefined
            ? {}
            : { "gdst:subnationalPermitArea": known.subnationalPermitArea }),
          ...(known.satelliteTrackingAuthority === undefined
            ? {}
            : { "gdst:satelliteTrackingAuthority": known.satelliteTrackingAuthority }),
          ...(known.fisheryImprovementProject === undefined
            ? {}
            : { "gdst:fisheryImprovementProject": known.fisheryImprovementProject }),
          // GDST 1.2 wants one date-time: the trip's start (its end is harvestEndDate).
          ...(known.tripStart === undefined ? {} : { "gdst:vesselTripDate": time(known.tripStart) }),
        },
      ],
    };
  }
  if (c.frozen) ilmd["cbvmda:preservationTechniqueCode"] = "FREEZING";
  const subjects = [`vessel:${c.vessel}`, `lot:${lot.lotId}`, partySubject(journey, c.harvesterId)];
  Object.assign(ilmd, certificationList(masterData, subjects, c.caughtAt));
  return ilmd;
}

/** The carrier vessel `lotId` was last transshipped onto, if any. */
function carrierOf(journey: Journey, lotId: bigint): string | undefined {
  let carrier: string | undefined;
  for (const e of journey.events) if (e.kind === "transship" && e.lotIds.includes(lotId)) carrier = e.carrier;
  return carrier;
}

/** Landing events (GDST): a wild catch the harvester delivers is unloaded at the receiving place. */
function landings(journey: Journey, event: JourneyEvent & { kind: "receive" }, masterData: MasterData): EpcisEvent[] {
  if (event.stage !== 2) return [];
  return event.lotIds.flatMap((lotId) => {
    const c = journey.lots.get(lotId)?.catch;
    if (c === undefined || c.farmed) return [];
    const place =
      event.arrivedLocation !== undefined
        ? { id: locationUri(journey.chainId, event.arrivedLocation) }
        : placeOf(journey, event.toId);
    const receiver = partyOf(journey, event.toId);
    // A transshipped catch is landed by its carrier, at the carrier's port.
    const landedBy = carrierOf(journey, lotId) ?? c.vessel;
    const port = masterData.vessels.get(landedBy)?.unloadingPort ?? event.arrivedLocation ?? receiver.location;
    return [
      {
        ...base(event, "ObjectEvent", event.time),
        action: "OBSERVE",
        bizStep: BIZ_STEP.landing,
        disposition: DISPOSITION.active,
        quantityList: [quantity(journey, lotId)],
        readPoint: place,
        bizLocation: place,
        ...(port.trim() === "" ? {} : { "cbvmda:unloadingPort": port }),
        ...gdstParties(journey, masterData, c.harvesterId, c.harvesterId, true),
        ...certificationList(masterData, [`vessel:${c.vessel}`], event.time, ["fishingAuthorisation"]),
      },
    ];
  });
}

/** The EPCIS events of one journey event (a recall or a sensor batch of several lots is one event). */
function toEpcis(journey: Journey, event: JourneyEvent, masterData: MasterData): EpcisEvent[] {
  const chain = journey.chainId;
  switch (event.kind) {
    case "catch": {
      const lot = journey.lots.get(event.lotId);
      const c = lot?.catch;
      return [
        {
          ...base(event, "ObjectEvent", c?.caughtAt ?? event.time),
          action: "ADD",
          bizStep: c?.farmed === true ? BIZ_STEP.farmHarvest : BIZ_STEP.fishingEvent,
          disposition: DISPOSITION.active,
          quantityList: [quantity(journey, event.lotId)],
          readPoint: {
            id: c === undefined ? placeOf(journey, event.harvesterId).id : geoUri(c.latitude, c.longitude),
          },
          bizLocation: placeOf(journey, event.harvesterId),
          ...gdstParties(journey, masterData, event.harvesterId, event.harvesterId, true),
          ilmd: lot === undefined ? {} : catchIlmd(journey, lot, masterData),
        },
      ];
    }
    case "transform": {
      // One TransformationEvent per output lot number (its ilmd is that lot's), all under the run's
      // transformationID, which makes them one transformation (EPCIS 2.0 §7.4.6): the inputs are on the first.
      const groups = new Map<string, typeof event.outputs>();
      for (const o of event.outputs) {
        const lot = journey.lots.get(o.lotId);
        const key = lot?.lotNumber ?? o.lotId.toString();
        groups.set(key, [...(groups.get(key) ?? []), o]);
      }
      return [...groups].map(([lotNumber, outputs], i) => {
        const lots = outputs.map((o) => journey.lots.get(o.lotId));
        return {
          ...base(event, "TransformationEvent", event.time),
          transformationID: processUri(chain, event.processId),
          bizStep: BIZ_STEP.transforming,
          disposition: DISPOSITION.active,
          ...(i === 0
            ? { inputQuantityList: event.inputs.map((x) => quantity(journey, x.lotId, x.consumedGrams)) }
            : {}),
          outputQuantityList: outputs.map((o) => quantity(journey, o.lotId, o.grams)),
          readPoint: placeOf(journey, event.manufacturerId),
          bizLocation: placeOf(journey, event.manufacturerId),
          ...gdstParties(journey, masterData, event.manufacturerId, event.manufacturerId, true),
          ...certificationList(masterData, [partySubject(journey, event.manufacturerId)], event.time, [
            "chainOfCustody",
          ]),
          ilmd: {
            "cbvmda:lotNumber": lotNumber,
            "cbvmda:productionDate": time(event.time),
            "cbvmda:speciesForFisheryStatisticsPurposesCode": lots[0]?.species ?? "",
            "fishtrace:products": lots.map((lot) => ({
              "fishtrace:lotId": lot?.lotId.toString() ?? "",
              "fishtrace:gtin": lot?.gtin ?? "",
            })),
          },
        };
      });
    }
    case "order": {
      const action = event.phase === "placed" ? "ADD" : event.phase === "settled" ? "OBSERVE" : "DELETE";
      const list =
        event.lotIds.length > 0
          ? { quantityList: event.lotIds.map((id) => quantity(journey, id)) }
          : {
              quantityList: [
                {
                  epcClass: `urn:fishtrace:${chain}:species:${encodeURIComponent(event.species)}`,
                  quantity: kg(event.weightGrams),
                  uom: "KGM",
                },
              ],
            };
      return [
        {
          ...base(event, "TransactionEvent", event.time),
          action,
          bizTransactionList: [{ type: "po", bizTransaction: orderUri(chain, event.stage, event.orderId) }],
          ...list,
          sourceList: [{ type: "owning_party", source: partyUriOf(journey, event.sellerId, masterData) }],
          destinationList: [{ type: "owning_party", destination: partyUriOf(journey, event.buyerId, masterData) }],
          ...gdstParties(
            journey,
            masterData,
            event.sellerId,
            event.phase === "placed" ? event.buyerId : event.sellerId,
            true,
          ),
          "fishtrace:orderPhase": event.phase,
          "fishtrace:priceWei": event.price.toString(),
        },
      ];
    }
    case "ship": {
      const origin = event.route?.origin;
      const destination = event.route?.destination;
      return [
        {
          ...base(event, "ObjectEvent", event.time),
          action: "OBSERVE",
          bizStep: BIZ_STEP.shipping,
          disposition: DISPOSITION.inTransit,
          quantityList: event.lotIds.map((id) => quantity(journey, id)),
          readPoint: placeOf(journey, event.fromId),
          bizTransactionList: [
            { type: "po", bizTransaction: orderUri(chain, event.stage, event.orderId) },
            { type: "bol", bizTransaction: shipmentUri(chain, event.stage, event.orderId, event.shipmentNo) },
          ],
          sourceList: [
            { type: "owning_party", source: partyUriOf(journey, event.fromId, masterData) },
            {
              type: "location",
              source:
                origin !== undefined && origin !== "" ? locationUri(chain, origin) : placeOf(journey, event.fromId).id,
            },
          ],
          destinationList: [
            { type: "owning_party", destination: partyUriOf(journey, event.toId, masterData) },
            {
              type: "location",
              destination:
                destination !== undefined && destination !== ""
                  ? locationUri(chain, destination)
                  : placeOf(journey, event.toId).id,
            },
          ],
          ...gdstParties(journey, masterData, event.fromId, event.fromId, false),
          ...certificationList(masterData, [partySubject(journey, event.fromId)], event.time, ["chainOfCustody"]),
          ...(event.route === undefined
            ? {}
            : { "fishtrace:transportMode": event.route.mode, "fishtrace:vehicle": event.route.vehicle }),
        },
      ];
    }
    case "receive": {
      const place =
        event.arrivedLocation !== undefined
          ? { id: locationUri(chain, event.arrivedLocation) }
          : placeOf(journey, event.toId);
      return [
        ...landings(journey, event, masterData),
        {
          ...base(event, "ObjectEvent", event.time),
          action: "OBSERVE",
          bizStep: BIZ_STEP.receiving,
          disposition: DISPOSITION.inProgress,
          quantityList: event.lotIds.map((id) => quantity(journey, id)),
          readPoint: place,
          bizLocation: place,
          bizTransactionList: [{ type: "po", bizTransaction: orderUri(chain, event.stage - 1, event.orderId) }],
          sourceList: [{ type: "owning_party", source: partyUriOf(journey, event.fromId, masterData) }],
          destinationList: [{ type: "owning_party", destination: partyUriOf(journey, event.toId, masterData) }],
          ...gdstParties(journey, masterData, event.toId, event.toId, false),
          ...certificationList(masterData, [partySubject(journey, event.toId)], event.time, ["chainOfCustody"]),
        },
      ];
    }
    case "scan": {
      const device = deviceUri(chain, "device", event.deviceId);
      return [
        {
          ...base(event, "ObjectEvent", event.time),
          action: "OBSERVE",
          bizStep: BIZ_STEP.inspecting,
          quantityList: [quantity(journey, event.lotId)],
          readPoint: { id: device },
          sensorElementList: [
            {
              sensorMetadata: { time: time(event.time), deviceID: device },
              sensorReport: [
                {
                  type: "fishtrace:TorryGrade",
                  value: event.grade,
                  "fishtrace:confidence": event.gradeConfidence,
                },
                {
                  type: "fishtrace:Species",
                  stringValue: event.species,
                  "fishtrace:confidence": event.speciesConfidence,
                },
              ],
            },
          ],
          "fishtrace:readingId": event.readingId.toString(),
        },
      ];
    }
    case "sensor": {
      const gateway = deviceUri(chain, "gateway", event.gatewayId);
      return [
        {
          ...base(event, "ObjectEvent", event.time),
          action: "OBSERVE",
          bizStep: BIZ_STEP.sensorReporting,
          quantityList: event.lotIds.map((id) => quantity(journey, id)),
          readPoint: { id: gateway },
          sensorElementList: [
            {
              sensorMetadata: {
                startTime: time(event.from),
                endTime: time(event.to),
                deviceID: gateway,
                "fishtrace:merkleRoot": event.root,
                "fishtrace:count": event.count,
              },
              sensorReport: [
                {
                  type: "gs1:Temperature",
                  minValue: event.minimum / 100,
                  maxValue: event.maximum / 100,
                  meanValue: event.mean / 100,
                  uom: "CEL",
                  ...(event.excursion ? { exception: "ALARM_CONDITION" } : {}),
                },
              ],
            },
          ],
        },
      ];
    }
    case "reading": {
      const reporter = deviceUri(chain, "device", event.reporterId);
      return [
        {
          ...base(event, "ObjectEvent", event.time),
          action: "OBSERVE",
          bizStep: BIZ_STEP.sensorReporting,
          quantityList: [quantity(journey, event.lotId)],
          readPoint: {
            id:
              event.latitude !== undefined && event.longitude !== undefined
                ? geoUri(event.latitude, event.longitude)
                : reporter,
          },
          sensorElementList: [
            {
              sensorMetadata: { time: time(event.time), deviceID: reporter },
              sensorReport: [
                { type: "gs1:Temperature", value: event.temperature / 100, uom: "CEL" },
                { type: "gs1:RelativeHumidity", value: event.humidity, uom: "P1" },
              ],
            },
          ],
        },
      ];
    }
    case "transship": {
      const port = masterData.vessels.get(event.carrier)?.unloadingPort;
      return [
        {
          ...base(event, "ObjectEvent", event.transshippedAt),
          action: "OBSERVE",
          bizStep: BIZ_STEP.transshipment,
          disposition: DISPOSITION.active,
          quantityList: event.lotIds.map((lotId) => quantity(journey, lotId)),
          readPoint: { id: geoUri(event.latitude, event.longitude) },
          ...(port === undefined ? {} : { "cbvmda:unloadingPort": port }),
          "fishtrace:carrierVessel": event.carrier,
          ...gdstParties(journey, masterData, event.harvesterId, event.harvesterId, true),
        },
      ];
    }
    case "pack": {
      const place = placeOf(journey, event.actorId);
      return [
        {
          ...base(event, "AggregationEvent", event.time),
          parentID: ssccDigitalLink(event.sscc),
          // A pallet's children are its cases, each an SSCC (an instance); a case's are its lots (classes, kg).
          ...(event.units.length > 0
            ? { childEPCs: event.units.map((unit) => ssccDigitalLink(unit)) }
            : { childQuantityList: event.lotIds.map((lotId, i) => quantity(journey, lotId, event.grams[i])) }),
          action: event.action,
          bizStep: event.action === "ADD" ? BIZ_STEP.packing : BIZ_STEP.unpacking,
          disposition: DISPOSITION.inProgress,
          readPoint: place,
          bizLocation: place,
          ...gdstParties(journey, masterData, event.actorId, event.actorId, false),
          "fishtrace:stage": event.stage,
        },
      ];
    }
    case "recall":
      return [
        {
          ...base(event, "ObjectEvent", event.time),
          action: "OBSERVE",
          bizStep: BIZ_STEP.holding,
          disposition: DISPOSITION.recalled,
          persistentDisposition: { set: [DISPOSITION.recalled] },
          quantityList: [quantity(journey, event.lotId)],
          sourceList: [{ type: "owning_party", source: partyUriOf(journey, event.regulatorId) }],
          "fishtrace:stage": event.stage,
          "fishtrace:reason": event.reason,
        },
      ];
  }
}

/** The event with its eventID: the CBV 2.0 event hash of its content (event-hash.ts). */
export function withEventId(event: EpcisEvent, prefixes: ReadonlyMap<string, string>): EpcisEvent {
  const { eventID: _, ...content } = event;
  return { ...event, eventID: eventHashId(content, prefixes) };
}

/** The `@context` of every FishTrace EPCIS document: GS1's, and the GDST and FishTrace extension namespaces. */
export const epcisContext = (): Json[] => [EPCIS_CONTEXT, { gdst: GDST_NS, fishtrace: FISHTRACE_NS }];

/** The EPCIS 2.0 document of `journey`, events in chain order. */
export function epcisDocument(journey: Journey, options: EpcisOptions = {}): EpcisDocument {
  const context = epcisContext();
  const prefixes = contextPrefixes(context);
  return {
    "@context": context,
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: (options.creationDate ?? new Date()).toISOString(),
    epcisBody: {
      eventList: journey.events
        .flatMap((e) => toEpcis(journey, e, options.masterData ?? NO_MASTER_DATA))
        .map((e) => withEventId(e, prefixes)),
    },
  };
}

/** The vessel KDEs GDST 1.2 requires that only master data gives, by the master-data field that gives each. */
const VESSEL_KDES: [string, string][] = [
  ["cbvmda:vesselFlagState", "flag"],
  ["gdst:imoNumber", "imo"],
  ["gdst:vesselPublicRegistry", "publicRegistry"],
  ["cbvmda:economicZone", "economicZone"],
  ["gdst:rfmoArea", "rfmoArea"],
  ["gdst:subnationalPermitArea", "subnationalPermitArea"],
  ["gdst:satelliteTrackingAuthority", "satelliteTrackingAuthority"],
  ["gdst:fisheryImprovementProject", "fisheryImprovementProject"],
  ["gdst:vesselTripDate", "tripStart"],
];

const objectOf = (value: Json | undefined): JsonObject | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;

/**
 * The GDST 1.2 KDEs the document lacks because master data does not give them, one line each naming the event,
 * the KDE and the master-data field to fill ("event 0 (fishing, vessel NO-123-TR): no gdst:imoNumber — master
 * data vessels.NO-123-TR.imo").
 */
export function gdstGaps(doc: EpcisDocument): string[] {
  const gaps: string[] = [];
  doc.epcisBody.eventList.forEach((event, i) => {
    const step = typeof event.bizStep === "string" ? event.bizStep : "";
    const ilmd = objectOf(event.ilmd);
    const wantsPolicy =
      event.type === "TransactionEvent" ||
      event.type === "TransformationEvent" ||
      [BIZ_STEP.fishingEvent, BIZ_STEP.farmHarvest, BIZ_STEP.landing].some((s) => s === step);
    if (wantsPolicy && event["gdst:humanWelfarePolicy"] === undefined) {
      gaps.push(
        `event ${i} (${event.type} ${step || "-"}): no gdst:humanWelfarePolicy — master data parties.<${event["gdst:productOwner"] ?? "owner"}>.humanWelfarePolicy`,
      );
    }
    if (step === BIZ_STEP.farmHarvest && ilmd?.["gdst:aquacultureMethod"] === undefined) {
      gaps.push(`event ${i} (farm harvest): no gdst:aquacultureMethod — master data parties.<farm>.aquacultureMethod`);
    }
    const list = objectOf(ilmd?.["cbvmda:vesselCatchInformationList"]);
    const vessels = list?.["cbvmda:vesselCatchInformation"];
    for (const vessel of Array.isArray(vessels) ? vessels : []) {
      const v = objectOf(vessel);
      const id = String(v?.["cbvmda:vesselID"] ?? "");
      for (const [kde, field] of VESSEL_KDES) {
        if (v?.[kde] === undefined)
          gaps.push(`event ${i} (fishing, vessel ${id}): no ${kde} — master data vessels.${id}.${field}`);
      }
    }
  });
  return gaps;
}

/** One line per event, for a task's summary ("2026-11-20T06:00:00Z ObjectEvent shipping"). */
export function eventSummary(event: EpcisEvent): string {
  const step = typeof event.bizStep === "string" ? ` ${event.bizStep}` : "";
  const disposition = typeof event.disposition === "string" ? ` (${event.disposition})` : "";
  return `${isoTime(Date.parse(event.eventTime) / 1000)} ${event.type}${step}${disposition}`;
}
