/**
 * Checks for the tools' scripts where a value the code relies on could, to the compiler, be missing: a named error
 * at the place it is missing instead of a non-null assertion.
 */

/** `value`, or an Error saying `what` is missing. */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing`);
  return value;
}
