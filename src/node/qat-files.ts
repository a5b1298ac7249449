/**
 * The files of the QAT pipeline: the readings a device takes (JSON or CSV, one scan a record, as a person or a
 * device's export writes them) and the signed readings it hands to a relay (JSON, exactly what was signed, bigints
 * as decimal strings). Shared by `qat sign`, `qat relay` and the relay service.
 */
import { isHexString } from "ethers";

import { checksummed } from "./checksums.js";

import { CALLDATA_FIELDS } from "../core/calldata.js";
import { lotRef } from "../core/digital-link.js";
import type { QatReading, SignedReading } from "../core/qat.js";
import { timeOrAgo } from "../core/inputs.js";
import { field, jsonRecords, parseRecord, readText, record, recordsOf, toJson } from "./record-files.js";
import { InputError } from "../core/input-error.js";
import { percent, speciesCode, uint64, wholeNumber } from "../core/units.js";

/** A scan as a device's export lists it, before it is bound to the device that signs it. */
export type ScanInput = Omit<QatReading, "device">;

/** The columns (CSV) or fields (JSON) of a readings file, in order. */
export const SCAN_COLUMNS = [
  "readingId",
  "lot",
  "species",
  "speciesConfidence",
  "grade",
  "gradeConfidence",
  "scannedAt",
] as const;

/** A scan of a readings file; times may be written "2h ago", before `now` (the chain's clock, as a rule). */
const scanSchema = (now?: number) =>
  record(
    {
      readingId: field("readingId", (v) => uint64(v, "readingId")),
      lot: field("lot", (v) => lotRef(String(v), "lot")),
      species: field("species", (v) => speciesCode(String(v))),
      speciesConfidence: field("speciesConfidence", (v) => percent(v, "speciesConfidence")),
      grade: field("grade", (v) => wholeNumber(v, "grade", 255)),
      gradeConfidence: field("gradeConfidence", (v) => percent(v, "gradeConfidence")),
      scannedAt: field("scannedAt", (v) => timeOrAgo(v, "scannedAt", now)),
    },
    "a reading",
  );

/**
 * The scans of a readings file (JSON array or CSV with the `SCAN_COLUMNS` header), each with where it was
 * ("line 3", "record 2"); reading ids must not repeat.
 */
export async function readScans(file: string, now?: number): Promise<{ where: string; scan: ScanInput }[]> {
  const raws = recordsOf(file, await readText(file), SCAN_COLUMNS);
  const schema = scanSchema(now);
  const seen = new Map<bigint, string>();
  return raws.map((raw) => {
    const { readingId, lot, species, speciesConfidence, grade, gradeConfidence, scannedAt } = parseRecord(
      schema,
      file,
      raw,
    );
    const earlier = seen.get(readingId);
    if (earlier !== undefined) {
      throw new InputError(
        `${file} ${raw.where}: readingId ${readingId} repeats ${earlier} (a device numbers each scan once)`,
      );
    }
    seen.set(readingId, raw.where);
    return {
      where: raw.where,
      scan: { readingId, lotId: lot, species, speciesConfidence, grade, gradeConfidence, scannedAt },
    };
  });
}

function bytes3(value: string | number): string {
  const text = String(value).trim();
  if (/^0x[0-9a-fA-F]{6}$/.test(text)) return text.toLowerCase();
  return speciesCode(text);
}

function deviceAddress(value: string | number): string {
  const address = checksummed(String(value).trim());
  if (address === undefined) throw new InputError(`device "${value}" is not an Ethereum address`);
  return address;
}

function signatureHex(value: string | number): string {
  const text = String(value).trim();
  if (!isHexString(text, 65)) throw new InputError("signature is not 65 bytes of hex (0x and 130 hex digits)");
  return text;
}

const signedSchema = record(
  {
    reading: record(
      {
        readingId: field("readingId", (v) => CALLDATA_FIELDS.readingId(v, "readingId")),
        lotId: field("lotId", (v) => CALLDATA_FIELDS.lotId(v, "lotId")),
        species: field("species", bytes3),
        speciesConfidence: field("speciesConfidence", (v) => CALLDATA_FIELDS.uint8(v, "speciesConfidence")),
        grade: field("grade", (v) => CALLDATA_FIELDS.uint8(v, "grade")),
        gradeConfidence: field("gradeConfidence", (v) => CALLDATA_FIELDS.uint8(v, "gradeConfidence")),
        scannedAt: field("scannedAt", (v) => CALLDATA_FIELDS.timestamp(v, "scannedAt")),
        device: field("device", deviceAddress),
      },
      "reading",
    ),
    signature: field("signature", signatureHex),
  },
  "a signed reading",
);

/**
 * The signed readings of a file `qat sign` wrote, with where each was ("record 2"). Values are checked for their
 * Solidity types only (a confidence above 100 is the ledger's to refuse, with its own error).
 */
export async function readSignedReadings(file: string): Promise<{ where: string; signed: SignedReading }[]> {
  const raws = jsonRecords(file, await readText(file));
  return raws.map((raw) => ({ where: raw.where, signed: parseRecord(signedSchema, file, raw) }));
}

/**
 * One signed reading as a relay request carries it (the same fields and checks as a file `qat sign` wrote); a
 * problem is an `InputError` starting with `where` ("readings[3]: grade \"x\" is not ...").
 */
export function parseSignedReading(value: unknown, where: string): SignedReading {
  return parseRecord(signedSchema, where, { where: "", value });
}

/** Signed readings as the JSON `readSignedReadings` reads back. */
export function signedReadingsJson(readings: readonly SignedReading[]): string {
  return toJson(
    readings.map(({ reading, signature }) => ({
      reading: {
        readingId: reading.readingId,
        lotId: reading.lotId,
        species: reading.species,
        speciesConfidence: reading.speciesConfidence,
        grade: reading.grade,
        gradeConfidence: reading.gradeConfidence,
        scannedAt: reading.scannedAt,
        device: reading.device,
      },
      signature,
    })),
  );
}
