import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { DEFAULT_INDEX_DIR, openIndex, type Sql } from "../../src/index/db.js";
import { inProcessNetwork } from "./trace-index.js";

/** The index the master data lives in: as the trace tasks open it (in memory on the in-process network). */
export function openMasterDataIndex(hre: HardhatRuntimeEnvironment, db: string | undefined): Promise<Sql> {
  return openIndex({ dir: db ?? (inProcessNetwork(hre) ? "memory://" : DEFAULT_INDEX_DIR) });
}
