import { digitalLink, lotIdText, lotRef } from "../../src/core/digital-link.js";
import { required } from "../../src/core/inputs.js";
import { lotLabel, productLotOf } from "../../src/core/labels.js";
import { catchesOf, provenanceLines, provenanceTree } from "../../src/node/provenance.js";
import { stageOfNumber } from "../../src/core/stages.js";
import { InputError } from "../../src/core/input-error.js";
import { LOT_STATUS } from "../../src/core/vocabulary.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  lot?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const lotId = lotRef(required(args.lot, "lot"));

  const { fishTrace } = await connectFishTrace(hre, args, 0);
  const { customer, manufacturer } = fishTrace;
  const hops = await customer.verifyProvenance(lotId);
  if (hops[0] === undefined || hops[0].status === 0n) {
    throw new InputError(
      `lot ${lotIdText(lotId)} has not reached a customer; provenance starts from a customer's pack`,
    );
  }
  const tree = await provenanceTree(fishTrace, hops);
  const product = await productLotOf(manufacturer, lotId);
  const link = product === undefined ? "" : ` (${digitalLink(product.gtin, product.lot)})`;
  const catches = catchesOf(tree);
  console.log(
    `provenance of lot ${await lotLabel(manufacturer, lotId)}${link}: ${hops.length} hops back to ` +
      `${catches.length} catch${catches.length === 1 ? "" : "es"}`,
  );
  for (const line of await provenanceLines(fishTrace, tree)) console.log(`  ${line}`);
  return {
    lotId,
    hops: hops.map((h) => ({
      stage: stageOfNumber(h.stage),
      lotId: h.lotId,
      custodianId: h.custodianId,
      status: LOT_STATUS[Number(h.status)],
      flags: Number(h.flags),
      weightGrams: h.weightGrams,
    })),
    catches: catches.map((h) => h.lotId),
  };
});
