/**
 * The trace API as the dApp calls it (`${config.traceApi}/v1/…`, a same-origin proxy). Failures are `Error`s whose
 * message is one line for people: the API's own `{"error": "…"}` text, or what went wrong on the way.
 */
import type { AnomalyReport, DispatchReport } from "@core/api/analytics.js";
import type { JourneyJson, ParticipantJson } from "@core/api/journey-json.js";

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

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
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
    const said =
      body !== null && typeof body === "object" && typeof (body as { error?: unknown }).error === "string"
        ? oneLine((body as { error: string }).error)
        : "";
    const fallback =
      response.status === 404
        ? "That lot is not known to FishTrace."
        : response.status >= 500
          ? `The trace service failed (HTTP ${response.status}); try again in a moment.`
          : `The trace service refused the request (HTTP ${response.status}).`;
    throw new ApiError(said !== "" ? said : fallback, response.status);
  }
  if (body === undefined) throw new Error("The trace service answered something that is not JSON.");
  return body as T;
}

/**
 * The journey of a lot: `ref` is a lot id, `GTIN:LOT`, an element string or a GS1 Digital Link (sent as `?link=`).
 */
export function fetchJourney(ref: string, signal?: AbortSignal): Promise<JourneyJson> {
  const text = ref.trim();
  const path = /^https?:\/\//i.test(text)
    ? `/v1/journey?link=${encodeURIComponent(text)}`
    : `/v1/journey/${encodeURIComponent(text)}`;
  return getJson<JourneyJson>(path, signal);
}

/** What the index knows of an account: its participant record, the lots it holds and its open orders. */
export function fetchParticipant(account: string, signal?: AbortSignal): Promise<ParticipantJson> {
  return getJson<ParticipantJson>(`/v1/participants/${encodeURIComponent(account.trim())}`, signal);
}

/**
 * The anomaly detector's findings touching the lot `lotId` or a lot of its lineage, each with its `relation` to it
 * (not on chain: the analytics beside the trace API).
 */
export function fetchAnomalies(lotId: string, signal?: AbortSignal): Promise<AnomalyReport> {
  return getJson<AnomalyReport>(`/v1/analytics/anomalies?lot=${encodeURIComponent(lotId)}`, signal);
}

/**
 * A distribution hub's lots, shortest remaining shelf life first, each with a retailer to send it to (not on chain:
 * the analytics beside the trace API).
 */
export function fetchDispatch(hub: string, signal?: AbortSignal): Promise<DispatchReport> {
  return getJson<DispatchReport>(`/v1/analytics/dispatch?hub=${encodeURIComponent(hub.trim())}`, signal);
}
