/**
 * The trace's HTTP face (node:http), for a dApp or a scanner:
 *
 *   GET /v1/trace/:lot[?direction=backward|forward|both][&format=json|svg]   (:lot an id, GTIN:LOT or an encoded link)
 *   GET /v1/trace?link=<GS1 Digital Link>[&direction=…][&format=…]          (or ?lot=<any lot reference>)
 *   GET /v1/journey/:lot[?offset=0][&limit=2000]                            (JourneyJson: trace, events, alarms;
 *                                                                           scans and readings paged, eventPage)
 *   GET /v1/journey?link=<GS1 Digital Link>                                 (or ?lot=<any lot reference>)
 *   GET /v1/participants/:account                                           (ParticipantJson: held lots, open orders)
 *   GET /healthz                                                            ({ok, indexedTo})
 *
 * Answers JSON (`traceJson`, src/core/api/journey-json.ts) or SVG; every refusal is `{"error": "<one line>"}`: 400 for
 * bad input, 404 for a lot the index does not know or another path, 405 for another method, 503 (retry-after) when
 * the endpoint already runs `concurrency` requests and `waiting` more wait. CORS is open by choice (src/services/http/json.ts:
 * read-only data, no cookies). /healthz answers from a cached index position, never behind the queue.
 *
 * Each answer is in the caller's scope (src/services/auth/: `Authorization: Bearer <API key>` or `x-api-key`;
 * none: public — no prices, no orders, parties by role); an unknown or revoked key is 401.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import type { Sql } from "../../index/db.js";
import { BusyError, Gates } from "../http/limit.js";
import { CORS, refuse, send } from "../http/json.js";
import { listeningAddress } from "../http/server.js";
import type { AnalyticsHandler } from "../analytics/http.js";
import { lotRef } from "../../core/digital-link.js";
import { InputError } from "../../core/input-error.js";
import { wholeNumber } from "../../core/units.js";
import { JOURNEY_PAGE_MAX } from "../../core/api/journey-json.js";
import { loadJourneyJson, loadParticipantJson } from "./journey-api.js";
import { indexedBlock, indexedChain, LotNotIndexedError, traceDirection, traceLot } from "../../index/trace.js";
import { traceSvg } from "../../core/trace/svg.js";
import { traceJson } from "../../core/trace/tree.js";
import { scopeResolver, UnauthorizedError, WWW_AUTHENTICATE, type ScopeOf } from "../auth/scope.js";
import { traceAccess, viewGraph, viewJson, type TraceAccess } from "../auth/trace-scope.js";

function format(value: string | null): "json" | "svg" {
  if (value === null || value === "" || value === "json") return "json";
  if (value === "svg") return "svg";
  throw new InputError(`format "${value}" is not json or svg`);
}

async function trace(
  sql: Sql,
  res: ServerResponse,
  ref: string,
  params: URLSearchParams,
  what: string,
  access: TraceAccess,
) {
  const lotId = lotRef(ref, what);
  const direction = traceDirection(params.get("direction") ?? undefined, "direction");
  const as = format(params.get("format"));
  const graph = await viewGraph(sql, await traceLot(sql, lotId, direction), access.ofLot(lotId));
  if (as === "svg") {
    res.writeHead(200, { "content-type": "image/svg+xml; charset=utf-8", ...CORS });
    res.end(traceSvg(graph));
  } else {
    send(res, 200, traceJson(graph));
  }
}

/** What the server needs besides the index. */
export interface TraceServerOptions {
  /** The chain the index was built from, which the journey JSON names (default: read from the index's cursor). */
  chainId?: bigint | number;
  /** The analytics routes (src/services/analytics/http.ts), answered under /v1/analytics. */
  analytics?: AnalyticsHandler;
  /** Requests of one endpoint (trace, journey, participants, each analytics route) run at once (default 4). */
  concurrency?: number;
  /** Requests of one endpoint waiting their turn beyond those (default 32); more are answered 503. */
  waiting?: number;
}

const CONCURRENCY = 4;
const WAITING = 32;

/** A path segment, percent-decoded. */
function decoded(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InputError(`${what} "${segment}" is not valid percent-encoding`);
  }
}

/** A whole-number query parameter `0..max`, or undefined when absent. */
function countParam(params: URLSearchParams, name: string, max: number): number | undefined {
  const value = params.get(name);
  return value === null ? undefined : wholeNumber(value, name, max);
}

async function journey(
  sql: Sql,
  res: ServerResponse,
  ref: string,
  what: string,
  params: URLSearchParams,
  options: TraceServerOptions,
  access: TraceAccess,
) {
  const lotId = lotRef(ref, what);
  const offset = countParam(params, "offset", Number.MAX_SAFE_INTEGER);
  const limit = countParam(params, "limit", JOURNEY_PAGE_MAX);
  if (limit === 0) throw new InputError(`limit 0 is not a page size (1..${JOURNEY_PAGE_MAX})`);
  const page = { ...(offset === undefined ? {} : { offset }), ...(limit === undefined ? {} : { limit }) };
  const json = await loadJourneyJson(sql, lotId, options.chainId ?? (await indexedChain(sql)), page);
  send(res, 200, await viewJson(sql, json, access.ofLot(lotId)));
}

/**
 * /healthz from what the server knows: the indexed block read at most once a second in the background, so health
 * answers at once however busy the index is.
 */
function healthOf(sql: Sql): () => Promise<{ ok: boolean; indexedTo: { block: number | null } }> {
  let known: number | null | undefined;
  let at = 0;
  let reading: Promise<void> | undefined;
  const refresh = () =>
    (reading ??= indexedBlock(sql)
      .then((block) => {
        known = block;
        at = Date.now();
      })
      .catch(() => undefined)
      .finally(() => (reading = undefined)));
  void refresh();
  return async () => {
    if (known === undefined) await refresh();
    else if (Date.now() - at > 1_000) void refresh();
    return { ok: known !== undefined, indexedTo: { block: known ?? null } };
  };
}

/** The endpoint a path belongs to, for its concurrency limit. */
function endpointOf(path: string): string {
  return /^\/v1\/(trace|journey|participants|analytics\/[a-z]+)/.exec(path)?.[1] ?? "other";
}

async function handle(
  sql: Sql,
  req: IncomingMessage,
  res: ServerResponse,
  options: TraceServerOptions,
  gates: Gates,
  health: ReturnType<typeof healthOf>,
  scopeOf: ScopeOf,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname.replace(/\/+$/, "") === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
    send(res, 200, await health());
    return;
  }
  await gates
    .of(endpointOf(url.pathname))
    .run(async () => route(sql, req, res, url, options, await traceAccess(sql, await scopeOf(req))));
}

async function route(
  sql: Sql,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: TraceServerOptions,
  access: TraceAccess,
): Promise<void> {
  if (req.method === "OPTIONS") {
    res.writeHead(204, { ...CORS, "access-control-allow-headers": "content-type, authorization, x-api-key" });
    res.end();
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, OPTIONS");
    refuse(res, 405, `${req.method ?? "?"} is not allowed; use GET`);
    return;
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (options.analytics !== undefined && (await options.analytics(req, res, url))) return;
  if (path === "/v1/trace") {
    const link = url.searchParams.get("link");
    const lot = url.searchParams.get("lot");
    if (link !== null) return trace(sql, res, link, url.searchParams, "link", access);
    if (lot !== null) return trace(sql, res, lot, url.searchParams, "lot", access);
    refuse(res, 400, "give ?link=<GS1 Digital Link> or ?lot=<lot id, GTIN:LOT or Digital Link>");
    return;
  }
  const traced = /^\/v1\/trace\/(.+)$/.exec(path)?.[1];
  if (traced !== undefined) return trace(sql, res, decoded(traced, "lot"), url.searchParams, "lot", access);
  if (path === "/v1/journey") {
    const link = url.searchParams.get("link");
    const lot = url.searchParams.get("lot");
    if (link !== null) return journey(sql, res, link, "link", url.searchParams, options, access);
    if (lot !== null) return journey(sql, res, lot, "lot", url.searchParams, options, access);
    refuse(res, 400, "give ?link=<GS1 Digital Link> or ?lot=<lot id, GTIN:LOT or Digital Link>");
    return;
  }
  const journeyed = /^\/v1\/journey\/(.+)$/.exec(path)?.[1];
  if (journeyed !== undefined) {
    return journey(sql, res, decoded(journeyed, "lot"), "lot", url.searchParams, options, access);
  }
  const account = /^\/v1\/participants\/([^/]+)$/.exec(path)?.[1];
  if (account !== undefined) {
    const json = await loadParticipantJson(sql, decoded(account, "account"));
    send(res, 200, await viewJson(sql, json, await access.ofAccount(json.account)));
    return;
  }
  refuse(
    res,
    404,
    `no such resource ${url.pathname} (GET /v1/trace/:lot, /v1/journey/:lot, /v1/participants/:account, /v1/analytics/…, /healthz)`,
  );
}

/** The HTTP server of the trace API over `sql`, built from chain `options.chainId` (not listening yet). */
export function createTraceServer(sql: Sql, options: TraceServerOptions = {}): Server {
  const gates = new Gates(options.concurrency ?? CONCURRENCY, options.waiting ?? WAITING);
  const health = healthOf(sql);
  const scopeOf = scopeResolver(sql);
  return createServer((req, res) => {
    handle(sql, req, res, options, gates, health, scopeOf).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof BusyError) {
        res.setHeader("retry-after", String(err.retryAfterSeconds));
        refuse(res, 503, err.message);
      } else if (err instanceof UnauthorizedError) {
        res.setHeader("www-authenticate", WWW_AUTHENTICATE);
        refuse(res, 401, err.message);
      } else if (err instanceof LotNotIndexedError) refuse(res, 404, err.message);
      else if (err instanceof InputError) refuse(res, 400, err.message);
      else {
        // The detail (a database message, a stack) goes to the log, never to the client.
        console.error(
          `trace API: ${req.method ?? "?"} ${req.url ?? "?"}: ${err instanceof Error ? err.stack : String(err)}`,
        );
        refuse(res, 500, "the trace failed (the server's log says why)");
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
export async function listenTrace(
  sql: Sql,
  options: TraceServerOptions & { host?: string; port?: number } = {},
): Promise<TraceService> {
  const host = options.host ?? "127.0.0.1";
  const { host: _host, port: _port, ...serverOptions } = options;
  const server = createTraceServer(sql, serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = listeningAddress(server);
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
