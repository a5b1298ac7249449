import { ether, txText } from "../../src/core/format.js";
import { participantLabel } from "../../src/core/labels.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { fishTraceAction } from "../run.js";
import { connectToOrder, orderOf, type OrderArgs } from "../session.js";

export default fishTraceAction(async (args: OrderArgs, hre) => {
  const order = orderOf(args);
  const { stage, orderId } = order;

  const { fishTrace, book } = await connectToOrder(hre, args, order, "canceller");
  const { registry } = fishTrace;
  const receipt = await mined(book.cancelOrder(orderId));
  const { byId } = (await eventIn(book, book.filters.OrderCancelled(orderId), receipt)).args;
  const { buyerId, price } = await book.getOrder(orderId);
  console.log(`${stage} order ${orderId} cancelled by ${await participantLabel(registry, byId)}`);
  console.log(`  ${await participantLabel(registry, buyerId)} may now withdraw the ${ether(price)} refund`);
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId };
});
