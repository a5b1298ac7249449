import { InputError } from "../../src/core/input-error.js";
import { CTES, fsmaExport, writeFsma, type FsmaRow } from "../../src/exports/fsma.js";
import { fishTraceAction } from "../run.js";
import { exportJourney, scopeRequest, type ExportArgs } from "./export-scope.js";

export default fishTraceAction(async (args: ExportArgs & { masterData?: string }, hre): Promise<FsmaRow[]> => {
  if (args.actor !== undefined) throw new InputError("export fsma takes --lot or --from/--to, not --actor");
  const { out, ...request } = scopeRequest(args, [".xlsx", ".csv"]);
  const { journey, masterData } = await exportJourney(hre, args, request);
  const { rows, warnings } = fsmaExport(journey, masterData);
  for (const warning of warnings) console.log(`warning: ${warning}`);
  await writeFsma(rows, out);
  for (const cte of CTES) {
    const n = rows.filter((r) => r.CTE === cte).length;
    if (n > 0) console.log(`  ${cte}: ${n}`);
  }
  const lots = new Set(rows.map((r) => r["Traceability Lot Code"])).size;
  console.log(
    `wrote ${out}: ${rows.length} CTE row${rows.length === 1 ? "" : "s"} for ${lots} traceability lot code${lots === 1 ? "" : "s"}`,
  );
  return rows;
});
