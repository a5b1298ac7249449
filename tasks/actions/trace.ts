import { lotRef } from "../../src/core/digital-link.js";
import { writeText } from "../../src/node/record-files.js";
import { traceDirection, traceLot } from "../../src/index/trace.js";
import { traceSvg } from "../../src/core/trace/svg.js";
import { traceJsonText, traceTree } from "../../src/core/trace/tree.js";
import type { TraceGraph } from "../../src/core/trace/types.js";
import { InputError } from "../../src/core/input-error.js";
import { fishTraceAction } from "../run.js";
import { openTraceIndex, type TraceIndexArgs } from "./trace-index.js";

interface Args extends TraceIndexArgs {
  lot?: string;
  link?: string;
  direction?: string;
  json?: string;
  svg?: string;
  noSync: boolean;
}

export default fishTraceAction(async (args: Args, hre): Promise<TraceGraph> => {
  const { lot, link } = args;
  if (lot !== undefined && link !== undefined) throw new InputError("give --lot or --link, not both");
  let lotId;
  if (lot !== undefined) lotId = lotRef(lot, "--lot");
  else if (link === undefined) {
    throw new InputError("give the lot to trace: --lot <id, GTIN:LOT or Digital Link> or --link <GS1 Digital Link>");
  } else if (!/^https?:\/\//i.test(link.trim())) {
    throw new InputError(`--link "${link}" is not a GS1 Digital Link (https://id.gs1.org/01/{GTIN}/10/{lot})`);
  } else lotId = lotRef(link, "--link");
  const direction = traceDirection(args.direction);

  const index = await openTraceIndex(hre, args, !args.noSync);
  try {
    const graph = await traceLot(index.sql, lotId, direction);
    for (const line of traceTree(graph)) console.log(line);
    if (args.json !== undefined) {
      await writeText(args.json, traceJsonText(graph));
      console.log(`wrote ${args.json}`);
    }
    if (args.svg !== undefined) {
      await writeText(args.svg, traceSvg(graph));
      console.log(`wrote ${args.svg}`);
    }
    return graph;
  } finally {
    await index.sql.close();
  }
});
