/**
 * What a FishTrace deployment is — its stage names, contracts and addresses — and typed handles to one, with
 * nothing but ethers and the generated contract types: safe for the browser (web/) as well as Node.
 * src/node/system.ts adds reading the addresses Ignition recorded, src/node/deploy.ts deploying.
 */
import type { ContractRunner } from "ethers";

import {
  Customer__factory,
  Distributor__factory,
  FishTraceUSD__factory,
  Harvester__factory,
  Manufacturer__factory,
  Packing__factory,
  QualityLedger__factory,
  Registry__factory,
  Retailer__factory,
  Supplier__factory,
  type Customer,
  type Distributor,
  type Harvester,
  type Manufacturer,
  type Packing,
  type QualityLedger,
  type Registry,
  type Retailer,
  type Supplier,
} from "../../typechain-types/index.js";

import type { StageName } from "./vocabulary.js";

export interface FishTrace {
  registry: Registry;
  harvester: Harvester;
  supplier: Supplier;
  manufacturer: Manufacturer;
  distributor: Distributor;
  retailer: Retailer;
  customer: Customer;
  qualityLedger: QualityLedger;
  /**
   * Logistic units (SSCCs packed with lots). Optional: a deployment made before packing existed has none, and
   * everything else works without it.
   */
  packing?: Packing;
}

/** A contract of a deployment, by its key in `FishTrace`. */
export type DeploymentKey = "registry" | StageName | "qualityLedger";

/** The addresses of a deployment; `packing` is absent from a deployment made before packing existed. */
export type FishTraceAddresses = Record<DeploymentKey, string> & { packing?: string };

/** The contract (and Ignition future) name of packing, the one optional contract of a deployment. */
export const PACKING_NAME = "Packing";

/** The contracts of a deployment in deployment order: the registry, the six stages, the quality ledger. */
export const DEPLOYMENT_KEYS = [
  "registry",
  "harvester",
  "supplier",
  "manufacturer",
  "distributor",
  "retailer",
  "customer",
  "qualityLedger",
] as const satisfies readonly DeploymentKey[];

/** Each contract of a deployment by its key, with its contract (and Ignition future) name. */
export const CONTRACT_NAMES = {
  registry: "Registry",
  harvester: "Harvester",
  supplier: "Supplier",
  manufacturer: "Manufacturer",
  distributor: "Distributor",
  retailer: "Retailer",
  customer: "Customer",
  qualityLedger: "QualityLedger",
} as const satisfies Record<DeploymentKey, string>;

/**
 * A deployment's addresses, each asked of `addressOf` in deployment order (one at a time: the first that throws
 * stops the rest), then packing's of `packingOf` (undefined: the deployment has none).
 */
export async function collectAddresses(
  addressOf: (key: DeploymentKey) => string | Promise<string>,
  packingOf: () => string | undefined | Promise<string | undefined> = () => undefined,
): Promise<FishTraceAddresses> {
  const addresses: FishTraceAddresses = {
    registry: await addressOf("registry"),
    harvester: await addressOf("harvester"),
    supplier: await addressOf("supplier"),
    manufacturer: await addressOf("manufacturer"),
    distributor: await addressOf("distributor"),
    retailer: await addressOf("retailer"),
    customer: await addressOf("customer"),
    qualityLedger: await addressOf("qualityLedger"),
  };
  const packing = await packingOf();
  if (packing !== undefined) addresses.packing = packing;
  return addresses;
}

/** The addresses of `fishTrace`'s contracts. */
export async function addressesOf(fishTrace: FishTrace): Promise<FishTraceAddresses> {
  return collectAddresses(
    (key) => fishTrace[key].getAddress(),
    () => fishTrace.packing?.getAddress(),
  );
}

/** Typed contract handles for `addresses`, connected to `runner`. */
export function attachFishTrace(addresses: FishTraceAddresses, runner: ContractRunner): FishTrace {
  const fishTrace: FishTrace = {
    registry: Registry__factory.connect(addresses.registry, runner),
    harvester: Harvester__factory.connect(addresses.harvester, runner),
    supplier: Supplier__factory.connect(addresses.supplier, runner),
    manufacturer: Manufacturer__factory.connect(addresses.manufacturer, runner),
    distributor: Distributor__factory.connect(addresses.distributor, runner),
    retailer: Retailer__factory.connect(addresses.retailer, runner),
    customer: Customer__factory.connect(addresses.customer, runner),
    qualityLedger: QualityLedger__factory.connect(addresses.qualityLedger, runner),
  };
  if (addresses.packing !== undefined) fishTrace.packing = Packing__factory.connect(addresses.packing, runner);
  return fishTrace;
}

/** What a deployment's orders are priced, escrowed and paid in. */
export interface Settlement {
  /** The ERC-20's address; undefined when the deployment settles in Ether. */
  token?: string;
  symbol: string;
  decimals: number;
  /** The ERC-2771 forwarder the registry and the stages trust; undefined when there is none. */
  forwarder?: string;
}

const NO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The settlement token (symbol and decimals read from it; ETH with 18 when none) and forwarder of `fishTrace`. */
export async function settlementOf(fishTrace: FishTrace, runner: ContractRunner): Promise<Settlement> {
  const [token, forwarder] = await Promise.all([
    fishTrace.registry.settlementToken(),
    fishTrace.registry.trustedForwarder(),
  ]);
  const sponsor = forwarder === NO_ADDRESS ? {} : { forwarder };
  if (token === NO_ADDRESS) return { symbol: "ETH", decimals: 18, ...sponsor };
  const erc20 = FishTraceUSD__factory.connect(token, runner);
  const [symbol, decimals] = await Promise.all([erc20.symbol(), erc20.decimals()]);
  return { token, symbol, decimals: Number(decimals), ...sponsor };
}

/** What `account` holds of the settlement token (`settlement.token`); undefined for an Ether deployment. */
export async function tokenBalanceOf(
  settlement: Settlement,
  account: string,
  runner: ContractRunner,
): Promise<bigint | undefined> {
  if (settlement.token === undefined) return undefined;
  return FishTraceUSD__factory.connect(settlement.token, runner).balanceOf(account);
}
