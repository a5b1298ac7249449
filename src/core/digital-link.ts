/**
 * GS1 identifiers of product lots and the ways a person names a lot: GTINs with their check digit, lot numbers
 * (GS1 AI 10), GS1 Digital Links (`https://id.gs1.org/01/{gtin14}/10/{lot}`), and lot references as typed on the
 * command line — a lot id, a Digital Link, or `GTIN:LOT` — all resolved to the id the contracts use
 * (`Manufacturer.productLotId`: keccak256(abi.encode(uint64 gtin, bytes20 lotNumber))).
 *
 * Every parser is strict and throws an `InputError` naming the bad value in one line.
 */
import { AbiCoder, keccak256 } from "ethers";

import { InputError } from "./input-error.js";
import { fixedText, fixedTextOf } from "./units.js";

/** The resolver of GS1's own Digital Links; any other host with the same path is accepted when parsing. */
export const GS1_RESOLVER = "https://id.gs1.org";

/** The GS1 mod-10 check digit of the digits `body` (a GTIN without its last digit). */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** A GTIN-8, -12, -13 or -14 with a valid check digit, as the integer the contracts store (a GTIN-14). */
export function gtin(value: string, what = "GTIN"): bigint {
  const text = value.trim();
  if (!/^(\d{8}|\d{12,14})$/.test(text)) {
    throw new InputError(`${what} "${value}" is not a GTIN (8, 12, 13 or 14 digits)`);
  }
  if (/^0+$/.test(text)) throw new InputError(`${what} "${value}" is all zeros`);
  const expected = gtinCheckDigit(text.slice(0, -1));
  const given = Number(text.at(-1));
  if (given !== expected) {
    throw new InputError(`${what} "${value}" has check digit ${given}, but its other digits give ${expected}`);
  }
  return BigInt(text);
}

/** A GTIN as its 14 digits ("07038010123450"). */
export function gtin14(value: bigint | number): string {
  return BigInt(value).toString().padStart(14, "0");
}

const LOT_NUMBER = /^[A-Za-z0-9._-]{1,20}$/;

/**
 * A lot number (GS1 AI 10): 1 to 20 letters, digits, ".", "_" or "-". GS1 allows a few more characters; these
 * are the ones that need no escaping in a Digital Link and cannot be confused with the separators of the
 * command-line forms (`GTIN:LOT`, lists separated by commas).
 */
export function lotNumber(value: string, what = "lot number"): string {
  if (!LOT_NUMBER.test(value)) {
    throw new InputError(`${what} "${value}" is not 1 to 20 letters, digits, ".", "_" or "-"`);
  }
  return value;
}

/** A lot number as the `bytes20` the Manufacturer stores (right-padded). */
export function lotNumberBytes(lot: string): string {
  return fixedText(lotNumber(lot), 20, "lot number");
}

/** The text of a stored `bytes20` lot number. */
export function lotNumberText(bytes20: string): string {
  return fixedTextOf(bytes20);
}

/** The id of the product lot with `gtinValue` and `lot`, as `Manufacturer.productLotId` computes it. */
export function productLotId(gtinValue: bigint, lot: string): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint64", "bytes20"], [gtinValue, lotNumberBytes(lot)])));
}

/** The GS1 Digital Link of a product lot: `https://id.gs1.org/01/{gtin14}/10/{lot}`. */
export function digitalLink(gtinValue: bigint, lot: string): string {
  return `${GS1_RESOLVER}/01/${gtin14(gtinValue)}/10/${lotNumber(lot)}`;
}

/** A product lot's GS1 key. */
export interface ProductKey {
  gtin: bigint;
  lot: string;
}

const DIGITAL_LINK =
  /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?((?:\/[A-Za-z0-9._~-]+)*?)\/01\/([^/?#]*)\/10\/([^/?#]*)(\?[^#]*)?$/;

/**
 * The GTIN and lot number of a GS1 Digital Link `https://{host}[/{prefix}]/01/{gtin14}/10/{lot}[?{attributes}]`.
 * Any resolver host and path prefix is accepted, and a query string (further attributes such as an expiry date)
 * is ignored; a fragment or a finer key (a serial number, `/21/…`) is not accepted.
 */
export function parseDigitalLink(value: string, what = "Digital Link"): ProductKey {
  const m = DIGITAL_LINK.exec(value.trim());
  if (m === null) {
    throw new InputError(
      `${what} "${value}" is not a GS1 Digital Link of a lot (https://id.gs1.org/01/{14-digit GTIN}/10/{lot})`,
    );
  }
  const [, , gtinText = "", encodedLot = ""] = m;
  if (!/^\d{14}$/.test(gtinText)) throw new InputError(`${what} "${value}": the GTIN after /01/ must be 14 digits`);
  let lot: string;
  try {
    lot = decodeURIComponent(encodedLot);
  } catch {
    throw new InputError(`${what} "${value}": the lot number after /10/ is not valid percent-encoding`);
  }
  return { gtin: gtin(gtinText, `${what} GTIN`), lot: lotNumber(lot, `${what} lot number`) };
}

/** A product lot's key as `GTIN:LOT` ("07038010123450:L2026-001"). */
export function parseProductKey(value: string, what = "product lot"): ProductKey {
  const m = /^([^:]*):([^:]*)$/.exec(value.trim());
  if (m === null) throw new InputError(`${what} "${value}" is not GTIN:LOT (e.g. 07038010123450:L2026-001)`);
  const [, gtinText = "", lot = ""] = m;
  return { gtin: gtin(gtinText, `${what} GTIN`), lot: lotNumber(lot, `${what} lot number`) };
}

/** A product lot's key as GS1 prints it under a barcode: "(01)07038010123450(10)L2026-001". */
export function elementString(key: ProductKey): string {
  return `(01)${gtin14(key.gtin)}(10)${key.lot}`;
}

const ELEMENT_STRING = /^\(01\)(\d{14})\(10\)([^()]*)$/;

const MAX_UINT256 = (1n << 256n) - 1n;

/** A lot as typed, before it becomes an id: a lot id, or a product lot's GS1 key. */
export type LotReference = { kind: "id"; id: bigint } | { kind: "product"; key: ProductKey };

/**
 * A lot as typed: a lot id (decimal, or 0x-hex), a GS1 Digital Link, a product lot's `GTIN:LOT`, or its GS1
 * element string "(01)…(10)…"; what it names, checked.
 */
export function parseLotRef(value: string, what = "lot"): LotReference {
  const text = value.trim();
  if (/^\d+$/.test(text) || /^0x[0-9a-fA-F]{1,64}$/.test(text)) {
    const id = BigInt(text);
    if (id === 0n || id > MAX_UINT256) throw new InputError(`${what} "${value}" is not a lot id (1 or more)`);
    return { kind: "id", id };
  }
  if (/^https?:\/\//i.test(text)) return { kind: "product", key: parseDigitalLink(text, what) };
  const hri = ELEMENT_STRING.exec(text);
  if (hri !== null) {
    const [, gtinText = "", lot = ""] = hri;
    return {
      kind: "product",
      key: { gtin: gtin(gtinText, `${what} GTIN`), lot: lotNumber(lot, `${what} lot number`) },
    };
  }
  if (text.includes(":")) return { kind: "product", key: parseProductKey(text, what) };
  throw new InputError(
    `${what} "${value}" is not a lot id, a GS1 Digital Link (https://id.gs1.org/01/{GTIN}/10/{lot}) or GTIN:LOT`,
  );
}

/** A lot as typed (`parseLotRef`): the id the contracts know it by. */
export function lotRef(value: string, what = "lot"): bigint {
  const ref = parseLotRef(value, what);
  return ref.kind === "id" ? ref.id : productLotId(ref.key.gtin, ref.key.lot);
}

/** Comma-separated lots ("1,2", "07038010123450:L1,https://id.gs1.org/…"), each once. */
export function lotRefList(value: string, what = "lots"): bigint[] {
  const parts = value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length === 0) throw new InputError(`--${what} is empty (give lots separated by commas, e.g. 1,2,3)`);
  const ids = parts.map((p) => lotRef(p, what.replace(/s$/, "")));
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) throw new InputError(`--${what} lists lot ${parts[i]} more than once`);
  });
  return ids;
}

const SHORT_ID_LIMIT = 1n << 64n;

/**
 * `line` with each hashed product lot id the user typed in `typed` (task arguments: GTIN:LOT, a Digital Link, an
 * element string, or comma-separated lists of them) printed as the user typed it instead of as 64 hex digits.
 */
export function withTypedLots(line: string, typed: readonly unknown[]): string {
  let named = line;
  for (const value of typed) {
    if (typeof value !== "string") continue;
    for (const part of value.split(",")) {
      let ref: LotReference;
      try {
        ref = parseLotRef(part);
      } catch {
        continue;
      }
      if (ref.kind !== "product") continue;
      named = named.split(lotIdText(productLotId(ref.key.gtin, ref.key.lot))).join(part.trim());
    }
  }
  return named;
}

/** A lot id as printed when nothing better is known: decimal for a counted lot, 0x-hex for a hashed product lot. */
export function lotIdText(id: bigint | number): string {
  const n = BigInt(id);
  return n < SHORT_ID_LIMIT ? n.toString() : `0x${n.toString(16).padStart(64, "0")}`;
}
