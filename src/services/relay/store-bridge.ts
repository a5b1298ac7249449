/**
 * The relay store across threads: the store's thread (store-worker.ts) owns the one SQLite connection and runs
 * every statement; the relay's thread (its requests) and the submitter's thread call the store's methods as
 * promises over a message port. One connection, one writer, and its commits (each an fsync) hold neither the
 * thread answering requests nor the one signing transactions.
 */
import type { MessagePort } from "node:worker_threads";

import { describeError } from "../../core/errors.js";
import { InputError } from "../../core/input-error.js";
import type { Store } from "./store.js";

/** The store's methods other threads call. */
export const STORE_METHODS = [
  "bind",
  "addQat",
  "addSensor",
  "qatStatus",
  "sensorStatus",
  "sensorReading",
  "sensorProof",
  "keepSensorProofs",
  "batchTransaction",
  "sensorOfBatch",
  "allReadings",
  "maxNonce",
  "openBatches",
  "pendingQat",
  "sensorGroups",
  "pendingSensor",
  "recordBatch",
  "qatOfBatch",
  "batchMined",
  "recordAnchored",
  "batchFailed",
  "batchRefused",
  "batchResent",
  "settleQat",
  "refuseSensor",
  "chainAnswer",
  "keepChainAnswer",
  "addAction",
  "actionStatus",
  "queuedActions",
  "actionsOfBatch",
  "actionBatchMined",
  "refuseActions",
  "allActions",
  "handOffCheckpoints",
] as const;
export type StoreMethod = (typeof STORE_METHODS)[number];

/** The store's methods, each a promise of what it returns in the store's thread. */
export type BridgedStore = {
  [K in StoreMethod]: (...args: Parameters<Store[K]>) => Promise<Awaited<ReturnType<Store[K]>>>;
};

interface StoreCall {
  id: number;
  method: StoreMethod;
  args: unknown[];
}

/**
 * An answer: `result` is what the method returned (structured-cloned), of that method's return type — `never` here
 * so that it types as the caller's promise without a cast.
 */
type StoreAnswer = { id: number; result: never } | { id: number; error: string; input: boolean };

/** Store side: runs each call arriving on `port` on `store` and answers with its result (or its error, one line). */
export function serveStore(port: MessagePort, store: Store): void {
  port.on("message", (call: StoreCall) => {
    const answer = (result: unknown) => port.postMessage({ id: call.id, result });
    const fail = (err: unknown) =>
      port.postMessage({ id: call.id, error: describeError(err), input: err instanceof InputError });
    try {
      const result: unknown = Reflect.apply(store[call.method], store, call.args);
      if (result instanceof Promise) result.then(answer, fail);
      else answer(result);
    } catch (err) {
      fail(err);
    }
  });
}

/** Caller side: the store's methods, each a call to `serveStore` on the other end of `port`. */
export function bridgedStore(port: MessagePort): BridgedStore {
  let next = 0;
  const waiting = new Map<number, { resolve: (value: never) => void; reject: (err: Error) => void }>();
  port.on("message", (answer: StoreAnswer) => {
    const waiter = waiting.get(answer.id);
    if (waiter === undefined) return;
    waiting.delete(answer.id);
    if ("error" in answer) waiter.reject(answer.input ? new InputError(answer.error) : new Error(answer.error));
    else waiter.resolve(answer.result);
  });
  port.on("close", () => {
    for (const waiter of waiting.values()) waiter.reject(new Error("the relay store is closed"));
    waiting.clear();
  });
  const call = (method: StoreMethod, args: unknown[]) =>
    new Promise<never>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      port.postMessage({ id, method, args } satisfies StoreCall);
    });
  return {
    bind: (...args) => call("bind", args),
    addQat: (...args) => call("addQat", args),
    addSensor: (...args) => call("addSensor", args),
    qatStatus: (...args) => call("qatStatus", args),
    sensorStatus: (...args) => call("sensorStatus", args),
    sensorReading: (...args) => call("sensorReading", args),
    sensorProof: (...args) => call("sensorProof", args),
    keepSensorProofs: (...args) => call("keepSensorProofs", args),
    batchTransaction: (...args) => call("batchTransaction", args),
    sensorOfBatch: (...args) => call("sensorOfBatch", args),
    allReadings: (...args) => call("allReadings", args),
    maxNonce: (...args) => call("maxNonce", args),
    openBatches: (...args) => call("openBatches", args),
    pendingQat: (...args) => call("pendingQat", args),
    sensorGroups: (...args) => call("sensorGroups", args),
    pendingSensor: (...args) => call("pendingSensor", args),
    recordBatch: (...args) => call("recordBatch", args),
    qatOfBatch: (...args) => call("qatOfBatch", args),
    batchMined: (...args) => call("batchMined", args),
    recordAnchored: (...args) => call("recordAnchored", args),
    batchFailed: (...args) => call("batchFailed", args),
    batchRefused: (...args) => call("batchRefused", args),
    batchResent: (...args) => call("batchResent", args),
    settleQat: (...args) => call("settleQat", args),
    refuseSensor: (...args) => call("refuseSensor", args),
    chainAnswer: (...args) => call("chainAnswer", args),
    keepChainAnswer: (...args) => call("keepChainAnswer", args),
    addAction: (...args) => call("addAction", args),
    actionStatus: (...args) => call("actionStatus", args),
    queuedActions: (...args) => call("queuedActions", args),
    actionsOfBatch: (...args) => call("actionsOfBatch", args),
    actionBatchMined: (...args) => call("actionBatchMined", args),
    refuseActions: (...args) => call("refuseActions", args),
    allActions: (...args) => call("allActions", args),
    handOffCheckpoints: (...args) => call("handOffCheckpoints", args),
  };
}
