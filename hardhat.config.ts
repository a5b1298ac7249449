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
  settings: {
    evmVersion: "prague",
    viaIR: true,
    optimizer: { enabled: true, runs: 10_000 },
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks: fishTraceTasks,
  solidity: {
    // One compiler configuration for both build profiles: `ignition deploy` builds with "production", which would
    // otherwise lose via-IR (and so fail with "stack too deep") and differ from what the tests and gas tables run.
    profiles: {
      default: compiler,
      // Not isolated (Hardhat's production default compiles each file on its own): one compilation job with the
      // same settings as the tests and gas tables, so what is deployed is compiled as what was measured (and the
      // production build takes 40 s instead of 60 s).
      production: { ...compiler, isolated: false, toolVersionsInBuildInfo: false },
    },
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
