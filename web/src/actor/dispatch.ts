/**
 * A distributor's shelf-life-first dispatch advice, from the analytics beside the trace API
 * (`GET ${traceApi}/v1/analytics/dispatch?hub=<account>`, src/analytics/service.ts): the lots it holds, shortest
 * remaining shelf life first, each with a retailer to go to and why; lots past rejection, with nowhere to go,
 * recalled or never scanned, apart. The answer is `DispatchReport` (src/analytics/api-types.ts, as the server
 * declares it).
 */
import type { DispatchReport } from "@shared/analytics/api-types.js";
import type { WebConfig } from "@shared/web-config.js";

/** The list as the view shows it: loading, the advice, or a calm line why there is none. */
export type DispatchState =
  { status: "loading" } | { status: "ready"; report: DispatchReport } | { status: "unavailable"; reason: string };

/** The hub's dispatch advice; a calm `unavailable` (never a throw) when the analytics cannot answer. */
export async function fetchDispatch(config: WebConfig, account: string): Promise<DispatchState> {
  try {
    const res = await fetch(`${config.traceApi}/v1/analytics/dispatch?hub=${encodeURIComponent(account)}`, {
      headers: { accept: "application/json" },
    });
    const body = (await res.json().catch(() => undefined)) as DispatchReport | { error?: string } | undefined;
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
