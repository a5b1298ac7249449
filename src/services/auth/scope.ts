/**
 * Who is asking, once per request, for the trace API and the EPCIS interface: the credentials of a request
 * (`Authorization: Bearer <key>`, or `x-api-key: <key>`) resolved by the API keys (api-keys.ts) into a scope —
 *
 * - `public`: no credentials (a consumer scanning a label);
 * - `partner`: a key of a party (GLN) trading in the chain — the lots it handled and their one-up/one-down
 *   (reach.ts), and the orders it is a party to;
 * - `regulator`: a key that reads everything.
 *
 * An unknown, malformed or revoked key is refused (`UnauthorizedError`: 401), never served as public. What each
 * scope sees is in epcis-scope.ts and trace-scope.ts (README: "Scoped access").
 */
import type { IncomingMessage } from "node:http";

import type { Sql } from "../../index/db.js";
import { ApiKeys } from "./api-keys.js";

export type Scope = { kind: "public" } | { kind: "partner"; party: string } | { kind: "regulator"; party: string };

export const PUBLIC: Scope = { kind: "public" };

/** A request whose credentials are refused: answered 401 (EPCIS: SecurityException), never downgraded. */
export class UnauthorizedError extends Error {
  override readonly name = "UnauthorizedError";
}

/** The header a 401 carries (RFC 6750). */
export const WWW_AUTHENTICATE = 'Bearer realm="fishtrace"';

const headerText = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(", ") : value;

/** The API key a request carries, or undefined for none; an UnauthorizedError for credentials of another form. */
export function credentialOf(req: IncomingMessage): string | undefined {
  const authorization = headerText(req.headers.authorization)?.trim();
  const apiKey = headerText(req.headers["x-api-key"])?.trim();
  let bearer: string | undefined;
  if (authorization !== undefined && authorization !== "") {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match?.[1] === undefined) throw new UnauthorizedError("the Authorization header is not Bearer <API key>");
    bearer = match[1];
  }
  if (bearer !== undefined && apiKey !== undefined && apiKey !== "" && apiKey !== bearer) {
    throw new UnauthorizedError("the Authorization and x-api-key headers carry different keys");
  }
  return bearer ?? (apiKey === "" ? undefined : apiKey);
}

/** What the paging tokens of a scope are bound to: a token issued to one scope continues nothing in another. */
export function scopeKey(scope: Scope): string {
  return scope.kind === "public" ? "public" : `${scope.kind} ${scope.party}`;
}

/** The scope a `scopeKey` names (what a subscription keeps of its subscriber); public for anything else. */
export function scopeOfKey(key: string): Scope {
  const match = /^(partner|regulator) (\d{13})$/.exec(key);
  if (match?.[2] === undefined) return PUBLIC;
  return match[1] === "regulator" ? { kind: "regulator", party: match[2] } : { kind: "partner", party: match[2] };
}

export type ScopeOf = (req: IncomingMessage) => Promise<Scope>;

/**
 * `scopeOf(req)` over the API keys of `sql`: public without credentials, the key's scope with a valid key, an
 * UnauthorizedError otherwise. The keys' table is created (when missing) on the first request with a key.
 */
export function scopeResolver(sql: Sql): ScopeOf {
  let keys: Promise<ApiKeys> | undefined;
  return async (req) => {
    const key = credentialOf(req);
    if (key === undefined) return PUBLIC;
    keys ??= new ApiKeys(sql).init().catch((err: unknown) => {
      keys = undefined;
      throw err;
    });
    const holder = await (await keys).authenticate(key);
    if (holder === undefined) throw new UnauthorizedError("the API key is unknown or revoked");
    return { kind: holder.scope, party: holder.party };
  };
}
