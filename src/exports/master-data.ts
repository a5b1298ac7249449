/**
 * Master data the chain does not hold, for the GDST 1.2 and FSMA 204 exports: vessels (GDST vessel KDEs, trip
 * dates, landing), parties (business name, address, phone, GLN, human-welfare policy), locations (GLN, address,
 * kind) and certificates (harvest, chain of custody, fishing authorisation, human welfare), read from JSON or CSV
 * files (`export epcis|fsma --master-data a.json,b.csv`) and checked field by field; a problem is one line naming
 * the file, the record (JSON path or CSV row) and the field. Example: examples/master-data.json.
 *
 * JSON: `{"vessels": {"<registration>": {…}}, "parties": {"<GLN or registered name>": {…}},
 * "locations": {"<GLN or registered text>": {…}}, "certificates": [{…}]}` (every section optional).
 * CSV: one section per file; the header's first column names it and holds the key (`vessel`, `party`, `location`,
 * or `certificate` for the certificate's id), the other columns are the fields below.
 */
import { z } from "zod";

import { csvRows, parseJson, readText } from "../node/record-files.js";
import { InputError } from "../core/input-error.js";
import { unixSeconds } from "../core/units.js";

export const HUMAN_WELFARE_POLICIES = ["None", "Internal", "3P Audit"] as const;
export type HumanWelfarePolicy = (typeof HUMAN_WELFARE_POLICIES)[number];

export const CERTIFICATE_KINDS = ["harvest", "chainOfCustody", "fishingAuthorisation", "humanWelfare"] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];

export interface VesselMasterData {
  name?: string;
  /** ISO 3166-1 alpha-2 flag state. */
  flag?: string;
  /** "IMO" and 7 digits. */
  imo?: string;
  publicRegistry?: string;
  satelliteTrackingAuthority?: string;
  /** `urn:gdst:rfmo:…`. */
  rfmoArea?: string;
  /** `urn:gdst:eez:…`. */
  economicZone?: string;
  subnationalPermitArea?: string;
  fisheryImprovementProject?: string;
  /** Unix seconds. */
  tripStart?: number;
  tripEnd?: number;
  /** The port the catch is unloaded at (GDST landing event, FSMA landing). */
  unloadingPort?: string;
}

export interface PartyMasterData {
  name?: string;
  gln?: string;
  address?: string;
  phone?: string;
  humanWelfarePolicy?: HumanWelfarePolicy;
  /** A fish farm's aquaculture method (GDST farm harvest), e.g. "net pens". */
  aquacultureMethod?: string;
  /** Digits of the GS1 company prefix in the GLN (6–12), for `urn:epc:id:pgln:`; 7 when not given. */
  companyPrefixLength?: number;
}

export interface LocationMasterData {
  name?: string;
  gln?: string;
  address?: string;
  phone?: string;
  kind?: string;
}

export interface Certificate {
  id: string;
  kind: CertificateKind;
  issuer: string;
  standard: string;
  /** Unix seconds. */
  validFrom?: number;
  validTo?: number;
  /** What it certifies: `vessel:<registration>`, `party:<GLN or name>`, `lot:<lot id>` or `product:<GTIN>`. */
  subject: string;
  value?: string;
}

export interface MasterData {
  vessels: Map<string, VesselMasterData>;
  parties: Map<string, PartyMasterData>;
  locations: Map<string, LocationMasterData>;
  certificates: Certificate[];
}

export const NO_MASTER_DATA: MasterData = {
  vessels: new Map(),
  parties: new Map(),
  locations: new Map(),
  certificates: [],
};

const text = (name: string) =>
  z
    .string({ error: `${name} must be text` })
    .trim()
    .min(1, `${name} is empty`);

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

/** A code or its GDST URN: "NO" → `urn:gdst:eez:NO`. */
const gdstUrn = (name: string, kind: string) =>
  text(name).transform((v) => (v.startsWith(`urn:gdst:${kind}:`) ? v : `urn:gdst:${kind}:${v}`));

const gln = (name: string) => text(name).regex(/^\d{13}$/, `${name} must be a GLN (13 digits)`);

const strictObject = <T extends z.ZodRawShape>(shape: T, what: string) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field "${issue.keys.join('", "')}"`
        : `${what} must be an object with ${Object.keys(shape).join(", ")}`,
  });

const vessel = strictObject(
  {
    name: text("name").optional(),
    flag: z
      .string({ error: "flag must be text" })
      .regex(/^[A-Z]{2}$/, "flag must be an ISO 3166-1 alpha-2 code (two capital letters, e.g. NO)")
      .optional(),
    imo: z
      .string({ error: "imo must be text" })
      .regex(/^(IMO)?\d{7}$/, "imo must be 7 digits (optionally after IMO)")
      .transform((v) => `IMO${v.replace(/^IMO/, "")}`)
      .optional(),
    publicRegistry: z.string({ error: "publicRegistry must be a URL" }).url("publicRegistry must be a URL").optional(),
    satelliteTrackingAuthority: text("satelliteTrackingAuthority").optional(),
    rfmoArea: gdstUrn("rfmoArea", "rfmo").optional(),
    economicZone: gdstUrn("economicZone", "eez").optional(),
    subnationalPermitArea: text("subnationalPermitArea").optional(),
    fisheryImprovementProject: text("fisheryImprovementProject").optional(),
    tripStart: date("tripStart").optional(),
    tripEnd: date("tripEnd").optional(),
    unloadingPort: text("unloadingPort").optional(),
  },
  "a vessel",
);

const party = strictObject(
  {
    name: text("name").optional(),
    gln: gln("gln").optional(),
    address: text("address").optional(),
    phone: text("phone").optional(),
    humanWelfarePolicy: z
      .enum(HUMAN_WELFARE_POLICIES, { error: `humanWelfarePolicy must be one of ${HUMAN_WELFARE_POLICIES.join(", ")}` })
      .optional(),
    aquacultureMethod: text("aquacultureMethod").optional(),
    companyPrefixLength: z.coerce
      .number({ error: "companyPrefixLength must be a number" })
      .int("companyPrefixLength must be a whole number")
      .min(6, "companyPrefixLength must be 6 to 12")
      .max(12, "companyPrefixLength must be 6 to 12")
      .optional(),
  },
  "a party",
);

const location = strictObject(
  {
    name: text("name").optional(),
    gln: gln("gln").optional(),
    address: text("address").optional(),
    phone: text("phone").optional(),
    kind: text("kind").optional(),
  },
  "a location",
);

const certificate = strictObject(
  {
    id: text("id"),
    kind: z.enum(CERTIFICATE_KINDS, { error: `kind must be one of ${CERTIFICATE_KINDS.join(", ")}` }),
    issuer: text("issuer"),
    standard: text("standard"),
    validFrom: date("validFrom").optional(),
    validTo: date("validTo").optional(),
    subject: text("subject").regex(
      /^(vessel|party|lot|product):.+$/,
      "subject must be vessel:<registration>, party:<GLN or name>, lot:<id> or product:<GTIN>",
    ),
    value: text("value").optional(),
  },
  "a certificate",
);

/** Each section's record schema: a file's records, and the index's stored ones, are checked by the same rules. */
export const MASTER_SCHEMAS = { vessel, party, location, certificate } as const;

const file = z.strictObject(
  {
    vessels: z.record(z.string(), vessel, { error: "vessels must map vessel registrations to objects" }).optional(),
    parties: z.record(z.string(), party, { error: "parties must map GLNs or names to objects" }).optional(),
    locations: z.record(z.string(), location, { error: "locations must map GLNs or places to objects" }).optional(),
    certificates: z.array(certificate, { error: "certificates must be a list" }).optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown section "${issue.keys.join('", "')}" (vessels, parties, locations, certificates)`
        : 'must be an object {"vessels": {…}, "parties": {…}, "locations": {…}, "certificates": […]}',
  },
);

const CSV_KINDS = ["vessel", "party", "location", "certificate"] as const;
type CsvKind = (typeof CSV_KINDS)[number];
const isCsvKind = (v: string): v is CsvKind => CSV_KINDS.some((k) => k === v);

function checkTrip(where: string, key: string, v: VesselMasterData): void {
  if (v.tripStart !== undefined && v.tripEnd !== undefined && v.tripStart > v.tripEnd) {
    throw new InputError(`${where} vessels.${key}: tripStart is after tripEnd`);
  }
}

function checkValidity(where: string, c: Certificate): void {
  if (c.validFrom !== undefined && c.validTo !== undefined && c.validFrom > c.validTo) {
    throw new InputError(`${where}: validFrom is after validTo`);
  }
}

function fromJson(path: string, content: string, into: MasterData): void {
  const parsed = file.safeParse(parseJson(path, content));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? "" : ` ${issue.path.join(".")}`;
    throw new InputError(`${path}${where}: ${issue?.message ?? "invalid master data"}`);
  }
  const data = parsed.data;
  for (const [key, v] of Object.entries(data.vessels ?? {})) {
    checkTrip(path, key, v);
    into.vessels.set(key, v);
  }
  for (const [key, p] of Object.entries(data.parties ?? {})) into.parties.set(key, p);
  for (const [key, l] of Object.entries(data.locations ?? {})) into.locations.set(key, l);
  for (const [i, c] of (data.certificates ?? []).entries()) {
    checkValidity(`${path} certificates.${i}`, c);
    into.certificates.push(c);
  }
}

function fromCsv(path: string, content: string, into: MasterData): void {
  let header: string[] = [];
  const rows = csvRows(path, content, (names) => (header = names.map((n) => n.trim())));
  const kind = header[0] ?? "";
  if (!isCsvKind(kind)) {
    throw new InputError(
      `${path} row 1: the first column must be vessel, party, location or certificate, not "${kind}"`,
    );
  }
  for (const { record, info } of rows) {
    const where = `${path} row ${info.lines}`;
    const key = record[kind] ?? "";
    if (key === "") throw new InputError(`${where} field ${kind}: is empty`);
    // Empty cells are fields left out; the key column is the certificate's id.
    const fields: Record<string, string> = Object.fromEntries(
      Object.entries(record).filter(([name, value]) => name !== kind && value !== ""),
    );
    switch (kind) {
      case "vessel": {
        const v = csvRow(vessel, where, fields);
        checkTrip(where, key, v);
        into.vessels.set(key, v);
        break;
      }
      case "party":
        into.parties.set(key, csvRow(party, where, fields));
        break;
      case "location":
        into.locations.set(key, csvRow(location, where, fields));
        break;
      case "certificate": {
        const c = csvRow(certificate, where, { ...fields, id: key });
        checkValidity(where, c);
        into.certificates.push(c);
        break;
      }
    }
  }
}

/** One CSV row checked by `schema`; a problem names the row and the field. */
function csvRow<S extends z.ZodType>(schema: S, where: string, fields: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0] === undefined ? "" : ` field ${String(issue.path[0])}`;
    throw new InputError(`${where}${field}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** The master data in `paths` (JSON or CSV each, by extension), read once and merged in order. */
export async function readMasterData(paths: string | readonly string[]): Promise<MasterData> {
  const list = typeof paths === "string" ? paths.split(",").map((p) => p.trim()) : paths;
  const into: MasterData = { vessels: new Map(), parties: new Map(), locations: new Map(), certificates: [] };
  for (const path of list) {
    if (path === "") throw new InputError("--master-data names an empty file");
    const content = await readText(path);
    if (/\.csv$/i.test(path)) fromCsv(path, content, into);
    else fromJson(path, content, into);
  }
  return into;
}

/** A party's master data: by its registered location (a GLN), else by its registered name. */
export function partyData(masterData: MasterData, party: { name: string; location: string }): PartyMasterData {
  return masterData.parties.get(party.location.trim()) ?? masterData.parties.get(party.name) ?? {};
}

/** A place's master data, by its GLN or text. */
export function locationData(masterData: MasterData, place: string): LocationMasterData {
  return masterData.locations.get(place.trim()) ?? {};
}

/** The certificates of `subject` valid at `time` (unix seconds). */
export function certificatesOf(masterData: MasterData, subjects: readonly string[], time: number): Certificate[] {
  return masterData.certificates.filter(
    (c) =>
      subjects.includes(c.subject) &&
      (c.validFrom === undefined || c.validFrom <= time) &&
      (c.validTo === undefined || time <= c.validTo),
  );
}
