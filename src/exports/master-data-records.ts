/**
 * Master data as documents: each vessel, party, location and certificate one record with a canonical form — JSON
 * with keys sorted at every level and no whitespace (RFC 8785 for these values: text and whole numbers) — and the
 * SHA-256 of that form's UTF-8 bytes. The digest is what a participant anchors on chain (`Registry.anchorDocuments`),
 * so anyone holding the record can recompute it and check who vouched for it, and when.
 */
import { sha256, toUtf8Bytes } from "ethers";

import type { Certificate, LocationMasterData, MasterData, PartyMasterData, VesselMasterData } from "./master-data.js";

export const MASTER_SECTIONS = ["vessel", "party", "location", "certificate"] as const;
export type MasterSection = (typeof MASTER_SECTIONS)[number];

export type MasterRecord =
  | { section: "vessel"; key: string; data: VesselMasterData }
  | { section: "party"; key: string; data: PartyMasterData }
  | { section: "location"; key: string; data: LocationMasterData }
  | { section: "certificate"; key: string; data: Certificate };

/** Every record of `masterData`, sections in order, certificates keyed by their id. */
export function masterRecords(masterData: MasterData): MasterRecord[] {
  return [
    ...[...masterData.vessels].map(([key, data]): MasterRecord => ({ section: "vessel", key, data })),
    ...[...masterData.parties].map(([key, data]): MasterRecord => ({ section: "party", key, data })),
    ...[...masterData.locations].map(([key, data]): MasterRecord => ({ section: "location", key, data })),
    ...masterData.certificates.map((data): MasterRecord => ({ section: "certificate", key: data.id, data })),
  ];
}

/** `value` with the keys of every object sorted and undefined members left out. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sorted(v)]));
  }
  return value;
}

/** The record's canonical JSON: `{"data":{…},"key":"…","section":"…"}`, keys sorted, no whitespace. */
export function canonicalRecord(record: MasterRecord): string {
  return JSON.stringify(sorted({ section: record.section, key: record.key, data: record.data }));
}

/** SHA-256 of the canonical JSON's UTF-8 bytes, as 0x-prefixed hex (a bytes32). */
export function recordDigest(record: MasterRecord): string {
  return sha256(toUtf8Bytes(canonicalRecord(record)));
}

/** The master data made of `records`, a later record of a key replacing an earlier one. */
export function masterDataOf(records: readonly MasterRecord[]): MasterData {
  const out: MasterData = { vessels: new Map(), parties: new Map(), locations: new Map(), certificates: [] };
  const certificates = new Map<string, Certificate>();
  for (const r of records) {
    if (r.section === "vessel") out.vessels.set(r.key, r.data);
    else if (r.section === "party") out.parties.set(r.key, r.data);
    else if (r.section === "location") out.locations.set(r.key, r.data);
    else certificates.set(r.key, r.data);
  }
  out.certificates = [...certificates.values()];
  return out;
}
