/**
 * Conversions between what people type and what the contracts store, written once for tasks, relay and dApp.
 * Every parser throws an `InputError` whose message names the bad value in one line.
 */
import { decodeBytes32String, getBytes, hexlify, toUtf8Bytes, zeroPadBytes } from "ethers";

import { defined } from "./checks.js";
import { InputError } from "./input-error.js";

const SPECIES_CODE = /^[A-Z]{3}$/;

/** An FAO ASFIS 3-alpha species code ("COD") as the `bytes3` the contracts store. */
export function speciesCode(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!SPECIES_CODE.test(upper))
    throw new InputError(`species "${code}" is not an FAO 3-alpha code (three letters, e.g. COD)`);
  return hexlify(toUtf8Bytes(upper));
}

/** The text of a `bytes3` species code ("COD"), or its hex when it is not three letters A-Z. */
export function speciesText(bytes3: string): string {
  const bytes = getBytes(bytes3);
  const text = String.fromCharCode(...bytes);
  return SPECIES_CODE.test(text) ? text : bytes3;
}

/** Short text (vessel id, gear code, catch area) as a right-padded `bytesN`. */
export function fixedText(text: string, size: number, what: string): string {
  const bytes = toUtf8Bytes(text);
  if (bytes.length > size) throw new InputError(`${what} "${text}" is longer than ${size} bytes`);
  return zeroPadBytes(bytes, size);
}

/** The text of a right-padded `bytesN` (trailing zero bytes removed). */
export function fixedTextOf(hex: string): string {
  return decodeBytes32String(zeroPadBytes(hex, 32));
}

function finite(value: string | number, what: string): number {
  const n = typeof value === "number" ? value : Number(value);
  if (typeof value === "string" && value.trim() === "") throw new InputError(`${what} is empty`);
  if (!Number.isFinite(n)) throw new InputError(`${what} "${value}" is not a number`);
  return n;
}

/** Degrees as the contracts' 1e-5 degree fixed point, checked against the range of latitudes or longitudes. */
export function degrees(value: string | number, axis: "latitude" | "longitude"): number {
  const n = finite(value, axis);
  const limit = axis === "latitude" ? 90 : 180;
  if (n < -limit || n > limit) throw new InputError(`${axis} ${n} is outside -${limit}..${limit} degrees`);
  return Math.round(n * 1e5);
}

/** 1e-5 degree fixed point back to degrees. */
export function fromFixedDegrees(value: number | bigint): number {
  return Number(value) / 1e5;
}

/** Degrees Celsius as hundredths of a degree in an int16. */
export function centiCelsius(value: string | number): number {
  // A typographic minus ("−18") lets a below-zero value through CLIs that read "-18" as an option.
  const text = typeof value === "string" ? value.replace("\u2212", "-") : value;
  const n = Math.round(finite(text, "temperature") * 100);
  if (n < -32768 || n > 32767) throw new InputError(`temperature ${value} °C is outside -327.68..327.67 °C`);
  return n;
}

/** Hundredths of a degree back to degrees Celsius. */
export function fromCentiCelsius(value: number | bigint): number {
  return Number(value) / 100;
}

/** Relative humidity in whole percent, 0..100. */
export function humidityPercent(value: string | number): number {
  const n = finite(value, "humidity");
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new InputError(`humidity ${value} is not a whole percent 0..100`);
  return n;
}

const WEIGHT = /^\s*(\d+(?:\.\d+)?)\s*(g|kg|t)?\s*$/i;
const GRAMS_PER_UNIT: Record<string, number> = { g: 1, kg: 1_000, t: 1_000_000 };
const MAX_UINT40 = 2 ** 40 - 1;

/**
 * A weight such as "250kg", "1.2t" or "900g" as whole grams for a uint40. A number (from a JSON file) is grams; a
 * text without a unit is refused, since "250" could as well mean 250 kg as 250 g.
 */
export function grams(value: string | number): number {
  const m = WEIGHT.exec(String(value));
  if (m === null) throw new InputError(`weight "${value}" is not a weight (e.g. 250kg, 1.2t, 900g)`);
  if (typeof value === "string" && m[2] === undefined) {
    throw new InputError(`weight "${value.trim()}" has no unit: write ${m[1]}g, ${m[1]}kg or ${m[1]}t`);
  }
  const unit = (m[2] ?? "g").toLowerCase();
  const n = Math.round(Number(m[1]) * defined(GRAMS_PER_UNIT[unit], `the grams in a weight unit "${unit}"`));
  if (n <= 0 || n > MAX_UINT40)
    throw new InputError(`weight "${value}" must be more than 0 g and at most ${MAX_UINT40} g`);
  return n;
}

/** Grams as a short human text ("250 kg"). */
export function formatGrams(value: number | bigint): string {
  const g = Number(value);
  if (g >= 1_000_000) return `${(g / 1_000_000).toLocaleString("en", { maximumFractionDigits: 3 })} t`;
  if (g >= 1_000) return `${(g / 1_000).toLocaleString("en", { maximumFractionDigits: 3 })} kg`;
  return `${g} g`;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A time given as unix seconds or an ISO 8601 date, as unix seconds. */
export function unixSeconds(value: string | number, what: string): number {
  if (typeof value === "number" || /^\d+$/.test(value.trim())) {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_UINT40)
      throw new InputError(`${what} ${value} is not a unix time in seconds`);
    return n;
  }
  // Only ISO 8601 (a date, optionally with a time and zone): Date.parse alone would read "Nov 20" as 2001.
  if (!ISO_8601.test(value.trim())) {
    throw new InputError(`${what} "${value}" is not a date (use ISO 8601, e.g. 2026-11-20T06:00:00Z, or unix seconds)`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new InputError(`${what} "${value}" is not a date (use ISO 8601, e.g. 2026-11-20T06:00:00Z, or unix seconds)`);
  return Math.floor(ms / 1000);
}

/** A positive integer id (lot, order, shipment). */
export function positiveId(value: string | number | bigint, what: string): bigint {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || BigInt(text) === 0n)
    throw new InputError(`${what} "${value}" is not a positive whole number`);
  return BigInt(text);
}

/** A comma-separated list of positive ids ("1,2,3"). */
export function idList(value: string, what: string): bigint[] {
  const parts = value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length === 0) throw new InputError(`${what} is empty (give ids separated by commas, e.g. 1,2,3)`);
  return parts.map((p) => positiveId(p, what.replace(/s$/, "")));
}

/** A whole number `0..max` given as text or a number (a device's grade, a count), as a number. */
export function wholeNumber(value: string | number, what: string, max: number): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) > max)
    throw new InputError(`${what} "${value}" is not a whole number 0..${max}`);
  return Number(text);
}

/** A whole percent 0..100 (a device's confidence). */
export function percent(value: string | number, what: string): number {
  const text = String(value).trim().replace(/\s*%$/, "");
  if (!/^\d+$/.test(text) || Number(text) > 100)
    throw new InputError(`${what} "${value}" is not a whole percent 0..100`);
  return Number(text);
}

const MAX_UINT64 = (1n << 64n) - 1n;

/** A uint64 sequence number (a device's reading id), given as decimal text or a safe integer. */
export function uint64(value: string | number | bigint, what: string): bigint {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || BigInt(text) > MAX_UINT64)
    throw new InputError(`${what} "${value}" is not a whole number 0..2^64-1`);
  return BigInt(text);
}
