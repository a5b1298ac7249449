import { txText } from "../../src/format.js";
import { removalReason, required } from "../../src/inputs.js";
import { participantLabel, speciesLabel } from "../../src/labels.js";
import { eventIn, mined } from "../../src/tx.js";
import { formatGrams, positiveId } from "../../src/units.js";
import { REMOVAL_REASONS } from "../../src/vocabulary.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  lot?: string;
  reason?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const lotId = positiveId(required(args.lot, "lot"), "lot");
  const reason = removalReason(required(args.reason, "reason"));

  const { fishTrace } = await connectFishTrace(hre, args, 1);
  const { harvester, registry } = fishTrace;
  const receipt = await mined(harvester.removeFish(lotId, reason));
  const { custodianId } = (await eventIn(harvester, harvester.filters.FishRemoved(lotId), receipt)).args;
  const lot = await harvester.getLot(lotId);
  console.log(
    `lot ${lotId} (${await speciesLabel(registry, lot.species)}, ${formatGrams(lot.weightGrams)}) removed as ` +
      `${REMOVAL_REASONS[reason]} from the inventory of ${await participantLabel(registry, custodianId)}`,
  );
  console.log(`  ${txText(receipt)}`);
  return { lotId };
});
