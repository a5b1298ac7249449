/**
 * How the Solidity test suites (`test/**\/*.t.sol`) are compiled: in compilation jobs of their own, with the legacy code
 * generator and no optimizer, except where the suites' own code runs long (hardhat.config.ts says which).
 *
 * The suites deploy the contracts from their compiled artifacts (`vm.getCode`, see test/contracts/utils/FishTraceTest.sol) and
 * call them through interfaces (test/contracts/utils/Contracts.sol), so no contract is compiled into a suite and the optimizer's
 * work on the suites' own code buys nothing the tests measure; it cost two thirds of their compile time, and the IR
 * pipeline most of the rest.
 *
 * Hardhat resolves every `overrides` entry into an object of its own and groups root files into compilation jobs by
 * that object's identity, so a per-file override would give each suite its own job, each compiling the shared test
 * base (FishTraceTest and its helpers) again. `sharedTestCompilation` points the suites of one configuration at
 * `TEST_JOBS` resolved objects, the suites dealt between them by estimated cost (longest first, to the lightest job),
 * and lets the build run as many jobs at once as the machine has cores (Hardhat's default leaves one core idle: on
 * two cores, one job at a time).
 */
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
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

/** How many compilation jobs the suites of one configuration are dealt into. */
export const TEST_JOBS = 2;

/**
 * A suite's compile cost as this module estimates it: its source's length times its concrete contracts (each concrete
 * contract is generated with everything it inherits; a suite run once per stage declares six).
 */
function compileCost(file: string): number {
  const source = readFileSync(file, "utf8");
  return source.length * Math.max(1, source.match(/^contract\s+\w+/gm)?.length ?? 0);
}

/** `files` dealt into at most `jobs` groups of about equal total cost: the costliest first, each to the lightest group. */
export function dealByCost(files: readonly string[], cost: (file: string) => number, jobs: number): string[][] {
  const groups = Array.from({ length: Math.min(jobs, files.length) }, (): { files: string[]; total: number } => ({
    files: [],
    total: 0,
  }));
  const costed = files.map((file) => ({ file, cost: cost(file) })).sort((a, b) => b.cost - a.cost);
  for (const { file, cost: c } of costed) {
    const lightest = groups.reduce((min, g) => (g.total < min.total ? g : min));
    lightest.files.push(file);
    lightest.total += c;
  }
  return groups.map((g) => g.files.sort());
}

/** Shares the suites' override objects (see the module comment) and runs the build's jobs on every core. */
export const sharedTestCompilation: HardhatPlugin = {
  id: "fishtrace:shared-test-compilation",
  hookHandlers: {
    config: async () => ({
      default: async () => ({
        resolveUserConfig: async (userConfig, resolveConfigurationVariable, next) => {
          const resolved = await next(userConfig, resolveConfigurationVariable);
          const root = resolved.paths.root;
          for (const profile of Object.values(resolved.solidity.profiles)) {
            const byConfig = new Map<string, string[]>();
            for (const [file, config] of Object.entries(profile.overrides)) {
              if (!file.endsWith(".t.sol")) continue;
              const key = JSON.stringify(config);
              byConfig.set(key, [...(byConfig.get(key) ?? []), file]);
            }
            for (const files of byConfig.values()) {
              for (const group of dealByCost(files, (file) => compileCost(path.join(root, file)), TEST_JOBS)) {
                const [first, ...rest] = group;
                if (first === undefined) continue;
                const shared = profile.overrides[first];
                if (shared === undefined) continue;
                for (const file of rest) profile.overrides[file] = shared;
              }
            }
          }
          return resolved;
        },
      }),
    }),
    solidity: async () => ({
      default: async () => ({
        build: async (context, rootFilePaths, options, next) =>
          next(context, rootFilePaths, { ...options, concurrency: options?.concurrency ?? availableParallelism() }),
      }),
    }),
  },
};
