/**
 * The relay store as the relay's thread holds it: a client of the store's thread (store-worker.ts). Every statement
 * runs there, so a commit's fsync never holds the thread that parses requests and checks signatures; the queue's
 * length and age, which the door and /healthz read at once, come from the store's last report (every 100 ms) and
 * the readings this thread has had acknowledged since.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";

import { InputError } from "../../core/input-error.js";
import { bridgedStore, type BridgedStore } from "./store-bridge.js";
import type { FromStore, StoreStatus, StoreThreadData, ToStore } from "./store-messages.js";
import type { Kind } from "./store.js";
import { startThread } from "./thread.js";

export interface StoreThreadOptions {
  database: string;
  sync: "full" | "normal";
  init: boolean;
}

/** The store's methods as promises, and what the relay's thread reads at once. */
export interface StoreClient extends BridgedStore {
  readonly file: string;
  /** Acknowledged readings of `kind` not yet on chain or refused (as last reported, plus those added since). */
  queueDepth(kind: Kind): number;
  /** Sponsored actions acknowledged and not yet done or refused (as last reported, plus those added since). */
  actionQueueDepth(): number;
  /** When the oldest pending reading of `kind` was received (ms), as last reported. */
  oldestPending(kind: Kind): number | undefined;
  /** A port on which another thread (the submitter's) may call the store. */
  port(): MessagePort;
  /** Finishes the queued requests and closes the store, then its thread. */
  close(): Promise<void>;
}

/** The store as the relay's thread uses it, SQLite (in its thread) or PostgreSQL (pg-store.ts). */
export type RelayStore = Omit<StoreClient, "port">;

const CLOSE_MS = 30_000;

/** Opens the store in a thread of its own; rejects as the store's checks refuse it (an `InputError`). */
export async function openStoreThread(options: StoreThreadOptions): Promise<StoreClient> {
  const channel = new MessageChannel();
  const data: StoreThreadData = { ...options, calls: channel.port2 };
  const worker = startThread("store-worker", data, [channel.port2]);
  let status: StoreStatus | undefined;
  let closed: (() => void) | undefined;
  const ended = new Promise<void>((resolve) => (closed = resolve));
  const first = new Promise<void>((resolve, reject) => {
    worker.on("message", (message: FromStore) => {
      if (message.type === "ready" || message.type === "status") {
        status = { queue: message.queue, actions: message.actions, oldest: message.oldest };
        resolve();
      } else if (message.type === "failed") {
        reject(message.input ? new InputError(message.error) : new Error(message.error));
      } else closed?.();
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      closed?.();
      reject(new Error(`the relay store's thread ended (exit code ${code})`));
    });
  });
  try {
    await first;
  } catch (err) {
    channel.port1.close();
    await worker.terminate();
    throw err;
  }
  const now = (): StoreStatus =>
    status ?? { queue: { qat: 0, sensor: 0 }, actions: 0, oldest: { qat: undefined, sensor: undefined } };
  const calls = bridgedStore(channel.port1);
  let closing: Promise<void> | undefined;
  return {
    ...calls,
    file: options.database,
    async addQat(readings) {
      const result = await calls.addQat(readings);
      if (result.ok) now().queue.qat += result.accepted;
      return result;
    },
    async addSensor(readings) {
      const result = await calls.addSensor(readings);
      if (result.ok) now().queue.sensor += result.accepted;
      return result;
    },
    queueDepth: (kind) => now().queue[kind],
    actionQueueDepth: () => now().actions,
    async addAction(action, budget) {
      const result = await calls.addAction(action, budget);
      if (result.ok && !result.duplicate) now().actions++;
      return result;
    },
    oldestPending: (kind) => now().oldest[kind],
    port() {
      const ports = new MessageChannel();
      worker.postMessage({ type: "serve", port: ports.port2 } satisfies ToStore, [ports.port2]);
      return ports.port1;
    },
    close() {
      closing ??= (async () => {
        worker.postMessage({ type: "close" } satisfies ToStore);
        await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, CLOSE_MS).unref())]);
        channel.port1.close();
        await worker.terminate();
      })();
      return closing;
    },
  };
}
