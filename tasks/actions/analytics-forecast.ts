import type { ForecastReport } from "../../src/core/api/analytics.js";
import { daysParam, speciesParam } from "../../src/analytics/service.js";
import { toJson, writeText } from "../../src/node/record-files.js";
import { fishTraceAction } from "../run.js";
import { withAnalytics, type AnalyticsArgs } from "./analytics-open.js";

interface Args extends AnalyticsArgs {
  species?: string;
  retailer?: string;
  days?: string;
  json?: string;
}

const WEEKDAY = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export default fishTraceAction(async (args: Args, hre): Promise<ForecastReport> => {
  const species = args.species === undefined ? undefined : speciesParam(args.species, "--species");
  const days = args.days === undefined ? undefined : daysParam(args.days, "--days");
  return withAnalytics(hre, args, {}, async (service) => {
    const report = await service.forecast({
      ...(species === undefined ? {} : { species }),
      ...(args.retailer === undefined ? {} : { retailer: args.retailer, retailerName: "--retailer" }),
      ...(days === undefined ? {} : { days }),
    });
    for (const s of report.series) {
      const name = s.retailer.name === "" ? "" : ` (${s.retailer.name})`;
      console.log(
        `${s.species} at retailer ${s.retailer.id}${name}: ${s.history.days} days of sales ${s.history.from}..` +
          `${s.history.to}, mean ${s.history.meanKg} kg/day; ${s.method}, seasonal naive beside it`,
      );
      for (const [i, f] of s.forecast.entries()) {
        const naive = s.baseline[i];
        if (naive === undefined) throw new Error(`internal: no seasonal-naive value for ${s.species} on ${f.date}`);
        const day = WEEKDAY[new Date(`${f.date}T00:00:00Z`).getUTCDay()];
        console.log(`  ${f.date} ${day} ${f.kg.toFixed(1).padStart(7)} kg   (seasonal naive ${naive.kg.toFixed(1)})`);
      }
    }
    if (args.json !== undefined) {
      await writeText(args.json, toJson(report));
      console.log(`wrote ${args.json}`);
    }
    return report;
  });
});
