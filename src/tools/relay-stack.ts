/**
 * The relay as it runs for real, for the crash test, the Prometheus scrape test and the load benchmark: a
 * `hardhat node` on 127.0.0.1 (its own process), FishTrace deployed to it with Ignition, devices registered, and
 * relay processes (`node --import tsx src/services/relay/main.ts`) started, killed and restarted by PID. Everything started here
 * is stopped here.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { HDNodeWallet, JsonRpcProvider, Wallet, id, type JsonRpcSigner, type TypedDataDomain } from "ethers";
import { network } from "hardhat";

import type { Harvester } from "../../typechain-types/index.js";
import { anvilArgs, anvilBinary } from "./anvil.js";
import { registeredLots } from "./chain.js";
import { freePort, kill, spawnGroup, started } from "./processes.js";
import { qatDomain } from "../core/qat.js";
import { roleId } from "../core/roles.js";
import { deployFishTrace } from "../node/deploy.js";
import { addressesOf, attachFishTrace, type FishTrace, type FishTraceAddresses } from "../node/system.js";
import { mined } from "../node/tx.js";
import { degrees, fixedText, grams, speciesCode } from "../core/units.js";
import { DEV_ACCOUNT_INDEX } from "../services/relay/options.js";

const HARDHAT = path.join("node_modules", "hardhat", "dist", "src", "cli.js");
const MNEMONIC = "test test test test test test test test test test test junk";

/** Registers `count` catches of 100 kg of cod, caught an hour ago, as the harvester `vessel` is connected to. */
export async function registerCatches(vessel: Harvester, count: number): Promise<bigint[]> {
  const lots: bigint[] = [];
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const receipt = await mined(
      vessel.registerFish({
        species: speciesCode("COD"),
        weightGrams: grams("100kg"),
        caughtAt: now - 3_600,
        latitude: degrees(69.1, "latitude"),
        longitude: degrees(18.1, "longitude"),
        catchArea: fixedText("27.2.a", 8, "catch area"),
        vessel: fixedText("IMO9241061", 16, "vessel"),
        gear: fixedText("OTB", 8, "gear"),
        farmed: false,
        frozen: false,
      }),
    );
    lots.push(...registeredLots(vessel, receipt));
  }
  return lots;
}

export interface Stack {
  url: string;
  provider: JsonRpcProvider;
  fishTrace: FishTrace;
  addresses: FishTraceAddresses;
  chainId: bigint;
  domain: TypedDataDomain;
  /** QAT devices of the harvester (keys only, never funded). */
  devices: Wallet[];
  /** A sensor gateway of the harvester. */
  gateway: Wallet;
  /** The relay's account (Hardhat account #19), a SENSOR_GATEWAY of the harvester. */
  relayKey: string;
  /** Accounts for more relays on one PostgreSQL queue (Hardhat accounts #18, #17), gateways of the harvester too. */
  moreRelayKeys: string[];
  lots: bigint[];
  /** Temporary directory (addresses file, stores); removed by `stop`. */
  dir: string;
  stop(): Promise<void>;
}

/** The EVM clients FishTrace is tested on: Hardhat's own node (EDR) and Foundry's anvil. */
export type NodeClient = "hardhat" | "anvil";

/** A node of `client` on 127.0.0.1:`port`, in its own process group; resolves once it answers JSON-RPC. */
export async function startNode(client: NodeClient, port: number): Promise<ChildProcess> {
  const { process: node } =
    client === "anvil"
      ? spawnGroup(anvilBinary(), anvilArgs(port), { keep: 0 })
      : spawnGroup(process.execPath, [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)], { keep: 0 });
  try {
    await started(node, client === "anvil" ? "Listening on" : "Started HTTP and WebSocket JSON-RPC server", client);
  } catch (err) {
    await kill(node);
    throw err;
  }
  return node;
}

/**
 * A node (`hardhat node`, or anvil) on a free 127.0.0.1 port with FishTrace deployed, `deviceCount` QAT devices and
 * `lotCount` lots.
 */
export async function startStack(deviceCount = 4, lotCount = 8, client: NodeClient = "hardhat"): Promise<Stack> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const node = await startNode(client, port);
  const dir = mkdtempSync(path.join(os.tmpdir(), "fishtrace-stack-"));
  const deploymentId = `relay-stack-${process.pid}-${port}`;
  const stop = async () => {
    await kill(node);
    rmSync(dir, { recursive: true, force: true });
    rmSync(path.join("ignition", "deployments", deploymentId), { recursive: true, force: true });
  };
  try {
    const connection = await network.create({ network: "localhost", override: { url } });
    const addresses = await addressesOf(await deployFishTrace(connection, { deploymentId }));

    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, polling: true, pollingInterval: 100 });
    const { chainId } = await provider.getNetwork();
    const admin: JsonRpcSigner = await provider.getSigner(0);
    const harvester: JsonRpcSigner = await provider.getSigner(1);
    const fishTrace = attachFishTrace(addresses, admin);
    const { registry } = fishTrace;
    const relay = HDNodeWallet.fromPhrase(MNEMONIC, "", `m/44'/60'/0'/0/${DEV_ACCOUNT_INDEX}`);
    const moreRelays = [1, 2].map((i) =>
      HDNodeWallet.fromPhrase(MNEMONIC, "", `m/44'/60'/0'/0/${DEV_ACCOUNT_INDEX - i}`),
    );
    const devices = Array.from({ length: deviceCount }, (_, i) => new Wallet(id(`FishTrace stack: QAT device ${i}`)));
    const gateway = new Wallet(id("FishTrace stack: sensor gateway"));
    const cod = speciesCode("COD");
    await (
      await registry.registerParticipant(harvester.address, roleId("HARVESTER"), "FV Nordkapp", "7080003000012")
    ).wait();
    for (const device of devices) {
      await (await registry.registerDevice(device.address, roleId("QAT_DEVICE"), harvester.address)).wait();
    }
    await (await registry.registerDevice(gateway.address, roleId("SENSOR_GATEWAY"), harvester.address)).wait();
    for (const account of [relay, ...moreRelays]) {
      await (await registry.registerDevice(account.address, roleId("SENSOR_GATEWAY"), harvester.address)).wait();
    }
    await (await registry.listSpecies(cod, "Atlantic cod")).wait();
    const lots = await registerCatches(fishTrace.harvester.connect(harvester), lotCount);
    writeFileSync(path.join(dir, "addresses.json"), JSON.stringify(addresses));
    await connection.close();
    return {
      url,
      provider,
      fishTrace,
      addresses,
      chainId,
      domain: qatDomain(chainId, addresses.qualityLedger),
      devices,
      gateway,
      relayKey: relay.privateKey,
      moreRelayKeys: moreRelays.map((r) => r.privateKey),
      lots,
      dir,
      stop: async () => {
        provider.destroy();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface RelayProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM (a clean stop) or SIGKILL (a crash); waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts src/services/relay/main.ts for `stack` on `port` with the store `db` (a SQLite file or postgres://…),
 * sending from `key`; resolves once it listens.
 */
export async function startRelayProcess(
  stack: Stack,
  db: string,
  port: number,
  extra: string[] = [],
  key = stack.relayKey,
): Promise<RelayProcess> {
  const { process: child, output } = spawnGroup(process.execPath, [
    "--no-warnings=ExperimentalWarning",
    "--import",
    "tsx",
    path.join("src", "services", "relay", "main.ts"),
    "--rpc",
    stack.url,
    "--addresses",
    path.join(stack.dir, "addresses.json"),
    "--db",
    db,
    "--port",
    String(port),
    "--key",
    key,
    "--init",
    ...extra,
  ]);
  await started(child, "listening on", "the relay");
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output,
    stop: (signal = "SIGTERM") => kill(child, signal),
  };
}
