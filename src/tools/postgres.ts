/**
 * A real PostgreSQL server for tests and benchmarks (Debian's `postgresql` package; `.ci/run` installs it): a new cluster in a
 * temporary directory, `postgres` listening on 127.0.0.1 on a free port with trust authentication, stopped by PID and
 * removed by `stop()`. PostgreSQL refuses to run as root, so as root the cluster is made and run as the `postgres`
 * user. Nothing here skips when the server is missing: the error says what to install.
 */
import { execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import pg from "pg";

import { freePort } from "./processes.js";

export interface RunningPostgres {
  /** postgres://fishtrace@127.0.0.1:<port>/postgres */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The directory holding `initdb` and `postgres`: on PATH, or Debian's /usr/lib/postgresql/<version>/bin. */
function binDir(): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir !== "" && existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "postgres"))) return dir;
  }
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const dir = path.join(root, v, "bin");
    if (existsSync(path.join(dir, "initdb"))) return dir;
  }
  throw new Error("PostgreSQL not found (initdb, postgres): install it with `apt-get install postgresql`");
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), "fishtrace-pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  let uid: number | undefined;
  if (asRoot) {
    uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (command: string, args: string[]) =>
    asRoot ? { command: "runuser", args: ["-u", "postgres", "--", command, ...args] } : { command, args };
  const init = run(path.join(bin, "initdb"), ["-D", data, "-U", "fishtrace", "--auth=trust", "-E", "UTF8"]);
  execFileSync(init.command, init.args, { stdio: "pipe" });
  const port = await freePort();
  const server = run(path.join(bin, "postgres"), ["-D", data, "-h", "127.0.0.1", "-p", String(port), "-k", dir]);
  const child = spawn(server.command, server.args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `postgres://fishtrace@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      process.kill(-child.pid, "SIGINT"); // PostgreSQL's fast shutdown
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`PostgreSQL did not start: ${output.slice(-600)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (child.pid === undefined) {
    await stop();
    throw new Error("PostgreSQL did not start (no process id)");
  }
  return { url, pid: child.pid, stop };
}
