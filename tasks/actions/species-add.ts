import { required } from "../../src/core/inputs.js";
import { speciesLabel } from "../../src/core/labels.js";
import { addSpecies } from "../../src/node/seed.js";
import { speciesCode } from "../../src/core/units.js";
import { txText } from "../../src/core/format.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  code?: string;
  name?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const code = required(args.code, "code");
  const species = speciesCode(code);
  const name = required(args.name, "name");

  const { fishTrace } = await connectFishTrace(hre, args, 0);
  const receipt = await addSpecies(fishTrace.registry, { code, name });
  console.log(`species ${await speciesLabel(fishTrace.registry, species)} listed`);
  console.log(`  ${txText(receipt)}`);
  return { species };
});
