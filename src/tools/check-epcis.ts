/**
 * Checks EPCIS documents with the standards' validators (src/tools/epcis-validators.ts) and prints each validator's
 * error count and its first errors:
 *
 *   node --import tsx src/tools/check-epcis.ts demo-output/epcis-pack.jsonld [more.jsonld …]
 *
 * GS1's EPCIS 2.0 JSON schema and the GDST 1.2 JSON schema are the copies vendored in standards/;
 * EPCIS_SCHEMA=<path> / GDST_SCHEMA=<path> names a newer copy. Exits 1 when any validator finds an error.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";

import { z } from "zod";

import { allErrors, gdstSchemaErrors, schemaPaths, type EpcisInput } from "./epcis-validators.js";

/** A JSON document with an event list: what the validators read (they judge the rest). */
const documentSchema = z.looseObject({
  "@context": z.json().optional(),
  epcisBody: z.looseObject({ eventList: z.array(z.record(z.string(), z.json())) }),
}) satisfies z.ZodType<EpcisInput>;

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node --import tsx src/tools/check-epcis.ts <document.jsonld> …");
  process.exit(2);
}
const schemas = schemaPaths(process.env);
for (const [name, path] of [
  ["EPCIS_SCHEMA", schemas.epcis],
  ["GDST_SCHEMA", schemas.gdst],
] as const) {
  if (!existsSync(path)) {
    console.error(`${name}: no schema file at ${path}`);
    process.exit(2);
  }
}
console.log(`schemas: ${schemas.epcis}, ${schemas.gdst}`);
let failed = false;
for (const file of files) {
  const parsed = documentSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success) {
    console.error(`${file}: not an EPCIS document: it needs an epcisBody.eventList of objects`);
    process.exit(2);
  }
  const doc = parsed.data;
  console.log(`${file}: ${doc.epcisBody.eventList.length} events`);
  const results = allErrors(doc, schemas);
  for (const [validator, errors] of Object.entries(results)) {
    failed ||= errors.length > 0;
    const kinds = new Set(errors.map((e) => e.replace(/^event \d+ /, "").replace(/\/epcisBody\/eventList\/\d+/, "…")));
    console.log(`  ${validator}: ${errors.length} errors${errors.length > 0 ? `, ${kinds.size} kinds` : ""}`);
    for (const kind of [...kinds].slice(0, Number(process.env.SHOW ?? 5))) console.log(`    ${kind}`);
  }
  // Said, not hidden: how many errors the GDST schema's feed-mill reading of processing drew.
  const misread = gdstSchemaErrors(doc, schemas.gdst).feedMillMisreadings.length;
  if (misread > 0) console.log(`  (GDST 1.2 JSON schema: ${misread} processing events read as feed mills, set aside)`);
}
process.exit(failed ? 1 : 0);
