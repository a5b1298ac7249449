/**
 * The relay's settings as people give them (task options, command-line flags, environment), parsed once for the
 * `relay` task and src/services/relay/main.ts, each problem one line naming the option.
 */
import { HDNodeWallet, getAddress, isAddress, isHexString, Wallet, type Provider } from "ethers";

import { InputError } from "../../core/input-error.js";
import { wholeNumber } from "../../core/units.js";
import { DEFAULT_RELAY_PORT, type RelayOptions } from "./relay.js";

export interface RelayArgs {
  db?: string;
  host?: string;
  port?: string;
  key?: string;
  qatBatch?: string;
  sensorBatch?: string;
  maxAge?: string;
  sync?: string;
  /** Create the store when it is missing or empty. */
  init?: boolean;
  /** The deployment's ERC2771Forwarder: the relay takes sponsored actions through it. */
  forwarder?: string;
  /** The name of the forwarder's EIP-712 domain (default "FishTrace"). */
  forwarderName?: string;
  /** Sponsored requests one signer may send a day. */
  sponsorRequests?: string;
  /** Gas one signer's sponsored requests may ask for a day. */
  sponsorGas?: string;
  /** Sponsored actions per executeBatch transaction. */
  actionBatch?: string;
  /** The contracts sponsored calls may go to, comma-separated (default: the deployment's). */
  actionTargets?: string;
}

/** Where the relay keeps its store unless told otherwise (git-ignored). */
export const DEFAULT_DB = "relay-data/relay.sqlite";

/** The environment variable a deployment puts the relay's private key in. */
export const KEY_ENV = "FISHTRACE_RELAY_KEY";

/** Hardhat's development mnemonic and the account of it the relay uses on a local chain (the last of twenty). */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";
export const DEV_ACCOUNT_INDEX = 19;

function positive(value: string, what: string, max: number): number {
  const n = wholeNumber(value, what, max);
  if (n === 0) throw new InputError(`${what} must be at least 1`);
  return n;
}

/** The settings of `args` other than the chain and the key. */
export function relaySettings(
  args: RelayArgs,
): Pick<
  RelayOptions,
  | "database"
  | "host"
  | "port"
  | "sync"
  | "submitter"
  | "init"
  | "forwarder"
  | "forwarderName"
  | "sponsorBudget"
  | "actionTargets"
> {
  const submitter: NonNullable<RelayOptions["submitter"]> = {};
  if (args.qatBatch !== undefined) submitter.qatBatch = positive(args.qatBatch, "--qat-batch", 500);
  if (args.sensorBatch !== undefined) submitter.sensorBatch = positive(args.sensorBatch, "--sensor-batch", 65_536);
  if (args.actionBatch !== undefined) submitter.actionBatch = positive(args.actionBatch, "--action-batch", 200);
  const forwarder = args.forwarder?.trim();
  if (forwarder !== undefined && !isAddress(forwarder)) {
    throw new InputError(`--forwarder "${args.forwarder}" is not an address`);
  }
  const forwarderName = args.forwarderName?.trim();
  if (forwarderName === "") throw new InputError("--forwarder-name is empty");
  const sponsorBudget: NonNullable<RelayOptions["sponsorBudget"]> = {};
  if (args.sponsorRequests !== undefined) {
    sponsorBudget.requestsPerDay = positive(args.sponsorRequests, "--sponsor-requests", 1_000_000);
  }
  if (args.sponsorGas !== undefined) {
    sponsorBudget.gasPerDay = positive(args.sponsorGas, "--sponsor-gas", Number.MAX_SAFE_INTEGER);
  }
  const actionTargets = args.actionTargets?.split(",").map((target) => {
    if (!isAddress(target.trim())) throw new InputError(`--action-targets: "${target}" is not an address`);
    return getAddress(target.trim());
  });
  if (args.maxAge !== undefined) {
    const seconds = Number(args.maxAge.trim());
    if (!/^\d+(\.\d+)?$/.test(args.maxAge.trim()) || seconds <= 0 || seconds > 86_400) {
      throw new InputError(`--max-age "${args.maxAge}" is not a number of seconds (0 < s ≤ 86400)`);
    }
    submitter.maxAgeMs = Math.round(seconds * 1000);
  }
  const sync = args.sync?.trim().toLowerCase();
  if (sync !== undefined && sync !== "full" && sync !== "normal") {
    throw new InputError(`--sync "${args.sync}" must be full (survives a power cut) or normal (survives a crash)`);
  }
  const host = args.host?.trim() ?? "127.0.0.1";
  if (host === "") throw new InputError("--host is empty");
  return {
    database: args.db?.trim() || DEFAULT_DB,
    host,
    port: args.port === undefined ? DEFAULT_RELAY_PORT : wholeNumber(args.port, "--port", 65_535),
    sync,
    submitter,
    init: args.init === true,
    forwarder: forwarder === undefined ? undefined : getAddress(forwarder),
    forwarderName,
    sponsorBudget,
    actionTargets,
  };
}

/**
 * The relay's account: `--key`, else $FISHTRACE_RELAY_KEY, else — on a local development chain (id 31337) only —
 * Hardhat's development account #19, announced through `notice`.
 */
export function relayWallet(
  key: string | undefined,
  chainId: bigint,
  provider: Provider,
  notice: (line: string) => void,
): Wallet {
  const given = key ?? process.env[KEY_ENV];
  if (given !== undefined && given.trim() !== "") {
    const hex = given.trim().startsWith("0x") ? given.trim() : `0x${given.trim()}`;
    if (!isHexString(hex, 32)) throw new InputError(`the relay key is not 32 bytes of hex (--key or $${KEY_ENV})`);
    return new Wallet(hex, provider);
  }
  if (chainId !== 31337n) {
    throw new InputError(`give the relay's private key with --key or $${KEY_ENV} (chain ${chainId} is not local)`);
  }
  const dev = HDNodeWallet.fromPhrase(DEV_MNEMONIC, "", `m/44'/60'/0'/0/${DEV_ACCOUNT_INDEX}`);
  notice(`no --key: sending from Hardhat's development account #${DEV_ACCOUNT_INDEX} ${dev.address}`);
  return new Wallet(dev.privateKey, provider);
}
