import { duration, isoTime } from "../../src/core/format.js";
import { settlementOf } from "../../src/core/deployment.js";
import { amountText } from "../../src/core/money.js";
import { lotsLabel, participantLabel, speciesLabel } from "../../src/core/labels.js";
import { orderTerms, orderWithParties, shipmentOf } from "../../src/core/orders.js";
import { buyerStage } from "../../src/core/stages.js";
import { formatGrams } from "../../src/core/units.js";
import { ORDER_STATE } from "../../src/core/vocabulary.js";
import { fishTraceAction } from "../run.js";
import { connectToOrder, orderOf, type OrderArgs } from "../session.js";

/** What the deadline of an order in each state means. */
const DEADLINE: Record<string, string> = { Ordered: "ship by", Delivered: "acknowledge by" };
/** The states in which the price is still in escrow. */
const ESCROWED = ["Ordered", "Shipped", "Delivered", "Acknowledged", "Cancelled", "Rejected"];

export default fishTraceAction(async (args: OrderArgs, hre) => {
  const which = orderOf(args);
  const { stage, orderId } = which;

  const { session, fishTrace, book } = await connectToOrder(hre, args, which, 0);
  const money = await settlementOf(fishTrace, session.ethers.provider);
  const { registry } = fishTrace;
  const { order } = await orderWithParties(book, registry, orderId);
  const terms = await orderTerms(book, orderId);
  const shipment = await shipmentOf(book, orderId);
  const state = ORDER_STATE[Number(order.state)] ?? String(order.state);

  console.log(`${stage} order ${orderId}: ${state}`);
  console.log(`  seller    ${await participantLabel(registry, order.sellerId)} (${stage})`);
  console.log(`  buyer     ${await participantLabel(registry, order.buyerId)} (${buyerStage(stage)})`);
  if (terms !== undefined) {
    console.log(
      `  terms     at least ${formatGrams(terms.weightGrams)} of ${await speciesLabel(registry, terms.species)} ` +
        `for ${amountText(terms.price, money)}, ship by ${isoTime(terms.shipBy)}, ${duration(terms.ackWindow)} to acknowledge`,
    );
  }
  console.log(
    shipment === undefined
      ? "  shipment  not shipped yet"
      : `  shipment  ${shipment.shipmentNo}: ${await lotsLabel(fishTrace.manufacturer, shipment.lotIds)} ` +
          `(${formatGrams(shipment.weightGrams)})`,
  );
  const deadline = DEADLINE[state];
  if (deadline !== undefined) console.log(`  deadline  ${deadline} ${isoTime(order.deadline)}`);
  console.log(
    `  escrow    ${amountText(order.price, money)} ${ESCROWED.includes(state) ? "held for this order" : "paid out"}`,
  );
  return { stage, orderId, state, shipment };
});
