/**
 * What a trace is, as the queries (src/index/trace.ts) return it and the tree, SVG, HTTP API, recall and exports
 * consume it. Built from the trace index (src/index/schema.ts); ids are bigints, times unix seconds, weights grams,
 * temperatures 0.01 °C. In JSON, bigints are decimal strings.
 */
import type { StageName } from "../vocabulary.js";

export interface Party {
  id: number;
  account: string;
  name: string;
  /** GS1 GLN or another location code, as registered. */
  location: string;
}

/** What a catch was, as `IHarvester.Catch` records it (times unix seconds). */
export interface CatchFields {
  caughtAt: number;
  /** Degrees. */
  latitude: number;
  longitude: number;
  catchArea: string;
  vessel: string;
  gear: string;
  farmed: boolean;
  frozen: boolean;
}

export interface CatchData extends CatchFields {
  harvester: Party;
}

export type LotStatus = "Created" | "Shipped" | "Supplied" | "Removed";

/** A lot at one stage: who holds (or held) it there, in what state. */
export interface StageHolding {
  stage: StageName;
  custodian: Party;
  status: LotStatus;
  /** LotFlags bits at that stage. */
  flags: number;
  /** The previous stage's order it arrived with. */
  receivedOrderId?: bigint;
  receivedAt?: number;
}

export interface LotNode {
  lotId: bigint;
  kind: "catch" | "product";
  /** FAO 3-alpha code. */
  species: string;
  weightGrams: number;
  createdAt: number;
  /** Product lots: GTIN-14, lot number and GS1 Digital Link. */
  gtin?: string;
  lotNumber?: string;
  digitalLink?: string;
  /** Catches. */
  catch?: CatchData;
  processId?: bigint;
  recalled: boolean;
  /** LotFlags bits, OR of every stage. */
  flags: number;
  /** In stage order. */
  stages: StageHolding[];
  /** The logistic units (SSCCs, 18 digits) the lot is packed in now, its case before the pallet it is on; absent when
   * it is loose. */
  packedIn?: string[];
}

export interface LineageEdge {
  parent: bigint;
  child: bigint;
  processId: bigint;
  consumedGrams: number;
}

export interface OrderRef {
  /** The seller's stage. */
  stage: StageName;
  orderId: bigint;
  seller: Party;
  buyer: Party;
  state: string;
  lotIds: bigint[];
}

/** A lot held now (Created or Shipped at its latest stage), and by whom. */
export interface Holding extends StageHolding {
  lotId: bigint;
}

export interface TraceGraph {
  root: bigint;
  direction: "backward" | "forward" | "both";
  /** Every lot reached, the root included. */
  lots: Map<bigint, LotNode>;
  edges: LineageEdge[];
  /** Catches reached backward (the root itself when it is a catch). */
  catches: bigint[];
  /** Product lots reached forward. */
  products: bigint[];
  /** Who holds the lots reached now. */
  holders: Holding[];
  /** Customers who bought a lot reached. */
  customers: Party[];
  /** Orders not yet settled that carry a lot reached. */
  openOrders: OrderRef[];
  /** The index's position when the trace was taken. */
  indexedTo: { block: number };
}
