/**
 * Calling the EPCIS query API in tests (src/services/epcis/http.ts), every answer checked against the standards as
 * it arrives: EPCISQueryDocuments with ajv against GS1's EPCIS 2.0 JSON schema (standards/EPCIS-JSON-Schema.json)
 * and with epcis2.js (its schemas and its check that every extension prefix is declared), and, like every other answer (collections, named queries, problem+json refusals), against the response schema
 * GS1's OpenAPI (standards/epcis-openapi.json) gives for that status.
 */
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { readFileSync } from "node:fs";

import { epcis2Errors, schemaFileErrors, VENDORED_SCHEMAS } from "../../src/tools/epcis-validators.js";

const standards = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../standards/${name}`, import.meta.url), "utf8"));

interface OpenApi {
  components: { schemas: object; responses: Record<string, { content?: Record<string, { schema?: object }> }> };
}

const openapi = standards("epcis-openapi.json") as OpenApi;
const ajv = addFormatsModule.default(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
const OPENAPI_ID = "https://gs1.github.io/EPCIS/openapi.json";
ajv.addSchema({ $id: OPENAPI_ID, components: openapi.components });
ajv.addSchema({
  $id: "https://gs1.github.io/EPCIS/query-schema.json",
  ...(standards("epcis-query-schema.json") as object),
});

const compiled = new Map<string, ValidateFunction>();
function validator(ref: string): ValidateFunction {
  let v = compiled.get(ref);
  if (v === undefined) {
    v = ajv.compile({ $ref: ref });
    compiled.set(ref, v);
  }
  return v;
}

/** Errors of `value` against the schema at `ref` (a JSON pointer into the OpenAPI or the query schema). */
export function schemaErrors(value: unknown, ref: string): string[] {
  const validate = validator(ref);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

const schema = (name: string) => `${OPENAPI_ID}#/components/schemas/${name}`;
const problemSchema = (response: string) =>
  `${OPENAPI_ID}#/components/responses/${response}/content/application~1problem+json/schema`;

/** The OpenAPI response schema of each refusal status. */
const PROBLEM_RESPONSES: Record<number, string> = {
  400: "400QueryIssues",
  404: "404ResourceNotFound",
  406: "406NotAcceptable",
  409: "409ResourceAlreadyExistsException",
  413: "413QueryScopeOrSize",
  415: "415UnsupportedMediaType",
};

/**
 * The one error of the OpenAPI itself set aside: its 409ResourceAlreadyExistsException schema allows `status` 406
 * only (copied from the 406 response); RFC 7807 has the body's status equal the HTTP status, so a 409 says 409.
 */
const OPENAPI_409_ERRATUM = "/status must be equal to one of the allowed values";

/** The OpenAPI schema of a 200 answer of `path`. */
function okSchema(path: string): string | undefined {
  // A captured event's proof is FishTrace's own (no OpenAPI schema); capture jobs are checked by their test
  // (test/services/epcis-capture.test.ts: the OpenAPI's CaptureJob schema has an erratum of its own).
  if (/^\/epcis\/events\/[^/]+\/proof$/.test(path) || /^\/epcis\/capture(\/|$)/.test(path)) return undefined;
  if (/^\/epcis\/(events|.*\/events)(\/|$)/.test(path) || /^\/epcis\/events\//.test(path))
    return schema("epcisQueryDocument");
  if (path === "/epcis/eventTypes") return schema("EventTypeCollection");
  if (path === "/epcis/bizSteps") return schema("BizStepCollection");
  if (path === "/epcis/dispositions") return schema("DispositionCollection");
  if (/^\/epcis\/(epcs|bizLocations|readPoints)$/.test(path)) return schema("UriCollection");
  if (/^\/epcis\/(epcs|bizLocations|readPoints|bizSteps|dispositions|eventTypes)\/[^/]+$/.test(path)) {
    return schema("ResourceCollection");
  }
  if (/^\/epcis\/queries\/[^/]+$/.test(path)) return schema("QueryDefinition");
  return undefined;
}

export interface Answer {
  status: number;
  headers: Headers;
  // The parsed JSON body (tests read into it freely).
  body: any;
}

/** Every check made, for the summary test: [path, status, errors]. */
export const CHECKED: [string, number, string[]][] = [];

/** The standards' verdict on one answer (empty: valid). */
export function answerErrors(path: string, status: number, contentType: string, body: unknown): string[] {
  const errors: string[] = [];
  if (status === 200 && okSchema(path) === schema("epcisQueryDocument")) {
    if (contentType !== "application/json") errors.push(`content-type ${contentType}`);
    errors.push(...schemaFileErrors(body as object, VENDORED_SCHEMAS.epcis).map((e) => `EPCIS JSON schema: ${e}`));
    errors.push(...epcis2Errors(body as object).map((e) => `epcis2.js: ${e}`));
  }
  const capture413 = status === 413 && /^\/epcis\/capture$/.test(path);
  const ref = status === 200 ? okSchema(path) : capture413 ? "413CapturePayloadTooLarge" : PROBLEM_RESPONSES[status];
  if (ref !== undefined) {
    const full = status === 200 ? ref : problemSchema(ref);
    const found = schemaErrors(body, full).filter((e) => !(status === 409 && e === OPENAPI_409_ERRATUM));
    errors.push(...found.map((e) => `OpenAPI ${full.split("#")[1]}: ${e}`));
  }
  if (status >= 400 && contentType !== "application/problem+json") errors.push(`content-type ${contentType}`);
  return errors;
}

/** A request to the API at `base`; the answer is checked (answerErrors) and the check recorded. */
export async function call(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  const body: unknown = text === "" ? undefined : JSON.parse(text);
  const bare = path.split("?")[0] ?? path;
  const contentType = res.headers.get("content-type") ?? "";
  if (text !== "") CHECKED.push([bare, res.status, answerErrors(bare, res.status, contentType, body)]);
  return { status: res.status, headers: res.headers, body };
}
