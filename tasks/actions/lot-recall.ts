import { lotRefList } from "../../src/core/digital-link.js";
import { txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { lotsLabel, participantLabel } from "../../src/core/labels.js";
import { lotStage, stageContract } from "../../src/core/stages.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import { fixedText } from "../../src/core/units.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, firstWithRole } from "../session.js";

interface Args extends StageArgs {
  lots?: string;
  reason?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const stage = lotStage(args.stage);
  const lotIds = lotRefList(required(args.lots, "lots"));
  const text = required(args.reason, "reason");
  const reason = fixedText(text, 32, "reason");

  const { signer, fishTrace } = await connectFishTrace(hre, args, firstWithRole("REGULATOR"));
  const contract = stageContract(fishTrace, stage);
  const receipt = await mined(contract.recallLots(lotIds, reason));
  const recalled = (await eventsIn(contract, contract.filters.LotRecalled(), receipt)).map((e) => e.args.lotId);
  const before = lotIds.filter((id) => !recalled.includes(id));
  const regulatorId = (await fishTrace.registry.authorization(signer.address)).id;
  console.log(
    `recalled at the ${stage} stage by ${await participantLabel(fishTrace.registry, regulatorId)} ("${text}"): ` +
      (recalled.length === 0 ? "nothing new" : await lotsLabel(fishTrace.manufacturer, recalled)),
  );
  if (before.length > 0) console.log(`  recalled already: ${await lotsLabel(fishTrace.manufacturer, before)}`);
  console.log("  they can no longer be shipped, acknowledged, claimed or processed; a delivery can still be rejected");
  console.log(`  ${txText(receipt)}`);
  return { stage, recalled, before };
});
