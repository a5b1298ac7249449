/**
 * The capture interface over HTTP (the OpenAPI's `/capture` paths, under /epcis), mounted by http.ts's `route`:
 *
 *   POST /epcis/capture                 an EPCISDocument (application/json or application/ld+json), at most
 *                                       CAPTURE_LIMIT events and CAPTURE_FILE_SIZE_LIMIT bytes → 202, Location
 *                                       /epcis/capture/{captureID}; GS1-Capture-Error-Behaviour: rollback (default)
 *                                       or proceed; 400 not JSON / not an EPCIS document, 409 an eventID stored with
 *                                       other content, 413 too many events or bytes, 415 another media type
 *   GET  /epcis/capture[?perPage=…]     the jobs, in the order accepted (Link rel="next" with nextPageToken)
 *   GET  /epcis/capture/{captureID}     the job (the OpenAPI's CaptureJob: running, success, errors)
 *   GET  /epcis/events/{eventID}/proof  a captured event's Merkle proof and anchoring (proof.ts)
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import { BodyTooLargeError, closeAfterAnswer, readBody } from "../http/body.js";
import { mediaType } from "../http/server.js";
import type { CaptureService } from "./capture.js";
import { jobById, listJobs, type ErrorBehaviour } from "./capture-store.js";
import { EPCIS_HEADERS, EpcisProblem, notFound, parameterProblem, sendJson } from "./problem.js";
import { eventProof } from "./proof.js";

/** The capture endpoint's discovery headers (OPTIONS and a 413). */
export function captureLimitHeaders(capture: CaptureService): Record<string, string> {
  return {
    "gs1-epcis-capture-limit": String(capture.limit),
    "gs1-epcis-capture-file-size-limit": String(capture.fileSizeLimit),
  };
}

/** The headers OPTIONS answers for `path` besides the common ones. */
export function captureDiscovery(capture: CaptureService, path: string): Record<string, string> {
  if (path !== "/epcis/capture") return {};
  return { ...captureLimitHeaders(capture), "gs1-capture-error-behaviour": "rollback, proceed" };
}

function behaviourOf(req: IncomingMessage): ErrorBehaviour {
  const value = req.headers["gs1-capture-error-behaviour"];
  const text = (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase() ?? "rollback";
  if (text === "rollback" || text === "proceed") return text;
  throw new EpcisProblem(
    400,
    "ValidationException",
    "Invalid EPCIS document",
    `GS1-Capture-Error-Behaviour "${text}" is neither rollback nor proceed`,
  );
}

async function capture(service: CaptureService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const type = mediaType(req);
  if (type !== "application/json" && type !== "application/ld+json") {
    closeAfterAnswer(req, res);
    throw new EpcisProblem(
      415,
      "UnsupportedMediaTypeException",
      "Unsupported Media Type",
      "send the EPCISDocument as Content-Type: application/json or application/ld+json",
    );
  }
  const behaviour = behaviourOf(req);
  let text: string;
  try {
    text = (await readBody(req, service.fileSizeLimit)).toString("utf8");
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    closeAfterAnswer(req, res);
    for (const [name, value] of Object.entries(captureLimitHeaders(service))) res.setHeader(name, value);
    throw new EpcisProblem(413, "CaptureLimitExceededException", "Capture Payload too large", err.message);
  }
  try {
    const captureId = await service.accept(text, behaviour);
    res.writeHead(202, { location: `/epcis/capture/${captureId}`, ...EPCIS_HEADERS });
    res.end();
  } catch (err) {
    if (err instanceof EpcisProblem && err.status === 413) {
      for (const [name, value] of Object.entries(captureLimitHeaders(service))) res.setHeader(name, value);
    }
    throw err;
  }
}

function perPageOf(url: URL): number {
  const text = url.searchParams.get("perPage");
  if (text === null) return 30;
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < 1) throw parameterProblem("perPage must be a whole number ≥ 1");
  return Math.min(Number(text), 1_000);
}

function decodedSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw parameterProblem(`${what} "${segment}" is not valid percent-encoding`);
  }
}

/**
 * Answers the capture paths and a captured event's proof; false for any other path. Proofs name the chain the
 * service's anchorer anchors on (none: "unanchored").
 */
export async function routeCapture(
  service: CaptureService,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: string,
): Promise<boolean> {
  const method = req.method ?? "GET";
  if (path === "/epcis/capture") {
    if (method === "POST") {
      await capture(service, req, res);
      return true;
    }
    const perPage = perPageOf(url);
    const after = url.searchParams.get("nextPageToken") ?? undefined;
    if (after !== undefined && (await jobById(service.sql, after)) === undefined) {
      throw parameterProblem("nextPageToken is not a token this server issued");
    }
    const jobs = await listJobs(service.sql, perPage + 1, after);
    const page = jobs.slice(0, perPage);
    const last = page.at(-1)?.captureID;
    const headers: Record<string, string> = {};
    if (jobs.length > perPage && last !== undefined) {
      const params = new URLSearchParams(url.searchParams);
      params.set("nextPageToken", last);
      headers.link = `</epcis/capture?${params.toString()}>; rel="next"`;
    }
    sendJson(res, 200, page, headers);
    return true;
  }
  const job = /^\/epcis\/capture\/([^/]+)$/.exec(path)?.[1];
  if (job !== undefined) {
    const found = await jobById(service.sql, decodedSegment(job, "captureID"));
    if (found === undefined) throw notFound(`no capture job ${job}`);
    sendJson(res, 200, found);
    return true;
  }
  const proofOf = /^\/epcis\/events\/([^/]+)\/proof$/.exec(path)?.[1];
  if (proofOf !== undefined) {
    const eventId = decodedSegment(proofOf, "eventID");
    const proof = await eventProof(service.sql, eventId, service.anchorer?.chain);
    if (proof === undefined) throw notFound(`no captured event ${eventId} (only captured events have a proof)`);
    sendJson(res, 200, proof);
    return true;
  }
  return false;
}
