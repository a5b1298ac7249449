import { duration, isoTime, txText } from "../../src/core/format.js";
import { participantLabel } from "../../src/core/labels.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { fishTraceAction } from "../run.js";
import { connectToOrder, orderOf, type OrderArgs } from "../session.js";

export default fishTraceAction(async (args: OrderArgs, hre) => {
  const order = orderOf(args);
  const { stage, orderId } = order;

  const { fishTrace, book } = await connectToOrder(hre, args, order, "seller");
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
