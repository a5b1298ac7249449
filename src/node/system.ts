/**
 * Typed access to one FishTrace deployment: attach to the addresses Ignition recorded for a chain. Neither Hardhat
 * nor the Ignition module is loaded here, so the relay runs without them; deploying is src/node/deploy.ts's.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { z } from "zod";

import { collectAddresses, CONTRACT_NAMES, PACKING_NAME, type FishTraceAddresses } from "../core/deployment.js";
import { InputError } from "../core/input-error.js";

export {
  addressesOf,
  attachFishTrace,
  collectAddresses,
  CONTRACT_NAMES,
  DEPLOYMENT_KEYS,
  PACKING_NAME,
  type DeploymentKey,
  type FishTrace,
  type FishTraceAddresses,
} from "../core/deployment.js";

/**
 * The Ignition deployment id FishTrace uses on chain `chainId`: `$FISHTRACE_DEPLOYMENT_ID` when set (several
 * deployments on one chain: the local stack, the README's examples), else Ignition's default `chain-<chainId>`.
 */
export function deploymentIdOf(chainId: bigint): string {
  return process.env.FISHTRACE_DEPLOYMENT_ID?.trim() || `chain-${chainId}`;
}

/** Ignition's deployed_addresses.json: future id ("FishTrace#Registry") → address. */
const RECORDED_ADDRESSES = z.record(z.string(), z.unknown());

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
  const parsed = RECORDED_ADDRESSES.safeParse(JSON.parse(text));
  const recorded: Record<string, unknown> = parsed.success ? parsed.data : {};
  return collectAddresses(
    (key) => {
      const contract = CONTRACT_NAMES[key];
      const address = recorded[`FishTrace#${contract}`];
      if (typeof address !== "string") throw new InputError(`${file} does not list the FishTrace ${contract} contract`);
      return address;
    },
    () => {
      // Recorded since packing exists; an older deployment has none and works without it.
      const packing = recorded[`FishTrace#${PACKING_NAME}`];
      return typeof packing === "string" ? packing : undefined;
    },
  );
}

/**
 * The addresses in a JSON file of its own (`{"registry": "0x…", "harvester": "0x…", …}`, the keys of
 * DEPLOYMENT_KEYS), as a service run without Hardhat takes them (`--addresses <file>`); one line naming the file
 * and what is wrong with it otherwise.
 */
export async function addressesFile(file: string): Promise<FishTraceAddresses> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new InputError(`--addresses ${file}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  const record = new Map<string, unknown>(typeof parsed === "object" && parsed !== null ? Object.entries(parsed) : []);
  const packing = record.get("packing");
  return collectAddresses(
    (key) => {
      const value = record.get(key);
      if (typeof value !== "string") throw new InputError(`--addresses ${file} has no "${key}" address`);
      return value;
    },
    () => (typeof packing === "string" ? packing : undefined),
  );
}

/**
 * The deployment a service run without Hardhat serves: the `--addresses` file when given, else what Ignition
 * recorded for `chainId` (`--deployment <id>`, or the chain's default id) under ./ignition.
 */
export function deploymentAddresses(
  chainId: bigint,
  options: { addresses?: string | undefined; deployment?: string | undefined },
): Promise<FishTraceAddresses> {
  if (options.addresses !== undefined) return addressesFile(options.addresses);
  return recordedAddresses(
    chainId,
    path.join(process.cwd(), "ignition"),
    options.deployment ?? deploymentIdOf(chainId),
  );
}
