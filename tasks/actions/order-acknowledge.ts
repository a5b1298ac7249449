import { ether, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { lotsLabel, participantLabel } from "../../src/core/labels.js";
import { requireShipment } from "../../src/core/orders.js";
import { buyerStage, orderBook, sellingStage } from "../../src/core/stages.js";
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

  const { fishTrace } = await connectFishTrace(hre, args, partyOf(stage, orderId, "buyer"));
  const book = orderBook(fishTrace, stage);
  const { registry } = fishTrace;
  const { shipmentNo, lotIds } = await requireShipment(book, orderId);
  const receipt = await mined(book.acknowledge(orderId, shipmentNo, lotIds));
  const { sellerId, buyerId, price } = await book.getOrder(orderId);
  const moved = (await eventsIn(book, book.filters.CustodyTransferred(), receipt)).map((e) => e.args.lotId);
  console.log(
    `${stage} order ${orderId} acknowledged: ${await lotsLabel(fishTrace.manufacturer, moved)} passed to ` +
      `${await participantLabel(registry, buyerId)} at the ${buyerStage(stage)} stage`,
  );
  console.log(`  ${await participantLabel(registry, sellerId)} may now withdraw ${ether(price)}`);
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId, lotIds };
});
