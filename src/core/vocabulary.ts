/**
 * The names behind the numbers the contracts store: lot statuses, order states, removal and problem reasons,
 * transport modes, lot flags and the cold-chain bands (contracts/interfaces/IStage.sol, IOrderBook.sol,
 * ICustomer.sol, IDistributor.sol, libraries/LotFlags.sol, ColdChain.sol).
 */
export { LOT_STATUS, ORDER_STATE } from "./errors.js";

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

/** The names of the flags set in `flags`. */
export function flagNames(flags: number | bigint): LotFlagName[] {
  const n = Number(flags);
  return (Object.keys(LOT_FLAGS) as LotFlagName[]).filter((name) => (n & LOT_FLAGS[name]) !== 0);
}

/** The alarms among `flags` (everything but the declared product form and origin). */
export function alarmNames(flags: number | bigint): LotFlagName[] {
  return flagNames(flags).filter((name) => name !== "FROZEN" && name !== "FARMED");
}

/** The cold-chain band of a lot with `flags`, in hundredths of a degree Celsius (see `ColdChain.band`). */
export function coldChainBand(flags: number | bigint): { min: number | undefined; max: number } {
  return (Number(flags) & LOT_FLAGS.FROZEN) !== 0 ? { min: undefined, max: -1800 } : { min: 0, max: 400 };
}
