import { expect } from "chai";
import { network } from "hardhat";

import { readCommittedTables } from "../../src/tools/gas/files.js";
import { measureGas } from "../../src/tools/gas/measure.js";
import { BUDGETS, PAPER_TABLE_2, PAPER_TABLE_3 } from "../../src/tools/gas/paper.js";
import { IOT_GOALS } from "../../src/tools/gas/iot.js";
import { buildTables, type GasTables } from "../../src/tools/gas/tables.js";

describe("gas tables", function () {
  let tables: GasTables;

  before(async function () {
    tables = buildTables(await measureGas(await network.create()));
  });

  it("measures every paper function of Table 2 and Table 3", function () {
    expect(tables.table2.map((r) => r.fn)).to.include.members(Object.keys(PAPER_TABLE_2));
    expect(tables.table3.map((r) => r.fn)).to.include.members(Object.keys(PAPER_TABLE_3));
  });

  for (const [fn, budget] of Object.entries(BUDGETS)) {
    it(`keeps ${fn} within its budget of ${budget.toLocaleString("en-US")} transaction gas at every stage`, function () {
      const rows = tables.stages.filter((r) => r.fn === fn);
      expect(rows, `${fn} was not measured`).to.not.be.empty;
      for (const row of rows) expect(row.transactionGas, `${row.contract}.${fn}`).to.be.at.most(budget);
    });
  }

  it("measures the order book of all five selling stages and the stage work of each actor", function () {
    const measured = (fn: string) => new Set(tables.stages.filter((r) => r.fn === fn).map((r) => r.contract));
    expect([...measured("acknowledge")]).to.have.members([
      "harvester",
      "supplier",
      "manufacturer",
      "distributor",
      "retailer",
    ]);
    expect([...measured("updateFish")]).to.have.lengthOf(6);
    for (const fn of ["registerFish", "processLots", "dispatch", "confirmArrival", "reportProblem", "recallLots"]) {
      expect(measured(fn).size, fn).to.equal(1);
    }
  });

  it(`keeps a single QAT scan within ${IOT_GOALS.submitScan.toLocaleString("en-US")} transaction gas`, function () {
    const row = tables.iot.find((r) => r.fn === "submitScan");
    expect(row, "submitScan was not measured").to.not.equal(undefined);
    expect(row!.transactionGas).to.be.at.most(IOT_GOALS.submitScan);
  });

  it(`keeps each QAT scan of a batch of 20 within ${IOT_GOALS.submitScansEach.toLocaleString("en-US")} gas, first scans of the lots within ${IOT_GOALS.submitScansFirstEach.toLocaleString("en-US")}`, function () {
    const rows = tables.iot.filter((r) => r.fn.startsWith("submitScans"));
    expect(rows).to.have.lengthOf(2);
    for (const row of rows) {
      expect(row.readings, row.fn).to.equal(20);
      const goal = row.fn.includes("first of each lot") ? IOT_GOALS.submitScansFirstEach : IOT_GOALS.submitScansEach;
      expect(row.gasPerReading, row.fn).to.be.at.most(goal);
    }
  });

  it(`anchors 1,000 sensor readings at no more than ${IOT_GOALS.anchorPerReadingAt1000} gas per reading, and prints 10 and 100 too`, function () {
    const anchors = tables.iot.filter((r) => r.fn === "anchorReadings");
    expect(anchors.map((r) => r.readings)).to.deep.equal([10, 100, 1_000]);
    expect(anchors.at(-1)!.gasPerReading).to.be.at.most(IOT_GOALS.anchorPerReadingAt1000);
    // One root and one summary whatever the batch size: the transaction barely grows with the readings.
    expect(anchors.at(-1)!.transactionGas - anchors[0]!.transactionGas).to.be.below(1_000);
  });

  it("prices gas as the paper does: 173,351 gas at 20 gwei is 0.00346702 ETH, about 5.9 USD", function () {
    expect((173_351 * tables.gasPriceGwei) / 1e9).to.equal(0.00346702);
    expect(Math.round(0.00346702 * tables.usdPerEth * 10) / 10).to.equal(5.9);
  });

  it("matches the committed gas/tables.json (run `npx hardhat gas-tables` after changing contracts)", async function () {
    expect(await readCommittedTables()).to.deep.equal(JSON.parse(JSON.stringify(tables)));
  });
});
