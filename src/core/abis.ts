/**
 * The ABIs of the registry, the six stage contracts in supply-chain order, the quality ledger and packing (logistic
 * units): the one list everything reads.
 */
import type { InterfaceAbi } from "ethers";

import {
  Customer__factory,
  Distributor__factory,
  Harvester__factory,
  Manufacturer__factory,
  Packing__factory,
  QualityLedger__factory,
  Registry__factory,
  Retailer__factory,
  Supplier__factory,
} from "../../typechain-types/index.js";

export const CONTRACT_ABIS = {
  Registry: Registry__factory.abi,
  Harvester: Harvester__factory.abi,
  Supplier: Supplier__factory.abi,
  Manufacturer: Manufacturer__factory.abi,
  Distributor: Distributor__factory.abi,
  Retailer: Retailer__factory.abi,
  Customer: Customer__factory.abi,
  QualityLedger: QualityLedger__factory.abi,
  Packing: Packing__factory.abi,
} as const satisfies Record<string, InterfaceAbi>;

export type ContractName = keyof typeof CONTRACT_ABIS;
