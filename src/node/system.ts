/**
 * Typed access to one FishTrace deployment: deploy it (through the Ignition module, so tests, demo and the
 * deploy task share one path) or attach to the addresses Ignition recorded for a chain.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import FishTraceModule from "../../ignition/modules/FishTrace.js";
import {
  attachFishTrace,
  CONTRACT_NAMES,
  DEPLOYMENT_KEYS,
  type FishTrace,
  type FishTraceAddresses,
} from "../core/deployment.js";
import { InputError } from "../core/units.js";

export {
  addressesOf,
  attachFishTrace,
  CONTRACT_NAMES,
  DEPLOYMENT_KEYS,
  SELLING_STAGES,
  STAGE_NAMES,
  type FishTrace,
  type FishTraceAddresses,
  type SellingStageName,
  type StageName,
} from "../core/deployment.js";

type Connection = NetworkConnection & { ethers: HardhatEthers };
type Deployed = Record<string, { getAddress(): Promise<string> }>;

export interface DeployOptions {
  /**
   * Ignition's deployment id: its journal is kept in ignition/deployments/<deploymentId> (default `chain-<chainId>`,
   * shared by every deployment to that chain; give a unique one for a throw-away chain such as the local stack's).
   */
  deploymentId?: string;
}

/** Deploys the system with Ignition on `connection`; the first account becomes the registry admin. */
export async function deployFishTrace(connection: Connection, options: DeployOptions = {}): Promise<FishTrace> {
  const { ignition, ethers } = connection as Connection & {
    ignition: {
      deploy: (module: typeof FishTraceModule, options: { deploymentId?: string }) => Promise<Deployed>;
    };
  };
  const deployed = await ignition.deploy(
    FishTraceModule,
    options.deploymentId === undefined ? {} : { deploymentId: options.deploymentId },
  );
  const [admin] = await ethers.getSigners();
  const addresses = {} as FishTraceAddresses;
  for (const key of DEPLOYMENT_KEYS) addresses[key] = await deployed[key]!.getAddress();
  return attachFishTrace(addresses, admin!);
}

/**
 * The Ignition deployment id FishTrace uses on chain `chainId`: `$FISHTRACE_DEPLOYMENT_ID` when set (several
 * deployments on one chain: the local stack, the README's examples), else Ignition's default `chain-<chainId>`.
 */
export function deploymentIdOf(chainId: bigint): string {
  return process.env.FISHTRACE_DEPLOYMENT_ID?.trim() || `chain-${chainId}`;
}

/**
 * The addresses Ignition recorded in <ignition dir>/deployments/<deployment id>/deployed_addresses.json (Hardhat's
 * `paths.ignition`, by default ignition/ in the project), of `deploymentIdOf(chainId)` unless told another.
 */
export async function recordedAddresses(
  chainId: bigint,
  ignitionDir = path.join(process.cwd(), "ignition"),
  deploymentId = deploymentIdOf(chainId),
): Promise<FishTraceAddresses> {
  const file = path.join(ignitionDir, "deployments", deploymentId, "deployed_addresses.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new InputError(
      `no FishTrace deployment recorded for chain ${chainId} (run the deploy task on this network first)`,
    );
  }
  const recorded = JSON.parse(text) as Record<string, string>;
  const addresses = {} as FishTraceAddresses;
  for (const [key, contract] of Object.entries(CONTRACT_NAMES) as [keyof FishTraceAddresses, string][]) {
    const address = recorded[`FishTrace#${contract}`];
    if (address === undefined) throw new InputError(`${file} does not list the FishTrace ${contract} contract`);
    addresses[key] = address;
  }
  return addresses;
}
