/**
 * The one wrapper every FishTrace task action goes through: whatever goes wrong (a bad argument, a revert with a
 * custom error, an unreachable node) is printed as exactly one `error: …` line on stderr, never a stack trace,
 * and the process exits with code 1. The outcome is also returned as a Hardhat `Result`, so a caller running the
 * task in-process (`hre.tasks.getTask([...]).run(...)`) can tell what happened.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Result } from "hardhat/types/utils";

import { describeError } from "../src/errors.js";

export type TaskOutcome<T> = Result<T, string>;

export function fishTraceAction<ArgsT, T>(
  action: (args: ArgsT, hre: HardhatRuntimeEnvironment) => Promise<T>,
): (args: ArgsT, hre: HardhatRuntimeEnvironment) => Promise<TaskOutcome<T>> {
  return async (args, hre) => {
    try {
      return { success: true, value: await action(args, hre) };
    } catch (err) {
      const line = oneLine(err);
      console.error(`error: ${line}`);
      process.exitCode = 1;
      return { success: false, error: line };
    }
  };
}

/** `describeError`'s line, or the first line of the message should describing the error fail in turn. */
function oneLine(err: unknown): string {
  try {
    return describeError(err);
  } catch {
    const message = err instanceof Error ? err.message : String(err);
    return message.split("\n")[0] ?? "unknown error";
  }
}
