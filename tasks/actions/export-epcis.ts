import { epcisDocument, eventSummary, gdstGaps, validateEpcis, type EpcisDocument } from "../../src/exports/epcis.js";
import { writeText } from "../../src/node/record-files.js";
import { fishTraceAction } from "../run.js";
import { exportJourney, scopeRequest, type ExportArgs } from "./export-scope.js";

export default fishTraceAction(async (args: ExportArgs & { masterData?: string }, hre): Promise<EpcisDocument> => {
  const { out, ...request } = scopeRequest(args, [".jsonld", ".json"]);
  const { journey, masterData } = await exportJourney(hre, args, request);
  const doc = epcisDocument(journey, { masterData });
  validateEpcis(doc);
  await writeText(out, `${JSON.stringify(doc, null, 2)}\n`);
  const events = doc.epcisBody.eventList;
  for (const event of events) console.log(`  ${eventSummary(event)}`);
  for (const gap of gdstGaps(doc)) console.log(`warning: ${gap}`);
  console.log(`wrote ${out}: ${events.length} EPCIS event${events.length === 1 ? "" : "s"} (valid EPCIS 2.0)`);
  return doc;
});
