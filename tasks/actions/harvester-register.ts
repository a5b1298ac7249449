import { catchData } from "../../src/core/catch.js";
import { formText, isoTime, position, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { participantLabel, speciesLabel } from "../../src/core/labels.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { formatGrams } from "../../src/core/units.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { chainNow, connectFishTrace, firstWithRole } from "../session.js";

interface Args extends DeploymentArgs {
  species?: string;
  weight?: string;
  caughtAt?: string;
  lat?: string;
  lon?: string;
  area?: string;
  vessel?: string;
  gear?: string;
  farmed: boolean;
  frozen: boolean;
}

export default fishTraceAction(async (args: Args, hre) => {
  const data = catchData({
    species: required(args.species, "species"),
    weight: required(args.weight, "weight"),
    caughtAt: args.caughtAt ?? 0,
    latitude: required(args.lat, "lat"),
    longitude: required(args.lon, "lon"),
    area: args.area,
    vessel: args.vessel,
    gear: args.gear,
    farmed: args.farmed,
    frozen: args.frozen,
  });

  const { session, fishTrace } = await connectFishTrace(hre, args, firstWithRole("HARVESTER"));
  const { harvester, registry } = fishTrace;
  if (args.caughtAt === undefined) data.caughtAt = await chainNow(session);
  const receipt = await mined(harvester.registerFish(data));
  const {
    lotId,
    harvesterId,
    catchData: c,
  } = (await eventIn(harvester, harvester.filters.FishRegistered(), receipt)).args;

  const details = [
    args.area === undefined ? "" : `, area ${args.area}`,
    args.vessel === undefined ? "" : `, vessel ${args.vessel}`,
    args.gear === undefined ? "" : `, gear ${args.gear}`,
  ].join("");
  console.log(
    `lot ${lotId} registered: ${await speciesLabel(registry, c.species)}, ${formatGrams(c.weightGrams)}, ` +
      formText(c.frozen, c.farmed),
  );
  console.log(`  caught ${isoTime(c.caughtAt)} at ${position(c.latitude, c.longitude)}${details}`);
  console.log(`  custodian ${await participantLabel(registry, harvesterId)}`);
  console.log(`  ${txText(receipt)}`);
  return { lotId };
});
