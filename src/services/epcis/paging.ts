/**
 * `nextPageToken`s: opaque, signed (HMAC-SHA-256 with a secret kept in the index's `epcis_meta`, so a token
 * outlives a restart and works on every server sharing a PostgreSQL index) and bound to the query they continue —
 * a token of one query, edited or replayed on another, or past its expiry, is refused. A token holds where the last
 * page ended (the sort key and `seq` of its last event, or the last member of a collection) and how many events
 * were served so far (for `eventCountLimit`).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

import type { Sql } from "../../index/db.js";
import { parameterProblem } from "./problem.js";

/** Where a page ended. */
export interface PagePosition {
  /** The sort value (ms) and seq of the last event served, or the last member of a collection. */
  after: [number, number] | [string];
  /** Events served so far. */
  served: number;
}

/** How long a token stays valid. */
export const TOKEN_LIFETIME_MS = 24 * 3_600_000;

/** The secret tokens are signed with, made once per index. */
export async function tokenSecret(sql: Sql): Promise<Buffer> {
  await sql.query("INSERT INTO epcis_meta (key, value) VALUES ('token_secret', $1) ON CONFLICT (key) DO NOTHING", [
    randomBytes(32).toString("hex"),
  ]);
  const [row] = await sql.query<{ value: string }>("SELECT value FROM epcis_meta WHERE key = 'token_secret'");
  if (row === undefined) throw new Error("epcis_meta has no token secret");
  return Buffer.from(row.value, "hex");
}

const digest = (text: string): string => createHash("sha256").update(text).digest("base64url").slice(0, 22);

export class PageTokens {
  constructor(private readonly secret: Buffer) {}

  private sign(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }

  /** A token continuing the query named by `queryKey` after `position`, valid until `expires` (ms). */
  issue(queryKey: string, position: PagePosition, expires: number): string {
    const payload = Buffer.from(
      JSON.stringify({ q: digest(queryKey), a: position.after, n: position.served, e: expires }),
    ).toString("base64url");
    return `${payload}.${this.sign(payload)}`;
  }

  /** Where `token` continues the query named by `queryKey`; refused (QueryParameterException) otherwise. */
  read(token: string, queryKey: string, now = Date.now()): PagePosition {
    const refused = parameterProblem("nextPageToken is not a token of this query, or it has expired");
    const [payload = "", signature = ""] = token.split(".");
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (payload === "" || given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused;
    const parsed: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) throw refused;
    const field = (name: string): unknown =>
      name in parsed ? Object.getOwnPropertyDescriptor(parsed, name)?.value : undefined;
    const [q, a, n, e] = [field("q"), field("a"), field("n"), field("e")];
    if (q !== digest(queryKey) || typeof e !== "number" || e < now || typeof n !== "number") throw refused;
    if (Array.isArray(a) && a.length === 2 && typeof a[0] === "number" && typeof a[1] === "number") {
      return { after: [a[0], a[1]], served: n };
    }
    if (Array.isArray(a) && a.length === 1 && typeof a[0] === "string") return { after: [a[0]], served: n };
    throw refused;
  }
}
