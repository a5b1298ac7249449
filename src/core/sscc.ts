/**
 * GS1 SSCCs (Serial Shipping Container Codes, AI 00): the 18-digit identifier of a logistic unit — a case, a pallet —
 * as the Packing contract stores it (an integer below 10^18) and as people and documents write it (18 digits,
 * leading zeros kept; a Digital Link `https://id.gs1.org/00/{sscc}`; the EPC URI `urn:epc:id:sscc:…`).
 *
 * The check digit is the GS1 mod-10 digit GTINs use; the contract checks it too (`Packing.isValidSscc`).
 */
import { gtinCheckDigit, GS1_RESOLVER } from "./digital-link.js";
import { InputError } from "./input-error.js";

/** The names of `IPacking.UnitStatus`, by value. */
export const UNIT_STATUS = ["None", "Packed", "Unpacked"] as const;

/** The names of `IPacking.UnitKind`, by value: a unit of lots (a case), a unit of units (a pallet). */
export const UNIT_KIND = ["Lots", "Units"] as const;

/** An SSCC as its 18 digits ("376104250021234569"). */
export function ssccText(value: bigint | number | string): string {
  return BigInt(value).toString().padStart(18, "0");
}

/** An SSCC typed by a person (18 digits, or its Digital Link), as the integer the contract takes. */
export function sscc(value: string, what = "SSCC"): bigint {
  const text = value.trim().replace(/^https?:\/\/[^/]+\/00\//, "");
  if (!/^\d{18}$/.test(text)) throw new InputError(`${what} "${value}" is not 18 digits`);
  if (/^0+$/.test(text)) throw new InputError(`${what} "${value}" is all zeros`);
  const expected = gtinCheckDigit(text.slice(0, 17));
  const given = Number(text[17]);
  if (given !== expected) {
    throw new InputError(`${what} "${value}" has check digit ${given}, but its other digits give ${expected}`);
  }
  return BigInt(text);
}

/** SSCCs typed by a person, separated by commas (`--units 376104250021234569,106141411234567897`). */
export function ssccList(value: string, option: string): bigint[] {
  const parts = value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length === 0) throw new InputError(`--${option} is empty (give SSCCs separated by commas)`);
  return parts.map((p) => sscc(p, `--${option}`));
}

/** SSCCs as a person reads them: "SSCC 376104250021234569" or "SSCCs 376104250021234569, 106141411234567897". */
export function ssccsLabel(values: readonly bigint[]): string {
  return `${values.length === 1 ? "SSCC" : "SSCCs"} ${values.map((v) => ssccText(v)).join(", ")}`;
}

/** The SSCC made of `body` (its first 17 digits, leading zeros allowed) and its GS1 check digit. */
export function ssccWithCheckDigit(body: bigint | number): bigint {
  const digits = BigInt(body).toString().padStart(17, "0");
  if (digits.length > 17) throw new InputError(`SSCC body ${body} has more than 17 digits`);
  return BigInt(`${digits}${gtinCheckDigit(digits)}`);
}

/** The GS1 Digital Link of a logistic unit: `https://id.gs1.org/00/{sscc}`. */
export function ssccDigitalLink(value: bigint | number | string): string {
  return `${GS1_RESOLVER}/00/${ssccText(value)}`;
}
