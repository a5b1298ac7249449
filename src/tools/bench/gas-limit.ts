/**
 * The paper's Figure 7 reproduced on a node with a queue (src/tools/gas/gas-limit.ts): `registerFish` sent with a
 * gas limit below, at and above the node's estimate, then at the estimate with a priority fee below and above the
 * competing transactions'. Prints, for each, the block it was included in, whether it succeeded, the gas it used
 * and what it was charged. A benchmark printing figures, not a test (test/tools/gas-limit.test.ts checks the same
 * claims on a smaller queue).
 *
 *   npm run bench:gas-limit      (hardhat run --no-compile src/tools/bench/gas-limit.ts)
 *
 * Environment: BENCH_GAS_COMPETITORS (6), BENCH_GAS_BACKLOG (15 waiting transactions each), BENCH_GAS_ARRIVING (20
 * before each block), BENCH_GAS_BLOCK_LIMIT (2,000,000), BENCH_GAS_TIP (2 gwei, the competitors' priority fee).
 */
import { formatUnits } from "ethers";
import { network } from "hardhat";

import { ether, thousands } from "../../core/format.js";
import { DEFAULT_GAS_LIMIT_OPTIONS, gasLimitScenarios, PAPER_CUSTOMISED_RATIO } from "../gas/gas-limit.js";
import { envNumber } from "./env.js";

const options = {
  ...DEFAULT_GAS_LIMIT_OPTIONS,
  competitors: Math.round(envNumber("BENCH_GAS_COMPETITORS", DEFAULT_GAS_LIMIT_OPTIONS.competitors)),
  backlogEach: Math.round(envNumber("BENCH_GAS_BACKLOG", DEFAULT_GAS_LIMIT_OPTIONS.backlogEach)),
  arrivingPerBlock: Math.round(envNumber("BENCH_GAS_ARRIVING", DEFAULT_GAS_LIMIT_OPTIONS.arrivingPerBlock)),
  blockGasLimit: Math.round(envNumber("BENCH_GAS_BLOCK_LIMIT", DEFAULT_GAS_LIMIT_OPTIONS.blockGasLimit)),
  competitorTipGwei: envNumber("BENCH_GAS_TIP", DEFAULT_GAS_LIMIT_OPTIONS.competitorTipGwei),
};

const connection = await network.create({ override: { accounts: { count: options.competitors + 2 } } });
const report = await gasLimitScenarios(connection, options);
await connection.close();

const gwei = (wei: bigint) => Number(formatUnits(wei, "gwei")).toFixed(3);
console.log(
  `Figure 7 on a queue: registerFish, node estimate ${thousands(report.estimate)} gas; ${report.backlog} competing ` +
    `registerFish waiting at ${options.competitorTipGwei} gwei priority fee (limits: estimate + 10 %), ` +
    `${options.arrivingPerBlock} more before each block; blocks of ${thousands(options.blockGasLimit)} gas ` +
    `(about ${report.perBlock} registrations)`,
);
console.log("");
console.log("| gas limit | limit gas | priority fee | included in block | outcome | gas used | gas price | charged |");
console.log("|---|---:|---:|---:|---|---:|---:|---:|");
for (const r of report.results) {
  const block = r.block === null ? `not in ${options.maxBlocks}` : String(r.block);
  const outcome = r.block === null ? "pending" : r.succeeded ? "success" : "failed (out of gas)";
  console.log(
    `| ${r.label} | ${thousands(r.gasLimit)} | ${r.tipGwei} gwei | ${block} | ${outcome} | ${thousands(r.gasUsed)} | ` +
      `${gwei(r.gasPriceWei)} gwei | ${ether(r.chargedWei, 9)} |`,
  );
}
console.log("");
console.log(
  `The paper's customised column is its recommended one × ${PAPER_CUSTOMISED_RATIO.toFixed(2)} (Register_fish) and is ` +
    `priced as if the whole limit were spent; a node charges the gas used and returns the rest.`,
);
