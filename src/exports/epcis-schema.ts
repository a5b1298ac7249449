/**
 * GS1's EPCIS 2.0 JSON schema and the GDST 1.2 JSON schema as vendored byte for byte in standards/ (its README
 * names source, commit and licence), compiled once with ajv: what the validators of src/tools/epcis-validators.ts
 * and the capture interface (src/services/epcis/capture.ts) check documents against. Nothing is downloaded.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** ajv 8 with the JSON-schema formats, lax about unknown keywords (the schemas use a few). */
function newAjv(): Ajv {
  // ajv-formats is CommonJS: its plugin is both the module and its `default`.
  return addFormatsModule.default(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
}

const errorText = (e: ErrorObject): string => `${e.instancePath || "/"} ${e.message ?? e.keyword}`;

/** Which schema files to run: GS1's published EPCIS 2.0 JSON schema and the GDST tools' GDST 1.2 JSON schema. */
export interface SchemaPaths {
  epcis: string;
  gdst: string;
}

const standardsFile = (name: string): string => fileURLToPath(new URL(`../../standards/${name}`, import.meta.url));

/** The copies vendored byte for byte in standards/. */
export const VENDORED_SCHEMAS: SchemaPaths = {
  epcis: standardsFile("EPCIS-JSON-Schema.json"),
  gdst: standardsFile("gdst_json_schema.json"),
};

/** Compiled once per file: a schema of 75 kB takes longer to compile than a document to check. */
const compiled = new Map<string, ValidateFunction>();

function compiledSchema(schemaPath: string): ValidateFunction {
  const known = compiled.get(schemaPath);
  if (known !== undefined) return known;
  const schema: unknown = JSON.parse(readFileSync(schemaPath, "utf8"));
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new Error(`${schemaPath} is not a JSON schema (an object)`);
  }
  const validate = newAjv().compile(schema);
  compiled.set(schemaPath, validate);
  return validate;
}

/** Errors of `doc` against the JSON schema in `schemaPath` (draft-07), each "{instancePath} {message}". */
export function schemaFileErrors(doc: object, schemaPath: string): string[] {
  const validate = compiledSchema(schemaPath);
  return validate(doc) ? [] : (validate.errors ?? []).map(errorText);
}
