import { access } from "node:fs/promises";

import { expect } from "chai";

import { LONGEST_FIRST, longestFirst, testFilesUnder } from "../../src/tools/test-order.js";

describe("the mocha files' order: longest first", function () {
  it("names only files that exist, each once", async function () {
    for (const file of LONGEST_FIRST) await access(file);
    expect(new Set(LONGEST_FIRST).size).to.equal(LONGEST_FIRST.length);
  });

  it("puts the longest files first, in their order, and keeps every other file once, in its order", function () {
    const files = ["test/a.test.ts", "test/b.test.ts", "test/c.test.ts", "test/d.test.ts"];
    expect(longestFirst(files, ["test/d.test.ts", "test/gone.test.ts", "test/b.test.ts"])).to.deep.equal([
      "test/d.test.ts",
      "test/b.test.ts",
      "test/a.test.ts",
      "test/c.test.ts",
    ]);
  });

  it("finds every test file under test/, this one among them, and no helper", async function () {
    const files = await testFilesUnder(process.cwd(), "test");
    expect(files).to.include("test/tools/test-order.test.ts");
    expect(files).to.include.members([...LONGEST_FIRST]);
    expect(files.every((f) => f.endsWith(".test.ts"))).to.equal(true);
    expect(longestFirst(files)).to.have.members(files).and.have.length(files.length);
    expect(longestFirst(files).slice(0, LONGEST_FIRST.length)).to.deep.equal([...LONGEST_FIRST]);
  });
});
