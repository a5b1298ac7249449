/**
 * JSON answers of the read-only HTTP APIs (the trace API, src/services/trace/http.ts, and the analytics routes mounted in it,
 * src/services/analytics/http.ts): CORS open, every refusal `{"error": "<one line>"}`.
 *
 * CORS is open by choice: these endpoints are public and read-only (GET, OPTIONS), answer the same to everyone what
 * the chain already shows to everyone, and take no credentials — no cookies, no authorization header, and
 * `Access-Control-Allow-Origin: *` without `Access-Control-Allow-Credentials`, so a browser never sends a user's
 * credentials with a cross-origin request. Any page (a retailer's shop, a consumer's scanner) may embed a journey.
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
