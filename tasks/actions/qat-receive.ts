import type { ContractTransactionReceipt } from "ethers";

import { describeError } from "../../src/core/errors.js";
import { freshnessWarningText, lotsText, speciesMismatchText, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { InputError } from "../../src/core/input-error.js";
import { accountLabel, lotLabel, participantLabel } from "../../src/core/labels.js";
import { orderWithParties, requireShipment } from "../../src/core/orders.js";
import { ledgerDomain, readingTuple } from "../../src/core/qat.js";
import { orderBook, stageNumber } from "../../src/core/stages.js";
import { alarmNames, ORDER_STATE, type LotFlagName } from "../../src/core/vocabulary.js";
import { readSignedReadings } from "../../src/node/qat-files.js";
import { ReadingScreen, type ReadingRejection } from "../../src/node/qat-screen.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, orderOf, type OrderArgs } from "../session.js";

interface Args extends OrderArgs {
  in?: string;
}

/** One receiving scan recorded: its transaction. */
export interface ReceiveTransaction {
  where: string;
  device: string;
  readingId: bigint;
  lotId: bigint;
  hash: string;
  gasUsed: bigint;
}

/** A lot of the shipment carrying an alarm flag once the scans are recorded. */
export interface FlaggedLot {
  lotId: bigint;
  flags: LotFlagName[];
}

export interface ReceiveSummary {
  stage: string;
  orderId: bigint;
  shipmentNo: bigint;
  lotIds: bigint[];
  submitted: number;
  alreadyOnChain: number;
  rejected: ReadingRejection[];
  speciesMismatches: bigint[];
  freshnessWarnings: bigint[];
  transactions: ReceiveTransaction[];
  flagged: FlaggedLot[];
}

/** Only a Shipped or Delivered order's lots are on their way to the buyer (`submitReceivingScan`). */
const IN_TRANSIT = new Set(["Shipped", "Delivered"]);

/** The `--reason` suggested for rejecting a lot flagged `flags` (its first alarm; `order reject` takes 32 bytes). */
function reasonFor(flags: readonly LotFlagName[]): string {
  return (flags[0] ?? "alarm").toLowerCase().replace(/_/g, " ");
}

export default fishTraceAction(async (args: Args, hre): Promise<ReceiveSummary> => {
  const input = required(args.in, "in");
  const { stage, orderId } = orderOf(args);
  const entries = await readSignedReadings(input);

  const { session, signer, fishTrace } = await connectFishTrace(hre, args, 0);
  const { qualityLedger: ledger, manufacturer, registry } = fishTrace;
  const book = orderBook(fishTrace, stage);
  const { order } = await orderWithParties(book, registry, orderId).catch((err: unknown) => {
    if (err instanceof InputError) throw new InputError(`${stage} order ${orderId} does not exist`);
    throw err;
  });
  const state = ORDER_STATE[Number(order.state)] ?? String(order.state);
  if (!IN_TRANSIT.has(state)) {
    const why =
      state === "Ordered"
        ? "it has not been shipped"
        : "only a Shipped or Delivered order's lots are on their way to the buyer";
    throw new InputError(`${stage} order ${orderId} is ${state}: ${why}`);
  }
  const { shipmentNo, lotIds } = await requireShipment(book, orderId);
  const inShipment = new Set(lotIds);
  const screen = new ReadingScreen(ledger, await ledgerDomain(ledger, session.chainId));
  const orderText = `${stage} order ${orderId}`;
  const command = (task: string) => `npx hardhat order ${task} --stage ${stage} --order ${orderId}`;

  const transactions: ReceiveTransaction[] = [];
  const speciesMismatches: bigint[] = [];
  const freshnessWarnings: bigint[] = [];
  const eventLines: string[] = [];
  const txLines: string[] = [];

  for (const { where, signed } of entries) {
    const { reading, signature } = signed;
    const reject = (reason: string) => screen.reject(where, reading, reason);

    if (!(await screen.admit(where, signed))) continue;
    if (!inShipment.has(reading.lotId)) {
      reject(`lot ${await lotLabel(manufacturer, reading.lotId)} is not in the shipment of ${orderText}`);
      continue;
    }

    // The ledger's own checks (the order still in transit, the device the buyer's, the scan's time and values).
    const call = [stageNumber(stage), orderId, shipmentNo, lotIds, readingTuple(reading), signature] as const;
    try {
      await ledger.submitReceivingScan.staticCall(...call);
    } catch (err) {
      reject(describeError(err));
      continue;
    }
    let receipt: ContractTransactionReceipt;
    try {
      receipt = await mined(ledger.submitReceivingScan(...call));
    } catch (err) {
      reject(`${describeError(err)} (its transaction reverted)`);
      continue;
    }
    transactions.push({
      where,
      device: reading.device,
      readingId: reading.readingId,
      lotId: reading.lotId,
      hash: receipt.hash,
      gasUsed: receipt.gasUsed,
    });
    for (const e of await eventsIn(ledger, ledger.filters.SpeciesMismatch(), receipt)) {
      speciesMismatches.push(e.args.lotId);
      const lot = await lotLabel(manufacturer, e.args.lotId);
      eventLines.push(`  species mismatch  ${speciesMismatchText(lot, stage, e.args)}`);
    }
    for (const e of await eventsIn(ledger, ledger.filters.FreshnessWarning(), receipt)) {
      freshnessWarnings.push(e.args.lotId);
      const lot = await lotLabel(manufacturer, e.args.lotId);
      eventLines.push(`  freshness warning ${freshnessWarningText(lot, stage, e.args)}`);
    }
    txLines.push(
      `  ${where}: reading ${reading.readingId} of lot ${await lotLabel(manufacturer, reading.lotId)} recorded, ` +
        txText(receipt),
    );
  }

  // What the buyer may do next: the shipment's alarms as the seller's stage holds them now (raised by these scans or
  // before), and the order's state after the scans.
  const flagged: FlaggedLot[] = [];
  for (const lotId of lotIds) {
    const flags = alarmNames((await fishTrace[stage].getLot(lotId)).flags);
    if (flags.length > 0) flagged.push({ lotId, flags });
  }
  const after = ORDER_STATE[Number((await book.getOrder(orderId)).state)] ?? "";
  const submitted = transactions.length;

  console.log(
    `received ${input} (${entries.length} signed reading${entries.length === 1 ? "" : "s"}) for ${orderText}, ` +
      `shipment ${shipmentNo} of ${lotsText(lotIds)} to ${await participantLabel(registry, order.buyerId)}, ` +
      `at the quality ledger ${await ledger.getAddress()} from ${await accountLabel(registry, signer.address)}`,
  );
  console.log(
    `  submitted         ${submitted}` +
      (submitted === 0 ? "" : ` in ${submitted} transaction${submitted === 1 ? "" : "s"}`),
  );
  for (const line of screen.summaryLines()) console.log(line);
  for (const line of [...eventLines, ...txLines]) console.log(line);
  if (!IN_TRANSIT.has(after)) {
    console.log(`next: ${orderText} is ${after} now: the buyer has decided`);
  } else if (flagged.length > 0) {
    for (const { lotId, flags } of flagged) {
      console.log(
        `next: order ${orderId}: lot ${await lotLabel(manufacturer, lotId)} flagged ${flags.join(", ")} — reject ` +
          `with \`${command("reject")} --reason "${reasonFor(flags)}"\``,
      );
    }
  } else if (after === "Delivered") {
    console.log(`next: order ${orderId}: no alarm on its lots — acknowledge with \`${command("acknowledge")}\``);
  } else {
    console.log(
      `next: order ${orderId}: no alarm on its lots — once delivered (\`${command("confirm")}\`), acknowledge ` +
        `with \`${command("acknowledge")}\``,
    );
  }

  return {
    stage,
    orderId,
    shipmentNo,
    lotIds,
    submitted,
    alreadyOnChain: screen.alreadyOnChain,
    rejected: screen.rejected,
    speciesMismatches,
    freshnessWarnings,
    transactions,
    flagged,
  };
});
