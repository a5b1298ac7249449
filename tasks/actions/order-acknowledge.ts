import { txText } from "../../src/core/format.js";
import { settlementOf } from "../../src/core/deployment.js";
import { amountText } from "../../src/core/money.js";
import { lotsLabel, participantLabel } from "../../src/core/labels.js";
import { requireShipment } from "../../src/core/orders.js";
import { buyerStage } from "../../src/core/stages.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import { fishTraceAction } from "../run.js";
import { connectToOrder, orderOf, type OrderArgs } from "../session.js";

export default fishTraceAction(async (args: OrderArgs, hre) => {
  const order = orderOf(args);
  const { stage, orderId } = order;

  const { session, fishTrace, book } = await connectToOrder(hre, args, order, "buyer");
  const money = await settlementOf(fishTrace, session.ethers.provider);
  const { registry } = fishTrace;
  const { shipmentNo, lotIds } = await requireShipment(book, orderId);
  const receipt = await mined(book.acknowledge(orderId, shipmentNo, lotIds));
  const { sellerId, buyerId, price } = await book.getOrder(orderId);
  const moved = (await eventsIn(book, book.filters.CustodyTransferred(), receipt)).map((e) => e.args.lotId);
  console.log(
    `${stage} order ${orderId} acknowledged: ${await lotsLabel(fishTrace.manufacturer, moved)} passed to ` +
      `${await participantLabel(registry, buyerId)} at the ${buyerStage(stage)} stage`,
  );
  console.log(`  ${await participantLabel(registry, sellerId)} may now withdraw ${amountText(price, money)}`);
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId, lotIds };
});
