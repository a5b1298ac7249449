/**
 * Typed access to one FishTrace deployment: deploy it (through the Ignition module, so tests, demo and the
 * deploy task share one path) or attach to the addresses Ignition recorded for a chain.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractRunner } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import FishTraceModule from "../ignition/modules/FishTrace.js";
import {
  Customer__factory,
  Distributor__factory,
  Harvester__factory,
  Manufacturer__factory,
  QualityLedger__factory,
  Registry__factory,
  Retailer__factory,
  Supplier__factory,
  type Customer,
  type Distributor,
  type Harvester,
  type Manufacturer,
  type QualityLedger,
  type Registry,
  type Retailer,
  type Supplier,
} from "../typechain-types/index.js";
import { InputError } from "./units.js";

/** The six stage contracts in supply-chain order; a stage's number is its index + 1. */
export const STAGE_NAMES = ["harvester", "supplier", "manufacturer", "distributor", "retailer", "customer"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** The five stages that sell to the next one through an order book. */
export const SELLING_STAGES = ["harvester", "supplier", "manufacturer", "distributor", "retailer"] as const;
export type SellingStageName = (typeof SELLING_STAGES)[number];

export interface FishTrace {
  registry: Registry;
  harvester: Harvester;
  supplier: Supplier;
  manufacturer: Manufacturer;
  distributor: Distributor;
  retailer: Retailer;
  customer: Customer;
  qualityLedger: QualityLedger;
}

/** The addresses of a deployment. */
export type FishTraceAddresses = Record<"registry" | StageName | "qualityLedger", string>;

/** Each contract of a deployment by its key, with its contract (and Ignition future) name. */
export const CONTRACT_NAMES: Record<keyof FishTraceAddresses, string> = {
  registry: "Registry",
  harvester: "Harvester",
  supplier: "Supplier",
  manufacturer: "Manufacturer",
  distributor: "Distributor",
  retailer: "Retailer",
  customer: "Customer",
  qualityLedger: "QualityLedger",
};

/** The contracts of a deployment in deployment order: the registry, the six stages, the quality ledger. */
export const DEPLOYMENT_KEYS = Object.keys(CONTRACT_NAMES) as (keyof FishTraceAddresses)[];

type Connection = NetworkConnection & { ethers: HardhatEthers };
type Deployed = Record<string, { getAddress(): Promise<string> }>;

/** Deploys the system with Ignition on `connection`; the first account becomes the registry admin. */
export async function deployFishTrace(connection: Connection): Promise<FishTrace> {
  const { ignition, ethers } = connection as Connection & {
    ignition: { deploy: (module: typeof FishTraceModule) => Promise<Deployed> };
  };
  const deployed = await ignition.deploy(FishTraceModule);
  const [admin] = await ethers.getSigners();
  const addresses = {} as FishTraceAddresses;
  for (const key of DEPLOYMENT_KEYS) addresses[key] = await deployed[key]!.getAddress();
  return attachFishTrace(addresses, admin!);
}

/** The addresses of `fishTrace`'s contracts. */
export async function addressesOf(fishTrace: FishTrace): Promise<FishTraceAddresses> {
  const addresses = {} as FishTraceAddresses;
  for (const key of DEPLOYMENT_KEYS) addresses[key] = await fishTrace[key].getAddress();
  return addresses;
}

/** Typed contract handles for `addresses`, connected to `runner`. */
export function attachFishTrace(addresses: FishTraceAddresses, runner: ContractRunner): FishTrace {
  return {
    registry: Registry__factory.connect(addresses.registry, runner),
    harvester: Harvester__factory.connect(addresses.harvester, runner),
    supplier: Supplier__factory.connect(addresses.supplier, runner),
    manufacturer: Manufacturer__factory.connect(addresses.manufacturer, runner),
    distributor: Distributor__factory.connect(addresses.distributor, runner),
    retailer: Retailer__factory.connect(addresses.retailer, runner),
    customer: Customer__factory.connect(addresses.customer, runner),
    qualityLedger: QualityLedger__factory.connect(addresses.qualityLedger, runner),
  };
}

/**
 * The addresses Ignition recorded in ignition/deployments/<deployment id>/deployed_addresses.json; the default
 * deployment id is `chain-<chainId>`.
 */
export async function recordedAddresses(
  chainId: bigint,
  root = process.cwd(),
  deploymentId = `chain-${chainId}`,
): Promise<FishTraceAddresses> {
  const file = path.join(root, "ignition", "deployments", deploymentId, "deployed_addresses.json");
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
