/**
 * A catch as a person declares it ("COD", "250kg", "69.1", "18.6E", "27.2.a") turned into the `IHarvester.Catch`
 * the Harvester contract takes, every field checked by the parsers of units.ts and inputs.ts.
 */
import type { IHarvester } from "../../typechain-types/index.js";
import { signedDegrees } from "./inputs.js";
import { fixedText, grams, speciesCode, unixSeconds } from "./units.js";

export interface CatchInput {
  /** FAO ASFIS 3-alpha code. */
  species: string;
  /** "250kg", "1.2t", "900g", or grams. */
  weight: string | number;
  /** ISO 8601 or unix seconds. */
  caughtAt: string | number;
  /** Degrees, or with a hemisphere letter ("33.9S"). */
  latitude: string | number;
  longitude: string | number;
  /** FAO major fishing area, e.g. "27.2.a". */
  area?: string;
  /** Vessel registration or IMO number. */
  vessel?: string;
  /** FAO ISSCFG gear code, e.g. "OTB". */
  gear?: string;
  farmed?: boolean;
  frozen?: boolean;
}

export function catchData(input: CatchInput): IHarvester.CatchStruct {
  return {
    species: speciesCode(input.species),
    weightGrams: grams(input.weight),
    caughtAt: unixSeconds(input.caughtAt, "catch time"),
    latitude: signedDegrees(input.latitude, "latitude"),
    longitude: signedDegrees(input.longitude, "longitude"),
    catchArea: fixedText(input.area ?? "", 8, "catch area"),
    vessel: fixedText(input.vessel ?? "", 16, "vessel"),
    gear: fixedText(input.gear ?? "", 8, "gear"),
    farmed: input.farmed ?? false,
    frozen: input.frozen ?? false,
  };
}
