import { lotsText, txText } from "../../src/format.js";
import { required } from "../../src/inputs.js";
import { participantLabel } from "../../src/labels.js";
import { eventIn, mined } from "../../src/tx.js";
import { formatGrams, idList, positiveId } from "../../src/units.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  order?: string;
  shipment?: string;
  lots?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const orderId = positiveId(required(args.order, "order"), "order");
  const shipmentNo = args.shipment === undefined ? orderId : positiveId(args.shipment, "shipment");
  const lotIds = idList(required(args.lots, "lots"), "lots");

  const { fishTrace } = await connectFishTrace(hre, args, 1);
  const { harvester, registry } = fishTrace;
  const receipt = await mined(harvester.initiateShipment(orderId, shipmentNo, lotIds));
  const { weightGrams } = (await eventIn(harvester, harvester.filters.ShipmentInitiated(orderId), receipt)).args;
  const { buyerId } = await harvester.getOrder(orderId);
  console.log(
    `order ${orderId} shipped as shipment ${shipmentNo}: ${lotsText(lotIds)} (${formatGrams(weightGrams)}) ` +
      `to ${await participantLabel(registry, buyerId)}`,
  );
  console.log(`  ${txText(receipt)}`);
  return { orderId, shipmentNo, lotIds };
});
