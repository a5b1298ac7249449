/**
 * Monitoring of the relay: monitoring/prometheus.yml and the alert rules in monitoring/alerts.yml pass promtool, every
 * alert has unit tests in monitoring/alerts.test.yml that fire it and that must not, and the test harness
 * test/helpers/prometheus.ts runs a real Prometheus that scrapes a relay-style /metrics endpoint.
 *
 * promtool and prometheus come from Debian's `prometheus` package (`.ci/run` installs it). When they are missing these
 * tests fail, saying so; they never skip.
 */
import { spawn } from "node:child_process";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { z } from "zod";

import { stackPrometheusConfig } from "../../src/tools/local-stack.js";
import { RELAY_JOB, requireCommand, startPrometheus, type RunningPrometheus } from "../helpers/prometheus.js";

const CONFIG = "monitoring/prometheus.yml";
const ALERTS = "monitoring/alerts.yml";
const ALERT_TESTS = "monitoring/alerts.test.yml";

// js-yaml (a pinned devDependency) has no bundled types; it is typed here by what we use.
const require = createRequire(import.meta.url);
const yaml = require("js-yaml") as { load(text: string): unknown };

async function promtool(...args: string[]): Promise<{ code: number | null; output: string }> {
  const binary = await requireCommand("promtool");
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

const ruleFile = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(
        z.object({
          alert: z.string(),
          expr: z.string(),
          for: z.string().optional(),
          labels: z.object({ severity: z.enum(["critical", "warning"]) }),
          annotations: z.object({ summary: z.string().min(1), description: z.string().min(1) }),
        }),
      ),
    }),
  ),
});

const ruleTestFile = z.object({
  rule_files: z.array(z.string()),
  tests: z.array(
    z.object({
      name: z.string(),
      alert_rule_test: z.array(
        z.object({
          eval_time: z.string(),
          alertname: z.string(),
          exp_alerts: z
            .array(
              z.object({
                exp_labels: z.record(z.string(), z.string()),
                exp_annotations: z.record(z.string(), z.string()),
              }),
            )
            .optional(),
        }),
      ),
    }),
  ),
});

const promConfig = z.object({
  global: z.object({ scrape_interval: z.string() }),
  rule_files: z.array(z.string()),
  scrape_configs: z.array(
    z.object({ job_name: z.string(), static_configs: z.array(z.object({ targets: z.array(z.string()) })) }),
  ),
});

async function loadYaml<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  return schema.parse(yaml.load(await readFile(file, "utf8")));
}

/** The error `promise` rejects with; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

describe("monitoring: Prometheus configuration and alert rules", function () {
  this.timeout(60_000);
  let alerts: z.infer<typeof ruleFile>["groups"][number]["rules"];

  before(async function () {
    alerts = (await loadYaml(ALERTS, ruleFile)).groups.flatMap((group) => group.rules);
  });

  it("promtool check config passes and checks the rule file with every alert", async function () {
    const { code, output } = await promtool("check", "config", CONFIG);
    expect(code, output).to.equal(0);
    expect(output).to.include(`SUCCESS: ${CONFIG} is valid prometheus config file syntax`);
    expect(output).to.include("SUCCESS: 1 rule files found");
    expect(output).to.match(new RegExp(`Checking ${ALERTS}\\n\\s*SUCCESS: ${alerts.length} rules found`));
  });

  it("the local stack's generated config passes promtool and scrapes its relay and its analytics", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "fishtrace-stack-prom-"));
    try {
      const file = path.join(dir, "prometheus.yml");
      await writeFile(file, stackPrometheusConfig(18600, 18547));
      const { code, output } = await promtool("check", "config", file);
      expect(code, output).to.equal(0);
      expect(output).to.match(new RegExp(`SUCCESS: ${alerts.length} rules found`));
      const config = promConfig.parse(yaml.load(await readFile(file, "utf8")));
      const targets = Object.fromEntries(
        config.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((c) => c.targets)]),
      );
      expect(targets).to.deep.equal({
        [RELAY_JOB]: ["127.0.0.1:18600"],
        "fishtrace-analytics": ["127.0.0.1:18547"],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("scrapes the relay as job fishtrace-relay at 127.0.0.1:8600 and loads alerts.yml", async function () {
    const config = await loadYaml(CONFIG, promConfig);
    expect(config.rule_files).to.deep.equal(["alerts.yml"]);
    const jobs = config.scrape_configs.filter((job) => job.job_name === RELAY_JOB);
    expect(jobs).to.have.length(1);
    expect(jobs[0]!.static_configs.flatMap((c) => c.targets)).to.deep.equal(["127.0.0.1:8600"]);
  });

  it("promtool check rules passes", async function () {
    const { code, output } = await promtool("check", "rules", ALERTS);
    expect(code, output).to.equal(0);
    expect(output).to.include(`SUCCESS: ${alerts.length} rules found`);
  });

  it("promtool test rules passes", async function () {
    const { code, output } = await promtool("test", "rules", ALERT_TESTS);
    expect(code, output).to.equal(0);
    expect(output).to.include("SUCCESS");
  });

  it("every alert has a severity, a summary and a description stating its threshold", function () {
    const names = alerts.map((rule) => rule.alert);
    expect(names).to.include.members([
      "FishTraceRelayDown",
      "FishTraceRelayBacklogGrowing",
      "FishTraceRelayRpcErrors",
      "FishTraceRelayNoSensorReadings",
      "FishTraceRelayNoQatReadings",
      "FishTraceRelayReadingsRefused",
      "FishTraceRelayTransactionsReverted",
      "FishTraceSpeciesMismatchBurst",
      "FishTraceFreshnessWarningBurst",
      "FishTraceExcursionBurst",
    ]);
    expect(new Set(names).size, "alert names are unique").to.equal(names.length);
    for (const rule of alerts) expect(rule.annotations.description, rule.alert).to.match(/\(alert: [^)]+\)/);
  });

  it("every alert has a test that fires it (labels and annotations checked) and one where it must not fire", async function () {
    const suite = await loadYaml(ALERT_TESTS, ruleTestFile);
    expect(suite.rule_files).to.deep.equal(["alerts.yml"]);
    const cases = suite.tests.flatMap((test) => test.alert_rule_test);
    const names = new Set(alerts.map((rule) => rule.alert));
    for (const c of cases)
      expect(names, `alerts.test.yml tests an unknown alert ${c.alertname}`).to.include(c.alertname);
    for (const rule of alerts) {
      const own = cases.filter((c) => c.alertname === rule.alert);
      const firing = own.flatMap((c) => c.exp_alerts ?? []);
      expect(firing, `${rule.alert}: no test expects it to fire`).to.not.be.empty;
      expect(
        own.filter((c) => (c.exp_alerts ?? []).length === 0),
        `${rule.alert}: no test where it must not fire`,
      ).to.not.be.empty;
      for (const alert of firing) {
        expect(alert.exp_labels.severity, rule.alert).to.equal(rule.labels.severity);
        expect(alert.exp_annotations, rule.alert).to.have.all.keys("summary", "description");
      }
    }
  });
});

describe("monitoring: test/helpers/prometheus.ts runs a real Prometheus", function () {
  this.timeout(60_000);
  let server: Server | undefined;
  let target: string;
  let prometheus: RunningPrometheus | undefined;
  let source: string;

  before(async function () {
    // What the relay serves on GET /metrics: prom-client's exposition, or the same counter by hand without it.
    let contentType = "text/plain; version=0.0.4; charset=utf-8";
    let body = async () =>
      [
        "# HELP fishtrace_relay_readings_accepted_total Readings durably stored and acknowledged.",
        "# TYPE fishtrace_relay_readings_accepted_total counter",
        'fishtrace_relay_readings_accepted_total{kind="qat"} 7',
        "",
      ].join("\n");
    source = "hand-written exposition";
    const promClient = await access("node_modules/prom-client").then(
      () => import("prom-client"),
      () => undefined,
    );
    if (promClient !== undefined) {
      const registry = new promClient.Registry();
      const accepted = new promClient.Counter({
        name: "fishtrace_relay_readings_accepted_total",
        help: "Readings durably stored and acknowledged.",
        labelNames: ["kind"] as const,
        registers: [registry],
      });
      accepted.inc({ kind: "qat" }, 7);
      contentType = registry.contentType;
      body = () => registry.metrics();
      source = "prom-client";
    }

    const metrics = createServer((request, response) => {
      if (request.method !== "GET" || request.url !== "/metrics") {
        response.writeHead(404).end();
        return;
      }
      body().then(
        (text) => response.writeHead(200, { "Content-Type": contentType }).end(text),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    });
    server = metrics;
    await new Promise<void>((resolve) => metrics.listen(0, "127.0.0.1", resolve));
    const { port } = metrics.address() as { port: number };
    target = `127.0.0.1:${port}`;
  });

  after(async function () {
    await prometheus?.stop();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("scrapes the relay's counter and reads it back through the HTTP API", async function () {
    prometheus = await startPrometheus({ targets: [target], ruleFiles: [ALERTS] });
    expect(prometheus.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(alive(prometheus.pid)).to.equal(true);

    const [up] = await prometheus.waitFor(`up{job="${RELAY_JOB}"}`, (s) => s.length === 1, 20_000);
    expect(up!.metric.instance).to.equal(target);
    const samples = await prometheus.waitFor(
      "fishtrace_relay_readings_accepted_total",
      (s) => s.length === 1 && s[0]!.value === 7,
      20_000,
    );
    expect(samples[0]!.metric, source).to.deep.include({
      __name__: "fishtrace_relay_readings_accepted_total",
      job: RELAY_JOB,
      instance: target,
      kind: "qat",
    });
    expect((await prometheus.query(`up{job="${RELAY_JOB}"}`))[0]!.value).to.equal(1);
    const [scalar] = await prometheus.query("1 + 1");
    expect(scalar).to.deep.include({ metric: {}, value: 2 });
    expect((await rejection(prometheus.query("rate("))).message).to.match(/^query rate\(: bad_data: /);
  });

  it("stop() ends Prometheus by PID and removes its temporary directory", async function () {
    expect(prometheus, "started by the previous test").to.not.equal(undefined);
    const { pid, dir, url } = prometheus!;
    await prometheus!.stop();
    expect(alive(pid), `pid ${pid} still running`).to.equal(false);
    expect((await rejection(access(dir))).message).to.include("ENOENT");
    await rejection(fetch(`${url}/-/ready`)); // nothing listens there any more
    await prometheus!.stop(); // a second stop is a no-op
  });

  it("names the package to install when the binary is missing", async function () {
    const error = await rejection(startPrometheus({ targets: [target], binary: "fishtrace-no-such-prometheus" }));
    expect(error.message).to.equal(
      "fishtrace-no-such-prometheus not found on PATH: install it with `apt-get install prometheus`",
    );
  });
});
