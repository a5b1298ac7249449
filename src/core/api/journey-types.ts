/**
 * The shapes of a journey (src/index/journey.ts loads one from the trace index): its lots, parties, lineage and
 * events in chain order. Types only, importing nothing that needs Node, so the dApp (web/) shares them.
 */
import type { SensorSummary } from "../sensors.js";
import type { CatchFields, LineageEdge, Party } from "../trace/types.js";

/** What to export. Times are unix seconds, both ends included. */
export type JourneyScope =
  | { kind: "lot"; lotId: bigint }
  | { kind: "actor"; participantId: number }
  | { kind: "range"; from: number; to: number };

export interface CatchFacts extends CatchFields {
  harvesterId: number;
}

export interface LotFacts {
  lotId: bigint;
  kind: "catch" | "product";
  species: string;
  weightGrams: number;
  originStage: number;
  createdAt: number;
  createdBlock: number;
  txHash: string;
  catch?: CatchFacts;
  gtin?: string;
  lotNumber?: string;
  processId?: bigint;
  /** The species' name on the registry's list, when listed. */
  speciesName?: string;
  /**
   * Who assigned the lot's traceability lot code (FSMA 204): the manufacturer for a product lot, the farm for a
   * farmed catch, the first land-based receiver (the supplier) for a wild catch.
   */
  tlcSourceId?: number;
}

export interface Route {
  origin: string;
  destination: string;
  mode: string;
  vehicle: string;
}

/** Where an event sits in the chain. `logIndex` is -1 where the index keeps no log index (ordered by kind). */
export interface At {
  time: number;
  block: number;
  logIndex: number;
  txHash: string;
}

export type JourneyEvent = At &
  (
    | { kind: "catch"; lotId: bigint; harvesterId: number }
    | {
        kind: "transform";
        processId: bigint;
        manufacturerId: number;
        inputs: Array<{ lotId: bigint; consumedGrams: number }>;
        outputs: Array<{ lotId: bigint; grams: number }>;
      }
    | {
        kind: "order";
        phase: "placed" | "settled" | "cancelled" | "rejected" | "refunded";
        stage: number;
        orderId: bigint;
        sellerId: number;
        buyerId: number;
        species: string;
        weightGrams: number;
        price: bigint;
        lotIds: bigint[];
      }
    | {
        kind: "ship";
        /** The seller's stage. */
        stage: number;
        orderId: bigint;
        shipmentNo: bigint;
        weightGrams: number;
        lotIds: bigint[];
        fromId: number;
        toId: number;
        route?: Route;
      }
    | {
        kind: "receive";
        /** The receiving stage. */
        stage: number;
        /** The previous stage's order the lots came with. */
        orderId: bigint;
        lotIds: bigint[];
        fromId: number;
        toId: number;
        /** Where a distributor's shipment arrived (ShipmentArrived), when known. */
        arrivedLocation?: string;
      }
    | {
        kind: "scan";
        lotId: bigint;
        deviceId: number;
        readingId: bigint;
        species: string;
        speciesConfidence: number;
        grade: number;
        gradeConfidence: number;
      }
    | ({
        kind: "sensor";
        root: string;
        gatewayId: number;
        stage: number;
        lotIds: bigint[];
        excursion: boolean;
      } & SensorSummary)
    | {
        kind: "reading";
        lotId: bigint;
        stage: number;
        reporterId: number;
        temperature: number;
        humidity: number;
        latitude?: number;
        longitude?: number;
      }
    | { kind: "recall"; lotId: bigint; stage: number; regulatorId: number; reason: string }
    | {
        /** Lots moved at sea onto a carrier vessel (`FishTransshipped`, one journey event a transaction). */
        kind: "transship";
        lotIds: bigint[];
        harvesterId: number;
        /** The carrier vessel's registration or IMO number. */
        carrier: string;
        /** Degrees. */
        latitude: number;
        longitude: number;
        /** When the harvester says it happened (unix seconds); `time` is the block's. */
        transshippedAt: number;
      }
    | {
        /**
         * Lots packed into a logistic unit (`Packed`: ADD) or unpacked from it (`Unpacked`: DELETE) by the Packing
         * contract, every lot of the unit whatever the scope; or, for a pallet (`UnitsPacked` / `UnitsUnpacked`),
         * the units (cases) put onto it or taken off, in `units`, with `lotIds` and `grams` empty.
         */
        kind: "pack";
        action: "ADD" | "DELETE";
        /** The logistic unit's SSCC (18 digits as a number). */
        sscc: bigint;
        /** The stage the lots were held at (1 = harvester … 6 = customer). */
        stage: number;
        /** The packer (ADD) or the unpacker (DELETE). */
        actorId: number;
        lotIds: bigint[];
        /** Each lot's weight when packed, grams, in the order of `lotIds`. */
        grams: number[];
        /** A pallet's units (their SSCCs), in the order packed; empty for a unit of lots. */
        units: bigint[];
      }
  );

export type JourneyEventKind = JourneyEvent["kind"];

export interface Journey {
  scope: JourneyScope;
  chainId: bigint;
  /** Every lot an event names (inputs and outputs of a transformation included). */
  lots: Map<bigint, LotFacts>;
  parties: Map<number, Party>;
  /** For a lot's history: the lot, its ancestors and its descendants (events may name other lots too). */
  closure?: Set<bigint>;
  /** Lineage edges among `lots`. */
  edges: LineageEdge[];
  events: JourneyEvent[];
  /**
   * When the journey was read with a page of its bulk events (QAT scans, cold-chain readings): which page `events`
   * holds of them, and how many there are by kind. Absent: `events` holds them all.
   */
  bulk?: { offset: number; limit: number; total: { scan: number; reading: number } };
  /** The last block indexed (0 for an empty index). */
  indexedTo: number;
}
