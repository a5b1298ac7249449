/**
 * Temperatures and cold-chain bands as people read them: in task output, in the journey API's alarm lines and on the
 * dApp's pages. Imports no ethers, so the dApp's phone entry can word a band without loading the Ether formatting.
 */
import { fromCentiCelsius } from "./units.js";

/** Hundredths of a degree as "2.5 °C". */
export function celsius(centi: number | bigint): string {
  return `${fromCentiCelsius(centi)} °C`;
}

/** Hundredths of a degree as people read them on a page: "−18 °C", "2.5 °C" (typographic minus, at most 2 decimals). */
export function degreesText(centi: number): string {
  const v = centi / 100;
  return `${v < 0 ? "−" : ""}${Math.abs(v).toLocaleString("en", { maximumFractionDigits: 2 })} °C`;
}

/** A cold-chain band in hundredths of a degree Celsius; without `min` for frozen goods (no lower limit). */
export interface ColdChainBand {
  min?: number | undefined;
  max: number;
}

/**
 * How a band is worded where it is printed:
 * - `"terse"`, task output: "0..4 °C", "≤ -18 °C";
 * - `"alarm"`, the journey API's alarm lines: "0..4 °C", "at most -18 °C";
 * - `"prose"`, the dApp's pages: "0 to 4 °C", "−18 °C or colder".
 */
export type BandWording = "terse" | "alarm" | "prose";

/** A cold-chain band as text, worded as `wording` says. */
export function coldChainBandText(band: ColdChainBand, wording: BandWording = "terse"): string {
  const { min, max } = band;
  if (wording === "prose") {
    return min === undefined
      ? `${degreesText(max)} or colder`
      : `${degreesText(min).replace(" °C", "")} to ${degreesText(max)}`;
  }
  if (min === undefined) return `${wording === "alarm" ? "at most" : "≤"} ${celsius(max)}`;
  return `${fromCentiCelsius(min)}..${celsius(max)}`;
}
