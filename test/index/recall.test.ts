/**
 * The recall through the index: `planRecall`, `recallNotice` and `noticeCsv` (src/index/recall.ts) on the trace world's
 * index, then the `recall` task run in-process against a deployment made by the `deploy` task on the task's own
 * network (`hre.network.getOrCreate()`, which the fixtures' `network.create()` chain is not).
 *
 * The task journey: catch 1 (100 kg) and catch 2 (50 kg) go to the Manufacturer, who makes three packs of 10 kg of
 * catch 1 (A, B, C). The packs go to the Retailer; A is sold to the customer, B shipped to the customer on an order
 * not yet accepted, C stays on the shelf. Recalling catch 1 must reach the packs at every stage that knows them.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { encodeBytes32String } from "ethers";
import hre from "hardhat";

import { gtin14, gtinCheckDigit, productLotId } from "../../src/core/digital-link.js";
import { customErrorOf } from "../../src/core/errors.js";
import {
  csvField,
  kilograms,
  NOTICE_COLUMNS,
  noticeCsv,
  planRecall,
  recallNotice,
  recallBatches,
} from "../../src/index/recall.js";
import { attachFishTrace } from "../../src/node/system.js";
import { LOT_FLAGS, STAGE_NAMES, type StageName } from "../../src/core/vocabulary.js";
import { Stage__factory } from "../../typechain-types/index.js";
import { sendBatches, type RecallOutcome, type RecallTransaction } from "../../tasks/actions/recall.js";
import { CATCH, enrolDemoCast, fails, ok } from "../helpers/task-run.js";
import { loadTraceWorld } from "../helpers/trace-world.js";

/** RFC 4180 records (quoted fields, doubled quotes, CRLF line ends). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The CSV as records keyed by column. */
function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  expect(header).to.deep.equal([...NOTICE_COLUMNS]);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

describe("recall: plan and notice over the index", function () {
  it("plans a catch's closure at the stages that created each lot, batched", async function () {
    const tw = await loadTraceWorld();
    const { a } = tw.catches;
    const { loins, fillets } = tw.packs;
    const plan = await planRecall(tw.index, a);
    expect(plan.root).to.equal(a);
    expect(plan.lots.map((l) => [l.lotId, l.kind, l.origin, l.recalled])).to.have.deep.members([
      [a, "catch", "harvester", false],
      [loins, "product", "manufacturer", false],
      [fillets, "product", "manufacturer", false],
    ]);
    expect(plan.lots[0]!.lotId).to.equal(a);
    expect(plan.alreadyRecalled).to.deep.equal([]);
    expect(plan.toRecall.map((b) => [b.stage, [...b.lotIds].sort()])).to.deep.equal([
      ["harvester", [a]],
      ["manufacturer", [loins, fillets].sort()],
    ]);
    expect(plan.batches).to.have.length(2);
    expect(recallBatches(plan.toRecall, 1).map((b) => b.stage)).to.deep.equal([
      "harvester",
      "manufacturer",
      "manufacturer",
    ]);

    // A pack is its own closure; an unknown lot is an InputError naming it.
    expect((await planRecall(tw.index, loins)).lots.map((l) => l.lotId)).to.deep.equal([loins]);
    await planRecall(tw.index, 999n).then(
      () => expect.fail("planned an unknown lot"),
      (err: Error) => expect(err.message).to.match(/^lot 999 is not in the index/),
    );

    // Recalled at the harvester on chain: forwarded to the supplier and manufacturer under the same id, but not
    // to the packs (new ids). The plan skips the catch and keeps the packs.
    const { world } = tw;
    await world.harvester.connect(world.cast.regulator).recallLots([a], encodeBytes32String("test"));
    await tw.sync();
    const again = await planRecall(tw.index, a);
    expect(again.alreadyRecalled).to.deep.equal([a]);
    expect(again.toRecall.map((b) => b.stage)).to.deep.equal(["manufacturer"]);
    expect(again.toRecall[0]!.lotIds).to.have.members([loins, fillets]);
  });

  it("halves a batch that would need more than the block gas limit, and keeps the smaller size", async function () {
    const tw = await loadTraceWorld();
    const { loins, fillets } = tw.packs;
    const fishTrace = attachFishTrace(tw.world.addresses, tw.world.cast.regulator);
    const reason = encodeBytes32String("halving");
    const one = await fishTrace.manufacturer.recallLots.estimateGas([loins], reason);
    const two = await fishTrace.manufacturer.recallLots.estimateGas([loins, fillets], reason);
    expect(two > one).to.equal(true);
    const seen: RecallTransaction[] = [];
    const sent = await sendBatches(
      fishTrace,
      [{ stage: "manufacturer", lotIds: [loins, fillets] }],
      200,
      reason,
      (one + two) / 2n,
      (tx) => seen.push(tx),
    );
    expect(sent.map((t) => t.lotIds)).to.deep.equal([[loins], [fillets]]);
    expect(sent.map((t) => t.recalled)).to.deep.equal([[loins], [fillets]]);
    expect(seen).to.deep.equal(sent);
    expect((await tw.world.retailer.getLot(fillets)).flags & BigInt(LOT_FLAGS.RECALLED)).to.not.equal(0n);

    // A FishTrace revert is reported as it is, not halved away: an id the stage does not know.
    await sendBatches(
      fishTrace,
      [{ stage: "manufacturer", lotIds: [loins, 999n] }],
      200,
      reason,
      two * 10n,
      () => {},
    ).then(
      () => expect.fail("recalled an unknown lot"),
      (err: unknown) => expect(customErrorOf(err)?.name).to.equal("LotNotFound"),
    );
  });

  it("lists each lot's holder, customers and open orders, and writes them as RFC 4180 CSV", async function () {
    const tw = await loadTraceWorld();
    const { a } = tw.catches;
    const { loins, fillets } = tw.packs;
    const rows = await recallNotice(tw.index, [a, loins, fillets, 12345n]);
    expect(rows.map((r) => r.lotId)).to.deep.equal([a, loins, fillets]);
    const [catchRow, loinsRow, filletsRow] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    expect(catchRow).to.deep.include({ kind: "catch", species: "COD", weightGrams: 300_000 });
    expect(catchRow.gtin).to.equal(undefined);
    expect(loinsRow).to.deep.include({ kind: "product", species: "COD", weightGrams: 120_000 });
    const loinsGtin = gtin14(tw.gtins.loins);
    expect(loinsRow.gtin).to.equal(loinsGtin);
    expect(loinsRow.lotNumber).to.equal(tw.lotNumber);
    expect(loinsRow.digitalLink).to.equal(`https://id.gs1.org/01/${loinsGtin}/10/${tw.lotNumber}`);
    expect(loinsRow.holder).to.deep.include({
      stage: "customer",
      status: "Created",
      name: "Kari Nordmann",
      location: "NO-OSL",
    });
    expect(loinsRow.holder!.account).to.equal(tw.world.cast.customer1.address);
    expect(loinsRow.customers.map((c) => c.name)).to.deep.equal(["Kari Nordmann"]);
    expect(filletsRow.holder).to.deep.include({ stage: "retailer", status: "Created", name: "Fiskebrygga Market" });
    expect(filletsRow.customers).to.deep.equal([]);
    // Every order of the journey is settled: none open.
    expect(rows.flatMap((r) => r.openOrders)).to.deep.equal([]);
    expect(rows.every((r) => r.recallTx === undefined)).to.equal(true);

    const records = csvRecords(noticeCsv(rows));
    expect(records.map((r) => r.lot_id)).to.deep.equal(
      rows.map((r) => (r.kind === "catch" ? String(r.lotId) : `0x${r.lotId.toString(16).padStart(64, "0")}`)),
    );
    expect(records[1]).to.deep.include({
      kind: "product",
      weight_kg: "120",
      gtin: loinsGtin,
      holder_stage: "customer",
      holder_name: "Kari Nordmann",
    });
    expect(records[2]).to.deep.include({ holder_stage: "retailer", holder_name: "Fiskebrygga Market", customers: "" });

    expect(csvField("plain")).to.equal("plain");
    expect(csvField('Fisk & Co <"AS">, Bergen')).to.equal('"Fisk & Co <""AS"">, Bergen"');
    expect(csvField("two\nlines")).to.equal('"two\nlines"');
    expect(kilograms(400)).to.equal("0.4");
    expect(kilograms(1_234_500)).to.equal("1234.5");
  });
});

function gtinOf(body: string): string {
  return `${body}${gtinCheckDigit(body)}`;
}
const PACKS = (["0703801099901", "0703801099902", "0703801099903"] as const).map((body, i) => {
  const g = gtinOf(body);
  const lot = `R-${i + 1}`;
  return { gtin: g, lot, ref: `${g}:${lot}`, id: productLotId(BigInt(g), lot) };
}) as [Pack, Pack, Pack];
interface Pack {
  gtin: string;
  lot: string;
  ref: string;
  id: bigint;
}

/** Places, ships, confirms and acknowledges an order in `stage`'s book. */
async function sale(stage: string, weight: string, lots: string): Promise<void> {
  const placed = await ok<{ orderId: bigint }>(["order", "place"], { stage, species: "COD", weight, price: "0.1" });
  const order = String(placed.value.orderId);
  await ok(["order", "ship"], { stage, order, lots });
  await ok(["order", "confirm"], { stage, order });
  await ok(["order", "acknowledge"], { stage, order });
}

describe("recall task", function () {
  let addresses: Record<string, string>;
  let dir: string;
  let regulator: string;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "fishtrace-recall-"));
    addresses = (await ok<Record<string, string>>(["deploy"])).value;
    const { cast } = await enrolDemoCast();
    regulator = cast.regulator;
    await ok(["species", "add"], { code: "COD", name: "Atlantic cod" });
    await ok(["harvester", "register"], { ...CATCH, weight: "100kg" });
    await ok(["harvester", "register"], { ...CATCH, weight: "50kg" });
    await sale("harvester", "150kg", "1,2");
    await sale("supplier", "150kg", "1,2");
    await ok(["manufacturer", "process"], {
      inputs: "1:30kg",
      outputs: PACKS.map((p) => `${p.gtin}:${p.lot}:10kg`).join(","),
    });
    await sale("manufacturer", "30kg", PACKS.map((p) => p.ref).join(","));
    await ok(["order", "place"], { stage: "distributor", species: "COD", weight: "30kg", price: "0.1" });
    await ok(["distributor", "dispatch"], {
      order: "1",
      shipment: "4001",
      lots: PACKS.map((p) => p.ref).join(","),
      origin: "7080003000033",
      destination: "7080003000040",
      mode: "road",
      vehicle: "EL 12345",
    });
    await ok(["distributor", "arrive"], { order: "1", location: "7080003000040" });
    await ok(["order", "acknowledge"], { stage: "distributor", order: "1" });
    await sale("retailer", "10kg", PACKS[0].ref);
    // Pack B shipped to the customer, not yet accepted: an open order.
    await ok(["order", "place"], { stage: "retailer", species: "COD", weight: "10kg", price: "0.1" });
    await ok(["order", "ship"], { stage: "retailer", order: "2", lots: PACKS[1].ref });
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  async function flagsAt(stage: StageName, lotId: bigint): Promise<bigint | undefined> {
    const { ethers } = await hre.network.getOrCreate();
    const lot = await Stage__factory.connect(addresses[stage]!, ethers.provider)
      .getLot(lotId)
      .catch(() => undefined);
    return lot === undefined || lot.status === 0n ? undefined : lot.flags;
  }

  /** The stages that know `lotId`, and whether it is recalled at each. */
  async function recalledAt(lotId: bigint): Promise<Partial<Record<StageName, boolean>>> {
    const out: Partial<Record<StageName, boolean>> = {};
    for (const stage of STAGE_NAMES) {
      const flags = await flagsAt(stage, lotId);
      if (flags !== undefined) out[stage] = (flags & BigInt(LOT_FLAGS.RECALLED)) !== 0n;
    }
    return out;
  }

  it("fails in one line for a signer who is not a REGULATOR, and for a lot nobody knows", async function () {
    const { ethers } = await hre.network.getOrCreate();
    const vessel = (await ethers.getSigners())[1]!.address;
    expect(await fails(["recall"], { lot: "1", reason: "listeria", from: "1" })).to.equal(
      `error: ${vessel} is not a REGULATOR`,
    );
    expect(await fails(["recall"], { lot: "77", reason: "listeria" })).to.match(/^error: lot 77 is not in the index/);
    expect(await fails(["recall"], { lot: "1" })).to.equal("error: --reason is required");
    expect(await fails(["recall"], { lot: "1", reason: "x", batch: "0" })).to.match(/^error: --batch "0"/);
  });

  it("--dry-run lists the plan and sends nothing", async function () {
    const { ethers } = await hre.network.getOrCreate();
    const blockBefore = await ethers.provider.getBlockNumber();
    const out = path.join(dir, "dry.csv");
    const run = await ok<RecallOutcome>(["recall"], { lot: "1", reason: "listeria", dryRun: true, out });
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
    expect(run.value.transactions).to.deep.equal([]);
    expect(run.text).to.include("dry run: nothing sent");
    expect(run.text).to.include("would recall at the harvester (1 lot");
    expect(run.text).to.include("would recall at the manufacturer (3 lots");
    for (const p of PACKS) expect(run.text).to.include(`(01)${p.gtin}(10)${p.lot}`);
    expect(await recalledAt(1n)).to.deep.equal({ harvester: false, supplier: false, manufacturer: false });
    await readFile(out).then(
      () => expect.fail("a dry run wrote the notice"),
      () => undefined,
    );
  });

  it("recalls a catch and every pack made of it at every stage, and writes the notice", async function () {
    const out = path.join(dir, "notice.csv");
    const started = Date.now();
    const run = await ok<RecallOutcome>(["recall"], { lot: "1", reason: "listeria", batch: "2", out });
    const v = run.value;
    expect(v.regulator).to.equal(regulator);
    expect(v.transactions.map((t) => [t.stage, t.lotIds.length])).to.deep.equal([
      ["harvester", 1],
      ["manufacturer", 2],
      ["manufacturer", 1],
    ]);
    expect(v.recalledNow).to.have.members([1n, ...PACKS.map((p) => p.id)]);
    expect(v.alreadyRecalled).to.deep.equal([]);
    expect(run.text).to.match(/recalled now {6}4 lots \(1 at the harvester, 3 at the manufacturer/);
    expect(run.text).to.match(/transactions {6}3, gas [\d,]+/);
    expect(run.text).to.match(/batch 1 at the harvester: 1 lot \(1\/4\), tx 0x[0-9a-f]{64}/);

    // On chain: the catch at the three stages that know it; each pack at every stage it reached.
    expect(await recalledAt(1n)).to.deep.equal({ harvester: true, supplier: true, manufacturer: true });
    expect(await recalledAt(PACKS[0].id)).to.deep.equal({
      manufacturer: true,
      distributor: true,
      retailer: true,
      customer: true,
    });
    for (const p of [PACKS[1], PACKS[2]]) {
      expect(await recalledAt(p.id)).to.deep.equal({ manufacturer: true, distributor: true, retailer: true });
    }
    // Catch 2, not an ancestor-descendant of catch 1, is untouched.
    expect(await recalledAt(2n)).to.deep.equal({ harvester: false, supplier: false, manufacturer: false });

    const records = csvRecords(await readFile(out, "utf8"));
    expect(records).to.have.length(4);
    const byLot = new Map(records.map((r) => [r.lot_id, r]));
    const hex = (id: bigint) => `0x${id.toString(16).padStart(64, "0")}`;
    expect(byLot.get("1")).to.deep.include({
      kind: "catch",
      weight_kg: "100",
      holder_stage: "manufacturer",
      holder_name: "Lofoten Fillet AS",
    });
    const [a, b, c] = PACKS.map((p) => byLot.get(hex(p.id))!) as [
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
    ];
    expect(a).to.deep.include({ holder_stage: "customer", holder_status: "Created", holder_name: "Kari Nordmann" });
    expect(a.customers).to.match(/^Kari Nordmann \(0x[0-9a-fA-F]{40}\)$/);
    expect(a.digital_link).to.equal(`https://id.gs1.org/01/${PACKS[0].gtin}/10/${PACKS[0].lot}`);
    expect(b).to.deep.include({ holder_stage: "retailer", holder_status: "Shipped", holder_name: "Tromsø Fiskehall" });
    expect(b.open_orders).to.match(/^retailer order 2 Shipped: Kari Nordmann \(0x[0-9a-fA-F]{40}\)$/);
    expect(c).to.deep.include({ holder_stage: "retailer", holder_status: "Created", customers: "", open_orders: "" });
    for (const r of records) expect(r.recall_tx).to.match(/^0x[0-9a-f]{64}$/);
    expect(run.text).to.include("buyers of open orders 1:");
    expect(run.text).to.include(`wrote ${out} (4 lots)`);
    expect(Date.now() - started).to.be.below(20_000);
  });

  it("a second run sends no transaction and still writes the notice", async function () {
    const { ethers } = await hre.network.getOrCreate();
    const blockBefore = await ethers.provider.getBlockNumber();
    const out = path.join(dir, "again.csv");
    const run = await ok<RecallOutcome>(["recall"], { lot: "1", reason: "listeria", out });
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
    expect(run.value.transactions).to.deep.equal([]);
    expect(run.text).to.include("already recalled: 4 lots; no transaction sent");
    expect(csvRecords(await readFile(out, "utf8"))).to.have.length(4);
  });

  it("recalls a pack named by its GS1 Digital Link (already recalled: nothing sent)", async function () {
    const out = path.join(dir, "pack.csv");
    const link = `https://id.gs1.org/01/${PACKS[2].gtin}/10/${PACKS[2].lot}`;
    const run = await ok<RecallOutcome>(["recall"], { lot: link, reason: "listeria", out });
    expect(run.value.plan.lots.map((l) => l.lotId)).to.deep.equal([PACKS[2].id]);
    expect(run.value.transactions).to.deep.equal([]);
  });
});
