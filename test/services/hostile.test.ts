/**
 * The dApp's web server and the trace API under hostile requests (issue 17): `/rpc` passes only an explicit list of
 * JSON-RPC methods, as application/json, from the server's own Host and Origin (403 otherwise; `/api` takes the same
 * Host/Origin rule); the trace API answers bad input — an id beyond its column, broken percent-encoding — with a
 * one-line 400 and never passes the database's text to a client; a 413 is answered and then the connection closes
 * instead of reading an endless upload.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { openIndex, type Sql } from "../../src/index/db.js";
import { SCHEMA } from "../../src/index/schema.js";
import { analyticsRoutes } from "../../src/services/analytics/http.js";
import { RPC_METHODS, startStaticServer, type StaticServer } from "../../src/services/web/server.js";
import { listenTrace, type TraceService } from "../../src/services/trace/http.js";
import { rawUpload } from "../helpers/raw-http.js";
import { testWebConfig } from "../helpers/web-config-fixture.js";

/** A stand-in node: answers every JSON-RPC call with its method name, and counts what reached it. */
async function fakeNode(): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const parsed = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
      const calls = Array.isArray(parsed) ? parsed : [parsed];
      for (const c of calls) seen.push(c.method);
      const answers = calls.map((c) => ({ jsonrpc: "2.0", id: c.id, result: c.method }));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

/** A request through node:http, which sends the Host header it is given (fetch sets its own). */
function withHost(url: string, method: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const CONFIG = testWebConfig;

describe("web server and trace API under hostile requests", function () {
  this.timeout(60_000);
  let dist: string;
  let node: Awaited<ReturnType<typeof fakeNode>>;
  let web: StaticServer;
  let index: Sql;
  let trace: TraceService;

  before(async function () {
    dist = await mkdtemp(path.join(tmpdir(), "fishtrace-hostile-"));
    await writeFile(path.join(dist, "index.html"), "<!doctype html><title>x</title>\n");
    node = await fakeNode();
    index = await openIndex({ dir: "memory://" });
    await index.exec(SCHEMA);
    trace = await listenTrace(index, { port: 0, analytics: analyticsRoutes(index) });
    web = await startStaticServer({ root: dist, port: 0, config: CONFIG, nodeUrl: node.url, traceUrl: trace.url });
  });

  after(async function () {
    await web?.close();
    await trace?.close();
    await index?.close();
    await new Promise<void>((resolve) => node?.server.close(() => resolve()));
    await rm(dist, { recursive: true, force: true });
  });

  const rpc = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${web.url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: web.url, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("/rpc passes the read methods and eth_sendRawTransaction from the app's own page", async function () {
    for (const method of ["eth_chainId", "eth_call", "eth_getLogs", "eth_estimateGas", "eth_sendRawTransaction"]) {
      expect(RPC_METHODS.has(method), method).to.equal(true);
      const r = await rpc({ jsonrpc: "2.0", id: 1, method, params: [] });
      expect(r.status, method).to.equal(200);
      expect(((await r.json()) as { result: string }).result).to.equal(method);
    }
    const batch = await rpc([
      { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" },
      { jsonrpc: "2.0", id: 2, method: "eth_chainId" },
    ]);
    expect(batch.status).to.equal(200);
    // A page on localhost instead of 127.0.0.1 is the same server.
    const port = new URL(web.url).port;
    const local = await withHost(
      `${web.url}/rpc`,
      "POST",
      { host: `localhost:${port}`, origin: `http://localhost:${port}`, "content-type": "application/json" },
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }),
    );
    expect(local).to.equal(200);
  });

  it("/rpc refuses the node's admin, test and unlocked-account methods (403), alone or in a batch", async function () {
    const before = node.seen.length;
    for (const method of [
      "hardhat_setBalance",
      "hardhat_impersonateAccount",
      "eth_sendTransaction",
      "eth_sign",
      "eth_accounts",
      "personal_sign",
      "debug_traceTransaction",
      "evm_mine",
      "anvil_setCode",
    ]) {
      const r = await rpc({ jsonrpc: "2.0", id: 1, method, params: [] });
      expect(r.status, method).to.equal(403);
      const { error } = (await r.json()) as { error: string };
      expect(error).to.equal(`${method} is not allowed through /rpc (read methods and eth_sendRawTransaction only)`);
    }
    const batch = await rpc([
      { jsonrpc: "2.0", id: 1, method: "eth_chainId" },
      { jsonrpc: "2.0", id: 2, method: "evm_mine" },
    ]);
    expect(batch.status).to.equal(403);
    expect(node.seen.length, "nothing refused reached the node").to.equal(before);
  });

  it("/rpc refuses a foreign Origin, a foreign Host (DNS rebinding) and any type but application/json", async function () {
    const call = { jsonrpc: "2.0", id: 1, method: "eth_chainId" };
    const before = node.seen.length;
    const foreignOrigin = await rpc(call, { origin: "http://evil.example" });
    expect(foreignOrigin.status).to.equal(403);
    expect(((await foreignOrigin.json()) as { error: string }).error).to.match(/^Origin "http:\/\/evil.example"/);
    const port = new URL(web.url).port;
    const rebound = await withHost(
      `${web.url}/rpc`,
      "POST",
      { host: `evil.example:${port}`, "content-type": "application/json" },
      JSON.stringify(call),
    );
    expect(rebound, "a DNS-rebound Host without Origin").to.equal(403);
    const own = await withHost(
      `${web.url}/rpc`,
      "POST",
      { host: `127.0.0.1:${port}`, "content-type": "application/json" },
      JSON.stringify(call),
    );
    expect(own, "its own Host without Origin (curl)").to.equal(200);
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const r = await rpc(call, { "content-type": type });
      expect(r.status, type).to.equal(403);
    }
    const noType = await fetch(`${web.url}/rpc`, { method: "POST", body: new Blob([JSON.stringify(call)]) });
    expect(noType.status).to.equal(403);
    expect((await rpc("{not json")).status).to.equal(400);
    expect(node.seen.length, "nothing refused reached the node (one own-Host call did)").to.equal(before + 1);
  });

  it("/api takes the same Host and Origin rule", async function () {
    const port = new URL(web.url).port;
    expect((await fetch(`${web.url}/api/healthz`)).status).to.equal(200);
    const foreign = await fetch(`${web.url}/api/healthz`, { headers: { origin: "http://evil.example" } });
    expect(foreign.status).to.equal(403);
    expect(await withHost(`${web.url}/api/healthz`, "GET", { host: `evil.example:${port}` })).to.equal(403);
    expect(await withHost(`${web.url}/api/healthz`, "GET", { host: `localhost:${port}` })).to.equal(200);
  });

  it("/relay passes sponsored actions (JSON, the app's own page) to the relay and nothing else; 503 with none", async function () {
    const none = await fetch(`${web.url}/relay/v1/actions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: web.url },
      body: "{}",
    });
    expect(none.status).to.equal(503);
    expect(((await none.json()) as { error: string }).error).to.match(/^no relay runs beside this app/);

    const seen: string[] = [];
    const relay = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        seen.push(`${req.method ?? "?"} ${req.url ?? "?"}`);
        res.writeHead(req.method === "POST" ? 202 : 200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: "a1", state: "queued" }));
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    const web2 = await startStaticServer({
      root: dist,
      port: 0,
      config: CONFIG,
      nodeUrl: node.url,
      traceUrl: trace.url,
      relayUrl,
    });
    try {
      const post = (path: string, body: string, headers: Record<string, string> = {}) =>
        fetch(`${web2.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: web2.url, ...headers },
          body,
        });
      expect((await post("/relay/v1/actions", '{"from":"0x"}')).status).to.equal(202);
      expect((await fetch(`${web2.url}/relay/v1/actions/a1`)).status).to.equal(200);
      expect(seen).to.deep.equal(["POST /v1/actions", "GET /v1/actions/a1"]);

      expect((await post("/relay/v1/actions", "{}", { origin: "http://evil.example" })).status).to.equal(403);
      expect((await post("/relay/v1/actions", "{}", { "content-type": "text/plain" })).status).to.equal(415);
      expect((await post("/relay/v1/actions", "x".repeat(70_000))).status).to.equal(413);
      expect((await post("/relay/v1/qat/readings", "{}")).status).to.equal(404);
      expect((await post("/relay/v1/actions/a1", "{}")).status).to.equal(405);
      expect((await fetch(`${web2.url}/relay/v1/actions`)).status).to.equal(405);
      expect(seen, "nothing refused reached the relay").to.have.length(2);
    } finally {
      await web2.close();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });

  it("the trace API answers ids beyond its columns and broken encodings with a one-line 400, never a 500", async function () {
    for (const url of [
      "/v1/analytics/forecast?retailer=2147483648",
      `/v1/analytics/forecast?retailer=${(1n << 256n).toString()}`,
      "/v1/analytics/dispatch?hub=2147483648",
      `/v1/analytics/dispatch?hub=${(1n << 256n).toString()}`,
      "/v1/journey/%E0%A4%A",
      "/v1/trace/%ZZ",
      "/v1/participants/%ZZ",
      `/v1/journey/${(1n << 256n).toString()}`,
    ]) {
      const r = await fetch(trace.url + url);
      expect(r.status, url).to.equal(400);
      const { error } = (await r.json()) as { error: string };
      expect(error, url).to.not.include("\n");
      expect(error, url).to.not.match(/out of range|integer|syntax|relation|column/i);
    }
  });

  it("answers 413 to an endless chunked upload, then closes the connection and stops reading", async function () {
    const port = Number(new URL(web.url).port);
    const head =
      `POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      "Transfer-Encoding: chunked\r\n\r\n";
    const chunk = Buffer.from(`10000\r\n${"x".repeat(0x10000)}\r\n`);
    const started = Date.now();
    const result = await rawUpload(port, head, chunk, 8_000);
    expect(result.answer).to.match(/^HTTP\/1\.1 413 /);
    expect(result.closed, "the server closed the connection").to.equal(true);
    expect(Date.now() - started).to.be.below(5_000);
    expect(result.written).to.be.below(64 << 20);
  });

  it("answers 413 to a declared oversized body sent whole with Connection: close (no reset before the answer)", async function () {
    const port = Number(new URL(web.url).port);
    const size = 3 << 20;
    const head =
      `POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${size}\r\nConnection: close\r\n\r\n`;
    const body = Buffer.alloc(size, 0x20);
    const result = await rawUpload(port, head + body.toString("latin1"), Buffer.alloc(0), 5_000);
    expect(result.answer).to.match(/^HTTP\/1\.1 413 /);
    expect(result.answer).to.include("a JSON-RPC request is at most 1048576 bytes");
  });
});
