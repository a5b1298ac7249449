/**
 * What the trace API's journey endpoints answer (`GET /v1/journey/:lot`, `GET /v1/journey?link=…`) and the dApp
 * (web/) draws: one lot's trace graph (catches, stages, custody, flags, holders, customers) beside its journey's
 * events in chain order (catch, orders, shipments, receipts, transformations, QAT scans, cold-chain readings and
 * sensor summaries, recalls) and the alarms raised on the lots it reaches. Types only, importing nothing that needs
 * Node, so the browser shares them. Bigints are decimal strings; times unix seconds; temperatures 0.01 °C.
 */
import type { JourneyEvent, LotFacts } from "./journey-types.js";
import type { Jsonified, TraceJson } from "../trace/tree.js";
import type { Party } from "../trace/types.js";

/** One alarm raised on a lot, from the index's `flags` and `recalls` tables. */
export interface AlarmJson {
  lotId: string;
  kind: "recalled" | "species_mismatch" | "freshness_warning" | "excursion" | "cold_chain" | "problem" | "flagged";
  /** The stage's number (1 harvester … 6 customer); absent for a ledger event. */
  stage?: number;
  time: number;
  /** A recall's reason, a mismatch's scanned species, a problem's reason, …: one line for people. */
  text: string;
  /** The event's own fields as the index keeps them. */
  detail: Record<string, unknown>;
}

/** The allowed cold-chain band of a lot, in 0.01 °C (`min` absent for frozen lots: colder is always fine). */
export interface BandJson {
  lotId: string;
  min?: number;
  max: number;
}

export interface JourneyJson {
  /** The lot looked up. */
  lotId: string;
  chainId: string;
  /** The last block the index had read. */
  indexedTo: number;
  /** The looked-up lot's GS1 keys, when it is a product lot. */
  product?: { gtin: string; lotNumber: string; digitalLink: string; elementString: string };
  trace: TraceJson;
  /** Every lot an event names, with its catch facts and product keys. */
  lots: Jsonified<LotFacts>[];
  parties: Party[];
  /**
   * Sorted in chain order: every event but the bulk ones (QAT scans, cold-chain readings), and of those the page
   * `eventPage` describes.
   */
  events: Jsonified<JourneyEvent>[];
  /** Which scans and readings `events` carries, how many there are, and where the next page starts. */
  eventPage: EventPage;
  alarms: AlarmJson[];
  bands: BandJson[];
}

/**
 * The page of a journey's bulk events (QAT scans and cold-chain readings, any registered device can add thousands):
 * `?offset=&limit=` on the journey endpoint, default the first `JOURNEY_PAGE` of them.
 */
export interface EventPage {
  offset: number;
  limit: number;
  /** Bulk events of the journey, by kind, before paging. */
  total: { scan: number; reading: number };
  /** The offset of the next page, or null on the last. */
  next: number | null;
}

/** Bulk events a journey answer carries unless asked for fewer (`limit`); at most `JOURNEY_PAGE_MAX`. */
export const JOURNEY_PAGE = 2_000;
export const JOURNEY_PAGE_MAX = 10_000;

/** `GET /v1/participants/:account` — what an actor view lists for a connected account. */
export interface ParticipantJson {
  account: string;
  /** Absent when the account is not an enrolled participant. */
  participant?: Party;
  /** Lots this participant holds now (Created or Shipped at its stage), newest first. */
  lots: Array<{
    lotId: string;
    stage: number;
    status: string;
    species: string;
    weightGrams: number;
    flags: number;
    digitalLink?: string;
  }>;
  /** Orders not settled where the participant is buyer or seller, newest first. */
  orders: Array<{
    stage: number;
    orderId: string;
    side: "buyer" | "seller";
    state: string;
    seller: Party;
    buyer: Party;
    species: string;
    weightGrams: number;
    price: string;
    lotIds: string[];
  }>;
  indexedTo: number;
}
