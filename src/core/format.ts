/**
 * How values read to a person in task output and the demo: times, temperatures, positions, Ether, gas, flags.
 * Pure functions; nothing here touches the chain.
 */
import { formatEther, type TransactionReceipt } from "ethers";

import { celsius, coldChainBandText } from "./cold-chain.js";
import { fromFixedDegrees, speciesText } from "./units.js";
import { coldChainBand, flagNames } from "./vocabulary.js";

export { celsius };

/** Unix seconds as an ISO 8601 time without milliseconds ("2026-11-20T06:00:00Z"); "never" for 0. */
export function isoTime(seconds: number | bigint): string {
  if (Number(seconds) === 0) return "never";
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** The cold-chain band of a lot with `flags` as text ("0..4 °C", "≤ -18 °C"). */
export function bandText(flags: number | bigint): string {
  return coldChainBandText(coldChainBand(flags));
}

/** A position in 1e-5 degrees as "69.12345° N, 18.5° E". */
export function position(latitude: number | bigint, longitude: number | bigint): string {
  const lat = fromFixedDegrees(latitude);
  const lon = fromFixedDegrees(longitude);
  return `${Math.abs(lat)}° ${lat < 0 ? "S" : "N"}, ${Math.abs(lon)}° ${lon < 0 ? "W" : "E"}`;
}

/** Wei as "1.5 ETH", exact; with `maxDecimals`, rounded for display ("10,002.4995 ETH"). */
export function ether(wei: bigint, maxDecimals?: number): string {
  const text = formatEther(wei);
  if (maxDecimals === undefined) return `${text.replace(/\.0$/, "")} ETH`;
  return `${Number(text).toLocaleString("en", { maximumFractionDigits: maxDecimals })} ETH`;
}

/** Seconds as the largest whole unit that divides them ("2d", "36h", "90m", "45s"). */
export function duration(seconds: number | bigint): string {
  const s = Number(seconds);
  for (const [unit, size] of [
    ["w", 604_800],
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
  ] as const) {
    if (s >= size && s % size === 0) return `${s / size}${unit}`;
  }
  return `${s}s`;
}

/** An integer with thousands separators ("141,234"). */
export function thousands(n: number | bigint): string {
  return n.toLocaleString("en");
}

/** The gas a mined transaction used, as "gas 141,234". */
export function gasText(receipt: Pick<TransactionReceipt, "gasUsed">): string {
  return `gas ${thousands(receipt.gasUsed)}`;
}

/** The line every state change ends with: "tx 0xab…cd, block 12, gas 141,234". */
export function txText(receipt: Pick<TransactionReceipt, "hash" | "blockNumber" | "gasUsed">): string {
  return `tx ${receipt.hash}, block ${receipt.blockNumber}, ${gasText(receipt)}`;
}

/** A lot's flags as "FROZEN, EXCURSION", or "none". */
export function flagsText(flags: number | bigint): string {
  const names = flagNames(flags);
  return names.length === 0 ? "none" : names.join(", ");
}

/** A lot's declared form and origin: "fresh, wild-caught", "frozen, farmed". */
export function formText(frozen: boolean, farmed: boolean): string {
  return `${frozen ? "frozen" : "fresh"}, ${farmed ? "farmed" : "wild-caught"}`;
}

/** Lot ids as "lot 3" or "lots 1, 2". */
export function lotsText(lotIds: readonly (bigint | number)[]): string {
  return `lot${lotIds.length === 1 ? "" : "s"} ${lotIds.join(", ")}`;
}

/** Seconds as "40m", "2.5h", "3.2d": how long between two scans. */
export function elapsedText(seconds: number | bigint): string {
  const s = Number(seconds);
  if (s < 2 * 3_600) return `${Math.round(s / 60)}m`;
  if (s < 2 * 86_400) return `${(s / 3_600).toFixed(1).replace(/\.0$/, "")}h`;
  return `${(s / 86_400).toFixed(1).replace(/\.0$/, "")}d`;
}

/** Hundredths of a grade as "1.52". */
export function gradesText(hundredths: number | bigint): string {
  return (Number(hundredths) / 100).toFixed(2);
}

/** A `SpeciesMismatch` the ledger emitted, for lot `lot` (as labelled) at `stage`: "lot 2 at the harvester stage: …". */
export function speciesMismatchText(
  lot: string,
  stage: string,
  e: { registered: string; previous: string; scanned: string; confidence: bigint },
): string {
  const before = BigInt(e.previous) === 0n ? "" : `, last scanned as ${speciesText(e.previous)}`;
  return (
    `lot ${lot} at the ${stage} stage: scanned ${speciesText(e.scanned)} (${e.confidence} % confident), ` +
    `registered ${speciesText(e.registered)}${before}; flagged SPECIES_MISMATCH`
  );
}

/** A `FreshnessWarning` the ledger emitted, for lot `lot` (as labelled) at `stage`: "lot 1 at the harvester stage: …". */
export function freshnessWarningText(
  lot: string,
  stage: string,
  e: { previousGrade: bigint; grade: bigint; elapsed: bigint; allowedDrop: bigint; drop: bigint },
): string {
  return (
    `lot ${lot} at the ${stage} stage: grade ${e.previousGrade} → ${e.grade} in ${elapsedText(e.elapsed)}, a drop ` +
    `of ${gradesText(e.drop)} where ${gradesText(e.allowedDrop)} is allowed; flagged FRESHNESS_WARNING`
  );
}
