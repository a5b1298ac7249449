/**
 * The error catalogue: every custom error the FishTrace contracts declare, read from their ABIs, with the
 * one-line phrasing `describeError` gives it.
 */
import { ErrorFragment, Interface } from "ethers";

import { CONTRACT_ABIS } from "../core/abis.js";

export interface CatalogueEntry {
  signature: string;
  contracts: string[];
}

/** Every custom error, by signature, with the contracts that can revert with it. */
export function customErrors(): CatalogueEntry[] {
  const bySignature = new Map<string, string[]>();
  for (const [name, abi] of Object.entries(CONTRACT_ABIS)) {
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
