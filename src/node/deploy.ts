/**
 * Deploys the system through the Ignition module (src/node/system.ts) and reports the transactions that did it, with
 * their gas, for the deploy task and the demo. Ignition does not hand out receipts, so the blocks mined during
 * the deployment are read back; a deployment Ignition had recorded already mines none.
 */
import type { TransactionReceipt } from "ethers";

import { Stage__factory } from "../../typechain-types/index.js";
import {
  addressesOf,
  CONTRACT_NAMES,
  deployFishTrace,
  type DeployOptions,
  type FishTrace,
  type FishTraceAddresses,
} from "./system.js";

type Connection = Parameters<typeof deployFishTrace>[0];

export interface DeploymentTransaction {
  what: string;
  receipt: TransactionReceipt;
}

export interface Deployment {
  fishTrace: FishTrace;
  addresses: FishTraceAddresses;
  /** Empty when Ignition found the module deployed already. */
  transactions: DeploymentTransaction[];
}

/** Deploys FishTrace (`options.deploymentId`: Ignition's deployment id) and reports the transactions that did it. */
export async function deployWithReport(connection: Connection, options: DeployOptions = {}): Promise<Deployment> {
  const { provider } = connection.ethers;
  const first = (await provider.getBlockNumber()) + 1;
  const fishTrace = await deployFishTrace(connection, options);
  const last = await provider.getBlockNumber();
  const addresses = await addressesOf(fishTrace);
  const names = new Map(
    (Object.entries(addresses) as [keyof FishTraceAddresses, string][]).map(([key, address]) => [
      address.toLowerCase(),
      CONTRACT_NAMES[key],
    ]),
  );
  const stageInterface = Stage__factory.createInterface();

  const transactions: DeploymentTransaction[] = [];
  for (let n = first; n <= last; n++) {
    const block = await provider.getBlock(n);
    for (const hash of block?.transactions ?? []) {
      const receipt = await provider.getTransactionReceipt(hash);
      if (receipt === null) continue;
      const created = names.get(receipt.contractAddress?.toLowerCase() ?? "");
      const target = names.get(receipt.to?.toLowerCase() ?? "");
      if (created !== undefined) {
        transactions.push({ what: `deploy ${created} at ${receipt.contractAddress}`, receipt });
      } else if (target !== undefined) {
        const tx = await provider.getTransaction(hash);
        const iface =
          target === "Registry"
            ? fishTrace.registry.interface
            : target === "QualityLedger"
              ? fishTrace.qualityLedger.interface
              : stageInterface;
        const call = tx === null ? null : iface.parseTransaction(tx);
        const args = (call?.args.toArray() ?? []).map((a: unknown) => names.get(String(a).toLowerCase()) ?? argText(a));
        transactions.push({ what: `${target}.${call?.name ?? "call"}(${args.join(", ")})`, receipt });
      }
    }
  }
  return { fishTrace, addresses, transactions };
}

/** A call argument as a short text: tuples (a freshness rule) as their values in brackets. */
function argText(value: unknown): string {
  if (Array.isArray(value)) return `(${value.map(argText).join(", ")})`;
  return String(value);
}
