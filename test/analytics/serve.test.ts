/**
 * Serving the analytics (issue 9, item 5): four weeks of customer orders at a retailer, then the small fixed data set
 * of the anomaly tests (minus the last deliveries of four product lots, which stay at the distributor), and one open
 * retailer order at the distributor, all through the contracts; indexed into PGlite; then the HTTP routes on an
 * ephemeral 127.0.0.1 server answer the injected anomalies with their reasons, SARIMA forecasts beside seasonal
 * naive, dispatch advice for the held lots, the model's version and hashes, one-line 400/404s, and metrics whose
 * counters match what was scored. Last, the `analytics` tasks on the same index, and their one-line errors.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { openIndex, type Sql } from "../../src/index/db.js";
import { syncIndex } from "../../src/index/sync.js";
import { detectAnomalies } from "../../src/analytics/anomaly.js";
import { extractFeatures } from "../../src/analytics/features.js";
import { generateHistory } from "../../src/analytics/generate.js";
import { ITEM_OF_KIND, type ChainHistory } from "../../src/core/chain-history.js";
import { analyticsRoutes, type AnalyticsHandler } from "../../src/services/analytics/http.js";
import { parseModelFile, sha256Of } from "../../src/analytics/model-file.js";
import type { WrittenHistory } from "../../src/analytics/onchain.js";
import type { AnomalyReport, DispatchReport, ForecastReport, ModelInfo } from "../../src/core/api/analytics.js";
import { AnalyticsService, trainedDetectorFile } from "../../src/analytics/service.js";
import { withLotsAtHub } from "../../src/tools/stack-analytics.js";
import { speciesCode } from "../../src/core/units.js";
import { OrderBook__factory } from "../../typechain-types/index.js";
import { writeOnWorld } from "../helpers/analytics-world.js";
import { deployWorld, ethers, time, type World } from "../helpers/fixtures.js";
import { fails, ok } from "../helpers/task-run.js";

const SMALL = { seed: 12, catches: 8, species: ["COD", "HAD"], anomalyRate: 0.25 };
const TRAINING = { seed: 1, catches: 400, species: ["COD", "HAD"] };
const DAY = 86_400;
/** kg a customer orders per weekday (Monday first), per species. */
const WEEK: Record<string, number[]> = { COD: [18, 16, 18, 20, 28, 26, 11], HAD: [9, 8, 9, 10, 14, 13, 6] };
const SALES_DAYS = 28;

interface Answer<T> {
  status: number;
  body: T;
  text: string;
}

describe("analytics: served over HTTP and by the analytics tasks", function () {
  this.timeout(120_000);
  let dir: string;
  let dbDir: string;
  let index: Sql | undefined;
  let server: Server;
  let base: string;
  let routes: AnalyticsHandler;
  let w: World;
  let replayed: WrittenHistory;
  let history: ChainHistory;
  let held: string[];
  let modelFile: string;
  let intakeFile: string;
  let trainingSha: string;

  async function get<T = unknown>(pathAndQuery: string, method = "GET"): Promise<Answer<T>> {
    const res = await fetch(`${base}${pathAndQuery}`, { method });
    const text = await res.text();
    const json = (res.headers.get("content-type") ?? "").includes("json");
    return { status: res.status, body: (json ? JSON.parse(text) : undefined) as T, text };
  }

  async function refused(pathAndQuery: string, status: number): Promise<string> {
    const { status: got, body } = await get<{ error: string }>(pathAndQuery);
    expect(got, pathAndQuery).to.equal(status);
    expect(Object.keys(body)).to.deep.equal(["error"]);
    expect(body.error).to.not.include("\n");
    return body.error;
  }

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "fishtrace-analytics-"));
    dbDir = path.join(dir, "index");
    const small = generateHistory(SMALL);
    const training = generateHistory(TRAINING);
    ({ history, held } = withLotsAtHub(small.history, ["COD", "HAD"]));
    const trained = trainedDetectorFile(training.history, new Date("2026-11-01T00:00:00Z"));
    modelFile = path.join(dir, "detector.json");
    await writeFile(modelFile, trained.text);
    trainingSha = sha256Of(training.history);

    const startBlock = (await ethers.provider.getBlockNumber()) + 1;
    w = await deployWorld();
    const { cast } = w;

    // Four weeks of customer orders at retailer 1, from a Monday on.
    const retail = OrderBook__factory.connect(w.addresses.retailer, cast.customer1);
    const monday = Math.ceil(((await time.latest()) + DAY) / (7 * DAY)) * 7 * DAY + 4 * DAY;
    for (let d = 0; d < SALES_DAYS; d++) {
      for (const species of ["COD", "HAD"]) {
        const kg = WEEK[species]![d % 7]! + (d % 3);
        await time.setNextBlockTimestamp(monday + d * DAY + 10 * 3_600 + (species === "COD" ? 0 : 60));
        await retail.placeOrder(cast.retailer1, speciesCode(species), kg * 1_000, monday + (d + 2) * DAY, 3_600, {
          value: 1n,
        });
      }
    }

    replayed = await writeOnWorld(w, history, "analytics serve test");
    // An open order for haddock at the distributor, from retailer 2.
    const hub = OrderBook__factory.connect(w.addresses.distributor, cast.retailer2);
    await hub.placeOrder(cast.distributor1, speciesCode("HAD"), 50_000, (await time.latest()) + 2 * DAY, 3_600, {
      value: 1n,
    });

    index = await openIndex({ dir: dbDir });
    await syncIndex(index, ethers.provider, w.addresses, { fromBlock: startBlock });
    intakeFile = path.join(dir, "intake.json");
    await writeFile(intakeFile, JSON.stringify(Object.fromEntries(replayed.intake)));

    routes = analyticsRoutes(index, {
      modelFile,
      intake: replayed.intake,
      productOf: (gtin) => replayed.products.get(gtin) ?? gtin,
      historyTtlMs: 60_000,
      liveWindowSeconds: 365 * DAY,
    });
    server = createServer((req, res) => {
      void routes(req, res, new URL(req.url ?? "/", "http://localhost")).then((handled) => {
        if (!handled) res.writeHead(404).end("not analytics");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    await index?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("GET /v1/analytics/anomalies: the detector's findings on the chain's history, with reasons", async function () {
    const { status, body } = await get<AnomalyReport>("/v1/analytics/anomalies");
    expect(status).to.equal(200);
    expect(body.model).to.include({ source: "file", version: 1, trainingDataSha256: trainingSha });
    expect(body.scored).to.deep.equal({ legs: history.legs.length, processes: history.processes.length });

    // What the same detector finds on the generated history, in chain ids.
    const model = parseModelFile(await readFile(modelFile, "utf8"), "anomaly-detector");
    const expected = detectAnomalies(model.params, extractFeatures(history)).map((f) => {
      const id = ITEM_OF_KIND[f.kind] === "leg" ? replayed.legs.get(f.itemId) : replayed.processes.get(f.itemId);
      return `${f.kind} ${id}`;
    });
    expect(body.anomalies.map((a) => `${a.kind} ${a.itemId}`).sort()).to.deep.equal(expected.sort());
    const kinds = new Set(body.anomalies.map((a) => a.kind));
    expect([...kinds].sort()).to.deep.equal([
      "impossible-yield",
      "sensor-flatline",
      "species-substitution",
      "warm-leg",
      "weight-shrink",
    ]);
    for (const a of body.anomalies) {
      expect(a.reasons, `${a.kind} ${a.itemId}`).to.not.be.empty;
      expect(a.lotIds).to.not.be.empty;
    }
    const shrink = body.anomalies.find((a) => a.kind === "weight-shrink")!;
    expect(shrink.reasons[0]).to.match(/^\d+\.\d % of the shipped weight missing at intake \(z \d+\.\d\)$/);
    const scores = body.anomalies.map((a) => a.score);
    expect(scores).to.deep.equal([...scores].sort((a, b) => b - a));
    const share =
      new Set(body.anomalies.map((a) => `${a.item}:${a.itemId}`)).size / (body.scored.legs + body.scored.processes);
    expect(Math.abs(body.anomalyRate - share)).to.be.lessThan(1e-4);

    // One lot: the findings touching it or any lot of its lineage (from the generated processings), each with its
    // relation to it; none left out.
    const chainLot = (id: string) => replayed.lots.get(id)!.toString();
    const edges = history.processes.flatMap((p) =>
      p.inputLotIds.flatMap((i) => p.outputLotIds.map((o): [string, string] => [chainLot(i), chainLot(o)])),
    );
    const reach = (lot: string, up: boolean) => {
      const seen = new Set<string>();
      const queue = [lot];
      while (queue.length > 0) {
        const at = queue.shift()!;
        for (const [parent, child] of edges) {
          const [from, to] = up ? [child, parent] : [parent, child];
          if (from !== at || seen.has(to)) continue;
          seen.add(to);
          queue.push(to);
        }
      }
      return seen;
    };
    const relationOf = (lot: string, lotIds: readonly string[]) => {
      const [up, down] = [reach(lot, true), reach(lot, false)];
      if (lotIds.includes(lot)) return "this lot";
      if (lotIds.some((id) => up.has(id))) return "made from";
      return lotIds.some((id) => down.has(id)) ? "made into" : undefined;
    };
    const asked = async (lot: string) => {
      const one = await get<AnomalyReport>(`/v1/analytics/anomalies?lot=${lot}`);
      expect(one.status).to.equal(200);
      expect(one.body.lot).to.equal(lot);
      const expected = body.anomalies
        .map((a) => ({ ...a, relation: relationOf(lot, a.lotIds) }))
        .filter((a) => a.relation !== undefined);
      expect(one.body.anomalies).to.deep.equal(expected);
      return one.body.anomalies;
    };
    const lot = shrink.lotIds[0]!;
    const own = (await asked(lot)).find((a) => a.kind === "weight-shrink" && a.itemId === shrink.itemId);
    expect(own?.relation).to.equal("this lot");

    // A flagged leg seen from a product made of its lot ("made from"), and one seen from a lot its lot was made of
    // ("made into").
    const legs = body.anomalies.filter((a) => a.item === "leg");
    const fromCase = legs
      .flatMap((a) => a.lotIds.flatMap((id) => [...reach(id, false)].map((product) => ({ a, product }))))
      .find(({ a, product }) => relationOf(product, a.lotIds) === "made from");
    expect(fromCase, "a flagged leg of a lot that was processed further").to.not.equal(undefined);
    const fromAnswer = await asked(fromCase!.product);
    expect(fromAnswer.find((a) => a.itemId === fromCase!.a.itemId)?.relation).to.equal("made from");
    const intoCase = legs
      .flatMap((a) => a.lotIds.flatMap((id) => [...reach(id, true)].map((source) => ({ a, source }))))
      .find(({ a, source }) => relationOf(source, a.lotIds) === "made into");
    expect(intoCase, "a flagged leg of a lot made by processing").to.not.equal(undefined);
    const intoAnswer = await asked(intoCase!.source);
    expect(intoAnswer.find((a) => a.itemId === intoCase!.a.itemId)?.relation).to.equal("made into");
  });

  it("GET /v1/analytics/forecast: SARIMA per species and retailer beside seasonal naive", async function () {
    const retailerId = Number(w.ids.retailer1);
    const { status, body } = await get<ForecastReport>(`/v1/analytics/forecast?species=cod&retailer=${retailerId}`);
    expect(status).to.equal(200);
    expect(body.days).to.equal(7);
    expect(body.series).to.have.length(1);
    const [s] = body.series;
    expect(s!.species).to.equal("COD");
    expect(s!.retailer).to.include({ id: retailerId, name: "Fiskebrygga Market" });
    expect(s!.history.days).to.equal(SALES_DAYS);
    expect(s!.method).to.equal("sarima");
    expect(s!.forecast).to.have.length(7);
    // The forecast starts on a Monday (28 days after one), and the seasonal naive repeats the last week.
    expect(new Date(`${s!.forecast[0]!.date}T00:00:00Z`).getUTCDay()).to.equal(1);
    const lastWeek = WEEK.COD!.map((kg, i) => kg + ((21 + i) % 3));
    expect(s!.baseline.map((b) => b.kg)).to.deep.equal(lastWeek);
    const kg = s!.forecast.map((f) => f.kg);
    expect(kg.every((x) => x > 5 && x < 40)).to.equal(true);
    expect(kg[4]).to.be.greaterThan(kg[6]! + 8); // Friday sells well above Sunday

    const all = await get<ForecastReport>("/v1/analytics/forecast?days=3");
    expect(all.body.series.map((x) => x.species).sort()).to.deep.equal(["COD", "HAD"]);
    expect(all.body.series.every((x) => x.forecast.length === 3)).to.equal(true);
  });

  it("GET /v1/analytics/dispatch: the lots held at the hub, shortest shelf life first, where and why", async function () {
    const hub = w.cast.distributor1.address;
    const { status, body } = await get<DispatchReport>(`/v1/analytics/dispatch?hub=${hub}`);
    expect(status).to.equal(200);
    expect(body.hub).to.include({ id: Number(w.ids.distributor1) });
    const chainHeld = held.map((id) => replayed.lots.get(id)!.toString()).sort();
    const planned = [...body.advice.map((a) => a.lotId), ...body.held.map((h) => h.lotId)];
    expect([...planned, ...body.expired.map((e) => e.lotId)].sort()).to.deep.equal(chainHeld);
    expect(chainHeld).to.have.length(4);
    expect(body.advice.map((a) => a.species).sort()).to.include.members(["COD", "HAD"]);
    expect(body.advice.map((a) => a.rank)).to.deep.equal(body.advice.map((_, i) => i + 1));
    const days = body.advice.map((a) => a.remainingDays);
    expect(days).to.deep.equal([...days].sort((a, b) => a - b));
    for (const a of body.advice) {
      expect(a.why).to.match(/days left/);
      expect(a.remainingDays).to.be.greaterThan(0);
      if (a.species === "HAD") {
        expect(a.retailer).to.include({ id: Number(w.ids.retailer2), name: "Kystbutikken" });
        expect(a.demand).to.equal("open orders");
      } else {
        expect(a.retailer).to.include({ id: Number(w.ids.retailer1) });
        expect(a.demand).to.equal("recent sales");
      }
    }
    // By participant id too; every hub without ?hub.
    const byId = await get<DispatchReport>(`/v1/analytics/dispatch?hub=${Number(w.ids.distributor1)}`);
    expect(byId.body.advice).to.deep.equal(body.advice);
    expect((await get<DispatchReport>("/v1/analytics/dispatch")).body.advice).to.deep.equal(body.advice);
  });

  it("GET /v1/analytics/model: version, when trained, training data sha256", async function () {
    const { status, body } = await get<ModelInfo>("/v1/analytics/model");
    expect(status).to.equal(200);
    expect(body).to.include({
      kind: "anomaly-detector",
      source: "file",
      file: modelFile,
      version: 1,
      trainedAt: "2026-11-01T00:00:00.000Z",
      trainingDataSha256: trainingSha,
      threshold: 3.5,
    });
  });

  it("bad parameters are one-line 400s, unknown things 404s, other methods 405", async function () {
    expect(await refused("/v1/analytics/anomalies?lot=0", 400)).to.equal('lot "0" is not a lot id (1 or more)');
    expect(await refused("/v1/analytics/anomalies?lot=999999", 404)).to.match(/^lot 999999 is not in the index/);
    expect(await refused("/v1/analytics/anomalies?lots=1", 400)).to.equal('unknown parameter "lots" (give lot)');
    expect(await refused("/v1/analytics/forecast?days=0", 400)).to.equal('days "0" is not a whole number 1..60');
    expect(await refused("/v1/analytics/forecast?days=61", 400)).to.equal('days "61" is not a whole number 1..60');
    expect(await refused("/v1/analytics/forecast?species=CODX", 400)).to.match(/^species "CODX" is not an FAO/);
    expect(await refused("/v1/analytics/forecast?species=POK", 404)).to.equal("the index holds no retail sales of POK");
    expect(await refused("/v1/analytics/forecast?retailer=nobody", 400)).to.match(/^retailer "nobody" is not a/);
    expect(await refused("/v1/analytics/forecast?retailer=999", 404)).to.equal(
      "retailer 999 is not a participant in the index",
    );
    expect(await refused("/v1/analytics/forecast?species=COD&species=HAD", 400)).to.equal("species is given 2 times");
    expect(await refused("/v1/analytics/dispatch?hub=", 400)).to.equal("hub is empty");
    expect(await refused("/v1/analytics/dispatch?hub=0x12", 400)).to.match(/^hub "0x12" is not a participant id/);
    expect(await refused("/v1/analytics/model?x=1", 400)).to.equal('unknown parameter "x" (none taken)');
    expect(await refused("/v1/analytics/nothing", 404)).to.match(/^no such resource \/v1\/analytics\/nothing/);
    const post = await get<{ error: string }>("/v1/analytics/anomalies", "POST");
    expect(post.status).to.equal(405);
    expect(post.body.error).to.equal("POST is not allowed; use GET");
    const other = await get("/v1/trace/1");
    expect([other.status, other.text]).to.deep.equal([404, "not analytics"]);
  });

  it("GET /v1/analytics/metrics: the counters match what was scored", async function () {
    const { status, text } = await get("/v1/analytics/metrics");
    expect(status).to.equal(200);
    const anomalies = (await get<AnomalyReport>("/v1/analytics/anomalies")).body.anomalies;
    const value = (series: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      expect(line, series).to.not.equal(undefined);
      return Number(line!.slice(series.length + 1));
    };
    expect(value('fishtrace_analytics_items_scored_total{kind="leg"}')).to.equal(history.legs.length);
    expect(value('fishtrace_analytics_items_scored_total{kind="process"}')).to.equal(history.processes.length);
    for (const kind of ["warm-leg", "weight-shrink", "species-substitution", "impossible-yield", "sensor-flatline"])
      expect(value(`fishtrace_analytics_anomalies_total{kind="${kind}"}`), kind).to.equal(
        anomalies.filter((a) => a.kind === kind).length,
      );
    // One history snapshot, one detector: scored once however many requests asked.
    expect(value('fishtrace_analytics_model_latency_seconds_count{model="anomaly-detector"}')).to.equal(1);
    // Forecasts: COD at retailer 1, then COD and HAD (two requests, three series).
    expect(value('fishtrace_analytics_items_scored_total{kind="series"}')).to.equal(3);
    expect(value('fishtrace_analytics_model_latency_seconds_count{model="demand-forecast"}')).to.equal(3);
    expect(value('fishtrace_analytics_model_latency_seconds_count{model="shelf-life-dispatch"}')).to.equal(3);
    expect(value('fishtrace_analytics_items_scored_total{kind="lot"}')).to.equal(3 * held.length);
    const flagged = new Set(anomalies.map((a) => `${a.item}:${a.itemId}`)).size;
    const rate = flagged / (history.legs.length + history.processes.length);
    expect(Math.abs(value("fishtrace_analytics_anomaly_ratio") - rate)).to.be.lessThan(1e-9);
    expect(
      value(`fishtrace_analytics_model_info{model="anomaly-detector",version="1",training_sha256="${trainingSha}"}`),
    ).to.equal(1);
    expect(text).to.match(/^fishtrace_analytics_feature_drift_mads\{feature="grade_residual"\} \d/m);
  });

  it("a served model file that is missing or refused is the server's one-line 500, not the client's 400", async function () {
    for (const file of [path.join(dir, "gone.json"), intakeFile]) {
      const broken = analyticsRoutes(index!, { modelFile: file });
      const other = createServer((req, res) => void broken(req, res, new URL(req.url ?? "/", "http://localhost")));
      await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
      try {
        const r = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/v1/analytics/model`);
        expect(r.status, file).to.equal(500);
        const { error } = (await r.json()) as { error: string };
        expect(error).to.match(/^the analytics failed: /);
        expect(error).to.not.include("\n");
      } finally {
        await new Promise<void>((resolve) => other.close(() => resolve()));
      }
    }
  });

  it("an index that has not synced further is not read again, nor scored again, even with no TTL", async function () {
    const service = new AnalyticsService(index!, { modelFile, historyTtlMs: 0 });
    const first = await service.score();
    const second = await service.score();
    expect(second.history).to.equal(first.history);
    const text = await service.metrics.text();
    expect(text).to.include('fishtrace_analytics_model_latency_seconds_count{model="anomaly-detector"} 1\n');
  });

  describe("the analytics tasks on the same index", function () {
    before(async function () {
      // PGlite: one owner of the directory at a time.
      await index?.close();
      index = undefined;
    });

    it("train writes a model file; anomalies, forecast and dispatch read it and the index", async function () {
      const db = dbDir;
      const out = path.join(dir, "models", "trained.json");
      const trained = await ok(["analytics", "train"], { out, db, noSync: true, intake: intakeFile });
      expect(trained.text).to.match(
        new RegExp(
          `^trained the anomaly detector \\(version 1\\) on ${history.legs.length} legs and ` +
            `${history.processes.length} processings, training data sha256 [0-9a-f]{16}…; wrote ${out}$`,
        ),
      );
      expect(parseModelFile(await readFile(out, "utf8"), "anomaly-detector").version).to.equal(1);

      const listed = await ok<AnomalyReport>(["analytics", "anomalies"], {
        model: modelFile,
        db,
        noSync: true,
        intake: intakeFile,
      });
      expect(listed.text.split("\n")[0]).to.equal(
        `detector ${modelFile} (version 1, trained 2026-11-01T00:00:00.000Z, training data ${trainingSha.slice(0, 16)}…)`,
      );
      expect(listed.text).to.match(/warm-leg {13}leg \d:\d+ \(lots [\d, ]+\), score \d+\.\d: /);
      const memory = await ok(["analytics", "anomalies"], { db, noSync: true });
      expect(memory.text.split("\n")[0]).to.match(
        /^no --model: the detector was trained in memory on the indexed history \(training data [0-9a-f]{16}…\)$/,
      );

      const forecast = await ok(["analytics", "forecast"], { species: "HAD", days: "2", db, noSync: true });
      expect(forecast.text).to.match(/^HAD at retailer \d+ \(Fiskebrygga Market\): 28 days of sales /);
      expect(forecast.text.split("\n")).to.have.length(3);

      const json = path.join(dir, "dispatch.json");
      const dispatch = await ok<DispatchReport>(["analytics", "dispatch"], {
        hub: String(w.ids.distributor1),
        db,
        noSync: true,
        json,
      });
      expect(dispatch.text).to.match(new RegExp(`^dispatch advice for hub ${w.ids.distributor1} `));
      expect(JSON.parse(await readFile(json, "utf8"))).to.have.property("advice").that.is.not.empty;
    });

    it("bad flags are one-line errors", async function () {
      const db = dbDir;
      const noSync = true;
      expect(await fails(["analytics", "anomalies"], { lot: "0", db, noSync })).to.equal(
        'error: --lot "0" is not a lot id (1 or more)',
      );
      expect(await fails(["analytics", "anomalies"], { model: path.join(dir, "none.json"), db, noSync })).to.match(
        /^error: .*none\.json: no such model file$/,
      );
      expect(await fails(["analytics", "anomalies"], { model: intakeFile, db, noSync })).to.equal(
        'error: the file is not a FishTrace model (format "fishtrace-model")',
      );
      expect(await fails(["analytics", "train"], { intake: modelFile, db, noSync })).to.match(
        /^error: .*detector\.json: "format" is not a leg id/,
      );
      expect(await fails(["analytics", "train"], { out: `${dir}/`, db, noSync })).to.match(/is not a file name$/);
      expect(await fails(["analytics", "forecast"], { days: "0", db, noSync })).to.equal(
        'error: --days "0" is not a whole number 1..60',
      );
      expect(await fails(["analytics", "forecast"], { species: "cod1", db, noSync })).to.match(
        /^error: --species "cod1" is not an FAO 3-alpha species code/,
      );
      expect(await fails(["analytics", "dispatch"], { hub: "nobody", db, noSync })).to.match(
        /^error: --hub "nobody" is not a participant id or an account/,
      );
      expect(await fails(["analytics", "dispatch"], { hub: "999", db, noSync })).to.equal(
        "error: --hub 999 is not a participant in the index",
      );
      expect(await fails(["analytics", "forecast"], { retailer: "nobody", db, noSync })).to.match(
        /^error: --retailer "nobody" is not a participant id or an account/,
      );
      const empty = path.join(dir, "empty-index");
      expect(await fails(["analytics", "train"], { out: path.join(dir, "x.json"), db: empty, noSync })).to.equal(
        "error: the index holds no delivered legs or processings to train the detector on",
      );
    });
  });
});
