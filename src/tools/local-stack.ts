/**
 * FishTrace on one machine, for people (`npm run stack`) and the browser tests: a `hardhat node`, FishTrace deployed
 * and seeded on it by the demo (src/tools/demo.ts), the relay, the trace API, the dApp's web server
 * (src/services/web/server.ts) and — when installed — Prometheus scraping the relay and the analytics on the trace API.
 * Everything listens on 127.0.0.1.
 *
 * Each process is started detached (its own process group) and stopped by its PID's group, in reverse order
 * (SIGTERM, SIGKILL after 5 s); never by name. Ignition's journal of the deployment goes to a deployment id of its
 * own (`local-stack-<node port>-<pid>`), removed on stop, so ignition/deployments/chain-31337 is left alone. The
 * stack's files (facts.json, analytics.json and the anomaly detector's model file, config.json, urls.json, the
 * relay's store, the trace index, Prometheus's data) are in `dir`; with the default `dir`, config.json and urls.json
 * ({node, web, relay, trace}) are copied to .stack/ too, for `npm run web:dev` (Vite's dev server) to find the
 * running stack.
 */
import type { ChildProcess } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { access, mkdir, rm, rmdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Contract, HDNodeWallet, JsonRpcProvider, ZeroAddress } from "ethers";
import { z } from "zod";

import { FORWARDER_NAME } from "../core/forward-request.js";
import { readDemoFacts, readStackAnalytics } from "./demo/files.js";
import type { DemoSettlement } from "./demo/seeding.js";
import { freePort, kill, spawnGroup, started } from "./processes.js";
import { startStaticServer, type StaticServer } from "../services/web/server.js";
import { InputError } from "../core/input-error.js";
import type { StackAnalytics } from "./stack-analytics.js";
import type { DemoFacts, WebConfig } from "../core/api/web-config.js";

/** The services of a stack, each on its own port. */
export type StackService = "node" | "web" | "relay" | "trace" | "epcis" | "prometheus";

export interface LocalStackOptions {
  /** 0: any free port. Defaults 8545, 5173, 8600, 8547, 8548, 9090. */
  ports?: Partial<Record<StackService, number>>;
  /** "demo" (default): the whole demo; "none": the deployment and the registry's cast only. */
  seed?: "demo" | "none";
  /**
   * With `seed: "demo"`: the analytics data after the story (default true; about two fifths of the seeding). A caller
   * that reads no forecast, anomaly or dispatch list turns it off.
   */
  analytics?: boolean;
  /**
   * What orders settle in: "fusd" (default), the test stablecoin FishTraceUSD deployed with the system and minted to
   * the cast; "eth": Ether.
   */
  settlement?: DemoSettlement;
  /** Default: when `prometheus` is on PATH. */
  prometheus?: boolean;
  /** Working directory for facts, config, the relay's store and the index (default .stack/<node port>). */
  dir?: string;
  /** The built dApp (default web/dist; `npm run web:build`). */
  webDist?: string;
  /** Where the stack says what it does, a line at a time (default: nowhere). */
  log?: ((line: string) => void) | undefined;
  /** Aborting it while the stack starts stops what was started and rejects (Ctrl-C during start). */
  signal?: AbortSignal | undefined;
}

export interface LocalStack {
  urls: { node: string; web: string; relay: string; trace: string; epcis: string; prometheus?: string };
  config: WebConfig;
  facts: DemoFacts;
  /**
   * With `seed: "demo"`: the analytics data seeded after the demo (src/tools/stack-analytics.ts; also
   * `<dir>/analytics.json`): the injected anomalies in chain ids, the lots waiting at the distributor.
   */
  analytics?: StackAnalytics;
  /** The stack's working directory. */
  dir: string;
  /** The PIDs of the processes it started (each the leader of its process group). */
  pids: Partial<Record<Exclude<StackService, "web">, number>>;
  /** Resolves with a one-line message when a process of the stack exits on its own (it never does otherwise). */
  died: Promise<string>;
  /** Stops everything it started, by PID (process groups), in reverse order; removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

export const DEFAULT_PORTS: Record<StackService, number> = {
  node: 8545,
  web: 5173,
  relay: 8600,
  trace: 8547,
  epcis: 8548,
  prometheus: 9090,
};

/** The project's root (where hardhat.config.ts is). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const HARDHAT = path.join(PROJECT_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
const CHAIN_NAME = "FishTrace local";

/** Hardhat's development mnemonic: the demo's accounts are its first nine (test keys, never for real funds). */
export const TEST_MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of Hardhat's test account #`index` (public knowledge: test keys only). */
export function testKey(index: number): string {
  return HDNodeWallet.fromPhrase(TEST_MNEMONIC, "", `m/44'/60'/0'/0/${index}`).privateKey;
}

/** Builds the dApp (web/ → web/dist) with Vite's JS API and web/vite.config.ts. */
export async function buildWeb(): Promise<void> {
  const { build } = await import("vite");
  await build({ configFile: path.join(PROJECT_ROOT, "web", "vite.config.ts"), logLevel: "warn" });
}

/** Whether `command` is an executable on PATH. */
export async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    try {
      await access(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** The chain id the node at `nodeUrl` answers `eth_chainId` with. */
async function nodeChainId(nodeUrl: string): Promise<number> {
  const response = await fetch(nodeUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
  });
  const answer = z.object({ result: z.string() }).safeParse(await response.json());
  if (!answer.success) throw new Error(`the node at ${nodeUrl} did not answer eth_chainId with a result`);
  return Number(answer.data.result);
}

/**
 * Sponsored actions as the dApp is told of them: the forwarder the deployment's registry trusts (the relay takes
 * its signed requests at /v1/actions, through the dApp server's /relay), or none.
 */
async function sponsorshipOf(nodeUrl: string, registry: string): Promise<WebConfig["sponsorship"]> {
  const provider = new JsonRpcProvider(nodeUrl, undefined, { staticNetwork: true });
  try {
    const forwarder: unknown = await new Contract(
      registry,
      ["function trustedForwarder() view returns (address)"],
      provider,
    )
      .getFunction("trustedForwarder")
      .staticCall();
    if (typeof forwarder !== "string" || forwarder === ZeroAddress) return undefined;
    return { forwarder, forwarderName: FORWARDER_NAME, relayPath: "/relay" };
  } catch {
    return undefined;
  } finally {
    provider.destroy();
  }
}

/** Rejects with a one-line InputError when 127.0.0.1:`port` is taken. */
function portFree(port: number, service: StackService): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new InputError(
              `port ${port} for the ${service} is in use: stop what uses it or pick another (--port-${service})`,
            )
          : err,
      );
    });
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

/** A child process of the stack, with the tail of what it printed (for error messages). */
interface Child {
  name: string;
  process: ChildProcess;
  output(): string;
}

/** The last lines of `text`, joined with " | " into one line. */
function tail(text: string, lines = 4): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("npm warn"))
    .slice(-lines)
    .join(" | ");
}

function spawnChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  return { name, ...spawnGroup(command, args, { cwd: PROJECT_ROOT, env, keep: 8_000 }) };
}

/** Resolves when `child` exits with code 0; rejects with its last lines otherwise or after `timeoutMs`. */
function finished(child: Child, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${child.name} took over ${timeoutMs / 1000} s: ${tail(child.output())}`));
    }, timeoutMs);
    child.process.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${child.name} failed (${signal ?? `exit ${code}`}): ${tail(child.output())}`));
    });
  });
}

/** The environment of the stack's Hardhat processes: the node's URL; no PostgreSQL or relay key from outside. */
function childEnv(nodeUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOCALHOST_URL: nodeUrl, ...extra };
  delete env.DATABASE_URL;
  delete env.FISHTRACE_RELAY_KEY;
  return env;
}

/**
 * Prometheus's configuration for the stack: the relay and the analytics (on the trace API) scraped every 5 s, the
 * alert rules of monitoring/.
 */
export function stackPrometheusConfig(relayPort: number, tracePort: number): string {
  return [
    "# Written by src/tools/local-stack.ts for one stack run (see monitoring/prometheus.yml).",
    "global:",
    "  scrape_interval: 5s",
    "  evaluation_interval: 5s",
    "rule_files:",
    `  - ${JSON.stringify(path.join(PROJECT_ROOT, "monitoring", "alerts.yml"))}`,
    "scrape_configs:",
    "  - job_name: fishtrace-relay",
    "    metrics_path: /metrics",
    "    static_configs:",
    `      - targets: ["127.0.0.1:${relayPort}"]`,
    "  - job_name: fishtrace-analytics",
    "    metrics_path: /v1/analytics/metrics",
    "    static_configs:",
    `      - targets: ["127.0.0.1:${tracePort}"]`,
    "",
  ].join("\n");
}

/** The files a stack writes in its directory (removed before it starts and when it stops). */
const STACK_FILES = [
  "facts.json",
  "config.json",
  "urls.json",
  "prometheus.yml",
  "relay.sqlite",
  "relay.sqlite-wal",
  "relay.sqlite-shm",
  "index",
  "epcis-index",
  "addresses.json",
  "prom",
  "demo-output",
  "analytics.json",
  "detector.json",
  "intake.json",
];

async function clean(dir: string): Promise<void> {
  for (const name of STACK_FILES) await rm(path.join(dir, name), { recursive: true, force: true });
}

/**
 * Starts the stack: node → seed (the demo) → relay and trace API → web server → Prometheus. A busy port fails
 * before anything starts, with one line naming it; if a step fails, what was started is stopped again.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const webDist = path.resolve(options.webDist ?? path.join(PROJECT_ROOT, "web", "dist"));
  if (!existsSync(path.join(webDist, "index.html"))) {
    throw new InputError(`${path.join(webDist, "index.html")} is missing: build the dApp first (npm run web:build)`);
  }
  const prometheus = options.prometheus ?? (await onPath("prometheus"));
  if (options.prometheus === true && !(await onPath("prometheus"))) {
    throw new InputError("prometheus is not on PATH: install it (apt-get install prometheus) or start without it");
  }

  const services: StackService[] = [
    "node",
    "web",
    "relay",
    "trace",
    "epcis",
    ...(prometheus ? ["prometheus" as const] : []),
  ];
  const wanted = (service: StackService): number => options.ports?.[service] ?? DEFAULT_PORTS[service];
  const ports: Record<StackService, number> = {
    node: wanted("node"),
    web: wanted("web"),
    relay: wanted("relay"),
    trace: wanted("trace"),
    epcis: wanted("epcis"),
    prometheus: wanted("prometheus"),
  };
  for (const service of services) if (ports[service] !== 0) await portFree(ports[service], service);
  for (const service of services) if (ports[service] === 0) ports[service] = await freePort();

  const nodeUrl = `http://127.0.0.1:${ports.node}`;
  const relayUrl = `http://127.0.0.1:${ports.relay}`;
  const traceUrl = `http://127.0.0.1:${ports.trace}`;
  const epcisUrl = `http://127.0.0.1:${ports.epcis}`;
  const defaultDir = options.dir === undefined;
  const dir = path.resolve(options.dir ?? path.join(PROJECT_ROOT, ".stack", String(ports.node)));
  const deploymentId = `local-stack-${ports.node}-${process.pid}`;
  await mkdir(dir, { recursive: true });
  await clean(dir);

  const children: Child[] = [];
  let web: StaticServer | undefined;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  let onDeath: (message: string) => void = () => undefined;
  const died = new Promise<string>((resolve) => (onDeath = resolve));

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      await web?.close().catch(() => undefined);
      for (const child of [...children].reverse()) {
        await kill(child.process); // SIGTERM to its group, SIGKILL after 5 s; waits until the group is gone
        log(`stopped the ${child.name}`);
      }
      await clean(dir);
      if (defaultDir) {
        for (const name of ["config.json", "urls.json"])
          await rm(path.join(PROJECT_ROOT, ".stack", name), { force: true });
      }
      await rmdir(dir).catch(() => undefined);
      if (defaultDir) await rmdir(path.join(PROJECT_ROOT, ".stack")).catch(() => undefined);
      await rm(path.join(PROJECT_ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    })();
    return stopped;
  };

  /** Starts a long-running child, which must print `ready` within `timeoutMs`; its exit later ends the stack. */
  const service = async (
    name: string,
    command: string,
    args: string[],
    ready: string,
    timeoutMs = 120_000,
    env: Record<string, string> = {},
  ) => {
    const child = spawnChild(name, command, args, childEnv(nodeUrl, env));
    children.push(child);
    try {
      await started(child.process, ready, `the ${name}`, timeoutMs);
    } catch (err) {
      throw new Error(`the ${name} did not start: ${tail(child.output())}`, { cause: err });
    }
    child.process.once("exit", (code, signal) => {
      if (!stopping) onDeath(`the ${name} stopped (${signal ?? `exit ${code}`}): ${tail(child.output(), 2)}`);
    });
    return child;
  };

  const { signal } = options;
  const abort = () => void stop();
  signal?.addEventListener("abort", abort, { once: true });
  /** Throws when the start was called off (what was started is being stopped). */
  const going = () => {
    if (signal?.aborted === true) throw new InputError("the stack's start was interrupted");
  };

  try {
    going();
    const begun = performance.now();
    await service(
      "node",
      process.execPath,
      [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(ports.node)],
      "Started HTTP and WebSocket JSON-RPC server",
    );
    going();
    log(`node on ${nodeUrl}`);

    const seeding = performance.now();
    const seed = spawnChild(
      "seed (src/tools/demo.ts)",
      process.execPath,
      [HARDHAT, "run", "--no-compile", "--network", "localhost", path.join("src", "tools", "demo.ts")],
      childEnv(nodeUrl, {
        FISHTRACE_DEPLOYMENT_ID: deploymentId,
        FISHTRACE_DEMO_OUT: dir,
        ...(options.seed === "none" ? { FISHTRACE_DEMO_SEED: "registry" } : {}),
        ...(options.analytics === false ? { FISHTRACE_DEMO_ANALYTICS: "0" } : {}),
        FISHTRACE_SETTLEMENT: options.settlement ?? "fusd",
      }),
    );
    children.push(seed);
    await finished(seed, 300_000);
    children.splice(children.indexOf(seed), 1);
    going();
    const facts = await readDemoFacts(path.join(dir, "facts.json"));
    const analyticsFile = path.join(dir, "analytics.json");
    const analytics = existsSync(analyticsFile) ? await readStackAnalytics(analyticsFile) : undefined;
    log(
      `${options.seed === "none" ? "deployed and enrolled the cast" : "seeded with the demo"} in ` +
        `${((performance.now() - seeding) / 1000).toFixed(1)} s (registry ${facts.addresses.registry})` +
        (analytics === undefined
          ? ""
          : `, the analytics data (${analytics.transactions} transactions) in ${analytics.seconds} s of it`),
    );

    const contracts = ["--harvester", facts.addresses.harvester, "--registry", facts.addresses.registry];
    const addressesFile = path.join(dir, "addresses.json");
    await Promise.all([
      service(
        "relay",
        process.execPath,
        [
          HARDHAT,
          "relay",
          "--network",
          "localhost",
          ...contracts,
          "--port",
          String(ports.relay),
          "--db",
          path.join(dir, "relay.sqlite"),
          "--init-store",
        ],
        "POST http",
      ),
      service(
        "trace API",
        process.execPath,
        [
          HARDHAT,
          "trace",
          "serve",
          "--network",
          "localhost",
          ...contracts,
          "--port",
          String(ports.trace),
          "--db",
          path.join(dir, "index"),
          "--interval",
          "2",
          ...(analytics === undefined ? [] : ["--model", analytics.modelFile, "--intake", analytics.intakeFile]),
        ],
        "trace API on",
      ),
      // The EPCIS service without Hardhat (src/services/epcis/main.ts), with an index of its own (PGlite is one
      // process's): the query interface, capture, subscriptions and the resolver, its links to this stack's dApp and
      // trace API; captured events anchored by the regulator, a registered participant.
      writeFile(addressesFile, JSON.stringify(facts.addresses) + "\n").then(() =>
        service(
          "EPCIS service",
          process.execPath,
          [
            "--no-warnings=ExperimentalWarning",
            "--import",
            "tsx",
            path.join("src", "services", "epcis", "main.ts"),
            "--rpc",
            nodeUrl,
            "--addresses",
            addressesFile,
            "--db",
            path.join(dir, "epcis-index"),
            "--port",
            String(ports.epcis),
            "--interval",
            "2",
            "--web-url",
            `http://127.0.0.1:${ports.web}`,
            "--trace-url",
            traceUrl,
          ],
          "capture: POST",
          120_000,
          { FISHTRACE_EPCIS_KEY: testKey(facts.accounts.regulator.index) },
        ),
      ),
    ]);
    going();
    log(`relay on ${relayUrl}, trace API on ${traceUrl}, EPCIS service on ${epcisUrl}`);

    const chainId = await nodeChainId(nodeUrl);
    const sponsorship = await sponsorshipOf(nodeUrl, facts.addresses.registry);
    web = await startStaticServer({
      root: webDist,
      port: ports.web,
      nodeUrl,
      traceUrl,
      relayUrl,
      config: (origin) => ({
        chainId,
        chainName: CHAIN_NAME,
        rpcUrl: "/rpc",
        walletRpcUrl: nodeUrl,
        traceApi: "/api",
        relayUrl,
        addresses: facts.addresses,
        linkBase: origin,
        // Labels' Digital Links go to this stack's resolver (the EPCIS service, its --web-url this dApp).
        resolverBase: epcisUrl,
        ...(sponsorship === undefined ? {} : { sponsorship }),
      }),
    });
    const config = web.config;
    const configText = JSON.stringify(config, null, 2) + "\n";
    const urlsText =
      JSON.stringify({ node: nodeUrl, web: web.url, relay: relayUrl, trace: traceUrl, epcis: epcisUrl }, null, 2) +
      "\n";
    await writeFile(path.join(dir, "config.json"), configText);
    await writeFile(path.join(dir, "urls.json"), urlsText);
    // `npm run web:dev` (Vite's dev server) reads the running stack's config, and where to proxy /rpc and /api, here.
    if (defaultDir) {
      await writeFile(path.join(PROJECT_ROOT, ".stack", "config.json"), configText);
      await writeFile(path.join(PROJECT_ROOT, ".stack", "urls.json"), urlsText);
    }
    log(`dApp on ${web.url}`);

    going();
    let prometheusUrl: string | undefined;
    if (prometheus) {
      const yml = path.join(dir, "prometheus.yml");
      await writeFile(yml, stackPrometheusConfig(ports.relay, ports.trace));
      await service(
        "prometheus",
        "prometheus",
        [
          `--config.file=${yml}`,
          `--web.listen-address=127.0.0.1:${ports.prometheus}`,
          `--storage.tsdb.path=${path.join(dir, "prom")}`,
        ],
        "Server is ready to receive web requests",
        60_000,
      );
      prometheusUrl = `http://127.0.0.1:${ports.prometheus}`;
      log(`Prometheus on ${prometheusUrl}`);
    }
    going();
    signal?.removeEventListener("abort", abort);
    log(`stack up in ${((performance.now() - begun) / 1000).toFixed(1)} s`);

    const pids: LocalStack["pids"] = {};
    const keys: Record<string, Exclude<StackService, "web">> = {
      node: "node",
      relay: "relay",
      "trace API": "trace",
      "EPCIS service": "epcis",
      prometheus: "prometheus",
    };
    for (const child of children) {
      const key = keys[child.name];
      if (key !== undefined && child.process.pid !== undefined) pids[key] = child.process.pid;
    }
    return {
      urls: {
        node: nodeUrl,
        web: web.url,
        relay: relayUrl,
        trace: traceUrl,
        epcis: epcisUrl,
        ...(prometheusUrl === undefined ? {} : { prometheus: prometheusUrl }),
      },
      config,
      facts,
      ...(analytics === undefined ? {} : { analytics }),
      dir,
      pids,
      died,
      stop,
    };
  } catch (err) {
    signal?.removeEventListener("abort", abort);
    await stop();
    // What started while an abort's stop was under way.
    await web?.close().catch(() => undefined);
    for (const child of [...children].reverse()) await kill(child.process);
    if (signal?.aborted === true) throw new InputError("the stack's start was interrupted");
    throw err;
  }
}
