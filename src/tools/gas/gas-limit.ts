/**
 * The paper's Figure 7 — three ways to set a transaction's gas limit — run on a node with a queue of competing
 * transactions, so each claim can be checked: below the node's estimate, at it ("recommended"), above it (the
 * paper's "customised" limit, about eleven times the estimate), and then what does change when a transaction is
 * included: its priority fee.
 *
 * Every scenario starts from the same state (a snapshot): a backlog of other harvesters' `registerFish`
 * transactions several blocks long, more of them arriving before each block, and then ours, `registerFish` from
 * its own harvester, with the scenario's gas limit and priority fee. Blocks are mined one at a time until ours is
 * in one; the row says which block (1 = the first mined after it was sent), whether it succeeded, the gas it used
 * and what it was charged. Deterministic: the same figures every run (the node orders its pool by priority fee,
 * then by arrival, as Geth does).
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";
import { parseUnits, toQuantity } from "ethers";
import { z } from "zod";

import type { Harvester } from "../../../typechain-types/index.js";
import { roleId } from "../../core/roles.js";
import { speciesCode } from "../../core/units.js";
import { deployFishTrace } from "../../node/deploy.js";
import { latestBlockTime } from "../chain.js";
import { defined } from "../checked.js";
import { lofotenCatch } from "./measure.js";
import { PAPER_TABLE_2, PAPER_TABLE_2_CUSTOMISED } from "./paper.js";

type Connection = NetworkConnection & { ethers: HardhatEthers };

export interface GasLimitOptions {
  /** Harvesters competing for block space (each a funded account of the network). */
  competitors: number;
  /** Transactions each competitor has waiting before ours is sent. */
  backlogEach: number;
  /** Transactions arriving (in all, spread over the competitors) before each block is mined. */
  arrivingPerBlock: number;
  /** The block gas limit while the scenarios run. */
  blockGasLimit: number;
  /** The competitors' priority fee, gwei. */
  competitorTipGwei: number;
  /** Give up on a transaction not included after this many blocks. */
  maxBlocks: number;
}

export const DEFAULT_GAS_LIMIT_OPTIONS: GasLimitOptions = {
  competitors: 6,
  backlogEach: 15,
  arrivingPerBlock: 20,
  blockGasLimit: 2_000_000,
  competitorTipGwei: 2,
  maxBlocks: 40,
};

export interface Scenario {
  label: string;
  /** The gas limit as a multiple of the node's estimate (1 = the estimate), or an absolute offset below it. */
  limit: { times: number } | { below: number };
  tipGwei: number;
}

export interface ScenarioResult {
  label: string;
  gasLimit: number;
  tipGwei: number;
  /** The block ours was included in, counted from the first mined after it was sent; null: not within maxBlocks. */
  block: number | null;
  succeeded: boolean;
  gasUsed: number;
  /** What the sender was charged: gas used × the effective gas price. */
  chargedWei: bigint;
  /** The effective gas price of ours: the block's base fee + its priority fee. */
  gasPriceWei: bigint;
}

export interface GasLimitReport {
  /** `eth_estimateGas` for ours: what a wallet recommends (before any margin it adds). */
  estimate: number;
  options: GasLimitOptions;
  /** Competing transactions waiting when ours is sent, and about how many fit in one block. */
  backlog: number;
  perBlock: number;
  results: ScenarioResult[];
}

/** The paper's customised limit of Register_fish over its recommended one (Table 2: 1,933,510 / 173,351 ≈ 11.15). */
export const PAPER_CUSTOMISED_RATIO =
  defined(PAPER_TABLE_2_CUSTOMISED["registerFish"], "the paper's customised Register_fish") /
  defined(PAPER_TABLE_2["registerFish"], "the paper's Register_fish").executionGas;

/** Figure 7's three gas limits at the competitors' fee, then the priority fee varied at the estimate. */
export function figure7Scenarios(competitorTipGwei: number): Scenario[] {
  return [
    { label: "below the estimate (estimate − 1)", limit: { below: 1 }, tipGwei: competitorTipGwei },
    { label: "below the estimate (90 %)", limit: { times: 0.9 }, tipGwei: competitorTipGwei },
    { label: "at the estimate (the paper's recommended)", limit: { times: 1 }, tipGwei: competitorTipGwei },
    { label: "above: 2 × the estimate", limit: { times: 2 }, tipGwei: competitorTipGwei },
    {
      label: `above: ${PAPER_CUSTOMISED_RATIO.toFixed(1)} × (the paper's customised)`,
      limit: { times: PAPER_CUSTOMISED_RATIO },
      tipGwei: competitorTipGwei,
    },
    { label: "at the estimate, half the competitors' fee", limit: { times: 1 }, tipGwei: competitorTipGwei / 2 },
    { label: "at the estimate, 1.5 × the competitors' fee", limit: { times: 1 }, tipGwei: competitorTipGwei * 1.5 },
  ];
}

const MAX_FEE = parseUnits("1000", "gwei");
const receiptSchema = z.object({
  status: z.string(),
  gasUsed: z.string(),
  blockNumber: z.string(),
  effectiveGasPrice: z.string(),
});

export async function gasLimitScenarios(
  connection: Connection,
  options: GasLimitOptions = DEFAULT_GAS_LIMIT_OPTIONS,
  scenarios: Scenario[] = figure7Scenarios(options.competitorTipGwei),
): Promise<GasLimitReport> {
  const { ethers, provider } = connection;
  const rpc = (method: string, params: unknown[] = []) => provider.request({ method, params });
  const system = await deployFishTrace(connection);
  const signers = await ethers.getSigners();
  const account = (i: number) => defined(signers[i], `account #${i} (the network needs ${options.competitors + 2})`);
  const ours = account(1);
  const competitors = Array.from({ length: options.competitors }, (_, i) => account(i + 2));
  for (const [i, signer] of [ours, ...competitors].entries()) {
    await (await system.registry.registerParticipant(signer, roleId("HARVESTER"), `Vessel ${i}`, `GLN${i}`)).wait();
  }
  const COD = speciesCode("COD");
  await (await system.registry.listSpecies(COD, "Atlantic cod")).wait();

  const catchOf = async (kg: number) => lofotenCatch(COD, kg, (await latestBlockTime(ethers.provider)) - 3_600);
  const as = (signer: HardhatEthersSigner): Harvester => system.harvester.connect(signer);
  // Every harvester's first lot, so no scenario pays for a first write the others do not.
  for (const signer of [ours, ...competitors]) await (await as(signer).registerFish(await catchOf(100))).wait();

  const ourCatch = await catchOf(250);
  const estimate = Number(await as(ours).registerFish.estimateGas(ourCatch));
  // Competitors set what a wallet would: the estimate and a 10 % margin.
  const competitorLimit = Math.ceil(estimate * 1.1);
  const competitorTip = parseUnits(String(options.competitorTipGwei), "gwei");

  await rpc("evm_setAutomine", [false]);
  await rpc("evm_setBlockGasLimit", [toQuantity(options.blockGasLimit)]);
  const nonces = new Map<string, number>();
  for (const signer of [ours, ...competitors]) {
    nonces.set(signer.address, await ethers.provider.getTransactionCount(signer.address, "pending"));
  }
  const start = z.string().parse(await rpc("evm_snapshot"));
  const competitorCatch = await catchOf(240);

  let turn = 0;
  const compete = async (count: number, nonceOf: Map<string, number>) => {
    for (let i = 0; i < count; i++) {
      const signer = defined(competitors[turn++ % competitors.length], "a competitor");
      const nonce = defined(nonceOf.get(signer.address), "a competitor's nonce");
      nonceOf.set(signer.address, nonce + 1);
      await as(signer).registerFish(competitorCatch, {
        nonce,
        gasLimit: competitorLimit,
        maxPriorityFeePerGas: competitorTip,
        maxFeePerGas: MAX_FEE,
      });
    }
  };

  const results: ScenarioResult[] = [];
  let snapshot = start;
  for (const scenario of scenarios) {
    await rpc("evm_revert", [snapshot]);
    snapshot = z.string().parse(await rpc("evm_snapshot"));
    const nonceOf = new Map(nonces);
    turn = 0;
    await compete(options.competitors * options.backlogEach, nonceOf);
    const gasLimit =
      "below" in scenario.limit ? estimate - scenario.limit.below : Math.round(estimate * scenario.limit.times);
    const tipWei = parseUnits(scenario.tipGwei.toFixed(9), "gwei");
    const sent = await as(ours).registerFish(ourCatch, {
      nonce: defined(nonceOf.get(ours.address), "our nonce"),
      gasLimit,
      maxPriorityFeePerGas: tipWei,
      maxFeePerGas: MAX_FEE,
    });
    const firstBlock = (await ethers.provider.getBlockNumber()) + 1;
    let receipt: z.infer<typeof receiptSchema> | undefined;
    for (let mined = 0; mined < options.maxBlocks && receipt === undefined; mined++) {
      if (mined > 0) await compete(options.arrivingPerBlock, nonceOf);
      await rpc("evm_mine");
      const raw = await rpc("eth_getTransactionReceipt", [sent.hash]);
      if (raw !== null) receipt = receiptSchema.parse(raw);
    }
    const gasUsed = receipt === undefined ? 0 : Number(receipt.gasUsed);
    const gasPriceWei = receipt === undefined ? 0n : BigInt(receipt.effectiveGasPrice);
    results.push({
      label: scenario.label,
      gasLimit,
      tipGwei: scenario.tipGwei,
      block: receipt === undefined ? null : Number(receipt.blockNumber) - firstBlock + 1,
      succeeded: receipt?.status === "0x1",
      gasUsed,
      chargedWei: BigInt(gasUsed) * gasPriceWei,
      gasPriceWei,
    });
  }
  await rpc("evm_revert", [snapshot]);
  await rpc("evm_setAutomine", [true]);

  return {
    estimate,
    options,
    backlog: options.competitors * options.backlogEach,
    perBlock: Math.floor(options.blockGasLimit / estimate),
    results,
  };
}
