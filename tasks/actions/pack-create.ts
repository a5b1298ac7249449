import { lotRefList } from "../../src/core/digital-link.js";
import { txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { lotsLabel } from "../../src/core/labels.js";
import { sscc, ssccText } from "../../src/core/sscc.js";
import { formatGrams } from "../../src/core/units.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";
import { holderOf, packingOf, stageName } from "./pack-holder.js";

interface Args extends DeploymentArgs {
  sscc?: string;
  lots?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const unit = sscc(required(args.sscc, "sscc"), "--sscc");
  const lotIds = lotRefList(required(args.lots, "lots"));
  const [first] = lotIds;
  if (first === undefined) throw new Error("internal: lotRefList gave no lot");
  const { fishTrace } = await connectFishTrace(hre, args, holderOf(first));
  const packing = packingOf(fishTrace);
  const receipt = await mined(packing.pack(unit, lotIds));
  const [packed] = await eventsIn(packing, packing.filters.Packed(), receipt);
  if (packed === undefined) throw new Error("internal: pack sent no Packed event");
  const { packerId, stage, weightsGrams } = packed.args;
  const total = weightsGrams.reduce((sum, w) => sum + w, 0n);
  console.log(
    `SSCC ${ssccText(unit)} packed with ${await lotsLabel(fishTrace.manufacturer, lotIds)} ` +
      `(${formatGrams(total)}) at the ${stageName(stage)} by participant ${packerId}`,
  );
  console.log(`  ${txText(receipt)}`);
  return { sscc: ssccText(unit), lotIds, stage: Number(stage) };
});
