/**
 * One relay: the store, the device directory, the HTTP server and the submitter, wired to one deployment's
 * quality ledger. `startRelay` is what the `relay` task, the standalone entry point (src/services/relay/main.ts), the tests and
 * the benchmark all call.
 */
import type { AddressInfo } from "node:net";

import { FORWARDER_NAME } from "../../core/forward-request.js";
import { Transaction, ZeroAddress, formatEther, getAddress, type Provider, type Wallet } from "ethers";

import { describeError } from "../../core/errors.js";
import { MAX_FORWARD_GAS } from "../../core/forward-request.js";
import { actionIntake } from "./action-intake.js";
import { ledgerDomain, readingDigester } from "../../core/qat.js";
import { sensorMerkle } from "../../core/sensors.js";
import { fromCentiCelsius } from "../../core/units.js";
import { attachFishTrace, type FishTraceAddresses } from "../../node/system.js";
import { ChainAnswers, DeviceDirectory, withTimeout } from "./devices.js";
import { listeningAddress } from "../http/server.js";
import { createRelayServer } from "./http.js";
import { chainNowSeconds } from "./chain-clock.js";
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
  /**
   * The deployment's `ERC2771Forwarder`: with it the relay takes sponsored actions (POST /v1/actions). Default: the
   * one the deployment's registry trusts (`trustedForwarder()`; none for a registry from before forwarders); `false`:
   * take none.
   */
  forwarder?: string | false;
  /** The name the forwarder's EIP-712 domain was built with (default "FishTrace"). */
  forwarderName?: string;
  /** The contracts a sponsored call may go to (default: the deployment's). */
  actionTargets?: readonly string[];
  /** What one signer may spend a day (default 500 requests, 5,000,000 gas). */
  sponsorBudget?: Partial<SponsorBudget>;
  /** The most gas one sponsored call may ask for (default 500,000). */
  maxActionGas?: bigint;
}

/** A signer's sponsorship per rolling 24 hours. */
export interface SponsorBudget {
  requestsPerDay: number;
  gasPerDay: number;
}

export const DEFAULT_SPONSOR_BUDGET: SponsorBudget = { requestsPerDay: 500, gasPerDay: 5_000_000 };

/** The name `FishTraceForwarder` gives its EIP-712 domain. */
export const DEFAULT_FORWARDER_NAME = FORWARDER_NAME;

export interface Relay {
  url: string;
  port: number;
  /** The store: SQLite in a thread of its own, or PostgreSQL. */
  store: RelayStore;
  metrics: RelayMetrics;
  /** The submitter, in a worker thread of its own. */
  submitter: SubmitterThread;
  /** The forwarder whose signed requests it takes at /v1/actions; undefined: it takes none. */
  forwarder?: string;
  /** Stops taking requests, finishes the current submission round, closes the store. */
  close(): Promise<void>;
}

/** The forwarder the deployment's registry trusts; undefined for none (zero) or a registry from before forwarders. */
async function trustedForwarder(registry: { trustedForwarder(): Promise<string> }): Promise<string | undefined> {
  try {
    const forwarder = await registry.trustedForwarder();
    return forwarder === ZeroAddress ? undefined : forwarder;
  } catch {
    return undefined;
  }
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
  // The relay account's balance (what sponsors actions), for fishtrace_relay_account_balance_eth.
  const weigh = () =>
    void withTimeout(provider.getBalance(wallet.address), heartbeatMs, "getBalance").then(
      (balance) => metrics.balance.set(Number(formatEther(balance))),
      () => metrics.rpcErrors.inc({ operation: "getBalance" }),
    );
  beat();
  weigh();
  const heartbeat = setInterval(() => {
    beat();
    weigh();
  }, heartbeatMs);
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
        queue: { qat: store.queueDepth("qat"), sensor: store.queueDepth("sensor"), actions: store.actionQueueDepth() },
      },
    };
  }
  metrics.onCollect(() => healthNow());

  const budget = { ...DEFAULT_SPONSOR_BUDGET, ...options.sponsorBudget };
  const configured =
    options.forwarder === false ? undefined : (options.forwarder ?? (await trustedForwarder(fishTrace.registry)));
  const forwarder = configured === undefined ? undefined : getAddress(configured);
  const actionDomain =
    forwarder === undefined ? undefined : { chainId, forwarder, name: options.forwarderName ?? DEFAULT_FORWARDER_NAME };
  const targets = new Set(
    (options.actionTargets ?? Object.values(options.addresses)).map((address) => getAddress(address)),
  );
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
    actions:
      actionDomain === undefined
        ? undefined
        : {
            intake: async (body) =>
              actionIntake(
                body,
                {
                  provider,
                  domain: actionDomain,
                  targets,
                  maxGas: options.maxActionGas ?? MAX_FORWARD_GAS,
                  devices,
                  waitMs: 3_000,
                  known: async (id) => (await store.actionStatus(id)) !== undefined,
                },
                Date.now(),
                // Deadlines on the chain's clock, which the forwarder checks them against.
                (await chainNowSeconds(provider)) * 1000,
              ),
            budget: (now) => ({ requests: budget.requestsPerDay, gas: budget.gasPerDay, since: now - 86_400_000 }),
          },
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
      forwarder,
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
      `(store ${store.file}, sending from ${wallet.address}` +
      `${forwarder === undefined ? "" : `, sponsoring actions through ${forwarder}`})`,
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    metrics,
    submitter: running,
    ...(forwarder === undefined ? {} : { forwarder }),
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
