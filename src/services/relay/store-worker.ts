/**
 * The relay store's thread: it opens the store (SQLite, checked at open: store.ts), runs every statement the relay's
 * thread and the submitter's thread send it (store-bridge.ts), commits concurrent requests together (group commit)
 * and tells the relay's thread, every `STATUS_MS`, how long the queue is and how old its oldest reading (what
 * /healthz, /metrics and the 503 `overloaded` answer read without waiting).
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";

import { describeError } from "../../core/errors.js";
import { InputError } from "../../core/input-error.js";
import { serveStore } from "./store-bridge.js";
import { Store } from "./store.js";
import type { FromStore, StoreStatus, StoreThreadData, ToStore } from "./store-messages.js";
import type { ThreadData } from "./thread.js";

const STATUS_MS = 100;

function run(port: MessagePort, data: StoreThreadData): void {
  const say = (message: FromStore) => port.postMessage(message);
  let store: Store;
  try {
    store = new Store(data.database, { sync: data.sync, init: data.init });
  } catch (err) {
    say({ type: "failed", error: describeError(err), input: err instanceof InputError });
    return;
  }
  const open = store;
  const status = (): StoreStatus => ({
    queue: { qat: open.queueDepth("qat"), sensor: open.queueDepth("sensor") },
    actions: open.actionQueueDepth(),
    oldest: { qat: open.oldestPending("qat"), sensor: open.oldestPending("sensor") },
  });
  serveStore(data.calls, store);
  const timer = setInterval(() => say({ type: "status", ...status() }), STATUS_MS);
  port.on("message", (message: ToStore) => {
    if (message.type === "serve") serveStore(message.port, open);
    else if (message.type === "close") {
      clearInterval(timer);
      try {
        open.close();
      } finally {
        data.calls.close();
        say({ type: "closed" });
        port.close();
      }
    }
  });
  say({ type: "ready", ...status() });
}

if (parentPort !== null) {
  // Started by store-thread.ts with a StoreThreadData.
  const thread: ThreadData<StoreThreadData> = workerData;
  run(parentPort, thread.data);
}
