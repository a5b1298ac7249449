import { duration, isoTime, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { participantLabel } from "../../src/core/labels.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { fixedText, positiveId } from "../../src/core/units.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, partyOf } from "../session.js";

interface Args extends DeploymentArgs {
  order?: string;
  location?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const orderId = positiveId(required(args.order, "order"), "order");
  const location = required(args.location, "location");
  const where = fixedText(location, 32, "location");

  const { fishTrace } = await connectFishTrace(hre, args, partyOf("distributor", orderId, "buyer"));
  const { distributor, registry } = fishTrace;
  const receipt = await mined(distributor.confirmArrival(orderId, where));
  const { confirmerId } = (await eventIn(distributor, distributor.filters.ShipmentArrived(orderId), receipt)).args;
  const { ackDeadline } = (await eventIn(distributor, distributor.filters.DeliveryConfirmed(orderId), receipt)).args;
  const { buyerId, ackWindow } = await distributor.getOrder(orderId);
  console.log(
    `distributor order ${orderId} arrived at ${location}, confirmed by ${await participantLabel(registry, confirmerId)}`,
  );
  console.log(
    `  ${await participantLabel(registry, buyerId)} has until ${isoTime(ackDeadline)} (${duration(ackWindow)}) ` +
      "to acknowledge or reject",
  );
  console.log(`  ${txText(receipt)}`);
  return { orderId, ackDeadline };
});
