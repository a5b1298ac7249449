/**
 * The indexer writes a chunk's rows many to a statement (src/index/apply.ts): the same history indexed in one
 * chunk in bulk, in small chunks in bulk, and a statement per row in one-block chunks holds exactly the same rows in
 * every table — with events that write over rows written earlier in the same chunk (a lot received at each stage
 * copies the flags of the stage before; a recall, two problems with one pack and a removal change rows made by the
 * journey; a logistic unit unpacked in the same chunk as it was packed).
 */
import { expect } from "chai";
import { encodeBytes32String } from "ethers";

import { openIndex, type Sql } from "../../src/index/db.js";
import { resetIndex, syncIndex } from "../../src/index/sync.js";
import { LOT_FLAGS } from "../../src/core/vocabulary.js";
import { ethers } from "../helpers/fixtures.js";
import { ssccWithCheckDigit } from "../../src/core/sscc.js";
import { dumpIndex, INDEX_TABLES } from "../helpers/index-dump.js";
import { loadTraceWorld, type TraceWorld } from "../helpers/trace-world.js";

/** GS1's example SSCCs (check digits valid). */
const SSCC = { b: 376104250021234569n, loins: 106141411234567897n, pallet: ssccWithCheckDigit(614_141_999_999_999) };

/** `sql`, counting the statements run through it (and its transactions). */
function counting(sql: Sql, count: { statements: number }): Sql {
  return {
    kind: sql.kind,
    query: (text, params) => {
      count.statements++;
      return sql.query(text, params);
    },
    exec: (text) => sql.exec(text),
    transaction: (work) => sql.transaction((tx) => work(counting(tx, count))),
    close: () => sql.close(),
  };
}

describe("indexer: rows written in bulk equal rows written one by one", function () {
  this.timeout(60_000);
  let tw: TraceWorld;
  let rowByRow: Sql;
  let reference: Record<string, string[]>;
  const rowStatements = { statements: 0 };

  before(async () => {
    tw = await loadTraceWorld();
    const { world, packs, catches } = tw;
    await world.manufacturer.connect(world.cast.regulator).recallLots([packs.fillets], encodeBytes32String("Listeria"));
    await world.customer.connect(world.cast.customer1).reportProblem(packs.loins, 0, encodeBytes32String("off"));
    await world.customer.connect(world.cast.customer1).reportProblem(packs.loins, 3, encodeBytes32String("torn"));
    // Catch B packed into a logistic unit, put onto a pallet, taken off and unpacked at the manufacturer; the loins
    // packed at the customer.
    const packing = world.packing!;
    await packing.connect(world.cast.manufacturer1).pack(SSCC.b, [catches.b]);
    await packing.connect(world.cast.manufacturer1).packUnits(SSCC.pallet, [SSCC.b]);
    await packing.connect(world.cast.manufacturer1).unpack(SSCC.pallet);
    await packing.connect(world.cast.manufacturer1).unpack(SSCC.b);
    await packing.connect(world.cast.customer1).pack(SSCC.loins, [packs.loins]);
    await world.manufacturer.connect(world.cast.manufacturer1).removeFish(catches.b, 1);
    rowByRow = await openIndex({ dir: "memory://" });
    await syncIndex(counting(rowByRow, rowStatements), ethers.provider, world.addresses, {
      fromBlock: tw.startBlock,
      chunk: 1,
      bulk: false,
    });
    reference = await dumpIndex(rowByRow);
  });

  after(async () => {
    await rowByRow.close();
  });

  it("the row-by-row index holds the changes made over the journey's rows", async () => {
    for (const table of INDEX_TABLES) expect(reference[table], table).to.not.be.empty;
    const { packs, catches } = tw;
    expect(
      await rowByRow.query(`SELECT stage, flags FROM lot_stages WHERE lot_id = $1 ORDER BY stage`, [
        String(packs.fillets),
      ]),
    ).to.deep.equal([3, 4, 5].map((stage) => ({ stage, flags: LOT_FLAGS.RECALLED })));
    expect(
      await rowByRow.query(`SELECT flags FROM lot_stages WHERE lot_id = $1 AND stage = 6`, [String(packs.loins)]),
    ).to.deep.equal([{ flags: LOT_FLAGS.PROBLEM_REPORTED }]);
    expect(
      await rowByRow.query(`SELECT status, removed_reason FROM lot_stages WHERE lot_id = $1 AND stage = 3`, [
        String(catches.b),
      ]),
    ).to.deep.equal([{ status: "Removed", removed_reason: "consumed" }]);
    expect(
      await rowByRow.query(
        `SELECT sscc::text, lot_id::text, stage, unpack_stage, unpacked_time IS NOT NULL AS unpacked FROM unit_lots
         ORDER BY sscc`,
      ),
    ).to.deep.equal([
      { sscc: String(SSCC.loins), lot_id: String(packs.loins), stage: 6, unpack_stage: null, unpacked: false },
      { sscc: String(SSCC.b), lot_id: String(catches.b), stage: 3, unpack_stage: 3, unpacked: true },
    ]);
    expect(
      await rowByRow.query(`SELECT sscc::text, child_sscc::text, stage, unpack_stage FROM unit_units`),
    ).to.deep.equal([{ sscc: String(SSCC.pallet), child_sscc: String(SSCC.b), stage: 3, unpack_stage: 3 }]);
  });

  for (const chunk of [undefined, 3]) {
    it(`in bulk in ${chunk === undefined ? "one chunk (fewer statements)" : `chunks of ${chunk} blocks`}: the same rows`, async () => {
      // The fixture's index, rebuilt (the next test's sync() rebuilds it for its chain).
      const sql = tw.index;
      await resetIndex(sql);
      const bulk = { statements: 0 };
      await syncIndex(counting(sql, bulk), ethers.provider, tw.world.addresses, {
        fromBlock: tw.startBlock,
        ...(chunk === undefined ? {} : { chunk }),
      });
      expect(await dumpIndex(sql)).to.deep.equal(reference);
      if (chunk === undefined) expect(bulk.statements).to.be.below(rowStatements.statements / 2);
    });
  }
});
