import { lotRefList } from "../../src/core/digital-link.js";
import { txText } from "../../src/core/format.js";
import { required, transportMode } from "../../src/core/inputs.js";
import { lotsLabel, participantLabel } from "../../src/core/labels.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { fixedText, formatGrams, positiveId } from "../../src/core/units.js";
import { TRANSPORT_MODES } from "../../src/core/vocabulary.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, partyOf } from "../session.js";

interface Args extends DeploymentArgs {
  order?: string;
  shipment?: string;
  lots?: string;
  origin?: string;
  destination?: string;
  mode?: string;
  vehicle?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const orderId = positiveId(required(args.order, "order"), "order");
  const shipmentNo = args.shipment === undefined ? orderId : positiveId(args.shipment, "shipment");
  const lotIds = lotRefList(required(args.lots, "lots"));
  const origin = required(args.origin, "origin");
  const destination = required(args.destination, "destination");
  const mode = transportMode(required(args.mode, "mode"));
  const vehicle = required(args.vehicle, "vehicle");
  const route = {
    origin: fixedText(origin, 32, "origin"),
    destination: fixedText(destination, 32, "destination"),
    mode,
    vehicle: fixedText(vehicle, 16, "vehicle"),
  };

  const { fishTrace } = await connectFishTrace(hre, args, partyOf("distributor", orderId, "seller"));
  const { distributor, registry } = fishTrace;
  const receipt = await mined(distributor.dispatch(orderId, shipmentNo, lotIds, route));
  const { weightGrams } = (await eventIn(distributor, distributor.filters.ShipmentInitiated(orderId), receipt)).args;
  const { buyerId } = await distributor.getOrder(orderId);
  console.log(
    `distributor order ${orderId} dispatched as shipment ${shipmentNo}: ` +
      `${await lotsLabel(fishTrace.manufacturer, lotIds)} (${formatGrams(weightGrams)}) to ` +
      (await participantLabel(registry, buyerId)),
  );
  console.log(`  route ${origin} → ${destination} by ${TRANSPORT_MODES[mode]}, vehicle ${vehicle}`);
  console.log(`  ${txText(receipt)}`);
  return { orderId, shipmentNo, lotIds };
});
