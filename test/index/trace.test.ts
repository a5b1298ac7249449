/**
 * The trace (src/index/trace.ts, src/core/trace/): its queries over a small known index written with SQL (test/helpers/trace-rows.ts), the terminal
 * tree, the SVG picture, the JSON form and the HTTP API; then, when the shared chain fixture is there, the real
 * journey through the indexer and the `trace` task.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import type { Sql } from "../../src/index/db.js";
import { digitalLink, gtin14, lotIdText, lotRef } from "../../src/core/digital-link.js";
import { listenTrace, type TraceService } from "../../src/services/trace/http.js";
import { regulatorAuth } from "../helpers/api-key.js";
import { descendants, LotNotIndexedError, traceDirection, traceLot } from "../../src/index/trace.js";
import { traceSvg, xmlEscape } from "../../src/core/trace/svg.js";
import { traceJson, traceJsonText, traceTree } from "../../src/core/trace/tree.js";
import type { TraceGraph } from "../../src/core/trace/types.js";
import { InputError } from "../../src/core/input-error.js";
import { fails, ok } from "../helpers/task-run.js";
import { GTIN, ROWS, traceRows } from "../helpers/trace-rows.js";
import { loadTraceWorld } from "../helpers/trace-world.js";

const { catchA, catchB, loins, fillets, smoked } = ROWS;

const sorted = (ids: Iterable<bigint>) => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const edgesOf = (g: TraceGraph) => g.edges.map((e) => [e.parent, e.child]);

/**
 * The holder arrows (dashed) of `svg` that pass through a box other than the two they join: such an arrow reads as
 * the holder of the lot it crosses. Samples each cubic curve and reports "x1,y1→x2,y2 crosses box at x,y".
 */
function holderArrowsCrossingLots(svg: string): string[] {
  const boxes = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" rx/g)].map(
    (m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }),
  );
  const crossing: string[] = [];
  const curve =
    /<path d="M([\d.]+),([\d.]+) C([\d.]+),([\d.]+) ([\d.]+),([\d.]+) ([\d.]+),([\d.]+)"[^>]*stroke-dasharray/g;
  for (const m of svg.matchAll(curve)) {
    const [x0, y0, cx1, cy1, cx2, cy2, x3, y3] = m.slice(1, 9).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (const b of boxes) {
      for (let t = 0.02; t < 1; t += 0.02) {
        const u = 1 - t;
        const x = u * u * u * x0 + 3 * u * u * t * cx1 + 3 * u * t * t * cx2 + t * t * t * x3;
        const y = u * u * u * y0 + 3 * u * u * t * cy1 + 3 * u * t * t * cy2 + t * t * t * y3;
        if (x > b.x + 1 && x < b.x + b.w - 1 && y > b.y + 1 && y < b.y + b.h - 1) {
          crossing.push(`${x0},${y0}→${x3},${y3} crosses box at ${b.x},${b.y}`);
          break;
        }
      }
    }
  }
  return crossing;
}

/** Element names of `svg` opened and closed in order (self-closing ones skipped); throws when unbalanced. */
function checkBalanced(svg: string): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClosing] = m;
    if (selfClosing === "/") continue;
    if (close === "/") {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      stack.push(name!);
      seen.push(name!);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join("> <")}>`);
  // Nothing but tags, text and entities: a bare "&" or "<" would be malformed XML.
  const text = svg.replace(/<[^>]*>/g, "");
  expect(text).to.not.match(/&(?!amp;|lt;|gt;|quot;|apos;)/);
  return seen;
}

describe("trace: queries on a known index", function () {
  let sql: Sql;
  before(async function () {
    sql = await traceRows();
  });
  after(async function () {
    await sql.close();
  });

  it("backward from a pack reaches both catches it was made from, and nothing made alongside it", async function () {
    const g = await traceLot(sql, loins, "backward");
    expect(g.root).to.equal(loins);
    expect(g.direction).to.equal("backward");
    expect(sorted(g.lots.keys())).to.deep.equal(sorted([catchA, catchB, loins]));
    expect(g.catches).to.deep.equal([catchA, catchB]);
    expect(g.products).to.deep.equal([loins]);
    expect(edgesOf(g)).to.have.deep.members([
      [catchA, loins],
      [catchB, loins],
    ]);
    expect(g.edges.every((e) => e.processId === ROWS.process1)).to.equal(true);
    expect(g.indexedTo.block).to.equal(ROWS.indexedTo);

    const a = g.lots.get(catchA)!;
    expect(a.kind).to.equal("catch");
    expect(a.catch).to.deep.include({ vessel: "NO-1234-A", catchArea: "27.2.a", gear: "OTB", caughtAt: 1_700_000_000 });
    expect(a.catch!.latitude).to.equal(69.12345);
    expect(a.catch!.longitude).to.equal(18.5);
    expect(a.catch!.harvester).to.include({ id: 1, name: "harvester1" });
    expect(a.stages.map((s) => [s.stage, s.status])).to.deep.equal([
      ["harvester", "Supplied"],
      ["supplier", "Supplied"],
      ["manufacturer", "Removed"],
    ]);

    const pack = g.lots.get(loins)!;
    expect(pack).to.deep.include({ kind: "product", gtin: GTIN, lotNumber: "L-LOINS", recalled: false });
    expect(pack.digitalLink).to.equal(digitalLink(BigInt(GTIN), "L-LOINS"));
    expect(pack.processId).to.equal(ROWS.process1);
    // Holders: the pack (bought, at the customer) and what is left of catch B at the manufacturer.
    expect(g.holders.map((h) => [h.lotId, h.stage, h.custodian.name])).to.have.deep.members([
      [loins, "customer", "customer1"],
      [catchB, "manufacturer", 'Fisk & Co <"AS">'],
    ]);
    expect(g.customers.map((c) => c.name)).to.deep.equal(["customer1"]);
    expect(g.openOrders).to.deep.equal([]);
  });

  it("forward from a catch reaches every pack made of it, their holders, customers and open orders", async function () {
    const g = await traceLot(sql, catchB, "forward");
    expect(sorted(g.lots.keys())).to.deep.equal(sorted([catchB, loins, fillets, smoked]));
    expect(g.catches).to.deep.equal([catchB]);
    expect(sorted(g.products)).to.deep.equal(sorted([loins, fillets, smoked]));
    expect(edgesOf(g)).to.have.deep.members([
      [catchB, loins],
      [catchB, fillets],
      [catchB, smoked],
    ]);
    expect(g.holders.map((h) => [h.lotId, h.stage, h.status, h.custodian.name])).to.have.deep.members([
      [catchB, "manufacturer", "Created", 'Fisk & Co <"AS">'],
      [loins, "customer", "Created", "customer1"],
      [fillets, "retailer", "Created", "retailer1"],
      [smoked, "distributor", "Shipped", "distributor1"],
    ]);
    expect(g.customers.map((c) => [c.id, c.name, c.location])).to.deep.equal([[6, "customer1", "DE-HAMBURG"]]);
    // The settled order 6 (fillets) is not open; order 7 carrying the smoked pack is.
    expect(g.openOrders).to.have.length(1);
    expect(g.openOrders[0]).to.deep.include({ stage: "distributor", orderId: 7n, state: "Shipped" });
    expect(g.openOrders[0]!.lotIds).to.deep.equal([smoked]);
    expect(g.openOrders[0]!.seller.name).to.equal("distributor1");
    expect(g.openOrders[0]!.buyer.name).to.equal("retailer2");
    expect(g.lots.get(smoked)!.recalled).to.equal(true);
    expect(g.lots.get(loins)!.recalled).to.equal(false);
    expect(g.lots.get(loins)!.flags).to.equal(8); // SPECIES_MISMATCH at the retailer and customer
  });

  it("both ways from a catch: the catch itself backward, every pack forward; a pack forward is itself", async function () {
    const a = await traceLot(sql, catchA);
    expect(a.direction).to.equal("both");
    expect(a.catches).to.deep.equal([catchA]);
    expect(sorted(a.products)).to.deep.equal(sorted([loins, fillets]));
    expect(edgesOf(a)).to.have.deep.members([
      [catchA, loins],
      [catchA, fillets],
    ]);

    const f = await traceLot(sql, fillets, "forward");
    expect([...f.lots.keys()]).to.deep.equal([fillets]);
    expect(f.edges).to.deep.equal([]);
    expect(f.products).to.deep.equal([fillets]);
    expect(f.catches).to.deep.equal([]);

    const s = await traceLot(sql, smoked, "both");
    expect(sorted(s.lots.keys())).to.deep.equal(sorted([catchB, smoked]));
    expect(s.catches).to.deep.equal([catchB]);
  });

  it("descendants: every lot made from a lot, itself first", async function () {
    expect(await descendants(sql, catchB)).to.deep.equal([catchB, ...sorted([loins, fillets, smoked])]);
    expect(await descendants(sql, catchA)).to.deep.equal([catchA, ...sorted([loins, fillets])]);
    expect(await descendants(sql, smoked)).to.deep.equal([smoked]);
  });

  it("an unknown lot is an InputError naming the lot and the index's block", async function () {
    for (const call of [() => traceLot(sql, 999n), () => descendants(sql, 999n)]) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(LotNotIndexedError).and.instanceOf(InputError);
      expect((err as Error).message).to.match(/^lot 999 is not in the index \(indexed to block 100;/);
      expect((err as Error).message).to.not.include("\n");
    }
  });

  it("directions as typed", function () {
    expect(traceDirection(undefined)).to.equal("both");
    expect(traceDirection("Backward")).to.equal("backward");
    expect(traceDirection("back")).to.equal("backward");
    expect(() => traceDirection("up")).to.throw(InputError, '--direction "up" is not backward, forward or both');
  });

  it("the tree: one line per lot, catches with vessel and area, holders, customers, flags", async function () {
    const back = traceTree(await traceLot(sql, loins, "backward"));
    const text = back.join("\n");
    expect(back[0]).to.equal(`trace of pack ${GTIN}:L-LOINS (backward), index at block 100`);
    const catchLines = back.filter((l) => /← catch \d/.test(l));
    expect(catchLines).to.have.length(2);
    expect(catchLines[0]).to.include("catch 1 · COD 100 kg · vessel NO-1234-A · area 27.2.a · gear OTB");
    expect(catchLines[0]).to.include("caught 2023-11-14T22:13:20Z · 69.12345° N, 18.5° E");
    expect(catchLines[0]).to.include("by harvester1").and.include("(50 kg used in process 11)");
    expect(catchLines[1]).to.include("catch 2 · COD 80 kg · vessel NO-5678-B · area 27.2.b · gear LLS");
    expect(catchLines[1]).to.include("70° N, 2.5° W");
    expect(text).to.include(
      `pack ${GTIN}:L-LOINS · COD 40 kg · https://id.gs1.org/01/${GTIN}/10/L-LOINS [SPECIES MISMATCH]`,
    );
    expect(text).to.include("bought by customer1");
    expect(text).to.include("customers: customer1 (DE-HAMBURG)");
    expect(text).to.not.include("made into");

    const fwd = traceTree(await traceLot(sql, catchB, "forward"));
    const f = fwd.join("\n");
    expect(f).to.include("made into (forward to 3 packs):");
    expect(fwd.filter((l) => /→ pack /.test(l))).to.have.length(3);
    expect(f).to.match(
      /→ pack 07038010123450:L-SMOKED · COD 20 kg · \S+ \[RECALLED\] \(40 kg of catch 2, process 12\)/,
    );
    expect(f).to.include("held by retailer1 at the retailer");
    expect(f).to.include("shipped by distributor1 on distributor order 7 to retailer2 (Shipped)");
    expect(f).to.include(
      "open orders:\n  distributor order 7 (Shipped) distributor1 → retailer2: pack 07038010123450:L-SMOKED",
    );
    expect(f).to.include("recalled: pack 07038010123450:L-SMOKED");
    expect(f).to.not.include("made from");

    const both = traceTree(await traceLot(sql, fillets)).join("\n");
    expect(both).to.include("made from (backward to 2 catches):");
    expect(both).to.include("made into: nothing (no lot was made from it)");
    expect(both.match(/held by retailer1 at the retailer/g)).to.have.length(1);
  });

  it("JSON: bigints as decimal strings, lots as a sorted array, the same text for the same trace", async function () {
    const g = await traceLot(sql, catchB);
    const json = traceJson(g);
    expect(json.root).to.equal("2");
    expect(json.lots.map((l) => l.lotId)).to.deep.equal(sorted(g.lots.keys()).map(String));
    expect(json.openOrders[0]!.orderId).to.equal("7");
    expect(json.openOrders[0]!.lotIds).to.deep.equal([smoked.toString()]);
    expect(json.lots.find((l) => l.lotId === "2")!.catch!.vessel).to.equal("NO-5678-B");
    const text = traceJsonText(g);
    expect(JSON.parse(text)).to.deep.equal(json);
    expect(traceJsonText(await traceLot(sql, catchB))).to.equal(text);
  });

  it("SVG: a balanced document with every lot, escaped names, recalled in red", async function () {
    const g = await traceLot(sql, catchB);
    const svg = traceSvg(g);
    expect(svg.startsWith("<svg ")).to.equal(true);
    expect(svg).to.include('xmlns="http://www.w3.org/2000/svg"');
    const elements = checkBalanced(svg);
    expect(elements[0]).to.equal("svg");
    for (const lot of ["catch 2", "L-LOINS", "L-FILLETS", "L-SMOKED"]) expect(svg).to.include(lot);
    expect(svg).to.include(xmlEscape('Fisk & Co <"AS">'));
    expect(svg).to.not.include('Fisk & Co <"AS">');
    expect(svg).to.include("#dc2626"); // the recalled pack
    expect((svg.match(/<path d="M/g) ?? []).length).to.be.at.least(3); // the lineage arrows
    expect(holderArrowsCrossingLots(svg), "a holder's arrow drawn through another lot's box").to.deep.equal([]);
    const back = traceSvg(await traceLot(sql, loins, "backward"));
    checkBalanced(back);
    expect(back).to.include("catch 1").and.include("catch 2");
  });

  describe("HTTP API", function () {
    let api: TraceService;
    /** A regulator's key: the answers in full (what each scope sees: test/services/scoped-access.test.ts). */
    let auth: RequestInit = {};
    before(async function () {
      api = await listenTrace(sql, { host: "127.0.0.1", port: 0 });
      auth = await regulatorAuth(sql);
    });
    after(async function () {
      await api.close();
    });

    async function get(p: string): Promise<{ status: number; type: string; body: string; cors: string | null }> {
      const r = await fetch(api.url + p, auth);
      return {
        status: r.status,
        type: r.headers.get("content-type") ?? "",
        body: await r.text(),
        cors: r.headers.get("access-control-allow-origin"),
      };
    }

    it("GET /v1/trace/:lot answers the trace as JSON, with CORS", async function () {
      const r = await get(`/v1/trace/${catchB}?direction=forward`);
      expect(r.status).to.equal(200);
      expect(r.type).to.match(/^application\/json/);
      expect(r.cors).to.equal("*");
      const body = JSON.parse(r.body) as ReturnType<typeof traceJson>;
      expect(body.direction).to.equal("forward");
      expect(body.products.slice().sort()).to.deep.equal([loins, fillets, smoked].map(String).sort());
      expect(body).to.deep.equal(JSON.parse(JSON.stringify(traceJson(await traceLot(sql, catchB, "forward")))));
    });

    it("GET /v1/trace?link= resolves a GS1 Digital Link; format=svg answers SVG", async function () {
      const link = digitalLink(BigInt(GTIN), "L-LOINS");
      const r = await get(`/v1/trace?link=${encodeURIComponent(link)}&direction=backward`);
      expect(r.status).to.equal(200);
      const body = JSON.parse(r.body) as ReturnType<typeof traceJson>;
      expect(body.root).to.equal(loins.toString());
      expect(body.catches).to.deep.equal(["1", "2"]);

      const encoded = await get(`/v1/trace/${encodeURIComponent(link)}?direction=backward`);
      expect(JSON.parse(encoded.body)).to.deep.equal(body);
      const gtinLot = await get(`/v1/trace/${GTIN}:L-LOINS?direction=backward`);
      expect(JSON.parse(gtinLot.body)).to.deep.equal(body);

      const svg = await get(`/v1/trace?link=${encodeURIComponent(link)}&format=svg`);
      expect(svg.status).to.equal(200);
      expect(svg.type).to.match(/^image\/svg\+xml/);
      expect(svg.body.startsWith("<svg")).to.equal(true);
      checkBalanced(svg.body);
    });

    it("bad input is 400, an unknown lot 404, each with a one-line error; /healthz answers", async function () {
      const cases: [string, number, RegExp][] = [
        ["/v1/trace/abc", 400, /^lot "abc" is not a lot id/],
        ["/v1/trace/1?direction=up", 400, /^direction "up" is not backward, forward or both$/],
        ["/v1/trace/1?format=png", 400, /^format "png" is not json or svg$/],
        ["/v1/trace?link=https%3A%2F%2Fid.gs1.org%2F01%2F123", 400, /^link ".*" is not a GS1 Digital Link/],
        ["/v1/trace", 400, /^give \?link=/],
        ["/v1/trace/999", 404, /^lot 999 is not in the index/],
        [`/v1/trace?link=${encodeURIComponent(digitalLink(BigInt(GTIN), "NOPE"))}`, 404, /is not in the index/],
        ["/v1/nothing", 404, /^no such resource/],
      ];
      for (const [p, status, error] of cases) {
        const r = await get(p);
        expect(r.status, p).to.equal(status);
        expect(r.type).to.match(/^application\/json/);
        const body = JSON.parse(r.body) as { error: string };
        expect(Object.keys(body)).to.deep.equal(["error"]);
        expect(body.error, p).to.match(error);
        expect(body.error).to.not.include("\n");
      }
      const post = await fetch(`${api.url}/v1/trace/1`, { method: "POST" });
      expect(post.status).to.equal(405);
      const health = await get("/healthz");
      expect(health.status).to.equal(200);
      expect(JSON.parse(health.body)).to.deep.equal({ ok: true, indexedTo: { block: 100 } });
    });
  });
});

describe("trace: the real journey through the indexer (test/helpers/trace-world.ts)", function () {
  it("pack → catches A and B; catch A → loins and fillets, held by retailer1, bought by customer1", async function () {
    this.timeout(180_000);
    const t = await loadTraceWorld();
    const { a, b } = t.catches;
    const { loins: loinsId, fillets: filletsId } = t.packs;
    const { ids } = t.world;

    const back = await traceLot(t.index, loinsId, "backward");
    expect(sorted(back.catches)).to.deep.equal(sorted([a, b]));
    expect(sorted(back.lots.keys())).to.deep.equal(sorted([a, b, loinsId]));
    expect(edgesOf(back)).to.have.deep.members([
      [a, loinsId],
      [b, loinsId],
    ]);
    expect(back.edges.every((e) => e.processId === t.processId)).to.equal(true);
    expect(back.lots.get(a)!.catch!.harvester.id).to.equal(Number(ids.harvester1));
    expect(back.lots.get(loinsId)).to.deep.include({ lotNumber: t.lotNumber, recalled: false });
    expect(back.lots.get(loinsId)!.digitalLink).to.equal(digitalLink(t.gtins.loins, t.lotNumber));

    const fwd = await traceLot(t.index, a, "forward");
    expect(sorted(fwd.products)).to.deep.equal(sorted([loinsId, filletsId]));
    const holderOf = (id: bigint) => fwd.holders.find((h) => h.lotId === id);
    expect(holderOf(filletsId)).to.deep.include({ stage: "retailer", status: "Created" });
    expect(holderOf(filletsId)!.custodian.id).to.equal(Number(ids.retailer1));
    expect(holderOf(loinsId)!.stage).to.equal("customer");
    expect(fwd.customers.map((c) => c.id)).to.deep.equal([Number(ids.customer1)]);
    expect(fwd.openOrders).to.deep.equal([]);
    expect(fwd.indexedTo.block).to.be.at.least(t.startBlock);
    // B's remaining 150 kg stay at manufacturer1.
    const both = await traceLot(t.index, b);
    expect(both.holders.find((h) => h.lotId === b)).to.deep.include({ stage: "manufacturer", status: "Created" });
    expect(sorted(await descendants(t.index, a))).to.deep.equal(sorted([a, loinsId, filletsId]));

    const tree = traceTree(fwd).join("\n");
    expect(tree).to.include(`catch ${lotIdText(a)} · COD 300 kg`);
    expect(tree).to.include(`pack ${gtin14(t.gtins.fillets)}:${t.lotNumber}`);
    checkBalanced(traceSvg(fwd));

    // A Digital Link resolves to the same trace.
    const byLink = await traceLot(t.index, lotRef(digitalLink(t.gtins.loins, t.lotNumber)), "backward");
    expect(traceJsonText(byLink)).to.equal(traceJsonText(back));
  });
});

describe("trace: the task", function () {
  let dir: string;
  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "fishtrace-trace-"));
    const sql = await traceRows(path.join(dir, "index"));
    await sql.close();
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("--link: prints the tree and writes the JSON and SVG files", async function () {
    const json = path.join(dir, "trace.json");
    const svgFile = path.join(dir, "trace.svg");
    const { value, text } = await ok<TraceGraph>(["trace"], {
      link: digitalLink(BigInt(GTIN), "L-LOINS"),
      direction: "backward",
      json,
      svg: svgFile,
      db: path.join(dir, "index"),
      noSync: true,
    });
    expect(value.root).to.equal(loins);
    expect(text).to.include("trace of pack 07038010123450:L-LOINS (backward), index at block 100");
    expect(text).to.include("← catch 1 · COD 100 kg · vessel NO-1234-A · area 27.2.a");
    expect(text).to.include(`wrote ${json}`);
    const written = JSON.parse(await readFile(json, "utf8")) as { root: string; catches: string[] };
    expect(written.root).to.equal(loins.toString());
    expect(written.catches).to.deep.equal(["1", "2"]);
    const svg = await readFile(svgFile, "utf8");
    expect(svg.startsWith("<svg")).to.equal(true);
    checkBalanced(svg);
  });

  it("--lot takes GTIN:LOT; errors are one line", async function () {
    const db = path.join(dir, "index");
    const { value } = await ok<TraceGraph>(["trace"], { lot: `${GTIN}:L-SMOKED`, db, noSync: true });
    expect(value.root).to.equal(smoked);
    expect(value.lots.get(smoked)!.recalled).to.equal(true);
    expect(await fails(["trace"], { db, noSync: true })).to.match(/^error: give the lot to trace/);
    expect(await fails(["trace"], { lot: "1", link: "https://id.gs1.org/01/x/10/y", db, noSync: true })).to.equal(
      "error: give --lot or --link, not both",
    );
    expect(await fails(["trace"], { link: "1", db, noSync: true })).to.match(/^error: --link "1" is not a GS1/);
    expect(await fails(["trace"], { lot: "999", db, noSync: true })).to.match(/^error: lot 999 is not in the index/);
    expect(await fails(["trace"], { lot: "1", direction: "sideways", db, noSync: true })).to.match(
      /^error: --direction "sideways"/,
    );
  });
});
