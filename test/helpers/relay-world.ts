/**
 * A FishTrace deployment on a chain of its own (a fresh in-process network, whose clock follows the wall clock like
 * a real chain's — the shared test network's clock is moved days ahead by other suites) and a relay to go with it:
 * a harvester with a lot, a QAT device, a sensor gateway, and the relay's account registered as a gateway of the
 * harvester so it can anchor. Shared by the relay's tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { BrowserProvider, HDNodeWallet, Wallet, id, type TypedDataDomain } from "ethers";
import { network } from "hardhat";

import { DEV_ACCOUNT_INDEX } from "../../src/services/relay/options.js";
import { startRelay, type Relay, type RelayOptions } from "../../src/services/relay/relay.js";
import { registerCatches } from "../../src/tools/relay-stack.js";
import { qatDomain, signReading, type QatReading, type SignedReading } from "../../src/core/qat.js";
import { roleId } from "../../src/core/roles.js";
import { deployFishTrace } from "../../src/node/deploy.js";
import { addressesOf, type FishTrace, type FishTraceAddresses } from "../../src/node/system.js";
import { speciesCode } from "../../src/core/units.js";

export const COD = speciesCode("COD");
export const POK = speciesCode("POK");

export interface RelayWorld {
  connection: Parameters<typeof deployFishTrace>[0];
  fishTrace: FishTrace;
  addresses: FishTraceAddresses;
  provider: BrowserProvider;
  chainId: bigint;
  domain: TypedDataDomain;
  /** The relay's account (Hardhat development account #19), a SENSOR_GATEWAY of the harvester. */
  relayWallet: Wallet;
  /** A QAT device of the harvester. */
  device: Wallet;
  /** A sensor gateway of the harvester (posts to the relay; never sends a transaction). */
  gateway: Wallet;
  /** Never registered. */
  stranger: Wallet;
  /** Lots of the harvester, held at the Harvester stage. */
  lots: bigint[];
  /** A directory for relay stores, removed by `cleanup`. */
  dir: string;
  cleanup(): void;
}

const MNEMONIC = "test test test test test test test test test test test junk";

export async function relayWorld(lotCount = 3): Promise<RelayWorld> {
  const connection = await network.create();
  const fishTrace = await deployFishTrace(connection);
  const [, harvester] = await connection.ethers.getSigners();
  const { registry } = fishTrace;
  const provider = new BrowserProvider(connection.provider, undefined, { polling: true, pollingInterval: 50 });
  const { chainId } = await provider.getNetwork();
  const dev = HDNodeWallet.fromPhrase(MNEMONIC, "", `m/44'/60'/0'/0/${DEV_ACCOUNT_INDEX}`);
  const relayWallet = new Wallet(dev.privateKey, provider);
  const device = new Wallet(id("FishTrace relay test: QAT device"));
  const gateway = new Wallet(id("FishTrace relay test: sensor gateway"));
  const stranger = new Wallet(id("FishTrace relay test: stranger"));

  await (await registry.registerParticipant(harvester!, roleId("HARVESTER"), "FV Nordkapp", "7080003000012")).wait();
  await (await registry.registerDevice(device.address, roleId("QAT_DEVICE"), harvester!)).wait();
  await (await registry.registerDevice(gateway.address, roleId("SENSOR_GATEWAY"), harvester!)).wait();
  await (await registry.registerDevice(relayWallet.address, roleId("SENSOR_GATEWAY"), harvester!)).wait();
  await (await registry.listSpecies(COD, "Atlantic cod")).wait();
  await (await registry.listSpecies(POK, "Saithe")).wait();

  const lots = await registerCatches(fishTrace.harvester.connect(harvester!), lotCount);
  const dir = mkdtempSync(path.join(os.tmpdir(), "fishtrace-relay-"));
  return {
    connection,
    fishTrace,
    addresses: await addressesOf(fishTrace),
    provider,
    chainId,
    domain: qatDomain(chainId, await fishTrace.qualityLedger.getAddress()),
    relayWallet,
    device,
    gateway,
    stranger,
    lots,
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A relay for `world` on a free port, batching fast (so tests need not wait). */
export function relayFor(world: RelayWorld, database: string, over: Partial<RelayOptions> = {}): Promise<Relay> {
  return startRelay({
    provider: world.provider,
    wallet: world.relayWallet,
    addresses: world.addresses,
    database: path.join(world.dir, database),
    port: 0,
    sync: "normal",
    init: true,
    ...over,
    submitter: { maxAgeMs: 50, pollMs: 20, ...over.submitter },
  });
}

let nextReadingId = 1n;

/**
 * The chain's time now (its latest block). A fresh in-process chain's clock need not be the wall clock (late in a
 * long test run it lags it by minutes), and the ledger refuses readings from its future, so readings are stamped by it.
 */
export async function chainNow(world: RelayWorld): Promise<number> {
  return (await world.provider.getBlock("latest"))!.timestamp;
}

/** A COD scan of `lotId` by `device`, grade 10, scanned a minute ago (chain time), with a reading id not used before. */
export async function signedScan(
  world: RelayWorld,
  lotId: bigint,
  over: Partial<QatReading> = {},
  device: Wallet = world.device,
): Promise<SignedReading> {
  const reading: QatReading = {
    readingId: nextReadingId++,
    lotId,
    species: COD,
    speciesConfidence: 97,
    grade: 10,
    gradeConfidence: 90,
    scannedAt: (await chainNow(world)) - 60,
    device: device.address,
    ...over,
  };
  return { reading, signature: await signReading(device, world.domain, reading) };
}

/** A signed reading as a device posts it (JSON: bigints as decimal text). */
export function wire(signed: SignedReading): unknown {
  return JSON.parse(JSON.stringify(signed, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as unknown;
}

/** POSTs `body` as JSON (or as given) to the relay; the status and the parsed answer. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A gateway's sensor post: the exact body and its EIP-191 signature header. */
export async function sensorPost(
  gateway: Wallet,
  request: { stage: string; lots: (string | number)[]; readings: unknown[]; gateway?: string },
): Promise<{ body: string; headers: Record<string, string> }> {
  const { gateway: named, ...rest } = request;
  const body = JSON.stringify({ gateway: named ?? gateway.address, ...rest });
  const signature = await gateway.signMessage(new TextEncoder().encode(body));
  return { body, headers: { "x-fishtrace-signature": signature } };
}

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  ms = 15_000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
