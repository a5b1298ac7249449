/**
 * Named queries (the REST binding's `/queries`): a name and an EPCIS query definition (the JSON of GS1's query
 * schema), kept durably in the index database (`epcis_queries`, created here) so they outlive a restart and are
 * shared by every server on one PostgreSQL index. A definition is checked as a query (query.ts) before it is stored.
 */
import type { Sql } from "../../index/db.js";
import { parseQuery, type EventQuery, type RawValue } from "./query.js";
import { EpcisProblem, notFound } from "./problem.js";
import { SUBSCRIPTIONS_SCHEMA } from "./subscriptions.js";

export const QUERIES_SCHEMA = `
CREATE TABLE IF NOT EXISTS epcis_queries (
  name text PRIMARY KEY,
  definition text NOT NULL,          -- the query's JSON, as given
  created_at bigint NOT NULL
);
`;

/** A name that is one URL path segment: letters, digits, `-`, `_`, `.`, `~`, at most 128. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

export interface NamedQuery {
  name: string;
  query: { [key: string]: RawValue };
}

const invalid = (detail: string) => new EpcisProblem(400, "ValidationException", "Invalid query definition", detail);

const isRecord = (value: unknown): value is { [key: string]: RawValue } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The named query of a POST body (`{"name": …, "query": {…}}`), checked; refused with a one-line problem. */
export function namedQueryOf(body: unknown): NamedQuery & { parsed: EventQuery } {
  if (!isRecord(body)) throw invalid('the body must be a JSON object {"name": …, "query": {…}}');
  const { name, query, ...rest } = body;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw invalid(`unknown field ${extra[0]} (a query definition has name and query)`);
  if (typeof name !== "string" || !NAME.test(name)) {
    throw invalid("name must be 1–128 letters, digits, '-', '_', '.' or '~', starting with a letter or digit");
  }
  if (!isRecord(query)) throw invalid("query must be a JSON object of EPCIS query parameters");
  return { name, query, parsed: parseQuery(Object.entries(query)) };
}

export class NamedQueries {
  constructor(private readonly sql: Sql) {}

  /** Creates the queries' tables, and their subscriptions' (a query's deletion ends them). */
  async init(): Promise<void> {
    await this.sql.exec(QUERIES_SCHEMA + SUBSCRIPTIONS_SCHEMA);
  }

  /** Stores `query`; a name already taken is 409 ResourceAlreadyExistsException. */
  async create(query: NamedQuery, now = Date.now()): Promise<void> {
    const rows = await this.sql.query(
      `INSERT INTO epcis_queries (name, definition, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [query.name, JSON.stringify(query.query), now],
    );
    if (rows.length === 0) {
      throw new EpcisProblem(
        409,
        "ResourceAlreadyExistsException",
        "A resource with the provided identifier already exists.",
        `a query named ${query.name} exists (DELETE /epcis/queries/${query.name} first)`,
      );
    }
  }

  /** The query named `name`; 404 NoSuchNameException when there is none. */
  async get(name: string): Promise<NamedQuery> {
    const [row] = await this.sql.query<{ definition: string }>("SELECT definition FROM epcis_queries WHERE name = $1", [
      name,
    ]);
    if (row === undefined) throw notFound(`no query named ${name}`);
    const query: unknown = JSON.parse(row.definition);
    return { name, query: isRecord(query) ? query : {} };
  }

  /** Up to `limit` queries by name after `after`. */
  async list(limit: number, after = ""): Promise<NamedQuery[]> {
    const rows = await this.sql.query<{ name: string; definition: string }>(
      `SELECT name, definition FROM epcis_queries WHERE name > $1 ORDER BY name LIMIT ${limit}`,
      [after],
    );
    return rows.map((r) => {
      const query: unknown = JSON.parse(r.definition);
      return { name: r.name, query: isRecord(query) ? query : {} };
    });
  }

  /**
   * Deletes the query named `name`, its subscriptions and their undelivered reports; 404 NoSuchNameException when
   * there is none.
   */
  async delete(name: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const rows = await tx.query("DELETE FROM epcis_queries WHERE name = $1 RETURNING name", [name]);
      if (rows.length === 0) throw notFound(`no query named ${name}`);
      const ended = await tx.query<{ id: string }>(
        "DELETE FROM epcis_subscriptions WHERE query_name = $1 RETURNING id",
        [name],
      );
      if (ended.length > 0) {
        await tx.query(
          "DELETE FROM epcis_deliveries WHERE subscription_id = ANY($1::text[]) AND status <> 'delivered'",
          [ended.map((r) => r.id)],
        );
      }
    });
  }
}
