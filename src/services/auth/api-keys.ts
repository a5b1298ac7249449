/**
 * API keys of the trace API and the EPCIS interface, kept in the trace index's database (PGlite or PostgreSQL, in a
 * table of their own created with CREATE … IF NOT EXISTS): each key belongs to a party (a GLN) and carries a scope
 * (`partner` or `regulator`, scope.ts). A key is `ft_` followed by 32 random bytes in base64url (256 bits), shown
 * once when it is made; the table keeps only its SHA-256, so neither a copy of the database nor its backups hold a
 * usable key. Revoking a key keeps its row (who had it, since when, revoked when) and refuses it from then on.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

import type { Sql } from "../../index/db.js";
import { InputError } from "../../core/input-error.js";
import { isGln } from "../../exports/gs1.js";

/** What a key lets its holder read (scope.ts): a partner's lots and their one-up/one-down, or everything. */
export type KeyScope = "partner" | "regulator";
export const KEY_SCOPES: readonly KeyScope[] = ["partner", "regulator"];

/** The prefix every FishTrace API key starts with (so a leaked key is recognisable, e.g. by secret scanners). */
export const KEY_PREFIX = "ft_";
const KEY_BYTES = 32;

export const API_KEY_SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id serial PRIMARY KEY,
  key_hash text NOT NULL UNIQUE,     -- SHA-256 of the key, hex; the key itself is never stored
  party text NOT NULL,               -- GLN
  scope text NOT NULL CHECK (scope IN ('partner', 'regulator')),
  label text NOT NULL DEFAULT '',
  created_at bigint NOT NULL,        -- ms since 1970
  revoked_at bigint
);
`;

/** A key as listed: never the key itself. */
export interface ApiKeyInfo {
  id: number;
  party: string;
  scope: KeyScope;
  label: string;
  /** ISO time. */
  created: string;
  /** ISO time it was revoked, or null. */
  revoked: string | null;
}

/** Who a key speaks for. */
export interface KeyHolder {
  party: string;
  scope: KeyScope;
}

/** `text` as a GLN; a one-line InputError naming `what` otherwise. */
export function glnOf(text: string, what = "party"): string {
  const gln = text.trim();
  if (!isGln(gln)) {
    throw new InputError(`${what} "${text}" is not a GLN (13 digits ending in a valid GS1 check digit)`);
  }
  return gln;
}

/** `text` as a key scope; a one-line InputError otherwise. */
export function keyScopeOf(text: string, what = "scope"): KeyScope {
  const scope = KEY_SCOPES.find((s) => s === text.trim());
  if (scope === undefined) throw new InputError(`${what} "${text}" is not one of ${KEY_SCOPES.join(", ")}`);
  return scope;
}

const hashOf = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");
const iso = (ms: unknown): string | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();

/** Whether `text` has the shape of a key (so a malformed one is refused without a query). */
const KEY_SHAPE = new RegExp(`^${KEY_PREFIX}[A-Za-z0-9_-]{43}$`);

interface KeyRow {
  id: number;
  party: string;
  scope: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
  key_hash: string;
}

function infoOf(row: KeyRow): ApiKeyInfo {
  return {
    id: Number(row.id),
    party: row.party,
    scope: keyScopeOf(row.scope),
    label: row.label,
    created: iso(row.created_at) ?? "",
    revoked: iso(row.revoked_at),
  };
}

export class ApiKeys {
  constructor(private readonly sql: Sql) {}

  /** Creates the table when it is missing. */
  async init(): Promise<this> {
    await this.sql.exec(API_KEY_SCHEMA);
    return this;
  }

  /** A new key for `party` (a GLN) with `scope`: the key is in the answer and nowhere else, ever. */
  async create(party: string, scope: KeyScope, label = "", now = new Date()): Promise<ApiKeyInfo & { key: string }> {
    const gln = glnOf(party);
    const key = KEY_PREFIX + randomBytes(KEY_BYTES).toString("base64url");
    const [row] = await this.sql.query<KeyRow>(
      `INSERT INTO api_keys (key_hash, party, scope, label, created_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, party, scope, label, created_at::text AS created_at, revoked_at::text AS revoked_at, key_hash`,
      [hashOf(key), gln, scope, label.trim(), now.getTime()],
    );
    if (row === undefined) throw new Error("api_keys returned no row for the new key");
    return { ...infoOf(row), key };
  }

  /** Every key, oldest first: who holds it, its scope, when made and revoked — never the key. */
  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.sql.query<KeyRow>(
      `SELECT id, party, scope, label, created_at::text AS created_at, revoked_at::text AS revoked_at, key_hash
       FROM api_keys ORDER BY id`,
    );
    return rows.map(infoOf);
  }

  /** Revokes key `id` (refused from now on); a one-line InputError when there is no such key or it is revoked. */
  async revoke(id: number, now = new Date()): Promise<ApiKeyInfo> {
    const [row] = await this.sql.query<KeyRow>(
      `UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL
       RETURNING id, party, scope, label, created_at::text AS created_at, revoked_at::text AS revoked_at, key_hash`,
      [id, now.getTime()],
    );
    if (row !== undefined) return infoOf(row);
    const [known] = await this.sql.query("SELECT 1 FROM api_keys WHERE id = $1", [id]);
    throw new InputError(known === undefined ? `there is no API key ${id}` : `API key ${id} is already revoked`);
  }

  /** Who `key` speaks for, or undefined for a key that is unknown, malformed or revoked. */
  async authenticate(key: string): Promise<KeyHolder | undefined> {
    if (!KEY_SHAPE.test(key)) return undefined;
    const hash = hashOf(key);
    const [row] = await this.sql.query<KeyRow>(
      `SELECT id, party, scope, label, created_at::text AS created_at, revoked_at::text AS revoked_at, key_hash
       FROM api_keys WHERE key_hash = $1`,
      [hash],
    );
    if (row === undefined || row.revoked_at !== null) return undefined;
    if (!timingSafeEqual(Buffer.from(row.key_hash, "hex"), Buffer.from(hash, "hex"))) return undefined;
    return { party: row.party, scope: keyScopeOf(row.scope) };
  }
}
