/**
 * The demo as the seed of the local stack and the browser tests (src/tools/local-stack.ts): what the demo's
 * environment asks for, the relay's account bound as a gateway, `<dir>/facts.json` (DemoFacts,
 * src/core/api/web-config.ts) and the analytics data seeded after the story (src/tools/stack-analytics.ts).
 * Environment:
 *   FISHTRACE_DEPLOYMENT_ID=<id>   Ignition's deployment id (default chain-<chainId>), so a throw-away chain's
 *                                  journal does not clobber ignition/deployments/chain-31337
 *   FISHTRACE_DEMO_OUT=<dir>       also enrol Hardhat account #19 as the relay (a SENSOR_GATEWAY of the vessel), and
 *                                  write <dir>/facts.json; the export files go to <dir>/demo-output instead of
 *                                  demo-output/
 *   FISHTRACE_DEMO_SEED=registry   (with FISHTRACE_DEMO_OUT) stop after the deployment and the registry's cast
 *   FISHTRACE_DEMO_ANALYTICS=0     (with FISHTRACE_DEMO_OUT) skip the analytics data seeded after the demo
 *                                  (<dir>/analytics.json, detector.json, intake.json)
 *   FISHTRACE_SETTLEMENT=eth       orders priced, escrowed and paid in Ether instead of the default, the test
 *                                  stablecoin FishTraceUSD (fUSD, 6 decimals), deployed with the system and minted
 *                                  to every participant of the cast
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { HDNodeWallet, type ContractTransactionReceipt } from "ethers";

import type { Account } from "./steps.js";
import { seedStackAnalytics } from "../stack-analytics.js";
import type { DemoFacts, DemoPack, DemoRole } from "../../core/api/web-config.js";
import { digitalLink, gtin14 } from "../../core/digital-link.js";
import type { ProcessOutput } from "../../core/process.js";
import { InputError } from "../../core/input-error.js";
import { roleId } from "../../core/roles.js";
import { formatGrams } from "../../core/units.js";
import { LOT_FLAGS, STAGE_NAMES } from "../../core/vocabulary.js";
import { addressesOf, type FishTrace } from "../../node/system.js";
import { mined } from "../../node/tx.js";
import { DEV_ACCOUNT_INDEX } from "../../services/relay/options.js";
import type { Registry } from "../../../typechain-types/index.js";

/** Hardhat's development mnemonic: the relay's account is its #19 (src/services/relay/options.ts). */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** What the demo's environment asks for (module comment). */
export interface DemoSeeding {
  /** Ignition's deployment id; undefined: Ignition's default. */
  deploymentId: string | undefined;
  /** With FISHTRACE_DEMO_OUT: the local stack's seed. */
  stack: StackSeed | undefined;
  /** What orders settle in: the test stablecoin FishTraceUSD (default) or Ether (`FISHTRACE_SETTLEMENT=eth`). */
  settlement: DemoSettlement;
}

/** The settlements the demo runs with. */
export const DEMO_SETTLEMENTS = ["fusd", "eth"] as const;
export type DemoSettlement = (typeof DEMO_SETTLEMENTS)[number];

/** How much of the test stablecoin each participant of the cast is given: enough for every order the seed places. */
export const DEMO_FUNDS = "1000000";

/** A settlement by name ("fusd", "eth"; `what` names where it came from in the one-line error). */
export function demoSettlement(value: string, what: string): DemoSettlement {
  const found = DEMO_SETTLEMENTS.find((s) => s === value.trim().toLowerCase());
  if (found === undefined) throw new InputError(`${what} "${value}" is not ${DEMO_SETTLEMENTS.join(" or ")}`);
  return found;
}

export interface StackSeed {
  /** Where facts.json (and the analytics files) go. */
  dir: string;
  /** Stop after the deployment and the registry's cast (`FISHTRACE_DEMO_SEED=registry`). */
  registryOnly: boolean;
  /** Seed the analytics data after the story (unless `FISHTRACE_DEMO_ANALYTICS=0`). */
  analytics: boolean;
}

/** The demo's settings from `env` (blank values count as unset). */
export function demoSeeding(env: NodeJS.ProcessEnv = process.env): DemoSeeding {
  const dir = env.FISHTRACE_DEMO_OUT?.trim() || undefined;
  const settlement = env.FISHTRACE_SETTLEMENT?.trim() || "fusd";
  return {
    deploymentId: env.FISHTRACE_DEPLOYMENT_ID?.trim() || undefined,
    settlement: demoSettlement(settlement, "FISHTRACE_SETTLEMENT"),
    stack:
      dir === undefined
        ? undefined
        : {
            dir,
            registryOnly: env.FISHTRACE_DEMO_SEED?.trim() === "registry",
            analytics: env.FISHTRACE_DEMO_ANALYTICS?.trim() !== "0",
          },
  };
}

/** The demo's settings from the environment; a bad value ends the process with one line naming it. */
export function demoSeedingOrExit(): DemoSeeding {
  try {
    return demoSeeding();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    console.error(`error: ${err.message}`);
    process.exit(1);
  }
}

/** Where the demo writes its export files: demo-output/, or `<dir>/demo-output` for the stack. */
export function exportDir(seeding: DemoSeeding): string {
  return seeding.stack === undefined ? "demo-output" : path.join(seeding.stack.dir, "demo-output");
}

/** The local stack's relay sends from Hardhat's account #19: bound here as a SENSOR_GATEWAY of `vessel`. */
export async function bindRelay(
  registry: Registry,
  vessel: string,
): Promise<{ address: string; index: number; receipt: ContractTransactionReceipt }> {
  const relay = HDNodeWallet.fromPhrase(DEV_MNEMONIC, "", `m/44'/60'/0'/0/${DEV_ACCOUNT_INDEX}`);
  const receipt = await mined(registry.registerDevice(relay.address, roleId("SENSOR_GATEWAY"), vessel));
  return { address: relay.address, index: DEV_ACCOUNT_INDEX, receipt };
}

/** A pack the demo made: its lot and what the manufacturer declared for it. */
export interface MadePack {
  lotId: bigint;
  output: ProcessOutput;
}

/** The packs as facts.json lists them, with their flags at the latest stage that has them. */
export async function packFacts(fishTrace: FishTrace, packs: readonly MadePack[]): Promise<DemoPack[]> {
  const flagsOf = async (lotId: bigint): Promise<number> => {
    for (const name of [...STAGE_NAMES].reverse()) {
      const lot = await fishTrace[name].getLot(lotId);
      if (lot.status !== 0n) return Number(lot.flags);
    }
    return 0;
  };
  const facts: DemoPack[] = [];
  for (const { lotId, output: out } of packs) {
    const flags = await flagsOf(lotId);
    facts.push({
      lotId: lotId.toString(),
      gtin: gtin14(out.gtin),
      lotNumber: out.lot,
      digitalLink: digitalLink(out.gtin, out.lot),
      name: `Atlantic cod, ${formatGrams(out.weightGrams)}, ${out.frozen ? "frozen" : "fresh"}`,
      recalled: (flags & LOT_FLAGS.RECALLED) !== 0,
      speciesMismatch: (flags & LOT_FLAGS.SPECIES_MISMATCH) !== 0,
      excursion: (flags & LOT_FLAGS.EXCURSION) !== 0,
    });
  }
  return facts;
}

/** What the demo made, for the local stack and the browser tests: `<dir>/facts.json`; tells its path. */
export async function writeFacts(
  dir: string,
  made: {
    fishTrace: FishTrace;
    /** Each role's account. */
    cast: Record<DemoRole, Account>;
    /** The network's accounts in Hardhat's order (an account's index is its place here). */
    signers: readonly Account[];
    packs: DemoFacts["packs"];
    catches: DemoFacts["catches"];
  },
  print: (line: string) => void = console.log,
): Promise<void> {
  const addresses = made.signers.map((s) => s.address);
  const entry = (role: DemoRole) => {
    const { address } = made.cast[role];
    return { address, index: addresses.indexOf(address) };
  };
  const accounts: DemoFacts["accounts"] = {
    admin: entry("admin"),
    vessel: entry("vessel"),
    supplier: entry("supplier"),
    gateway: entry("gateway"),
    manufacturer: entry("manufacturer"),
    distributor: entry("distributor"),
    retailer: entry("retailer"),
    customer: entry("customer"),
    regulator: entry("regulator"),
  };
  const facts: DemoFacts = {
    addresses: await addressesOf(made.fishTrace),
    accounts,
    packs: made.packs,
    catches: made.catches,
  };
  const file = path.join(dir, "facts.json");
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify(facts, null, 2) + "\n");
  print(`  facts for the dApp and its tests → ${file}`);
}

/**
 * After the demo's story: the analytics data of the local stack (src/tools/stack-analytics.ts) with the same cast,
 * written to `<dir>/analytics.json` (the detector's model and the intake weighings beside it); tells what it made.
 */
export async function seedAnalytics(
  dir: string,
  fishTrace: FishTrace,
  cast: Record<DemoRole, Account>,
  networkHelpers: NetworkHelpers,
  print: (line: string) => void = console.log,
): Promise<void> {
  const { admin, vessel, supplier, manufacturer, distributor, retailer, customer } = cast;
  const analytics = await seedStackAnalytics(
    fishTrace,
    { admin, vessel, supplier, manufacturer, distributor, retailer, customer },
    {
      setNextBlockTimestamp: (t) => networkHelpers.time.setNextBlockTimestamp(t),
      latestTime: () => networkHelpers.time.latest(),
      fund: (address) => networkHelpers.setBalance(address, 10n ** 19n),
    },
    { model: path.join(dir, "detector.json"), intake: path.join(dir, "intake.json") },
  );
  const file = path.join(dir, "analytics.json");
  await writeFile(file, JSON.stringify(analytics, null, 2) + "\n");
  print(
    `  analytics data: ${analytics.salesDays} days of sales, ${analytics.anomalies.length} injected anomalies, ` +
      `${analytics.heldLots.length} lots at the distributor; ${analytics.transactions} transactions in ` +
      `${analytics.seconds} s → ${file}`,
  );
}

/**
 * The end of a stack's seed, after the story: facts.json with the packs and catches the demo made, then the
 * analytics data unless `FISHTRACE_DEMO_ANALYTICS=0`.
 */
export async function finishStackSeed(
  stack: StackSeed,
  made: {
    fishTrace: FishTrace;
    cast: Record<DemoRole, Account>;
    signers: readonly Account[];
    packs: readonly MadePack[];
    catches: readonly { lotId: bigint; species: string }[];
  },
  networkHelpers: NetworkHelpers,
  print: (line: string) => void = console.log,
): Promise<void> {
  const { fishTrace, cast, signers } = made;
  const packs = await packFacts(fishTrace, made.packs);
  const catches = made.catches.map(({ lotId, species }) => ({ lotId: lotId.toString(), species }));
  await writeFacts(stack.dir, { fishTrace, cast, signers, packs, catches }, print);
  if (stack.analytics) await seedAnalytics(stack.dir, fishTrace, cast, networkHelpers, print);
}
