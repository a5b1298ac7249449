/**
 * The files the demo's seed leaves in a stack's directory (src/tools/demo/seeding.ts), read back by the local stack
 * (src/tools/local-stack.ts): `facts.json` (DemoFacts) and `analytics.json` (StackAnalytics), checked as they are
 * read. No Hardhat and no chain here: the local stack reads them without loading the seed.
 */
import { readFile } from "node:fs/promises";

import { z } from "zod";

import { ANOMALY_KINDS } from "../../core/chain-history.js";
import type { DemoFacts } from "../../core/api/web-config.js";
import type { StackAnalytics } from "../stack-analytics.js";

const account = z.object({ address: z.string(), index: z.number() });

const demoFactsSchema = z.object({
  addresses: z.object({
    registry: z.string(),
    harvester: z.string(),
    supplier: z.string(),
    manufacturer: z.string(),
    distributor: z.string(),
    retailer: z.string(),
    customer: z.string(),
    qualityLedger: z.string(),
  }),
  accounts: z.object({
    admin: account,
    vessel: account,
    supplier: account,
    gateway: account,
    manufacturer: account,
    distributor: account,
    retailer: account,
    customer: account,
    regulator: account,
  }),
  packs: z.array(
    z.object({
      lotId: z.string(),
      gtin: z.string(),
      lotNumber: z.string(),
      digitalLink: z.string(),
      name: z.string(),
      recalled: z.boolean(),
      speciesMismatch: z.boolean(),
      excursion: z.boolean(),
    }),
  ),
  catches: z.array(z.object({ lotId: z.string(), species: z.string() })),
}) satisfies z.ZodType<DemoFacts>;

const stackAnalyticsSchema = z.object({
  hub: z.string(),
  heldLots: z.array(z.string()),
  retailer: z.string(),
  anomalies: z.array(
    z.object({
      kind: z.enum(ANOMALY_KINDS),
      item: z.enum(["leg", "process"]),
      itemId: z.string(),
      lotIds: z.array(z.string()),
    }),
  ),
  modelFile: z.string(),
  intakeFile: z.string(),
  salesDays: z.number(),
  transactions: z.number(),
  seconds: z.number(),
}) satisfies z.ZodType<StackAnalytics>;

/** Reads `file` as JSON checked by `schema`; an Error naming the file and the first wrong field otherwise. */
async function readChecked<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue === undefined || issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
    throw new Error(`${file} is not what the demo's seed writes: ${where}${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** `<dir>/facts.json` as the demo's seed wrote it. */
export function readDemoFacts(file: string): Promise<DemoFacts> {
  return readChecked(file, demoFactsSchema);
}

/** `<dir>/analytics.json` as the demo's seed wrote it. */
export function readStackAnalytics(file: string): Promise<StackAnalytics> {
  return readChecked(file, stackAnalyticsSchema);
}
