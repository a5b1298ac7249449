import { ether, lotsText, txText } from "../../src/format.js";
import { required } from "../../src/inputs.js";
import { participantLabel } from "../../src/labels.js";
import { orderWithParties, requireShipment } from "../../src/orders.js";
import { mined } from "../../src/tx.js";
import { fixedText, positiveId } from "../../src/units.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  order?: string;
  reason?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const orderId = positiveId(required(args.order, "order"), "order");
  const text = required(args.reason, "reason");
  const reason = fixedText(text, 32, "reason");

  const { fishTrace } = await connectFishTrace(
    hre,
    args,
    async ({ harvester, registry }) => (await orderWithParties(harvester, registry, orderId)).buyer,
  );
  const { harvester, registry } = fishTrace;
  const { shipmentNo, lotIds } = await requireShipment(harvester, orderId);
  const receipt = await mined(harvester.rejectDelivery(orderId, shipmentNo, lotIds, reason));
  const { sellerId, buyerId, price } = await harvester.getOrder(orderId);
  console.log(
    `order ${orderId} rejected ("${text}"): ${lotsText(lotIds)} back in the inventory of ` +
      `${await participantLabel(registry, sellerId)}`,
  );
  console.log(`  ${await participantLabel(registry, buyerId)} may now withdraw the ${ether(price)} refund`);
  console.log(`  ${txText(receipt)}`);
  return { orderId };
});
