/**
 * The order the mocha files start in. The run has two workers that each take the next file when one ends, so a
 * long file that starts last runs alone at the end while the other worker waits (the longest files live in
 * test/tasks, test/tools and test/web: last in the folders' own order). Started first, longest first, they overlap
 * the many short files instead; the run ends sooner and every file still runs once.
 *
 * `npx hardhat test mocha` with no file named runs the files in this order (the task override below); naming files runs
 * those, in the order given.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";

import { overrideTask } from "hardhat/config";

/**
 * The longest files, longest first (seconds on the CI machine, measured per file with a root hook): a file missing
 * here only starts later. A file named here that no longer exists fails the test of this list.
 */
export const LONGEST_FIRST: readonly string[] = [
  "test/tasks/readme-examples.test.ts", // the README's every task, demo and stack
  "test/web/web.test.ts", // Chromium journeys
  "test/services/relay-crash.test.ts",
  "test/tools/clients.test.ts", // the demo on anvil and a hardhat node
  "test/services/relay-actions-crash.test.ts",
  "test/tools/local-stack.test.ts",
  "test/services/relay-crash-postgres.test.ts",
  "test/services/epcis-store.test.ts",
  "test/services/epcis-subscriptions-serve.test.ts",
  "test/tools/ignition-node.test.ts",
  "test/tasks/networks.test.ts",
  "test/services/relay-prometheus.test.ts",
  "test/tasks/masterdata.test.ts",
  "test/services/epcis-main.test.ts",
  "test/services/relay-hostile.test.ts",
  "test/services/fuzz.test.ts",
  "test/web/vessel.test.ts",
  "test/web/sponsored.test.ts",
];

/** Every `*.test.ts` under `dir` (relative to `root`), in path order. */
export async function testFilesUnder(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".test.ts"))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

/** `files` (relative paths) with those in `longest` first, in its order; the others after, in their order. */
export function longestFirst(files: readonly string[], longest: readonly string[] = LONGEST_FIRST): string[] {
  const present = new Set(files);
  const first = longest.filter((f) => present.has(f));
  const named = new Set(first);
  return [...first, ...files.filter((f) => !named.has(f))];
}

/** `hardhat test mocha` without named files: every test file, longest first (a config task; plugins take none inline). */
export const mochaOrderTask = overrideTask(["test", "mocha"])
  .setInlineAction(async (args, hre, runSuper) => {
    const named = args.testFiles;
    if (Array.isArray(named) && named.length > 0) return runSuper(args);
    const root = hre.config.paths.root;
    const dir = path.relative(root, hre.config.paths.tests.mocha);
    const files = longestFirst(await testFilesUnder(root, dir));
    return runSuper({ ...args, testFiles: files.map((f) => path.join(root, f)) });
  })
  .build();
