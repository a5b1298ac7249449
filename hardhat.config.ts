import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

import { fishTraceTasks } from "./tasks/index.js";

// The compiler is the npm `solc` package, pinned exactly in package.json: no download at build time.
// The version label is read from that package so it cannot disagree with the compiler that runs.
const require = createRequire(import.meta.url);
const solcPath = require.resolve("solc/soljson.js");
const solcVersion = (require("solc/package.json") as { version: string }).version;

const compiler = {
  version: solcVersion,
  path: solcPath,
  // `optimizer` first: Hardhat's production profile merges these settings into defaults that start with an
  // optimizer key, and a job's id hashes the settings as written, key order included. In this order both profiles
  // hash alike (test/build-profiles.test.ts).
  settings: {
    optimizer: { enabled: true, runs: 10_000 },
    evmVersion: "prague",
    viaIR: true,
  },
};

/** Not isolated (Hardhat's production default compiles each file alone): one job, as the tests compile it. */
const buildProfile = { ...compiler, isolated: false, toolVersionsInBuildInfo: false };

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks: fishTraceTasks,
  solidity: {
    // One compiler configuration for both build profiles, as one object: `ignition deploy` builds with "production",
    // which would otherwise lose via-IR ("stack too deep") and compile each file on its own. Hardhat hashes the whole
    // profile object into each compilation job's id, so the two profiles must be identical to the key: then what
    // Ignition deploys is byte for byte what the tests and gas tables measured, and switching between `ignition
    // deploy` and `demo` / `relay` / `stack` / `test` finds everything in the cache instead of recompiling.
    profiles: { default: buildProfile, production: buildProfile },
  },
  typechain: { outDir: "typechain-types" },
  paths: {
    tests: { mocha: "test", solidity: "test" },
  },
  test: {
    solidity: {
      // A fixed seed makes fuzz and invariant campaigns reproducible run to run.
      fuzz: { runs: 256, seed: "0xbeeb9f7d19fdaa45299952be1cedfdf245a2d917ce7522e34135e5a93311e95c" },
      invariant: { runs: 128, depth: 100 },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      // `npx hardhat node --hostname 127.0.0.1`; LOCALHOST_URL points elsewhere (tests start nodes on free ports).
      url: process.env.LOCALHOST_URL ?? "http://127.0.0.1:8545",
    },
  },
});
