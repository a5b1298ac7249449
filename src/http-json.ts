/**
 * JSON answers of the read-only HTTP APIs (the trace API, src/trace/http.ts, and the analytics routes mounted in it,
 * src/analytics/http.ts): CORS open, every refusal `{"error": "<one line>"}`.
 */
import type { ServerResponse } from "node:http";

export const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, OPTIONS",
  "access-control-allow-headers": "content-type",
};

/** Answers `body` as JSON with `status`. */
export function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...CORS });
  res.end(JSON.stringify(body) + "\n");
}

/** Answers `{"error": <the first line of message>}` with `status`. */
export function refuse(res: ServerResponse, status: number, message: string): void {
  send(res, status, { error: message.split("\n")[0] });
}
