import { ether, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { lotsLabel, participantLabel } from "../../src/core/labels.js";
import { requireShipment } from "../../src/core/orders.js";
import { orderBook, sellingStage } from "../../src/core/stages.js";
import { mined } from "../../src/node/tx.js";
import { fixedText, positiveId } from "../../src/core/units.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, partyOf } from "../session.js";

interface Args extends StageArgs {
  order?: string;
  reason?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const stage = sellingStage(args.stage);
  const orderId = positiveId(required(args.order, "order"), "order");
  const text = required(args.reason, "reason");
  const reason = fixedText(text, 32, "reason");

  const { fishTrace } = await connectFishTrace(hre, args, partyOf(stage, orderId, "buyer"));
  const book = orderBook(fishTrace, stage);
  const { registry } = fishTrace;
  const { shipmentNo, lotIds } = await requireShipment(book, orderId);
  const receipt = await mined(book.rejectDelivery(orderId, shipmentNo, lotIds, reason));
  const { sellerId, buyerId, price } = await book.getOrder(orderId);
  console.log(
    `${stage} order ${orderId} rejected ("${text}"): ${await lotsLabel(fishTrace.manufacturer, lotIds)} back in ` +
      `the inventory of ${await participantLabel(registry, sellerId)}`,
  );
  console.log(`  ${await participantLabel(registry, buyerId)} may now withdraw the ${ether(price)} refund`);
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId };
});
