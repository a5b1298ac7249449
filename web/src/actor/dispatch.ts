/**
 * A distributor's shelf-life-first dispatch advice, from the analytics beside the trace API
 * (`GET ${traceApi}/v1/analytics/dispatch?hub=<account>`, src/analytics/service.ts): the lots it holds, shortest
 * remaining shelf life first, each with a retailer to go to and why; lots past rejection, with nowhere to go,
 * recalled or never scanned, apart. The JSON types below are the parts of `DispatchReport` the view reads
 * (src/analytics/hub-index.ts is not browser-safe: it reads the index).
 */
import type { WebConfig } from "@shared/web-config.js";

/** A participant as the index names it. */
export interface IndexedPartyJson {
  id: number;
  account: string;
  name: string;
}

/** One lot to ship, ranked by remaining shelf life. */
export interface DispatchAdviceJson {
  rank: number;
  lotId: string;
  species: string;
  grams: number;
  retailer: IndexedPartyJson;
  transitHours: number;
  /** Days of shelf life left (predicted from its scans and temperatures). */
  remainingDays: number;
  predictedGrade: number;
  demand: "open orders" | "recent sales" | "unknown";
  why: string;
}

export interface DispatchJson {
  /** Unix seconds the plan is for (the latest indexed block's time). */
  at: number;
  hub?: IndexedPartyJson;
  advice: DispatchAdviceJson[];
  /** Past rejection by the prediction: inspect or discard. */
  expired: { lotId: string; grams: number; predictedGrade: number }[];
  /** Nowhere to go: no retailer wants the species. */
  held: { lotId: string; species: string }[];
  recalled: { lotId: string }[];
  unscanned: { lotId: string }[];
}

/** The list as the view shows it: loading, the advice, or a calm line why there is none. */
export type DispatchState =
  { status: "loading" } | { status: "ready"; report: DispatchJson } | { status: "unavailable"; reason: string };

/** The hub's dispatch advice; a calm `unavailable` (never a throw) when the analytics cannot answer. */
export async function fetchDispatch(config: WebConfig, account: string): Promise<DispatchState> {
  try {
    const res = await fetch(`${config.traceApi}/v1/analytics/dispatch?hub=${encodeURIComponent(account)}`, {
      headers: { accept: "application/json" },
    });
    const body = (await res.json().catch(() => undefined)) as DispatchJson | { error?: string } | undefined;
    if (!res.ok || body === undefined || !("advice" in body)) {
      const said = body !== undefined && "error" in body && typeof body.error === "string" ? body.error : undefined;
      return { status: "unavailable", reason: said ?? `the analytics answered ${res.status}` };
    }
    return { status: "ready", report: body };
  } catch (err) {
    return {
      status: "unavailable",
      reason: `the analytics are unreachable (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}
