/**
 * The relay as deployed: a `hardhat node`, the relay as its own process (src/services/relay/main.ts) and a real Prometheus
 * (Debian's package) scraping it on 127.0.0.1. A device posts readings; the count the relay acknowledged is read
 * back through Prometheus's HTTP API, and the alert rules of monitoring/alerts.yml load against the live series.
 * Everything is started here and stopped by PID.
 */
import path from "node:path";

import { expect } from "chai";

import { signReading, type QatReading } from "../../src/core/qat.js";
import { freePort } from "../../src/tools/processes.js";
import { startRelayProcess, startStack, type RelayProcess, type Stack } from "../../src/tools/relay-stack.js";
import { startPrometheus, type RunningPrometheus } from "../helpers/prometheus.js";
import { post, wire } from "../helpers/relay-world.js";

describe("relay scraped by a real Prometheus", function () {
  this.timeout(180_000);
  let stack: Stack | undefined;
  let relay: RelayProcess | undefined;
  let prometheus: RunningPrometheus | undefined;

  before(async function () {
    stack = await startStack(1, 2);
    relay = await startRelayProcess(stack, path.join(stack.dir, "relay.sqlite"), await freePort(), [
      "--max-age",
      "0.1",
    ]);
    prometheus = await startPrometheus({
      targets: [relay.url.replace("http://", "")],
      ruleFiles: [path.join("monitoring", "alerts.yml")],
    });
  });

  after(async function () {
    await prometheus?.stop();
    await relay?.stop();
    await stack?.stop();
  });

  it("reads the relay's accepted-readings counter back through Prometheus's query API", async function () {
    const s = stack!;
    const device = s.devices[0]!;
    const now = Math.floor(Date.now() / 1000);
    const readings = await Promise.all(
      [1n, 2n, 3n].map(async (readingId) => {
        const reading: QatReading = {
          readingId,
          lotId: s.lots[0]!,
          species: "0x434f44",
          speciesConfidence: 96,
          grade: 10,
          gradeConfidence: 91,
          scannedAt: now - 30,
          device: device.address,
        };
        return wire({ reading, signature: await signReading(device, s.domain, reading) });
      }),
    );
    const answer = await post(`${relay!.url}/v1/qat/readings`, { readings });
    expect(answer.status, JSON.stringify(answer.json)).to.equal(202);

    const up = await prometheus!.waitFor('up{job="fishtrace-relay"} == 1', undefined, 30_000);
    expect(up).to.have.length(1);
    const accepted = await prometheus!.waitFor(
      'fishtrace_relay_readings_accepted_total{job="fishtrace-relay",kind="qat"}',
      (samples) => samples[0]?.value === 3,
      30_000,
    );
    expect(accepted[0]!.metric.instance).to.equal(relay!.url.replace("http://", ""));
    const gas = await prometheus!.waitFor(
      'fishtrace_relay_gas_used_total{kind="qat"}',
      (samples) => (samples[0]?.value ?? 0) > 0,
      30_000,
    );
    expect(gas[0]!.value).to.be.greaterThan(30_000);
    // The alert rules loaded and are evaluated against the live series; with the relay up and scraped,
    // FishTraceRelayDown is not firing.
    const rules = (await (await fetch(`${prometheus!.url}/api/v1/rules?type=alert`)).json()) as {
      data: { groups: { rules: { name: string; state: string; health: string }[] }[] };
    };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all.length).to.be.at.least(10);
    expect(all.every((r) => r.health !== "err")).to.equal(true);
    expect(all.find((r) => r.name === "FishTraceRelayDown")?.state).to.not.equal("firing");
  });
});
