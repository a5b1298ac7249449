/**
 * Starts the submitter in a worker thread of its own (submitter-worker.ts) and stands for it in the relay's thread:
 * its health for /healthz, its metrics applied to the relay's registry, its log lines, and — when the relay's
 * provider is not a plain HTTP endpoint — its JSON-RPC served through that provider (rpc-bridge.ts). It calls the
 * store's thread directly. Encoding and signing a 100-reading `submitScans` (~30 kB) holds a thread 5–20 ms; in the
 * relay's thread that was the p99 of its acknowledgements.
 */
import { MessageChannel } from "node:worker_threads";

import { JsonRpcApiProvider, JsonRpcProvider, type Provider, type Wallet } from "ethers";

import { InputError } from "../../core/input-error.js";
import type { FishTraceAddresses } from "../../node/system.js";
import type { RelayMetrics } from "./metrics.js";
import { serveRpc } from "./rpc-bridge.js";
import { PgStore } from "./pg-store.js";
import type { StoreClient } from "./store-thread.js";
import type { SubmitterOptions } from "./submitter.js";
import type {
  FromSubmitter,
  MetricCall,
  SubmitterHealth,
  SubmitterWorkerData,
  ToSubmitter,
} from "./submitter-messages.js";
import { startThread } from "./thread.js";

export interface SubmitterThread {
  /** Rounds failed in a row and the last failure (what the worker last reported). */
  health(): SubmitterHealth;
  /** Finishes the worker's current round, closes its store connection, ends the thread. */
  stop(): Promise<void>;
}

export interface SubmitterThreadOptions {
  /** The SQLite store's thread (the worker gets a port to it), or the PostgreSQL store (the worker connects). */
  store: StoreClient | PgStore;
  metrics: RelayMetrics;
  provider: Provider;
  wallet: Wallet;
  addresses: FishTraceAddresses;
  /** The forwarder sponsored actions go through (none: the relay takes no actions). */
  forwarder?: string;
  chainId: bigint;
  sync: "full" | "normal";
  options: SubmitterOptions;
  log: (line: string) => void;
}

const STOP_MS = 60_000;

function apply(metrics: RelayMetrics, call: MetricCall): void {
  switch (call.name) {
    case "onChain":
      metrics.onChain.inc(call.labels, call.value ?? 1);
      break;
    case "transactions":
      metrics.transactions.inc(call.labels, call.value ?? 1);
      break;
    case "gasUsed":
      metrics.gasUsed.inc(call.labels, call.value ?? 1);
      break;
    case "actions":
      metrics.actions.inc(call.labels, call.value ?? 1);
      break;
    case "rpcErrors":
      metrics.rpcErrors.inc(call.labels, call.value ?? 1);
      break;
    case "flags":
      metrics.flags.inc(call.labels, call.value ?? 1);
      break;
    case "roundFailures":
      metrics.roundFailures.inc(call.value ?? 1);
      break;
    case "batchSize":
      metrics.batchSize.observe(call.labels, call.value);
      break;
    case "submission":
      metrics.submission.observe(call.labels, call.value);
      break;
    case "lastBlock":
      metrics.lastBlock.set(call.value);
      break;
  }
}

/** Starts the submitter's thread; resolves once it has picked up its nonce and runs, rejects as its start failed. */
export async function startSubmitterThread(o: SubmitterThreadOptions): Promise<SubmitterThread> {
  if (!(o.provider instanceof JsonRpcApiProvider)) {
    throw new InputError("the relay needs a JSON-RPC provider (its submitter thread speaks JSON-RPC)");
  }
  // A node the worker can reach itself (an HTTP URL) it reaches directly; any other provider is bridged.
  const rpcUrl = o.provider instanceof JsonRpcProvider ? o.provider._getConnection().url : undefined;
  const channel = rpcUrl === undefined ? new MessageChannel() : undefined;
  if (channel !== undefined) serveRpc(channel.port1, o.provider);
  const storePort = o.store instanceof PgStore ? undefined : o.store.port();
  const data: SubmitterWorkerData = {
    store: storePort,
    postgres: o.store instanceof PgStore ? o.store.url : undefined,
    checkpoint:
      o.store instanceof PgStore || o.store.file === ":memory:" ? undefined : { file: o.store.file, sync: o.sync },
    key: o.wallet.privateKey,
    addresses: o.addresses,
    forwarder: o.forwarder,
    chainId: o.chainId.toString(),
    rpcUrl,
    rpc: channel?.port2,
    options: o.options,
  };
  const worker = startThread(
    "submitter-worker",
    data,
    [storePort, channel?.port2].filter((p) => p !== undefined),
  );
  let health: SubmitterHealth = { failingRounds: 0, lastFailure: undefined };
  let stopping = false;
  let stopped: (() => void) | undefined;
  const done = new Promise<void>((resolve) => (stopped = resolve));

  const ready = new Promise<void>((resolve, reject) => {
    worker.on("message", (message: FromSubmitter) => {
      switch (message.type) {
        case "started":
          resolve();
          break;
        case "failed":
          reject(message.input ? new InputError(message.error) : new Error(message.error));
          break;
        case "log":
          o.log(message.line);
          break;
        case "health":
          health = message.health;
          break;
        case "metric":
          apply(o.metrics, message.call);
          break;
        case "stopped":
          stopped?.();
          break;
      }
    });
    worker.on("error", (err) => {
      o.log(`the submitter thread failed: ${err.message}`);
      health = { failingRounds: health.failingRounds + 1, lastFailure: { at: Date.now(), error: err.message } };
      reject(err);
    });
    worker.on("exit", (code) => {
      stopped?.();
      channel?.port1.close();
      if (!stopping) {
        const error = `the submitter thread ended (exit code ${code})`;
        o.log(error);
        health = { failingRounds: health.failingRounds + 1, lastFailure: { at: Date.now(), error } };
        reject(new Error(error));
      }
    });
  });
  try {
    await ready;
    if (data.checkpoint !== undefined) await o.store.handOffCheckpoints();
  } catch (err) {
    stopping = true;
    channel?.port1.close();
    await worker.terminate();
    throw err;
  }

  let stopping$: Promise<void> | undefined;
  return {
    health: () => health,
    stop() {
      stopping$ ??= (async () => {
        stopping = true;
        worker.postMessage({ type: "stop" } satisfies ToSubmitter);
        const timer = new Promise<void>((resolve) => setTimeout(resolve, STOP_MS).unref());
        await Promise.race([done, timer]);
        channel?.port1.close();
        await worker.terminate();
      })();
      return stopping$;
    },
  };
}
