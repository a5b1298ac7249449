import type { ContractTransactionReceipt } from "ethers";

import { describeError } from "../../src/core/errors.js";
import { freshnessWarningText, speciesMismatchText, thousands, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { accountLabel, lotLabel } from "../../src/core/labels.js";
import { readSignedReadings } from "../../src/node/qat-files.js";
import { ReadingScreen, type ReadingRejection } from "../../src/node/qat-screen.js";
import { ledgerDomain, readingTuple, type SignedReading } from "../../src/core/qat.js";
import { stageHolding, stageName, stageNumber } from "../../src/core/stages.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import { InputError } from "../../src/core/input-error.js";
import { wholeNumber } from "../../src/core/units.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";
import type { StageName } from "../../src/core/vocabulary.js";

interface Args extends StageArgs {
  in?: string;
  batch?: string;
}

/** A reading of the file, with where it was. */
interface Entry {
  where: string;
  signed: SignedReading;
}

export interface RelayTransaction {
  stage: StageName;
  readings: number;
  accepted: number;
  hash: string;
  gasUsed: bigint;
  gasPerReading: bigint;
}

export interface RelaySummary {
  submitted: number;
  alreadyOnChain: number;
  rejected: ReadingRejection[];
  speciesMismatches: bigint[];
  freshnessWarnings: bigint[];
  transactions: RelayTransaction[];
}

const DEFAULT_BATCH = 20;

function batchSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BATCH;
  const n = wholeNumber(value, "--batch", 1_000);
  if (n === 0) throw new InputError("--batch must be at least 1");
  return n;
}

export default fishTraceAction(async (args: Args, hre): Promise<RelaySummary> => {
  const input = required(args.in, "in");
  const forced = args.stage === undefined ? undefined : stageName(args.stage);
  const size = batchSize(args.batch);
  const entries = await readSignedReadings(input);

  const { session, signer, fishTrace } = await connectFishTrace(hre, args, 0);
  const { qualityLedger: ledger, manufacturer, registry } = fishTrace;
  const screen = new ReadingScreen(ledger, await ledgerDomain(ledger, session.chainId));

  const valid = new Map<StageName, Entry[]>();
  const located = new Map<bigint, StageName | InputError>();

  for (const entry of entries) {
    const { where, signed } = entry;
    const { reading } = signed;
    const reject = (reason: string) => screen.reject(where, reading, reason);

    if (!(await screen.admit(where, signed))) continue;

    let stage = forced ?? located.get(reading.lotId);
    if (stage === undefined) {
      stage = await stageHolding(fishTrace, reading.lotId).catch((err: unknown) => {
        if (err instanceof InputError) return err;
        throw err;
      });
      located.set(reading.lotId, stage);
    }
    if (stage instanceof InputError) {
      reject(stage.message);
      continue;
    }

    try {
      await ledger.submitScan.staticCall(stageNumber(stage), readingTuple(reading), signed.signature);
    } catch (err) {
      reject(describeError(err));
      continue;
    }
    valid.set(stage, [...(valid.get(stage) ?? []), entry]);
  }

  const receipts: { stage: StageName; batch: Entry[]; receipt: ContractTransactionReceipt }[] = [];
  for (const [stage, list] of valid) {
    for (let i = 0; i < list.length; i += size) {
      const batch = list.slice(i, i + size);
      const payload = batch.map(({ signed }) => ({
        reading: readingTuple(signed.reading),
        signature: signed.signature,
      }));
      try {
        receipts.push({ stage, batch, receipt: await mined(ledger.submitScans(stageNumber(stage), payload)) });
      } catch (err) {
        const reason = `${describeError(err)} (its batch of ${batch.length} reverted)`;
        for (const { where, signed } of batch) screen.reject(where, signed.reading, reason);
      }
    }
  }

  const transactions: RelayTransaction[] = [];
  const sent: { transaction: RelayTransaction; receipt: ContractTransactionReceipt }[] = [];
  const mismatchLines: string[] = [];
  const warningLines: string[] = [];
  const speciesMismatches: bigint[] = [];
  const freshnessWarnings: bigint[] = [];
  for (const { stage, batch, receipt } of receipts) {
    const scanned = await eventsIn(ledger, ledger.filters.QatScanned(), receipt);
    const accepted = scanned.length;
    screen.alreadyOnChain += batch.length - accepted; // accepted by someone else since the check
    const transaction: RelayTransaction = {
      stage,
      readings: batch.length,
      accepted,
      hash: receipt.hash,
      gasUsed: receipt.gasUsed,
      gasPerReading: accepted === 0 ? 0n : receipt.gasUsed / BigInt(accepted),
    };
    transactions.push(transaction);
    sent.push({ transaction, receipt });
    for (const e of await eventsIn(ledger, ledger.filters.SpeciesMismatch(), receipt)) {
      const { lotId } = e.args;
      speciesMismatches.push(lotId);
      const lot = await lotLabel(manufacturer, lotId);
      mismatchLines.push(`  species mismatch  ${speciesMismatchText(lot, stage, e.args)}`);
    }
    for (const e of await eventsIn(ledger, ledger.filters.FreshnessWarning(), receipt)) {
      const { lotId } = e.args;
      freshnessWarnings.push(lotId);
      const lot = await lotLabel(manufacturer, lotId);
      warningLines.push(`  freshness warning ${freshnessWarningText(lot, stage, e.args)}`);
    }
  }
  const submitted = transactions.reduce((n, t) => n + t.accepted, 0);

  console.log(
    `relayed ${input} (${entries.length} signed reading${entries.length === 1 ? "" : "s"}) to the quality ledger ` +
      `${await ledger.getAddress()} from ${await accountLabel(registry, signer.address)}`,
  );
  const perStage = transactions.map((t) => `${t.stage} ${t.accepted}`).join(", ");
  console.log(
    `  submitted         ${submitted}` +
      (transactions.length === 0
        ? ""
        : ` (${perStage}) in ${transactions.length} transaction${transactions.length === 1 ? "" : "s"}`),
  );
  for (const line of screen.summaryLines()) console.log(line);
  for (const line of [...mismatchLines, ...warningLines]) console.log(line);
  for (const { transaction: t, receipt } of sent) {
    console.log(
      `  ${t.stage}: ${t.accepted} of ${t.readings} recorded, ${txText(receipt)} (${thousands(t.gasPerReading)} per reading)`,
    );
  }
  return {
    submitted,
    alreadyOnChain: screen.alreadyOnChain,
    rejected: screen.rejected,
    speciesMismatches,
    freshnessWarnings,
    transactions,
  };
});
