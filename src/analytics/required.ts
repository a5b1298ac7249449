/**
 * The analytics' checked lookups: a list item or map entry the code that built the list or map guarantees. A missing
 * one is a bug of that code, reported as one, naming what is missing.
 */

/** `value`, which must be there; throws naming `what` when it is not. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal error: ${what} is missing`);
  return value;
}
