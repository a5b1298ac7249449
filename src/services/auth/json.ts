/** Reading parsed JSON (`unknown`) without casts, for the scopes' views of answers. */

/** Whether `value` is a JSON object (not an array, not null). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
