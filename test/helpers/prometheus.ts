/**
 * A real Prometheus for tests: `startPrometheus({ targets: ["127.0.0.1:8600"] })` writes a temporary configuration
 * (job `fishtrace-relay`, scraped every second) and TSDB directory, starts the `prometheus` binary on 127.0.0.1 on a
 * free port, waits until it is ready and answers PromQL through its HTTP API. `stop()` ends it by PID (SIGTERM, then
 * SIGKILL) and removes the temporary files. The binary comes from Debian's `prometheus` package (`.ci/run` installs
 * it); nothing here skips when it is missing: the error says what to install.
 *
 * Prometheus 2.42 is ready within a fraction of a second but hands its targets to the scrape manager only every 5 s,
 * so the first samples arrive about 5 s after start: give `waitFor` 10 s or more (its default is 30 s).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { z } from "zod";

import { freePort } from "../../src/tools/processes.js";

/** The job name the relay is scraped under, here and in monitoring/prometheus.yml (alerts.yml selects on it). */
export const RELAY_JOB = "fishtrace-relay";

/** One element of a query result: an instant-vector sample, or a scalar (empty `metric`). */
export interface Sample {
  metric: Record<string, string>;
  value: number;
  /** Unix time in seconds. */
  timestamp: number;
}

export interface PrometheusOptions {
  /** Scrape targets, "host:port" (e.g. "127.0.0.1:8600"), all in job `fishtrace-relay`. */
  targets: string[];
  /** Scrape and rule-evaluation interval, a Prometheus duration. Default "1s". */
  scrapeInterval?: string;
  /** Rule files to load (e.g. monitoring/alerts.yml); relative paths are taken from the working directory. */
  ruleFiles?: string[];
  /** The binary to run. Default "prometheus", looked up on PATH. */
  binary?: string;
  /** How long to wait for /-/ready. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  /** The temporary directory holding the configuration and the TSDB; removed by stop(). */
  dir: string;
  /** Evaluates `expr` now (GET /api/v1/query); throws on a PromQL error. */
  query(expr: string): Promise<Sample[]>;
  /** Polls `expr` until `predicate` holds (default: a non-empty result) and returns that result; throws on timeout. */
  waitFor(expr: string, predicate?: (samples: Sample[]) => boolean, timeoutMs?: number): Promise<Sample[]>;
  /** SIGTERM, SIGKILL after `timeoutMs` (default 10 s), waits for the exit, removes `dir`. Safe to call twice. */
  stop(timeoutMs?: number): Promise<void>;
}

export { freePort };

/**
 * The absolute path of `command` on PATH (or `command` itself when it contains a slash and is executable). Throws a
 * one-line error naming the Debian package to install when it is missing.
 */
export async function requireCommand(command: string, debianPackage = "prometheus"): Promise<string> {
  const candidates = command.includes("/")
    ? [command]
    : (process.env.PATH ?? "")
        .split(path.delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${command} not found on PATH: install it with \`apt-get install ${debianPackage}\``);
}

const duration = /^(\d+(ms|s|m|h|d|w|y))+$/;
const hostPort = /^[A-Za-z0-9.:[\]-]+:\d{1,5}$/;

/** The configuration Prometheus runs with: one job, the targets given, scraped and evaluated every `interval`. */
export function prometheusConfig(targets: string[], interval: string, ruleFiles: string[]): string {
  const lines = [
    "global:",
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${interval}`,
  ];
  if (ruleFiles.length > 0) lines.push("rule_files:", ...ruleFiles.map((file) => `  - ${JSON.stringify(file)}`));
  lines.push(
    "scrape_configs:",
    `  - job_name: ${RELAY_JOB}`,
    "    metrics_path: /metrics",
    "    static_configs:",
    `      - targets: [${targets.map((target) => JSON.stringify(target)).join(", ")}]`,
  );
  return lines.join("\n") + "\n";
}

const queryResponse = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({
        resultType: z.literal("vector"),
        result: z.array(
          z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) }),
        ),
      }),
      z.object({ resultType: z.literal("scalar"), result: z.tuple([z.number(), z.string()]) }),
      z.object({ resultType: z.literal("string"), result: z.tuple([z.number(), z.string()]) }),
      z.object({ resultType: z.literal("matrix"), result: z.array(z.unknown()) }),
    ]),
  }),
  z.object({ status: z.literal("error"), errorType: z.string(), error: z.string() }),
]);

/** Prometheus writes sample values as strings, with "+Inf", "-Inf" and "NaN" spelled its own way. */
function sampleValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when the child has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts Prometheus on a free port and resolves once it answers /-/ready; retries when the port was taken meanwhile. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const interval = options.scrapeInterval ?? "1s";
  if (!duration.test(interval)) throw new Error(`scrapeInterval ${interval} is not a Prometheus duration (e.g. 1s)`);
  if (options.targets.length === 0) throw new Error("startPrometheus needs at least one target");
  for (const target of options.targets) {
    if (!hostPort.test(target)) throw new Error(`target ${target} is not host:port`);
  }
  const binary = await requireCommand(options.binary ?? "prometheus");

  const dir = await mkdtemp(path.join(tmpdir(), "fishtrace-prometheus-"));
  try {
    const configFile = path.join(dir, "prometheus.yml");
    const ruleFiles = (options.ruleFiles ?? []).map((file) => path.resolve(file));
    await writeFile(configFile, prometheusConfig(options.targets, interval, ruleFiles));
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(binary, configFile, dir, options.readyTimeoutMs ?? 30_000);
      } catch (error) {
        if (attempt < 3 && error instanceof PortTaken) continue;
        throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

class PortTaken extends Error {}

async function launch(binary: string, configFile: string, dir: string, readyTimeoutMs: number) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  await spawned;
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${binary} did not start`);

  let stopped: Promise<void> | undefined;
  const stop = (timeoutMs = 10_000): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killed = await Promise.race([exited(child).then(() => false), sleep(timeoutMs).then(() => true)]);
        if (killed) {
          child.kill("SIGKILL");
          await exited(child);
        }
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  // Wait for /-/ready, or for the process to give up (bad configuration, port taken).
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const message = `prometheus exited before it was ready (${child.exitCode ?? child.signalCode}): ${output.trim()}`;
      // Only the child is cleaned up here; startPrometheus removes `dir` (or reuses it for a retry).
      if (/address already in use/.test(output)) throw new PortTaken(message);
      throw new Error(message);
    }
    try {
      const response = await fetch(`${url}/-/ready`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await exited(child);
      throw new Error(`prometheus not ready at ${url} after ${readyTimeoutMs} ms: ${output.trim()}`);
    }
    await sleep(100);
  }

  const query = async (expr: string): Promise<Sample[]> => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    const body = queryResponse.parse(await response.json());
    if (body.status === "error") throw new Error(`query ${expr}: ${body.errorType}: ${body.error}`);
    const { data } = body;
    switch (data.resultType) {
      case "vector":
        return data.result.map(({ metric, value: [timestamp, value] }) => ({
          metric,
          value: sampleValue(value),
          timestamp,
        }));
      case "scalar":
        return [{ metric: {}, value: sampleValue(data.result[1]), timestamp: data.result[0] }];
      default:
        throw new Error(`query ${expr}: a ${data.resultType} result, not an instant vector or scalar`);
    }
  };

  const waitFor = async (
    expr: string,
    predicate: (samples: Sample[]) => boolean = (samples) => samples.length > 0,
    timeoutMs = 30_000,
  ): Promise<Sample[]> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const samples = await query(expr);
      if (predicate(samples)) return samples;
      if (Date.now() > until) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${expr}; last result ${JSON.stringify(samples)}`);
      }
      await sleep(250);
    }
  };

  return { url, pid, dir, query, waitFor, stop };
}
