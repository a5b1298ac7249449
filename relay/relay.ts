/**
 * One relay: the store, the device directory, the HTTP server and the submitter, wired to one deployment's
 * quality ledger. `startRelay` is what the `relay` task, the standalone entry point (relay/main.ts), the tests and
 * the benchmark all call.
 */
import type { AddressInfo } from "node:net";

import type { Provider, Wallet } from "ethers";

import { describeError } from "../src/errors.js";
import { ledgerDomain, readingDigester } from "../src/qat.js";
import { proofOf, sensorTree } from "../src/sensors.js";
import { attachFishTrace, type FishTraceAddresses } from "../src/system.js";
import { DeviceDirectory } from "./devices.js";
import { createRelayServer } from "./http.js";
import { DEFAULT_LIMITS, qatIntake, Refusal, sensorIntake, type IntakeLimits } from "./intake.js";
import { RelayMetrics } from "./metrics.js";
import { Store, type StoreOptions } from "./store.js";
import { DEFAULT_SUBMITTER, Submitter, type SubmitterOptions } from "./submitter.js";

/** The port a relay listens on unless told otherwise (monitoring/prometheus.yml scrapes it). */
export const DEFAULT_RELAY_PORT = 8600;

export interface RelayOptions {
  provider: Provider;
  /** The account that sends the relay's transactions (connected to `provider`); a SENSOR_GATEWAY to anchor. */
  wallet: Wallet;
  addresses: FishTraceAddresses;
  /** The SQLite file (created if missing). */
  database: string;
  host?: string;
  /** 0: any free port. */
  port?: number;
  maxBodyBytes?: number;
  maxQueue?: number;
  sync?: StoreOptions["sync"];
  limits?: Partial<IntakeLimits>;
  submitter?: Partial<SubmitterOptions>;
  /** Where the relay says what it does (default: nowhere). */
  log?: (line: string) => void;
}

export interface Relay {
  url: string;
  port: number;
  store: Store;
  metrics: RelayMetrics;
  submitter: Submitter;
  /** Stops taking requests, finishes the current submission round, closes the store. */
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const MAX_QUEUE = 1_000_000;

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const log = options.log ?? (() => undefined);
  const { provider, wallet } = options;
  const { chainId } = await provider.getNetwork();
  const fishTrace = attachFishTrace(options.addresses, wallet);
  const ledger = fishTrace.qualityLedger;
  const digest = readingDigester(await ledgerDomain(ledger, chainId));

  const store = new Store(options.database, { sync: options.sync ?? "full" });
  try {
    store.bind(chainId, options.addresses.qualityLedger);
  } catch (err) {
    store.close();
    throw err;
  }
  const metrics = new RelayMetrics(store);
  const devices = new DeviceDirectory(fishTrace.registry);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const submitter = new Submitter(
    store,
    { provider, wallet, fishTrace, chainId },
    devices,
    metrics,
    { ...DEFAULT_SUBMITTER, ...options.submitter },
    log,
  );

  const grades = new Map<string, { max: number; until: number }>();
  async function maxGrade(species: string): Promise<number> {
    const cached = grades.get(species);
    if (cached !== undefined && cached.until > Date.now()) return cached.max;
    const rule = await ledger.freshnessRuleOf(species);
    const max = Number(rule.maxGrade);
    grades.set(species, { max, until: Date.now() + 60_000 });
    return max;
  }

  let lastRpcOk = Date.now();
  let lastRpcError: string | undefined;
  const server = createRelayServer({
    store,
    metrics,
    maxBodyBytes: options.maxBodyBytes ?? MAX_BODY,
    maxQueue: options.maxQueue ?? MAX_QUEUE,
    qat: (body) => qatIntake(body, digest, devices, maxGrade, limits),
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
    health: async () => {
      let block: number | undefined;
      try {
        block = await provider.getBlockNumber();
        lastRpcOk = Date.now();
        lastRpcError = undefined;
      } catch (err) {
        metrics.rpcErrors.inc({ operation: "getBlockNumber" });
        lastRpcError = describeError(err);
      }
      return {
        healthy: true,
        details: {
          chainId: chainId.toString(),
          ledger: options.addresses.qualityLedger,
          relayer: wallet.address,
          rpc:
            lastRpcError === undefined ? "ok" : `failing since ${new Date(lastRpcOk).toISOString()}: ${lastRpcError}`,
          block,
          queue: { qat: store.queueDepth("qat"), sensor: store.queueDepth("sensor") },
        },
      };
    },
    proof: async (sensor, readAt, status) => {
      if (status.batch === null || status.batch.root === null || status.leaf === null) return { proof: null };
      const readings = store.sensorOfBatch(status.batch.id);
      const tree = sensorTree(readings);
      const reading = readings[status.leaf]!;
      return {
        root: tree.root,
        reading: { ...reading, sensor, readAt },
        proof: proofOf(tree, reading),
      };
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_RELAY_PORT, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  try {
    await submitter.start();
  } catch (err) {
    server.close();
    store.close();
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
    submitter,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await submitter.stop();
        store.close();
      })();
      return closing;
    },
  };
}
