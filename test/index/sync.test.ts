/**
 * The trace indexer (src/index/sync.ts) on the journey of test/helpers/trace-world.ts: the tables hold exactly what
 * happened; a second run changes nothing; an index stopped part-way and resumed equals one built in one go; a chunk
 * that fails half-way leaves nothing of itself; an index of another deployment, schema version or chain is refused
 * in one line; and the `indexer` task prints one summary line or one error line.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { encodeBytes32String } from "ethers";

import { openIndex, type Sql } from "../../src/index/db.js";
import { indexPosition, resetIndex, syncIndex, type IndexProvider } from "../../src/index/sync.js";
import { InputError } from "../../src/core/input-error.js";
import { ethers } from "../helpers/fixtures.js";
import { fails, ok } from "../helpers/task-run.js";
import { dumpIndex as dump } from "../helpers/index-dump.js";
import { loadTraceWorld, type TraceWorld } from "../helpers/trace-world.js";

async function count(sql: Sql, table: string, where = "true"): Promise<number> {
  const [row] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  return row!.n;
}

/** What `promise` rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  expect.fail("expected a rejection");
}

describe("indexer: chain events into the trace index", function () {
  let tw: TraceWorld;
  /** A second index (opening a PGlite costs seconds: it is emptied with `resetIndex` instead). */
  let scratch: Sql;

  /** The scratch index, emptied. */
  async function newIndex(): Promise<Sql> {
    await resetIndex(scratch);
    return scratch;
  }

  before(async () => {
    scratch = await openIndex({ dir: "memory://" });
  });

  after(async () => {
    await scratch.close();
  });

  beforeEach(async () => {
    tw = await loadTraceWorld();
  });

  it("holds exactly the journey: lots, lineage, stages, orders, shipments, custody, scans, sensors, parties", async () => {
    const { index: sql, world, catches, packs, processId } = tw;
    const id = (name: keyof typeof world.ids) => Number(world.ids[name]);
    const { a, b } = catches;
    const { loins, fillets } = packs;

    expect(
      await sql.query(
        `SELECT lot_id, kind, species, weight_grams, origin_stage, harvester_id, catch_area, vessel, gear, gtin,
           lot_number, process_id, frozen FROM lots ORDER BY created_block, lot_id`,
      ),
    ).to.deep.equal([
      ...[a, b].map((lot) => ({
        lot_id: String(lot),
        kind: "catch",
        species: "COD",
        weight_grams: lot === a ? 300_000 : 200_000,
        origin_stage: 1,
        harvester_id: id("harvester1"),
        catch_area: "27.2.a",
        vessel: "IMO9241061",
        gear: "OTB",
        gtin: null,
        lot_number: null,
        process_id: null,
        frozen: false,
      })),
      ...[fillets, loins]
        .sort((x, y) => (String(x) < String(y) ? -1 : 1))
        .map((lot) => ({
          lot_id: String(lot),
          kind: "product",
          species: "COD",
          weight_grams: lot === loins ? 120_000 : 100_000,
          origin_stage: 3,
          harvester_id: null,
          catch_area: null,
          vessel: null,
          gear: null,
          gtin: lot === loins ? "07038010000010" : "07038010000027",
          lot_number: "NK-2026-11-20",
          process_id: String(processId),
          // A product's form is indexed from ProductLotCreated (it was null, and a frozen pack was judged as fresh).
          frozen: false,
        })),
    ]);

    expect(
      await sql.query(
        `SELECT parent_id, child_id, process_id, consumed_grams FROM lineage ORDER BY parent_id, child_id`,
      ),
    ).to.have.deep.members([
      { parent_id: String(a), child_id: String(loins), process_id: String(processId), consumed_grams: 300_000 },
      { parent_id: String(a), child_id: String(fillets), process_id: String(processId), consumed_grams: 300_000 },
      { parent_id: String(b), child_id: String(loins), process_id: String(processId), consumed_grams: 50_000 },
      { parent_id: String(b), child_id: String(fillets), process_id: String(processId), consumed_grams: 50_000 },
    ]);
    expect(await sql.query(`SELECT manufacturer_id, produced_grams, yield_bps FROM processes`)).to.deep.equal([
      { manufacturer_id: id("manufacturer1"), produced_grams: 220_000, yield_bps: 6_285 },
    ]);

    const stage = (lot: bigint, n: number, holder: keyof typeof world.ids, status: string, received?: bigint) => ({
      lot_id: String(lot),
      stage: n,
      custodian_id: id(holder),
      status,
      flags: 0,
      received_order: received === undefined ? null : String(received),
      removed_reason: status === "Removed" ? "consumed" : null,
    });
    expect(
      await sql.query(
        `SELECT lot_id, stage, custodian_id, status, flags, received_order, removed_reason FROM lot_stages`,
      ),
    ).to.have.deep.members([
      stage(a, 1, "harvester1", "Supplied"),
      stage(a, 2, "supplier1", "Supplied", tw.orders.harvester),
      stage(a, 3, "manufacturer1", "Removed", tw.orders.supplier),
      stage(b, 1, "harvester1", "Supplied"),
      stage(b, 2, "supplier1", "Supplied", tw.orders.harvester),
      stage(b, 3, "manufacturer1", "Created", tw.orders.supplier),
      stage(loins, 3, "manufacturer1", "Supplied"),
      stage(loins, 4, "distributor1", "Supplied", tw.orders.manufacturer),
      stage(loins, 5, "retailer1", "Supplied", tw.orders.distributor),
      stage(loins, 6, "customer1", "Created", tw.orders.retailer),
      stage(fillets, 3, "manufacturer1", "Supplied"),
      stage(fillets, 4, "distributor1", "Supplied", tw.orders.manufacturer),
      stage(fillets, 5, "retailer1", "Created", tw.orders.distributor),
    ]);

    const sales: [number, bigint, keyof typeof world.ids, keyof typeof world.ids, number, bigint][] = [
      [1, tw.orders.harvester, "harvester1", "supplier1", 500_000, tw.shipments.harvester],
      [2, tw.orders.supplier, "supplier1", "manufacturer1", 500_000, tw.shipments.supplier],
      [3, tw.orders.manufacturer, "manufacturer1", "distributor1", 220_000, tw.shipments.manufacturer],
      [4, tw.orders.distributor, "distributor1", "retailer1", 220_000, tw.shipments.distributor],
      [5, tw.orders.retailer, "retailer1", "customer1", 120_000, tw.shipments.retailer],
    ];
    const orders = await sql.query<Record<string, unknown>>(
      `SELECT stage, order_id, seller_id, buyer_id, species, weight_grams, state,
         (shipped_time IS NOT NULL AND delivered_time IS NOT NULL AND settled_time IS NOT NULL) AS timed
       FROM orders ORDER BY stage`,
    );
    expect(orders).to.deep.equal(
      sales.map(([n, orderId, seller, buyer, weight]) => ({
        stage: n,
        order_id: String(orderId),
        seller_id: id(seller),
        buyer_id: id(buyer),
        species: "COD",
        weight_grams: weight,
        state: "Paid",
        timed: true,
      })),
    );
    expect(
      await sql.query(
        `SELECT stage, order_id, shipment_no, weight_grams, origin, destination, mode, vehicle, arrived_location
         FROM shipments ORDER BY stage`,
      ),
    ).to.deep.equal(
      sales.map(([n, orderId, , , weight, shipmentNo]) => ({
        stage: n,
        order_id: String(orderId),
        shipment_no: String(shipmentNo),
        weight_grams: weight,
        origin: n === 4 ? tw.route.origin : null,
        destination: n === 4 ? tw.route.destination : null,
        mode: n === 4 ? "road" : null,
        vehicle: n === 4 ? tw.route.vehicle : null,
        arrived_location: n === 4 ? tw.route.destination : null,
      })),
    );
    const carried: [number, bigint[]][] = [
      [1, [a, b]],
      [2, [a, b]],
      [3, [loins, fillets]],
      [4, [loins, fillets]],
      [5, [loins]],
    ];
    expect(await sql.query(`SELECT stage, lot_id FROM shipment_lots`)).to.have.deep.members(
      carried.flatMap(([n, lots]) => lots.map((lot) => ({ stage: n, lot_id: String(lot) }))),
    );
    expect(
      await sql.query(`SELECT stage, lot_id, from_id, to_id, order_id FROM custody ORDER BY block, log_index`),
    ).to.deep.equal(
      carried.flatMap(([n, lots]) =>
        lots.map((lot) => ({
          stage: n,
          lot_id: String(lot),
          from_id: id(sales[n - 1]![2]),
          to_id: id(sales[n - 1]![3]),
          order_id: String(sales[n - 1]![1]),
        })),
      ),
    );

    expect(
      await sql.query(`SELECT stage, lot_id, reporter_id, temperature, humidity FROM readings ORDER BY lot_id`),
    ).to.deep.equal(
      [a, b].map((lot) => ({
        stage: 1,
        lot_id: String(lot),
        reporter_id: id("gateway"),
        temperature: 150,
        humidity: 90,
      })),
    );
    expect(
      await sql.query(`SELECT device_id, reading_id, lot_id, species, species_confidence, grade FROM scans`),
    ).to.deep.equal([
      {
        device_id: Number(tw.scan.deviceId),
        reading_id: String(tw.scan.readingId),
        lot_id: String(a),
        species: "COD",
        species_confidence: 97,
        grade: tw.scan.grade,
      },
    ]);
    const temps = tw.sensor.readings.map((r) => r.temperature);
    expect(
      await sql.query(
        `SELECT root, gateway_id, stage, count, minimum, maximum, from_time, to_time FROM sensor_batches`,
      ),
    ).to.deep.equal([
      {
        root: tw.sensor.root,
        gateway_id: Number(tw.sensor.gatewayId),
        stage: 1,
        count: temps.length,
        minimum: Math.min(...temps),
        maximum: Math.max(...temps),
        from_time: tw.sensor.readings[0]!.readAt,
        to_time: tw.sensor.readings.at(-1)!.readAt,
      },
    ]);
    expect(await sql.query(`SELECT root, lot_id FROM sensor_batch_lots`)).to.have.deep.members(
      [a, b].map((lot) => ({ root: tw.sensor.root, lot_id: String(lot) })),
    );

    const parties = await sql.query<{ id: number; account: string; name: string; location: string }>(
      `SELECT id, account, name, location FROM participants ORDER BY id`,
    );
    expect(parties).to.have.length(17); // the admin and everyone the world registers (not the outsider)
    const party = (name: keyof typeof world.cast) => parties.find((p) => p.id === id(name));
    expect(party("harvester1")).to.deep.equal({
      id: id("harvester1"),
      account: world.cast.harvester1.address,
      name: "FV Nordkapp",
      location: "7080003000012",
    });
    expect(party("manufacturer1")?.name).to.equal("Lofoten Filet");
    expect(party("customer1")?.name).to.equal("Kari Nordmann");
    expect(party("gateway")?.name).to.equal("");
    expect(await sql.query(`SELECT code, name, listed FROM species ORDER BY code`)).to.deep.equal([
      { code: "COD", name: "Atlantic cod", listed: true },
      { code: "HAD", name: "Haddock", listed: true },
    ]);
    expect(await count(sql, "flags")).to.equal(0);
    expect(await count(sql, "recalls")).to.equal(0);

    // Every event is kept as decoded, bigints as text, structs as objects.
    const [registered] = await sql.query<{
      contract: string;
      args: { lotId: string; catchData: { weightGrams: string } };
    }>(`SELECT contract, args FROM events WHERE name = 'FishRegistered' ORDER BY block LIMIT 1`);
    expect(registered).to.deep.include({ contract: "harvester" });
    expect(registered!.args.lotId).to.equal(String(a));
    expect(registered!.args.catchData.weightGrams).to.equal("300000");
    const received = await sql.query<{ contract: string; n: number }>(
      `SELECT contract, count(*)::int AS n FROM events WHERE name = 'LotReceived' GROUP BY contract ORDER BY contract`,
    );
    expect(received).to.deep.equal([
      { contract: "customer", n: 1 },
      { contract: "distributor", n: 2 },
      { contract: "manufacturer", n: 2 },
      { contract: "retailer", n: 2 },
      { contract: "supplier", n: 2 },
    ]);
  });

  it("a second run reads nothing and changes nothing; the cursor stays", async () => {
    const before = await dump(tw.index);
    const position = await indexPosition(tw.index);
    const result = await syncIndex(tw.index, ethers.provider, tw.world.addresses);
    expect(result.events).to.equal(0);
    expect(result.toBlock).to.equal(position!.block);
    expect(await indexPosition(tw.index)).to.deep.equal(position);
    expect(await dump(tw.index)).to.deep.equal(before);
  });

  it("an index stopped part-way and resumed after more events equals one built in one go", async () => {
    const { world, packs, startBlock } = tw;
    const [process] = await tw.index.query<{ block: number }>(`SELECT block FROM processes`);
    const stop = Number(process!.block) - 1;

    const resumed = await newIndex();
    const first = await syncIndex(resumed, ethers.provider, world.addresses, {
      fromBlock: startBlock,
      toBlock: stop,
      chunk: 7,
    });
    expect(first.toBlock).to.equal(stop);
    expect(await indexPosition(resumed)).to.include({ block: stop });
    expect(await count(resumed, "lots")).to.equal(2);

    // More happens: a regulator recalls the fillets where they were made (the recall follows them to the
    // retailer), and the customer reports the loins spoiled.
    const reason = encodeBytes32String("Listeria NK-2026-11-20");
    await world.manufacturer.connect(world.cast.regulator).recallLots([packs.fillets], reason);
    await world.customer.connect(world.cast.customer1).reportProblem(packs.loins, 0, encodeBytes32String("off"));

    const second = await syncIndex(resumed, ethers.provider, world.addresses, { chunk: 7 });
    expect(second.fromBlock).to.equal(stop + 1);
    // The fixture's index, rebuilt in one go (the next test's sync() rebuilds it for the restored chain).
    const oneGo = tw.index;
    await syncIndex(oneGo, ethers.provider, world.addresses, { fromBlock: startBlock, reset: true });
    expect(await dump(resumed)).to.deep.equal(await dump(oneGo));

    expect(await resumed.query(`SELECT lot_id, stage, regulator_id, reason FROM recalls ORDER BY stage`)).to.deep.equal(
      [3, 4, 5].map((n) => ({
        lot_id: String(packs.fillets),
        stage: n,
        regulator_id: Number(world.ids.regulator),
        reason: "Listeria NK-2026-11-20",
      })),
    );
    expect(
      await resumed.query(`SELECT stage, flags FROM lot_stages WHERE lot_id = $1 ORDER BY stage`, [
        String(packs.fillets),
      ]),
    ).to.deep.equal([3, 4, 5].map((n) => ({ stage: n, flags: 32 })));
    expect(await resumed.query(`SELECT lot_id, stage, kind, detail FROM flags`)).to.deep.equal([
      {
        lot_id: String(packs.loins),
        stage: 6,
        kind: "problem",
        detail: { customerId: Number(world.ids.customer1), reason: "spoiled", detail: "off" },
      },
    ]);
    expect(
      await resumed.query(`SELECT flags FROM lot_stages WHERE lot_id = $1 AND stage = 6`, [String(packs.loins)]),
    ).to.deep.equal([{ flags: 64 }]);
  });

  it("a chunk that fails half-way leaves none of its rows and the cursor at the last whole chunk", async () => {
    const { world, startBlock } = tw;
    const sql = await newIndex();
    const crashAt = startBlock + 20;
    let insertedBeforeCrash = 0;
    const err = await rejection(
      syncIndex(sql, ethers.provider, world.addresses, {
        fromBlock: startBlock,
        chunk: 10,
        beforeCommit: async (p, tx) => {
          if (p.from < crashAt) return;
          insertedBeforeCrash = await count(tx, "events", `block >= ${p.from}`);
          throw new Error("simulated crash");
        },
      }),
    );
    expect(err.message).to.equal("simulated crash");
    expect(insertedBeforeCrash).to.be.greaterThan(0);
    expect(await indexPosition(sql)).to.include({ block: crashAt - 1 });
    for (const table of ["events", "blocks"]) {
      const column = table === "events" ? "block" : "number";
      expect(await count(sql, table, `${column} >= ${crashAt}`), table).to.equal(0);
      expect(await count(sql, table), table).to.equal(await count(tw.index, table, `${column} < ${crashAt}`));
    }

    await syncIndex(sql, ethers.provider, world.addresses, { chunk: 10 });
    expect(await dump(sql)).to.deep.equal(await dump(tw.index));
  });

  it("catches up from scratch with the default chunk when the node drops wide getLogs calls (any error halves it)", async () => {
    // A stand-in for a node behind a proxy that closes the connection on a large answer (undici's "other side
    // closed"): getLogs over more than 8 blocks fails with that message, which names no range limit. (Simulated in
    // the provider the indexer is given, rather than with the 50,000 events that make a real node do it.)
    const { world, startBlock } = tw;
    const asked: number[] = [];
    const provider: IndexProvider = {
      getBlockNumber: () => ethers.provider.getBlockNumber(),
      getBlock: (block) => ethers.provider.getBlock(block),
      getNetwork: () => ethers.provider.getNetwork(),
      getCode: (address, tag) => ethers.provider.getCode(address, tag),
      getLogs: async (filter) => {
        const span = "toBlock" in filter ? Number(filter.toBlock) - Number(filter.fromBlock) + 1 : 1;
        asked.push(span);
        if (span > 8) throw new Error("Failed to make POST request to http://127.0.0.1:8545: other side closed");
        return ethers.provider.getLogs(filter);
      },
    };
    const sql = await newIndex();
    const head = await ethers.provider.getBlockNumber();
    expect(head - startBlock, "the journey spans more blocks than the node takes at once").to.be.greaterThan(16);
    const result = await syncIndex(sql, provider, world.addresses, { fromBlock: startBlock });
    expect(result.toBlock).to.equal(head);
    expect(await dump(sql)).to.deep.equal(await dump(tw.index));
    // It started at the default chunk, halved down to what the node takes, and tried larger chunks again.
    expect(asked[0]).to.be.greaterThan(head - startBlock);
    expect(Math.max(...asked.filter((span) => span <= 8)), "halved to what works, not to 1").to.be.at.least(4);
    const firstWorking = asked.findIndex((span) => span <= 8);
    expect(
      asked.slice(firstWorking).some((span) => span > 8),
      "grew back after working chunks",
    ).to.equal(true);
  });

  it("refuses in one line an index of another deployment, another schema version or a chain that moved", async () => {
    const { world, startBlock } = tw;
    const other = { ...world.addresses, registry: world.addresses.harvester };
    const foreign = await rejection(syncIndex(tw.index, ethers.provider, other));
    expect(foreign).to.be.instanceOf(InputError);
    expect(foreign.message).to.match(/^the index belongs to deployment 31337:0x[0-9a-f]{40}, not 31337:0x/);
    expect(foreign.message).to.not.include("\n");

    const sql = await newIndex();
    await syncIndex(sql, ethers.provider, world.addresses, { fromBlock: startBlock, toBlock: startBlock + 5 });
    await sql.query(`UPDATE meta SET value = '0' WHERE key = 'schema_version'`);
    const old = await rejection(syncIndex(sql, ethers.provider, world.addresses));
    expect(old).to.be.instanceOf(InputError);
    expect(old.message).to.match(/^the index was built with schema version 0, this indexer writes version 1/);

    await sql.query(`UPDATE meta SET value = '1' WHERE key = 'schema_version'`);
    await sql.query(`UPDATE cursor SET last_hash = $1`, [`0x${"ab".repeat(32)}`]);
    const moved = await rejection(syncIndex(sql, ethers.provider, world.addresses));
    expect(moved).to.be.instanceOf(InputError);
    expect(moved.message).to.match(/^the chain no longer has block \d+ the index stopped at .* --reset$/);
    // Asked to, it rebuilds from the start block it recorded.
    await syncIndex(sql, ethers.provider, world.addresses, { onMismatch: "reset" });
    expect(await dump(sql)).to.deep.equal(await dump(tw.index));
  });

  describe("task: npx hardhat indexer", () => {
    let dir: string;

    before(async function () {
      dir = await mkdtemp(path.join(tmpdir(), "fishtrace-indexer-"));
      await ok(["deploy"]);
    });

    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("prints one summary line; a second run indexes nothing", async () => {
      const db = path.join(dir, "pglite");
      const first = await ok<{ events: number; toBlock: number }>(["indexer"], { db });
      expect(first.text).to.match(
        /^indexed \d[\d,]* events in \d[\d,]* blocks \(\d+\.\.\d+\) in \d+\.\d\d s, \d[\d,]* events\/s; index at block \d+$/,
      );
      expect(first.value.events).to.be.greaterThan(0);
      const again = await ok<{ events: number; toBlock: number }>(["indexer"], { db });
      expect(again.value).to.include({ events: 0, toBlock: first.value.toBlock });
      expect(again.text).to.match(/^indexed 0 events in 0 blocks/);
    });

    it("a bad option fails in one line", async () => {
      expect(await fails(["indexer"], { db: path.join(dir, "bad"), confirmations: "many" })).to.equal(
        'error: --confirmations "many" is not a whole number 0..10000',
      );
      expect(await fails(["indexer"], { db: path.join(dir, "bad"), interval: "5" })).to.equal(
        "error: --interval needs --follow",
      );
    });
  });
});
