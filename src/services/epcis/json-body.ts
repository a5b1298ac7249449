/**
 * A JSON request body of the EPCIS interface (a query definition, a subscription): application/json (else 415,
 * the connection closed after the answer), at most `limit` bytes (else `tooLarge`'s problem), JSON (else 400
 * ValidationException). Parsed, not yet checked.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import { BodyTooLargeError, closeAfterAnswer, readBody } from "../http/body.js";
import { mediaType } from "../http/server.js";
import { EpcisProblem } from "./problem.js";

export async function jsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  what: string,
  tooLarge: (detail: string) => EpcisProblem,
): Promise<unknown> {
  if (mediaType(req) !== "application/json") {
    closeAfterAnswer(req, res);
    throw new EpcisProblem(
      415,
      "UnsupportedMediaTypeException",
      "Unsupported Media Type",
      `send the ${what} as Content-Type: application/json`,
    );
  }
  let text: string;
  try {
    text = (await readBody(req, limit)).toString("utf8");
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    closeAfterAnswer(req, res);
    throw tooLarge(err.message);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new EpcisProblem(400, "ValidationException", `Invalid ${what}`, "the body is not JSON");
  }
}
