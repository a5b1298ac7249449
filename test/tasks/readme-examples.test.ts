/**
 * README's Tasks table, run as a newcomer runs it: every example, in the table's order, against a `hardhat node` on a
 * free 127.0.0.1 port, with `--network localhost` added and the optional `[…]` parts left out. The table is the one
 * source: this test reads it, and fails when a row is added, dropped or names an option its task does not have. A task
 * with two rows (two ways to use it) is told twice, each time with its next row.
 * Between the examples the story adds what README says it adds (the rest of the cast, more catches, the other
 * hand-overs, time passing); each of those is a task command too. Files are read and written in a fresh folder with
 * a copy of `examples/`, so the run needs no folder made by hand; the deployment gets its own Ignition id.
 *
 * The tasks run in this process through a second Hardhat runtime whose `localhost` is the node (fast: no process
 * per command); the servers (`trace serve`, `epcis serve`, `relay`) are started as the CLI starts them, asked for /healthz and
 * stopped by PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import userConfig from "../../hardhat.config.js";
import { freePort, kill, started } from "../../src/tools/processes.js";
import { startNode } from "../../src/tools/relay-stack.js";
import { README } from "../../src/tools/readme.js";
import { HARDHAT, hardhatCli } from "../helpers/cli.js";
import { runTask, type TaskRun } from "../helpers/task-run.js";

/** One row of README's Tasks table: the task and its example command, as written. */
interface Example {
  task: string;
  command: string;
}

/** The rows of README's Tasks table: the first command in backticks of each row. */
function readmeExamples(readme: string): Example[] {
  const section = readme.slice(readme.indexOf("<!-- tasks:start -->"), readme.indexOf("<!-- tasks:end -->"));
  const examples: Example[] = [];
  for (const line of section.split("\n")) {
    const row = /^\| `([a-z -]+)` \| `(npx hardhat [^`]+)`/.exec(line);
    if (row?.[1] !== undefined && row[2] !== undefined) examples.push({ task: row[1], command: row[2] });
  }
  return examples;
}

/** Shell-like words: double-quoted strings are one word; `[optional parts]` are left out. */
function words(command: string): string[] {
  const bare = command.replace(/\s*\[[^\]]*\]/g, "");
  const out: string[] = [];
  for (const match of bare.matchAll(/"([^"]*)"|(\S+)/g)) out.push(match[1] ?? match[2] ?? "");
  return out;
}

type Step =
  | { readme: string; extra?: string[]; server?: { ready: string }; cli?: true }
  | { run: string }
  | { advance: number; why: string };

const HOUR = 3_600;
const enrol = (address: number, role: string, name: string, location?: string): Step => ({
  run: `npx hardhat participant add --address ${address} --role ${role} --name "${name}"${location === undefined ? "" : ` --location ${location}`}`,
});
const catchOf = (weight: string): Step => ({
  run: `npx hardhat harvester register --species COD --weight ${weight} --lat 68.9 --lon 15.1 --area 27.2.a --vessel IMO9241061 --gear OTB`,
});
const handOver = (stage: string, order: number, lots: string): Step[] => [
  { run: `npx hardhat order ship --stage ${stage} --order ${order} --lots ${lots}` },
  { run: `npx hardhat order confirm --stage ${stage} --order ${order}` },
  { run: `npx hardhat order acknowledge --stage ${stage} --order ${order}` },
];
const PACK_1 = "07038010123450:L2026-001";
const PACK_2 = "07038010123467:L2026-002";
const ROUTE = '--origin 7080003000033 --destination 7080003000040 --mode road --vehicle "EL 12345"';

/** The story: README's rows by task name, in the table's order, and what happens between them. */
const STORY: Step[] = [
  { readme: "deploy" },
  { readme: "participant add" },
  enrol(2, "supplier", "Bodø Fish Receiving", "7080003000019"),
  enrol(4, "manufacturer", "Lofoten Fillet AS", "7080003000026"),
  enrol(5, "distributor", "Nordic Cold Logistics", "7080003000033"),
  enrol(6, "retailer", "Tromsø Fiskehall", "7080003000040"),
  enrol(7, "customer", "Kari Nordmann"),
  enrol(8, "regulator", "Food Safety Authority", "7080003000057"),
  { readme: "device add" },
  // README: "the example device key must first be bound as a QAT device of the lots' custodian".
  { run: "npx hardhat device add --address 0xE8F8EE25f2C2fD85b9Be6fFFe5533dd14e1c384F --role qat-device --operator 1" },
  { readme: "species add" },
  { run: 'npx hardhat species add --code HAD --name "Haddock"' },
  { readme: "harvester register" },
  catchOf("180kg"),
  { readme: "harvester transship" },
  { readme: "pack create" },
  { readme: "pack open" },
  { advance: 2 * HOUR, why: "the vessel is at sea: the example scans and probe readings come after the catches" },
  { readme: "lot update" },
  { readme: "qat sign" },
  { readme: "qat relay" },
  { readme: "sensor anchor" },
  { readme: "sensor prove" },
  { readme: "order place" },
  { readme: "order ship" },
  { readme: "order confirm" },
  { readme: "order acknowledge" },
  { readme: "order withdraw" },
  { readme: "order show" },
  { run: "npx hardhat order place --stage supplier --species COD --weight 400kg --price 4" },
  ...handOver("supplier", 1, "1,2"),
  { readme: "manufacturer process" },
  { readme: "lot remove" },
  { readme: "lot totals" },
  { run: "npx hardhat order place --stage manufacturer --species COD --weight 400g --price 1" },
  ...handOver("manufacturer", 1, PACK_1),
  { run: "npx hardhat order place --stage distributor --species COD --weight 400g --price 1.2" },
  { readme: "distributor dispatch" },
  { readme: "distributor arrive" },
  { run: "npx hardhat order acknowledge --stage distributor --order 1" },
  { run: "npx hardhat order place --stage retailer --species COD --weight 400g --price 0.1" },
  ...handOver("retailer", 1, PACK_1),
  { readme: "customer verify" },
  { readme: "customer report" },
  { readme: "lot query" },
  // The second pack to the retailer, for the recall.
  { run: "npx hardhat order place --stage manufacturer --species COD --weight 500g --price 1" },
  ...handOver("manufacturer", 2, PACK_2),
  { run: "npx hardhat order place --stage distributor --species COD --weight 500g --price 1.2" },
  { run: `npx hardhat distributor dispatch --order 2 --lots ${PACK_2} ${ROUTE}` },
  { run: "npx hardhat distributor arrive --order 2 --location 7080003000040" },
  { run: "npx hardhat order acknowledge --stage distributor --order 2" },
  { readme: "lot recall" },
  // An order the customer will cancel when its ship-by time has passed, one the supplier will reject on arrival,
  // and one whose buyer stays silent past its acknowledgement window, so the harvester claims the price.
  { run: "npx hardhat order place --stage retailer --species COD --weight 500g --price 0.2 --ship-by 1h" },
  catchOf("120kg"),
  { run: "npx hardhat order place --species COD --weight 100kg --price 1" },
  { run: "npx hardhat order ship --order 2 --lots 3" },
  { run: "npx hardhat order confirm --order 2" },
  catchOf("110kg"),
  { run: "npx hardhat order place --species COD --weight 100kg --price 1 --ack-window 1h" },
  { run: "npx hardhat order ship --order 3 --lots 4" },
  // The buyer confirms the arrival itself: its acknowledgement window starts now (a seller's word would add the
  // arrival dispute window, audit F6).
  { run: "npx hardhat order confirm --order 3 --from 2" },
  { advance: 2 * HOUR, why: "the ship-by time and the acknowledgement window pass" },
  { readme: "order cancel" },
  // The supplier's own scanner (node account 9) scans the lot on its way before it decides: haddock, not cod.
  { run: "npx hardhat device add --address 9 --role qat-device --operator 2" },
  { run: "npx hardhat qat sign --in examples/receiving-scans.csv --out received.json --device 9" },
  { readme: "qat receive" },
  { readme: "order reject" },
  { readme: "order claim" },
  // The vessel lands its next catch: the file's lots come after every lot the story names by id.
  { readme: "harvester register" },
  { readme: "indexer" },
  { readme: "trace" },
  { readme: "recall" },
  { readme: "masterdata import" },
  { readme: "masterdata show" },
  { readme: "export epcis" },
  { readme: "export fsma" },
  { readme: "trace serve", server: { ready: "trace API on" } },
  { readme: "epcis serve", server: { ready: "EPCIS 2.0 query interface on" } },
  // The relay's first start creates its store, as its row says (--init-store).
  { readme: "relay", extra: ["--init-store"], server: { ready: "listening on" } },
  // gas-tables measures on Hardhat's in-process network of its own (no --network in its row), as the CLI starts it;
  // it rewrites committed files, so its documented --check form measures and compares instead.
  { readme: "gas-tables", extra: ["--check"], cli: true },
];

/** Option names as tasks declare them: `--ship-by` is `shipBy`. */
const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

describe("README's Tasks table, every example in order on a hardhat node", function () {
  this.timeout(600_000);
  let node: ChildProcess | undefined;
  let url: string;
  let dir: string;
  let hre: HardhatRuntimeEnvironment;
  let examples: Example[];
  const deploymentId = `readme-${process.pid}`;
  const cwd = process.cwd();
  const envBefore = process.env.FISHTRACE_DEPLOYMENT_ID;

  before(async function () {
    examples = readmeExamples(await readFile(README, "utf8"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    node = await startNode("hardhat", port);
    dir = await mkdtemp(path.join(os.tmpdir(), "fishtrace-readme-"));
    await cp(path.join(cwd, "examples"), path.join(dir, "examples"), { recursive: true });
    process.env.FISHTRACE_DEPLOYMENT_ID = deploymentId;
    hre = await createHardhatRuntimeEnvironment(
      { ...userConfig, networks: { ...userConfig.networks, localhost: { type: "http", chainType: "l1", url } } },
      { network: "localhost" },
      cwd,
    );
  });

  after(async function () {
    process.chdir(cwd);
    if (envBefore === undefined) delete process.env.FISHTRACE_DEPLOYMENT_ID;
    else process.env.FISHTRACE_DEPLOYMENT_ID = envBefore;
    if (node !== undefined) await kill(node);
    await rm(dir, { recursive: true, force: true });
    await rm(path.join(cwd, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  });

  it("tells a story that uses every row of the table once, in the table's order", function () {
    const told = STORY.flatMap((s) => ("readme" in s ? [s.readme] : []));
    expect(told).to.deep.equal(examples.map((e) => e.task));
  });

  /** Runs one command in this process against the node; its printed lines, or the one error line. */
  async function runCommand(command: string, extra: string[] = []): Promise<string[]> {
    const argv = [...words(command), ...extra];
    expect(argv.slice(0, 2), command).to.deep.equal(["npx", "hardhat"]);
    const rest = argv.slice(2);
    const id: string[] = [];
    while (rest.length > 0 && !rest[0]!.startsWith("--")) id.push(rest.shift()!);
    const task = hre.tasks.getTask(id);
    const args: Record<string, string | boolean> = {};
    while (rest.length > 0) {
      const flag = rest.shift()!;
      expect(flag, `${command}: ${flag} is not an option`).to.match(/^--[a-z]/);
      const name = camel(flag.slice(2));
      if (name === "network") {
        expect(rest.shift(), command).to.equal("localhost");
        continue;
      }
      const option = task.options.get(name);
      expect(option, `${command}: ${id.join(" ")} has no option ${flag}`).to.not.equal(undefined);
      if (option!.type === "FLAG") args[name] = true;
      else args[name] = rest.shift() ?? "";
    }
    // Relative paths (examples/, signed.json, the default index folder) resolve in the story's folder.
    process.chdir(dir);
    let run: TaskRun;
    try {
      run = await runTask(id, args, hre);
    } finally {
      process.chdir(cwd);
    }
    expect(run.err, `${command}\n${run.out.slice(-20).join("\n")}`).to.deep.equal([]);
    expect(run.result, command).to.not.deep.include({ success: false });
    return run.out;
  }

  /** Starts a server task as the CLI does, asks it for /healthz, stops it by PID. */
  async function runServer(command: string, ready: string, extra: string[] = []): Promise<void> {
    const port = await freePort();
    const argv = [...words(command).slice(2), ...extra, "--port", String(port)];
    if (argv[0] === "relay") argv.push("--db", path.join(dir, "relay-data", "relay.sqlite"));
    else argv.push("--db", path.join(dir, "indexer-data", "pglite"));
    const child = spawn(process.execPath, [HARDHAT, ...argv], {
      env: { ...process.env, CI: "true", LOCALHOST_URL: url, FISHTRACE_DEPLOYMENT_ID: deploymentId },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      await started(child, ready, command, 120_000);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status, command).to.equal(200);
    } finally {
      await kill(child, "SIGINT");
    }
  }

  it("runs each example and each step between them without an error", async function () {
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    const done: string[] = [];
    // A task may have several rows (the same task used two ways): each readme step takes its task's next row.
    const unused = [...examples];
    try {
      for (const step of STORY) {
        if ("advance" in step) {
          await provider.send("evm_increaseTime", [step.advance]);
          await provider.send("evm_mine", []);
          continue;
        }
        let command = "run" in step ? step.run : step.readme;
        if ("readme" in step) {
          const row = unused.findIndex((e) => e.task === step.readme);
          if (row >= 0) command = unused.splice(row, 1)[0]?.command ?? command;
        }
        if ("readme" in step && step.server !== undefined) await runServer(command, step.server.ready, step.extra);
        else if ("readme" in step && step.cli === true) {
          const run = await hardhatCli([...words(command).slice(2), ...(step.extra ?? [])]);
          expect(run.code, `${command}\n${run.output.slice(-2000)}`).to.equal(0);
        } else await runCommand(command, "readme" in step ? step.extra : undefined);
        done.push(command);
      }
    } catch (err) {
      throw new Error(`after ${done.length} steps: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      provider.destroy();
    }
    expect(done).to.have.length(STORY.filter((s) => !("advance" in s)).length);
  });
});

describe("README's Quick start: npm run demo", function () {
  this.timeout(300_000);

  it("tells the story to the end on the in-process network and prints the time of each part", async function () {
    const child = spawn("npm", ["run", "demo"], {
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, output.slice(-3000)).to.equal(0);
    // What README says it shows.
    expect(output).to.include("FishTrace demo on Hardhat's in-process network");
    expect(output).to.match(
      /EPCIS 2\.0 \+ GDST 1\.2 document: \d+ events, valid \(epcis2\.js\) → demo-output\/epcis-pack\.jsonld/,
    );
    expect(output).to.include("FSMA 204 sortable spreadsheet");
    expect(output).to.include("pack L2026-11-002 at the retailer: FROZEN, SPECIES_MISMATCH, RECALLED");
    const phases = output.slice(output.indexOf("Time per part of the story:")).split("\n").slice(1);
    const timed = phases.filter((line) => /^\s+\d+\.\d s {2}\S/.test(line));
    expect(timed.length, "a time for each part").to.be.greaterThan(5);
    expect(output).to.match(/Done in [\d.]+ s\./);
  });
});

describe("README's Quick start: npm run stack", function () {
  this.timeout(300_000);

  it("builds the dApp, starts the stack on the ports given, serves the dApp, and Ctrl-C stops all of it", async function () {
    const [node, web, relay, trace] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const dir = await mkdtemp(path.join(os.tmpdir(), "fishtrace-stack-"));
    const args = ["run", "stack", "--", "--port-node", String(node), "--port-web", String(web)];
    args.push("--port-relay", String(relay), "--port-trace", String(trace), "--no-prometheus", "--dir", dir);
    const child = spawn("npm", args, {
      env: { ...process.env, CI: "true" },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exit = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once("exit", (code, signal) => resolve(code ?? signal)),
    );
    try {
      // What README shows it print, on the ports given.
      const output = await started(child, "a recalled pack", "npm run stack", 240_000);
      expect(output).to.include(`http://127.0.0.1:${web}/01/07038010123450/10/L2026-11-001`);
      const page = await fetch(`http://127.0.0.1:${web}/01/07038010123450/10/L2026-11-001`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.include("<html");
      const config = (await (await fetch(`http://127.0.0.1:${web}/config.json`)).json()) as { chainId?: number };
      expect(config.chainId).to.equal(31337);
      expect((await fetch(`http://127.0.0.1:${relay}/healthz`)).status).to.equal(200);
    } finally {
      // Ctrl-C in a terminal: SIGINT to the whole foreground group (npm ends by the signal, the stack cleanly).
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGINT");
      const ended = await exit;
      await rm(dir, { recursive: true, force: true });
      expect([0, "SIGINT"], "how npm run stack ended").to.include(ended);
    }
    // Everything it started stops (npm ends at once; the stack stops its services in turn): the node, the relay,
    // the trace API and the dApp's server.
    const answering = async () => {
      const open: number[] = [];
      for (const port of [node, relay, trace, web]) {
        const answers = await fetch(`http://127.0.0.1:${port}/`).then(
          () => true,
          () => false,
        );
        if (answers) open.push(port);
      }
      return open;
    };
    const until = Date.now() + 30_000;
    let open = await answering();
    while (open.length > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      open = await answering();
    }
    expect(open, "ports still answering 30 s after Ctrl-C").to.deep.equal([]);
  });
});
