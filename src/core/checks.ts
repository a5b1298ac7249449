/**
 * Checks that prove a value's type to the compiler where the code knows more than the types say (a map entry put
 * there a line before, a regular expression's group, a property of an error of unknown shape). A value that is not
 * there after all is named in the error — a bug, or data changed behind the code's back — never read on as
 * `undefined`. Browser-safe: the dApp uses them too.
 */

/** `value`, which the code relies on being there; an `Error` naming `what` when it is undefined. */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal error: ${what} is missing`);
  return value;
}

/** The `key` property of `value` when it is an object (an error, parsed JSON), else undefined. */
export function propertyOf(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return Reflect.get(value, key);
}

/** `text` up to its first line break (all of it when it has none). */
export function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end < 0 ? text : text.slice(0, end);
}
