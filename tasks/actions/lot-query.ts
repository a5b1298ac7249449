import { digitalLink, lotRef } from "../../src/core/digital-link.js";
import { bandText, celsius, flagsText, formText, isoTime, position } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { lotLabel, lotsLabel, participantLabel, productLotOf, speciesLabel } from "../../src/core/labels.js";
import { lotStage, stageContract } from "../../src/core/stages.js";
import { fixedTextOf, formatGrams } from "../../src/core/units.js";
import { LOT_FLAGS, LOT_STATUS, STAGE_NAMES } from "../../src/core/vocabulary.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends StageArgs {
  lot?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const stage = lotStage(args.stage);
  const lotId = lotRef(required(args.lot, "lot"));

  const { fishTrace } = await connectFishTrace(hre, args, 0);
  const contract = stageContract(fishTrace, stage);
  const { registry, harvester, manufacturer } = fishTrace;
  const [readAt, temperature, humidity, latitude, longitude, flags] = await contract.queryStatus(lotId);
  const [inspection] = await contract.queryQAT(lotId);
  const lot = await contract.getLot(lotId);
  const status = LOT_STATUS[Number(lot.status)] ?? String(lot.status);

  const frozen = (Number(flags) & LOT_FLAGS.FROZEN) !== 0;
  const farmed = (Number(flags) & LOT_FLAGS.FARMED) !== 0;
  console.log(
    `lot ${await lotLabel(manufacturer, lotId)} at the ${stage} stage: ${await speciesLabel(registry, lot.species)}, ` +
      `${formatGrams(lot.weightGrams)}, ${status}`,
  );
  const held = status === "Supplied" || status === "Removed" ? "held here by" : "custodian   ";
  console.log(`  ${held} ${await participantLabel(registry, lot.custodianId)}`);
  console.log(`  form         ${formText(frozen, farmed)} (cold chain ${bandText(flags)})`);
  console.log(`  flags        ${flagsText(flags)}`);

  const [registered] = await harvester.queryFilter(harvester.filters.FishRegistered(lotId));
  if (registered !== undefined) {
    const c = registered.args.catchData;
    const text = (hex: string, label: string) => (fixedTextOf(hex) === "" ? "" : `, ${label} ${fixedTextOf(hex)}`);
    console.log(
      `  caught       ${isoTime(c.caughtAt)} at ${position(c.latitude, c.longitude)}` +
        `${text(c.catchArea, "area")}${text(c.vessel, "vessel")}${text(c.gear, "gear")}`,
    );
    console.log(`  by           ${await participantLabel(registry, registered.args.harvesterId)}`);
  }
  const product = await productLotOf(manufacturer, lotId);
  if (product !== undefined) {
    const parents = await manufacturer.parentsOf(lotId);
    console.log(`  made         in process ${product.processId} from ${await lotsLabel(manufacturer, parents)}`);
    console.log(`  link         ${digitalLink(product.gtin, product.lot)}`);
  }
  const [received] = await contract.queryFilter(contract.filters.LotReceived(lotId));
  if (received !== undefined) {
    const from = STAGE_NAMES[STAGE_NAMES.indexOf(stage) - 1];
    console.log(`  received     under ${from} order ${received.args.orderId}, block ${received.blockNumber}`);
  }
  for (const recall of await contract.queryFilter(contract.filters.LotRecalled(lotId))) {
    console.log(
      `  recalled     by ${await participantLabel(registry, recall.args.regulatorId)}: ` +
        `"${fixedTextOf(recall.args.reason)}", block ${recall.blockNumber}`,
    );
  }

  console.log("latest status");
  if (readAt === 0n) {
    // Catches carry their catch position until the first reading; product lots start with none.
    const where = registered === undefined ? "" : `; position ${position(latitude, longitude)} (catch position)`;
    console.log(`  no reading yet${where}`);
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
  return { stage, lotId, status, flags: Number(flags), custodianId: lot.custodianId };
});
