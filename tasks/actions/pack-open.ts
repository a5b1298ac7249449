import { txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { lotsLabel } from "../../src/core/labels.js";
import { sscc, ssccsLabel, ssccText } from "../../src/core/sscc.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";
import { firstLotUnder, holderOf, packingOf, stageName } from "./pack-holder.js";

interface Args extends DeploymentArgs {
  sscc?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const unit = sscc(required(args.sscc, "sscc"), "--sscc");
  // The unit's first lot (a pallet's: its first case's) names the default signer, its holder.
  const { fishTrace } = await connectFishTrace(hre, args, async (view) =>
    holderOf(await firstLotUnder(packingOf(view), unit, "nothing to open"))(view),
  );
  const packing = packingOf(fishTrace);
  const receipt = await mined(packing.unpack(unit));
  const [pallet] = await eventsIn(packing, packing.filters.UnitsUnpacked(), receipt);
  if (pallet !== undefined) {
    const { unpackerId, stage, ssccs } = pallet.args;
    console.log(
      `SSCC ${ssccText(unit)} (a pallet) opened at the ${stageName(stage)} by participant ${unpackerId}: ` +
        `${ssccsLabel(ssccs)} off it, still packed`,
    );
    console.log(`  ${txText(receipt)}`);
    return { sscc: ssccText(unit), units: ssccs.map((c) => ssccText(c)), stage: Number(stage) };
  }
  const [unpacked] = await eventsIn(packing, packing.filters.Unpacked(), receipt);
  if (unpacked === undefined) throw new Error("internal: unpack sent no Unpacked event");
  const { unpackerId, stage, lotIds } = unpacked.args;
  console.log(
    `SSCC ${ssccText(unit)} opened at the ${stageName(stage)} by participant ${unpackerId}: ` +
      `${await lotsLabel(fishTrace.manufacturer, lotIds)} loose again`,
  );
  console.log(`  ${txText(receipt)}`);
  return { sscc: ssccText(unit), lotIds: [...lotIds], stage: Number(stage) };
});
