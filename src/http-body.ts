/**
 * Reading a request body with a size limit, for the HTTP services (the relay, relay/http.ts; the dApp's server,
 * src/static-server.ts).
 */
import type { IncomingMessage } from "node:http";

/** A body over the limit: by its Content-Length (`declared`) or while reading it. */
export class BodyTooLargeError extends Error {
  constructor(
    readonly limit: number,
    readonly declared?: number,
  ) {
    super(
      declared === undefined ? `the body is over ${limit} bytes` : `the body is ${declared} bytes; at most ${limit}`,
    );
  }
}

/**
 * The request body; rejects with `BodyTooLargeError` past `limit` bytes (by Content-Length at once, or while
 * reading). The rest of an oversized body is drained, not the socket destroyed, so a 413 answer reaches the client.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(limit, declared));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
