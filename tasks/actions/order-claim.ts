import { ether, lotsText, txText } from "../../src/format.js";
import { required } from "../../src/inputs.js";
import { participantLabel } from "../../src/labels.js";
import { orderWithParties, requireShipment } from "../../src/orders.js";
import { mined } from "../../src/tx.js";
import { positiveId } from "../../src/units.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  order?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const orderId = positiveId(required(args.order, "order"), "order");

  const { fishTrace } = await connectFishTrace(
    hre,
    args,
    async ({ harvester, registry }) => (await orderWithParties(harvester, registry, orderId)).seller,
  );
  const { harvester, registry } = fishTrace;
  const { shipmentNo, lotIds } = await requireShipment(harvester, orderId);
  const receipt = await mined(harvester.claimPayment(orderId, shipmentNo, lotIds));
  const { sellerId, buyerId, price } = await harvester.getOrder(orderId);
  console.log(
    `order ${orderId} acknowledged for the buyer, whose deadline passed: custody of ${lotsText(lotIds)} passed to ` +
      `${await participantLabel(registry, buyerId)}`,
  );
  console.log(`  ${await participantLabel(registry, sellerId)} may now withdraw ${ether(price)}`);
  console.log(`  ${txText(receipt)}`);
  return { orderId };
});
