/**
 * `ignition deploy` builds with the "production" profile, the tests, demo, relay and stack with "default". Hardhat
 * hashes each resolved compiler config into its compilation job's id, key order included, so the two profiles must
 * resolve to the same JSON text; otherwise every switch between them recompiles all contracts, and what Ignition
 * deploys is not the artifact the tests and gas tables measured.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import { dealByCost, solidityTestFiles, TEST_JOBS } from "../../src/tools/solidity-test-compilation.js";

/** The contract sources compiled with settings of their own. */
const LEDGER = "contracts/QualityLedger.sol";
const MANUFACTURER = "contracts/actors/Manufacturer.sol";

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
    // The quality ledger alone at 30,000 runs (hardhat.config.ts: its constants stay literal), the Manufacturer alone
    // at 2,000 (under the 24 kB limit with the settlement token and ERC-2771), each else as the stages.
    for (const [file, runs] of [
      [LEDGER, 30_000],
      [MANUFACTURER, 2_000],
    ] as const) {
      const override = hre.config.solidity.profiles.default?.overrides[file];
      expect(override?.settings.optimizer, file).to.deep.equal({ enabled: true, runs });
      expect({ ...override?.settings, optimizer: undefined }, file).to.deep.equal({
        ...compiler?.settings,
        optimizer: undefined,
      });
      expect(override?.version, file).to.equal(compiler?.version);
    }
  });
});

describe("Solidity test compilation", function () {
  const root = hre.config.paths.root;
  const suites = solidityTestFiles(root, "test");

  it("compiles the suites in two jobs: the invariant suites via IR and optimized, the others legacy, unoptimized", function () {
    const {
      [LEDGER]: ledger,
      [MANUFACTURER]: manufacturer,
      ...overrides
    } = hre.config.solidity.profiles.default?.overrides ?? {};
    expect(ledger, "the quality ledger's own override").to.not.equal(undefined);
    expect(manufacturer, "the Manufacturer's own override").to.not.equal(undefined);
    expect(suites).to.include.members(["test/contracts/Registry.t.sol", "test/contracts/SystemInvariants.t.sol"]);
    expect(Object.keys(overrides).sort()).to.deep.equal(suites);
    const configs = new Set(Object.values(overrides));
    expect(
      configs.size,
      `${TEST_JOBS} resolved objects per configuration: Hardhat merges the suites that share one into a job`,
    ).to.equal(2 * TEST_JOBS);
    expect(new Set([...configs].map((c) => JSON.stringify(c))).size, "two configurations").to.equal(2);
    for (const [file, config] of Object.entries(overrides)) {
      const invariants = file.endsWith("Invariants.t.sol");
      expect(config.settings, file).to.deep.include({ viaIR: invariants });
      expect(config.settings.optimizer, file).to.deep.include({ enabled: invariants });
    }
  });

  it("deals the suites into jobs of about equal cost, the costliest first", function () {
    const cost: Record<string, number> = { a: 10, b: 9, c: 3, d: 2, e: 1 };
    expect(dealByCost(["e", "d", "c", "b", "a"], (f) => cost[f] ?? 0, 2)).to.deep.equal([
      ["a", "d", "e"],
      ["b", "c"],
    ]);
    expect(dealByCost(["a"], (f) => cost[f] ?? 0, 2)).to.deep.equal([["a"]]);
    expect(dealByCost([], (f) => cost[f] ?? 0, 2)).to.deep.equal([]);
  });

  it("keeps the contracts' sources out of the suites: they import interfaces and libraries only", function () {
    const files = readdirSync(path.join(root, "test"), { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".sol"),
    );
    const offending: string[] = [];
    for (const file of files) {
      const source = readFileSync(path.join(root, "test", file), "utf8");
      for (const [, imported] of source.matchAll(/^import\s+[^;]*?"([^"]+)";/gm)) {
        if (imported === undefined || !imported.includes("contracts/")) continue;
        if (/contracts\/(interfaces|libraries)\//.test(imported) || imported.startsWith("@openzeppelin/")) continue;
        offending.push(`${file} imports ${imported}`);
      }
    }
    expect(offending, "a contract's source in a suite is compiled into the suites' job again").to.deep.equal([]);
  });
});

describe("artifact names", function () {
  it("names each deployed contract once, so Ignition and ethers find it by its bare name", async function () {
    for (const name of ["Registry", "Harvester", "Supplier", "Manufacturer", "Distributor", "Retailer", "Customer"]) {
      expect((await hre.artifacts.readArtifact(name)).contractName).to.equal(name);
    }
    expect((await hre.artifacts.readArtifact("QualityLedger")).sourceName).to.equal("contracts/QualityLedger.sol");
  });
});
