/**
 * Reading the chain as the tools' scripts need it: the latest block's time, and the lots a registration made.
 */
import type { ContractTransactionReceipt, Provider } from "ethers";

import { defined } from "./checked.js";
import type { Harvester } from "../../typechain-types/index.js";

/** The latest block's timestamp (seconds), on the chain `provider` is connected to. */
export async function latestBlockTime(provider: Provider): Promise<number> {
  return defined(await provider.getBlock("latest"), "the chain's latest block").timestamp;
}

/** The lot ids of the `FishRegistered` events in `receipt` (read from its logs, no further call), in log order. */
export function registeredLots(harvester: Harvester, receipt: ContractTransactionReceipt): bigint[] {
  const lots: bigint[] = [];
  for (const log of receipt.logs) {
    const parsed = harvester.interface.parseLog(log);
    if (parsed?.name !== "FishRegistered") continue;
    const lotId: unknown = parsed.args.lotId;
    if (typeof lotId !== "bigint") throw new Error(`FishRegistered in ${receipt.hash} has no lot id: ${String(lotId)}`);
    lots.push(lotId);
  }
  return lots;
}
