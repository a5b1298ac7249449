/**
 * The names behind the numbers the contracts store: lot statuses, order states, removal and problem reasons,
 * transport modes, lot flags and the cold-chain bands (contracts/interfaces/IStage.sol, IOrderBook.sol,
 * ICustomer.sol, IDistributor.sol, libraries/LotFlags.sol, ColdChain.sol), and the stages by name. Imports nothing:
 * the dApp's phone bundle reads these names without pulling in ethers or the contract types.
 */

/** The six stage contracts in supply-chain order; a stage's number is its index + 1. */
export const STAGE_NAMES = ["harvester", "supplier", "manufacturer", "distributor", "retailer", "customer"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** The five stages that sell to the next one through an order book. */
export const SELLING_STAGES = ["harvester", "supplier", "manufacturer", "distributor", "retailer"] as const;
export type SellingStageName = (typeof SELLING_STAGES)[number];

/** The names of `IStage.LotStatus`, by value. */
export const LOT_STATUS = ["None", "Created", "Shipped", "Supplied", "Removed"] as const;
export type LotStatusName = (typeof LOT_STATUS)[number];

/** The names of `IOrderBook.OrderState`, by value. */
export const ORDER_STATE = [
  "None",
  "Ordered",
  "Shipped",
  "Delivered",
  "Acknowledged",
  "Paid",
  "Cancelled",
  "Rejected",
  "Refunded",
] as const;
export type OrderStateName = (typeof ORDER_STATE)[number];

/** Whether `name` is one of the `ORDER_STATE` names. */
export function isOrderState(name: string): name is OrderStateName {
  return ORDER_STATE.some((state) => state === name);
}

/** `IStage.RemovalReason`, by value, as typed on the command line. */
export const REMOVAL_REASONS = ["discarded", "consumed", "sold", "lost", "other"] as const;
export type RemovalReasonName = (typeof REMOVAL_REASONS)[number];

/** `ICustomer.ProblemReason`, by value, as typed on the command line. */
export const PROBLEM_REASONS = ["spoiled", "wrong-species", "illness", "packaging", "other"] as const;

/** `IDistributor.TransportMode`, by value, as typed on the command line. */
export const TRANSPORT_MODES = ["road", "rail", "sea", "air"] as const;

/** The bits of `IStage.Lot.flags` (see `LotFlags`). */
export const LOT_FLAGS = {
  FROZEN: 1 << 0,
  FARMED: 1 << 1,
  EXCURSION: 1 << 2,
  SPECIES_MISMATCH: 1 << 3,
  FRESHNESS_WARNING: 1 << 4,
  RECALLED: 1 << 5,
  PROBLEM_REPORTED: 1 << 6,
} as const;
export type LotFlagName = keyof typeof LOT_FLAGS;

function isLotFlagName(name: string): name is LotFlagName {
  return Object.hasOwn(LOT_FLAGS, name);
}

/** The names of the flags set in `flags`. */
export function flagNames(flags: number | bigint): LotFlagName[] {
  const n = Number(flags);
  return Object.keys(LOT_FLAGS)
    .filter(isLotFlagName)
    .filter((name) => (n & LOT_FLAGS[name]) !== 0);
}

/** The alarms among `flags` (everything but the declared product form and origin). */
export function alarmNames(flags: number | bigint): LotFlagName[] {
  return flagNames(flags).filter((name) => name !== "FROZEN" && name !== "FARMED");
}

/** The cold-chain band of a lot with `flags`, in hundredths of a degree Celsius (see `ColdChain.band`). */
export function coldChainBand(flags: number | bigint): { min: number | undefined; max: number } {
  return (Number(flags) & LOT_FLAGS.FROZEN) !== 0 ? { min: undefined, max: -1800 } : { min: 0, max: 400 };
}
