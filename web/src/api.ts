/**
 * The trace API as the dApp calls it (`${config.traceApi}/v1/…`, a same-origin proxy). Failures are `Error`s whose
 * message is one line for people: the API's own `{"error": "…"}` text, or what went wrong on the way.
 */
import type { AnomalyReport, DispatchReport } from "@core/api/analytics.js";
import type { JourneyJson, ParticipantJson } from "@core/api/journey-json.js";
import { propertyOf } from "@core/checks.js";

import { loadConfig } from "./config.js";

/** An answer the trace API refused, with its HTTP status (400 bad input, 404 unknown lot). */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function oneLine(text: string): string {
  const line = text.split("\n")[0]?.trim() ?? "";
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

/** Whether `value` holds a list under each of `keys`: the lists the views walk. */
function hasLists(value: unknown, keys: readonly string[]): boolean {
  return keys.every((key) => Array.isArray(propertyOf(value, key)));
}

function isJourney(value: unknown): value is JourneyJson {
  return (
    typeof propertyOf(value, "lotId") === "string" &&
    hasLists(value, ["lots", "parties", "events", "alarms", "bands"]) &&
    hasLists(propertyOf(value, "trace"), ["lots", "edges"])
  );
}

function isParticipant(value: unknown): value is ParticipantJson {
  return typeof propertyOf(value, "account") === "string" && hasLists(value, ["lots", "orders"]);
}

function isAnomalyReport(value: unknown): value is AnomalyReport {
  return hasLists(value, ["anomalies"]);
}

function isDispatchReport(value: unknown): value is DispatchReport {
  return hasLists(value, ["advice", "expired", "held", "recalled", "unscanned"]);
}

/** The answer at `path`, checked by `is` to be `what` the endpoint answers. */
async function getJson<T>(
  path: string,
  is: (value: unknown) => value is T,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  const { traceApi } = await loadConfig();
  const base = traceApi.replace(/\/+$/, "");
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { headers: { accept: "application/json" }, signal: signal ?? null });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new Error("The trace service cannot be reached; try again in a moment.");
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = propertyOf(body, "error");
    const said = typeof error === "string" ? oneLine(error) : "";
    const fallback =
      response.status === 404
        ? "That lot is not known to FishTrace."
        : response.status >= 500
          ? `The trace service failed (HTTP ${response.status}); try again in a moment.`
          : `The trace service refused the request (HTTP ${response.status}).`;
    throw new ApiError(said !== "" ? said : fallback, response.status);
  }
  if (body === undefined) throw new Error("The trace service answered something that is not JSON.");
  if (!is(body)) throw new Error(`The trace service answered something that is not ${what}.`);
  return body;
}

/**
 * The journey of a lot: `ref` is a lot id, `GTIN:LOT`, an element string or a GS1 Digital Link (sent as `?link=`).
 */
export function fetchJourney(ref: string, signal?: AbortSignal): Promise<JourneyJson> {
  const text = ref.trim();
  const path = /^https?:\/\//i.test(text)
    ? `/v1/journey?link=${encodeURIComponent(text)}`
    : `/v1/journey/${encodeURIComponent(text)}`;
  return getJson(path, isJourney, "a journey", signal);
}

/** What the index knows of an account: its participant record, the lots it holds and its open orders. */
export function fetchParticipant(account: string, signal?: AbortSignal): Promise<ParticipantJson> {
  return getJson(`/v1/participants/${encodeURIComponent(account.trim())}`, isParticipant, "a participant", signal);
}

/**
 * The anomaly detector's findings touching the lot `lotId` or a lot of its lineage, each with its `relation` to it
 * (not on chain: the analytics beside the trace API).
 */
export function fetchAnomalies(lotId: string, signal?: AbortSignal): Promise<AnomalyReport> {
  return getJson(
    `/v1/analytics/anomalies?lot=${encodeURIComponent(lotId)}`,
    isAnomalyReport,
    "an anomaly report",
    signal,
  );
}

/**
 * A distribution hub's lots, shortest remaining shelf life first, each with a retailer to send it to (not on chain:
 * the analytics beside the trace API).
 */
export function fetchDispatch(hub: string, signal?: AbortSignal): Promise<DispatchReport> {
  return getJson(
    `/v1/analytics/dispatch?hub=${encodeURIComponent(hub.trim())}`,
    isDispatchReport,
    "a dispatch plan",
    signal,
  );
}
