import { ether, txText } from "../../src/format.js";
import { required } from "../../src/inputs.js";
import { participantLabel } from "../../src/labels.js";
import { orderWithParties } from "../../src/orders.js";
import { eventIn, mined } from "../../src/tx.js";
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
    async ({ harvester, registry }) => (await orderWithParties(harvester, registry, orderId)).buyer,
  );
  const { harvester, registry } = fishTrace;
  const receipt = await mined(harvester.cancelOrder(orderId));
  const { byId } = (await eventIn(harvester, harvester.filters.OrderCancelled(orderId), receipt)).args;
  const { buyerId, price } = await harvester.getOrder(orderId);
  console.log(`order ${orderId} cancelled by ${await participantLabel(registry, byId)}`);
  console.log(`  ${await participantLabel(registry, buyerId)} may now withdraw the ${ether(price)} refund`);
  console.log(`  ${txText(receipt)}`);
  return { orderId };
});
