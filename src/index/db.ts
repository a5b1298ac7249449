/**
 * The trace index's SQL connection: embedded PostgreSQL (PGlite, WebAssembly — nothing to install; a directory on
 * disk, or `memory://` for tests) by default, a real PostgreSQL server when `DATABASE_URL` is set (`pg`). One SQL
 * dialect for both, so every query is written once.
 */
import { mkdir } from "node:fs/promises";

import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

import { errnoCode } from "../node/record-files.js";
import { InputError } from "../core/input-error.js";

export interface Sql {
  readonly kind: "pglite" | "postgres";
  /** Rows of one statement with `$1…` parameters. */
  query<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (schema). */
  exec(text: string): Promise<void>;
  /** `work` inside one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where the index lives unless told otherwise (git-ignored). */
export const DEFAULT_INDEX_DIR = "indexer-data/pglite";

/**
 * PGlite runs in this thread and its queries resolve as microtasks, so a request's chain of queries would hold the
 * event loop from its first to its last: each query first lets waiting I/O in (another request, a /healthz).
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

class PgliteSql implements Sql {
  readonly kind = "pglite" as const;
  constructor(
    private readonly db: PGlite | Parameters<Parameters<PGlite["transaction"]>[0]>[0],
    private readonly owner?: PGlite,
  ) {}
  async query<T extends object>(text: string, params: unknown[] = []): Promise<T[]> {
    await turn();
    return (await this.db.query<T>(text, params)).rows;
  }
  async exec(text: string): Promise<void> {
    await turn();
    await this.db.exec(text);
  }
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.owner === undefined) return work(this);
    return this.owner.transaction((tx) => work(new PgliteSql(tx)));
  }
  async close(): Promise<void> {
    await this.owner?.close();
  }
}

class PostgresSql implements Sql {
  readonly kind = "postgres" as const;
  constructor(
    private readonly client: pg.Pool | pg.PoolClient,
    private readonly pool?: pg.Pool,
  ) {}
  async query<T extends object>(text: string, params: unknown[] = []): Promise<T[]> {
    // Typed as the caller's row shape, as PGlite's `query<T>` is: the columns are the statement's.
    return (await this.client.query<T & pg.QueryResultRow>(text, params)).rows;
  }
  async exec(text: string): Promise<void> {
    await this.client.query(text);
  }
  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.pool === undefined) return work(this);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(new PostgresSql(client));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  async close(): Promise<void> {
    await this.pool?.end();
  }
}

/**
 * Opens the index: PostgreSQL at `databaseUrl` (default `$DATABASE_URL`) when given, else PGlite in `dir`
 * (`memory://` for an in-memory one).
 */
export async function openIndex(options: { databaseUrl?: string; dir?: string } = {}): Promise<Sql> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url !== undefined && url.trim() !== "") {
    const pool = new pg.Pool({ connectionString: url });
    // An idle pooled connection the server closes (a restart or shutdown: 57P01) is emitted on the pool, and an
    // unhandled 'error' event ends the process. The pool drops that client and the next query opens another; a
    // server that stays away fails that query, which is where it is reported.
    pool.on("error", () => undefined);
    try {
      await pool.query("SELECT 1");
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new InputError(
        `cannot reach PostgreSQL at DATABASE_URL (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`,
      );
    }
    return new PostgresSql(pool, pool);
  }
  const dir = options.dir ?? DEFAULT_INDEX_DIR;
  if (dir === "memory://") return openPglite(new PGlite());
  // PGlite makes only the last folder of its path; a fresh clone has none of them.
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new InputError(`the index folder ${dir} cannot be made (${errnoCode(err)})`);
  }
  return openPglite(new PGlite(dir));
}

async function openPglite(db: PGlite): Promise<Sql> {
  await db.waitReady;
  return new PgliteSql(db, db);
}
