/**
 * Deploys the system through the Ignition module, so tests, demo and the deploy task share one path, and reports
 * the transactions that did it, with their gas, for the deploy task and the demo. Ignition does not hand out
 * receipts, so the blocks mined during the deployment are read back; a deployment Ignition had recorded already
 * mines none. Attaching to a deployment without Hardhat or Ignition is src/node/system.ts's.
 */
import type { TransactionReceipt } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import FishTraceModule, { ETHER_SETTLEMENT } from "../../ignition/modules/FishTrace.js";
import TestTokenModule from "../../ignition/modules/TestToken.js";
import { Stage__factory } from "../../typechain-types/index.js";
import {
  addressesOf,
  attachFishTrace,
  collectAddresses,
  CONTRACT_NAMES,
  DEPLOYMENT_KEYS,
  PACKING_NAME,
  type FishTrace,
  type FishTraceAddresses,
} from "../core/deployment.js";

/** A Hardhat network connection (with the ethers and Ignition plugins the project's config loads). */
type Connection = NetworkConnection;

export interface DeployOptions {
  /**
   * Ignition's deployment id: its journal is kept in ignition/deployments/<deploymentId> (default `chain-<chainId>`,
   * shared by every deployment to that chain; give a unique one for a throw-away chain such as the local stack's).
   */
  deploymentId?: string;
  /**
   * The settlement token: an ERC-20's address, or "test" to deploy the test stablecoin FishTraceUSD (the TestToken
   * module) first and use it. Default: Ether.
   */
  settlementToken?: string;
}

/** Deploys the system with Ignition on `connection`; the first account becomes the registry admin. */
export async function deployFishTrace(connection: Connection, options: DeployOptions = {}): Promise<FishTrace> {
  const { ignition, ethers } = connection;
  const where = options.deploymentId === undefined ? {} : { deploymentId: options.deploymentId };
  let settlementToken = options.settlementToken ?? ETHER_SETTLEMENT;
  if (settlementToken === "test") {
    const { token } = await ignition.deploy(TestTokenModule, where);
    settlementToken = await token.getAddress();
  }
  const deployed = await ignition.deploy(FishTraceModule, {
    ...where,
    parameters: { FishTrace: { settlementToken } },
  });
  const [admin] = await ethers.getSigners();
  if (admin === undefined) throw new Error("the network has no accounts to deploy FishTrace from");
  const addresses = await collectAddresses(
    (key) => deployed[key].getAddress(),
    () => deployed.packing.getAddress(),
  );
  return attachFishTrace(addresses, admin);
}

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
  const names = new Map<string, string>(
    DEPLOYMENT_KEYS.map((key) => [addresses[key].toLowerCase(), CONTRACT_NAMES[key]]),
  );
  if (addresses.packing !== undefined) names.set(addresses.packing.toLowerCase(), PACKING_NAME);
  const forwarder = await fishTrace.registry.trustedForwarder();
  const token = await fishTrace.registry.settlementToken();
  const created = new Map<string, string>([
    ...names,
    [forwarder.toLowerCase(), "FishTraceForwarder"],
    [token.toLowerCase(), "FishTraceUSD"],
  ]);
  const stageInterface = Stage__factory.createInterface();

  const transactions: DeploymentTransaction[] = [];
  for (let n = first; n <= last; n++) {
    const block = await provider.getBlock(n);
    for (const hash of block?.transactions ?? []) {
      const receipt = await provider.getTransactionReceipt(hash);
      if (receipt === null) continue;
      const deployed = created.get(receipt.contractAddress?.toLowerCase() ?? "");
      const target = names.get(receipt.to?.toLowerCase() ?? "");
      if (deployed !== undefined) {
        transactions.push({ what: `deploy ${deployed} at ${receipt.contractAddress}`, receipt });
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
