import { lotIdText } from "../../src/core/digital-link.js";
import type { DispatchReport } from "../../src/core/api/analytics.js";
import { toJson, writeText } from "../../src/node/record-files.js";
import { formatGrams } from "../../src/core/units.js";
import { fishTraceAction } from "../run.js";
import { withAnalytics, type AnalyticsArgs } from "./analytics-open.js";

interface Args extends AnalyticsArgs {
  hub?: string;
  json?: string;
}

export default fishTraceAction(async (args: Args, hre): Promise<DispatchReport> => {
  return withAnalytics(hre, args, {}, async (service) => {
    const plan = await service.dispatch(args.hub, "--hub");
    const at = new Date(plan.at * 1000).toISOString();
    const where = plan.hub === undefined ? "every distributor" : `hub ${plan.hub.id} (${plan.hub.name})`;
    console.log(
      `dispatch advice for ${where} as of ${at}: ${plan.advice.length} lot${plan.advice.length === 1 ? "" : "s"} to ship`,
    );
    for (const a of plan.advice) {
      console.log(
        `  ${String(a.rank).padStart(2)}. lot ${lotIdText(BigInt(a.lotId))} ${a.species} ${formatGrams(a.grams)} at hub ${a.hub.id} → ` +
          `retailer ${a.retailer.id}${a.retailer.name === "" ? "" : ` ${a.retailer.name}`} (${a.transitHours} h): ` +
          `grade ${a.predictedGrade.toFixed(1)}, ${a.why}`,
      );
    }
    for (const e of plan.expired)
      console.log(
        `  past rejection: lot ${lotIdText(BigInt(e.lotId))} (predicted grade ${e.predictedGrade.toFixed(1)}): inspect, do not ship`,
      );
    for (const h of plan.held)
      console.log(`  held: lot ${lotIdText(BigInt(h.lotId))} ${h.species}: no retailer wants it`);
    for (const r of plan.recalled) console.log(`  recalled: lot ${lotIdText(BigInt(r.lotId))}: not shipped`);
    for (const u of plan.unscanned)
      console.log(`  unscanned: lot ${lotIdText(BigInt(u.lotId))}: no grade to start from, scan it`);
    if (args.json !== undefined) {
      await writeText(args.json, toJson(plan));
      console.log(`wrote ${args.json}`);
    }
    return plan;
  });
});
