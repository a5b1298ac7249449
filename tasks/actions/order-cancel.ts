import { txText } from "../../src/core/format.js";
import { settlementOf } from "../../src/core/deployment.js";
import { amountText } from "../../src/core/money.js";
import { participantLabel } from "../../src/core/labels.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { fishTraceAction } from "../run.js";
import { connectToOrder, orderOf, type OrderArgs } from "../session.js";

export default fishTraceAction(async (args: OrderArgs, hre) => {
  const order = orderOf(args);
  const { stage, orderId } = order;

  const { session, fishTrace, book } = await connectToOrder(hre, args, order, "canceller");
  const money = await settlementOf(fishTrace, session.ethers.provider);
  const { registry } = fishTrace;
  const receipt = await mined(book.cancelOrder(orderId));
  const { byId } = (await eventIn(book, book.filters.OrderCancelled(orderId), receipt)).args;
  const { buyerId, price } = await book.getOrder(orderId);
  console.log(`${stage} order ${orderId} cancelled by ${await participantLabel(registry, byId)}`);
  console.log(`  ${await participantLabel(registry, buyerId)} may now withdraw the ${amountText(price, money)} refund`);
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId };
});
