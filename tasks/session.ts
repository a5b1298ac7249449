/**
 * What a task action needs before it acts: the connection to the network chosen with `--network`, the account
 * that signs (`--from`), and the FishTrace deployment on that network.
 *
 * The connection is `hre.network.getOrCreate()`: the network given on the command line, shared by every task
 * run in the same process, so that on the in-process network a `deploy` followed by other tasks (in a test or a
 * script) sees one chain. Deployments on the in-process network live only in memory and are remembered here;
 * on any other network the addresses come from what Ignition recorded (src/node/system.ts `recordedAddresses`).
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";

import { Registry__factory, Stage__factory, type OrderBook } from "../typechain-types/index.js";
import { lotIdText } from "../src/core/digital-link.js";
import { accountRef, address, required } from "../src/core/inputs.js";
import { orderWithParties } from "../src/core/orders.js";
import { roleBit, type RoleName } from "../src/core/roles.js";
import {
  attachFishTrace,
  recordedAddresses,
  DEPLOYMENT_KEYS,
  type FishTrace,
  type FishTraceAddresses,
} from "../src/node/system.js";
import { InputError } from "../src/core/input-error.js";
import { orderBook, sellingStage } from "../src/core/stages.js";
import { positiveId } from "../src/core/units.js";
import { ORDER_STATE, STAGE_NAMES, type SellingStageName, type StageName } from "../src/core/vocabulary.js";
import type { DeploymentArgs, StageArgs } from "./options.js";

export interface Session {
  connection: NetworkConnection & { ethers: HardhatEthers };
  ethers: HardhatEthers;
  networkName: string;
  /** Hardhat's in-process network: its chain vanishes when the process exits. */
  inProcess: boolean;
  chainId: bigint;
  accounts: HardhatEthersSigner[];
  /** Where Ignition records deployments (Hardhat's `paths.ignition`). */
  ignitionDir: string;
}

export async function openSession(hre: HardhatRuntimeEnvironment): Promise<Session> {
  const connection = await hre.network.getOrCreate();
  const { ethers } = connection;
  const { chainId } = await ethers.provider.getNetwork();
  return {
    connection,
    ethers,
    networkName: connection.networkName,
    inProcess: connection.networkConfig.type === "edr-simulated",
    chainId,
    accounts: await ethers.getSigners(),
    ignitionDir: hre.config.paths.ignition,
  };
}

/** The account `from` names (an address or an index into the network's accounts). */
export function accountOf(session: Session, from: string, what = "--from"): HardhatEthersSigner {
  const ref = accountRef(from, what);
  const n = session.accounts.length;
  if ("index" in ref) {
    const signer = session.accounts[ref.index];
    if (signer === undefined) {
      throw new InputError(
        `${what} ${ref.index} is not an account index: ${session.networkName} has ${n} accounts (0..${n - 1})`,
      );
    }
    return signer;
  }
  const signer = session.accounts.find((s) => s.address === ref.address);
  if (signer === undefined) {
    throw new InputError(`${what} ${ref.address} is not one of the ${n} accounts ${session.networkName} can sign with`);
  }
  return signer;
}

/** The signer: `--from` when given, else `fallback` (an account index, or the address of a party). */
export function signerFor(session: Session, from: string | undefined, fallback: number | string): HardhatEthersSigner {
  if (from !== undefined) return accountOf(session, from);
  if (typeof fallback === "number") return accountOf(session, String(fallback), "the default account");
  const signer = session.accounts.find((s) => s.address.toLowerCase() === fallback.toLowerCase());
  if (signer === undefined) {
    throw new InputError(`${fallback} is not one of the accounts ${session.networkName} can sign with; pass --from`);
  }
  return signer;
}

const inProcessDeployments = new WeakMap<object, FishTraceAddresses>();

/** Remembers a deployment made on the in-process network, for the tasks run after it in the same process. */
export function rememberDeployment(session: Session, addresses: FishTraceAddresses): void {
  if (session.inProcess) inProcessDeployments.set(session.connection, addresses);
}

/**
 * The deployment's addresses: from `--harvester` or `--registry` (the other stages are found by following each
 * stage's `nextStage`), else remembered (in-process network) or recorded by Ignition for this network.
 */
export async function deploymentOf(session: Session, args: DeploymentArgs): Promise<FishTraceAddresses> {
  const { provider } = session.ethers;
  let addresses: FishTraceAddresses;
  if (args.harvester !== undefined) {
    const harvester = address(args.harvester, "--harvester");
    const registry =
      args.registry !== undefined
        ? address(args.registry, "--registry")
        : await Stage__factory.connect(await codeAt(session, harvester, "--harvester"), provider)
            .registry()
            .catch(() => {
              throw new InputError(`--harvester ${harvester} is not a FishTrace stage contract`);
            });
    addresses = { registry, ...(await chainFrom(session, harvester, "--harvester")) };
  } else if (args.registry !== undefined) {
    const registry = Registry__factory.connect(
      await codeAt(session, address(args.registry, "--registry"), "--registry"),
      provider,
    );
    const stages = await registry.stages().catch(() => {
      throw new InputError(`--registry ${args.registry} is not a FishTrace registry`);
    });
    // The quality ledger is attached too, and has no stage number.
    const stageNumbers = await Promise.all(
      stages.map((s) =>
        Stage__factory.connect(s, provider)
          .stage()
          .catch(() => 0n),
      ),
    );
    const harvester = stages[stageNumbers.findIndex((n) => n === 1n)];
    if (harvester === undefined) throw new InputError(`registry ${args.registry} has no Harvester attached`);
    addresses = { registry: await registry.getAddress(), ...(await chainFrom(session, harvester, "the Harvester")) };
  } else if (session.inProcess) {
    const remembered = inProcessDeployments.get(session.connection);
    if (remembered === undefined) {
      throw new InputError(
        "FishTrace is not deployed on the in-process network; run the tasks against a node " +
          "(npx hardhat node --hostname 127.0.0.1, then npx hardhat deploy --network localhost)",
      );
    }
    addresses = remembered;
  } else {
    addresses = await recordedAddresses(session.chainId, session.ignitionDir);
  }
  const recorded = args.registry === undefined && args.harvester === undefined;
  const stale = recorded && !session.inProcess ? " (the node was restarted? run the deploy task again)" : "";
  for (const key of DEPLOYMENT_KEYS) await codeAt(session, addresses[key], `the ${key}`, stale);
  return addresses;
}

/** The six stage contracts, from the Harvester at `harvester` along each stage's `nextStage`, and their ledger. */
async function chainFrom(
  session: Session,
  harvester: string,
  what: string,
): Promise<Record<StageName | "qualityLedger", string>> {
  const chain = new Map<StageName, string>();
  let qualityLedger = ZeroAddress;
  let address = harvester;
  for (const [i, name] of STAGE_NAMES.entries()) {
    chain.set(name, address);
    const stage = Stage__factory.connect(await codeAt(session, address, `the ${name}`), session.ethers.provider);
    const n = await stage.stage().catch(() => 0n);
    if (n !== BigInt(i + 1)) throw new InputError(`${what}: ${address} is not a FishTrace ${name} contract`);
    if (i === 0) {
      qualityLedger = await stage.qualityLedger();
      if (qualityLedger === ZeroAddress) {
        throw new InputError(
          `${what}: the harvester at ${harvester} has no quality ledger set (an unfinished deployment)`,
        );
      }
    }
    if (i === STAGE_NAMES.length - 1) break;
    const next = await stage.nextStage();
    if (next === ZeroAddress) {
      throw new InputError(`${what}: the ${name} at ${address} has no next stage set (an unfinished deployment)`);
    }
    address = next;
  }
  const at = (name: StageName): string => {
    const found = chain.get(name);
    if (found === undefined) throw new Error(`internal: the ${name} was not followed from the Harvester`);
    return found;
  };
  return {
    harvester: at("harvester"),
    supplier: at("supplier"),
    manufacturer: at("manufacturer"),
    distributor: at("distributor"),
    retailer: at("retailer"),
    customer: at("customer"),
    qualityLedger,
  };
}

async function codeAt(session: Session, account: string, what: string, hint = ""): Promise<string> {
  const code = await session.ethers.provider.getCode(account);
  if (code === "0x") throw new InputError(`${what} ${account} has no contract code on ${session.networkName}${hint}`);
  return account;
}

/** Who signs when `--from` is not given: an account index, or an account worked out from the deployment. */
export type SignerDefault = number | ((view: FishTrace, session: Session) => Promise<string>);

export interface Connected {
  session: Session;
  signer: HardhatEthersSigner;
  /** The contracts, connected to `signer`. */
  fishTrace: FishTrace;
  addresses: FishTraceAddresses;
}

/** Opens the session, picks the signer and attaches to the deployment, for a task acting on FishTrace. */
export async function connectFishTrace(
  hre: HardhatRuntimeEnvironment,
  args: DeploymentArgs,
  fallback: SignerDefault,
): Promise<Connected> {
  const session = await openSession(hre);
  const addresses = await deploymentOf(session, args);
  let signer: HardhatEthersSigner;
  if (args.from !== undefined || typeof fallback === "number") {
    signer = signerFor(session, args.from, typeof fallback === "number" ? fallback : 0);
  } else {
    const reader = session.accounts[0];
    if (reader === undefined) throw new InputError(`${session.networkName} has no accounts to sign with`);
    signer = signerFor(session, undefined, await fallback(attachFishTrace(addresses, reader), session));
  }
  return { session, signer, fishTrace: attachFishTrace(addresses, signer), addresses };
}

/** A `SignerDefault`: the first of the network's accounts that holds `role` in the registry. */
export function firstWithRole(role: RoleName): (view: FishTrace, session: Session) => Promise<string> {
  return async ({ registry }, session) => {
    const bit = BigInt(roleBit(role));
    for (const account of session.accounts) {
      const { roles } = await registry.authorization(account.address);
      if ((roles & bit) !== 0n) return account.address;
    }
    throw new InputError(`none of the accounts ${session.networkName} can sign with holds ${role}; pass --from`);
  };
}

/** A `SignerDefault`: the custodian of lot `lotId` at `stage` (who held it there, for a lot that has moved on). */
export function custodianOf(stage: StageName, lotId: bigint): (view: FishTrace) => Promise<string> {
  return async (view) => {
    const lot = await view[stage].getLot(lotId);
    if (lot.status === 0n) throw new InputError(`lot ${lotIdText(lotId)} does not exist at the ${stage} stage`);
    return view.registry.accountOf(lot.custodianId);
  };
}

/** A `SignerDefault`: a party of order `orderId` in `stage`'s book ("owed": whom `withdraw` pays out now). */
export function partyOf(
  stage: SellingStageName,
  orderId: bigint,
  party: "seller" | "buyer" | "owed" | "canceller",
): (view: FishTrace) => Promise<string> {
  return async (view) => {
    const { order, seller, buyer } = await orderWithParties(view[stage], view.registry, orderId);
    if (party === "owed") return ORDER_STATE[Number(order.state)] === "Acknowledged" ? seller : buyer;
    if (party === "canceller") {
      // The seller may decline any time before shipping; the buyer may walk away once the ship-by time passed.
      const block = await view.registry.runner?.provider?.getBlock("latest");
      return block !== undefined && block !== null && block.timestamp > Number(order.deadline) ? buyer : seller;
    }
    return party === "seller" ? seller : buyer;
  };
}

/** The latest block's time, unix seconds: "now" as the chain sees it. */
export async function chainNow(session: Session): Promise<number> {
  const block = await session.ethers.provider.getBlock("latest");
  if (block === null) throw new Error(`${session.networkName} returned no latest block`);
  return block.timestamp;
}

/** The address `value` names: an address as given, or the address of the account with that index. */
export function addressOf(session: Session, value: string, what: string): string {
  const ref = accountRef(value, what);
  return "address" in ref ? ref.address : accountOf(session, value, what).address;
}

/** The arguments of a task acting on one order: `--stage` (the seller's) and `--order`. */
export interface OrderArgs extends StageArgs {
  order?: string;
}

/** The order a task acts on, read from `--stage` and `--order` (before anything connects, so a typo fails first). */
export function orderOf(args: OrderArgs): { stage: SellingStageName; orderId: bigint } {
  return { stage: sellingStage(args.stage), orderId: positiveId(required(args.order, "order"), "order") };
}

/**
 * Connects for a task acting on `order`: signing as `signer` unless `--from` names another (a party of the order, or
 * an account index), with the selling stage's order book.
 */
export async function connectToOrder(
  hre: HardhatRuntimeEnvironment,
  args: DeploymentArgs,
  order: { stage: SellingStageName; orderId: bigint },
  signer: "seller" | "buyer" | "owed" | "canceller" | number,
): Promise<Connected & { book: OrderBook }> {
  const fallback = typeof signer === "number" ? signer : partyOf(order.stage, order.orderId, signer);
  const connected = await connectFishTrace(hre, args, fallback);
  return { ...connected, book: orderBook(connected.fishTrace, order.stage) };
}
