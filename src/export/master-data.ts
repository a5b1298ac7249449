/**
 * GDST master data the chain does not hold: a vessel's flag state, IMO number and public registry, and a catch's
 * trip dates, given in a JSON file (`export epcis --master-data vessels.json`) and keyed by the vessel registration
 * the catch carries on chain. Checked with zod; a problem is one line naming the file and the field.
 *
 *   { "vessels": { "IMO9241061": { "name": "MV Nordkapp", "flag": "NO", "imo": "9241061",
 *                                  "publicRegistry": "https://…", "tripStart": "2026-11-18", "tripEnd": "2026-11-21" } } }
 */
import { z } from "zod";

import { parseJson, readText } from "../record-files.js";
import { InputError, unixSeconds } from "../units.js";

export interface VesselMasterData {
  name?: string;
  /** ISO 3166-1 alpha-2 flag state. */
  flag?: string;
  /** IMO number, 7 digits. */
  imo?: string;
  publicRegistry?: string;
  /** Unix seconds. */
  tripStart?: number;
  tripEnd?: number;
}

export interface MasterData {
  vessels: Map<string, VesselMasterData>;
}

export const NO_MASTER_DATA: MasterData = { vessels: new Map() };

const date = (what: string) =>
  z
    .union([z.string(), z.number()], { error: `${what} must be an ISO 8601 date or unix seconds` })
    .transform((v, ctx) => {
      try {
        return unixSeconds(v, what);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
        return z.NEVER;
      }
    });

const vessel = z.strictObject(
  {
    name: z.string({ error: "name must be text" }).min(1, "name is empty").optional(),
    flag: z
      .string({ error: "flag must be text" })
      .regex(/^[A-Z]{2}$/, "flag must be an ISO 3166-1 alpha-2 code (two capital letters, e.g. NO)")
      .optional(),
    imo: z
      .string({ error: "imo must be text" })
      .regex(/^(IMO)?\d{7}$/, "imo must be 7 digits (optionally after IMO)")
      .transform((v) => v.replace(/^IMO/, ""))
      .optional(),
    publicRegistry: z.string({ error: "publicRegistry must be a URL" }).url("publicRegistry must be a URL").optional(),
    tripStart: date("tripStart").optional(),
    tripEnd: date("tripEnd").optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field "${issue.keys.join('", "')}"`
        : "a vessel must be an object with name, flag, imo, publicRegistry, tripStart, tripEnd",
  },
);

const file = z.strictObject(
  { vessels: z.record(z.string(), vessel, { error: "vessels must map vessel registrations to objects" }) },
  { error: 'must be an object {"vessels": {"<registration>": {…}}}' },
);

/** The master data in `path`. */
export async function readMasterData(path: string): Promise<MasterData> {
  const parsed = file.safeParse(parseJson(path, await readText(path)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? "" : ` ${issue.path.join(".")}`;
    throw new InputError(`${path}${where}: ${issue?.message ?? "invalid master data"}`);
  }
  const vessels = new Map<string, VesselMasterData>();
  for (const [registration, data] of Object.entries(parsed.data.vessels)) {
    if (data.tripStart !== undefined && data.tripEnd !== undefined && data.tripStart > data.tripEnd) {
      throw new InputError(`${path} vessels.${registration}: tripStart is after tripEnd`);
    }
    vessels.set(registration, Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)));
  }
  return { vessels };
}
