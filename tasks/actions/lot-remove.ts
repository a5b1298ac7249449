import { lotRef } from "../../src/core/digital-link.js";
import { txText } from "../../src/core/format.js";
import { removalReason, required } from "../../src/core/inputs.js";
import { lotLabel, participantLabel, speciesLabel } from "../../src/core/labels.js";
import { lotStage, stageContract } from "../../src/core/stages.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { formatGrams } from "../../src/core/units.js";
import { REMOVAL_REASONS } from "../../src/core/vocabulary.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, custodianOf } from "../session.js";

interface Args extends StageArgs {
  lot?: string;
  reason?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const stage = lotStage(args.stage);
  const lotId = lotRef(required(args.lot, "lot"));
  const reason = removalReason(required(args.reason, "reason"));

  const { fishTrace } = await connectFishTrace(hre, args, custodianOf(stage, lotId));
  const contract = stageContract(fishTrace, stage);
  const { registry } = fishTrace;
  const receipt = await mined(contract.removeFish(lotId, reason));
  const { custodianId } = (await eventIn(contract, contract.filters.FishRemoved(lotId), receipt)).args;
  const lot = await contract.getLot(lotId);
  console.log(
    `lot ${await lotLabel(fishTrace.manufacturer, lotId)} (${await speciesLabel(registry, lot.species)}, ` +
      `${formatGrams(lot.weightGrams)}) removed as ${REMOVAL_REASONS[reason]} from the ${stage} inventory of ` +
      (await participantLabel(registry, custodianId)),
  );
  console.log(`  ${txText(receipt)}`);
  return { stage, lotId };
});
