import { digitalLink, elementString, lotIdText } from "../../src/core/digital-link.js";
import { txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { lotLabel, participantLabel, speciesLabel } from "../../src/core/labels.js";
import { parseInputs, parseOutputs } from "../../src/core/process.js";
import type { FishTrace } from "../../src/node/system.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { formatGrams } from "../../src/core/units.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, firstWithRole, type Session } from "../session.js";

interface Args extends DeploymentArgs {
  inputs?: string;
  outputs?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const inputs = parseInputs(required(args.inputs, "inputs"));
  const outputs = parseOutputs(required(args.outputs, "outputs"));
  const [firstInput] = inputs;
  if (firstInput === undefined) throw new Error("internal: parseInputs returned no input");

  // By default the custodian of the first input signs (or, for an unknown lot, the first MANUFACTURER).
  const custodian = async (view: FishTrace, session: Session) => {
    const lot = await view.manufacturer.getLot(firstInput.lotId);
    return lot.status === 0n ? firstWithRole("MANUFACTURER")(view, session) : view.registry.accountOf(lot.custodianId);
  };
  const { fishTrace } = await connectFishTrace(hre, args, custodian);
  const { manufacturer, registry } = fishTrace;
  const receipt = await mined(
    manufacturer.processLots(
      inputs.map(({ lotId, grams }) => ({ lotId, grams })),
      outputs.map(({ gtin, lotNumber, weightGrams, frozen }) => ({ gtin, lotNumber, weightGrams, frozen })),
    ),
  );
  const processed = (await eventIn(manufacturer, manufacturer.filters.LotsProcessed(), receipt)).args;
  const { processId, manufacturerId, inputLotIds, consumedGrams, productLotIds, producedGrams, yieldBps } = processed;
  productLotIds.forEach((id, i) => {
    if (id !== outputs[i]?.lotId) throw new Error(`product lot ${i + 1} has id ${id}, not the expected one`);
  });
  const consumed = consumedGrams.reduce((sum, g) => sum + g, 0n);
  const [firstProduct] = productLotIds;
  if (firstProduct === undefined) throw new Error(`internal: process ${processId} made no product lot`);
  const species = (await manufacturer.getLot(firstProduct)).species;

  console.log(
    `process ${processId} by ${await participantLabel(registry, manufacturerId)}: ${formatGrams(consumed)} of ` +
      `${await speciesLabel(registry, species)} into ${outputs.length} product lot${outputs.length === 1 ? "" : "s"}, ` +
      `${formatGrams(producedGrams)} (yield ${(Number(yieldBps) / 100).toFixed(1)} %)`,
  );
  for (const [i, lotId] of inputLotIds.entries()) {
    const taken = consumedGrams[i];
    if (taken === undefined) throw new Error(`internal: LotsProcessed names no weight for input lot ${lotId}`);
    const left = await manufacturer.getLot(lotId);
    const rest = left.status === 4n ? "consumed whole" : `${formatGrams(left.weightGrams)} left`;
    console.log(`  in   lot ${await lotLabel(manufacturer, lotId)}: ${formatGrams(taken)} taken, ${rest}`);
  }
  for (const out of outputs) {
    console.log(
      `  out  ${elementString(out)}  ${formatGrams(out.weightGrams)} ${out.frozen ? "frozen" : "fresh"}  ` +
        `lot id ${lotIdText(out.lotId)}`,
    );
    console.log(`       ${digitalLink(out.gtin, out.lot)}`);
  }
  console.log(`  ${txText(receipt)}`);
  return {
    processId,
    productLotIds: [...productLotIds],
    links: outputs.map((o) => digitalLink(o.gtin, o.lot)),
  };
});
