import { catchData } from "../../src/core/catch.js";
import { formText, isoTime, position, txText } from "../../src/core/format.js";
import { InputError } from "../../src/core/input-error.js";
import { required } from "../../src/core/inputs.js";
import { participantLabel, speciesLabel } from "../../src/core/labels.js";
import { readCatches } from "../../src/node/catch-files.js";
import { eventIn, eventsIn, mined } from "../../src/node/tx.js";
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
  file?: string;
}

/** The single catch's options given with `--file`, which takes every catch from the file. */
function singleOptions(args: Args): string[] {
  const given = (["species", "weight", "caughtAt", "lat", "lon", "area", "vessel", "gear"] as const).filter(
    (name) => args[name] !== undefined,
  );
  return [...given, ...(["farmed", "frozen"] as const).filter((name) => args[name])];
}

export default fishTraceAction(async (args: Args, hre) => {
  if (args.file !== undefined) {
    const file = args.file;
    const clash = singleOptions(args)[0];
    if (clash !== undefined) {
      throw new InputError(
        `--file takes every catch from the file: leave out --${clash.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      );
    }
    // Every row is checked before connecting: a bad row sends nothing.
    const catches = await readCatches(file);
    const { session, fishTrace } = await connectFishTrace(hre, args, firstWithRole("HARVESTER"));
    const { harvester, registry } = fishTrace;
    const now = await chainNow(session);
    const batch = catches.map(({ data }) => (data.caughtAt === 0 ? { ...data, caughtAt: now } : data));
    const receipt = await mined(harvester.registerFishBatch(batch));
    const events = await eventsIn(harvester, harvester.filters.FishRegistered(), receipt);
    const lotIds: bigint[] = [];
    for (const [i, event] of events.entries()) {
      const { lotId, catchData: c } = event.args;
      lotIds.push(lotId);
      console.log(
        `lot ${lotId} registered: ${await speciesLabel(registry, c.species)}, ${formatGrams(c.weightGrams)}, ` +
          `${formText(c.frozen, c.farmed)} (${file} ${catches[i]?.where ?? `record ${i + 1}`})`,
      );
    }
    const first = events[0];
    if (first !== undefined) console.log(`  custodian ${await participantLabel(registry, first.args.harvesterId)}`);
    console.log(`  ${lotIds.length} lots in one transaction; ${txText(receipt)}`);
    return { lotIds };
  }

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
