/**
 * The CBV 2.0 event hash ID (CBV 2.0 §8.9, "Event hash ID"): `ni:///sha-256;{hex}?ver=CBV2.0`, the SHA-256 of an
 * event's canonical pre-hash string, so that a partner holding the same event computes the same eventID.
 *
 * The pre-hash string, as GS1's reference implementation (github.com/RalphTro/epcis-event-hash-generator, the one
 * the standard points to) builds it from EPCIS 2.0 JSON:
 *
 * 1. `eventType={type}`, then the standard fields in the canonical order (`CANONICAL_ORDER`), each `name=value`
 *    (a structure: its name, then its children in their own order); repeated elements sorted as text. `eventID`,
 *    `recordTime`, `errorDeclaration` and comments take no part.
 * 2. Then every remaining field (source, destination and business-transaction lists, `ilmd`, extensions) as
 *    `name=value…`, sorted as text (the pair inside a source/destination/bizTransaction element keeps its order).
 * 3. Values normalised: times to UTC with milliseconds (`…T10:00:30.000Z`); numbers without leading "+", leading or
 *    trailing zeros; EPC URIs to canonical GS1 Digital Links (`urn:epc:id:sgln:4012345.00011.987` →
 *    `https://id.gs1.org/414/4012345000115/254/987`); bare CBV terms to their web URIs (`shipping` →
 *    `https://ref.gs1.org/cbv/BizStep-shipping`); an extension's prefix to `{namespace}` in names and to the
 *    namespace in values, for the prefixes the document's own `@context` declares.
 *
 * EPC URIs normalised: SGTIN, LGTIN (class), SSCC, SGLN, PGLN, GIAI, GDTI — what FishTrace and the standard's
 * examples use. Not covered (the hash then differs from the reference for such an event): the other GS1 keys, EPC
 * pattern URIs, Digital Links on a host other than id.gs1.org, times finer than a millisecond.
 * The reference implementation expands bare terms through JSON-LD; here the fields whose values are CBV terms
 * are expanded by name (`TERM_FIELDS`), which gives the same result for every event whose other values do not
 * happen to be bare CBV terms (the exports never write such values).
 */
import { createHash } from "node:crypto";

import { gtinCheckDigit } from "../core/digital-link.js";

/** A JSON value. */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A field of the event as a tree: name, text value, children (a list's elements are siblings of one name). */
interface Node {
  name: string;
  value: string;
  children: Node[];
  /** A (type, source|destination|bizTransaction) pair of a list element: no name of its own. */
  pair?: true;
}

/** Sub-fields in their canonical order; `null`: no defined order (its children are written in step 2). */
type Order = readonly (readonly [string, Order | null])[];

const QUANTITY: Order = [
  [
    "quantityElement",
    [
      ["epcClass", null],
      ["quantity", null],
      ["uom", null],
    ],
  ],
];
const EPCS: Order = [["epc", null]];

/** The canonical order of an event's standard fields (CBV 2.0 §8.9.2). */
export const CANONICAL_ORDER: Order = [
  ["eventTime", null],
  ["eventTimeZoneOffset", null],
  ["certificationInfo", null],
  ["parentID", null],
  ["epcList", EPCS],
  ["inputEPCList", EPCS],
  ["childEPCs", EPCS],
  ["quantityList", QUANTITY],
  ["childQuantityList", QUANTITY],
  ["inputQuantityList", QUANTITY],
  ["outputEPCList", EPCS],
  ["outputQuantityList", QUANTITY],
  ["action", null],
  ["transformationID", null],
  ["bizStep", null],
  ["disposition", null],
  [
    "persistentDisposition",
    [
      ["set", null],
      ["unset", null],
    ],
  ],
  ["readPoint", [["id", null]]],
  ["bizLocation", [["id", null]]],
  // The three lists of pairs have no order of their own: their elements are written in step 2.
  ["bizTransactionList", null],
  ["sourceList", null],
  ["destinationList", null],
  [
    "sensorElementList",
    [
      [
        "sensorElement",
        [
          [
            "sensorMetadata",
            [
              "time",
              "startTime",
              "endTime",
              "deviceID",
              "deviceMetadata",
              "rawData",
              "dataProcessingMethod",
              "bizRules",
            ].map((n) => [n, null] as const),
          ],
          [
            "sensorReport",
            [
              "type",
              "exception",
              "deviceID",
              "deviceMetadata",
              "rawData",
              "dataProcessingMethod",
              "time",
              "microorganism",
              "chemicalSubstance",
              "value",
              "component",
              "stringValue",
              "booleanValue",
              "hexBinaryValue",
              "uriValue",
              "minValue",
              "maxValue",
              "meanValue",
              "sDev",
              "percRank",
              "percValue",
              "uom",
              "coordinateReferenceSystem",
            ].map((n) => [n, null] as const),
          ],
        ],
      ],
    ],
  ],
];

const PAIR_LISTS = new Set(["sourceList", "destinationList", "bizTransactionList"]);
const PAIR_NAMES = new Set(["source", "destination", "bizTransaction"]);
const IGNORED_KEYS = new Set(["#text", "rdfs:comment", "comment"]);
const IGNORED_TOP = new Set(["recordTime", "eventID", "type", "errorDeclaration"]);

const CBV = "https://ref.gs1.org/cbv/";
const GS1_VOC = "https://gs1.org/voc/";

/** A bare term (no ":") in its full web-vocabulary form. */
const term = (prefix: string) => (value: Json) =>
  typeof value === "string" && value !== "" && !value.includes(":") ? `${prefix}${value}` : value;

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function mapField(object: JsonObject, key: string, f: (value: Json) => Json): void {
  const value = object[key];
  if (value === undefined) return;
  object[key] = Array.isArray(value) ? value.map(f) : f(value);
}

function mapElements(list: Json | undefined, f: (element: JsonObject) => void): void {
  if (Array.isArray(list)) for (const element of list) if (isObject(element)) f(element);
}

/** The event with the bare CBV terms of its standard fields expanded (a copy). */
function expandTerms(event: JsonObject): JsonObject {
  const copy = structuredClone(event);
  mapField(copy, "bizStep", term(`${CBV}BizStep-`));
  mapField(copy, "disposition", term(`${CBV}Disp-`));
  const persistent = copy.persistentDisposition;
  if (isObject(persistent)) {
    mapField(persistent, "set", term(`${CBV}Disp-`));
    mapField(persistent, "unset", term(`${CBV}Disp-`));
  }
  mapElements(copy.bizTransactionList, (e) => mapField(e, "type", term(`${CBV}BTT-`)));
  for (const list of ["sourceList", "destinationList"]) {
    mapElements(copy[list], (e) => mapField(e, "type", term(`${CBV}SDT-`)));
  }
  mapElements(copy.sensorElementList, (element) =>
    mapElements(element.sensorReport, (report) => {
      mapField(report, "type", term(GS1_VOC));
      mapField(report, "exception", term(GS1_VOC));
      mapField(report, "component", term(`${CBV}Comp-`));
    }),
  );
  return copy;
}

/** A scalar as the reference implementation (Python) prints it. */
function scalarText(value: string | number | boolean | null): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

class Namespaces {
  constructor(private readonly prefixes: ReadonlyMap<string, string>) {}

  private split(text: string): [string, string] | undefined {
    const colon = text.indexOf(":");
    if (colon < 0) return undefined;
    const uri = this.prefixes.get(text.slice(0, colon));
    return uri === undefined ? undefined : [uri, text.slice(colon + 1)];
  }

  /** `example:myField` → `{https://ns.example.com/epcis/}myField`. */
  name(text: string): string {
    const parts = this.split(text);
    return parts === undefined ? text : `{${parts[0]}}${parts[1]}`;
  }

  /** `example:term` → `https://ns.example.com/epcis/term`. */
  value(text: string): string {
    const parts = this.split(text);
    return parts === undefined ? text : `${parts[0]}${parts[1]}`;
  }
}

/** A JSON value as a node named `name`; an array's elements become siblings of the same name. */
function toNode(name: string, value: Json, ns: Namespaces): Node {
  if (isObject(value)) {
    const text = value["#text"];
    const node: Node = { name, value: typeof text === "string" ? text : "", children: [] };
    for (const [key, child] of Object.entries(value)) {
      if (IGNORED_KEYS.has(key)) continue;
      const childName = ns.name(key);
      if (Array.isArray(child)) {
        for (const element of child) node.children.push(toNode(childName, element, ns));
      } else {
        node.children.push(toNode(childName, child, ns));
      }
    }
    return node;
  }
  if (Array.isArray(value)) return { name, value: "", children: value.map((e) => toNode("", e, ns)) };
  return { name, value: typeof value === "string" ? ns.value(value) : scalarText(value), children: [] };
}

/**
 * The XML shape of the JSON tree (what the reference implementation does): a `…List`'s elements grouped under one
 * list node and named without "List" (`epcList` → `epc`, `quantityList` → `quantity` → `quantityElement`);
 * source, destination and business-transaction elements as (type, value) pairs; `childEPCs` as `epc`s.
 */
function xmlShape(node: Node): Node {
  const children = [...node.children];
  const lists = new Map<string, Node[]>();
  for (const child of node.children) {
    if (child.pair === true || !child.name.endsWith("List")) continue;
    const elements = lists.get(child.name) ?? [];
    elements.push({ name: child.name.slice(0, -4), value: child.value, children: child.children });
    lists.set(child.name, elements);
    children.splice(children.indexOf(child), 1);
  }
  for (const [name, elements] of lists) {
    children.push({
      name,
      value: "",
      children: PAIR_LISTS.has(name)
        ? elements.map((e) => ({ name: "", value: "", children: e.children.slice(0, 2), pair: true }))
        : elements,
    });
  }
  const childEpcs = children.filter((c) => c.name === "childEPCs");
  if (childEpcs.length > 0) {
    for (const c of childEpcs) children.splice(children.indexOf(c), 1);
    children.push({
      name: "childEPCs",
      value: "",
      children: childEpcs.map((c) => ({ name: "epc", value: c.value, children: [] })),
    });
  }
  const shaped = children.map((c) => (PAIR_LISTS.has(c.name) ? c : xmlShape(c)));
  let name = node.name;
  if (name === "inputEPC" || name === "outputEPC") name = "epc";
  if (
    ["inputQuantity", "outputQuantity", "childQuantity"].includes(name) ||
    (name === "quantity" && shaped.length > 0)
  ) {
    name = "quantityElement";
  }
  return { ...node, name, children: shaped };
}

// ---- value normalisation -------------------------------------------------------------------------------------

const WEB_VOCABULARY: [string, string][] = [
  ["urn:epcglobal:cbv:bizstep:", `${CBV}BizStep-`],
  ["urn:epcglobal:cbv:disp:", `${CBV}Disp-`],
  ["urn:epcglobal:cbv:btt:", `${CBV}BTT-`],
  ["urn:epcglobal:cbv:sdt:", `${CBV}SDT-`],
  ["urn:epcglobal:cbv:er:", `${CBV}ER-`],
];

const NUMBER = /^\s*[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?\s*$/;

/** A number as Python's `str(float)` (an integral one as an integer): "+01.50" → "1.5", "007" → "7". */
function numeric(text: string): string {
  if (!NUMBER.test(text)) return text;
  const n = Number(text.trim().replace(/_/g, ""));
  if (!Number.isFinite(n)) return text;
  if (Number.isInteger(n)) return BigInt(n).toString();
  if (Math.abs(n) < 1e-4) {
    // Python writes 1e-05 where JavaScript writes 0.00001.
    return n.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(n);
}

/** Characters a Digital Link path segment must percent-encode (GS1 Digital Link 1.2, table 7-1). */
const pct = (text: string): string =>
  text.replace(/[!()*+,:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const withCheck = (digits: string): string => digits + String(gtinCheckDigit(digits));

/** An EPC URI as its canonical GS1 Digital Link, or undefined when it is not one of the URIs below. */
function digitalLinkOf(uri: string): string | undefined {
  const m = /^urn:epc:(id|class):([a-z]+):(\d+)\.(\d*)(?:\.(.+))?$/.exec(uri);
  if (m === null) return undefined;
  const [, , scheme, prefix = "", reference = "", rest] = m;
  if (prefix.length < 6 || prefix.length > 12) return undefined;
  const gtin = () => withCheck(reference.slice(0, 1) + prefix + reference.slice(1));
  switch (scheme) {
    case "sgtin":
      return prefix.length + reference.length === 13 && rest !== undefined
        ? `https://id.gs1.org/01/${gtin()}/21/${pct(rest)}`
        : undefined;
    case "lgtin":
      return prefix.length + reference.length === 13 && rest !== undefined
        ? `https://id.gs1.org/01/${gtin()}/10/${pct(rest)}`
        : undefined;
    case "sscc":
      return prefix.length + reference.length === 17 && rest === undefined
        ? `https://id.gs1.org/00/${withCheck(reference.slice(0, 1) + prefix + reference.slice(1))}`
        : undefined;
    case "sgln":
      if (prefix.length + reference.length !== 12 || rest === undefined) return undefined;
      return `https://id.gs1.org/414/${withCheck(prefix + reference)}${rest === "0" ? "" : `/254/${pct(rest)}`}`;
    case "pgln":
      return prefix.length + reference.length === 12 && rest === undefined
        ? `https://id.gs1.org/417/${withCheck(prefix + reference)}`
        : undefined;
    case "giai":
      return rest === undefined && reference !== "" ? `https://id.gs1.org/8004/${prefix}${pct(reference)}` : undefined;
    case "gdti":
      return prefix.length + reference.length === 12 && rest !== undefined
        ? `https://id.gs1.org/253/${withCheck(prefix + reference)}${pct(rest)}`
        : undefined;
    default:
      return undefined;
  }
}

/** An EPC URI as its canonical GS1 Digital Link (`urn:epc:id:sgln:…` → `https://id.gs1.org/414/…`); any other text unchanged. */
export function epcDigitalLink(uri: string): string {
  return digitalLinkOf(uri) ?? uri;
}

function canonical(text: string): string {
  let value = text;
  for (const [from, to] of WEB_VOCABULARY) value = value.replaceAll(from, to);
  value = numeric(value);
  return digitalLinkOf(value) ?? value;
}

/** A time in UTC with milliseconds: "2020-03-04T11:00:30+01:00" → "2020-03-04T10:00:30.000Z". */
function utc(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

const isTimeField = (name: string): boolean => {
  const lower = name.toLowerCase();
  return lower.includes("time") && !lower.includes("offset");
};

// ---- the pre-hash string -------------------------------------------------------------------------------------

function remove(list: Node[], node: Node): void {
  list.splice(list.indexOf(node), 1);
}

/** The extensions (names `{namespace/}…`) inside a structure, taken out of it; none at the event's top level. */
function takeExtensions(list: Node[]): Node[] {
  if (list.length <= 1 || list.some((c) => c.name.includes("eventTime") || c.name.includes("action"))) return [];
  const extensions = list.filter((c) => c.name.includes("{") && c.name.includes("/}"));
  for (const e of extensions) remove(list, e);
  return extensions;
}

/** The fields of `list` named in `order`, in that order, each taken out of `list` once written in full. */
function ordered(list: Node[], order: Order): string {
  const extensions = takeExtensions(list);
  let text = "";
  for (const [name, sub] of order) {
    const values: string[] = [];
    for (const child of list.filter((c) => c.name === name)) {
      const written = field(child, sub);
      if (written !== "") values.push(written);
      if (child.children.length === 0) remove(list, child);
    }
    text += values.sort().join("");
  }
  return extensions.length > 0 ? text + rest(extensions) : text;
}

function field(node: Node, sub: Order | null): string {
  const children = sub === null ? "" : ordered(node.children, sub);
  let value = node.value.trim();
  if (value !== "") value = isTimeField(node.name) ? utc(value) : canonical(value);
  if (value !== "") value = `=${value}`;
  return value !== "" || children !== "" ? node.name + value + children : "";
}

/** Fields without a canonical order: `name=value` and their children, sorted (pairs keep their order). */
function rest(nodes: readonly Node[]): string {
  const values = nodes.map((node) => {
    if (node.pair === true) return rest(node.children);
    const value = node.value.trim();
    return node.name + (value === "" ? "" : `=${canonical(value)}`) + rest(node.children);
  });
  if (nodes.length > 1 && !nodes.some((n) => PAIR_NAMES.has(n.name))) values.sort();
  return values.join("");
}

/** The prefixes a document's `@context` declares (its objects; the standard context's URL declares none here). */
export function contextPrefixes(context: readonly Json[]): Map<string, string> {
  const prefixes = new Map<string, string>();
  for (const entry of context) {
    if (!isObject(entry)) continue;
    for (const [prefix, uri] of Object.entries(entry)) if (typeof uri === "string") prefixes.set(prefix, uri);
  }
  return prefixes;
}

/** The canonical pre-hash string of `event`, with the extension prefixes `prefixes` (see `contextPrefixes`). */
export function preHashString(event: JsonObject, prefixes: ReadonlyMap<string, string>): string {
  const type = event.type;
  const root = xmlShape(toNode(typeof type === "string" ? type : "", expandTerms(event), new Namespaces(prefixes)));
  const children = root.children;
  const head = `eventType=${root.name}${ordered(children, CANONICAL_ORDER)}`;
  return head + rest(children.filter((c) => !IGNORED_TOP.has(c.name)));
}

/** The CBV 2.0 event hash ID of `event`: `ni:///sha-256;{hex}?ver=CBV2.0`. */
export function eventHashId(event: JsonObject, prefixes: ReadonlyMap<string, string>): string {
  const digest = createHash("sha256").update(preHashString(event, prefixes), "utf8").digest("hex");
  return `ni:///sha-256;${digest}?ver=CBV2.0`;
}
