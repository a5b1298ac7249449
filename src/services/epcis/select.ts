/**
 * An EPCIS query (query.ts) run on the materialised store (store.ts) with SQL: every condition an indexed column or
 * key lookup, one page at a time by keyset (the sort key and `seq` of the last event served), so a page costs the
 * same however deep into the results it is.
 */
import type { Sql } from "../../index/db.js";
import type { EventQuery } from "./query.js";
import type { PagePosition } from "./paging.js";
import { EpcisProblem } from "./problem.js";

/**
 * A condition on the event `e` (a row of epcis_events) every selection of a request adds — the caller's scope
 * (src/services/auth/epcis-scope.ts) — its values added through `param` (which answers "$3").
 */
export type EventFilter = (param: (value: unknown) => string) => string;

interface Where {
  clauses: string[];
  params: unknown[];
}

/** The parameter list of a statement and a function adding a value to it ("$3"). */
function parameters(params: unknown[] = []): { params: unknown[]; param: (value: unknown) => string } {
  return {
    params,
    param: (value) => {
      params.push(value);
      return `$${params.length}`;
    },
  };
}

/** `query`'s conditions, and the scope's `filter` (src/services/auth/epcis-scope.ts) when there is one. */
function where(query: EventQuery, filter?: EventFilter): Where {
  const { params, param } = parameters();
  const w: Where = { clauses: filter === undefined ? [] : [`(${filter(param)})`], params };
  for (const c of query.conditions) {
    switch (c.kind) {
      case "in":
        w.clauses.push(`e.${c.column} = ANY(${param(c.values)}::text[])`);
        break;
      case "time":
        w.clauses.push(`e.${c.column} ${c.op} ${param(c.ms)}::bigint`);
        break;
      case "key":
        w.clauses.push(
          `e.seq IN (SELECT k.seq FROM epcis_event_keys k WHERE k.kind = ANY(${param(c.keys)}::text[]) ` +
            `AND k.value = ANY(${param(c.values)}::text[]))`,
        );
        break;
      case "none":
        w.clauses.push("false");
        break;
    }
  }
  return w;
}

const SORT_COLUMN = { seq: "seq", eventTime: "event_time", recordTime: "record_time" } as const;

export interface EventPage {
  /** The events' JSON, in order. */
  bodies: string[];
  /** Where the next page starts; absent on the last page. */
  next?: PagePosition;
  /** The sort value and seq of the page's last event (a subscription's cursor); absent when the page is empty. */
  last?: [number, number];
}

/**
 * One page of `query`'s events after `position`: at most `perPage` (and no more than `eventCountLimit` in all).
 * With `maxEventCount`, the first page counts the matches and refuses more (413 QueryTooLargeException).
 */
export async function selectEvents(
  sql: Sql,
  query: EventQuery,
  perPage: number,
  position?: PagePosition,
  filter?: EventFilter,
): Promise<EventPage> {
  const w = where(query, filter);
  if (query.maxEventCount !== undefined && position === undefined) {
    const [row] = await sql.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM (SELECT 1 FROM epcis_events e
         ${w.clauses.length > 0 ? `WHERE ${w.clauses.join(" AND ")}` : ""} LIMIT ${query.maxEventCount + 1}) m`,
      w.params,
    );
    if (Number(row?.n ?? 0) > query.maxEventCount) {
      throw new EpcisProblem(
        413,
        "QueryTooLargeException",
        "Query result too large",
        `more than maxEventCount ${query.maxEventCount} events match`,
      );
    }
  }
  const served = position?.served ?? 0;
  const left = query.eventCountLimit === undefined ? perPage : Math.min(perPage, query.eventCountLimit - served);
  if (left <= 0) return { bodies: [] };
  const sort = SORT_COLUMN[query.orderBy];
  const desc = query.orderDirection === "DESC";
  const clauses = [...w.clauses];
  const params = [...w.params];
  const after = position?.after;
  if (after !== undefined && after.length === 2) {
    const op = desc ? "<" : ">";
    if (sort === "seq") {
      params.push(after[1]);
      clauses.push(`e.seq ${op} $${params.length}::bigint`);
    } else {
      params.push(after[0], after[1]);
      clauses.push(`(e.${sort}, e.seq) ${op} ($${params.length - 1}::bigint, $${params.length}::bigint)`);
    }
  }
  const dir = desc ? "DESC" : "ASC";
  const rows = await sql.query<{ seq: string; sort: string; body: string }>(
    `SELECT e.seq::text AS seq, e.${sort}::text AS sort, e.body FROM epcis_events e
     ${clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : ""}
     ORDER BY ${sort === "seq" ? `e.seq ${dir}` : `e.${sort} ${dir}, e.seq ${dir}`} LIMIT ${left + 1}`,
    params,
  );
  const page = rows.slice(0, left);
  const last = page.at(-1);
  const more = rows.length > left && (query.eventCountLimit === undefined || served + left < query.eventCountLimit);
  return {
    bodies: page.map((r) => r.body),
    ...(last === undefined ? {} : { last: [Number(last.sort), Number(last.seq)] }),
    ...(more && last !== undefined
      ? { next: { after: [Number(last.sort), Number(last.seq)], served: served + page.length } }
      : {}),
  };
}

/** An event's JSON by its eventID (when `filter` admits it), or undefined. */
export async function eventById(sql: Sql, eventId: string, filter?: EventFilter): Promise<string | undefined> {
  const { params, param } = parameters([eventId]);
  const scoped = filter === undefined ? "" : ` AND (${filter(param)})`;
  const [row] = await sql.query<{ body: string }>(
    `SELECT e.body FROM epcis_events e WHERE e.event_id = $1${scoped}`,
    params,
  );
  return row?.body;
}

/** The distinct values the store holds of a column or of key kinds, a page after `after`. */
export type Vocabulary =
  { column: "biz_step" | "disposition" | "read_point" | "biz_location" | "event_type" } | { keys: string[] };

export async function distinctValues(
  sql: Sql,
  vocabulary: Vocabulary,
  perPage: number,
  after?: string,
  filter?: EventFilter,
): Promise<{ values: string[]; next?: string }> {
  const { params, param } = parameters([after ?? ""]);
  // A loose index scan: each step asks the index for the least value after the one before (a few pages), so a
  // page of values costs as much in a store of millions as in a small one; DISTINCT over the rows read them all.
  let next: (previous: string) => string;
  let admitted: string;
  if ("column" in vocabulary) {
    const c = vocabulary.column;
    next = (previous) => `SELECT min(e.${c}) FROM epcis_events e WHERE e.${c} > ${previous}`;
    admitted = filter === undefined ? "" : `SELECT 1 FROM epcis_events e WHERE e.${c} = d.v AND (${filter(param)})`;
  } else {
    // One probe a kind (the key index is ordered by kind, then value): the least of their answers.
    const kinds = param(vocabulary.keys);
    next = (previous) =>
      `SELECT min(m.v) FROM unnest(${kinds}::text[]) AS kk(kind),
         LATERAL (SELECT min(k.value) AS v FROM epcis_event_keys k WHERE k.kind = kk.kind AND k.value > ${previous}) m`;
    admitted =
      filter === undefined
        ? ""
        : `SELECT 1 FROM epcis_event_keys k JOIN epcis_events e ON e.seq = k.seq
           WHERE k.kind = ANY(${kinds}::text[]) AND k.value = d.v AND (${filter(param)})`;
  }
  // The walk goes on past values the filter leaves out, and stops once the page is full.
  const rows = await sql.query<{ v: string }>(
    `WITH RECURSIVE d(v) AS ((${next("$1")}) UNION ALL SELECT (${next("d.v")}) FROM d WHERE d.v IS NOT NULL)
     SELECT v FROM d WHERE v IS NOT NULL${admitted === "" ? "" : ` AND EXISTS (${admitted})`} LIMIT ${perPage + 1}`,
    params,
  );
  const values = rows.slice(0, perPage).map((r) => r.v);
  const last = values.at(-1);
  return { values, ...(rows.length > perPage && last !== undefined ? { next: last } : {}) };
}

/** Whether the store holds a value of a column or of key kinds (in an event `filter` admits). */
export async function knownValue(
  sql: Sql,
  vocabulary: Vocabulary,
  value: string,
  filter?: EventFilter,
): Promise<boolean> {
  const { params, param } = parameters([value]);
  const source =
    "column" in vocabulary
      ? `SELECT 1 FROM epcis_events e WHERE e.${vocabulary.column} = $1`
      : `SELECT 1 FROM epcis_event_keys k${filter === undefined ? "" : " JOIN epcis_events e ON e.seq = k.seq"}
         WHERE k.kind = ANY(${param(vocabulary.keys)}::text[]) AND k.value = $1`;
  const rows = await sql.query(`${source}${filter === undefined ? "" : ` AND (${filter(param)})`} LIMIT 1`, params);
  return rows.length > 0;
}
