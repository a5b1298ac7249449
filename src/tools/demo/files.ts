/**
 * The files the demo's seed leaves in a stack's directory (src/tools/demo/seeding.ts), read back by the local stack
 * (src/tools/local-stack.ts): `facts.json` (DemoFacts) and `analytics.json` (StackAnalytics), checked as they are
 * read. No Hardhat and no chain here: the local stack reads them without loading the seed.
 */
import { z } from "zod";

import { readJsonFile } from "../checked.js";
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

/** `<dir>/facts.json` as the demo's seed wrote it. */
export function readDemoFacts(file: string): Promise<DemoFacts> {
  return readJsonFile(file, demoFactsSchema, "what the demo's seed writes");
}

/** `<dir>/analytics.json` as the demo's seed wrote it. */
export function readStackAnalytics(file: string): Promise<StackAnalytics> {
  return readJsonFile(file, stackAnalyticsSchema, "what the demo's seed writes");
}
