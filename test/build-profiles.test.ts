/**
 * `ignition deploy` builds with the "production" profile, the tests, demo, relay and stack with "default". Hardhat
 * hashes each resolved compiler config into its compilation job's id, key order included, so the two profiles must
 * resolve to the same JSON text; otherwise every switch between them recompiles all contracts, and what Ignition
 * deploys is not the artifact the tests and gas tables measured.
 */
import { expect } from "chai";
import hre from "hardhat";

describe("build profiles", function () {
  it("production resolves to exactly the default profile (same settings, same key order)", function () {
    const { profiles } = hre.config.solidity;
    const production = profiles.production;
    const defaults = profiles.default;
    expect(production, "a production profile").to.not.equal(undefined);
    expect(JSON.stringify(production)).to.equal(JSON.stringify(defaults));
  });

  it("compiles via IR with the optimizer, as the gas tables were measured", function () {
    const compiler = hre.config.solidity.profiles.default?.compilers[0];
    expect(compiler?.settings).to.deep.include({ viaIR: true, evmVersion: "prague" });
    expect(compiler?.settings.optimizer).to.deep.equal({ enabled: true, runs: 10_000 });
  });
});
