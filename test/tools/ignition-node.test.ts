/**
 * The deployment a newcomer runs: `npx hardhat ignition deploy ignition/modules/FishTrace.ts --network localhost`
 * against a real `hardhat node` on 127.0.0.1, both started here as separate processes and stopped by PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { freePort, started } from "../../src/tools/processes.js";
import { attachFishTrace, recordedAddresses } from "../../src/node/system.js";
import { STAGE_NAMES } from "../../src/core/vocabulary.js";

const HARDHAT = path.join("node_modules", "hardhat", "dist", "src", "cli.js");

function hardhat(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [HARDHAT, ...args], { env: { ...process.env, ...env }, detached: true });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe("ignition deploy against a local hardhat node", function () {
  this.timeout(180_000);
  let node: ChildProcess | undefined;
  let url: string;
  const deploymentId = `test-${process.pid}`;

  before(async function () {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    node = hardhat(["node", "--hostname", "127.0.0.1", "--port", String(port)], {});
    await started(node, "Started HTTP and WebSocket JSON-RPC server", "hardhat node");
  });

  after(async function () {
    if (node?.pid !== undefined && node.exitCode === null) process.kill(-node.pid, "SIGTERM");
    await rm(path.join("ignition", "deployments", deploymentId), { recursive: true, force: true });
  });

  it("deploys the registry, all six stages and the quality ledger, attached and linked", async function () {
    const deploy = hardhat(
      [
        "ignition",
        "deploy",
        "ignition/modules/FishTrace.ts",
        "--network",
        "localhost",
        "--deployment-id",
        deploymentId,
      ],
      { LOCALHOST_URL: url, CI: "true" },
    );
    const { code, output } = await exitOf(deploy);
    expect(code, output).to.equal(0);

    const addresses = await recordedAddresses(0n, path.join(process.cwd(), "ignition"), deploymentId);
    const provider = new JsonRpcProvider(url);
    const system = attachFishTrace(addresses, provider);
    expect(await system.registry.stages()).to.deep.equal([
      ...STAGE_NAMES.map((name) => addresses[name]),
      addresses.qualityLedger,
    ]);
    for (const [i, name] of STAGE_NAMES.entries()) {
      expect(await system[name].stage(), name).to.equal(BigInt(i + 1));
      expect(await system[name].qualityLedger(), name).to.equal(addresses.qualityLedger);
      expect(await system.qualityLedger.stageAt(i + 1), name).to.equal(addresses[name]);
      const next = i + 1 < STAGE_NAMES.length ? addresses[STAGE_NAMES[i + 1]!] : "0x" + "00".repeat(20);
      expect(await system[name].nextStage(), name).to.equal(next);
    }
    provider.destroy();
  });
});
