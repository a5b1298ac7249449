import { duration, isoTime, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { participantLabel } from "../../src/core/labels.js";
import { orderBook, sellingStage } from "../../src/core/stages.js";
import { eventIn, mined } from "../../src/node/tx.js";
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

  const { fishTrace } = await connectFishTrace(hre, args, partyOf(stage, orderId, "seller"));
  const book = orderBook(fishTrace, stage);
  const { registry } = fishTrace;
  const receipt = await mined(book.confirmDelivery(orderId));
  const { confirmerId, ackDeadline } = (await eventIn(book, book.filters.DeliveryConfirmed(orderId), receipt)).args;
  const { buyerId, ackWindow } = await book.getOrder(orderId);
  console.log(`${stage} order ${orderId} delivered, confirmed by ${await participantLabel(registry, confirmerId)}`);
  console.log(
    `  ${await participantLabel(registry, buyerId)} has until ${isoTime(ackDeadline)} (${duration(ackWindow)}) ` +
      "to acknowledge or reject",
  );
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId, ackDeadline };
});
