import { bandText, celsius, flagsText, formText, isoTime, position } from "../../src/format.js";
import { required } from "../../src/inputs.js";
import { participantLabel, speciesLabel } from "../../src/labels.js";
import { fixedTextOf, formatGrams, positiveId } from "../../src/units.js";
import { LOT_FLAGS, LOT_STATUS } from "../../src/vocabulary.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  lot?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const lotId = positiveId(required(args.lot, "lot"), "lot");

  const { fishTrace } = await connectFishTrace(hre, args, 1);
  const { harvester, registry } = fishTrace;
  const [readAt, temperature, humidity, latitude, longitude, flags] = await harvester.queryStatus(lotId);
  const [inspection] = await harvester.queryQAT(lotId);
  const lot = await harvester.getLot(lotId);
  const [registered] = await harvester.queryFilter(harvester.filters.FishRegistered(lotId));

  const frozen = (Number(flags) & LOT_FLAGS.FROZEN) !== 0;
  const farmed = (Number(flags) & LOT_FLAGS.FARMED) !== 0;
  console.log(
    `lot ${lotId}: ${await speciesLabel(registry, lot.species)}, ${formatGrams(lot.weightGrams)}, ` +
      `${LOT_STATUS[Number(lot.status)]}`,
  );
  console.log(`  custodian    ${await participantLabel(registry, lot.custodianId)}`);
  console.log(`  form         ${formText(frozen, farmed)} (cold chain ${bandText(flags)})`);
  console.log(`  flags        ${flagsText(flags)}`);
  if (registered !== undefined) {
    const c = registered.args.catchData;
    const text = (hex: string, label: string) => (fixedTextOf(hex) === "" ? "" : `, ${label} ${fixedTextOf(hex)}`);
    console.log(
      `  caught       ${isoTime(c.caughtAt)} at ${position(c.latitude, c.longitude)}` +
        `${text(c.catchArea, "area")}${text(c.vessel, "vessel")}${text(c.gear, "gear")}`,
    );
    console.log(`  by           ${await participantLabel(registry, registered.args.harvesterId)}`);
  }
  console.log("latest status");
  if (readAt === 0n) {
    console.log(`  no reading yet; position ${position(latitude, longitude)} (catch position)`);
  } else {
    console.log(`  ${isoTime(readAt)}: ${celsius(temperature)}, ${humidity} %, ${position(latitude, longitude)}`);
  }
  console.log("latest QAT inspection");
  if (inspection.scannedAt === 0n) {
    console.log("  not scanned yet");
  } else {
    console.log(
      `  ${isoTime(inspection.scannedAt)} by device #${inspection.deviceId}: species ` +
        `${await speciesLabel(registry, inspection.species)} (${inspection.speciesConfidence} % confident), ` +
        `grade ${inspection.grade} (${inspection.gradeConfidence} % confident)`,
    );
  }
  return { lotId, status: LOT_STATUS[Number(lot.status)], flags: Number(flags) };
});
