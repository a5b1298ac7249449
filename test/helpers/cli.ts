/**
 * The Hardhat CLI as a user runs it, in a process of its own: its exit code and everything it printed.
 */
import { spawn } from "node:child_process";
import path from "node:path";

/** The Hardhat CLI's entry point, run with this process's node. */
export const HARDHAT = path.join("node_modules", "hardhat", "dist", "src", "cli.js");

export interface CliRun {
  code: number | null;
  output: string;
}

/**
 * `npx hardhat <args>` with `env` added to this process's environment (CI=true: no prompts, no telemetry); a
 * variable given as `undefined` is taken out.
 */
export function hardhatCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const merged: NodeJS.ProcessEnv = { ...process.env, CI: "true", ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete merged[name];
  const child = spawn(process.execPath, [HARDHAT, ...args], {
    env: merged,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}
