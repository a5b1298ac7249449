/**
 * The networks a user names with --network: a refused connection names the URL it tried, a missing configuration
 * variable says how to set it, and the real-network path — URL and key as configuration variables, the key not one
 * of the node's unlocked accounts, Ignition's confirmation — deploys FishTrace and signs tasks with that key,
 * driven here against an anvil that calls itself Sepolia (chain 11155111).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, id, parseEther, toQuantity } from "ethers";

import { freePort, kill, started } from "../../src/tools/processes.js";
import { anvilArgs, anvilBinary } from "../../src/tools/anvil.js";
import { openIndex } from "../../src/index/db.js";
import { SCHEMA } from "../../src/index/schema.js";
import { hardhatCli } from "../helpers/cli.js";
import { spawn, type ChildProcess } from "node:child_process";

describe("networks", function () {
  this.timeout(240_000);

  it("names the URL it tried when the node refuses the connection", async function () {
    const port = await freePort();
    const run = await hardhatCli(["lot", "totals", "--network", "localhost"], {
      LOCALHOST_URL: `http://127.0.0.1:${port}`,
    });
    expect(run.code).to.equal(1);
    const lines = run.output.trim().split("\n");
    expect(lines).to.have.length(1);
    expect(lines[0]).to.equal(
      `error: cannot connect to the network "localhost" at http://127.0.0.1:${port}: is the node running? ` +
        "(start one with npx hardhat node --hostname 127.0.0.1, or set LOCALHOST_URL)",
    );
  });

  it("says how to set a configuration variable a real network needs", async function () {
    const env = { SEPOLIA_RPC_URL: undefined, DEPLOYER_PRIVATE_KEY: undefined };
    const run = await hardhatCli(["lot", "totals", "--network", "sepolia"], env);
    expect(run.code).to.equal(1);
    expect(run.output.trim()).to.match(
      /^error: configuration variable (SEPOLIA_RPC_URL|DEPLOYER_PRIVATE_KEY) is not set: npx hardhat keystore set \1 \(or set it in the environment\)$/,
    );
  });

  describe("a real network's path, against an anvil calling itself Sepolia", function () {
    let node: ChildProcess | undefined;
    let url: string;
    const deploymentId = `test-sepolia-${process.pid}`;
    let registry: string | undefined;
    let index: string | undefined;
    // A key no node unlocks: only the configuration variable gives it to Hardhat.
    const deployer = new Wallet(id(`FishTrace networks test ${process.pid}`));

    before(async function () {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      node = spawn(anvilBinary(), [...anvilArgs(port), "--chain-id", "11155111"], {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      await started(node, "Listening on", "anvil");
      const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
      await provider.send("anvil_setBalance", [deployer.address, toQuantity(parseEther("10"))]);
      provider.destroy();
    });

    after(async function () {
      if (node !== undefined) await kill(node);
      await rm(path.join("ignition", "deployments", deploymentId), { recursive: true, force: true });
      if (index !== undefined) await rm(index, { recursive: true, force: true });
    });

    it("deploys with Ignition from the keystore's key and signs FishTrace tasks with it", async function () {
      const env = {
        SEPOLIA_RPC_URL: url,
        DEPLOYER_PRIVATE_KEY: deployer.privateKey,
        HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "true",
      };
      const deploy = await hardhatCli(
        [
          "ignition",
          "deploy",
          "ignition/modules/FishTrace.ts",
          "--network",
          "sepolia",
          "--deployment-id",
          deploymentId,
        ],
        env,
      );
      expect(deploy.code, deploy.output).to.equal(0);
      registry = /FishTrace#Registry - (0x[0-9a-fA-F]{40})/.exec(deploy.output)?.[1];
      expect(registry, deploy.output).to.match(/^0x/);

      const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
      const nonceAfterDeploy = await provider.getTransactionCount(deployer.address);
      expect(nonceAfterDeploy).to.be.greaterThan(10);

      const species = await hardhatCli(
        ["species", "add", "--network", "sepolia", "--registry", registry!, "--code", "COD", "--name", "Atlantic cod"],
        env,
      );
      expect(species.code, species.output).to.equal(0);
      expect(await provider.getTransactionCount(deployer.address)).to.equal(nonceAfterDeploy + 1);
      provider.destroy();
    });

    // Issue 21 reported "Error:" for this refusal after a redeployment; the bytes were always "error:" (the capital
    // came from the reporting terminal's display). This pins the bytes a script would match, from a real process:
    // an index built for another deployment (its stored key, as a redeployment leaves it), read by the indexer CLI.
    it("refuses an index built for another deployment on the same chain with one `error:` line", async function () {
      if (registry === undefined) this.skip();
      index = await mkdtemp(path.join(os.tmpdir(), "fishtrace-networks-index-"));
      const sql = await openIndex({ dir: index, databaseUrl: "" });
      try {
        await sql.exec(SCHEMA);
        await sql.query("INSERT INTO meta (key, value) VALUES ('deployment', $1)", [`11155111:0x${"ab".repeat(20)}`]);
      } finally {
        await sql.close();
      }
      const env = { SEPOLIA_RPC_URL: url, DEPLOYER_PRIVATE_KEY: deployer.privateKey };
      const refused = await hardhatCli(["indexer", "--network", "sepolia", "--registry", registry, "--db", index], env);
      expect(refused.code).to.equal(1);
      const lines = refused.output.trimEnd().split("\n");
      expect(lines, refused.output).to.have.length(1);
      expect(lines[0]).to.equal(
        `error: the index belongs to deployment 11155111:0x${"ab".repeat(20)}, not 11155111:${registry.toLowerCase()} ` +
          "(another chain or deployment): use another --db, or --reset",
      );
    });
  });
});
