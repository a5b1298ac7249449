import { isoTime } from "../../src/core/format.js";
import { listedSpecies, speciesLabel } from "../../src/core/labels.js";
import { lotStage, stageContract } from "../../src/core/stages.js";
import { formatGrams, speciesCode } from "../../src/core/units.js";
import type { IStage } from "../../typechain-types/index.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends StageArgs {
  species?: string;
}

const totalsText = (t: IStage.TotalsStructOutput) =>
  `${t.lots} lot${t.lots === 1n ? "" : "s"}, ${formatGrams(t.grams)}` +
  (t.updatedAt === 0n ? "" : ` (changed ${isoTime(t.updatedAt)})`);

export default fishTraceAction(async (args: Args, hre) => {
  const stage = lotStage(args.stage);
  const only = args.species === undefined ? undefined : speciesCode(args.species);

  const { fishTrace } = await connectFishTrace(hre, args, 0);
  const contract = stageContract(fishTrace, stage);
  const { registry } = fishTrace;
  const codes = only === undefined ? await listedSpecies(registry) : [only];
  console.log(`${stage} stage`);
  if (codes.length === 0) console.log("  no species listed yet");
  const rows = [];
  for (const code of codes) {
    const available = await contract.totalAvailableFish(code);
    const supplied = await contract.totalSuppliedFish(code);
    console.log(`  ${await speciesLabel(registry, code)}`);
    console.log(`    available  ${totalsText(available)}`);
    console.log(`    supplied   ${totalsText(supplied)}`);
    rows.push({ species: code, available: available.grams, supplied: supplied.grams });
  }
  return { stage, rows };
});
