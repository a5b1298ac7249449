import { expect } from "chai";
import { network } from "hardhat";

import { readCommittedTables } from "../src/gas/files.js";
import { measureGas } from "../src/gas/measure.js";
import { BUDGETS, PAPER_TABLE_2, PAPER_TABLE_3 } from "../src/gas/paper.js";
import { buildTables, type GasTables } from "../src/gas/tables.js";

describe("gas tables", function () {
  let tables: GasTables;

  before(async function () {
    tables = buildTables(await measureGas(await network.create()));
  });

  it("measures every paper function of Table 2 and Table 3", function () {
    expect(tables.table2.map((r) => r.fn)).to.include.members(Object.keys(PAPER_TABLE_2));
    expect(tables.table3.map((r) => r.fn)).to.have.members(Object.keys(PAPER_TABLE_3));
  });

  for (const [fn, budget] of Object.entries(BUDGETS)) {
    it(`keeps ${fn} within its budget of ${budget.toLocaleString("en-US")} transaction gas`, function () {
      const row = tables.table2.find((r) => r.fn === fn);
      expect(row, `${fn} was not measured`).to.not.equal(undefined);
      expect(row!.transactionGas).to.be.at.most(budget);
    });
  }

  it("prices gas as the paper does: 173,351 gas at 20 gwei is 0.00346702 ETH, about 5.9 USD", function () {
    expect((173_351 * tables.gasPriceGwei) / 1e9).to.equal(0.00346702);
    expect(Math.round(0.00346702 * tables.usdPerEth * 10) / 10).to.equal(5.9);
  });

  it("matches the committed gas/tables.json (run `npx hardhat gas-tables` after changing contracts)", async function () {
    expect(await readCommittedTables()).to.deep.equal(JSON.parse(JSON.stringify(tables)));
  });
});
