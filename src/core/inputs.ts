/**
 * Parsers for the user input that units.ts does not cover: addresses and account references, durations, roles,
 * and the enums (removal and problem reasons, transport modes); amounts of money are money.ts's. Like units.ts,
 * every parser throws an `InputError` naming the bad value.
 */
import { getAddress, isAddress } from "ethers";

import { defined } from "./checks.js";
import { ROLE_NAMES, type RoleName } from "./roles.js";
import { InputError } from "./input-error.js";
import { degrees, unixSeconds } from "./units.js";
import { PROBLEM_REASONS, REMOVAL_REASONS, TRANSPORT_MODES } from "./vocabulary.js";

/** The value of an option the user must give. */
export function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === "") throw new InputError(`--${option} is required`);
  return value;
}

/** An Ethereum address, checksummed. */
export function address(value: string, what: string): string {
  const text = value.trim();
  if (!isAddress(text)) throw new InputError(`${what} "${value}" is not an Ethereum address (0x and 40 hex digits)`);
  return getAddress(text);
}

/** An account given as an address or as an index into the network's accounts ("0", "1", …). */
export type AccountRef = { address: string } | { index: number };

export function accountRef(value: string, what: string): AccountRef {
  const text = value.trim();
  if (/^\d+$/.test(text)) return { index: Number(text) };
  if (isAddress(text)) return { address: getAddress(text) };
  throw new InputError(`${what} "${value}" is not an address or an account index (0, 1, …)`);
}

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)?\s*$/i;
const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, min: 60, h: 3_600, d: 86_400, w: 604_800 };
const MAX_UINT32 = 2 ** 32 - 1;

/** A duration such as "36h", "2d", "90m" or "3600" (bare numbers are seconds), in whole seconds. */
export function durationSeconds(value: string, what: string): number {
  const m = DURATION.exec(value);
  if (m === null) throw new InputError(`${what} "${value}" is not a duration (e.g. 36h, 2d, 90m, 3600)`);
  const unit = (m[2] ?? "s").toLowerCase();
  const seconds = Math.round(
    Number(m[1]) * defined(SECONDS_PER_UNIT[unit], `the seconds in a duration unit "${unit}"`),
  );
  if (seconds <= 0 || seconds > MAX_UINT32)
    throw new InputError(`${what} "${value}" must be more than 0 s and fit in 32 bits`);
  return seconds;
}

/**
 * A point in time: an ISO 8601 date or unix seconds (see `unixSeconds`), or a duration from `now` ("2d" is two
 * days after `now`), as unix seconds.
 */
export function timeOrDelay(value: string, what: string, now: number): number {
  const bareNumber = /^\s*\d+\s*$/.test(value);
  return !bareNumber && DURATION.test(value) ? now + durationSeconds(value, what) : unixSeconds(value, what);
}

const AGO = /^\s*(.+?)\s+ago\s*$/i;

/**
 * A point in time: an ISO 8601 date or unix seconds (see `unixSeconds`), or a duration before `now` ("2h ago",
 * "30d ago"), as unix seconds. Files and examples written with "ago" stay true on a fresh chain whenever they are run.
 */
export function timeOrAgo(value: string | number, what: string, now = Math.floor(Date.now() / 1000)): number {
  const ago = typeof value === "string" ? AGO.exec(value) : null;
  if (ago?.[1] !== undefined) return Math.max(0, now - durationSeconds(ago[1], what));
  return unixSeconds(value, what);
}

/** A role name as typed ("harvester", "sensor-gateway"), checked against `allowed` (default: every role). */
export function roleName(value: string): RoleName;
export function roleName<R extends RoleName>(value: string, allowed: readonly R[]): R;
export function roleName(value: string, allowed: readonly RoleName[] = ROLE_NAMES): RoleName {
  const name = value.trim().toUpperCase().replace(/-/g, "_");
  const match = allowed.find((role) => role === name);
  if (match === undefined) throw new InputError(`role "${value}" is not one of ${allowed.join(", ")}`);
  return match;
}

/** The value of a Solidity enum given by name: the index of `value` (any case, "_" or "-") in `names`. */
export function enumValue(value: string, names: readonly string[], what: string): number {
  const index = names.indexOf(value.trim().toLowerCase().replace(/_/g, "-"));
  if (index < 0) throw new InputError(`${what} "${value}" is not one of ${names.join(", ")}`);
  return index;
}

/** A removal reason by name (discarded, consumed, sold, lost, other), as `IStage.RemovalReason`'s value. */
export function removalReason(value: string): number {
  return enumValue(value, REMOVAL_REASONS, "reason");
}

/** A problem with a pack by name (spoiled, wrong-species, …), as `ICustomer.ProblemReason`'s value. */
export function problemReason(value: string): number {
  return enumValue(value, PROBLEM_REASONS, "reason");
}

/** A transport mode by name (road, rail, sea, air), as `IDistributor.TransportMode`'s value. */
export function transportMode(value: string): number {
  return enumValue(value, TRANSPORT_MODES, "mode");
}

const HEMISPHERE = /^\s*([NSEW])?\s*(\d+(?:\.\d+)?)\s*°?\s*([NSEW])?\s*$/i;

/**
 * Degrees as `degrees` (units.ts) takes them, or with a hemisphere letter instead of a sign: "33.9S", "5.5 W",
 * "N 69.1". On the Hardhat command line a value starting with "-" reads as an option, so letters are the way to
 * give southern latitudes and western longitudes there.
 */
export function signedDegrees(value: string | number, axis: "latitude" | "longitude"): number {
  if (typeof value === "number") return degrees(value, axis);
  const m = HEMISPHERE.exec(value);
  const letter = (m?.[1] ?? m?.[3])?.toUpperCase();
  if (m === null || letter === undefined || (m[1] !== undefined && m[3] !== undefined)) return degrees(value, axis);
  const allowed = axis === "latitude" ? "NS" : "EW";
  if (!allowed.includes(letter)) throw new InputError(`${axis} "${value}" must use ${allowed[0]} or ${allowed[1]}`);
  const n = Number(m[2]);
  return degrees(letter === "S" || letter === "W" ? -n : n, axis);
}
