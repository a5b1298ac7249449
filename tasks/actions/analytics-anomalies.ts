import { lotIdText } from "../../src/core/digital-link.js";
import { toJson, writeText } from "../../src/node/record-files.js";
import type { AnomalyReport } from "../../src/core/api/analytics.js";
import { fishTraceAction } from "../run.js";
import { withAnalytics, type AnalyticsArgs } from "./analytics-open.js";

interface Args extends AnalyticsArgs {
  model?: string;
  lot?: string;
  json?: string;
}

export default fishTraceAction(async (args: Args, hre): Promise<AnomalyReport> => {
  return withAnalytics(hre, args, args.model === undefined ? {} : { modelFile: args.model }, async (service) => {
    const report = await service.anomalies(args.lot, "--lot");
    const m = report.model;
    console.log(
      m.source === "file"
        ? `detector ${m.file} (version ${m.version}, trained ${m.trainedAt}, training data ${m.trainingDataSha256.slice(0, 16)}…)`
        : `no --model: the detector was trained in memory on the indexed history (training data ${m.trainingDataSha256.slice(0, 16)}…)`,
    );
    const where = report.lot === undefined ? "" : ` touching lot ${report.lot} or a lot it was made from or into`;
    console.log(
      `${report.anomalies.length} anomalies${where} in ${report.scored.legs} legs and ${report.scored.processes} ` +
        `processings (live anomaly rate ${(report.anomalyRate * 100).toFixed(1)} %)`,
    );
    for (const a of report.anomalies) {
      console.log(
        `  ${a.kind.padEnd(20)}${a.relation === undefined ? "" : ` [${a.relation}]`} ${a.item} ${a.itemId} (lots ${a.lotIds.map((id) => lotIdText(BigInt(id))).join(", ")}), score ${a.score.toFixed(1)}: ` +
          a.reasons.join("; "),
      );
    }
    if (args.json !== undefined) {
      await writeText(args.json, toJson(report));
      console.log(`wrote ${args.json}`);
    }
    return report;
  });
});
