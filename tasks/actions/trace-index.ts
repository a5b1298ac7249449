/**
 * The index the trace tasks read, brought up to date first: PGlite in `--db` (default indexer-data/pglite; in
 * memory on the in-process network, whose chain lives only as long as the process), or PostgreSQL at
 * DATABASE_URL, synced in process with the deployment on the connected network (src/index/sync.ts).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openIndex, DEFAULT_INDEX_DIR, type Sql } from "../../src/index/db.js";
import { syncIndex, type SyncResult } from "../../src/index/sync.js";
import { SCHEMA } from "../../src/index/schema.js";
import type { FishTraceAddresses } from "../../src/node/system.js";
import { InputError } from "../../src/core/input-error.js";
import type { DeploymentArgs } from "../options.js";
import { deploymentOf, openSession, type Session } from "../session.js";

export interface TraceIndexArgs extends Omit<DeploymentArgs, "from"> {
  db?: string;
}

export interface TraceIndex {
  sql: Sql;
  /** The network and deployment synced from (undefined when the index is read as it is). */
  session?: Session;
  addresses?: FishTraceAddresses;
  /** Brings the index up to date with the chain. */
  sync(): Promise<SyncResult>;
}

/** Whether the network chosen with --network is Hardhat's in-process one (whose index lives in memory). */
export function inProcessNetwork(hre: HardhatRuntimeEnvironment): boolean {
  const name = hre.globalOptions.network;
  return hre.config.networks[typeof name === "string" && name !== "" ? name : "default"]?.type === "edr-simulated";
}

/**
 * Opens the index for the connected network's deployment and syncs it once; with `sync` false, opens the index
 * and reads it as it is (no network needed).
 */
export async function openTraceIndex(
  hre: HardhatRuntimeEnvironment,
  args: TraceIndexArgs,
  sync = true,
): Promise<TraceIndex> {
  if (!sync) {
    const sql = await openIndex({ dir: args.db ?? DEFAULT_INDEX_DIR });
    try {
      await sql.exec(SCHEMA);
    } catch (err) {
      await sql.close();
      throw err;
    }
    return { sql, sync: () => Promise.reject(new InputError("the index is read as it is (--no-sync)")) };
  }
  // The index first: opening PGlite takes seconds, and a node closes a connection idle for five (keep-alive), so a
  // session opened before it would send its first getLogs on a socket the node had just closed.
  const sql = await openIndex({ dir: args.db ?? (inProcessNetwork(hre) ? "memory://" : DEFAULT_INDEX_DIR) });
  try {
    const session = await openSession(hre);
    const addresses = await deploymentOf(session, args);
    const index: TraceIndex = {
      sql,
      session,
      addresses,
      sync: () => syncIndex(sql, session.ethers.provider, addresses),
    };
    await index.sync();
    return index;
  } catch (err) {
    await sql.close();
    throw err;
  }
}
