/**
 * A distributor's shelf-life-first dispatch advice as the actor views hold it, from the analytics beside the trace
 * API (api.ts `fetchDispatch`, `DispatchReport` as src/core/api/analytics.ts declares it): the lots it holds,
 * shortest remaining shelf life first, each with a retailer to go to and why; lots past rejection, with nowhere to
 * go, recalled or never scanned, apart.
 */
import type { DispatchReport } from "@core/api/analytics.js";

import { fetchDispatch } from "../api.js";
import { oneLine } from "../one-line.js";

/** The advice, or a calm line why there is none (until it is read, the state holds no `DispatchState`). */
export type DispatchState = { status: "ready"; report: DispatchReport } | { status: "unavailable"; reason: string };

/** The hub's dispatch advice; a calm `unavailable` (never a throw) when the analytics cannot answer. */
export async function dispatchOf(hub: string): Promise<DispatchState> {
  try {
    const report = await fetchDispatch(hub);
    if (!Array.isArray(report.advice)) return { status: "unavailable", reason: "the analytics answered no advice" };
    return { status: "ready", report };
  } catch (err) {
    return { status: "unavailable", reason: oneLine(err) };
  }
}
