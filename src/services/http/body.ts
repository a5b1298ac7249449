/**
 * Reading a request body with a size limit, for the HTTP services (the relay, src/services/relay/http.ts; the dApp's server,
 * src/services/web/server.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

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

/** After a refusal, how long and how much of the rest of the body is read and dropped before the socket closes. */
export const LINGER_MS = 1_000;
export const LINGER_BYTES = 1 << 20;

/**
 * The request body; rejects with `BodyTooLargeError` past `limit` bytes (by Content-Length at once, or while
 * reading). The caller answers (413) with `connection: close` and calls `closeAfterAnswer`.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit, declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Closes the connection of a request refused before its body was read (a 413, a 403): once the answer is flushed
 * the rest of the body is read and dropped for at most `LINGER_MS` and `LINGER_BYTES` — so a client still sending
 * gets the answer, not a reset — then the socket is destroyed. An endless upload is never read on.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  let dropped = 0;
  const close = () => socket.destroy();
  const drop = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) close();
  };
  req.removeAllListeners("data");
  res.once("finish", () => {
    if (req.complete) {
      socket.end();
      return;
    }
    req.on("data", drop);
    req.resume();
    req.once("end", () => socket.end());
    setTimeout(close, LINGER_MS).unref();
  });
  res.once("close", () => {
    if (!req.complete) setTimeout(close, LINGER_MS).unref();
  });
}
