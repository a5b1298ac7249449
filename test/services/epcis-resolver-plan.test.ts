/**
 * What the resolver and the EPCIS queries cost on PostgreSQL, counted in pages read, not timed: on a store of
 * 20,000 events, every statement a request runs (recorded on its way to the database, then run again under
 * `EXPLAIN (ANALYZE, BUFFERS)`) reads a few index pages — not every key row, as the resolver's lookup of a lot by
 * value alone did (PostgreSQL before 18 cannot skip the primary key's leading `kind`: a sequential scan, 132 ms p99
 * on 1M events in `npm run bench:epcis`), nor its LIKE on a GTIN's lots in a database whose collation is not C,
 * nor a resource listing's DISTINCT over every row (`/epcis/epcs`, `/epcis/bizSteps`).
 */
import { expect } from "chai";

import { openIndex, type Sql } from "../../src/index/db.js";
import { gtinCheckDigit } from "../../src/core/digital-link.js";
import { listenEpcis, type EpcisService } from "../../src/services/epcis/http.js";
import { ensureEpcisStore } from "../../src/services/epcis/store.js";
import { startPostgres, type RunningPostgres } from "../helpers/postgres.js";

const LOTS = 2_000;
const PER_LOT = 10;
const GTINS = Array.from({ length: 4 }, (_, i) => {
  const body = `070900000000${i}`;
  return `${body}${gtinCheckDigit(body)}`;
});
const unknownGtin = `0709000000099${gtinCheckDigit("0709000000099")}`;
/** A page read or found in the cache; a statement that reads more is walking the table. */
const MOST_PAGES = 20;

/** The statements run through `sql`, in order. */
class RecordingSql implements Sql {
  constructor(
    private readonly sql: Sql,
    readonly log: { text: string; params: unknown[] }[] = [],
  ) {}
  get kind() {
    return this.sql.kind;
  }
  query<T extends object>(text: string, params: unknown[] = []): Promise<T[]> {
    this.log.push({ text, params });
    return this.sql.query<T>(text, params);
  }
  exec(text: string): Promise<void> {
    return this.sql.exec(text);
  }
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => work(new RecordingSql(tx, this.log)));
  }
  close(): Promise<void> {
    return this.sql.close();
  }
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Shared Hit Blocks": number;
  "Shared Read Blocks": number;
  Plans?: PlanNode[];
}

const scans = (node: PlanNode): string[] => [
  ...(node["Relation Name"] === undefined ? [] : [`${node["Node Type"]} on ${node["Relation Name"]}`]),
  ...(node.Plans ?? []).flatMap(scans),
];

describe("EPCIS resolver and query plans on PostgreSQL (pages read, not time)", function () {
  this.timeout(60_000);
  let server: RunningPostgres;
  let index: Sql;
  let recording: RecordingSql;
  let service: EpcisService;

  before(async function () {
    server = await startPostgres();
    index = await openIndex({ databaseUrl: server.url });
    await ensureEpcisStore(index);
    // 2,000 lots of 10 events, lots interleaved as on a chain; every event names its lot, a third a source and a
    // destination. Few enough rows that ANALYZE reads them all (the same plans on every run).
    await index.exec(`
      INSERT INTO epcis_events (seq, event_id, event_type, event_time, record_time, biz_step, body)
        SELECT g, 'urn:uuid:bench-' || g, 'ObjectEvent', 1700000000000 + (g % ${LOTS})::bigint * 3600000 + (g / ${LOTS})::bigint * 86400000,
          1700000000000, 'shipping', '{"type":"ObjectEvent"}'
        FROM generate_series(0, ${LOTS * PER_LOT - 1}) g;
      INSERT INTO epcis_event_keys (kind, value, seq)
        SELECT 'epcClass', 'https://id.gs1.org/01/' || (ARRAY['${GTINS.join("','")}'])[1 + (g % ${LOTS}) % ${GTINS.length}]
          || '/10/L-' || (g % ${LOTS}), g FROM generate_series(0, ${LOTS * PER_LOT - 1}) g;
      INSERT INTO epcis_event_keys (kind, value, seq)
        SELECT k, 'https://id.gs1.org/414/70900000' || lpad((g % 200)::text, 4, '0') || '0', g
        FROM generate_series(0, ${LOTS * PER_LOT - 1}, 3) g, unnest(ARRAY['source:location', 'destination:location']) k;
      ANALYZE epcis_events; ANALYZE epcis_event_keys;`);
    recording = new RecordingSql(index);
    service = await listenEpcis(recording, {
      resolver: {
        root: "http://id.example",
        web: "http://web.example",
        epcis: "http://e.example",
        trace: "http://t.example",
      },
    });
  });
  after(async function () {
    await service?.close();
    await index?.close();
    await server?.stop();
  });

  /** The pages each statement `request` runs reads (the statement's text beside its count). */
  async function pagesOf(request: () => Promise<Response>, status: number): Promise<[string, number, string[]][]> {
    recording.log.length = 0;
    const answer = await request();
    await answer.arrayBuffer();
    expect(answer.status).to.equal(status);
    const statements = recording.log.filter((s) => /^\s*(SELECT|WITH)\b/i.test(s.text));
    expect(statements, "the request ran no SELECT").to.not.be.empty;
    const pages: [string, number, string[]][] = [];
    for (const { text, params } of statements) {
      const [row] = await index.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`,
        params,
      );
      const plan = row?.["QUERY PLAN"][0]?.Plan;
      if (plan === undefined) throw new Error(`no plan for ${text}`);
      pages.push([text.replace(/\s+/g, " "), plan["Shared Hit Blocks"] + plan["Shared Read Blocks"], scans(plan)]);
    }
    return pages;
  }

  const expectFew = (pages: [string, number, string[]][], most = MOST_PAGES) => {
    for (const [text, count, nodes] of pages) {
      expect(count, `${text}: ${nodes.join(", ")}`).to.be.at.most(most);
    }
  };

  it("resolves a lot (redirect and linkset) reading a few index pages", async function () {
    const lot = 1_234;
    const path = `/01/${GTINS[lot % GTINS.length]}/10/L-${lot}`;
    const redirect = await pagesOf(() => fetch(`${service.url}${path}`, { redirect: "manual" }), 307);
    expect(redirect).to.have.length(1);
    expect(redirect[0]?.[2].join()).to.match(/^Index Only Scan on epcis_event_keys$/);
    expectFew(redirect);
    expectFew(
      await pagesOf(() => fetch(`${service.url}${path}`, { headers: { accept: "application/linkset+json" } }), 200),
    );
  });

  it("walks an unknown lot up to its GTIN, and refuses an unknown GTIN, reading a few pages", async function () {
    const walked = await pagesOf(
      () => fetch(`${service.url}/01/${GTINS[1]}/10/NO-SUCH-LOT`, { redirect: "manual" }),
      307,
    );
    expect(walked).to.have.length(2);
    expectFew(walked);
    expectFew(await pagesOf(() => fetch(`${service.url}/01/${unknownGtin}`), 404));
  });

  it("answers a lot's events in a time window (MATCH_anyEPCClass) reading a few pages", async function () {
    const lot = 777;
    const params = new URLSearchParams({
      MATCH_anyEPCClass: `https://id.gs1.org/01/${GTINS[lot % GTINS.length]}/10/L-${lot}`,
      // Its events are a day apart from 1700000000000 + lot hours: the window holds its second to ninth.
      GE_eventTime: new Date(1700000000000 + lot * 3600000 + 86400000).toISOString(),
      LT_eventTime: new Date(1700000000000 + lot * 3600000 + 9 * 86400000).toISOString(),
    });
    const answer = await fetch(`${service.url}/epcis/events?${params.toString()}`);
    expect((await answer.text()).match(/"type":"ObjectEvent"/g)).to.have.length(PER_LOT - 2);
    const pages = await pagesOf(() => fetch(`${service.url}/epcis/events?${params.toString()}`), 200);
    // A few pages an event of the lot (its key, the event's index entry and row), not the tables' hundreds.
    expectFew(
      pages.filter(([text]) => text.includes("epcis_event")),
      6 * PER_LOT,
    );
  });

  it("lists a resource's values a page at a time (a walk of the index), not by reading every row", async function () {
    const page = async (path: string) => {
      const answer = await fetch(`${service.url}${path}`);
      expect(answer.status, path).to.equal(200);
      return ((await answer.json()) as { member: string[] }).member;
    };
    // The values and their pages are what the store holds, in order: the lots' classes, the places.
    const epcs = await page("/epcis/epcs?perPage=5");
    const lots = Array.from(
      { length: LOTS },
      (_, lot) => `https://id.gs1.org/01/${GTINS[lot % GTINS.length]}/10/L-${lot}`,
    );
    expect(epcs).to.deep.equal(lots.sort().slice(0, 5));
    const places = await page("/epcis/bizLocations?perPage=100");
    expect(places).to.deep.equal([]);
    const bizSteps = await page("/epcis/bizSteps?perPage=1000");
    expect(bizSteps).to.include("shipping");
    // Index probes only: a few pages a value listed (each key kind's, and whether the scope admits it), however
    // large the store — where DISTINCT over the rows read every one of them (a sequential scan, ~700 pages here).
    for (const path of ["/epcis/epcs?perPage=30", "/epcis/bizSteps", "/epcis/eventTypes"]) {
      for (const [text, count, nodes] of await pagesOf(() => fetch(`${service.url}${path}`), 200)) {
        if (!text.includes("epcis_event")) continue;
        expect(
          nodes.filter((n) => n.startsWith("Seq Scan")),
          `${path}: ${text}`,
        ).to.deep.equal([]);
        expect(count, `${path}: ${text}`).to.be.at.most(60 * 31);
      }
    }
  });
});
