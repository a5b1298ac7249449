import { lotRefList } from "../../src/core/digital-link.js";
import { txText } from "../../src/core/format.js";
import { InputError } from "../../src/core/input-error.js";
import { required } from "../../src/core/inputs.js";
import { lotsLabel } from "../../src/core/labels.js";
import { sscc, ssccList, ssccsLabel, ssccText } from "../../src/core/sscc.js";
import { formatGrams } from "../../src/core/units.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";
import { firstLotUnder, holderOf, packingOf, stageName } from "./pack-holder.js";

interface Args extends DeploymentArgs {
  sscc?: string;
  lots?: string;
  units?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const unit = sscc(required(args.sscc, "sscc"), "--sscc");
  if ((args.lots === undefined) === (args.units === undefined)) {
    throw new InputError("give --lots (lots into a case) or --units (cases onto a pallet), one of the two");
  }
  if (args.units !== undefined) {
    // A pallet: the holder of the first case's first lot signs by default.
    const cases = ssccList(args.units, "units");
    const [first] = cases;
    if (first === undefined) throw new Error("internal: ssccList gave no SSCC");
    const { fishTrace } = await connectFishTrace(hre, args, async (view) =>
      holderOf(await firstLotUnder(packingOf(view), first, "only a packed case goes onto a pallet"))(view),
    );
    const packing = packingOf(fishTrace);
    const receipt = await mined(packing.packUnits(unit, cases));
    const [packed] = await eventsIn(packing, packing.filters.UnitsPacked(), receipt);
    if (packed === undefined) throw new Error("internal: packUnits sent no UnitsPacked event");
    const { packerId, stage } = packed.args;
    console.log(
      `SSCC ${ssccText(unit)} (a pallet) packed with ${ssccsLabel(cases)} at the ${stageName(stage)} by participant ${packerId}`,
    );
    console.log(`  ${txText(receipt)}`);
    return { sscc: ssccText(unit), units: cases.map((c) => ssccText(c)), stage: Number(stage) };
  }
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
