import { openIndex, DEFAULT_INDEX_DIR } from "../../src/index/db.js";
import { syncIndex, type SyncResult } from "../../src/index/sync.js";
import { thousands } from "../../src/core/format.js";
import { InputError } from "../../src/core/input-error.js";
import { wholeNumber } from "../../src/core/units.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { deploymentOf, openSession } from "../session.js";

interface Args extends Omit<DeploymentArgs, "from"> {
  fromBlock?: string;
  confirmations?: string;
  chunk?: string;
  db?: string;
  interval?: string;
  follow: boolean;
  reset: boolean;
}

const MAX_BLOCK = Number.MAX_SAFE_INTEGER;

/** What one sync did, as one line. */
function summary(result: SyncResult, seconds: number): string {
  const rate = seconds > 0 ? Math.round(result.events / seconds) : result.events;
  return (
    `indexed ${thousands(result.events)} event${result.events === 1 ? "" : "s"} in ` +
    `${thousands(result.blocks)} block${result.blocks === 1 ? "" : "s"} ` +
    `(${result.fromBlock}..${result.toBlock}) in ${seconds.toFixed(2)} s, ${thousands(rate)} events/s; ` +
    `index at block ${result.toBlock}`
  );
}

export default fishTraceAction(async (args: Args, hre): Promise<SyncResult> => {
  const fromBlock = args.fromBlock === undefined ? undefined : wholeNumber(args.fromBlock, "--from-block", MAX_BLOCK);
  const confirmations =
    args.confirmations === undefined ? undefined : wholeNumber(args.confirmations, "--confirmations", 10_000);
  const chunk = args.chunk === undefined ? undefined : wholeNumber(args.chunk, "--chunk", 1_000_000);
  if (chunk === 0) throw new InputError(`--chunk 0 reads nothing: give at least 1 block`);
  const interval = args.interval === undefined ? 2 : wholeNumber(args.interval, "--interval", 86_400);
  if (args.interval !== undefined && !args.follow) throw new InputError("--interval needs --follow");

  // The index first: a node closes a connection idle for five seconds, and opening PGlite can take that long.
  const sql = await openIndex({ dir: args.db ?? DEFAULT_INDEX_DIR });
  try {
    const session = await openSession(hre);
    const addresses = await deploymentOf(session, args);
    const provider = session.ethers.provider;
    const options = { fromBlock, confirmations, chunk };
    const started = performance.now();
    let result = await syncIndex(sql, provider, addresses, { ...options, reset: args.reset });
    console.log(summary(result, (performance.now() - started) / 1000));
    if (!args.follow) return result;

    let stopping = false;
    let wake: (() => void) | undefined;
    const stop = () => {
      stopping = true;
      wake?.();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    console.log(`following ${session.networkName} every ${interval} s (Ctrl-C stops)`);
    const first = result;
    try {
      while (!stopping) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, interval * 1000);
        });
        if (stopping) break;
        const t0 = performance.now();
        const next = await syncIndex(sql, provider, addresses, options);
        if (next.events > 0) console.log(summary(next, (performance.now() - t0) / 1000));
        // What the whole run did.
        result = {
          ...next,
          events: result.events + next.events,
          fromBlock: first.fromBlock,
          blocks: result.blocks + next.blocks,
        };
      }
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    console.log(`stopped; index at block ${result.toBlock}`);
    return result;
  } finally {
    await sql.close();
  }
});
