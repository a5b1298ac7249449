/**
 * The dispatch benchmark (issue 9): a hub ships cod to retailers for several weeks of generated arrivals and demand,
 * once first-in-first-out and once shelf-life-first (remaining shelf life predicted from scans and temperature
 * history with the shared freshness model; shortest first, to the nearest retailer with open demand). Prints the
 * kilograms supplied, sold, spoiled (at the hub, on shop shelves) and unmet for both, and the planning latency.
 *
 *   npm run bench:dispatch      (hardhat run --no-compile src/tools/bench/dispatch.ts)
 *
 * Environment: BENCH_DISPATCH_DAYS (56), BENCH_DISPATCH_RETAILERS (4), BENCH_DISPATCH_SUPPLY (1.0, supply over
 * demand), BENCH_DISPATCH_WARM (0.2, share of lots with a warm episode), BENCH_DISPATCH_SEEDS (5 scenarios, seeds
 * 1…n).
 */
import os from "node:os";
import { performance } from "node:perf_hooks";

import {
  generateDispatchScenario,
  simulateDispatch,
  type DispatchPolicy,
  type DispatchResult,
} from "../../analytics/dispatch-sim.js";
import { defined } from "../checked.js";
import { envNumber } from "./env.js";

const DAYS = Math.round(envNumber("BENCH_DISPATCH_DAYS", 56));
const RETAILERS = Math.round(envNumber("BENCH_DISPATCH_RETAILERS", 4));
const SUPPLY = envNumber("BENCH_DISPATCH_SUPPLY", 1.0);
const WARM = envNumber("BENCH_DISPATCH_WARM", 0.2);
const SEEDS = Math.max(1, Math.round(envNumber("BENCH_DISPATCH_SEEDS", 5)));

const cpus = os.cpus();
const machine = `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), node ${process.version}`;
const policies: DispatchPolicy[] = ["fifo", "shelf-life-first"];
/** Each policy's results, one a scenario, and the milliseconds its simulations took. */
const runs: { policy: DispatchPolicy; results: DispatchResult[]; ms: number }[] = policies.map((policy) => ({
  policy,
  results: [],
  ms: 0,
}));
const runOf = (policy: DispatchPolicy) =>
  defined(
    runs.find((r) => r.policy === policy),
    `the ${policy} run`,
  );
let lots = 0;
for (let seed = 1; seed <= SEEDS; seed++) {
  const scenario = generateDispatchScenario({
    seed,
    days: DAYS,
    retailers: RETAILERS,
    supplyRatio: SUPPLY,
    warmShare: WARM,
  });
  lots += scenario.arrivals.reduce((s, a) => s + a.length, 0);
  for (const run of runs) {
    const t = performance.now();
    run.results.push(simulateDispatch(scenario, run.policy));
    run.ms += performance.now() - t;
  }
}

const sum = (rs: DispatchResult[], key: keyof Omit<DispatchResult, "policy">) => rs.reduce((s, r) => s + r[key], 0);
const kg = (x: number) => `${Math.round(x).toLocaleString("en-US")} kg`;
console.log(`dispatch benchmark — ${machine}`);
console.log("");
console.log(
  `${SEEDS} scenarios (seeds 1–${SEEDS}) × ${DAYS} days, ${RETAILERS} retailers, supply ${SUPPLY}× demand, ` +
    `${Math.round(WARM * 100)} % of lots with a warm episode; ${lots.toLocaleString("en-US")} lots in all.`,
);
console.log("");
console.log(
  "| policy | supplied | sold | spoiled (hub + shops) | spoiled % of supplied | unmet demand | simulation time |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const { policy, results: rs, ms } of runs) {
  const spoiled = sum(rs, "spoiledKg");
  console.log(
    `| ${policy} | ${kg(sum(rs, "suppliedKg"))} | ${kg(sum(rs, "soldKg"))} | ${kg(spoiled)} (${kg(sum(rs, "spoiledAtHubKg"))} + ` +
      `${kg(sum(rs, "spoiledAtShopsKg"))}) | ${((100 * spoiled) / sum(rs, "suppliedKg")).toFixed(1)} % | ${kg(sum(rs, "unmetKg"))} | ` +
      `${(ms / 1000).toFixed(1)} s |`,
  );
}
const fifoRun = runOf("fifo").results;
const firstRun = runOf("shelf-life-first").results;
const fifo = sum(fifoRun, "spoiledKg");
const first = sum(firstRun, "spoiledKg");
console.log("");
console.log(
  `Shelf-life-first spoils ${kg(fifo - first)} less than FIFO (${fifo === 0 ? "n/a" : `${((100 * (fifo - first)) / fifo).toFixed(0)} %`} less); ` +
    `better on ${fifoRun.filter((r, i) => defined(firstRun[i], `scenario ${i + 1}`).spoiledKg < r.spoiledKg).length} of ${SEEDS} scenarios.`,
);
