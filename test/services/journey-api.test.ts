/**
 * The trace API's journey and participant endpoints (src/services/trace/journey-api.ts through src/services/trace/http.ts) over the
 * shared trace world (test/helpers/trace-world.ts), to which this file adds the alarms: a warm reading of the fillets at the
 * retailer, a substituted-species QAT scan of them, their recall, and an open order of customer2 at retailer1.
 */
import { encodeBytes32String, Wallet, id } from "ethers";
import { expect } from "chai";

import { digitalLink, elementString, gtin14 } from "../../src/core/digital-link.js";
import { loadJourney } from "../../src/index/journey.js";
import { listenTrace, type TraceService } from "../../src/services/trace/http.js";
import { jsonify } from "../../src/core/trace/tree.js";
import type { JourneyJson, ParticipantJson } from "../../src/core/api/journey-json.js";
import { qatDomain, signReading } from "../../src/core/qat.js";
import { roleId } from "../../src/core/roles.js";
import { centiCelsius, degrees, grams } from "../../src/core/units.js";
import { order } from "../helpers/chain.js";
import { COD, ethers, POK, time } from "../helpers/fixtures.js";
import { loadTraceWorld, type TraceWorld } from "../helpers/trace-world.js";
import { regulatorAuth } from "../helpers/api-key.js";

describe("trace API: journeys and participants", function () {
  let tw: TraceWorld;
  let api: TraceService;
  let openOrder: bigint;
  let auth: RequestInit = {};

  before(async function () {
    tw = await loadTraceWorld();
    const { world } = tw;
    const { cast, retailer, registry, qualityLedger } = world;
    const { fillets } = tw.packs;
    // A warm reading at the retailer (fresh band 0..4 °C).
    await retailer
      .connect(cast.retailer1)
      .updateFish(
        fillets,
        centiCelsius(7.5),
        80,
        degrees(69.6, "latitude"),
        degrees(18.9, "longitude"),
        await time.latest(),
      );
    // The regulator's QAT device finds saithe where cod was registered.
    const device = new Wallet(id("journey-api test: regulator's QAT device"));
    await registry.connect(cast.admin).registerDevice(device.address, roleId("QAT_DEVICE"), cast.regulator);
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const reading = {
      readingId: 1n,
      lotId: fillets,
      species: POK,
      speciesConfidence: 93,
      grade: 8,
      gradeConfidence: 90,
      scannedAt: await time.latest(),
      device: device.address,
    };
    const signature = await signReading(device, qatDomain(chainId, world.addresses.qualityLedger), reading);
    await qualityLedger.connect(cast.relayer).submitScan(5, reading, signature);
    await retailer.connect(cast.regulator).recallLots([fillets], encodeBytes32String("species substitution"));
    openOrder = await order(world, 5, cast.customer2, cast.retailer1, { species: COD, weightGrams: grams("1kg") });
    await tw.sync();
    api = await listenTrace(tw.index, { host: "127.0.0.1", port: 0, chainId });
    // The regulator's key: these tests read the answers in full (what each scope sees: scoped-access.test.ts).
    auth = await regulatorAuth(tw.index);
  });

  after(async function () {
    await api?.close();
  });

  async function get<T>(p: string): Promise<{ status: number; body: T }> {
    const r = await fetch(api.url + p, auth);
    return { status: r.status, body: (await r.json()) as T };
  }

  it("a pack's journey: product keys, the catches with vessel and area, hand-overs, scans, readings", async function () {
    const { loins } = tw.packs;
    const link = digitalLink(tw.gtins.loins, tw.lotNumber);
    const r = await get<JourneyJson>(`/v1/journey/${encodeURIComponent(link)}`);
    expect(r.status).to.equal(200);
    const j = r.body;
    expect(j.lotId).to.equal(loins.toString());
    expect(j.chainId).to.equal("31337");
    expect(j.indexedTo).to.be.greaterThan(0);
    expect(j.product).to.deep.equal({
      gtin: gtin14(tw.gtins.loins),
      lotNumber: tw.lotNumber,
      digitalLink: link,
      elementString: elementString({ gtin: tw.gtins.loins, lot: tw.lotNumber }),
    });

    // The trace reaches both catches; the catches carry vessel, area and position.
    expect(j.trace.root).to.equal(loins.toString());
    expect(j.trace.catches).to.have.members([tw.catches.a.toString(), tw.catches.b.toString()]);
    const catchLot = j.lots.find((l) => l.lotId === tw.catches.a.toString());
    expect(catchLot?.kind).to.equal("catch");
    expect(catchLot?.catch?.vessel).to.be.a("string").and.not.equal("");
    expect(catchLot?.catch?.catchArea).to.be.a("string").and.not.equal("");
    expect(catchLot?.catch?.latitude).to.be.a("number");
    const harvester = j.parties.find((p) => p.id === catchLot?.catch?.harvesterId);
    expect(harvester?.name).to.equal("FV Nordkapp");

    // Events in chain order: the catch first, every hand-over down to the customer, the supplier's scan.
    const times = j.events.map((e) => e.time);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    expect(j.events[0]?.kind).to.equal("catch");
    const receipts = j.events.filter((e) => e.kind === "receive");
    expect(receipts.map((e) => e.stage)).to.include.members([2, 3, 4, 5, 6]);
    const ships = j.events.filter((e) => e.kind === "ship");
    const routed = ships.find((e) => e.kind === "ship" && e.route !== undefined);
    expect(routed?.kind === "ship" && routed.route).to.deep.include({ mode: "road", vehicle: "EL 12345" });
    const scans = j.events.filter((e) => e.kind === "scan");
    expect(scans).to.have.length(1);
    expect(scans[0]).to.deep.include({ lotId: tw.catches.a.toString(), species: "COD", grade: 9 });
    expect(j.events.some((e) => e.kind === "transform")).to.equal(true);
    expect(j.events.filter((e) => e.kind === "reading")).to.have.length(2);
    expect(j.events.some((e) => e.kind === "sensor")).to.equal(true);
    // Every bigint is a string; nothing in the JSON is undefined.
    expect(typeof j.events.find((e) => e.kind === "ship")?.txHash).to.equal("string");

    // The loins are fine: no alarms on the lots of their closure (the fillets are a sibling, not in it).
    expect(j.alarms).to.deep.equal([]);
    expect(j.bands.map((b) => b.lotId)).to.include.members([loins.toString(), tw.catches.a.toString()]);
    expect(j.bands.find((b) => b.lotId === loins.toString())).to.deep.equal({
      lotId: loins.toString(),
      min: 0,
      max: 400,
    });
  });

  it("a recalled pack's journey raises the recall, the species mismatch and the excursion", async function () {
    const { fillets } = tw.packs;
    const r = await get<JourneyJson>(
      `/v1/journey?lot=${encodeURIComponent(`${gtin14(tw.gtins.fillets)}:${tw.lotNumber}`)}`,
    );
    expect(r.status).to.equal(200);
    const kinds = r.body.alarms.map((a) => a.kind);
    expect(kinds).to.have.members(["cold_chain", "species_mismatch", "recalled"]);
    const recall = r.body.alarms.find((a) => a.kind === "recalled")!;
    expect(recall).to.deep.include({ lotId: fillets.toString(), stage: 5 });
    expect(recall.text).to.equal("Recalled at the retailer by Fiskeridirektoratet: species substitution");
    const mismatch = r.body.alarms.find((a) => a.kind === "species_mismatch")!;
    expect(mismatch.text).to.match(/^Species mismatch: registered as COD.*scanned as POK \(93 % confidence\)$/);
    expect(mismatch.stage).to.equal(undefined);
    const warm = r.body.alarms.find((a) => a.kind === "cold_chain")!;
    expect(warm.text).to.equal("Cold-chain excursion at the retailer: 7.5 °C, outside 0..4 °C");
    expect(warm.detail).to.deep.include({ temperature: 750, minimum: 0, maximum: 400 });
    expect(r.body.trace.lots.find((l) => l.lotId === fillets.toString())?.recalled).to.equal(true);
    expect(r.body.events.some((e) => e.kind === "recall" && e.reason === "species substitution")).to.equal(true);
    expect(r.body.parties.some((p) => p.name === "Fiskeridirektoratet")).to.equal(true);
  });

  it("a participant: the lots it holds and its orders not settled", async function () {
    const { retailer1, customer1, customer2 } = tw.world.cast;
    const shop = await get<ParticipantJson>(`/v1/participants/${retailer1.address.toLowerCase()}`);
    expect(shop.status).to.equal(200);
    expect(shop.body.participant).to.deep.include({ name: "Fiskebrygga Market", location: "7080003000111" });
    expect(shop.body.lots.map((l) => l.lotId)).to.deep.equal([tw.packs.fillets.toString()]);
    expect(shop.body.lots[0]).to.deep.include({ stage: 5, status: "Created", species: "COD" });
    expect(shop.body.lots[0]!.flags & 0x20).to.equal(0x20); // RECALLED
    expect(shop.body.lots[0]!.digitalLink).to.equal(digitalLink(tw.gtins.fillets, tw.lotNumber));
    expect(shop.body.orders).to.have.length(1);
    expect(shop.body.orders[0]).to.deep.include({
      stage: 5,
      orderId: openOrder.toString(),
      side: "seller",
      state: "Ordered",
      species: "COD",
      weightGrams: 1000,
      lotIds: [],
    });
    expect(shop.body.orders[0]!.buyer.name).to.equal("Ola Nordmann");

    const buyer = await get<ParticipantJson>(`/v1/participants/${customer2.address}`);
    expect(buyer.body.orders.map((o) => [o.side, o.orderId])).to.deep.equal([["buyer", openOrder.toString()]]);
    const kari = await get<ParticipantJson>(`/v1/participants/${customer1.address}`);
    expect(kari.body.lots.map((l) => [l.lotId, l.stage])).to.deep.equal([[tw.packs.loins.toString(), 6]]);

    const stranger = await get<ParticipantJson>(`/v1/participants/${Wallet.createRandom().address}`);
    expect(stranger.status).to.equal(200);
    expect(stranger.body.participant).to.equal(undefined);
    expect(stranger.body.lots).to.deep.equal([]);
  });

  it("bad input is a 400 and an unknown lot a 404, each one line", async function () {
    const cases: [string, number, RegExp][] = [
      ["/v1/participants/0x123", 400, /^account "0x123" is not an address/],
      ["/v1/journey/abc", 400, /^lot "abc" is not a lot id/],
      ["/v1/journey", 400, /^give \?link=/],
      ["/v1/journey?link=https%3A%2F%2Fid.gs1.org%2F01%2F1", 400, /^link ".*" is not a GS1 Digital Link/],
      ["/v1/journey/999999", 404, /^lot 999999 is not in the index/],
      [`/v1/journey/${encodeURIComponent(digitalLink(tw.gtins.loins, "NOPE"))}`, 404, /is not in the index/],
      ["/v1/journeys", 404, /^no such resource/],
    ];
    for (const [p, status, message] of cases) {
      const r = await get<{ error: string }>(p);
      expect(r.status, p).to.equal(status);
      expect(r.body.error, p).to.match(message);
      expect(r.body.error).to.not.include("\n");
    }
  });
  it("pages a journey's scans and readings (limit, offset, eventPage), the other events on every page", async function () {
    const { loins } = tw.packs;
    const whole = await get<JourneyJson>(`/v1/journey/${loins}`);
    const bulk = (e: { kind: string }) => e.kind === "scan" || e.kind === "reading";
    const all = whole.body.events.filter(bulk);
    const others = whole.body.events.filter((e) => !bulk(e));
    expect(all.length, "the journey has scans and readings to page").to.be.at.least(2);
    // The page read with LIMIT/OFFSET is in the order the whole journey (as the exports read it) has them.
    const exported = await loadJourney(tw.index, { kind: "lot", lotId: loins }, BigInt(whole.body.chainId));
    expect(exported.events.filter(bulk).map((e) => jsonify(e))).to.deep.equal(all);
    expect(whole.body.eventPage).to.deep.equal({
      offset: 0,
      limit: 2_000,
      total: {
        scan: all.filter((e) => e.kind === "scan").length,
        reading: all.filter((e) => e.kind === "reading").length,
      },
      next: null,
    });
    const paged: unknown[] = [];
    for (let offset: number | null = 0; offset !== null;) {
      const page: { status: number; body: JourneyJson } = await get<JourneyJson>(
        `/v1/journey/${loins}?limit=1&offset=${offset}`,
      );
      expect(page.status).to.equal(200);
      expect(page.body.events.filter((e) => !bulk(e))).to.deep.equal(others);
      expect(page.body.events.filter(bulk)).to.have.length(1);
      paged.push(...page.body.events.filter(bulk));
      offset = page.body.eventPage.next;
    }
    expect(paged).to.deep.equal(all);
    for (const q of ["limit=0", "limit=10001", "offset=-1", "limit=x", `offset=${"9".repeat(400)}`]) {
      const r = await get<{ error: string }>(`/v1/journey/${loins}?${q}`);
      expect(r.status, q).to.equal(400);
    }
  });

  it("limits each endpoint's concurrent requests (503 with retry-after beyond them); /healthz answers at once", async function () {
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const narrow = await listenTrace(tw.index, { host: "127.0.0.1", port: 0, chainId, concurrency: 1, waiting: 2 });
    try {
      const { loins } = tw.packs;
      expect((await fetch(`${narrow.url}/healthz`)).status).to.equal(200);
      // What answered in which order: the journeys pass one at a time (concurrency 1), /healthz is outside the limit,
      // so it answers before the last admitted journey does. An order, not a time: it holds however loaded the machine.
      const answeredOrder: string[] = [];
      const many = Array.from({ length: 12 }, (_, i) =>
        fetch(`${narrow.url}/v1/journey/${loins}`).then((r) => {
          answeredOrder.push(r.status === 200 ? `journey ${i}` : `busy ${i}`);
          return r;
        }),
      );
      const health = await fetch(`${narrow.url}/healthz`).then((r) => {
        answeredOrder.push("healthz");
        return r;
      });
      const answers = await Promise.all(many);
      expect(health.status).to.equal(200);
      const lastJourney = answeredOrder.findLastIndex((a) => a.startsWith("journey"));
      expect(answeredOrder.indexOf("healthz"), `answered in the order ${answeredOrder.join(", ")}`).to.be.below(
        lastJourney,
      );
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).to.equal(3);
      const busy = answers.filter((r) => r.status === 503);
      expect(busy).to.have.length(9);
      expect(busy[0]!.headers.get("retry-after")).to.match(/^\d+$/);
      expect(((await busy[0]!.json()) as { error: string }).error).to.match(/^journey is busy/);
      // Another endpoint has its own limit.
      expect((await fetch(`${narrow.url}/v1/trace/${loins}`)).status).to.equal(200);
    } finally {
      await narrow.close();
    }
  });
});
