/**
 * The EPCIS 2.0 query interface over HTTP (GS1's REST binding, `standards/epcis-openapi.json`), under /epcis, from
 * the materialised store (store.ts):
 *
 *   GET  /epcis/events[?<query parameters>][&perPage=30][&nextPageToken=…]    EPCISQueryDocument, Link rel="next"
 *   GET  /epcis/events/{eventID}                                               (the eventID URL-encoded)
 *   GET  /epcis/eventTypes | /epcis/eventTypes/{type} | …/{type}/events
 *   GET  /epcis/epcs | /epcis/epcs/{epc} | …/{epc}/events                      (FishTrace's lots are EPC classes:
 *                                                                               {epc} matches EPCs and classes)
 *   GET  /epcis/bizSteps | /epcis/bizLocations | /epcis/readPoints | /epcis/dispositions, each /{value}[/events]
 *   GET  /epcis/queries | POST /epcis/queries ({"name", "query"})
 *   GET  /epcis/queries/{name} | DELETE /epcis/queries/{name} | GET /epcis/queries/{name}/events
 *   GET|POST /epcis/queries/{name}/subscriptions, GET|DELETE …/subscriptions/{id}   (subscription-routes.ts)
 *   OPTIONS on any of them: 204 with Allow and the version headers
 *   POST /epcis/capture | GET /epcis/capture[/{captureID}] | GET /epcis/events/{eventID}/proof   (capture-http.ts)
 *   GET  /healthz                                                              ({ok, events}: the store's size)
 *
 * Every answer carries GS1-EPCIS-Version and GS1-CBV-Version (2.0.0); documents and collections are
 * application/json, refusals application/problem+json with the OpenAPI's exception types (problem.ts) — never a
 * stack trace. Each endpoint runs at most `concurrency` requests at once (503 beyond `waiting` more).
 *
 * Every request is answered in its caller's scope (src/services/auth/), resolved once and carried in the context
 * (`ctx.access`): the scope's condition is added to every selection, its view applied to every event, and page
 * tokens are bound to it; an unknown or revoked key is 401 SecurityException.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import type { Sql } from "../../index/db.js";
import { EPCIS_CONTEXT } from "../../exports/gs1.js";
import { InputError } from "../../core/input-error.js";
import { BusyError, Gates } from "../http/limit.js";
import { listenOn } from "../http/server.js";
import { queryDocument } from "./document.js";
import { jsonBody } from "./json-body.js";
import { PageTokens, tokenSecret, TOKEN_LIFETIME_MS, type PagePosition } from "./paging.js";
import { EPCIS_HEADERS, EpcisProblem, notFound, parameterProblem, sendJson, sendProblem } from "./problem.js";
import { NamedQueries, namedQueryOf } from "./queries.js";
import { parseQuery, queryKey, urlParams, type Condition, type EventQuery, type RawValue } from "./query.js";
import { distinctValues, eventById, knownValue, selectEvents, type Vocabulary } from "./select.js";
import { resolve, type ResolverOptions } from "./resolver.js";
import { answerSubscriptions, subscriptionMethods, SUBSCRIPTIONS_PATH } from "./subscription-routes.js";
import type { WebhookPolicy } from "./webhook.js";
import { CaptureService } from "./capture.js";
import { captureDiscovery, routeCapture } from "./capture-http.js";
import { ensureEpcisStore, storedEvents } from "./store.js";
import { CBV_BIZ_STEPS, CBV_DISPOSITIONS, canonicalId, EVENT_TYPES, vocabularyValue } from "./vocabulary.js";
import { scopeResolver, UnauthorizedError, WWW_AUTHENTICATE } from "../auth/scope.js";
import { epcisAccess, type EpcisAccess } from "../auth/epcis-scope.js";

/** Events per page unless `perPage` says otherwise (the OpenAPI's default), and the most a page holds. */
export const PER_PAGE = 30;
export const PER_PAGE_MAX = 1_000;
/** The largest POST /epcis/queries body. */
export const QUERY_BODY_LIMIT = 64 * 1024;

const EPC_KEYS = ["epc", "parentID", "inputEPC", "outputEPC", "epcClass", "inputEPCClass", "outputEPCClass"];

export interface EpcisServerOptions {
  /** Also a GS1-Conformant resolver (/.well-known/gs1resolver, /01/…) with these links (resolver.ts). */
  resolver?: ResolverOptions;
  /** Requests of one endpoint run at once (default 4). */
  concurrency?: number;
  /** Requests of one endpoint waiting beyond those (default 32); more are answered 503. */
  waiting?: number;
  /**
   * The public origin of the service for the Link header's next-page URL (`https://epcis.example.com`); by
   * default the request's Host header (http).
   */
  publicUrl?: string;
  /** Where subscriptions' webhooks may point (webhook.ts; default: public hosts only). */
  webhooks?: WebhookPolicy;
  /** The capture interface (capture.ts): its limits and anchorer (default: one without a signer). */
  capture?: CaptureService;
}

interface Context {
  sql: Sql;
  tokens: PageTokens;
  queries: NamedQueries;
  options: EpcisServerOptions;
  /** The caller's scope (src/services/auth/), resolved once per request: what it sees, how its tokens are bound. */
  access: EpcisAccess;
  capture: CaptureService;
}

/** A resource listing the values of a column of the store, and its events filtering on it. */
const byColumn = (column: "biz_step" | "disposition" | "read_point" | "biz_location" | "event_type") => ({
  vocabulary: { column },
  condition: (v: string): Condition => ({ kind: "in", column, values: [v] }),
});

/** The resources under /epcis whose values are listed, and what each lists and filters. */
const RESOURCES: Record<string, { vocabulary: Vocabulary; condition: (value: string) => Condition }> = {
  epcs: { vocabulary: { keys: EPC_KEYS }, condition: (v) => ({ kind: "key", keys: EPC_KEYS, values: [v] }) },
  bizSteps: byColumn("biz_step"),
  bizLocations: byColumn("biz_location"),
  readPoints: byColumn("read_point"),
  dispositions: byColumn("disposition"),
  eventTypes: byColumn("event_type"),
};

/** A path value in the store's form: CBV terms bare, EPC URNs as Digital Links. */
function resourceValue(resource: string, raw: string): string {
  if (resource === "bizSteps") return vocabularyValue("BizStep", raw, "bizStep");
  if (resource === "dispositions") return vocabularyValue("Disp", raw, "disposition");
  if (resource === "eventTypes") {
    if (!EVENT_TYPES.some((t) => t === raw)) throw notFound(`${raw} is not an EPCIS event type`);
    return raw;
  }
  return canonicalId(raw);
}

function decoded(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw parameterProblem(`${what} "${segment}" is not valid percent-encoding`);
  }
}

/** `perPage`: 1 or more (default 30); more than PER_PAGE_MAX is served as PER_PAGE_MAX, as the OpenAPI allows. */
function perPageOf(params: URLSearchParams): number {
  const text = params.get("perPage");
  if (text === null) return PER_PAGE;
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < 1) throw parameterProblem("perPage must be a whole number ≥ 1");
  return Math.min(Number(text), PER_PAGE_MAX);
}

/** The URL of the next page: this request's, with `nextPageToken` replaced. */
function nextLink(req: IncomingMessage, url: URL, options: EpcisServerOptions, token: string): string {
  const params = new URLSearchParams(url.searchParams);
  params.set("nextPageToken", token);
  const host = req.headers.host ?? "";
  const origin = options.publicUrl?.replace(/\/+$/, "") ?? (/^[A-Za-z0-9.:[\]-]+$/.test(host) ? `http://${host}` : "");
  return `<${origin}${url.pathname}?${params.toString()}>; rel="next"`;
}

function pageHeaders(
  req: IncomingMessage,
  url: URL,
  ctx: Context,
  key: string,
  next?: PagePosition,
): Record<string, string> {
  if (next === undefined) return {};
  const expires = Date.now() + TOKEN_LIFETIME_MS;
  return {
    link: nextLink(req, url, ctx.options, ctx.tokens.issue(key, next, expires)),
    "gs1-next-page-token-expires": new Date(expires).toISOString(),
  };
}

function sendDocument(res: ServerResponse, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "application/json", ...EPCIS_HEADERS, ...headers });
  res.end(text);
}

/** Answers a page of `query`'s events; `bound` names what the page token is tied to besides the query. */
async function answerEvents(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  query: EventQuery,
  queryName: string,
  bound = "",
): Promise<void> {
  const { access } = ctx;
  const key = `${access.key}\n${bound}\n${queryKey(query)}`;
  const token = url.searchParams.get("nextPageToken");
  const position = token === null ? undefined : ctx.tokens.read(token, key);
  const page = await selectEvents(
    ctx.sql,
    access.restrict(query),
    perPageOf(url.searchParams),
    position,
    access.filter,
  );
  const bodies = page.bodies.map(access.view);
  sendDocument(res, queryDocument(queryName, bodies), pageHeaders(req, url, ctx, key, page.next));
}

/** A page of a collection (`members` sorted) after the token's position. */
function answerCollection(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  members: string[],
  more?: string,
): void {
  const key = collectionKey(ctx, url);
  const headers = more === undefined ? {} : pageHeaders(req, url, ctx, key, { after: [more], served: 0 });
  sendJson(res, 200, { "@context": EPCIS_CONTEXT, type: "Collection", member: members }, headers);
}

/** What a collection's page tokens are bound to: the collection and the caller's scope. */
const collectionKey = (ctx: Context, url: URL): string => `collection ${url.pathname}\n${ctx.access.key}`;

/** Where a collection page starts: after the member a token names. */
function collectionAfter(ctx: Context, url: URL): string | undefined {
  const token = url.searchParams.get("nextPageToken");
  if (token === null) return undefined;
  const { after } = ctx.tokens.read(token, collectionKey(ctx, url));
  return typeof after[0] === "string" ? after[0] : undefined;
}

/** A standard list plus what the store holds, sorted, one page after the token. */
async function listResource(ctx: Context, req: IncomingMessage, res: ServerResponse, url: URL, resource: string) {
  const perPage = perPageOf(url.searchParams);
  const after = collectionAfter(ctx, url);
  const spec = RESOURCES[resource];
  if (spec === undefined) throw notFound(`no resource /epcis/${resource}`);
  const standard: readonly string[] =
    resource === "bizSteps"
      ? CBV_BIZ_STEPS
      : resource === "dispositions"
        ? CBV_DISPOSITIONS
        : resource === "eventTypes"
          ? EVENT_TYPES
          : [];
  if (standard.length > 0) {
    const held = await distinctValues(ctx.sql, spec.vocabulary, 10_000, undefined, ctx.access.filter);
    const all = [...new Set([...standard, ...held.values])].sort();
    const from = after === undefined ? 0 : all.findIndex((m) => m > after);
    const members = from < 0 ? [] : all.slice(from, from + perPage);
    const last = members.at(-1);
    answerCollection(ctx, req, res, url, members, from >= 0 && from + perPage < all.length ? last : undefined);
    return;
  }
  const page = await distinctValues(ctx.sql, spec.vocabulary, perPage, after, ctx.access.filter);
  answerCollection(ctx, req, res, url, page.values, page.next);
}

async function createQuery(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await jsonBody(
    req,
    res,
    QUERY_BODY_LIMIT,
    "query definition",
    (detail) => new EpcisProblem(413, "QueryTooComplexException", "Query definition too large", detail),
  );
  const named = namedQueryOf(body);
  await ctx.queries.create(named);
  const location = `/epcis/queries/${named.name}`;
  sendJson(res, 201, { name: named.name, query: named.query }, { location });
}

function allowed(path: string): string {
  const subscriptions = subscriptionMethods(path);
  if (subscriptions !== undefined) return subscriptions;
  if (/^\/epcis\/(queries|capture)$/.test(path)) return "OPTIONS, GET, POST";
  if (/^\/epcis\/queries\/[^/]+$/.test(path)) return "OPTIONS, GET, DELETE";
  return "OPTIONS, GET";
}

async function route(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = req.url ?? "/";
  const url = new URL(raw, "http://localhost");
  const path = (raw.split("?")[0] ?? "/").replace(/\/+$/, "");
  const method = req.method ?? "GET";
  const allow = allowed(path);
  if (method === "OPTIONS") {
    res.writeHead(204, {
      allow,
      ...EPCIS_HEADERS,
      "gs1-epcis-min": "2.0.0",
      "gs1-epcis-max": "2.0.0",
      "gs1-cbv-min": "2.0.0",
      "gs1-cbv-max": "2.0.0",
      "gs1-epc-format": "Never_Translates",
      ...captureDiscovery(ctx.capture, path),
      "access-control-allow-methods": allow,
      "access-control-allow-headers": "content-type, gs1-epcis-version, gs1-cbv-version, authorization, x-api-key",
    });
    res.end();
    return;
  }
  if (!allow.split(", ").includes(method === "HEAD" ? "GET" : method)) {
    res.setHeader("allow", allow);
    throw new EpcisProblem(405, "ValidationException", "Method not allowed", `${method} is not allowed (${allow})`);
  }
  // Capture takes a partner's or a regulator's key; a proof is served for an event the caller may read.
  if (/^\/epcis\/capture(\/|$)/.test(path) && ctx.access.scope.kind === "public") {
    throw new UnauthorizedError("capture takes an API key (a partner's or a regulator's): none was sent");
  }
  const proofOf = /^\/epcis\/events\/([^/]+)\/proof$/.exec(path)?.[1];
  if (
    proofOf !== undefined &&
    (await eventById(ctx.sql, decoded(proofOf, "eventID"), ctx.access.filter)) === undefined
  ) {
    throw notFound(`no event ${decoded(proofOf, "eventID")}`);
  }
  if (await routeCapture(ctx.capture, req, res, url, path)) return;

  if (path === "/epcis/events") {
    return answerEvents(ctx, req, res, url, parseQuery(urlParams(url.searchParams)), "SimpleEventQuery");
  }
  const eventPath = /^\/epcis\/events\/(.+)$/.exec(path)?.[1];
  if (eventPath !== undefined) {
    // An eventID sent unencoded (`/epcis/events/ni:///sha-256;…?ver=CBV2.0`) loses its `?ver=…` to the query string.
    const ver = url.searchParams.get("ver");
    const id = decoded(eventPath, "eventID") + (ver !== null && !eventPath.includes("%3F") ? `?ver=${ver}` : "");
    const body = await eventById(ctx.sql, id, ctx.access.filter);
    if (body === undefined) throw notFound(`no event ${id}`);
    sendDocument(res, queryDocument("SimpleEventQuery", [ctx.access.view(body)]));
    return;
  }

  if (path === "/epcis/queries") {
    if (method === "POST") return createQuery(ctx, req, res);
    const after = collectionAfter(ctx, url);
    const perPage = perPageOf(url.searchParams);
    const list = await ctx.queries.list(perPage + 1, after);
    const page = list.slice(0, perPage);
    const last = page.at(-1)?.name;
    const headers =
      list.length > perPage && last !== undefined
        ? pageHeaders(req, url, ctx, collectionKey(ctx, url), { after: [last], served: 0 })
        : {};
    sendJson(res, 200, page, headers);
    return;
  }
  if (SUBSCRIPTIONS_PATH.test(path))
    return answerSubscriptions(ctx.sql, ctx.options.webhooks ?? {}, req, res, path, ctx.access.key);
  const named = /^\/epcis\/queries\/([^/]+)(\/events)?$/.exec(path);
  if (named !== null) {
    const name = decoded(named[1] ?? "", "query name");
    if (named[2] === undefined) {
      if (method === "DELETE") {
        await ctx.queries.delete(name);
        res.writeHead(204, EPCIS_HEADERS);
        res.end();
        return;
      }
      sendJson(res, 200, await ctx.queries.get(name));
      return;
    }
    const stored = await ctx.queries.get(name);
    const extra = urlParams(url.searchParams);
    if (extra.length > 0) {
      throw parameterProblem(`${extra[0]?.[0] ?? "?"}: a named query's events take only perPage and nextPageToken`);
    }
    const pairs: [string, RawValue][] = Object.entries(stored.query);
    const query = parseQuery(pairs);
    return answerEvents(ctx, req, res, url, query, name, `query ${name} ${JSON.stringify(stored.query)}`);
  }

  const resource =
    /^\/epcis\/(epcs|bizSteps|bizLocations|readPoints|dispositions|eventTypes)(?:\/(.+?))?(\/events)?$/.exec(path);
  if (resource !== null) {
    const [, name = "", rawValue, events] = resource;
    const spec = RESOURCES[name];
    if (spec === undefined) throw notFound(`no resource ${path}`);
    if (rawValue === undefined) {
      if (events !== undefined) throw notFound(`no resource ${path}`);
      return listResource(ctx, req, res, url, name);
    }
    const value = resourceValue(name, decoded(rawValue, name));
    if (events === undefined) {
      const standard =
        (name === "bizSteps" && CBV_BIZ_STEPS.some((s) => s === value)) ||
        (name === "dispositions" && CBV_DISPOSITIONS.some((s) => s === value)) ||
        name === "eventTypes";
      if (!standard && !(await knownValue(ctx.sql, spec.vocabulary, value, ctx.access.filter))) {
        throw notFound(`${name}: ${value} is not in this repository`);
      }
      sendJson(res, 200, { "@context": EPCIS_CONTEXT, type: "Collection", member: ["events"] });
      return;
    }
    const query = parseQuery(urlParams(url.searchParams));
    query.conditions.unshift(spec.condition(value));
    return answerEvents(ctx, req, res, url, query, "SimpleEventQuery");
  }
  throw notFound(
    `no resource ${path} (GET /epcis/events, /epcis/events/{eventID}, /epcis/{eventTypes|epcs|bizSteps|bizLocations|` +
      "readPoints|dispositions}[/{value}[/events]], /epcis/queries[/{name}[/events]])",
  );
}

/** The endpoint a path belongs to, for its concurrency limit. */
const endpointOf = (path: string): string => /^\/epcis\/([A-Za-z]+)/.exec(path)?.[1] ?? "other";

/**
 * The EPCIS routes as a handler: answers a request under /epcis and resolves true, or resolves false for any other
 * path (so another server can mount it). Creates the store's and the named queries' tables when missing.
 */
export async function epcisRoutes(
  sql: Sql,
  options: EpcisServerOptions = {},
): Promise<(req: IncomingMessage, res: ServerResponse) => Promise<boolean>> {
  await ensureEpcisStore(sql);
  const queries = new NamedQueries(sql);
  await queries.init();
  const capture = options.capture ?? new CaptureService(sql);
  await capture.start();
  const shared = { sql, tokens: new PageTokens(await tokenSecret(sql)), queries, options, capture };
  const scopeOf = scopeResolver(sql);
  const gates = new Gates(options.concurrency ?? 4, options.waiting ?? 32);
  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path !== "/epcis" && !path.startsWith("/epcis/")) return false;
    try {
      await gates
        .of(endpointOf(path))
        .run(async () => route({ ...shared, access: await epcisAccess(sql, await scopeOf(req)) }, req, res));
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return true;
      }
      if (err instanceof EpcisProblem) sendProblem(res, err);
      else if (err instanceof UnauthorizedError) {
        res.setHeader("www-authenticate", WWW_AUTHENTICATE);
        sendProblem(res, new EpcisProblem(401, "SecurityException", "Unauthorised request", err.message));
      } else if (err instanceof InputError) sendProblem(res, parameterProblem(err.message));
      else if (err instanceof BusyError) {
        res.setHeader("retry-after", String(err.retryAfterSeconds));
        sendProblem(res, new EpcisProblem(503, "ImplementationException", "Busy", err.message));
      } else {
        // The detail (a database message, a stack) goes to the log, never to the client.
        console.error(`EPCIS API: ${req.method ?? "?"} ${req.url ?? "?"}: ${err instanceof Error ? err.stack : err}`);
        sendProblem(
          res,
          new EpcisProblem(500, "ImplementationException", "A server-side error occurred", "see the server's log"),
        );
      }
    }
    return true;
  };
}

export interface EpcisService {
  server: Server;
  /** "http://127.0.0.1:8548" */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the EPCIS query interface on `host:port` (port 0: any free port) over the store in `sql`, with
 * `GET /healthz` ({ok, events}) beside /epcis.
 */
export async function listenEpcis(
  sql: Sql,
  options: EpcisServerOptions & { host?: string; port?: number } = {},
): Promise<EpcisService> {
  const host = options.host ?? "127.0.0.1";
  const capture = options.capture ?? new CaptureService(sql);
  const handle = await epcisRoutes(sql, { ...options, capture });
  const server = createServer((req, res) => {
    if ((req.url ?? "/").split("?")[0] === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      storedEvents(sql)
        .then((events) => sendJson(res, 200, { ok: true, events }))
        .catch(() => sendJson(res, 503, { ok: false }));
      return;
    }
    const resolver = options.resolver;
    (resolver === undefined ? Promise.resolve(false) : resolve(sql, resolver, req, res))
      .catch((err: unknown) => {
        console.error(`resolver: ${req.method ?? "?"} ${req.url ?? "?"}: ${err instanceof Error ? err.stack : err}`);
        sendProblem(res, new EpcisProblem(500, "ImplementationException", "Resolver error", "see the server's log"));
        return true;
      })
      .then((resolved) => resolved || handle(req, res))
      .then((answered) => {
        if (!answered) sendProblem(res, notFound(`no resource ${req.url ?? "/"}: the EPCIS interface is under /epcis`));
      })
      .catch(() => res.destroy());
  });
  const listening = await listenOn(server, host, options.port ?? 0);
  return {
    server,
    url: listening.url,
    // The capture job in hand finishes first; jobs still running resume at the next start.
    close: () => listening.close().then(() => capture.close()),
  };
}
