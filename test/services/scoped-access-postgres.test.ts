/**
 * Scoped access on PostgreSQL (`DATABASE_URL`): the keys' table, the partner's reach and the scopes' SQL conditions
 * are plain SQL that PGlite and PostgreSQL both run. The export tests' journey (test/helpers/export-rows.ts) is built
 * in PGlite, its index tables and EPCIS store copied into a PostgreSQL server started here (stopped by PID), and
 * each scope must see there exactly the events it sees on PGlite.
 */
import { expect } from "chai";

import { openIndex, type Sql } from "../../src/index/db.js";
import { SCHEMA } from "../../src/index/schema.js";
import { listenEpcis, type EpcisService } from "../../src/services/epcis/http.js";
import { ensureEpcisStore, refreshEpcisStore } from "../../src/services/epcis/store.js";
import { ApiKeys } from "../../src/services/auth/api-keys.js";
import { call } from "../helpers/epcis-api.js";
import { CHAIN_ID, exportWorld, GLN, MASTER_DATA } from "../helpers/export-rows.js";
import { startPostgres, type RunningPostgres } from "../helpers/postgres.js";

/** The tables the scopes read, copied row by row. */
const TABLES = [
  "participants",
  "lots",
  "lot_stages",
  "lineage",
  "processes",
  "orders",
  "shipment_lots",
  "meta",
  "epcis_events",
  "epcis_event_keys",
  "epcis_meta",
];

async function copyTables(from: Sql, to: Sql): Promise<void> {
  for (const table of TABLES) {
    const rows = await from.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
    for (const row of rows) {
      const columns = Object.keys(row);
      const values = Object.values(row).map((v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : v));
      await to.query(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
        values,
      );
    }
  }
}

describe("Scoped access on PostgreSQL", function () {
  this.timeout(120_000);
  let server: RunningPostgres;
  let pglite: Sql;
  let postgres: Sql;
  const services: EpcisService[] = [];

  before(async function () {
    server = await startPostgres();
    ({ index: pglite } = await exportWorld());
    await refreshEpcisStore(pglite, { chainId: CHAIN_ID, masterData: MASTER_DATA });
    postgres = await openIndex({ databaseUrl: server.url });
    await postgres.exec(SCHEMA);
    await ensureEpcisStore(postgres);
    await copyTables(pglite, postgres);
  });
  after(async function () {
    for (const s of services) await s.close();
    await postgres?.close();
    await pglite?.close();
    await server?.stop();
  });

  it("each scope sees the same events on PostgreSQL as on PGlite; a revoked key is 401", async function () {
    const seen = async (sql: Sql, party: string, scope: "partner" | "regulator" | undefined) => {
      const service = await listenEpcis(sql);
      services.push(service);
      const init: RequestInit =
        scope === undefined
          ? {}
          : {
              headers: {
                authorization: `Bearer ${(await new ApiKeys(sql).init().then((k) => k.create(party, scope))).key}`,
              },
            };
      const a = await call(service.url, "/epcis/events?perPage=1000", init);
      expect(a.status).to.equal(200);
      return JSON.stringify(a.body.epcisBody.queryResults.resultsBody.eventList);
    };
    const cases: [string, "partner" | "regulator" | undefined][] = [
      [GLN.distributor, "partner"],
      [GLN.harvester, "partner"],
      [GLN.manufacturer, undefined],
      [GLN.manufacturer, "regulator"],
    ];
    const sizes: number[] = [];
    for (const [party, scope] of cases) {
      const onPostgres = await seen(postgres, party, scope);
      expect(onPostgres, `${scope ?? "public"} ${party}`).to.equal(await seen(pglite, party, scope));
      sizes.push(JSON.parse(onPostgres).length);
    }
    // Public < a partner's lots < everything: the conditions did filter.
    expect(sizes[2]).to.be.lessThan(sizes[3] ?? 0);
    expect(sizes[0]).to.be.greaterThan(0);

    const keys = await new ApiKeys(postgres).init();
    const made = await keys.create(GLN.harvester, "partner");
    const service = services[0];
    expect((await call(service?.url ?? "", "/epcis/events", { headers: { "x-api-key": made.key } })).status).to.equal(
      200,
    );
    await keys.revoke(made.id);
    expect((await call(service?.url ?? "", "/epcis/events", { headers: { "x-api-key": made.key } })).status).to.equal(
      401,
    );
    const stored = JSON.stringify(await postgres.query("SELECT * FROM api_keys"));
    expect(stored).to.not.include(made.key);
  });
});
