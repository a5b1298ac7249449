/**
 * What the `analytics` tasks share: the intake weighings file (`--intake`), and an `AnalyticsService` over the trace
 * index (opened and synced as the trace tasks do: trace-index.ts), closed when the work is done.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { AnalyticsService, type AnalyticsOptions } from "../../src/analytics/service.js";
import { parseJson, readText } from "../../src/node/record-files.js";
import { InputError } from "../../src/core/input-error.js";
import { openTraceIndex, type TraceIndexArgs } from "./trace-index.js";

export interface AnalyticsArgs extends TraceIndexArgs {
  intake?: string;
  noSync: boolean;
}

/** An intake weighings file: a JSON object of leg id ("<stage>:<order id>") → grams received. */
export async function readIntake(file: string): Promise<Map<string, number>> {
  const raw = parseJson(file, await readText(file));
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new InputError(`${file} is not a JSON object of leg id ("<stage>:<order id>") → grams`);
  const out = new Map<string, number>();
  for (const [leg, grams] of Object.entries(raw)) {
    if (!/^[1-5]:\d+$/.test(leg)) throw new InputError(`${file}: "${leg}" is not a leg id ("<stage>:<order id>")`);
    if (typeof grams !== "number" || !Number.isInteger(grams) || grams < 0)
      throw new InputError(`${file}: leg ${leg} has ${JSON.stringify(grams)}, not whole grams`);
    out.set(leg, grams);
  }
  return out;
}

/** Runs `work` on an analytics service over the (synced) index; closes the index afterwards. */
export async function withAnalytics<T>(
  hre: HardhatRuntimeEnvironment,
  args: AnalyticsArgs,
  options: AnalyticsOptions,
  work: (service: AnalyticsService) => Promise<T>,
): Promise<T> {
  const intake = args.intake === undefined ? undefined : await readIntake(args.intake);
  const index = await openTraceIndex(hre, args, !args.noSync);
  try {
    const service = new AnalyticsService(index.sql, {
      ...options,
      historyTtlMs: 60_000,
      ...(intake === undefined ? {} : { intake }),
    });
    return await work(service);
  } finally {
    await index.sql.close();
  }
}
