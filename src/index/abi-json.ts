/**
 * ABI-encoded values straight into the JSON the index keeps (integers as decimal text, addresses checksummed,
 * `bytesN` and `bytes` as lowercase hex, tuples as objects by component name, arrays as arrays): what ethers'
 * `AbiCoder.decode` followed by a JSON conversion gives, read off the hex text in one pass, without ethers' `Result`
 * objects or byte copies (decoding that way was a third of the indexer's time).
 */
import { getAddress, toUtf8String, type ParamType } from "ethers";

const WORD = 64; // hex digits in 32 bytes

/** Checksummed addresses by their lowercase hex (a deployment has few: no hashing each time). */
const addresses = new Map<string, string>();

function checksummed(lower: string): string {
  let address = addresses.get(lower);
  if (address === undefined) {
    address = getAddress(lower);
    if (addresses.size > 10_000) addresses.clear();
    addresses.set(lower, address);
  }
  return address;
}

function isDynamic(type: ParamType): boolean {
  if (type.baseType === "string" || type.baseType === "bytes") return true;
  if (type.isArray()) return type.arrayLength === -1 || isDynamic(type.arrayChildren);
  if (type.isTuple()) return type.components.some(isDynamic);
  return false;
}

/** Bytes a value of the static `type` takes in place. */
function headSize(type: ParamType): number {
  if (type.isTuple()) return type.components.reduce((sum, c) => sum + headSize(c), 0);
  if (type.isArray() && type.arrayLength > 0) return type.arrayLength * headSize(type.arrayChildren);
  return 32;
}

/** Reads ABI-encoded values of one hex text (without 0x). */
class HexReader {
  constructor(readonly hex: string) {}

  /** The 32-byte word at byte `at`, as hex. */
  word(at: number): string {
    const word = this.hex.slice(at * 2, at * 2 + WORD);
    if (word.length !== WORD) throw new Error(`ABI data too short: no 32-byte word at byte ${at}`);
    return word;
  }

  /** A small unsigned integer (an offset, a length). */
  size(at: number): number {
    const n = Number.parseInt(this.word(at), 16);
    if (!Number.isSafeInteger(n)) throw new Error(`ABI data has an offset or length out of range at byte ${at}`);
    return n;
  }
}

/** Reads a value of one type at byte `at` (where its head is, or its tail for a dynamic one). */
type Read = (r: HexReader, at: number) => unknown;

/** How to read one value of a tuple or array: in place, or (dynamic) at the offset its head holds. */
interface Part {
  read: Read;
  dynamic: boolean;
  size: number;
}

const partOf = (type: ParamType): Part => ({ read: readerOf(type), dynamic: isDynamic(type), size: headSize(type) });

/** The values of `parts` encoded as a tuple at byte `base`. */
function readParts(r: HexReader, parts: readonly Part[], base: number): unknown[] {
  const out: unknown[] = [];
  let at = base;
  for (const part of parts) {
    if (part.dynamic) {
      out.push(part.read(r, base + r.size(at)));
      at += 32;
    } else {
      out.push(part.read(r, at));
      at += part.size;
    }
  }
  return out;
}

/** A reader of `type`, made once per type. */
function readerOf(type: ParamType): Read {
  if (type.isTuple()) {
    const names = type.components.map((c, i) => c.name || String(i));
    const parts = type.components.map(partOf);
    return (r, at) => {
      const values = readParts(r, parts, at);
      return Object.fromEntries(names.map((name, i) => [name, values[i]]));
    };
  }
  if (type.isArray()) {
    const part = partOf(type.arrayChildren);
    const fixedLength = type.arrayLength;
    return (r, at) => {
      const length = fixedLength === -1 ? r.size(at) : fixedLength;
      return readParts(
        r,
        Array.from({ length }, () => part),
        fixedLength === -1 ? at + 32 : at,
      );
    };
  }
  const base = type.baseType;
  if (base === "string" || base === "bytes") {
    return (r, at) => {
      const length = r.size(at);
      const hex = r.hex.slice((at + 32) * 2, (at + 32 + length) * 2);
      if (hex.length !== length * 2) throw new Error(`ABI data too short for a ${base} of ${length} bytes`);
      return base === "string" ? toUtf8String(`0x${hex}`) : `0x${hex}`;
    };
  }
  if (base === "address") return (r, at) => checksummed(`0x${r.word(at).slice(24)}`);
  if (base === "bool") return (r, at) => BigInt(`0x${r.word(at)}`) !== 0n;
  const int = /^(u?)int(\d*)$/.exec(base);
  if (int !== null) {
    const bits = Number(int[2] || 256);
    const fit = int[1] === "u" ? BigInt.asUintN : BigInt.asIntN;
    return (r, at) => fit(bits, BigInt(`0x${r.word(at)}`)).toString();
  }
  const fixed = /^bytes(\d+)$/.exec(base);
  if (fixed !== null) {
    const digits = Number(fixed[1]) * 2;
    return (r, at) => `0x${r.word(at).slice(0, digits)}`;
  }
  throw new Error(`cannot decode ABI type ${type.format()}`);
}

/** A decoder of `types` ABI-encoded (0x hex) into their JSON values; make it once, use it for every log. */
export function abiJsonDecoder(types: readonly ParamType[]): (data: string) => unknown[] {
  const parts = types.map(partOf);
  return (data) => readParts(new HexReader(data.startsWith("0x") ? data.slice(2) : data), parts, 0);
}
