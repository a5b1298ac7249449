/**
 * Checks for the tools' scripts where a value the code relies on could, to the compiler, be missing: a named error
 * at the place it is missing instead of a non-null assertion, and a JSON file read through a schema instead of a
 * type assertion.
 */
import { readFile } from "node:fs/promises";

import type { z } from "zod";

/** `value`, or an Error saying `what` is missing. */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing`);
  return value;
}

/**
 * The JSON file `file` checked by `schema`; an Error naming the file, what it should be (`what`) and the first
 * wrong field otherwise.
 */
export async function readJsonFile<T>(file: string, schema: z.ZodType<T>, what: string): Promise<T> {
  const parsed = schema.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue === undefined || issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
    throw new Error(`${file} is not ${what}: ${where}${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
