/**
 * The six stages by name: parsing `--stage`, the actor role of each stage and of its buyers, and typed handles on
 * a stage's contract as a generic `Stage` (lots) or `OrderBook` (orders), so one task serves every stage.
 */
import type { OrderBook, Stage } from "../../typechain-types/index.js";
import { defined } from "./checks.js";
import { lotIdText } from "./digital-link.js";
import { ACTOR_ROLES, type ActorRole } from "./roles.js";
import type { FishTrace } from "./deployment.js";
import { InputError } from "./input-error.js";
import { LOT_STATUS, SELLING_STAGES, STAGE_NAMES, type SellingStageName, type StageName } from "./vocabulary.js";

/** A stage given by name ("harvester", "Supplier"), checked against `allowed` (default: all six). */
export function stageName(value: string, what?: string): StageName;
export function stageName<S extends StageName>(value: string, what: string, allowed: readonly S[]): S;
export function stageName(value: string, what = "--stage", allowed: readonly StageName[] = STAGE_NAMES): StageName {
  const name = value.trim().toLowerCase();
  const match = allowed.find((s) => s === name);
  if (match !== undefined) return match;
  if (allowed !== STAGE_NAMES && STAGE_NAMES.some((s) => s === name)) {
    throw new InputError(`${what} ${name} cannot be used here: it must be one of ${allowed.join(", ")}`);
  }
  throw new InputError(`${what} "${value}" is not one of ${allowed.join(", ")}`);
}

/** The stage of a lot task, from `--stage` (default: the harvester). */
export function lotStage(value: string | undefined): StageName {
  return value === undefined ? "harvester" : stageName(value);
}

/** The stage whose order book sells, from `--stage` (default: the harvester). */
export function sellingStage(value: string | undefined): SellingStageName {
  if (value === undefined) return "harvester";
  const name = value.trim().toLowerCase();
  if (name === "customer") {
    throw new InputError(`--stage customer sells nothing on; give the seller's stage: ${SELLING_STAGES.join(", ")}`);
  }
  return stageName(value, "--stage", SELLING_STAGES);
}

/** The stage of number `n` (1 = harvester … 6 = customer). */
export function stageOfNumber(n: number | bigint): StageName {
  const name = STAGE_NAMES[Number(n) - 1];
  if (name === undefined) throw new Error(`${n} is not a stage number (1..6)`);
  return name;
}

/** The stage number (1 = harvester … 6 = customer). */
export function stageNumber(stage: StageName): number {
  return STAGE_NAMES.indexOf(stage) + 1;
}

/** The actor role lot custodians at `stage` hold. */
export function stageRole(stage: StageName): ActorRole {
  return defined(ACTOR_ROLES[STAGE_NAMES.indexOf(stage)], `the actor role of the ${stage} stage`);
}

/** The stage that buys from `stage`: its lots go there once acknowledged. */
export function buyerStage(stage: SellingStageName): StageName {
  return defined(STAGE_NAMES[STAGE_NAMES.indexOf(stage) + 1], `the stage after the ${stage}`);
}

/** The actor role of `stage`'s buyers (the role of the next stage). */
export function buyerRole(stage: SellingStageName): ActorRole {
  return stageRole(buyerStage(stage));
}

/** Stage `stage`'s contract as the lot functions every stage shares. */
export function stageContract(fishTrace: FishTrace, stage: StageName): Stage {
  return fishTrace[stage];
}

/** Stage `stage`'s order book, where it sells to the next stage. */
export function orderBook(fishTrace: FishTrace, stage: SellingStageName): OrderBook {
  return fishTrace[stage];
}

/** `IStage.LotStatus` values of a lot a stage holds: `Created` (available) or `Shipped` (in an order, not handed over). */
const HELD = new Set([1n, 2n]);

/**
 * The stage that holds `lotId` now: where it is `Created` or `Shipped` (the stage whose custodian may scan it or
 * anchor readings for it). Throws an `InputError` saying why when no stage holds it.
 */
export async function stageHolding(fishTrace: FishTrace, lotId: bigint, what = "lot"): Promise<StageName> {
  const statuses = await Promise.all(
    STAGE_NAMES.map(async (stage) => ({ stage, status: (await fishTrace[stage].getLot(lotId)).status })),
  );
  const held = statuses.filter(({ status }) => HELD.has(status)).at(-1);
  if (held !== undefined) return held.stage;
  const known = statuses.filter(({ status }) => status !== 0n).at(-1);
  if (known === undefined) throw new InputError(`${what} ${lotIdText(lotId)} does not exist at any stage`);
  const { stage: last, status } = known;
  throw new InputError(
    `${what} ${lotIdText(lotId)} is not held at any stage (it is ${LOT_STATUS[Number(status)] ?? status} at the ${last} stage)`,
  );
}
