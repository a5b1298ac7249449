/**
 * The trace index on a real PostgreSQL server (what a deployment sets DATABASE_URL to), beside the embedded PGlite
 * one: the same journey indexed into both gives the same tables, traces, recall plans, notices and FSMA rows — the
 * drivers differ in how they hand back numbers, the answers must not.
 */
import { expect } from "chai";

import { openIndex, type Sql } from "../../src/index/db.js";
import { syncIndex } from "../../src/index/sync.js";
import { fsmaRows } from "../../src/exports/fsma.js";
import { loadJourney } from "../../src/index/journey.js";
import { planRecall, recallNotice } from "../../src/index/recall.js";
import { traceLot } from "../../src/index/trace.js";
import { traceJsonText } from "../../src/core/trace/tree.js";
import { ethers } from "../helpers/fixtures.js";
import { startPostgres, type RunningPostgres } from "../helpers/postgres.js";
import { loadTraceWorld, type TraceWorld } from "../helpers/trace-world.js";

const TABLES = [
  "participants",
  "lots",
  "lineage",
  "lot_stages",
  "orders",
  "shipments",
  "custody",
  "scans",
  "sensor_batches",
];

async function rows(sql: Sql, table: string): Promise<string[]> {
  const found = await sql.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM ${table} t`);
  return found.map((r) => r.j).sort();
}

describe("the trace index on a real PostgreSQL server (DATABASE_URL)", function () {
  this.timeout(120_000);
  let server: RunningPostgres | undefined;
  let postgres: Sql | undefined;
  let t: TraceWorld;

  before(async function () {
    server = await startPostgres();
    t = await loadTraceWorld();
    postgres = await openIndex({ databaseUrl: server.url });
    expect(postgres.kind).to.equal("postgres");
    await syncIndex(postgres, ethers.provider, t.world.addresses);
  });

  after(async function () {
    await postgres?.close();
    await server?.stop();
  });

  it("holds the same rows as the embedded index", async function () {
    expect(t.index.kind).to.equal("pglite");
    for (const table of TABLES) {
      const [pgRows, pgliteRows] = [await rows(postgres!, table), await rows(t.index, table)];
      expect(pgRows.length, table).to.be.greaterThan(0);
      expect(pgRows, table).to.deep.equal(pgliteRows);
    }
  });

  it("answers traces, recall plans and notices, and FSMA rows exactly as PGlite does", async function () {
    for (const lot of [t.catches.a, t.catches.b, t.packs.loins, t.packs.fillets]) {
      expect(traceJsonText(await traceLot(postgres!, lot, "both"))).to.equal(
        traceJsonText(await traceLot(t.index, lot, "both")),
      );
    }
    expect(await planRecall(postgres!, t.catches.a)).to.deep.equal(await planRecall(t.index, t.catches.a));
    const lots = [t.catches.a, t.packs.loins, t.packs.fillets];
    expect(await recallNotice(postgres!, lots)).to.deep.equal(await recallNotice(t.index, lots));
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const scope = { kind: "lot", lotId: t.packs.loins } as const;
    expect(fsmaRows(await loadJourney(postgres!, scope, chainId))).to.deep.equal(
      fsmaRows(await loadJourney(t.index, scope, chainId)),
    );
  });

  it("refuses an unreachable DATABASE_URL in one line", async function () {
    let error: unknown;
    try {
      await openIndex({ databaseUrl: "postgres://nobody@127.0.0.1:1/none" });
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.match(/^cannot reach PostgreSQL at DATABASE_URL \(/);
    expect((error as Error).message).to.not.include("\n");
  });
});
