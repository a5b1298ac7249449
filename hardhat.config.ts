import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";
import { z } from "zod";

import { fishTraceTasks } from "./tasks/index.js";
import { readRetry } from "./src/tools/read-retry-plugin.js";
import { sharedTestCompilation, solidityTestFiles } from "./src/tools/solidity-test-compilation.js";
import { mochaOrderTask } from "./src/tools/test-order.js";

// The compiler is the npm `solc` package, pinned exactly in package.json: no download at build time.
// The version label is read from that package so it cannot disagree with the compiler that runs.
const require = createRequire(import.meta.url);
const solcPath = require.resolve("solc/soljson.js");
const solcVersion = z.object({ version: z.string() }).parse(require("solc/package.json")).version;

const compiler = {
  version: solcVersion,
  path: solcPath,
  // `optimizer` first: Hardhat's production profile merges these settings into defaults that start with an
  // optimizer key, and a job's id hashes the settings as written, key order included. In this order both profiles
  // hash alike (test/tools/build-profiles.test.ts).
  settings: {
    optimizer: { enabled: true, runs: 10_000 },
    evmVersion: "prague",
    viaIR: true,
  },
};

/** Where `--network localhost` connects: a node on this machine unless LOCALHOST_URL names another. */
const LOCALHOST_URL = process.env.LOCALHOST_URL?.trim() || "http://127.0.0.1:8545";

function besuChainId(): { chainId?: number } {
  const text = process.env.BESU_CHAIN_ID?.trim();
  if (text === undefined || text === "") return {};
  const chainId = Number(text);
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new Error(`BESU_CHAIN_ID=${text} is not a chain id`);
  return { chainId };
}

function besuGasPrice(): "auto" | bigint {
  const text = process.env.BESU_GAS_PRICE?.trim() ?? "0";
  if (text === "auto") return "auto";
  if (!/^\d+$/.test(text)) throw new Error(`BESU_GAS_PRICE=${text} is not a number of wei or "auto"`);
  return BigInt(text);
}

/**
 * The Solidity test suites deploy the contracts from the contracts' own optimized artifacts, so their own code needs
 * neither the optimizer nor the IR pipeline to measure the contracts: they compile with the legacy code generator,
 * unoptimized (a forced build of contracts and suites: 85 s instead of 201 s via IR), dealt into two jobs that run side
 * by side (src/tools/solidity-test-compilation.ts). The invariant suites are the exception: their handlers make some
 * 25,000 calls a run, and unoptimized they ran 80 s instead of 30, and their handlers are too deep in locals for the
 * legacy generator's stack; they compile via IR, optimized, in jobs of their own.
 */
const testCompiler = (invariants: boolean) => ({
  ...compiler,
  settings: {
    optimizer: { enabled: invariants, runs: 200 },
    evmVersion: compiler.settings.evmVersion,
    viaIR: invariants,
  },
});
const testOverrides = Object.fromEntries(
  solidityTestFiles(import.meta.dirname, "test").map((file) => [file, testCompiler(/Invariants\.t\.sol$/.test(file))]),
);

/** The contracts' compiler at `runs` optimizer runs instead of 10,000, for a contract that needs other runs (below). */
const compilerAtRuns = (runs: number) => ({
  ...compiler,
  settings: { ...compiler.settings, optimizer: { ...compiler.settings.optimizer, runs } },
});

/**
 * The quality ledger's hot paths (a scan, a batch of scans, a sensor batch) are dense in constants: address and
 * bytes3 masks, dozens of copies of each. At 10,000 runs the optimizer writes them as short computations once a
 * contract holds more copies than it weighs worth the bytes (`sub(shl(160, 1), 1)`, 12 gas, for a 3-gas PUSH20);
 * the ledger's receiving scans tipped it over, and every scan cost 418 gas more. At 30,000 runs they stay literal
 * (23.5 kB, under the 24 kB limit).
 *
 * The Manufacturer holds the most code (processing on top of the order book): at 10,000 runs the registry's species
 * push (`syncSpecies`, some 330 bytes there) took it to 24.7 kB, over the 24 kB limit, so it went to 8,000 runs; with
 * the settlement token and ERC-2771 (issue 20) it was 24.6 kB even at 5,000. At 2,000 runs it is 24,187 bytes; its
 * gas rows moved within -201 to +36 gas of the other stages' (README, Gas). The other stages stay at 10,000.
 */
const RUNS_OVERRIDES = {
  "contracts/QualityLedger.sol": compilerAtRuns(30_000),
  "contracts/actors/Manufacturer.sol": compilerAtRuns(2_000),
};

/** Not isolated (Hardhat's production default compiles each file alone): one job, as the tests compile it. */
const buildProfile = {
  compilers: [compiler],
  overrides: {
    ...testOverrides,
    ...RUNS_OVERRIDES,
  },
  isolated: false,
  toolVersionsInBuildInfo: false,
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, sharedTestCompilation, readRetry],
  tasks: [...fishTraceTasks, mochaOrderTask],
  solidity: {
    // One compiler configuration for both build profiles, as one object: `ignition deploy` builds with "production",
    // which would otherwise lose via-IR ("stack too deep") and compile each file on its own. Hardhat hashes the whole
    // profile object into each compilation job's id, so the two profiles must be identical to the key: then what
    // Ignition deploys is byte for byte what the tests and gas tables measured, and switching between `ignition
    // deploy` and `demo` / `relay` / `stack` / `test` finds everything in the cache instead of recompiling.
    profiles: { default: buildProfile, production: buildProfile },
  },
  typechain: {
    outDir: "typechain-types",
    // The mocha run sets FISHTRACE_NO_TYPECHAIN=1 (package.json "test:mocha"): the types are generated before it,
    // and a `hardhat build` that a test runs (the README's `npm run demo`, `npm run stack`) would otherwise rewrite
    // every file of typechain-types while the tests in the other worker import them.
    dontOverrideCompile: process.env.FISHTRACE_NO_TYPECHAIN === "1",
  },
  paths: {
    tests: { mocha: "test", solidity: "test" },
  },
  test: {
    // Three mocha workers on two cores, one file at a time each: the files are independent (each starts what it needs
    // on free ports, in temporary directories). Measured on clean-clone CI runs of the same tree: mocha 401 s with
    // three, 443 s with two — a third file fills the time the others wait on a node, a relay or Chromium, though each
    // test's own time grows. Under heavy other load, three time some hooks out: set 2 there. The longest files start
    // first (src/tools/test-order.ts), so none runs alone at the end.
    mocha: { parallel: true, jobs: 3 },
    solidity: {
      // A fixed seed makes fuzz and invariant campaigns reproducible run to run.
      fuzz: { runs: 256, seed: "0xbeeb9f7d19fdaa45299952be1cedfdf245a2d917ce7522e34135e5a93311e95c" },
      // 64 sequences of 100 calls per invariant: each invariant suite now runs twice, on an Ether deployment and on a
      // stablecoin one (TokenInvariantsTest, TokenSystemInvariantsTest), as many calls in all as 128 on one did.
      invariant: { runs: 64, depth: 100 },
    },
  },
  networks: {
    // A node on this machine: `npx hardhat node --hostname 127.0.0.1` (or anvil). LOCALHOST_URL moves it.
    localhost: { type: "http", chainType: "l1", url: LOCALHOST_URL },
    // Real networks: every secret is a configuration variable, read from the encrypted keystore
    // (`npx hardhat keystore set DEPLOYER_PRIVATE_KEY`) or, failing that, from the environment. README: "Deploy to a
    // real network". Hardhat refuses a node whose chain id differs from the one given here.
    sepolia: {
      type: "http",
      chainType: "l1",
      chainId: 11_155_111,
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
    baseSepolia: {
      type: "http",
      chainType: "op",
      chainId: 84_532,
      url: configVariable("BASE_SEPOLIA_RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
    // A permissioned QBFT network (Hyperledger Besu) of a cooperative: its URL and key are configuration variables;
    // its chain id is whatever the node says unless BESU_CHAIN_ID pins it; gas is free unless BESU_GAS_PRICE says
    // otherwise (wei, or "auto" for a network that charges a base fee).
    besu: {
      type: "http",
      chainType: "l1",
      ...besuChainId(),
      url: configVariable("BESU_RPC_URL"),
      accounts: [configVariable("BESU_PRIVATE_KEY")],
      gasPrice: besuGasPrice(),
    },
  },
  verify: {
    // Etherscan-compatible explorers (one API key for all chains Etherscan serves) and Sourcify (no key).
    etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") },
    sourcify: { enabled: true },
  },
});
