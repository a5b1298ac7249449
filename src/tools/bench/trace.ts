/**
 * The trace benchmark: builds a supply-chain history of at least 100,000 lots through the real contracts on an
 * in-process network (catches from several vessels, sold to suppliers, processed by manufacturers into many packs
 * each, the packs sold on to distributors, retailers and customers), indexes it from block 0 into a fresh PGlite and
 * into a throwaway PostgreSQL server (src/tools/postgres.ts; skipped, saying so, when its binaries are missing), and
 * reports indexer catch-up (events/s) on both, trace latency p50 / p99 / max for pack → catches and catch → all
 * customers, and the time to compute the recall of one catch (on PGlite). A benchmark printing figures, not a test.
 *
 *   npm run bench:trace      (hardhat run --no-compile src/tools/bench/trace.ts)
 *
 * Transactions are sent raw (`eth_sendTransaction` from impersonated accounts, explicit nonces and gas limits, no
 * estimation, no waiting for receipts) with automine off, and mined many to a block with `evm_mine`; every receipt
 * is checked afterwards.
 *
 * Environment: BENCH_TRACE_LOTS (100000, lots in all: catches + packs), BENCH_TRACE_CATCH_SHARE (0.06, the share
 * of them that are catches), BENCH_TRACE_BACKWARD (500 packs traced back), BENCH_TRACE_FORWARD (200 catches traced
 * forward), BENCH_TRACE_RECALLS (10 catches recalled), BENCH_TRACE_CUSTOMERS (60), BENCH_TRACE_SEED (1),
 * BENCH_TRACE_DB (a directory to keep the PGlite index in; default a temporary directory, removed at the end),
 * BENCH_TRACE_PROFILE (a path prefix: CPU profiles of the indexing, `<prefix>.pglite.cpuprofile` and
 * `<prefix>.postgresql.cpuprofile`, for Chrome DevTools or `speedscope`), BENCH_TRACE_STATEMENTS (1: the indexer's
 * time per statement), BENCH_TRACE_BULK (0: the indexer writes a statement per row, its reference path).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import cliProgress from "cli-progress";
import { AbiCoder, Interface, getAddress, id, keccak256, toQuantity } from "ethers";
import { network } from "hardhat";
import { z } from "zod";

import { openIndex, type Sql } from "../../index/db.js";
import { postgresBinDir, startPostgres } from "../postgres.js";
import { syncIndex } from "../../index/sync.js";
import { mulberry32 } from "../../core/random.js";
import { planRecall, recallNotice } from "../../index/recall.js";
import { roleId } from "../../core/roles.js";
import { gtinCheckDigit } from "../../core/digital-link.js";
import { stageRole } from "../../core/stages.js";
import { deployFishTrace } from "../../node/deploy.js";
import { addressesOf, type FishTraceAddresses } from "../../node/system.js";
import { descendants, traceLot } from "../../index/trace.js";
import { degrees, fixedText, speciesCode } from "../../core/units.js";
import { Harvester__factory, Manufacturer__factory, OrderBook__factory } from "../../../typechain-types/index.js";
import { defined } from "../checked.js";
import { envNumber } from "./env.js";
import { percentile } from "./stats.js";
import type { StageName } from "../../core/vocabulary.js";

const LOTS = Math.round(envNumber("BENCH_TRACE_LOTS", 100_000));
const CATCH_SHARE = envNumber("BENCH_TRACE_CATCH_SHARE", 0.06);
const BACKWARD_SAMPLES = Math.round(envNumber("BENCH_TRACE_BACKWARD", 500));
const FORWARD_SAMPLES = Math.round(envNumber("BENCH_TRACE_FORWARD", 200));
const RECALL_SAMPLES = Math.round(envNumber("BENCH_TRACE_RECALLS", 10));
const CUSTOMERS = Math.max(1, Math.round(envNumber("BENCH_TRACE_CUSTOMERS", 60)));
const SEED = Math.round(envNumber("BENCH_TRACE_SEED", 1));
const WARMUP = 20;

const GOAL_TRACE_P99_MS = 100;
const GOAL_RECALL_MS = 1_000;
const GOAL_EVENTS_PER_SECOND = 10_000;
/** BENCH_TRACE_BULK=0: index a statement per row (the indexer's reference path), to compare. */
const BULK = process.env.BENCH_TRACE_BULK !== "0";

/** EIP-7825 (Osaka) caps a transaction at 2^24 gas: every transaction here stays below this. */
const TX_GAS_CAP = 16_000_000;
/** The block gas limit of the bench network: blocks of many transactions. */
const BLOCK_GAS_LIMIT = 3_000_000_000;
/** Pending transactions mined per `evm_mine`, at most (for a lively progress bar and bounded receipts). */
const TXS_PER_BLOCK = 600;

// Shipment sizes (lots per order), bounded by the gas of `acknowledge` (~35 k gas a lot, each lot a new stage row).
const CATCHES_PER_ORDER = 100;
const PACKS_PER_ORDER = 200;
const RETAIL_PACKS_PER_ORDER = 100;
const CUSTOMER_PACKS = [1, 12] as const;
/** The share of packs the distributors sell on to retailers, and of those the retailers sell to customers. */
const TO_RETAIL = 0.7;
const TO_CUSTOMERS = 0.5;

// ------------------------------------------------------------------ deterministic randomness

const rand = mulberry32(SEED);
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T =>
  defined(items[Math.floor(rand() * items.length)], "an item of an empty list");
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const [a, b] = [items[i], items[j]];
    if (a === undefined || b === undefined) throw new Error(`shuffle: no item at ${i} or ${j}`);
    [items[i], items[j]] = [b, a];
  }
  return items;
}

// ------------------------------------------------------------------ GS1 helpers

/** `body` (up to 13 digits) with its GS1 mod-10 check digit, as the uint64 a GTIN-14 is stored as. */
function gtin(body: string): bigint {
  return BigInt(body + String(gtinCheckDigit(body)));
}

// ------------------------------------------------------------------ statistics

interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
  };
}

const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : "n/a");
const int = (x: number) => Math.round(x).toLocaleString("en-US");
const secs = (x: number) => `${(x / 1000).toFixed(1)} s`;

// ------------------------------------------------------------------ the plan (abstract lots, real ids later)

type Role = StageName;

interface Actor {
  role: Role;
  address: string;
  index: number;
}

interface CatchPlan {
  harvester: Actor;
  species: string;
  weightGrams: number;
  /** The real lot id, from the receipt of `registerFish`. */
  lotId?: bigint;
}

/** A catch's lot id, once its registerFish is mined. */
function lotIdOf(c: CatchPlan): bigint {
  return defined(c.lotId, `the lot id of a catch of vessel ${c.harvester.index} (its registerFish not mined)`);
}

interface PackPlan {
  lotId: bigint;
  species: string;
  weightGrams: number;
  process: number;
}

interface ProcessPlan {
  manufacturer: Actor;
  inputs: CatchPlan[];
  outputs: { gtin: bigint; lotNumber: string; weightGrams: number }[];
  packs: PackPlan[];
}

/** One sale through the order book of stage `stage` (1 … 5). `lots()` gives the lot ids once they are known. */
interface OrderPlan {
  stage: number;
  buyer: Actor;
  seller: Actor;
  species: string;
  lots: () => bigint[];
  weightGrams: number;
  orderId?: bigint;
}

const SPECIES = [
  { code: speciesCode("COD"), name: "Atlantic cod", body: "070380100001" },
  { code: speciesCode("HAD"), name: "Haddock", body: "070380100002" },
  { code: speciesCode("POK"), name: "Saithe", body: "070380100003" },
];

/** Groups `items` by `keyOf`, in order of first appearance. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(item);
  }
  return [...groups.values()];
}

function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ------------------------------------------------------------------ the network

const connection = await network.create({
  override: { blockGasLimit: BLOCK_GAS_LIMIT, allowBlocksWithSameTimestamp: true },
});
const { ethers, provider } = connection;

type Rpc = (method: string, params?: unknown[]) => Promise<unknown>;
const rpc: Rpc = (method, params = []) => provider.request({ method, params });

const receiptSchema = z.object({
  status: z.string(),
  gasUsed: z.string(),
  blockNumber: z.string(),
  logs: z.array(z.object({ address: z.string(), topics: z.array(z.string()), data: z.string() })),
});
type Receipt = z.infer<typeof receiptSchema>;
const pendingBlockSchema = z.object({ transactions: z.array(z.string()) }).nullable();
const latestBlockSchema = z.object({ timestamp: z.string() });

interface Pending {
  hash: Promise<string>;
  gas: number;
  what: string;
  onReceipt?: (receipt: Receipt) => void;
}

/** Sends transactions without waiting, mines them many to a block, checks every receipt. */
class Miner {
  private pending: Pending[] = [];
  private pendingGas = 0;
  private readonly nonces = new Map<string, number>();
  txs = 0;
  blocks = 0;
  gasUsed = 0n;
  maxGasRatio = 0;
  onMined?: (txs: number) => void;

  async send(
    from: Actor | string,
    to: string,
    data: string,
    gas: number,
    what: string,
    onReceipt?: (receipt: Receipt) => void,
    value = 0n,
  ): Promise<void> {
    if (gas > TX_GAS_CAP) throw new Error(`${what}: ${gas} gas is over the transaction cap ${TX_GAS_CAP}`);
    if (this.pending.length >= TXS_PER_BLOCK || this.pendingGas + gas > BLOCK_GAS_LIMIT) await this.mine();
    const sender = typeof from === "string" ? from : from.address;
    const nonce = this.nonces.get(sender) ?? Number(await rpc("eth_getTransactionCount", [sender, "pending"]));
    this.nonces.set(sender, nonce + 1);
    const tx: Record<string, string> = { from: sender, to, data, gas: toQuantity(gas), nonce: toQuantity(nonce) };
    if (value > 0n) tx.value = toQuantity(value);
    const hash = rpc("eth_sendTransaction", [tx]).then((sent) => {
      if (typeof sent !== "string") throw new Error(`${what}: eth_sendTransaction answered no hash`);
      return sent;
    });
    hash.catch(() => undefined); // reported in mine()
    this.pending.push({ hash, gas, what, ...(onReceipt ? { onReceipt } : {}) });
    this.pendingGas += gas;
  }

  /** Mines everything pending (one block unless the block gas limit says otherwise) and checks the receipts. */
  async mine(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.pendingGas = 0;
    if (batch.length === 0) return;
    const sent = await Promise.all(batch.map(async (p) => ({ ...p, sentHash: await p.hash })));
    for (let guard = 0; ; guard++) {
      await rpc("evm_mine");
      this.blocks++;
      const left = pendingBlockSchema.parse(await rpc("eth_getBlockByNumber", ["pending", false]));
      if (left === null || left.transactions.length === 0) break;
      if (guard > 100) throw new Error("transactions stay pending after 100 blocks");
    }
    for (let i = 0; i < sent.length; i += 128) {
      const part = await Promise.all(
        sent.slice(i, i + 128).map(async (p) => ({
          p,
          receipt: receiptSchema.nullable().parse(await rpc("eth_getTransactionReceipt", [p.sentHash])),
        })),
      );
      part.forEach(({ p, receipt }) => {
        if (receipt === null) throw new Error(`${p.what}: no receipt (not mined)`);
        if (receipt.status !== "0x1") {
          throw new Error(`${p.what}: reverted (gas used ${BigInt(receipt.gasUsed)} of ${p.gas})`);
        }
        const used = BigInt(receipt.gasUsed);
        this.gasUsed += used;
        this.maxGasRatio = Math.max(this.maxGasRatio, Number(used) / p.gas);
        p.onReceipt?.(receipt);
      });
    }
    this.txs += batch.length;
    this.onMined?.(batch.length);
  }
}

// ------------------------------------------------------------------ indexer catch-up

interface CatchUp {
  events: number;
  blocks: number;
  ms: number;
  eventsPerSecond: number;
  /** Events and the rows of the five largest tables. */
  rows: number;
}

/**
 * Indexes the chain from block 0 into the empty index `sql` (chunks of a 200th of the chain), with a progress bar
 * and, when BENCH_TRACE_PROFILE is set, a CPU profile of the indexing in `<BENCH_TRACE_PROFILE>.<engine>.cpuprofile`.
 */
async function catchUp(sql: Sql, engine: string, head: number, addresses: FishTraceAddresses): Promise<CatchUp> {
  const statements = new Map<string, { n: number; ms: number }>();
  const timed = process.env.BENCH_TRACE_STATEMENTS === "1" ? timing(sql, statements) : sql;
  const chunk = Math.max(1, Math.ceil(head / 200));
  const ibar = new cliProgress.SingleBar(
    {
      format: `index ${engine} |{bar}| {percentage}% | block {value}/{total} | {events} events | {rate} events/s | {duration}s`,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
    },
    cliProgress.Presets.shades_classic,
  );
  let indexed = 0;
  const profileFile = process.env.BENCH_TRACE_PROFILE;
  const profiler = profileFile !== undefined && profileFile !== "" ? new Session() : undefined;
  if (profiler !== undefined) {
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
  }
  const tIndex = performance.now();
  ibar.start(head, 0, { events: "0", rate: "0" });
  const result = await syncIndex(timed, ethers.provider, addresses, {
    chunk,
    bulk: BULK,
    onProgress: (p) => {
      indexed += p.events;
      ibar.update(p.to, {
        events: int(indexed),
        rate: (indexed / ((performance.now() - tIndex) / 1000)).toFixed(0),
      });
    },
  });
  ibar.stop();
  const ms = performance.now() - tIndex;
  if (profiler !== undefined && profileFile !== undefined) {
    const { profile } = await profiler.post("Profiler.stop");
    const file = `${profileFile}.${engine.toLowerCase()}.cpuprofile`;
    writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
    console.log(`CPU profile of the indexing written to ${file}`);
  }
  const eventsPerSecond = result.events / (ms / 1000);
  for (const [text, t] of [...statements].sort((x, y) => y[1].ms - x[1].ms)) {
    console.log(`  ${secs(t.ms).padStart(8)} ${int(t.n).padStart(7)}× ${text}`);
  }
  const tableRows = async (table: string) =>
    Number((await sql.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n ?? 0);
  const rows = {
    lots: await tableRows("lots"),
    lineage: await tableRows("lineage"),
    lot_stages: await tableRows("lot_stages"),
    custody: await tableRows("custody"),
    shipment_lots: await tableRows("shipment_lots"),
  };
  console.log(
    `${engine}: indexed ${int(result.events)} events of ${int(result.blocks)} blocks in ${secs(ms)}: ` +
      `${eventsPerSecond.toFixed(0)} events/s (chunks of ${chunk} blocks; rows: ${Object.entries(rows)
        .map(([t, n]) => `${t} ${int(n)}`)
        .join(", ")})`,
  );
  return {
    events: result.events,
    blocks: result.blocks,
    ms,
    eventsPerSecond,
    rows: Object.values(rows).reduce((sum, x) => sum + x, 0) + result.events,
  };
}

/** `sql`, adding up the time of its statements (and its transactions') by their first words. */
function timing(sql: Sql, into: Map<string, { n: number; ms: number }>): Sql {
  return {
    kind: sql.kind,
    query: async (text, params) => {
      const t = performance.now();
      try {
        return await sql.query(text, params);
      } finally {
        const key = text.replace(/\s+/g, " ").trim().slice(0, 60);
        const sum = into.get(key) ?? { n: 0, ms: 0 };
        into.set(key, { n: sum.n + 1, ms: sum.ms + performance.now() - t });
      }
    },
    exec: (text) => sql.exec(text),
    transaction: (work) => sql.transaction((tx) => work(timing(tx, into))),
    close: () => sql.close(),
  };
}

// ------------------------------------------------------------------ build the history

async function main(): Promise<void> {
  const cpus = os.cpus();
  const machine = `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), node ${process.version}`;
  console.log(`trace benchmark — ${machine}`);
  const t0 = performance.now();

  // Deploy with automine on (Ignition waits for each transaction), then enrol the cast.
  const system = await deployFishTrace(connection);
  const addresses: FishTraceAddresses = await addressesOf(system);
  const [admin] = await ethers.getSigners();
  const adminAddress = await defined(admin, "the network's first account").getAddress();

  const counts: Record<Role, number> = {
    harvester: 6,
    supplier: 4,
    manufacturer: 3,
    distributor: 4,
    retailer: 10,
    customer: CUSTOMERS,
  };
  const team = (role: Role): Actor[] =>
    Array.from({ length: counts[role] }, (_, index) => ({
      role,
      index,
      address: getAddress(id(`fishtrace bench ${role} ${index}`).slice(0, 42)),
    }));
  const actors: Record<Role, Actor[]> = {
    harvester: team("harvester"),
    supplier: team("supplier"),
    manufacturer: team("manufacturer"),
    distributor: team("distributor"),
    retailer: team("retailer"),
    customer: team("customer"),
  };
  const everyone = Object.values(actors).flat();
  for (const actor of everyone) {
    await rpc("hardhat_impersonateAccount", [actor.address]);
    await rpc("hardhat_setBalance", [actor.address, toQuantity(10n ** 24n)]);
  }

  await rpc("evm_setAutomine", [false]);
  const miner = new Miner();
  const registryIface = system.registry.interface;
  for (const actor of everyone) {
    const data = registryIface.encodeFunctionData("registerParticipant", [
      actor.address,
      roleId(stageRole(actor.role)),
      `${actor.role} ${actor.index + 1}`,
      `NO-${actor.role.slice(0, 3).toUpperCase()}${actor.index + 1}`,
    ]);
    await miner.send(adminAddress, addresses.registry, data, 400_000, `enrol ${actor.role} ${actor.index}`);
  }
  for (const s of SPECIES) {
    await miner.send(
      adminAddress,
      addresses.registry,
      registryIface.encodeFunctionData("listSpecies", [s.code, s.name]),
      1_000_000,
      `list ${s.name}`,
    );
  }
  await miner.mine();
  const latestTime = async () =>
    Number(latestBlockSchema.parse(await rpc("eth_getBlockByNumber", ["latest", false])).timestamp);

  // ---------------------------------------------------------------- the plan
  const catchCount = Math.max(12, Math.round(LOTS * CATCH_SHARE));
  const packCount = LOTS - catchCount;
  const catches: CatchPlan[] = [];
  for (let i = 0; i < catchCount; i++) {
    const harvester = pick(actors.harvester);
    // Each vessel fishes mostly one species.
    const usual = defined(SPECIES[harvester.index % SPECIES.length], `the species of vessel ${harvester.index}`);
    const species = rand() < 0.7 ? usual.code : pick(SPECIES).code;
    catches.push({ harvester, species, weightGrams: randInt(200, 800) * 1_000 });
  }

  const orders: OrderPlan[] = [];
  const catchLots = (part: readonly CatchPlan[]) => () => part.map(lotIdOf);
  const weightOf = (part: readonly CatchPlan[]) => part.reduce((s, c) => s + c.weightGrams, 0);
  const firstOf = <T>(part: readonly T[]): T => defined(part[0], "the first of an empty group");

  // Stage 1: each vessel sells its catches, by species, in orders of up to 100, to a supplier.
  const atSupplier = new Map<CatchPlan, Actor>();
  const supplierOf = (c: CatchPlan) => defined(atSupplier.get(c), "a catch's supplier");
  const sale1: OrderPlan[] = [];
  for (const group of groupBy(catches, (c) => `${c.harvester.index}:${c.species}`)) {
    for (const part of slices(group, CATCHES_PER_ORDER)) {
      const buyer = pick(actors.supplier);
      for (const c of part) atSupplier.set(c, buyer);
      const first = firstOf(part);
      sale1.push({
        stage: 1,
        buyer,
        seller: first.harvester,
        species: first.species,
        lots: catchLots(part),
        weightGrams: weightOf(part),
      });
    }
  }
  // Stage 2: suppliers sell on to manufacturers, by species, in orders of up to 100.
  const atManufacturer = new Map<CatchPlan, Actor>();
  const manufacturerOfCatch = (c: CatchPlan) => defined(atManufacturer.get(c), "a catch's manufacturer");
  const sale2: OrderPlan[] = [];
  for (const group of groupBy(catches, (c) => `${supplierOf(c).index}:${c.species}`)) {
    for (const part of slices(group, CATCHES_PER_ORDER)) {
      const buyer = pick(actors.manufacturer);
      for (const c of part) atManufacturer.set(c, buyer);
      const first = firstOf(part);
      sale2.push({
        stage: 2,
        buyer,
        seller: supplierOf(first),
        species: first.species,
        lots: catchLots(part),
        weightGrams: weightOf(part),
      });
    }
  }
  // Processing: each manufacturer runs its catches of one species, 2–4 at a time, into packs.
  const groups: CatchPlan[][] = [];
  for (const group of groupBy(catches, (c) => `${manufacturerOfCatch(c).index}:${c.species}`)) {
    shuffle(group);
    for (let i = 0; i < group.length;) {
      const k = Math.min(randInt(2, 4), group.length - i);
      groups.push(group.slice(i, i + k));
      i += k;
    }
  }
  const processes: ProcessPlan[] = [];
  const packs: PackPlan[] = [];
  const manufacturerOf = new Map<bigint, Actor>();
  groups.forEach((inputs, p) => {
    const n = Math.floor(packCount / groups.length) + (p < packCount % groups.length ? 1 : 0);
    const first = firstOf(inputs);
    const s = defined(
      SPECIES.find((x) => x.code === first.species),
      `species ${first.species}`,
    );
    const consumed = weightOf(inputs);
    const each = Math.max(1, Math.floor((consumed * 0.6) / Math.max(1, n)));
    const plan: ProcessPlan = { manufacturer: manufacturerOfCatch(first), inputs, outputs: [], packs: [] };
    for (let j = 0; j < n; j++) {
      const g = gtin(s.body + String(j % 3));
      const lotNumber = fixedText(`B${p}-${j}`, 20, "lot number");
      const lotId = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint64", "bytes20"], [g, lotNumber])));
      plan.outputs.push({ gtin: g, lotNumber, weightGrams: each });
      const pack = { lotId, species: first.species, weightGrams: each, process: p };
      plan.packs.push(pack);
      packs.push(pack);
      manufacturerOf.set(lotId, plan.manufacturer);
    }
    processes.push(plan);
  });
  // Stages 3–5: packs go to distributors (all), retailers (70 %), customers (half of those).
  const packSale = (
    stage: number,
    held: readonly { pack: PackPlan; holder: Actor }[],
    buyers: readonly Actor[],
    size: () => number,
  ) => {
    const sales: OrderPlan[] = [];
    const next: { pack: PackPlan; holder: Actor }[] = [];
    for (const group of groupBy(held, (h) => `${h.holder.index}:${h.pack.species}`)) {
      for (let i = 0; i < group.length;) {
        const part = group.slice(i, i + size());
        i += part.length;
        const buyer = pick(buyers);
        const first = firstOf(part);
        sales.push({
          stage,
          buyer,
          seller: first.holder,
          species: first.pack.species,
          lots: () => part.map((h) => h.pack.lotId),
          weightGrams: part.reduce((s, h) => s + h.pack.weightGrams, 0),
        });
        for (const h of part) next.push({ pack: h.pack, holder: buyer });
      }
    }
    return { sales, next };
  };
  const s3 = packSale(
    3,
    packs.map((pack) => ({
      pack,
      holder: defined(manufacturerOf.get(pack.lotId), `the manufacturer of ${pack.lotId}`),
    })),
    actors.distributor,
    () => PACKS_PER_ORDER,
  );
  const s4 = packSale(
    4,
    shuffle(s3.next.filter(() => rand() < TO_RETAIL)),
    actors.retailer,
    () => RETAIL_PACKS_PER_ORDER,
  );
  const s5 = packSale(5, shuffle(s4.next.filter(() => rand() < TO_CUSTOMERS)), actors.customer, () =>
    randInt(...CUSTOMER_PACKS),
  );
  orders.push(...sale1, ...sale2, ...s3.sales, ...s4.sales, ...s5.sales);
  const plannedTxs = catches.length + processes.length + 4 * orders.length;
  console.log(
    `plan: ${int(catches.length + packs.length)} lots (${int(catches.length)} catches, ${int(packs.length)} packs ` +
      `from ${int(processes.length)} processings), ${int(orders.length)} orders (${sale1.length} + ${sale2.length} ` +
      `+ ${s3.sales.length} + ${s4.sales.length} + ${s5.sales.length} by stage), ${int(plannedTxs)} transactions`,
  );

  // ---------------------------------------------------------------- send it
  const bar = new cliProgress.SingleBar(
    {
      format: "build |{bar}| {percentage}% | {value}/{total} txs | {lots} lots | {phase} | {rate} tx/s | {duration}s",
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let lots = 0;
  let phase = "catches";
  const tBuild = performance.now();
  bar.start(plannedTxs + miner.txs, miner.txs, { lots: "0", phase, rate: "0" });
  miner.onMined = (n) => {
    const rate = (miner.txs / ((performance.now() - tBuild) / 1000)).toFixed(0);
    bar.increment(n, { lots: int(lots), phase, rate });
  };

  const harvesterIface = Harvester__factory.createInterface();
  const bookIface = OrderBook__factory.createInterface();
  const manufacturerIface = Manufacturer__factory.createInterface();
  const topicOf = (iface: Interface, name: string) => defined(iface.getEvent(name), `event ${name}`).topicHash;
  const FISH_REGISTERED = topicOf(harvesterIface, "FishRegistered");
  const ORDER_PLACED = topicOf(bookIface, "OrderPlaced");

  const caughtAt = (await latestTime()) - 3_600;
  for (const [i, c] of catches.entries()) {
    const data = harvesterIface.encodeFunctionData("registerFish", [
      {
        species: c.species,
        weightGrams: c.weightGrams,
        caughtAt,
        latitude: degrees(69 + rand(), "latitude"),
        longitude: degrees(15 + 5 * rand(), "longitude"),
        catchArea: fixedText("27.2.a", 8, "catch area"),
        vessel: fixedText(`IMO92410${String(c.harvester.index).padStart(2, "0")}`, 16, "vessel"),
        gear: fixedText(pick(["OTB", "LLS", "GNS"]), 8, "gear"),
        farmed: false,
        frozen: false,
      },
    ]);
    await miner.send(c.harvester, addresses.harvester, data, 250_000, `registerFish #${i}`, (receipt) => {
      const log = receipt.logs.find((l) => l.topics[0] === FISH_REGISTERED);
      if (log === undefined) throw new Error(`registerFish #${i} emitted no FishRegistered`);
      c.lotId = BigInt(defined(log.topics[1], `the lot id of registerFish #${i}`));
      lots++;
    });
  }
  await miner.mine();

  const stageAddress = (stage: number) =>
    defined(
      [addresses.harvester, addresses.supplier, addresses.manufacturer, addresses.distributor, addresses.retailer][
        stage - 1
      ],
      `the order book of stage ${stage}`,
    );
  const orderIdOf = (o: OrderPlan) =>
    defined(o.orderId, `the order id of a sale at stage ${o.stage} (its placeOrder not mined)`);

  /** Places, ships, confirms and acknowledges `sales` (one stage), each step in as few blocks as it takes. */
  async function sell(sales: OrderPlan[], label: string): Promise<void> {
    phase = `${label}: orders`;
    const shipBy = (await latestTime()) + 30 * 86_400;
    for (const o of sales) {
      const data = bookIface.encodeFunctionData("placeOrder", [
        o.seller.address,
        o.species,
        o.weightGrams,
        shipBy,
        7 * 86_400,
      ]);
      await miner.send(
        o.buyer,
        stageAddress(o.stage),
        data,
        300_000,
        `placeOrder at stage ${o.stage}`,
        (r) => {
          const log = r.logs.find((l) => l.topics[0] === ORDER_PLACED);
          if (log === undefined) throw new Error(`placeOrder at stage ${o.stage} emitted no OrderPlaced`);
          o.orderId = BigInt(defined(log.topics[1], `the order id of placeOrder at stage ${o.stage}`));
        },
        10n ** 12n,
      );
    }
    await miner.mine();
    phase = `${label}: shipping`;
    for (const o of sales) {
      const ids = o.lots();
      const data = bookIface.encodeFunctionData("initiateShipment", [orderIdOf(o), 1n, ids]);
      await miner.send(o.seller, stageAddress(o.stage), data, 100_000 + 25_000 * ids.length, `ship ${o.orderId}`);
    }
    await miner.mine();
    phase = `${label}: receiving`;
    for (const o of sales) {
      const ids = o.lots();
      const book = stageAddress(o.stage);
      await miner.send(
        o.buyer,
        book,
        bookIface.encodeFunctionData("confirmDelivery", [orderIdOf(o)]),
        150_000,
        "confirm",
      );
      const data = bookIface.encodeFunctionData("acknowledge", [orderIdOf(o), 1n, ids]);
      await miner.send(o.buyer, book, data, 150_000 + 60_000 * ids.length, `acknowledge ${o.orderId}`);
    }
    await miner.mine();
  }

  await sell(sale1, "vessels → suppliers");
  await sell(sale2, "suppliers → manufacturers");

  phase = "processing";
  for (const [p, plan] of processes.entries()) {
    const data = manufacturerIface.encodeFunctionData("processLots", [
      plan.inputs.map((c) => ({ lotId: lotIdOf(c), grams: 0 })),
      plan.outputs.map((o) => ({ gtin: o.gtin, lotNumber: o.lotNumber, weightGrams: o.weightGrams, frozen: false })),
    ]);
    const gas =
      200_000 + 60_000 * plan.inputs.length + plan.outputs.length * (60_000 + 24_000 * (plan.inputs.length + 1));
    await miner.send(
      plan.manufacturer,
      addresses.manufacturer,
      data,
      Math.min(gas, TX_GAS_CAP),
      `processLots #${p}`,
      () => {
        lots += plan.outputs.length;
      },
    );
  }
  await miner.mine();

  await sell(s3.sales, "manufacturers → distributors");
  await sell(s4.sales, "distributors → retailers");
  await sell(s5.sales, "retailers → customers");
  bar.update(miner.txs, { lots: int(lots), phase: "done" });
  bar.stop();
  const buildMs = performance.now() - tBuild;
  await rpc("evm_setAutomine", [true]);
  const head = Number(await rpc("eth_blockNumber"));
  console.log(
    `built ${int(lots)} lots in ${secs(buildMs)}: ${int(miner.txs)} txs in ${int(miner.blocks)} blocks ` +
      `(${(miner.txs / (buildMs / 1000)).toFixed(0)} tx/s, ${(lots / (buildMs / 1000)).toFixed(0)} lots/s, ` +
      `${(Number(miner.gasUsed) / 1e6 / (buildMs / 1000)).toFixed(0)} Mgas/s, ${(Number(miner.gasUsed) / 1e9).toFixed(2)} Ggas; ` +
      `max gas used / limit ${(miner.maxGasRatio * 100).toFixed(0)} %)`,
  );

  // ---------------------------------------------------------------- index it
  const keep = process.env.BENCH_TRACE_DB;
  const dir = keep !== undefined && keep !== "" ? keep : mkdtempSync(path.join(os.tmpdir(), "fishtrace-bench-trace-"));
  let opened: Sql | undefined;
  try {
    const sql = await openIndex({ dir, databaseUrl: "" });
    opened = sql;
    const pglite = await catchUp(sql, "PGlite", head, addresses);
    const result = pglite;

    // -------------------------------------------------------------- trace latency
    const catchIds = catches.map(lotIdOf);
    const packIds = packs.map((p) => p.lotId);
    for (let i = 0; i < WARMUP; i++) {
      await traceLot(sql, pick(packIds), "backward");
      await traceLot(sql, pick(catchIds), "forward");
    }
    const backward: number[] = [];
    let catchesFound = 0;
    for (let i = 0; i < BACKWARD_SAMPLES; i++) {
      const lotId = pick(packIds);
      const t = performance.now();
      const graph = await traceLot(sql, lotId, "backward");
      backward.push(performance.now() - t);
      if (graph.catches.length === 0) throw new Error(`pack ${lotId} traced back to no catch`);
      catchesFound += graph.catches.length;
    }
    const forward: number[] = [];
    let customersFound = 0;
    let productsFound = 0;
    let withCustomers = 0;
    for (let i = 0; i < FORWARD_SAMPLES; i++) {
      const lotId = pick(catchIds);
      const t = performance.now();
      const graph = await traceLot(sql, lotId, "forward");
      forward.push(performance.now() - t);
      customersFound += graph.customers.length;
      productsFound += graph.products.length;
      if (graph.customers.length > 0) withCustomers++;
    }

    // -------------------------------------------------------------- recall
    // What a recall of one catch must compute: every lot made from it, then who holds each now (custodians of
    // the latest stage row, open orders) and which customers received any.
    const recallLots = shuffle([...catchIds]).slice(0, RECALL_SAMPLES);
    const recallMs: number[] = [];
    let recallReached = 0;
    let recallCustomers = 0;
    for (const lotId of recallLots) {
      const t = performance.now();
      const reached = await descendants(sql, lotId);
      const ids = reached.map(String);
      const stages = await sql.query<{ lot_id: string; stage: number; custodian_id: number; status: string }>(
        `SELECT lot_id::text AS lot_id, stage, custodian_id, status FROM lot_stages WHERE lot_id = ANY($1::numeric[])`,
        [ids],
      );
      const open = await sql.query<{ order_id: string }>(
        `SELECT DISTINCT o.stage, o.order_id::text AS order_id FROM shipment_lots sl
         JOIN orders o ON o.stage = sl.stage AND o.order_id = sl.order_id
         WHERE sl.lot_id = ANY($1::numeric[]) AND o.state IN ('Ordered', 'Shipped', 'Delivered')`,
        [ids],
      );
      const latest = new Map<string, { stage: number; custodian: number; status: string }>();
      for (const s of stages) {
        const prev = latest.get(s.lot_id);
        if (prev === undefined || s.stage > prev.stage) {
          latest.set(s.lot_id, { stage: s.stage, custodian: s.custodian_id, status: s.status });
        }
      }
      const customers = new Set(stages.filter((s) => s.stage === 6).map((s) => s.custodian_id));
      recallMs.push(performance.now() - t);
      recallReached += reached.length;
      recallCustomers += customers.size;
      void open;
    }
    // src/index/recall.ts: the recall as the task computes it (closure, origin stages, already recalled; the notice).
    const planMs: number[] = [];
    const noticeMs: number[] = [];
    const [warmUp] = recallLots;
    if (warmUp !== undefined) await planRecall(sql, warmUp);
    for (const lotId of recallLots) {
      const t = performance.now();
      await planRecall(sql, lotId);
      planMs.push(performance.now() - t);
      const t2 = performance.now();
      await recallNotice(sql, await descendants(sql, lotId));
      noticeMs.push(performance.now() - t2);
    }

    // -------------------------------------------------------------- the same catch-up into PostgreSQL
    let postgres: CatchUp | string;
    const server =
      postgresBinDir() === undefined
        ? "no PostgreSQL server binaries (initdb, postgres) on PATH or in /usr/lib/postgresql"
        : await startPostgres().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
    if (typeof server === "string") {
      postgres = `skipped: ${server.split("\n")[0] ?? ""}`;
      console.log(`PostgreSQL ${postgres}`);
    } else {
      try {
        const pgSql = await openIndex({ databaseUrl: server.url });
        try {
          postgres = await catchUp(pgSql, "PostgreSQL", head, addresses);
        } finally {
          await pgSql.close();
        }
      } finally {
        await server.stop();
      }
    }

    // -------------------------------------------------------------- report
    const back = stats(backward);
    const fwd = stats(forward);
    const rec = stats(recallMs);
    const plan = stats(planMs);
    const notice = stats(noticeMs);
    const totalMs = performance.now() - t0;
    const mark = (ok: boolean) => (ok ? "✓" : "✗");
    const traceP99 = Math.max(back.p99, fwd.p99);
    const recallWorst = Math.max(rec.max, planMs.length > 0 ? plan.max : 0);

    console.log("");
    console.log(`## Trace benchmark (${machine})`);
    console.log("");
    console.log(
      `History: ${int(lots)} lots (${int(catches.length)} catches, ${int(packs.length)} packs from ` +
        `${int(processes.length)} processings), ${int(orders.length)} orders, ${int(s5.next.length)} packs sold to ` +
        `${CUSTOMERS} customers; ${int(miner.txs)} transactions in ${int(head + 1)} blocks, ${int(result.events)} events.`,
    );
    console.log("");
    console.log("| measure | value |");
    console.log("| --- | --- |");
    console.log(
      `| build (send + mine) | ${secs(buildMs)}: ${(miner.txs / (buildMs / 1000)).toFixed(0)} tx/s, ` +
        `${(lots / (buildMs / 1000)).toFixed(0)} lots/s, ${(Number(miner.gasUsed) / 1e6 / (buildMs / 1000)).toFixed(0)} Mgas/s |`,
    );
    for (const [engine, c] of [
      ["PGlite", pglite],
      ["PostgreSQL", postgres],
    ] as const) {
      console.log(
        typeof c === "string"
          ? `| indexer catch-up, ${engine} | ${c} |`
          : `| indexer catch-up, ${engine} (from block 0) | ${int(c.events)} events in ${secs(c.ms)}: ` +
              `**${c.eventsPerSecond.toFixed(0)} events/s** (${(c.rows / (c.ms / 1000)).toFixed(0)} rows/s) |`,
      );
    }
    console.log(
      `| trace pack → catches (${back.n}) | p50 ${ms(back.p50)}, **p99 ${ms(back.p99)}**, max ${ms(back.max)}; ` +
        `${(catchesFound / Math.max(1, back.n)).toFixed(1)} catches each |`,
    );
    console.log(
      `| trace catch → all customers (${fwd.n}) | p50 ${ms(fwd.p50)}, **p99 ${ms(fwd.p99)}**, max ${ms(fwd.max)}; ` +
        `${(productsFound / Math.max(1, fwd.n)).toFixed(0)} packs, ${(customersFound / Math.max(1, fwd.n)).toFixed(1)} ` +
        `customers each, ${withCustomers}/${fwd.n} reach a customer |`,
    );
    console.log(
      `| recall of one catch: descendants + holders + customers (${rec.n}) | p50 ${ms(rec.p50)}, max ${ms(rec.max)}; ` +
        `${(recallReached / Math.max(1, rec.n)).toFixed(0)} lots, ${(recallCustomers / Math.max(1, rec.n)).toFixed(1)} customers each |`,
    );
    if (planMs.length > 0) {
      console.log(`| recall of one catch: planRecall (${plan.n}) | p50 ${ms(plan.p50)}, max ${ms(plan.max)} |`);
    }
    if (noticeMs.length > 0) {
      console.log(
        `| recall notice of one catch: recallNotice (${notice.n}) | p50 ${ms(notice.p50)}, max ${ms(notice.max)} |`,
      );
    }
    console.log(`| total run | ${secs(totalMs)} |`);
    console.log("");
    console.log("| goal | target | measured | |");
    console.log("| --- | --- | --- | --- |");
    console.log(
      `| trace p99 (both directions) | ≤ ${GOAL_TRACE_P99_MS} ms | ${ms(traceP99)} | ${mark(traceP99 <= GOAL_TRACE_P99_MS)} |`,
    );
    console.log(
      `| recall of one catch computed (worst) | ≤ ${GOAL_RECALL_MS} ms | ${ms(recallWorst)} | ${mark(recallWorst <= GOAL_RECALL_MS)} |`,
    );
    for (const [engine, c] of [
      ["PGlite", pglite],
      ["PostgreSQL", postgres],
    ] as const) {
      if (typeof c === "string") continue;
      console.log(
        `| indexer catch-up, ${engine} | ≥ ${int(GOAL_EVENTS_PER_SECOND)} events/s | ${c.eventsPerSecond.toFixed(0)} events/s | ${mark(c.eventsPerSecond >= GOAL_EVENTS_PER_SECOND)} |`,
      );
    }
    console.log(`| history size | ≥ 100,000 lots | ${int(lots)} | ${mark(lots >= 100_000)} |`);
  } finally {
    await opened?.close();
    if (keep === undefined || keep === "") rmSync(dir, { recursive: true, force: true });
  }
}

await main();
