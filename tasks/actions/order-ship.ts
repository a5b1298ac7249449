import { lotRefList } from "../../src/core/digital-link.js";
import { txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { lotsLabel, participantLabel } from "../../src/core/labels.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { formatGrams, positiveId } from "../../src/core/units.js";
import { fishTraceAction } from "../run.js";
import { connectToOrder, orderOf, type OrderArgs } from "../session.js";

interface Args extends OrderArgs {
  shipment?: string;
  lots?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const order = orderOf(args);
  const { stage, orderId } = order;
  const shipmentNo = args.shipment === undefined ? orderId : positiveId(args.shipment, "shipment");
  const lotIds = lotRefList(required(args.lots, "lots"));

  const { fishTrace, book } = await connectToOrder(hre, args, order, "seller");
  const receipt = await mined(book.initiateShipment(orderId, shipmentNo, lotIds));
  const { weightGrams } = (await eventIn(book, book.filters.ShipmentInitiated(orderId), receipt)).args;
  const { buyerId } = await book.getOrder(orderId);
  console.log(
    `${stage} order ${orderId} shipped as shipment ${shipmentNo}: ${await lotsLabel(fishTrace.manufacturer, lotIds)} ` +
      `(${formatGrams(weightGrams)}) to ${await participantLabel(fishTrace.registry, buyerId)}`,
  );
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId, shipmentNo, lotIds };
});
