/**
 * The SQLite store across a thread boundary: the relay's thread owns the one connection to the store and runs the
 * submitter's statements for it (each a few hundred microseconds of SQL); the submitter's worker thread calls them as
 * promises. One connection, one writer: a second connection in the worker would make the relay's thread wait on
 * SQLite's file lock (a busy wait that holds its event loop) whenever the worker writes.
 */
import type { MessagePort } from "node:worker_threads";

import { describeError } from "../../core/errors.js";
import { InputError } from "../../core/input-error.js";
import type { Store } from "./store.js";
import { type SubmitterStore, type SubmitterStoreMethod } from "./submitter.js";

interface StoreCall {
  id: number;
  method: SubmitterStoreMethod;
  args: unknown[];
}

/**
 * An answer: `result` is what the method returned (structured-cloned), of that method's return type — `never` here
 * so that it types as the caller's promise without a cast.
 */
type StoreAnswer = { id: number; result: never } | { id: number; error: string; input: boolean };

/** Relay side: runs each call arriving on `port` on `store` and answers with its result (or its error, one line). */
export function serveStore(port: MessagePort, store: Store): void {
  port.on("message", (call: StoreCall) => {
    try {
      const result: unknown = Reflect.apply(store[call.method], store, call.args);
      port.postMessage({ id: call.id, result });
    } catch (err) {
      port.postMessage({ id: call.id, error: describeError(err), input: err instanceof InputError });
    }
  });
}

/** Worker side: the store's methods the submitter uses, each a call to `serveStore` on the other end of `port`. */
export function bridgedStore(port: MessagePort): SubmitterStore {
  let next = 0;
  const waiting = new Map<number, { resolve: (value: never) => void; reject: (err: Error) => void }>();
  port.on("message", (answer: StoreAnswer) => {
    const waiter = waiting.get(answer.id);
    if (waiter === undefined) return;
    waiting.delete(answer.id);
    if ("error" in answer) waiter.reject(answer.input ? new InputError(answer.error) : new Error(answer.error));
    else waiter.resolve(answer.result);
  });
  const call = (method: SubmitterStoreMethod, args: unknown[]) =>
    new Promise<never>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      port.postMessage({ id, method, args } satisfies StoreCall);
    });
  return {
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
  };
}
