import { lotRefList } from "../../src/core/digital-link.js";
import { isoTime, position, txText } from "../../src/core/format.js";
import { required, signedDegrees } from "../../src/core/inputs.js";
import { lotsLabel } from "../../src/core/labels.js";
import { fixedText, unixSeconds } from "../../src/core/units.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { chainNow, connectFishTrace, firstWithRole } from "../session.js";

interface Args extends DeploymentArgs {
  lots?: string;
  carrier?: string;
  lat?: string;
  lon?: string;
  at?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const lotIds = lotRefList(required(args.lots, "lots"));
  const carrierText = required(args.carrier, "carrier");
  const carrier = fixedText(carrierText, 16, "--carrier");
  const latitude = signedDegrees(required(args.lat, "lat"), "latitude");
  const longitude = signedDegrees(required(args.lon, "lon"), "longitude");
  const { session, fishTrace } = await connectFishTrace(hre, args, firstWithRole("HARVESTER"));
  const at = args.at === undefined ? await chainNow(session) : unixSeconds(args.at, "--at");
  const { harvester } = fishTrace;
  const receipt = await mined(harvester.transship(lotIds, carrier, latitude, longitude, at));
  const moved = await eventsIn(harvester, harvester.filters.FishTransshipped(), receipt);
  console.log(
    `${await lotsLabel(fishTrace.manufacturer, lotIds)} transshipped onto ${carrierText} at ` +
      `${position(latitude, longitude)}, ${isoTime(at)} (${moved.length} lot${moved.length === 1 ? "" : "s"})`,
  );
  console.log(`  ${txText(receipt)}`);
  return { lotIds, carrier: carrierText, at };
});
