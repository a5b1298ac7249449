/**
 * The coverage build: this project as `hardhat.config.ts` defines it, with artifacts and a cache of its own under
 * `.coverage-build/`. `--coverage` compiles instrumented contracts; built here, they never replace the optimized
 * artifacts the mocha tests, the gas tables and Ignition deploy, so nothing has to be rebuilt after a coverage run.
 * `npm test` runs the Solidity suites through this file (`npm run test:solidity`) and gates their line coverage.
 */
import { defineConfig } from "hardhat/config";

import config from "./hardhat.config.js";

export default defineConfig({
  ...config,
  paths: { ...config.paths, artifacts: ".coverage-build/artifacts", cache: ".coverage-build/cache" },
});
