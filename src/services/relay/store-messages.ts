/**
 * What the relay's thread and the store's thread (store-thread.ts, store-worker.ts) say to each other besides the
 * store's calls (store-bridge.ts).
 */
import type { MessagePort } from "node:worker_threads";

import type { Kind } from "./store.js";

export interface StoreThreadData {
  database: string;
  sync: "full" | "normal";
  init: boolean;
  /** The relay thread's calls arrive here. */
  calls: MessagePort;
}

/** The queue as the store counts it, and when its oldest reading of each kind arrived (ms). */
export interface StoreStatus {
  queue: Record<Kind, number>;
  /** Sponsored actions acknowledged and not yet done or refused. */
  actions: number;
  oldest: Record<Kind, number | undefined>;
}

/** Store → relay. */
export type FromStore =
  | ({ type: "ready" } & StoreStatus)
  | { type: "failed"; error: string; input: boolean }
  | ({ type: "status" } & StoreStatus)
  | { type: "closed" };

/** Relay → store: serve another thread's calls on `port` (the submitter's), or close. */
export type ToStore = { type: "serve"; port: MessagePort } | { type: "close" };
