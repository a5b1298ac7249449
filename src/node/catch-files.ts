/**
 * A file of catches a vessel lands at once (CSV with a header row, or a JSON array), one catch a record, with the
 * field names and units of `harvester register`'s options. Every record is checked by `catchData` (core/catch.ts)
 * before anything is sent; a bad one is one `InputError` line naming the file, the record and the field.
 */

import { catchData, type CatchInput } from "../core/catch.js";
import { InputError } from "../core/input-error.js";
import type { IHarvester } from "../../typechain-types/index.js";
import { field, parseRecord, readText, record, recordsOf } from "./record-files.js";

/** The columns (CSV) or fields (JSON) of a catches file, in order: `harvester register`'s option names. */
export const CATCH_COLUMNS = [
  "species",
  "weight",
  "caughtAt",
  "lat",
  "lon",
  "area",
  "vessel",
  "gear",
  "farmed",
  "frozen",
] as const;

/** A catch of a file: the struct the Harvester takes, and where it was ("line 3", "record 2"). */
export interface FileCatch {
  where: string;
  /** Its `caughtAt` is 0 where the file left the time empty: the caller puts the chain's time there. */
  data: IHarvester.CatchStruct;
}

const text = (name: string) => field(name, (v) => String(v).trim());
const optionalText = (name: string) => text(name).optional();

/** A yes/no column: empty, "no", "false" or "0" is no; "yes", "true" or "1" is yes. */
function yesNo(name: string) {
  return field(name, (v) => {
    const answer = String(v).trim().toLowerCase();
    if (answer === "" || answer === "no" || answer === "false" || answer === "0") return false;
    if (answer === "yes" || answer === "true" || answer === "1") return true;
    throw new InputError(`${name} "${String(v)}" must be yes or no (or true/false, 1/0, or empty for no)`);
  }).optional();
}

const catchSchema = record(
  {
    species: text("species"),
    weight: text("weight"),
    caughtAt: optionalText("caughtAt"),
    lat: text("lat"),
    lon: text("lon"),
    area: optionalText("area"),
    vessel: optionalText("vessel"),
    gear: optionalText("gear"),
    farmed: yesNo("farmed"),
    frozen: yesNo("frozen"),
  },
  "a catch",
);

/**
 * The catches of `file` (CSV with the `CATCH_COLUMNS` header, or a JSON array of records with those fields), in
 * order. An empty `caughtAt` means "now" and is returned as 0; empty texts are left out of the lot's key data.
 */
export async function readCatches(file: string): Promise<FileCatch[]> {
  const raws = recordsOf(file, await readText(file), CATCH_COLUMNS);
  return raws.map((raw) => {
    const row = parseRecord(catchSchema, file, raw);
    const input: CatchInput = {
      species: row.species,
      weight: row.weight,
      caughtAt: row.caughtAt === undefined || row.caughtAt === "" ? 0 : row.caughtAt,
      latitude: row.lat,
      longitude: row.lon,
      area: row.area,
      vessel: row.vessel,
      gear: row.gear,
      farmed: row.farmed,
      frozen: row.frozen,
    };
    try {
      return { where: raw.where, data: catchData(input) };
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${file} ${raw.where}: ${err.message}`);
      throw err;
    }
  });
}
