/**
 * The one wrapper every FishTrace task action goes through: whatever goes wrong (a bad argument, a revert with a
 * custom error, an unreachable node) is printed as exactly one `error: …` line on stderr, never a stack trace,
 * and the process exits with code 1. The outcome is also returned as a Hardhat `Result`, so a caller running the
 * task in-process (`hre.tasks.getTask([...]).run(...)`) can tell what happened.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Result } from "hardhat/types/utils";

import { withTypedLots } from "../src/core/digital-link.js";
import { describeError } from "../src/core/errors.js";

export type TaskOutcome<T> = Result<T, string>;

export function fishTraceAction<ArgsT, T>(
  action: (args: ArgsT, hre: HardhatRuntimeEnvironment) => Promise<T>,
): (args: ArgsT, hre: HardhatRuntimeEnvironment) => Promise<TaskOutcome<T>> {
  return async (args, hre) => {
    try {
      return { success: true, value: await action(args, hre) };
    } catch (err) {
      const typed = typeof args === "object" && args !== null ? Object.values(args) : [];
      const line = await withNetworkContext(withTypedLots(oneLine(err), typed), hre);
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

/**
 * Hardhat's own network errors, made to say what to do: a refused connection names the URL tried (its origin only:
 * a provider's URL may carry an API key in its path), a missing configuration variable how to set it.
 */
async function withNetworkContext(line: string, hre: HardhatRuntimeEnvironment): Promise<string> {
  const refused = /^HHE703: Cannot connect to the network "([^"]+)"/.exec(line);
  if (refused?.[1] !== undefined) {
    const name = refused[1];
    const where = await networkOrigin(hre, name);
    const hint =
      name === "localhost"
        ? "start one with npx hardhat node --hostname 127.0.0.1, or set LOCALHOST_URL"
        : "check its URL";
    return `cannot connect to the network "${name}" at ${where}: is the node running? (${hint})`;
  }
  const missing = /^HHE7: Configuration Variable "([^"]+)" not found/.exec(line);
  if (missing?.[1] !== undefined) {
    const name = missing[1];
    return `configuration variable ${name} is not set: npx hardhat keystore set ${name} (or set it in the environment)`;
  }
  return line;
}

async function networkOrigin(hre: HardhatRuntimeEnvironment, name: string): Promise<string> {
  const config = hre.config.networks[name];
  if (config?.type !== "http") return "its configured URL";
  try {
    const url = new URL(await config.url.get());
    return url.pathname === "/" && url.search === "" ? url.origin : `${url.origin}/…`;
  } catch {
    return "its configured URL";
  }
}
