/**
 * The Customer's ABI: every function a stage shares and its own four, nothing else (no order book). The Customer's
 * behaviour is test/contracts/Customer.t.sol's; this check stays here because only the compiled ABI lists a
 * contract's functions, and Solidity tests cannot read it. No chain is needed.
 */
import { expect } from "chai";

import { Customer__factory, Stage__factory } from "../../typechain-types/index.js";

/** The names of the functions of `iface`, sorted. */
function names(iface: { forEachFunction(f: (fn: { name: string }) => void): void }): string[] {
  const all: string[] = [];
  iface.forEachFunction((fn) => all.push(fn.name));
  return all.sort();
}

describe("Customer ABI", () => {
  it("has the stage's functions and its own four, and no order book", () => {
    expect(names(Customer__factory.createInterface())).to.deep.equal(
      [
        ...names(Stage__factory.createInterface()),
        "MAX_PROVENANCE_HOPS",
        "reportProblem",
        "verifyProvenance",
        "verifyProvenancePage",
      ].sort(),
    );
  });
});
