/**
 * A regulator's API key (src/services/auth/api-keys.ts) in an index, as request headers: for the tests of what the
 * servers answer in full (a request without a key is served the public scope: no orders, no prices, no names).
 */
import type { Sql } from "../../src/index/db.js";
import { ApiKeys } from "../../src/services/auth/api-keys.js";
import { GLN } from "./export-rows.js";

/** `{ headers: { authorization: "Bearer ft_…" } }` of a new regulator key in `sql`. */
export async function regulatorAuth(sql: Sql): Promise<{ headers: Record<string, string> }> {
  const made = await (await new ApiKeys(sql).init()).create(GLN.harvester, "regulator", "tests");
  return { headers: { authorization: `Bearer ${made.key}` } };
}
