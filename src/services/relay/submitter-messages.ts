/**
 * What the relay's thread and the submitter's worker thread (submitter-thread.ts, submitter-worker.ts) say to each
 * other. Both ends are this code base; the types are the contract.
 */
import type { MessagePort } from "node:worker_threads";

import type { FishTraceAddresses } from "../../node/system.js";
import type { ActionMetricOutcome, Flag } from "./metrics.js";
import type { BatchKind, Kind, Outcome } from "./store.js";
import type { SubmitterOptions } from "./submitter.js";

/** What the worker is started with (`workerData`). */
export interface SubmitterWorkerData {
  /** The store's thread answers the store's calls here (store-bridge.ts). */
  store?: MessagePort;
  /** Or the PostgreSQL store's URL: the worker opens its own connections (pg-store.ts). */
  postgres?: string;
  /** The store's file, whose WAL the worker checkpoints from a connection of its own (`Checkpointer`). */
  checkpoint?: { file: string; sync: "full" | "normal" };
  /** The forwarder sponsored actions go through, when the relay takes them. */
  forwarder?: string;
  /** The relay account's private key. */
  key: string;
  addresses: FishTraceAddresses;
  chainId: string;
  /** The node's HTTP endpoint, when the worker can reach it itself; else JSON-RPC goes through `rpc`. */
  rpcUrl?: string;
  /** The relay thread's end serves JSON-RPC (rpc-bridge.ts) when there is no `rpcUrl`. */
  rpc?: MessagePort;
  options: SubmitterOptions;
}

/** One call on the submitter's metrics (`SubmitterMetrics`), applied to the relay's registry. */
export type MetricCall =
  | { name: "onChain"; labels: { kind: Kind; outcome: Outcome }; value?: number }
  | { name: "transactions"; labels: { kind: BatchKind; outcome: "mined" | "reverted" | "resent" }; value?: number }
  | { name: "gasUsed"; labels: { kind: BatchKind }; value?: number }
  | { name: "actions"; labels: { outcome: ActionMetricOutcome }; value?: number }
  | { name: "rpcErrors"; labels: { operation: string }; value?: number }
  | { name: "flags"; labels: { flag: Flag }; value?: number }
  | { name: "roundFailures"; value?: number }
  | { name: "batchSize"; labels: { kind: BatchKind }; value: number }
  | { name: "submission"; labels: { kind: BatchKind }; value: number }
  | { name: "lastBlock"; value: number };

export interface SubmitterHealth {
  failingRounds: number;
  lastFailure: { at: number; error: string } | undefined;
}

/** Worker → relay. */
export type FromSubmitter =
  | { type: "started" }
  | { type: "failed"; error: string; input: boolean }
  | { type: "log"; line: string }
  | { type: "health"; health: SubmitterHealth }
  | { type: "metric"; call: MetricCall }
  | { type: "stopped" };

/** Relay → worker. */
export type ToSubmitter = { type: "stop" };
