/**
 * Amounts of a deployment's settlement money — Ether or the ERC-20 it settles in (`Registry.settlementToken`) — as
 * people type and read them: one parser and one formatter for the CLI tasks, the demo and the dApp. Pure functions.
 */
import { InputError } from "./input-error.js";

/** What amounts are counted in: a symbol and how many decimals one unit has. */
export interface Money {
  symbol: string;
  decimals: number;
}

/** Ether: the money of a deployment without a settlement token. */
export const ETHER: Money = { symbol: "ETH", decimals: 18 };

const MAX_UINT256 = 2n ** 256n - 1n;
/** Digits with an optional fraction; the whole part may be grouped in thousands ("1,250.50"). */
const AMOUNT = /^(\d+|\d{1,3}(?:,\d{3})+)?(?:\.(\d*))?$/;

/**
 * `value` (e.g. "1250.50", "1,250.5", ".5", "12 fUSD") in units of `money`; more than zero. A one-line `InputError`
 * names `what` when it is not a number, is negative, has more decimals than the money or does not fit in 256 bits.
 */
export function parseAmount(value: string, money: Money, what: string): bigint {
  const { symbol, decimals } = money;
  let text = value.trim();
  if (text.toLowerCase().endsWith(symbol.toLowerCase())) text = text.slice(0, -symbol.length).trim();
  if (/^-\s*[\d.]/.test(text)) throw new InputError(`${what} "${value}" is negative: give an amount of ${symbol}`);
  const match = AMOUNT.exec(text);
  const [, whole = "", fraction = ""] = match ?? [];
  if (match === null || whole + fraction === "") {
    throw new InputError(`${what} "${value}" is not an amount of ${symbol} (e.g. ${exampleOf(money)})`);
  }
  if (fraction.length > decimals) {
    throw new InputError(`${what} "${value}" has more than the ${decimals} decimals ${symbol} has`);
  }
  const units =
    BigInt(whole.replaceAll(",", "") || "0") * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (units === 0n) throw new InputError(`${what} "${value}" must be more than 0 ${symbol}`);
  if (units > MAX_UINT256) throw new InputError(`${what} "${value}" is more ${symbol} than a contract can hold`);
  return units;
}

function exampleOf(money: Money): string {
  return money.decimals >= 18 ? "1.5" : "1250.50";
}

/**
 * `units` of `money` as text with its symbol, exact ("1,250.5 fUSD", "0.000001 fUSD", "-2 ETH"); with `maxDecimals`,
 * rounded half up to at most that many decimals for display ("10,002.4995 ETH").
 */
export function amountText(units: bigint, money: Money, maxDecimals?: number): string {
  const { symbol, decimals } = money;
  const negative = units < 0n;
  let magnitude = negative ? -units : units;
  let shown = decimals;
  if (maxDecimals !== undefined && maxDecimals < decimals) {
    const drop = 10n ** BigInt(decimals - maxDecimals);
    magnitude = ((magnitude + drop / 2n) / drop) * drop;
    shown = maxDecimals;
  }
  const scale = 10n ** BigInt(decimals);
  const fraction = (magnitude % scale).toString().padStart(decimals, "0").slice(0, shown).replace(/0+$/, "");
  const whole = (magnitude / scale).toLocaleString("en-US");
  return `${negative && magnitude !== 0n ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`} ${symbol}`;
}
