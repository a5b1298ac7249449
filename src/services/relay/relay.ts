/**
 * One relay: the store, the device directory, the HTTP server and the submitter, wired to one deployment's
 * quality ledger. `startRelay` is what the `relay` task, the standalone entry point (src/services/relay/main.ts), the tests and
 * the benchmark all call.
 */
import type { AddressInfo } from "node:net";

import { Transaction, type Provider, type Wallet } from "ethers";

import { describeError } from "../../core/errors.js";
import { ledgerDomain, readingDigester } from "../../core/qat.js";
import { sensorMerkle } from "../../core/sensors.js";
import { fromCentiCelsius } from "../../core/units.js";
import { attachFishTrace, type FishTraceAddresses } from "../../node/system.js";
import { ChainAnswers, DeviceDirectory, withTimeout } from "./devices.js";
import { listeningAddress } from "../http/server.js";
import { createRelayServer } from "./http.js";
import { DEFAULT_LIMITS, qatIntake, sensorIntake, type IntakeLimits } from "./intake.js";
import { Refusal } from "./refusal.js";
import { DEGRADED_REASONS, RelayMetrics, type DegradedReason } from "./metrics.js";
import type { StoreOptions } from "./store.js";
import { isPostgres, PgStore } from "./pg-store.js";
import { openStoreThread, type RelayStore, type StoreClient } from "./store-thread.js";
import { DEFAULT_SUBMITTER, type SubmitterOptions } from "./submitter.js";
import { startSubmitterThread, type SubmitterThread } from "./submitter-thread.js";

/** The port a relay listens on unless told otherwise (monitoring/prometheus.yml scrapes it). */
export const DEFAULT_RELAY_PORT = 8600;

export interface RelayOptions {
  provider: Provider;
  /** The account that sends the relay's transactions (connected to `provider`); a SENSOR_GATEWAY to anchor. */
  wallet: Wallet;
  addresses: FishTraceAddresses;
  /** The SQLite file; checked at start (refused when damaged, empty or missing unless `init`). */
  database: string;
  /** Create the store when the file is missing or empty (`--init`). */
  init?: boolean;
  host?: string;
  /** 0: any free port. */
  port?: number;
  maxBodyBytes?: number;
  maxQueue?: number;
  sync?: StoreOptions["sync"];
  limits?: Partial<IntakeLimits>;
  submitter?: Partial<SubmitterOptions>;
  /** How often the relay asks the node for its block (the RPC state /healthz reports). */
  heartbeatMs?: number;
  /** A pending reading older than this makes /healthz say `degraded` (backlog_stale). */
  staleAfterMs?: number;
  /** Where the relay says what it does (default: nowhere). */
  log?: (line: string) => void;
}

export interface Relay {
  url: string;
  port: number;
  /** The store: SQLite in a thread of its own, or PostgreSQL. */
  store: RelayStore;
  metrics: RelayMetrics;
  /** The submitter, in a worker thread of its own. */
  submitter: SubmitterThread;
  /** Stops taking requests, finishes the current submission round, closes the store. */
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const HEARTBEAT_MS = 5_000;
const STALE_AFTER_MS = 10 * 60_000;
const MAX_QUEUE = 1_000_000;

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const log = options.log ?? (() => undefined);
  const { provider, wallet } = options;
  const { chainId } = await provider.getNetwork();
  const fishTrace = attachFishTrace(options.addresses, wallet);
  const ledger = fishTrace.qualityLedger;
  const digest = readingDigester(await ledgerDomain(ledger, chainId));

  const store: StoreClient | PgStore = isPostgres(options.database)
    ? await PgStore.open(options.database.trim(), { init: options.init ?? false })
    : await openStoreThread({ database: options.database, sync: options.sync ?? "full", init: options.init ?? false });
  try {
    await store.bind(chainId, options.addresses.qualityLedger);
  } catch (err) {
    await store.close();
    throw err;
  }
  const metrics = new RelayMetrics(store);
  const devices = new DeviceDirectory(fishTrace.registry, store);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  let submitter: SubmitterThread | undefined;

  const grades = new ChainAnswers<number>(
    "grade-scale",
    store,
    async (species) => Number((await ledger.freshnessRuleOf(species)).maxGrade),
    () => 60_000,
    String,
    (text) => {
      const max = Number(text);
      if (!Number.isInteger(max)) throw new Error("not a grade");
      return max;
    },
  );

  // The node is watched from here, never from /healthz: a hung node must not hold the health answer.
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  const node: { block?: number; okAt: number; error?: string } = { okAt: Date.now() };
  let beating: Promise<void> | undefined;
  const beat = () => {
    beating ??= withTimeout(provider.getBlockNumber(), heartbeatMs, "getBlockNumber")
      .then(
        (block) => {
          node.block = block;
          node.okAt = Date.now();
          node.error = undefined;
        },
        (err: unknown) => {
          metrics.rpcErrors.inc({ operation: "getBlockNumber" });
          node.error = describeError(err);
        },
      )
      .finally(() => (beating = undefined));
  };
  beat();
  const heartbeat = setInterval(beat, heartbeatMs);
  heartbeat.unref();

  function healthNow(): { healthy: boolean; details: Record<string, unknown> } {
    const now = Date.now();
    const reasons: DegradedReason[] = [];
    const rounds = submitter?.health() ?? { failingRounds: 0, lastFailure: undefined };
    if (rounds.failingRounds > 0) reasons.push("rounds_failing");
    if (node.error !== undefined) reasons.push("rpc_failing");
    const oldest = Math.min(store.oldestPending("qat") ?? now, store.oldestPending("sensor") ?? now);
    if (now - oldest > staleAfterMs) reasons.push("backlog_stale");
    for (const reason of DEGRADED_REASONS) metrics.degraded.set({ reason }, reasons.includes(reason) ? 1 : 0);
    return {
      healthy: true,
      details: {
        status: reasons.length === 0 ? "ok" : "degraded",
        degraded: reasons,
        chainId: chainId.toString(),
        ledger: options.addresses.qualityLedger,
        relayer: wallet.address,
        rpc: node.error === undefined ? "ok" : `failing since ${new Date(node.okAt).toISOString()}: ${node.error}`,
        block: node.block,
        rounds:
          rounds.lastFailure === undefined
            ? { failing: 0 }
            : {
                failing: rounds.failingRounds,
                lastFailure: new Date(rounds.lastFailure.at).toISOString(),
                lastError: rounds.lastFailure.error,
              },
        oldestPendingSeconds: Math.round((now - oldest) / 1000),
        queue: { qat: store.queueDepth("qat"), sensor: store.queueDepth("sensor") },
      },
    };
  }
  metrics.onCollect(() => healthNow());

  const server = createRelayServer({
    store,
    metrics,
    maxBodyBytes: options.maxBodyBytes ?? MAX_BODY,
    maxQueue: options.maxQueue ?? MAX_QUEUE,
    qat: (body) => qatIntake(body, digest, devices, (species) => grades.get(species), limits),
    sensor: async (raw, body, signature) => {
      if (!(await devices.has(wallet.address, "SENSOR_GATEWAY"))) {
        throw new Refusal(
          503,
          "overloaded",
          `this relay's account ${wallet.address} is not a registered sensor gateway, so it cannot anchor readings`,
        );
      }
      return sensorIntake(raw, body, signature, devices, limits);
    },
    health: healthNow,
    log,
    proof: async (sensor, readAt, status) => {
      if (status.batch === null || status.batch.root === null || status.leaf === null) return { proof: null };
      const reading = await store.sensorReading(sensor, readAt);
      if (reading === undefined) return { proof: null };
      let proof = await store.sensorProof(status.batch.id, status.leaf);
      if (proof === undefined) {
        // A batch anchored before the relay kept proofs: computed once (without holding the thread), then kept.
        const { proofs } = await sensorMerkle(await store.sensorOfBatch(status.batch.id));
        await store.keepSensorProofs(status.batch.id, proofs);
        proof = proofs[status.leaf];
      }
      const raw = await store.batchTransaction(status.batch.id);
      const leaf = { sensor, readAt, temperature: reading.temperature, humidity: reading.humidity };
      return {
        root: status.batch.root,
        // The account that anchored the root: `verifyReading(gateway, root, leaf, proof)` checks it (audit F4).
        gateway: raw === undefined ? null : Transaction.from(raw).from,
        // In the units the gateway posted (°C), and as the tree and `verifyReading` take it (hundredths of °C).
        reading: { ...leaf, temperature: fromCentiCelsius(leaf.temperature) },
        leaf,
        proof: proof ?? null,
      };
    },
  });

  let bound: AddressInfo;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? DEFAULT_RELAY_PORT, options.host ?? "127.0.0.1", () => resolve());
    });
    bound = listeningAddress(server);
  } catch (err) {
    clearInterval(heartbeat);
    await store.close();
    throw err;
  }
  const { port, address } = bound;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  let running: SubmitterThread;
  try {
    running = await startSubmitterThread({
      store,
      metrics,
      provider,
      wallet,
      addresses: options.addresses,
      chainId,
      sync: options.sync ?? "full",
      options: { ...DEFAULT_SUBMITTER, ...options.submitter },
      log,
    });
    submitter = running;
  } catch (err) {
    clearInterval(heartbeat);
    server.close();
    await store.close();
    throw err;
  }
  log(
    `relay for the quality ledger ${options.addresses.qualityLedger} on chain ${chainId} listening on ${url} ` +
      `(store ${store.file}, sending from ${wallet.address})`,
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    metrics,
    submitter: running,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        clearInterval(heartbeat);
        await running.stop();
        await beating;
        await store.close();
      })();
      return closing;
    },
  };
}
