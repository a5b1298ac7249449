/**
 * The local stack (src/tools/local-stack.ts) for real: a hardhat node seeded by the demo, the relay, the trace API and the
 * web server on free ports, with a stand-in web/dist (a one-line index.html) so it does not depend on the dApp's
 * build; then `stop()` ends every process it started. And the web server (src/services/web/server.ts) alone.
 */
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { startLocalStack, type LocalStack } from "../../src/tools/local-stack.js";
import { CONTENT_SECURITY_POLICY, startStaticServer, type StaticServer } from "../../src/services/web/server.js";
import type { JourneyJson } from "../../src/core/api/journey-json.js";
import type { WebConfig } from "../../src/core/api/web-config.js";
import { testWebConfig } from "../helpers/web-config-fixture.js";

const INDEX = "<!doctype html><title>FishTrace stand-in</title><p>stand-in</p>\n";

/** Whether a process with this PID is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function standInDist(): Promise<string> {
  const dist = await mkdtemp(path.join(tmpdir(), "fishtrace-dist-"));
  await mkdir(path.join(dist, "assets"));
  await writeFile(path.join(dist, "index.html"), INDEX);
  await writeFile(path.join(dist, "assets", "app-1234.js"), "console.log('app');\n");
  return dist;
}

describe("static server", function () {
  let dist: string;
  let server: StaticServer;
  const config = testWebConfig;

  before(async function () {
    dist = await standInDist();
    // Nothing listens on port 1: the proxies answer 502.
    server = await startStaticServer({
      root: dist,
      port: 0,
      config,
      nodeUrl: "http://127.0.0.1:1",
      traceUrl: "http://127.0.0.1:1",
    });
  });
  after(async function () {
    await server?.close();
    await rm(dist, { recursive: true, force: true });
  });

  it("serves files, falls back to index.html for the app's routes, with the CSP; 404 otherwise", async function () {
    for (const route of ["/", "/01/07038010123450/10/L1", "/lot/1", "/label/01/07038010123450/10/L1", "/actor"]) {
      const r = await fetch(server.url + route);
      expect(r.status, route).to.equal(200);
      expect(r.headers.get("content-type"), route).to.match(/^text\/html/);
      expect(r.headers.get("content-security-policy")).to.equal(CONTENT_SECURITY_POLICY);
      expect(await r.text()).to.equal(INDEX);
    }
    const asset = await fetch(server.url + "/assets/app-1234.js");
    expect(asset.headers.get("content-type")).to.match(/^text\/javascript/);
    expect(asset.headers.get("cache-control")).to.include("immutable");
    for (const p of ["/nope.js", "/assets/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/actors"]) {
      const r = await fetch(server.url + p);
      expect(r.status, p).to.equal(404);
    }
    const config = (await (await fetch(server.url + "/config.json")).json()) as WebConfig;
    expect(config.linkBase).to.equal(server.url);
    expect(config.rpcUrl).to.equal("/rpc");
  });

  it("answers a one-line error when a proxied service is down, and refuses other methods", async function () {
    const rpc = await fetch(server.url + "/rpc", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }),
    });
    expect(rpc.status).to.equal(502);
    expect(((await rpc.json()) as { error: string }).error).to.match(/^the node did not answer/);
    expect((await fetch(server.url + "/rpc")).status).to.equal(405);
    const api = await fetch(server.url + "/api/v1/journey/1");
    expect(api.status).to.equal(502);
    expect((await fetch(server.url + "/", { method: "DELETE" })).status).to.equal(405);
  });

  it("answers 413 with a one-line error to a JSON-RPC body over 1 MiB (the answer reaches the client)", async function () {
    const big = "x".repeat((1 << 20) + 1);
    const r = await fetch(server.url + "/rpc", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big,
    });
    expect(r.status).to.equal(413);
    expect(((await r.json()) as { error: string }).error).to.equal("a JSON-RPC request is at most 1048576 bytes");
  });
});

describe("local stack", function () {
  this.timeout(300_000);
  let stack: LocalStack | undefined;
  let dist: string;

  before(async function () {
    dist = await standInDist();
    stack = await startLocalStack({
      ports: { node: 0, web: 0, relay: 0, trace: 0, epcis: 0, prometheus: 0 },
      seed: "demo",
      analytics: false,
      prometheus: false,
      webDist: dist,
      dir: path.join(dist, "stack"),
    });
  });
  after(async function () {
    await stack?.stop();
    await rm(dist, { recursive: true, force: true });
  });

  it("serves the config, the app, the node through /rpc and a demo pack's journey through /api", async function () {
    const s = stack!;
    const config = (await (await fetch(s.urls.web + "/config.json")).json()) as WebConfig;
    expect(config).to.deep.equal(s.config);
    expect(config).to.deep.include({
      chainId: 31337,
      rpcUrl: "/rpc",
      traceApi: "/api",
      linkBase: s.urls.web,
      resolverBase: s.urls.epcis,
    });
    expect(config.walletRpcUrl).to.equal(s.urls.node);
    expect(config.addresses).to.deep.equal(s.facts.addresses);
    // `analytics: false`: the story only, no analytics data after it.
    expect(s.analytics).to.equal(undefined);

    const page = await fetch(`${s.urls.web}/01/07038010123450/10/L2026-11-001`);
    expect(await page.text()).to.equal(INDEX);

    const rpc = await fetch(s.urls.web + "/rpc", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    expect(((await rpc.json()) as { result: string }).result).to.equal("0x7a69");

    expect(s.facts.packs).to.have.length(2);
    expect(s.facts.accounts.vessel.index).to.equal(1);
    const recalled = s.facts.packs.find((p) => p.recalled)!;
    expect(recalled.speciesMismatch).to.equal(true);
    // The trace API indexes the demo's chain on start; ask until it answers (it syncs every 2 s).
    let journey: JourneyJson | undefined;
    for (let i = 0; i < 30 && journey === undefined; i++) {
      const r = await fetch(`${s.urls.web}/api/v1/journey/${encodeURIComponent(recalled.digitalLink)}`);
      if (r.status === 200) journey = (await r.json()) as JourneyJson;
      else await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(journey?.lotId).to.equal(recalled.lotId);
    expect(journey?.alarms.map((a) => a.kind)).to.include.members(["recalled", "species_mismatch"]);

    const health = (await (await fetch(s.urls.relay + "/healthz")).json()) as Record<string, unknown>;
    expect(health).to.be.an("object");

    // The EPCIS service follows the same chain: the recalled pack's events, and the resolver's way to its journey.
    const pack = `/01/${recalled.gtin}/10/${encodeURIComponent(recalled.lotNumber)}`;
    const query = `${s.urls.epcis}/epcis/events?MATCH_anyEPCClass=${encodeURIComponent(`https://id.gs1.org${pack}`)}`;
    let events: { disposition?: string }[] = [];
    for (let i = 0; i < 30 && events.length === 0; i++) {
      const r = await fetch(query);
      if (r.status === 200) {
        const doc = (await r.json()) as { epcisBody: { queryResults: { resultsBody: { eventList: typeof events } } } };
        events = doc.epcisBody.queryResults.resultsBody.eventList;
      }
      if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(events.map((e) => e.disposition)).to.include("recalled");
    // A label's QR code (web/src/label/label.ts: `${resolverBase}/01/{gtin}/10/{lot}`) leads a browser through the
    // resolver to the dApp's journey page.
    const label = `${config.resolverBase}${pack}`;
    const resolved = await fetch(label, { redirect: "manual" });
    expect(resolved.status).to.equal(307);
    expect(resolved.headers.get("location")).to.equal(`${s.urls.web}${pack}`);
    const landed = await fetch(label, { headers: { accept: "text/html" } });
    expect(landed.url).to.equal(`${s.urls.web}${pack}`);
    expect(await landed.text()).to.equal(INDEX);
  });

  it("stop() ends every process it started and removes its files", async function () {
    const s = stack!;
    const pids = Object.values(s.pids);
    expect(pids).to.have.length(4);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).to.equal(true);
    await s.stop();
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).to.equal(false);
    // Nothing of the process groups is left either (hardhat's CLI runs in the leader itself).
    for (const pid of pids) {
      expect(() => process.kill(-pid, 0), `group ${pid}`).to.throw();
    }
    await s.stop(); // twice is fine
    const web = await fetch(s.urls.web + "/config.json").catch((err: unknown) => err);
    expect(web).to.be.instanceOf(Error);
    stack = undefined;
  });
});
