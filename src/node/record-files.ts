/**
 * Reading record files (readings from a device, a gateway's sensor log, what a task wrote for another): JSON arrays
 * or CSV with a header row, every record validated by a zod schema whose fields parse with units.ts. A bad file or
 * record is one `InputError` line naming the file, the record (CSV: its line) and the field — never a stack trace.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";

import { InputError } from "../core/input-error.js";

/** One record of a file, before validation, with where it was ("line 3", "record 2"). */
export interface RawRecord {
  where: string;
  value: unknown;
}

/** The formats of a record file. */
export type RecordFormat = "json" | "csv";

/** The `code` of a Node system error (`ENOENT`, `EACCES` …), or "unknown error". */
export function errnoCode(err: unknown): string {
  return err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : "unknown error";
}

/** The text of `file`; a missing or unreadable file is an `InputError` naming it. */
export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT") throw new InputError(`${file}: no such file`);
    if (code === "EISDIR") throw new InputError(`${file} is a directory, not a file`);
    if (code === "EACCES") throw new InputError(`${file}: permission denied`);
    throw new InputError(`${file} cannot be read (${code})`);
  }
}

/**
 * Writes `text` (or bytes) to `file`, making its folder first (recursively) so a fresh clone needs no folder made by
 * hand; an unwritable place is an `InputError` naming it.
 */
export async function writeText(file: string, text: string | Uint8Array): Promise<void> {
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, text);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EEXIST")
      throw new InputError(`${file} cannot be written: its folder cannot be made`);
    if (code === "EISDIR") throw new InputError(`${file} is a directory, not a file`);
    if (code === "EACCES") throw new InputError(`${file} cannot be written: permission denied`);
    throw new InputError(`${file} cannot be written (${code})`);
  }
}

/** `value` as pretty JSON, with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}

/** Whether `file` is JSON or CSV: by its extension (.json, .csv), else JSON when it starts with "[" or "{". */
export function formatOf(file: string, text: string): RecordFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".csv") return "csv";
  return /^\s*[[{]/.test(text) ? "json" : "csv";
}

/** Parses `text` as JSON; invalid JSON is an `InputError` naming `file`. */
export function parseJson(file: string, text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new InputError(`${file} is not valid JSON (${message})`);
  }
}

/**
 * The records of a JSON array or a CSV file with a header row naming `columns`. CSV: blank lines and lines starting
 * with `#` are skipped, cells are trimmed, and a record is named by its line.
 */
export function recordsOf(file: string, text: string, columns: readonly string[]): RawRecord[] {
  if (formatOf(file, text) === "json") return jsonRecords(file, text);
  const records = csvRecords(file, text, columns);
  if (records.length === 0) throw new InputError(`${file} holds no records`);
  return records;
}

/** The records of a JSON array, named "record 1", "record 2", …; at least one. */
export function jsonRecords(file: string, text: string): RawRecord[] {
  const data = parseJson(file, text);
  if (!Array.isArray(data)) throw new InputError(`${file} must hold a JSON array of records`);
  if (data.length === 0) throw new InputError(`${file} holds no records`);
  return data.map((value: unknown, i) => ({ where: `record ${i + 1}`, value }));
}

/** A CSV row with the line it ended on. */
export interface CsvRow {
  record: Record<string, string>;
  info: { lines: number };
}

/** What csv-parse returns with `columns` and `info`: each record with the line it ended on. */
const CSV_ROWS = z.array(z.object({ record: z.record(z.string(), z.string()), info: z.object({ lines: z.number() }) }));

/**
 * The rows of CSV `text` (BOM, `#` comments, blank lines and padding ignored); `header` sees the header row's names
 * and returns the column names (an `InputError` it throws passes through); anything else is one line naming `file`.
 */
export function csvRows(file: string, text: string, header: (names: string[]) => string[]): CsvRow[] {
  try {
    const rows: unknown = parseCsv(text, {
      bom: true,
      columns: header,
      comment: "#",
      info: true,
      skip_empty_lines: true,
      trim: true,
    });
    return CSV_ROWS.parse(rows);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new InputError(`${file} is not valid CSV (${message})`);
  }
}

function csvRecords(file: string, text: string, columns: readonly string[]): RawRecord[] {
  const rows = csvRows(file, text, (header) => checkHeader(file, header, columns));
  return rows.map((row) => ({ where: `line ${row.info.lines}`, value: row.record }));
}

function checkHeader(file: string, header: string[], columns: readonly string[]): string[] {
  const names = header.map((h) => h.trim());
  const expected = columns.join(",");
  for (const name of names) {
    if (!columns.includes(name)) {
      throw new InputError(`${file} line 1: unknown column "${name}" (the header must be ${expected})`);
    }
    if (names.indexOf(name) !== names.lastIndexOf(name)) {
      throw new InputError(`${file} line 1: column "${name}" appears twice`);
    }
  }
  const missing = columns.find((c) => !names.includes(c));
  if (missing !== undefined) {
    throw new InputError(`${file} line 1: no "${missing}" column (the header must be ${expected})`);
  }
  return names;
}

/** Text or a number, as a field of a record file: a missing field or one of another type reads as one line. */
function scalar(name: string) {
  return z.union([z.string(), z.number()], {
    error: (issue) => (issue.input === undefined ? `${name} is missing` : `${name} must be text or a number`),
  });
}

/**
 * A field parsed by `parse` (a units.ts parser, which throws an `InputError` naming the value): its message
 * becomes the zod issue's message.
 */
export function field<T>(name: string, parse: (value: string | number) => T) {
  return scalar(name).transform((value, ctx): T => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });
}

/** A list of fields, as `z.array` with one-line messages. */
export function list<T extends z.ZodType>(name: string, item: T) {
  return z.array(item, {
    error: (issue) => (issue.input === undefined ? `${name} is missing` : `${name} must be a list`),
  });
}

/** A record with exactly `shape`'s fields (an unknown one is reported, so a misspelt field is not lost). */
export function record<S extends z.ZodRawShape>(shape: S, what: string) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") return `unknown field "${issue.keys.join('", "')}"`;
      return `${what} must be an object with the fields ${Object.keys(shape).join(", ")}`;
    },
  });
}

/** `raw` validated by `schema`; the first problem as an `InputError` naming the file and the record (if any). */
export function parseRecord<T extends z.ZodType>(schema: T, file: string, raw: RawRecord): z.output<T> {
  const result = schema.safeParse(raw.value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = raw.where === "" ? "" : ` ${raw.where}`;
  throw new InputError(`${file}${where}: ${issue?.message ?? "invalid record"}`);
}
