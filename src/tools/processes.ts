/**
 * Child processes for the local stack, the relay harness and the tests: a free port, a child in its own process group
 * with the tail of what it printed, waiting until it says it is ready, and killing its whole group. No Hardhat here:
 * the local stack and the tests that start processes import this without loading Hardhat's network or Ignition.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close(() => reject(new Error(`a probe server on 127.0.0.1 has no TCP port: ${String(address)}`)));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** A child process in its own process group, with what it printed (stdout and stderr, interleaved). */
export interface GroupChild {
  process: ChildProcess;
  /** What it printed so far (the last `keep` characters when a limit was given). */
  output(): string;
}

export interface SpawnGroupOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep only the last `keep` characters of the output, none with 0 (default: all of it). */
  keep?: number;
}

/**
 * Spawns `command` detached — the leader of a process group of its own, so `kill` ends it with everything it started —
 * with stdout and stderr piped and collected.
 */
export function spawnGroup(command: string, args: string[], options: SpawnGroupOptions = {}): GroupChild {
  const child = spawn(command, args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { keep } = options;
  let output = "";
  const collect = (d: Buffer) => {
    output += d.toString();
    if (keep !== undefined) output = keep > 0 ? output.slice(-keep) : "";
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  return { process: child, output: () => output };
}

/**
 * Resolves with what `child` printed once its output (stdout or stderr) includes `ready`; rejects if it exits first
 * or times out.
 */
export function started(child: ChildProcess, ready: string, what: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen.slice(-800)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(ready)) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited early (${code}): ${seen.slice(-800)}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** True while any process of the group `pgid` is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true once the group `pgid` is empty, false if it still has a member after `timeoutMs`. */
async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/**
 * Kills the process group of `child` with `signal` and waits until the whole group has ended, not only its
 * leader: a wrapper (tsx, npx) may exit before the process it started. A member still alive after `graceMs` is
 * sent SIGKILL.
 */
export async function kill(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 5_000): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined || !groupAlive(pgid)) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    return;
  }
  const ended = async (timeoutMs: number): Promise<boolean> => {
    const until = Date.now() + timeoutMs;
    const leader = await Promise.race([
      exited(child).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
    ]);
    return leader && groupGone(pgid, Math.max(0, until - Date.now()));
  };
  if (await ended(graceMs)) return;
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    return;
  }
  await ended(2_000);
}
