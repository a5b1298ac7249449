/** A benchmark's numeric setting from the environment (`fallback` when unset), shared by the bench scripts. */
export function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === "") return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${text} is not a non-negative number`);
  return n;
}
