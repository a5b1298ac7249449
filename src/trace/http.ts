/**
 * The trace's HTTP face (node:http), for a dApp or a scanner:
 *
 *   GET /v1/trace/:lot[?direction=backward|forward|both][&format=json|svg]   (:lot an id, GTIN:LOT or an encoded link)
 *   GET /v1/trace?link=<GS1 Digital Link>[&direction=…][&format=…]          (or ?lot=<any lot reference>)
 *   GET /healthz                                                            ({ok, indexedTo})
 *
 * Answers JSON (`traceJson`) or SVG; every refusal is `{"error": "<one line>"}`: 400 for bad input, 404 for a lot
 * the index does not know or another path, 405 for another method. CORS is open (read-only data).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { Sql } from "../../indexer/db.js";
import { lotRef } from "../digital-link.js";
import { InputError } from "../units.js";
import { indexedBlock, LotNotIndexedError, traceDirection, traceLot } from "./queries.js";
import { traceSvg } from "./svg.js";
import { traceJson } from "./tree.js";

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, OPTIONS",
  "access-control-allow-headers": "content-type",
};

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...CORS });
  res.end(JSON.stringify(body) + "\n");
}

function refuse(res: ServerResponse, status: number, message: string): void {
  send(res, status, { error: message.split("\n")[0] });
}

function format(value: string | null): "json" | "svg" {
  if (value === null || value === "" || value === "json") return "json";
  if (value === "svg") return "svg";
  throw new InputError(`format "${value}" is not json or svg`);
}

async function trace(sql: Sql, res: ServerResponse, ref: string, params: URLSearchParams, what: string) {
  const lotId = lotRef(ref, what);
  const direction = traceDirection(params.get("direction") ?? undefined, "direction");
  const as = format(params.get("format"));
  const graph = await traceLot(sql, lotId, direction);
  if (as === "svg") {
    res.writeHead(200, { "content-type": "image/svg+xml; charset=utf-8", ...CORS });
    res.end(traceSvg(graph));
  } else {
    send(res, 200, traceJson(graph));
  }
}

async function handle(sql: Sql, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "OPTIONS") {
    res.writeHead(204, CORS);
    res.end();
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, OPTIONS");
    refuse(res, 405, `${req.method ?? "?"} is not allowed; use GET`);
    return;
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (path === "/healthz") {
    send(res, 200, { ok: true, indexedTo: { block: await indexedBlock(sql) } });
    return;
  }
  if (path === "/v1/trace") {
    const link = url.searchParams.get("link");
    const lot = url.searchParams.get("lot");
    if (link !== null) return trace(sql, res, link, url.searchParams, "link");
    if (lot !== null) return trace(sql, res, lot, url.searchParams, "lot");
    refuse(res, 400, "give ?link=<GS1 Digital Link> or ?lot=<lot id, GTIN:LOT or Digital Link>");
    return;
  }
  const m = /^\/v1\/trace\/(.+)$/.exec(path);
  if (m !== null) {
    let ref: string;
    try {
      ref = decodeURIComponent(m[1]!);
    } catch {
      throw new InputError(`lot "${m[1]}" is not valid percent-encoding`);
    }
    return trace(sql, res, ref, url.searchParams, "lot");
  }
  refuse(res, 404, `no such resource ${url.pathname} (GET /v1/trace/:lot, /v1/trace?link=…, /healthz)`);
}

/** The HTTP server of the trace API over `sql` (not listening yet). */
export function createTraceServer(sql: Sql): Server {
  return createServer((req, res) => {
    handle(sql, req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof LotNotIndexedError) refuse(res, 404, err.message);
      else if (err instanceof InputError) refuse(res, 400, err.message);
      else {
        const message = err instanceof Error ? err.message : String(err);
        refuse(res, 500, `the trace failed: ${message}`);
      }
    });
  });
}

export interface TraceService {
  server: Server;
  /** "http://127.0.0.1:8546" */
  url: string;
  close(): Promise<void>;
}

/** Starts the trace API on `host:port` (port 0: any free port). */
export async function listenTrace(sql: Sql, options: { host?: string; port?: number } = {}): Promise<TraceService> {
  const host = options.host ?? "127.0.0.1";
  const server = createTraceServer(sql);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    server,
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        server.closeAllConnections();
      }),
  };
}
