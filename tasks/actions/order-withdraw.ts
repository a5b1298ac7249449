import { ether, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { accountLabel } from "../../src/core/labels.js";
import { orderBook, sellingStage } from "../../src/core/stages.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import { positiveId } from "../../src/core/units.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, partyOf } from "../session.js";

interface Args extends StageArgs {
  order?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const stage = sellingStage(args.stage);
  const orderId = positiveId(required(args.order, "order"), "order");

  const { session, signer, fishTrace } = await connectFishTrace(hre, args, partyOf(stage, orderId, "owed"));
  const book = orderBook(fishTrace, stage);
  const receipt = await mined(book.withdraw(orderId));
  const paid = await eventsIn(book, book.filters.OrderPaid(orderId), receipt);
  const refunded = await eventsIn(book, book.filters.OrderRefunded(orderId), receipt);
  const amount = paid[0]?.args.amount ?? refunded[0]?.args.amount ?? 0n;
  const balance = await session.ethers.provider.getBalance(signer.address);
  console.log(
    `${stage} order ${orderId}: ${paid.length > 0 ? "price" : "refund"} of ${ether(amount)} paid to ` +
      `${await accountLabel(fishTrace.registry, signer.address)}`,
  );
  console.log(
    `  balance now ${ether(balance, 6)}; escrow left in the ${stage} contract ${ether(await book.escrowBalance())}`,
  );
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId, amount };
});
