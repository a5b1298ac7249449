/**
 * The capture jobs' analysis thread (capture-analysis.ts on a worker thread, started by capture-analyser.ts): takes
 * `{id, text}` (a job's document as received), answers `{id, analysis}` or `{id, error}`, one at a time, in order.
 */
import { parentPort } from "node:worker_threads";

import { analyse } from "./capture-analysis.js";
import type { AnalyserReply, AnalyserRequest } from "./capture-analyser.js";

const port = parentPort;
if (port !== null) {
  port.on("message", (request: AnalyserRequest) => {
    let doc: unknown;
    try {
      doc = JSON.parse(request.text);
    } catch {
      doc = undefined;
    }
    void analyse(doc, false)
      .then((analysis): AnalyserReply => ({ id: request.id, analysis }))
      .catch((err: unknown): AnalyserReply => ({
        id: request.id,
        error: err instanceof Error ? err.message : String(err),
      }))
      .then((reply) => port.postMessage(reply));
  });
}
