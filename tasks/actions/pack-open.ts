import { txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { lotsLabel } from "../../src/core/labels.js";
import { sscc, ssccText, UNIT_STATUS } from "../../src/core/sscc.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, openSession, deploymentOf } from "../session.js";
import { attachFishTrace } from "../../src/node/system.js";
import { InputError } from "../../src/core/input-error.js";
import { holderOf, packingOf, stageName } from "./pack-holder.js";

interface Args extends DeploymentArgs {
  sscc?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const unit = sscc(required(args.sscc, "sscc"), "--sscc");
  // The unit's first lot names the default signer: read it before choosing whom to sign with.
  const session = await openSession(hre);
  const reader = packingOf(attachFishTrace(await deploymentOf(session, args), session.ethers.provider));
  const [first] = await reader.contentsOf(unit);
  const status = UNIT_STATUS[Number((await reader.unitOf(unit)).status)] ?? "None";
  if (first === undefined || status !== "Packed") {
    throw new InputError(`SSCC ${ssccText(unit)} is not a packed logistic unit (${status}): nothing to open`);
  }
  const { fishTrace } = await connectFishTrace(hre, args, holderOf(first));
  const packing = packingOf(fishTrace);
  const receipt = await mined(packing.unpack(unit));
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
