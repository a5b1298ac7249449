/** Errors as the dApp shows them: one line for people, never a stack. */

/** The first line of `error`'s message (an `Error`, or anything else as text); `fallback` when that is empty. */
export function oneLine(error: unknown, fallback = "Something went wrong."): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split("\n")[0]?.trim() ?? "";
  return line === "" ? fallback : line;
}
