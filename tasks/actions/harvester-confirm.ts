import { duration, isoTime, txText } from "../../src/format.js";
import { required } from "../../src/inputs.js";
import { participantLabel } from "../../src/labels.js";
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

  const { fishTrace } = await connectFishTrace(hre, args, 1);
  const { harvester, registry } = fishTrace;
  const receipt = await mined(harvester.confirmDelivery(orderId));
  const { confirmerId, ackDeadline } = (await eventIn(harvester, harvester.filters.DeliveryConfirmed(orderId), receipt))
    .args;
  const { buyerId, ackWindow } = await harvester.getOrder(orderId);
  console.log(`order ${orderId} delivered, confirmed by ${await participantLabel(registry, confirmerId)}`);
  console.log(
    `  ${await participantLabel(registry, buyerId)} has until ${isoTime(ackDeadline)} (${duration(ackWindow)}) ` +
      "to acknowledge or reject",
  );
  console.log(`  ${txText(receipt)}`);
  return { orderId, ackDeadline };
});
