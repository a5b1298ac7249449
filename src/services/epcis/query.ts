/**
 * An EPCIS 2.0 event query (EPCIS 2.0 §8.2.7.1, SimpleEventQuery; GS1's REST binding and its query schema, `REST
 * Bindings/query-schema.json`) read from a URL's query string (lists pipe-delimited: `EQ_bizStep=shipping|receiving`)
 * or from a named query's JSON (`{"EQ_bizStep": ["shipping", "receiving"]}`), checked parameter by parameter: an
 * unknown parameter, a value of the wrong form or a parameter given twice is a `QueryParameterException` naming it.
 *
 * Supported: eventType, GE_/LT_eventTime, GE_/LT_recordTime, EQ_action, EQ_bizStep, EQ_disposition,
 * EQ_persistentDisposition_set/_unset, EQ_readPoint, WD_readPoint, EQ_bizLocation, WD_bizLocation (no location
 * hierarchy in master data: WD is EQ), EQ_transformationID, MATCH_epc, MATCH_parentID, MATCH_inputEPC,
 * MATCH_outputEPC, MATCH_anyEPC, MATCH_epcClass, MATCH_inputEPCClass, MATCH_outputEPCClass, MATCH_anyEPCClass,
 * EQ_eventID, EQ_source_{type}, EQ_destination_{type}, EQ_bizTransaction_{type}, EXISTS_errorDeclaration and the
 * error-declaration parameters (no FishTrace event declares an error), orderBy (eventTime, recordTime),
 * orderDirection, eventCountLimit, maxEventCount. The other standard parameters (quantities, sensor values, ILMD
 * and extension fields) are refused by name as not supported, never ignored. MATCH_ parameters compare whole URIs
 * (EPC URNs and GS1 Digital Links alike), not EPC patterns.
 */
import { bareTerm, EVENT_TYPES, canonicalId, isUri, vocabularyValue } from "./vocabulary.js";
import { parameterProblem } from "./problem.js";

/** A column of `epcis_events` a query compares with `=`. */
export type EventColumn =
  | "event_type"
  | "action"
  | "biz_step"
  | "disposition"
  | "read_point"
  | "biz_location"
  | "transformation_id"
  | "event_id";

/** One condition of a query; all of them hold for a matching event. */
export type Condition =
  | { kind: "in"; column: EventColumn; values: string[] }
  | { kind: "time"; column: "event_time" | "record_time"; op: ">=" | "<"; ms: number }
  /** The event has one of `values` under one of the key kinds (epcis_event_keys). */
  | { kind: "key"; keys: string[]; values: string[] }
  /** Nothing matches (an error-declaration condition: no stored event declares an error). */
  | { kind: "none" };

export interface EventQuery {
  conditions: Condition[];
  orderBy: "seq" | "eventTime" | "recordTime";
  orderDirection: "ASC" | "DESC";
  /** At most this many events in all (the first, in the query's order). */
  eventCountLimit?: number;
  /** More matching events than this: QueryTooLargeException. */
  maxEventCount?: number;
}

/** A parameter's value as read: one text from a URL, or the JSON value of a named query. */
export type RawValue = string | number | boolean | null | RawValue[] | { [key: string]: RawValue };

const KEY_PARAMS: Record<string, string[]> = {
  MATCH_epc: ["epc"],
  MATCH_parentID: ["parentID"],
  MATCH_inputEPC: ["inputEPC"],
  MATCH_outputEPC: ["outputEPC"],
  MATCH_anyEPC: ["epc", "parentID", "inputEPC", "outputEPC"],
  MATCH_epcClass: ["epcClass"],
  MATCH_inputEPCClass: ["inputEPCClass"],
  MATCH_outputEPCClass: ["outputEPCClass"],
  MATCH_anyEPCClass: ["epcClass", "inputEPCClass", "outputEPCClass"],
};

const COLUMN_PARAMS: Record<string, EventColumn> = {
  EQ_readPoint: "read_point",
  WD_readPoint: "read_point",
  EQ_bizLocation: "biz_location",
  WD_bizLocation: "biz_location",
  EQ_transformationID: "transformation_id",
  EQ_eventID: "event_id",
};

const TIME_PARAMS: Record<string, Extract<Condition, { kind: "time" }>> = {
  GE_eventTime: { kind: "time", column: "event_time", op: ">=", ms: 0 },
  LT_eventTime: { kind: "time", column: "event_time", op: "<", ms: 0 },
  GE_recordTime: { kind: "time", column: "record_time", op: ">=", ms: 0 },
  LT_recordTime: { kind: "time", column: "record_time", op: "<", ms: 0 },
};

/** Error-declaration parameters: valid, and no FishTrace event has an error declaration. */
const ERROR_DECLARATION = new Set([
  "GE_errorDeclarationTime",
  "LT_errorDeclarationTime",
  "GE_errorDeclaration_Time",
  "LT_errorDeclaration_Time",
  "EQ_errorReason",
  "EQ_correctiveEventID",
]);

/** Standard parameters this repository does not evaluate: refused by name. */
const UNSUPPORTED =
  /^(EQ|GT|GE|LT|LE)_quantity(_[A-Z0-9]{2,4})?$|^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_|readPoint_|bizLocation_)?[a-z][a-zA-Z0-9]*:\w+$|^(GE|LT)_(startTime|endTime|time)$|^EQ_(type|deviceID|dataProcessingMethod|microorganism|chemicalSubstance|bizRules|stringValue|hexBinaryValue|uriValue|booleanValue)$|^(EQ|GE|GT|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue|percRank)(_[A-Z0-9]{2,4})?$|^EXISTS_sensorElementList$|^HASATTR_|^EQ_ATTR_/;

/** The parameters that are not query conditions: paging, and the JSON-LD context of a named query. */
export const PAGING_PARAMS = new Set(["perPage", "nextPageToken"]);

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** A date-time parameter in milliseconds; a `+` offset that a URL turned into a space is read as `+`. */
function timeOf(name: string, value: RawValue): number {
  if (typeof value !== "string") throw parameterProblem(`${name} must be a date-time (RFC 3339), not ${typeof value}`);
  const text = value.trim().replace(/ (\d{2}:\d{2})$/, "+$1");
  const ms = RFC3339.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) {
    throw parameterProblem(`${name} "${value}" is not a date-time such as 2027-01-15T08:00:00Z or …+01:00`);
  }
  return ms;
}

/** A list parameter: pipe-delimited text from a URL, or a JSON array of texts (one text counts as a list of one). */
function listOf(name: string, value: RawValue): string[] {
  const items = typeof value === "string" ? value.split("|") : Array.isArray(value) ? value : undefined;
  if (items === undefined) throw parameterProblem(`${name} must be a list of texts (a|b in a URL, ["a", "b"] in JSON)`);
  const texts = items.map((item) => {
    if (typeof item !== "string") throw parameterProblem(`${name} must hold texts, not ${JSON.stringify(item)}`);
    return item.trim();
  });
  if (texts.length === 0 || texts.some((t) => t === "")) throw parameterProblem(`${name} has an empty value`);
  return texts;
}

function urisOf(name: string, value: RawValue, canonical = true): string[] {
  return listOf(name, value).map((text) => {
    if (!isUri(text)) throw parameterProblem(`${name} "${text}" is not a URI`);
    return canonical ? canonicalId(text) : text;
  });
}

function countOf(name: string, value: RawValue): number {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw parameterProblem(`${name} must be a whole number ≥ 1`);
  return Number(text);
}

function booleanOf(name: string, value: RawValue): boolean {
  if (value === true || value === "true" || value === "" || value === null) return true;
  if (value === false || value === "false") return false;
  throw parameterProblem(`${name} must be true or false`);
}

/** One parameter's conditions (or control), added to `query`. */
function addParameter(query: EventQuery, name: string, value: RawValue): void {
  const time = TIME_PARAMS[name];
  if (time !== undefined) {
    query.conditions.push({ ...time, ms: timeOf(name, value) });
    return;
  }
  const keys = KEY_PARAMS[name];
  if (keys !== undefined) {
    query.conditions.push({ kind: "key", keys, values: urisOf(name, value) });
    return;
  }
  const column = COLUMN_PARAMS[name];
  if (column !== undefined) {
    query.conditions.push({ kind: "in", column, values: urisOf(name, value, column !== "event_id") });
    return;
  }
  const typed = /^EQ_(source|destination|bizTransaction)_([a-z][a-zA-Z0-9_]+)$/.exec(name);
  if (typed !== null) {
    const [, list = "", type = ""] = typed;
    const kind = list === "bizTransaction" ? "BTT" : "SDT";
    query.conditions.push({ kind: "key", keys: [`${list}:${bareTerm(kind, type)}`], values: urisOf(name, value) });
    return;
  }
  if (ERROR_DECLARATION.has(name)) {
    if (name === "EQ_errorReason") listOf(name, value);
    else if (name.startsWith("EQ_")) urisOf(name, value, false);
    else timeOf(name, value);
    query.conditions.push({ kind: "none" });
    return;
  }
  switch (name) {
    case "eventType": {
      const types = listOf(name, value).map((type) => {
        if (!EVENT_TYPES.some((t) => t === type) && !isUri(type)) {
          throw parameterProblem(`eventType "${type}" is not ${EVENT_TYPES.join(", ")} or an extension's URI`);
        }
        return type;
      });
      query.conditions.push({ kind: "in", column: "event_type", values: types });
      return;
    }
    case "EQ_action": {
      const actions = listOf(name, value);
      for (const action of actions) {
        if (!["ADD", "OBSERVE", "DELETE"].includes(action)) {
          throw parameterProblem(`EQ_action "${action}" is not ADD, OBSERVE or DELETE`);
        }
      }
      query.conditions.push({ kind: "in", column: "action", values: actions });
      return;
    }
    case "EQ_bizStep":
    case "EQ_disposition": {
      const kind = name === "EQ_bizStep" ? "BizStep" : "Disp";
      const values = listOf(name, value).map((v) => vocabularyValue(kind, v, name));
      query.conditions.push({ kind: "in", column: name === "EQ_bizStep" ? "biz_step" : "disposition", values });
      return;
    }
    case "EQ_persistentDisposition_set":
    case "EQ_persistentDisposition_unset": {
      const values = listOf(name, value).map((v) => vocabularyValue("Disp", v, name));
      query.conditions.push({ kind: "key", keys: [name.endsWith("_set") ? "pdSet" : "pdUnset"], values });
      return;
    }
    case "EXISTS_errorDeclaration":
      if (booleanOf(name, value)) query.conditions.push({ kind: "none" });
      return;
    case "orderBy": {
      if (value !== "eventTime" && value !== "recordTime") {
        throw parameterProblem(`orderBy "${String(value)}" is not supported (eventTime or recordTime)`);
      }
      query.orderBy = value;
      return;
    }
    case "orderDirection": {
      if (value !== "ASC" && value !== "DESC") throw parameterProblem(`orderDirection must be ASC or DESC`);
      query.orderDirection = value;
      return;
    }
    case "eventCountLimit":
      query.eventCountLimit = countOf(name, value);
      return;
    case "maxEventCount":
      query.maxEventCount = countOf(name, value);
      return;
  }
  if (UNSUPPORTED.test(name)) throw parameterProblem(`${name} is not supported by this repository`);
  throw parameterProblem(`${name} is not an EPCIS 2.0 query parameter`);
}

/**
 * The query of `params` (name → value; paging parameters excluded by the caller), checked. `orderDirection`
 * without `orderBy`, and `eventCountLimit` with `maxEventCount` or without `orderBy`, are refused as the standard
 * says.
 */
export function parseQuery(params: Iterable<[string, RawValue]>): EventQuery {
  const query: EventQuery = { conditions: [], orderBy: "seq", orderDirection: "ASC" };
  let direction = false;
  for (const [name, value] of params) {
    if (name === "@context") continue;
    if (name === "orderDirection") direction = true;
    addParameter(query, name, value);
  }
  if (query.orderBy === "seq") {
    if (direction) throw parameterProblem("orderDirection needs orderBy");
  } else if (!direction) query.orderDirection = "DESC"; // the standard's default
  if (query.eventCountLimit !== undefined && query.maxEventCount !== undefined) {
    throw parameterProblem("eventCountLimit and maxEventCount cannot be given together");
  }
  if (query.eventCountLimit !== undefined && query.orderBy === "seq") {
    throw parameterProblem("eventCountLimit needs orderBy");
  }
  return query;
}

/** A URL's query parameters as (name, value) pairs, without paging; a parameter given twice is refused. */
export function urlParams(params: URLSearchParams): [string, RawValue][] {
  const seen = new Set<string>();
  const pairs: [string, RawValue][] = [];
  for (const [name, value] of params) {
    if (seen.has(name)) throw parameterProblem(`${name} is given twice (join values with |)`);
    seen.add(name);
    if (!PAGING_PARAMS.has(name)) pairs.push([name, value]);
  }
  return pairs;
}

/** The query in one canonical text, for binding a page token to it (same conditions, same text). */
export function queryKey(query: EventQuery): string {
  return JSON.stringify(query);
}
