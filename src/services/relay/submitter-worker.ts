/**
 * The submitter's worker thread: its own provider and wallet and the submitter (encoding, signing, broadcasting,
 * receipts), so none of that holds the relay's thread, which takes requests. The store's statements run in the
 * store's thread (store-bridge.ts). What the relay's thread must know comes back as messages
 * (submitter-messages.ts): health, metrics, log lines.
 */
import { parentPort, workerData } from "node:worker_threads";

import { JsonRpcProvider, Wallet, type JsonRpcApiProvider } from "ethers";

import { describeError } from "../../core/errors.js";
import { InputError } from "../../core/input-error.js";
import { attachFishTrace } from "../../node/system.js";
import { DeviceDirectory } from "./devices.js";
import { BridgedProvider } from "./rpc-bridge.js";
import { PgStore } from "./pg-store.js";
import { bridgedStore } from "./store-bridge.js";
import { Checkpointer } from "./store.js";
import { Submitter, type SubmitterMetrics } from "./submitter.js";
import type { ThreadData } from "./thread.js";
import type { FromSubmitter, MetricCall, SubmitterWorkerData, ToSubmitter } from "./submitter-messages.js";

const HEALTH_MS = 100;

async function run(port: NonNullable<typeof parentPort>, data: SubmitterWorkerData): Promise<void> {
  const say = (message: FromSubmitter) => port.postMessage(message);
  const chainId = BigInt(data.chainId);
  let provider: JsonRpcApiProvider;
  if (data.rpcUrl !== undefined) {
    provider = new JsonRpcProvider(data.rpcUrl, chainId, { staticNetwork: true, polling: true, batchStallTime: 0 });
  } else if (data.rpc !== undefined) provider = new BridgedProvider(data.rpc, chainId);
  else throw new Error("internal: the submitter thread has no way to the node");
  const wallet = new Wallet(data.key, provider);
  const fishTrace = attachFishTrace(data.addresses, wallet);
  const store =
    data.postgres !== undefined
      ? await PgStore.open(data.postgres, { init: false, relayer: wallet.address })
      : data.store !== undefined
        ? bridgedStore(data.store)
        : undefined;
  if (store === undefined) throw new Error("internal: the submitter thread has no store");
  const closeStore = async () => {
    if (store instanceof PgStore) await store.close();
    data.store?.close();
  };
  const call = (c: MetricCall) => say({ type: "metric", call: c });
  const metrics: SubmitterMetrics = {
    onChain: { inc: (labels, value) => call({ name: "onChain", labels, value }) },
    transactions: { inc: (labels, value) => call({ name: "transactions", labels, value }) },
    gasUsed: { inc: (labels, value) => call({ name: "gasUsed", labels, value }) },
    actions: { inc: (labels, value) => call({ name: "actions", labels, value }) },
    rpcErrors: { inc: (labels, value) => call({ name: "rpcErrors", labels, value }) },
    flags: { inc: (labels, value) => call({ name: "flags", labels, value }) },
    roundFailures: { inc: (value) => call({ name: "roundFailures", value }) },
    batchSize: { observe: (labels, value) => call({ name: "batchSize", labels, value }) },
    submission: { observe: (labels, value) => call({ name: "submission", labels, value }) },
    lastBlock: { set: (value) => call({ name: "lastBlock", value }) },
  };
  const submitter = new Submitter(
    store,
    { provider, wallet, fishTrace, chainId, forwarder: data.forwarder },
    new DeviceDirectory(fishTrace.registry, store),
    metrics,
    data.options,
    (line) => say({ type: "log", line }),
  );
  try {
    await submitter.start();
  } catch (err) {
    provider.destroy();
    await closeStore();
    throw err;
  }
  const checkpointer =
    data.checkpoint === undefined ? undefined : new Checkpointer(data.checkpoint.file, data.checkpoint.sync);
  let last = "";
  const health = setInterval(() => {
    const now = submitter.health();
    const text = JSON.stringify(now);
    if (text === last) return;
    last = text;
    say({ type: "health", health: now });
  }, HEALTH_MS);
  port.on("message", (message: ToSubmitter) => {
    if (message.type !== "stop") return;
    clearInterval(health);
    const stopped = async () => {
      await submitter.stop();
      checkpointer?.close();
      provider.destroy();
      await closeStore();
    };
    stopped()
      .catch((err: unknown) => say({ type: "log", line: `the submitter stopped badly: ${describeError(err)}` }))
      .finally(() => {
        say({ type: "stopped" });
        port.close();
      });
  });
  say({ type: "started" });
}

if (parentPort !== null) {
  const port = parentPort;
  // Started by submitter-thread.ts with a SubmitterWorkerData.
  const thread: ThreadData<SubmitterWorkerData> = workerData;
  run(port, thread.data).catch((err: unknown) => {
    port.postMessage({
      type: "failed",
      error: describeError(err),
      input: err instanceof InputError,
    } satisfies FromSubmitter);
  });
}
