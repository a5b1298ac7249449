/**
 * The analytics' HTTP face, mounted beside the trace API (src/services/trace/http.ts) or on a server of its own:
 *
 *   GET /v1/analytics/anomalies[?lot=<id, GTIN:LOT or Digital Link>]        (AnomalyReport: findings and reasons)
 *   GET /v1/analytics/forecast[?species=COD][&retailer=<id|account>][&days=7] (ForecastReport, beside seasonal naive)
 *   GET /v1/analytics/dispatch[?hub=<participant id or account>]            (DispatchReport: shortest life first)
 *   GET /v1/analytics/model                                                 (ModelInfo: version, trained at, hashes)
 *   GET /v1/analytics/metrics                                               (Prometheus text, serve-metrics.ts)
 *
 * The answers' shapes are declared once in api-types.ts (browser-safe: the dApp imports them too). With `?lot=` the
 * findings are those touching the lot or any lot of its lineage (made from, made into, transitively), each with its
 * `relation` to it: "this lot", "made from" or "made into".
 *
 * JSON; every refusal is `{"error": "<one line>"}` like the trace API's: 400 for bad input (an unknown query
 * parameter too), 404 for a lot, participant or series the index does not hold or another analytics path, 405 for
 * another method, 500 when the analytics fail (the served model file missing or refused too). Paths outside /v1/analytics are not its business: it answers false.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import type { Sql } from "../../index/db.js";
import { CORS, refuse, send } from "../http/json.js";
import { LotNotIndexedError } from "../../index/trace.js";
import { InputError } from "../../core/input-error.js";
import { NotInIndexError } from "../../index/sales.js";
import {
  AnalyticsService,
  daysParam,
  ModelFileError,
  speciesParam,
  type AnalyticsOptions,
} from "../../analytics/service.js";

/** A route handler: true when it answered the request (its path was an analytics one). */
export type AnalyticsHandler = ((req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>) & {
  /** The service behind the routes (its metrics registry: `service.metrics.registry`). */
  readonly service: AnalyticsService;
};

const PREFIX = "/v1/analytics";
const ROUTES = "GET /v1/analytics/anomalies, /forecast, /dispatch, /model, /metrics";

/** Refuses query parameters other than `allowed` (a typo must not silently widen an answer). */
function only(params: URLSearchParams, allowed: readonly string[]): void {
  for (const key of params.keys()) {
    if (!allowed.includes(key))
      throw new InputError(
        `unknown parameter "${key}"${allowed.length > 0 ? ` (give ${allowed.join(", ")})` : " (none taken)"}`,
      );
  }
}

/** A parameter given once and not empty, or undefined. */
function param(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new InputError(`${name} is given ${values.length} times`);
  const [value] = values;
  if (value === undefined || value.trim() === "") throw new InputError(`${name} is empty`);
  return value;
}

async function route(service: AnalyticsService, path: string, params: URLSearchParams, res: ServerResponse) {
  switch (path) {
    case `${PREFIX}/anomalies`: {
      only(params, ["lot"]);
      send(res, 200, await service.anomalies(param(params, "lot")));
      return;
    }
    case `${PREFIX}/forecast`: {
      only(params, ["species", "retailer", "days"]);
      const species = param(params, "species");
      const retailer = param(params, "retailer");
      const days = param(params, "days");
      send(
        res,
        200,
        await service.forecast({
          ...(species === undefined ? {} : { species: speciesParam(species, "species") }),
          ...(retailer === undefined ? {} : { retailer }),
          ...(days === undefined ? {} : { days: daysParam(days, "days") }),
        }),
      );
      return;
    }
    case `${PREFIX}/dispatch`: {
      only(params, ["hub"]);
      send(res, 200, await service.dispatch(param(params, "hub")));
      return;
    }
    case `${PREFIX}/model`: {
      only(params, []);
      send(res, 200, await service.model());
      return;
    }
    case `${PREFIX}/metrics`: {
      only(params, []);
      await service.score();
      const text = await service.metrics.text();
      res.writeHead(200, { "content-type": service.metrics.registry.contentType, ...CORS });
      res.end(text);
      return;
    }
    default:
      refuse(res, 404, `no such resource ${path} (${ROUTES})`);
  }
}

/**
 * The analytics routes over `sql` (one `AnalyticsService`: the detector cached per model file, the history re-read
 * at most every `options.historyTtlMs`). Answers every request under /v1/analytics itself, errors included.
 */
export function analyticsRoutes(sql: Sql, options: AnalyticsOptions = {}): AnalyticsHandler {
  const service = new AnalyticsService(sql, options);
  const handler = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const path = url.pathname.replace(/\/+$/, "");
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
    if (req.method === "OPTIONS") {
      res.writeHead(204, CORS);
      res.end();
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, OPTIONS");
      refuse(res, 405, `${req.method ?? "?"} is not allowed; use GET`);
      return true;
    }
    try {
      await route(service, path, url.searchParams, res);
    } catch (err) {
      if (res.headersSent) res.destroy();
      else if (err instanceof ModelFileError) refuse(res, 500, `the analytics failed: ${err.message}`);
      else if (err instanceof LotNotIndexedError || err instanceof NotInIndexError) refuse(res, 404, err.message);
      else if (err instanceof InputError) refuse(res, 400, err.message);
      else {
        console.error(`analytics: ${req.url ?? "?"}: ${err instanceof Error ? err.stack : String(err)}`);
        refuse(res, 500, "the analytics failed (the server's log says why)");
      }
    }
    return true;
  };
  return Object.assign(handler, { service });
}
