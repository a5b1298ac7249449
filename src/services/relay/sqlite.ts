/**
 * Node's built-in SQLite (`node:sqlite`: no native addon to build, a real SQLite engine) with typed statements for
 * the relay store (store.ts): each statement declares its parameters once, and its rows are read through a reader
 * that checks every column's type as it comes out of SQLite (the coercers below), so a call site neither looks a
 * statement up by name nor casts what it gets.
 */
import type { DatabaseSync as Database, SQLInputValue, SQLOutputValue, StatementResultingChanges } from "node:sqlite";

/**
 * `node:sqlite`'s `DatabaseSync`. Node 22 still calls the module experimental and says so on stderr at load; that
 * one warning is dropped here so task output and one-line errors stay clean.
 */
export const DatabaseSync: typeof Database = (() => {
  const emit = process.emitWarning;
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes("SQLite is an experimental feature")) return;
    Reflect.apply(emit, process, [warning, ...rest]);
  };
  try {
    return process.getBuiltinModule("node:sqlite").DatabaseSync;
  } finally {
    process.emitWarning = emit;
  }
})();

export type { Database };

/** One row as `node:sqlite` returns it: column name → value. */
export type Columns = Record<string, SQLOutputValue>;

/** A statement that changes rows; `P` are its `?` parameters in order. */
export interface Command<P extends readonly SQLInputValue[]> {
  run(...params: P): StatementResultingChanges;
}

/** A statement that reads rows, each through the reader it was prepared with. */
export interface Query<P extends readonly SQLInputValue[], R> {
  get(...params: P): R | undefined;
  /** The row of a query that always has one (an aggregate without GROUP BY). */
  one(...params: P): R;
  all(...params: P): R[];
}

/** Prepares `sql`, a statement whose `?` parameters are `P`. */
export function command<P extends readonly SQLInputValue[]>(db: Database, sql: string): Command<P> {
  const statement = db.prepare(sql);
  return { run: (...params) => statement.run(...params) };
}

/** Prepares `sql`, a query whose `?` parameters are `P` and whose rows `read` turns into `R`s. */
export function query<P extends readonly SQLInputValue[], R>(
  db: Database,
  sql: string,
  read: (row: Columns) => R,
): Query<P, R> {
  const statement = db.prepare(sql);
  return {
    get: (...params) => {
      const row = statement.get(...params);
      return row === undefined ? undefined : read(row);
    },
    one: (...params) => {
      const row = statement.get(...params);
      if (row === undefined) throw new Error(`the relay store answered no row to ${sql}`);
      return read(row);
    },
    all: (...params) => statement.all(...params).map(read),
  };
}

function describe(value: SQLOutputValue | undefined): string {
  if (value === undefined) return "missing";
  if (value === null) return "NULL";
  if (value instanceof Uint8Array) return `a blob of ${value.length} bytes`;
  return `${typeof value} ${JSON.stringify(String(value)).slice(0, 40)}`;
}

function wrong(name: string, expected: string, value: SQLOutputValue | undefined): Error {
  return new Error(`the relay store's column ${name} is ${describe(value)}, not ${expected}`);
}

/** Column `name`, an INTEGER (as a number: the store keeps nothing beyond 2^53). */
export function integer(row: Columns, name: string): number {
  const value = row[name];
  if (typeof value === "number" && Number.isInteger(value)) return value;
  throw wrong(name, "an integer", value);
}

/** Column `name`, TEXT. */
export function text(row: Columns, name: string): string {
  const value = row[name];
  if (typeof value === "string") return value;
  throw wrong(name, "text", value);
}

/** Column `name`, an INTEGER or NULL. */
export function integerOrNull(row: Columns, name: string): number | null {
  return row[name] === null ? null : integer(row, name);
}

/** Column `name`, TEXT or NULL. */
export function textOrNull(row: Columns, name: string): string | null {
  return row[name] === null ? null : text(row, name);
}

/** Column `name`, TEXT that is one of `allowed`. */
export function oneOf<T extends string>(row: Columns, name: string, allowed: readonly T[]): T {
  const value = row[name];
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw wrong(name, allowed.join(" | "), value);
  return found;
}

/** Column `name`, TEXT that is one of `allowed`, or NULL. */
export function oneOfOrNull<T extends string>(row: Columns, name: string, allowed: readonly T[]): T | null {
  return row[name] === null ? null : oneOf(row, name, allowed);
}
