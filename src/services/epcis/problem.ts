/**
 * The EPCIS 2.0 REST binding's errors: RFC 7807 problem+json bodies whose `type` is the exception the GS1 OpenAPI
 * (`standards/epcis-openapi.json`, components.responses) names for the status — `epcisException:QueryParameterException`
 * (400), `epcisException:NoSuchNameException` (404: the one type the OpenAPI's 404 schema allows, for an unknown
 * query name, event or resource alike), `epcisException:QueryTooLargeException` (413), … — and the version headers
 * every answer carries.
 */
import type { ServerResponse } from "node:http";

/** The exception types the query interface answers with (the OpenAPI's `type` enums). */
export type EpcisExceptionType =
  | "QueryParameterException"
  | "QueryValidationException"
  | "ValidationException"
  | "SubscriptionControlsException"
  | "NoSuchNameException"
  | "ResourceAlreadyExistsException"
  | "QueryTooLargeException"
  | "CaptureLimitExceededException"
  | "QueryTooComplexException"
  | "UnsupportedMediaTypeException"
  | "NotAcceptableException"
  | "URITooLongException"
  | "SecurityException"
  | "ImplementationException";

/** The version headers of every answer (the OpenAPI's GS1-EPCIS-Version and GS1-CBV-Version, "2.0.0"). */
export const EPCIS_HEADERS = {
  "gs1-epcis-version": "2.0.0",
  "gs1-cbv-version": "2.0.0",
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "link, gs1-epcis-version, gs1-cbv-version, gs1-next-page-token-expires, location, www-authenticate",
};

/** A refusal of the EPCIS interface: its HTTP status and exception type, and a one-line detail. */
export class EpcisProblem extends Error {
  constructor(
    readonly status: number,
    readonly type: EpcisExceptionType,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** A bad query parameter or value: 400 QueryParameterException. */
export const parameterProblem = (detail: string): EpcisProblem =>
  new EpcisProblem(400, "QueryParameterException", "Invalid query parameter", detail);

/** A subscription request the service cannot honour (its dest, schedule or controls): 400. */
export const subscriptionProblem = (detail: string): EpcisProblem =>
  new EpcisProblem(400, "SubscriptionControlsException", "Invalid subscription", detail);

/** An unknown event, query name or resource: 404 NoSuchNameException. */
export const notFound = (detail: string): EpcisProblem =>
  new EpcisProblem(404, "NoSuchNameException", "Resource not found", detail);

/** Answers `problem` as application/problem+json. */
export function sendProblem(res: ServerResponse, problem: EpcisProblem): void {
  const body = {
    type: `epcisException:${problem.type}`,
    title: problem.title,
    status: problem.status,
    detail: problem.message.split("\n")[0] ?? "",
  };
  res.writeHead(problem.status, { "content-type": "application/problem+json", ...EPCIS_HEADERS });
  res.end(JSON.stringify(body) + "\n");
}

/** Answers `body` as JSON with the EPCIS headers (and `headers`). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...EPCIS_HEADERS, ...headers });
  res.end(JSON.stringify(body) + "\n");
}
