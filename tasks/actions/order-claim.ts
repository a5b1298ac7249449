import { txText } from "../../src/core/format.js";
import { settlementOf } from "../../src/core/deployment.js";
import { amountText } from "../../src/core/money.js";
import { lotsLabel, participantLabel } from "../../src/core/labels.js";
import { requireShipment } from "../../src/core/orders.js";
import { buyerStage } from "../../src/core/stages.js";
import { mined } from "../../src/node/tx.js";
import { fishTraceAction } from "../run.js";
import { connectToOrder, orderOf, type OrderArgs } from "../session.js";

export default fishTraceAction(async (args: OrderArgs, hre) => {
  const order = orderOf(args);
  const { stage, orderId } = order;

  const { session, fishTrace, book } = await connectToOrder(hre, args, order, "seller");
  const money = await settlementOf(fishTrace, session.ethers.provider);
  const { registry } = fishTrace;
  const { shipmentNo, lotIds } = await requireShipment(book, orderId);
  const receipt = await mined(book.claimPayment(orderId, shipmentNo, lotIds));
  const { sellerId, buyerId, price } = await book.getOrder(orderId);
  console.log(
    `${stage} order ${orderId} acknowledged for the buyer, whose deadline passed: ` +
      `${await lotsLabel(fishTrace.manufacturer, lotIds)} passed to ${await participantLabel(registry, buyerId)} ` +
      `at the ${buyerStage(stage)} stage`,
  );
  console.log(`  ${await participantLabel(registry, sellerId)} may now withdraw ${amountText(price, money)}`);
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId };
});
