/**
 * The error catalogue: every custom error the FishTrace contracts declare, read from their ABIs, with the
 * one-line phrasing `describeError` gives it.
 */
import { ErrorFragment, Interface, type InterfaceAbi } from "ethers";

import {
  Customer__factory,
  Distributor__factory,
  Harvester__factory,
  Manufacturer__factory,
  Registry__factory,
  Retailer__factory,
  Supplier__factory,
} from "../typechain-types/index.js";

/** The registry and the six stage contracts, in supply-chain order. */
const CONTRACTS: Record<string, InterfaceAbi> = {
  Registry: Registry__factory.abi,
  Harvester: Harvester__factory.abi,
  Supplier: Supplier__factory.abi,
  Manufacturer: Manufacturer__factory.abi,
  Distributor: Distributor__factory.abi,
  Retailer: Retailer__factory.abi,
  Customer: Customer__factory.abi,
};

export interface CatalogueEntry {
  signature: string;
  contracts: string[];
}

/** Every custom error, by signature, with the contracts that can revert with it. */
export function customErrors(): CatalogueEntry[] {
  const bySignature = new Map<string, string[]>();
  for (const [name, abi] of Object.entries(CONTRACTS)) {
    new Interface(abi).forEachError((fragment: ErrorFragment) => {
      const signature = fragment.format("sighash");
      bySignature.set(signature, [...(bySignature.get(signature) ?? []), name]);
    });
  }
  return [...bySignature.entries()]
    .map(([signature, contracts]) => ({ signature, contracts }))
    .sort((a, b) => a.signature.localeCompare(b.signature));
}

/** The catalogue as a Markdown table. */
export function errorCatalogue(): string {
  return [
    "| error | raised by |",
    "|---|---|",
    ...customErrors().map((e) => `| \`${e.signature}\` | ${e.contracts.join(", ")} |`),
  ].join("\n");
}
