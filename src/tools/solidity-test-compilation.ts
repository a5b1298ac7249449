/**
 * How the Solidity test suites (`test/**\/*.t.sol`) are compiled: via IR like the contracts, in compilation jobs of
 * their own, with the optimizer only where the suites' own code runs long (hardhat.config.ts says which).
 *
 * The suites deploy the contracts from their compiled artifacts (`vm.getCode`, see test/contracts/utils/FishTraceTest.sol) and
 * call them through interfaces (test/contracts/utils/Contracts.sol), so no contract is compiled into a suite and the optimizer's
 * work on the suites' own code buys nothing the tests measure; it cost two thirds of their compile time.
 *
 * Hardhat resolves every `overrides` entry into an object of its own and groups root files into compilation jobs by
 * that object's identity, so a per-file override would give each suite its own job, each compiling the shared test
 * base (FishTraceTest and its helpers) again. `sharedTestCompilation` points every suite's override at one resolved object, so the suites share
 * one job per distinct configuration.
 */
import { readdirSync } from "node:fs";
import path from "node:path";

import type { HardhatPlugin } from "hardhat/types/plugins";

/** The Solidity test files under `testsDir`, as Hardhat names root files: relative to `root`, `/`-separated. */
export function solidityTestFiles(root: string, testsDir: string): string[] {
  const dir = path.join(root, testsDir);
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".t.sol"))
    .map((file) => path.relative(root, path.join(dir, file)).split(path.sep).join("/"))
    .sort();
}

/** Makes every build profile's `overrides` one shared object per distinct configuration (see the module comment). */
export const sharedTestCompilation: HardhatPlugin = {
  id: "fishtrace:shared-test-compilation",
  hookHandlers: {
    config: async () => ({
      default: async () => ({
        resolveUserConfig: async (userConfig, resolveConfigurationVariable, next) => {
          const resolved = await next(userConfig, resolveConfigurationVariable);
          for (const profile of Object.values(resolved.solidity.profiles)) {
            const shared = new Map<string, (typeof profile.overrides)[string]>();
            for (const [file, config] of Object.entries(profile.overrides)) {
              const key = JSON.stringify(config);
              const first = shared.get(key);
              if (first === undefined) shared.set(key, config);
              else profile.overrides[file] = first;
            }
          }
          return resolved;
        },
      }),
    }),
  },
};
