import { mkdir } from "node:fs/promises";
import path from "node:path";

import { trainedDetectorFile, type DetectorFile } from "../../src/analytics/service.js";
import { writeText } from "../../src/node/record-files.js";
import { InputError } from "../../src/core/input-error.js";
import { fishTraceAction } from "../run.js";
import { withAnalytics, type AnalyticsArgs } from "./analytics-open.js";

interface Args extends AnalyticsArgs {
  out?: string;
}

export default fishTraceAction(async (args: Args, hre): Promise<DetectorFile> => {
  const out = args.out ?? "models/anomaly-detector.json";
  if (out.trim() === "" || out.endsWith("/")) throw new InputError(`--out "${out}" is not a file name`);
  return withAnalytics(hre, args, {}, async (service) => {
    const history = await service.history();
    if (history.legs.length === 0 && history.processes.length === 0)
      throw new InputError("the index holds no delivered legs or processings to train the detector on");
    const { file, text } = trainedDetectorFile(history, new Date());
    try {
      await mkdir(path.dirname(out), { recursive: true });
    } catch {
      throw new InputError(`--out ${out}: its directory cannot be made`);
    }
    await writeText(out, text);
    console.log(
      `trained the anomaly detector (version ${file.version}) on ${history.legs.length} legs and ` +
        `${history.processes.length} processings, training data sha256 ${file.trainingDataSha256.slice(0, 16)}…; wrote ${out}`,
    );
    return file;
  });
});
