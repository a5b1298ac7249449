/**
 * `recall --lot <ref> --reason "<text>"`: recalls a lot and everything made from it, through the index.
 *
 * The index is synced, the recall planned (src/index/recall.ts: the descendant closure, each lot at the stage that created
 * it, skipping what is recalled there already), then `recallLots` is sent per origin stage in batches. Each batch is
 * gas-estimated first; a batch that would run out of gas or past the block gas limit is halved (a revert with a
 * FishTrace error is reported as it is). The index is synced again and the notice (who holds each lot, the
 * customers, the buyers of open orders) written as CSV.
 */
import cliProgress from "cli-progress";
import type { ContractTransactionReceipt } from "ethers";

import { lotIdText, lotRef } from "../../src/core/digital-link.js";
import { customErrorOf } from "../../src/core/errors.js";
import { thousands, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { participantLabel } from "../../src/core/labels.js";
import {
  DEFAULT_RECALL_BATCH,
  noticeCsv,
  planRecall,
  recallNotice,
  type NoticeParty,
  type OriginStage,
  type RecallBatch,
  type RecallNoticeRow,
  type RecallPlan,
} from "../../src/index/recall.js";
import { writeText } from "../../src/node/record-files.js";
import { roleBit } from "../../src/core/roles.js";
import { stageContract } from "../../src/core/stages.js";
import { attachFishTrace, type FishTrace } from "../../src/node/system.js";
import { eventsIn } from "../../src/node/tx.js";
import { InputError } from "../../src/core/input-error.js";
import { fixedText } from "../../src/core/units.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { accountOf, deploymentOf, firstWithRole, openSession } from "../session.js";
import { openTraceIndex } from "./trace-index.js";

interface Args extends DeploymentArgs {
  lot?: string;
  reason?: string;
  batch?: string;
  out?: string;
  db?: string;
  dryRun: boolean;
}

export const DEFAULT_NOTICE_FILE = "recall-notice.csv";

/** One `recallLots` transaction sent. */
export interface RecallTransaction {
  stage: OriginStage;
  lotIds: bigint[];
  /** The lots it flagged at that stage (the others were recalled there already). */
  recalled: bigint[];
  hash: string;
  block: number;
  gasUsed: bigint;
}

export interface RecallOutcome {
  lotId: bigint;
  regulator: string;
  dryRun: boolean;
  plan: RecallPlan;
  /** Lots flagged recalled at their origin stage by this run. */
  recalledNow: bigint[];
  alreadyRecalled: bigint[];
  transactions: RecallTransaction[];
  gasUsed: bigint;
  notice: RecallNoticeRow[];
  /** The notice CSV written (none on a dry run). */
  out?: string;
}

const MAX_BATCH = 10_000;

function batchSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RECALL_BATCH;
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_BATCH) {
    throw new InputError(`--batch "${value}" is not a whole number 1..${MAX_BATCH}`);
  }
  return Number(text);
}

/** A lot as the summary names it: "(01)…(10)…" for a product lot, its id for a catch. */
function lotText(row: RecallNoticeRow | undefined, lotId: bigint): string {
  if (row?.gtin !== undefined && row.lotNumber !== undefined) return `(01)${row.gtin}(10)${row.lotNumber}`;
  return `${row?.kind === "catch" ? "catch" : "lot"} ${lotIdText(lotId)}`;
}

function partyText(p: NoticeParty): string {
  return `${p.name === "" ? "unnamed" : p.name} (${p.account})`;
}

/** "1 lot" / "3 lots". */
function lots(n: number): string {
  return `${n} lot${n === 1 ? "" : "s"}`;
}

/** The lines naming whom to notify: holders (grouped), customers, buyers of open orders. */
function notifyLines(notice: readonly RecallNoticeRow[]): string[] {
  const holders = new Map<string, { text: string; lots: string[] }>();
  const customers = new Map<string, { text: string; lots: string[] }>();
  const buyers = new Map<string, { text: string; orders: Set<string> }>();
  for (const row of notice) {
    const label = lotText(row, row.lotId);
    if (row.holder !== undefined) {
      const key = `${row.holder.stage} ${row.holder.account}`;
      const entry = holders.get(key) ?? { text: `${partyText(row.holder)} at the ${row.holder.stage}`, lots: [] };
      entry.lots.push(`${label}${row.holder.status === "Shipped" ? " (shipped, not yet accepted)" : ""}`);
      holders.set(key, entry);
    }
    for (const c of row.customers) {
      const entry = customers.get(c.account) ?? { text: partyText(c), lots: [] };
      entry.lots.push(label);
      customers.set(c.account, entry);
    }
    for (const o of row.openOrders) {
      const entry = buyers.get(o.buyer.account) ?? { text: partyText(o.buyer), orders: new Set<string>() };
      entry.orders.add(`${o.stage} order ${o.orderId} (${o.state})`);
      buyers.set(o.buyer.account, entry);
    }
  }
  const out: string[] = [];
  out.push(`  holders to notify  ${holders.size}${holders.size === 0 ? "" : ":"}`);
  for (const h of holders.values()) out.push(`    ${h.text}: ${h.lots.join(", ")}`);
  out.push(`  customers          ${customers.size}${customers.size === 0 ? "" : ":"}`);
  for (const c of customers.values()) out.push(`    ${c.text}: ${c.lots.join(", ")}`);
  out.push(`  buyers of open orders ${buyers.size}${buyers.size === 0 ? "" : ":"}`);
  for (const b of buyers.values()) out.push(`    ${b.text}: ${[...b.orders].join(", ")}`);
  return out;
}

/** The batch progress: a bar on stderr when it is a terminal, else one line per batch on stdout. */
interface Progress {
  batch(tx: RecallTransaction, done: number): void;
  stop(): void;
}

function progress(total: number): Progress {
  if (process.stderr.isTTY === true && total > 0) {
    const bar = new cliProgress.SingleBar(
      { format: "recalling [{bar}] {value}/{total} lots | {stage} | gas {gas}", stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { stage: "", gas: "0" });
    let gas = 0n;
    return {
      batch(tx, done) {
        gas += tx.gasUsed;
        bar.update(done, { stage: tx.stage, gas: thousands(gas) });
      },
      stop: () => bar.stop(),
    };
  }
  let n = 0;
  return {
    batch(tx, done) {
      n += 1;
      console.log(
        `  batch ${n} at the ${tx.stage}: ${lots(tx.lotIds.length)} (${done}/${total}), tx ${tx.hash}, ` +
          `block ${tx.block}, gas ${thousands(tx.gasUsed)}`,
      );
    },
    stop: () => undefined,
  };
}

/**
 * Sends `batches` as `recallLots` transactions, each estimated first: a batch that would fail without a FishTrace
 * error (out of gas) or needs more than the block gas limit is halved, and the smaller size kept from then on.
 */
export async function sendBatches(
  fishTrace: FishTrace,
  planned: readonly RecallBatch[],
  size: number,
  reason: string,
  blockGasLimit: bigint,
  onBatch: (tx: RecallTransaction) => void,
): Promise<RecallTransaction[]> {
  const sent: RecallTransaction[] = [];
  let batch = size;
  for (const { stage, lotIds } of planned) {
    const contract = stageContract(fishTrace, stage);
    let rest = [...lotIds];
    while (rest.length > 0) {
      const ids = rest.slice(0, batch);
      let gas: bigint;
      try {
        gas = await contract.recallLots.estimateGas(ids, reason);
      } catch (err) {
        if (customErrorOf(err) !== undefined || ids.length === 1) throw err;
        batch = Math.max(1, Math.floor(ids.length / 2));
        continue;
      }
      if (gas > blockGasLimit) {
        if (ids.length === 1) throw new Error(`recalling one lot needs ${gas} gas, over the block gas limit`);
        batch = Math.max(1, Math.floor(ids.length / 2));
        continue;
      }
      const limit = (gas * 12n) / 10n > blockGasLimit ? blockGasLimit : (gas * 12n) / 10n;
      const response = await contract.recallLots(ids, reason, { gasLimit: limit });
      const receipt: ContractTransactionReceipt | null = await response.wait();
      if (receipt === null) throw new Error(`transaction ${response.hash} was not mined`);
      const recalled = (await eventsIn(contract, contract.filters.LotRecalled(), receipt)).map((e) => e.args.lotId);
      const tx: RecallTransaction = {
        stage,
        lotIds: ids,
        recalled,
        hash: receipt.hash,
        block: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
      };
      sent.push(tx);
      onBatch(tx);
      rest = rest.slice(ids.length);
    }
  }
  return sent;
}

export default fishTraceAction(async (args: Args, hre): Promise<RecallOutcome> => {
  const lotId = lotRef(required(args.lot, "lot"), "--lot");
  const text = required(args.reason, "reason");
  const reason = fixedText(text, 32, "reason");
  const size = batchSize(args.batch);
  const out = args.out ?? DEFAULT_NOTICE_FILE;

  // The signer first: a recall by anyone but a regulator fails before the index is touched.
  const session = await openSession(hre);
  const addresses = await deploymentOf(session, args);
  const reader = session.accounts[0];
  if (reader === undefined) throw new InputError(`${session.networkName} has no accounts to sign with`);
  const signer =
    args.from !== undefined
      ? accountOf(session, args.from)
      : accountOf(session, await firstWithRole("REGULATOR")(attachFishTrace(addresses, reader), session));
  const fishTrace = attachFishTrace(addresses, signer);
  const auth = await fishTrace.registry.authorization(signer.address);
  if ((auth.roles & BigInt(roleBit("REGULATOR"))) === 0n) throw new InputError(`${signer.address} is not a REGULATOR`);
  const regulator = await participantLabel(fishTrace.registry, auth.id);

  const index = await openTraceIndex(hre, args);
  try {
    const plan = await planRecall(index.sql, lotId, size);
    const before = await recallNotice(
      index.sql,
      plan.lots.map((l) => l.lotId),
    );
    const rowOf = new Map(before.map((r) => [r.lotId, r]));
    const catches = plan.lots.filter((l) => l.kind === "catch").length;
    const toRecall = plan.toRecall.reduce((n, b) => n + b.lotIds.length, 0);
    console.log(
      `recall of ${lotText(rowOf.get(lotId), lotId)} ("${text}") by ${regulator}: ${lots(plan.lots.length)} ` +
        `reached (${catches} catch${catches === 1 ? "" : "es"}, ${plan.lots.length - catches} product lots)`,
    );

    if (args.dryRun) {
      console.log(`dry run: nothing sent`);
      for (const b of plan.toRecall) {
        console.log(
          `  would recall at the ${b.stage} (${lots(b.lotIds.length)}, ` +
            `${Math.ceil(b.lotIds.length / size)} transaction(s) of up to ${size}):`,
        );
        for (const id of b.lotIds) console.log(`    ${lotText(rowOf.get(id), id)}`);
      }
      if (plan.alreadyRecalled.length > 0) {
        console.log(
          `  already recalled: ${lots(plan.alreadyRecalled.length)}: ` +
            plan.alreadyRecalled.map((id) => lotText(rowOf.get(id), id)).join(", "),
        );
      }
      for (const line of notifyLines(before)) console.log(line);
      return {
        lotId,
        regulator: signer.address,
        dryRun: true,
        plan,
        recalledNow: [],
        alreadyRecalled: plan.alreadyRecalled,
        transactions: [],
        gasUsed: 0n,
        notice: before,
      };
    }

    let transactions: RecallTransaction[] = [];
    if (toRecall === 0) {
      console.log(`already recalled: ${lots(plan.alreadyRecalled.length)}; no transaction sent`);
    } else {
      const block = await session.ethers.provider.getBlock("latest");
      if (block === null) throw new Error(`${session.networkName} returned no latest block`);
      const bar = progress(toRecall);
      let done = 0;
      try {
        transactions = await sendBatches(fishTrace, plan.toRecall, size, reason, block.gasLimit, (tx) => {
          done += tx.lotIds.length;
          bar.batch(tx, done);
        });
      } finally {
        bar.stop();
      }
      await index.sync();
    }

    const notice = await recallNotice(
      index.sql,
      plan.lots.map((l) => l.lotId),
    );
    await writeText(out, noticeCsv(notice));

    const recalledNow = transactions.flatMap((t) => t.recalled);
    const skipped = plan.lots.map((l) => l.lotId).filter((id) => !recalledNow.includes(id));
    const gasUsed = transactions.reduce((g, t) => g + t.gasUsed, 0n);
    const atStage = (stage: OriginStage) =>
      transactions.filter((t) => t.stage === stage).reduce((n, t) => n + t.recalled.length, 0);
    const breakdown =
      recalledNow.length === 0
        ? ""
        : ` (${atStage("harvester")} at the harvester, ${atStage("manufacturer")} at the manufacturer; ` +
          "forwarded on chain to every later stage)";
    console.log(`  recalled now      ${lots(recalledNow.length)}${breakdown}`);
    console.log(`  already recalled  ${lots(skipped.length)}`);
    console.log(`  transactions      ${transactions.length}, gas ${thousands(gasUsed)}`);
    // On a terminal the bar showed no transactions: list them (otherwise each batch printed its line).
    if (process.stderr.isTTY === true) {
      for (const t of transactions) {
        const receipt = { hash: t.hash, blockNumber: t.block, gasUsed: t.gasUsed };
        console.log(`    ${t.stage}: ${lots(t.lotIds.length)}, ${txText(receipt)}`);
      }
    }
    for (const line of notifyLines(notice)) console.log(line);
    console.log(`wrote ${out} (${lots(notice.length)})`);
    // The recalls are on chain and in the index: an EPCIS service (`epcis serve`) pushes them to the subscribers
    // whose queries match these lots after its next index sync (README: EPCIS 2.0 query interface, Subscriptions).
    if (transactions.length > 0) {
      console.log(
        "EPCIS subscribers whose queries match these lots get the recall after the EPCIS service's next sync",
      );
    }
    return {
      lotId,
      regulator: signer.address,
      dryRun: false,
      plan,
      recalledNow,
      alreadyRecalled: skipped,
      transactions,
      gasUsed,
      notice,
      out,
    };
  } finally {
    await index.sql.close();
  }
});
