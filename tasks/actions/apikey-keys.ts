/** The API keys of the index the servers read (src/services/auth/api-keys.ts), for the apikey tasks. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { ApiKeys } from "../../src/services/auth/api-keys.js";
import { openTraceIndex } from "./trace-index.js";

/** Runs `work` on the API keys of the index in `db` (default: the servers' index), closing it after. */
export async function withApiKeys<T>(
  hre: HardhatRuntimeEnvironment,
  db: string | undefined,
  work: (keys: ApiKeys) => Promise<T>,
): Promise<T> {
  const { sql } = await openTraceIndex(hre, db === undefined ? {} : { db }, false);
  try {
    return await work(await new ApiKeys(sql).init());
  } finally {
    await sql.close();
  }
}
