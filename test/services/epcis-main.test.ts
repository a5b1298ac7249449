/**
 * The EPCIS service without Hardhat (src/services/epcis/main.ts), as a service manager and `npm run stack` run it:
 * a process of its own against a `hardhat node` with FishTrace deployed and two catches registered
 * (src/tools/relay-stack.ts), its deployment from an addresses file, its own PGlite index. It syncs, serves the
 * catches' events and the resolver, anchors with the key it is given, picks up a catch registered while it runs, and
 * stops on SIGTERM; a bad flag is one line and exit 2.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { freePort, kill, spawnGroup, started, type GroupChild } from "../../src/tools/processes.js";
import { startStack, type Stack } from "../../src/tools/relay-stack.js";
import { catchData } from "../../src/core/catch.js";

const MAIN = ["--no-warnings=ExperimentalWarning", "--import", "tsx", path.join("src", "services", "epcis", "main.ts")];

describe("EPCIS service without Hardhat (src/services/epcis/main.ts)", function () {
  this.timeout(120_000);
  let stack: Stack | undefined;
  let db: string | undefined;
  let child: GroupChild | undefined;

  before(async function () {
    stack = await startStack(1, 2);
    db = await mkdtemp(path.join(os.tmpdir(), "fishtrace-epcis-main-"));
  });

  after(async function () {
    if (child !== undefined) await kill(child.process);
    await stack?.stop();
    if (db !== undefined) await rm(db, { recursive: true, force: true });
  });

  it("refuses a bad flag in one line with exit 2", async function () {
    const run = promisify(execFile);
    for (const [args, message] of [
      [["--port", "http"], /^error: --port/],
      [["--bogus"], /^error: Unknown option '--bogus'/],
    ] as const) {
      try {
        await run(process.execPath, [...MAIN, ...args], { timeout: 30_000 });
        expect.fail(`${args.join(" ")} was taken`);
      } catch (err) {
        const e = err as { code?: number; stderr?: string };
        expect(e.code, args.join(" ")).to.equal(2);
        const lines = (e.stderr ?? "").trim().split("\n");
        expect(lines, args.join(" ")).to.have.length(1);
        expect(lines[0]).to.match(message);
      }
    }
  });

  it("syncs, serves the catches' events and the resolver, follows the chain, and stops on SIGTERM", async function () {
    const s = stack!;
    const port = await freePort();
    child = spawnGroup(process.execPath, [
      ...MAIN,
      "--rpc",
      s.url,
      "--addresses",
      path.join(s.dir, "addresses.json"),
      "--db",
      db!,
      "--port",
      String(port),
      "--interval",
      "1",
      "--key",
      s.relayKey,
    ]);
    const banner = await started(child.process, "capture: POST", "the EPCIS service");
    const url = `http://127.0.0.1:${port}`;
    expect(banner).to.include(`EPCIS 2.0 query interface on ${url}/epcis/events`);
    // The relay's account is a participant (a sensor gateway): it anchors captured events' roots.
    expect(banner).to.match(/Merkle roots anchored by 0x[0-9a-fA-F]{40} on Registry/);

    const events = async () => {
      const answer = await fetch(
        `${url}/epcis/events?EQ_bizStep=${encodeURIComponent("urn:gdst:bizStep:fishingEvent")}&perPage=100`,
      );
      expect(answer.status).to.equal(200);
      const doc = (await answer.json()) as { epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } };
      return doc.epcisBody.queryResults.resultsBody.eventList.length;
    };
    const before = await events();
    expect(before).to.be.at.least(2);
    expect((await fetch(`${url}/.well-known/gs1resolver`)).status).to.equal(200);
    expect(((await (await fetch(`${url}/healthz`)).json()) as { ok: boolean }).ok).to.equal(true);

    // A catch registered while it runs is served after the next sync.
    const harvester = s.fishTrace.harvester.connect(await s.provider.getSigner(1));
    const caughtAt = (await s.provider.getBlock("latest"))!.timestamp - 60;
    await (
      await harvester.registerFish(
        catchData({ species: "COD", weight: "120kg", caughtAt, latitude: "69.1", longitude: "18.5" }),
      )
    ).wait();
    const until = Date.now() + 20_000;
    let now = before;
    while (now === before && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      now = await events();
    }
    expect(now).to.equal(before + 1);

    const exited = new Promise<number | null>((resolve) => child!.process.once("exit", (code) => resolve(code)));
    process.kill(-child.process.pid!, "SIGTERM");
    expect(await exited).to.equal(0);
    expect(child.output()).to.include("stopped");
  });
});
