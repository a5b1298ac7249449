import { readFile } from "node:fs/promises";

import { expect } from "chai";

import { errorCatalogue } from "../../src/tools/error-catalogue.js";
import { readCommittedTables } from "../../src/tools/gas/files.js";
import { tablesMarkdown } from "../../src/tools/gas/tables.js";
import { readSection, README } from "../../src/tools/readme.js";

describe("README.md", function () {
  let readme: string;

  before(async function () {
    readme = await readFile(README, "utf8");
  });

  it("lists every custom error of the contracts (run `npm run errors` after changing an interface)", function () {
    expect(readSection(readme, "errors")).to.equal(errorCatalogue().trim());
  });

  it("shows the committed gas tables (run `npx hardhat gas-tables` after changing contracts)", async function () {
    expect(readSection(readme, "gas")).to.equal(tablesMarkdown(await readCommittedTables()).trim());
  });

  it("gives the install and test commands a newcomer runs", function () {
    expect(readme).to.include("npm ci\nnpm test");
    expect(readme).to.include("npm run demo");
  });
});
