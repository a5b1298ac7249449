import { txText } from "../../src/core/format.js";
import { settlementOf } from "../../src/core/deployment.js";
import { amountText } from "../../src/core/money.js";
import { required } from "../../src/core/inputs.js";
import { lotsLabel, participantLabel } from "../../src/core/labels.js";
import { requireShipment } from "../../src/core/orders.js";
import { mined } from "../../src/node/tx.js";
import { fixedText } from "../../src/core/units.js";
import { fishTraceAction } from "../run.js";
import { connectToOrder, orderOf, type OrderArgs } from "../session.js";

interface Args extends OrderArgs {
  reason?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const order = orderOf(args);
  const { stage, orderId } = order;
  const text = required(args.reason, "reason");
  const reason = fixedText(text, 32, "reason");

  const { session, fishTrace, book } = await connectToOrder(hre, args, order, "buyer");
  const money = await settlementOf(fishTrace, session.ethers.provider);
  const { registry } = fishTrace;
  const { shipmentNo, lotIds } = await requireShipment(book, orderId);
  const receipt = await mined(book.rejectDelivery(orderId, shipmentNo, lotIds, reason));
  const { sellerId, buyerId, price } = await book.getOrder(orderId);
  console.log(
    `${stage} order ${orderId} rejected ("${text}"): ${await lotsLabel(fishTrace.manufacturer, lotIds)} back in ` +
      `the inventory of ${await participantLabel(registry, sellerId)}`,
  );
  console.log(`  ${await participantLabel(registry, buyerId)} may now withdraw the ${amountText(price, money)} refund`);
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId };
});
