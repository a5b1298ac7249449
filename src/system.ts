/**
 * Typed access to one FishTrace deployment: deploy it (through the Ignition module, so tests, demo and the
 * deploy task share one path) or attach to the addresses Ignition recorded for a chain.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import FishTraceModule from "../ignition/modules/FishTrace.js";
import { Harvester__factory, Registry__factory, type Harvester, type Registry } from "../typechain-types/index.js";
import { InputError } from "./units.js";

export interface FishTrace {
  registry: Registry;
  harvester: Harvester;
}

/** The addresses of a deployment. */
export interface FishTraceAddresses {
  registry: string;
  harvester: string;
}

type Connection = NetworkConnection & { ethers: HardhatEthers };

/** Deploys the system with Ignition on `connection`; the first account becomes the registry admin. */
export async function deployFishTrace(connection: Connection): Promise<FishTrace> {
  const { ignition, ethers } = connection as Connection & {
    ignition: {
      deploy: (module: typeof FishTraceModule) => Promise<Record<string, { getAddress(): Promise<string> }>>;
    };
  };
  const deployed = await ignition.deploy(FishTraceModule);
  const [admin] = await ethers.getSigners();
  return attachFishTrace(
    { registry: await deployed.registry!.getAddress(), harvester: await deployed.harvester!.getAddress() },
    admin!,
  );
}

/** Typed contract handles for `addresses`, connected to `runner`. */
export function attachFishTrace(addresses: FishTraceAddresses, runner: HardhatEthersSigner): FishTrace {
  return {
    registry: Registry__factory.connect(addresses.registry, runner),
    harvester: Harvester__factory.connect(addresses.harvester, runner),
  };
}

/** The addresses Ignition recorded for `chainId` in ignition/deployments/chain-<id>/deployed_addresses.json. */
export async function recordedAddresses(chainId: bigint, root = process.cwd()): Promise<FishTraceAddresses> {
  const file = path.join(root, "ignition", "deployments", `chain-${chainId}`, "deployed_addresses.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new InputError(
      `no FishTrace deployment recorded for chain ${chainId} (run the deploy task on this network first)`,
    );
  }
  const recorded = JSON.parse(text) as Record<string, string>;
  const registry = recorded["FishTrace#Registry"];
  const harvester = recorded["FishTrace#Harvester"];
  if (registry === undefined || harvester === undefined) {
    throw new InputError(`${file} does not list the FishTrace registry and harvester`);
  }
  return { registry, harvester };
}
