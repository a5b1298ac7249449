/**
 * Reading the trace index's rows (src/index/schema.ts) into typed values, one coercer per column type. Both drivers
 * give integer columns as numbers, decimal strings or (PGlite's int8) bigints, and `numeric(78)` ids as decimal
 * strings; a JSON column arrives parsed, or as text should a driver leave it so.
 *
 * Each coercer is named for what it does with SQL NULL: `numberOf`, `bigintOf` and `textOf` read a column that is
 * never NULL (a NOT NULL column of a table the query does not outer-join) and throw naming it when it is; the
 * `…OrZero`, `…OrEmpty` and `optional…` ones read the columns that may be NULL (an outer join, a nullable column,
 * an aggregate over no rows) with the default their callers rely on.
 */
import { stageOfNumber } from "../core/stages.js";
import type { Party } from "../core/trace/types.js";
import type { StageName } from "../core/vocabulary.js";

/** A row of a query, by column name. */
export type Row = Record<string, unknown>;

function present<R extends object>(row: R, column: keyof R & string): NonNullable<unknown> {
  const value: unknown = row[column];
  if (value === null || value === undefined) throw new Error(`the index returned no ${column} (NULL)`);
  return value;
}

/** A never-NULL integer column as a number; throws naming the column when it is NULL or not a number. */
export function numberOf<R extends object>(row: R, column: keyof R & string): number {
  const n = Number(present(row, column));
  if (Number.isNaN(n)) throw new Error(`the index returned ${column} ${String(row[column])}, not a number`);
  return n;
}

/** A never-NULL `numeric(78)` id as a bigint; throws naming the column when it is NULL or not an integer. */
export function bigintOf<R extends object>(row: R, column: keyof R & string): bigint {
  const value = present(row, column);
  if (typeof value === "bigint") return value;
  if (typeof value === "number" || typeof value === "string") return BigInt(value);
  throw new Error(`the index returned ${column} as ${typeof value}, not an integer`);
}

/** A never-NULL text column; throws naming the column when it is NULL. */
export function textOf<R extends object>(row: R, column: keyof R & string): string {
  return String(present(row, column));
}

/** A column that may be NULL as a number, NULL read as 0. */
export function numberOrZero(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** A column that may be NULL as a number, or undefined when NULL. */
export function optionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

/** A column that may be NULL as text, NULL read as "". */
export function textOrEmpty(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/** An `array_agg(… ::text)` of ids as bigints (NULL, an aggregate over no rows, as none). */
export function bigintList<R extends object>(row: R, column: keyof R & string): bigint[] {
  const value: unknown = row[column];
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`the index returned ${column} as ${typeof value}, not a list`);
  return value.map((id: unknown) => {
    if (typeof id !== "string") throw new Error(`the index returned ${column} holding ${typeof id}, not an id`);
    return BigInt(id);
  });
}

const isRow = (value: unknown): value is Row => typeof value === "object" && value !== null && !Array.isArray(value);

/** A JSON object column (jsonb), parsed should the driver leave it as text; {} when NULL or not an object. */
export function jsonObject(value: unknown): Row {
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  return isRow(parsed) ? parsed : {};
}

/** A JSON array of objects (`json_agg`), parsed should the driver leave it as text; [] when NULL. */
export function jsonRows(value: unknown, column: string): Row[] {
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) return [];
  return parsed.map((item: unknown) => {
    if (!isRow(item)) throw new Error(`the index returned ${column} holding ${typeof item}, not a row`);
    return item;
  });
}

/** The stage of a stage number the index holds (1 = harvester … 6 = customer). */
export function stageAt(value: unknown): StageName {
  try {
    return stageOfNumber(numberOrZero(value));
  } catch {
    throw new Error(`the index has a lot at stage ${String(value)}, which is not a stage`);
  }
}

/**
 * A participant from a row: its id (read by the caller, who knows whether the column may be NULL) and its
 * `participants` columns, "" where a LEFT JOIN found no participant.
 */
export function partyRow(id: number, account: unknown, name: unknown, location: unknown): Party {
  return { id, account: textOrEmpty(account), name: textOrEmpty(name), location: textOrEmpty(location) };
}
