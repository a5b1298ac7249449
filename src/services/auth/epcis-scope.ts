/**
 * What each scope (scope.ts) sees of the EPCIS store (src/services/epcis/store.ts), as a condition of the SQL
 * selection and a view of each event served:
 *
 * - public: every event but the TransactionEvents (they are the orders: placed, settled, cancelled, … with their
 *   price); the others without `bizTransactionList` (purchase orders and bills of lading name orders) and without
 *   any `fishtrace:priceWei`. A query on `EQ_bizTransaction_…` matches nothing. Quantities (kg), places, parties'
 *   GLNs, times, bizSteps and dispositions are what a consumer's traceability answer is made of and are kept.
 * - partner (GLN P): the events naming a lot P reaches (reach.ts: handled, one-up, one-down) or P's GLN as
 *   bizLocation, readPoint, source or destination; of the TransactionEvents only those P is the source or
 *   destination owning party of; `bizTransactionList` and price kept only on events P is an owning party of (its
 *   own orders), removed from the others as for the public; `EQ_bizTransaction_…` matches only P's own events.
 * - regulator: everything, as stored.
 *
 * Out-of-scope events are left out, not refused, as EPCIS allows: a page, a resource, a named query or an event by
 * id answers as if the store held only what the scope sees.
 */
import type { Sql } from "../../index/db.js";
import type { Condition, EventQuery } from "../epcis/query.js";
import type { EventFilter } from "../epcis/select.js";
import { canonicalId } from "../epcis/vocabulary.js";
import { isRecord } from "./json.js";
import { partnerReach } from "./reach.js";
import { scopeKey, type Scope } from "./scope.js";

export interface EpcisAccess {
  scope: Scope;
  /** What page tokens are bound to, besides the query. */
  key: string;
  /** The condition every selection adds; undefined: all events. */
  filter?: EventFilter;
  /** The query as the scope may ask it. */
  restrict(query: EventQuery): EventQuery;
  /** An event's JSON as the scope sees it. */
  view(body: string): string;
}

const OWNING = ["source:owning_party", "destination:owning_party"];
const LOT_KEYS = ["epc", "parentID", "inputEPC", "outputEPC", "epcClass", "inputEPCClass", "outputEPCClass"];
/** Fields of an event that name orders or money. */
const ORDER_FIELDS = ["bizTransactionList", "fishtrace:priceWei"];

/** The event without its order fields; unchanged (same text) when it has none. */
function withoutOrders(body: string): string {
  if (!ORDER_FIELDS.some((f) => body.includes(`"${f}"`))) return body;
  const event: unknown = JSON.parse(body);
  if (!isRecord(event)) return body;
  return JSON.stringify(Object.fromEntries(Object.entries(event).filter(([k]) => !ORDER_FIELDS.includes(k))));
}

/** The owning parties an event names (its sourceList's and destinationList's), as written. */
function owningParties(event: Record<string, unknown>): string[] {
  const parties: string[] = [];
  for (const [list, item] of [
    ["sourceList", "source"],
    ["destinationList", "destination"],
  ] as const) {
    const entries = event[list];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (!isRecord(entry) || typeof entry.type !== "string" || !entry.type.endsWith("owning_party")) continue;
      const value = entry[item];
      if (typeof value === "string") parties.push(value);
    }
  }
  return parties;
}

const BIZ_TRANSACTION = (c: Condition): boolean =>
  c.kind === "key" && c.keys.some((k) => k.startsWith("bizTransaction:"));

/** Whether an event names one of `names` (in the store's form) as an owning party. */
function ownedBy(names: string[]): (body: string) => boolean {
  return (body) => {
    const event: unknown = JSON.parse(body);
    return isRecord(event) && owningParties(event).some((p) => names.includes(canonicalId(p)));
  };
}

/** The access of `scope` to the store of `sql` (a partner's reach read from the index now). */
export async function epcisAccess(sql: Sql, scope: Scope): Promise<EpcisAccess> {
  const key = scopeKey(scope);
  if (scope.kind === "regulator") return { scope, key, restrict: (q) => q, view: (b) => b };
  if (scope.kind === "public") {
    return {
      scope,
      key,
      filter: () => "e.event_type <> 'TransactionEvent'",
      restrict: (q) => ({ ...q, conditions: q.conditions.map((c) => (BIZ_TRANSACTION(c) ? { kind: "none" } : c)) }),
      view: withoutOrders,
    };
  }
  const reach = await partnerReach(sql, scope.party);
  const owns = ownedBy(reach.names);
  const mine: Condition = { kind: "key", keys: OWNING, values: reach.names };
  return {
    scope,
    key,
    filter: (param) => {
      const names = `${param(reach.names)}::text[]`;
      const owning = `e.seq IN (SELECT k.seq FROM epcis_event_keys k WHERE k.kind = ANY(${param(OWNING)}::text[])
        AND k.value = ANY(${names}))`;
      return `(e.event_type <> 'TransactionEvent' OR ${owning})
        AND (e.biz_location = ANY(${names}) OR e.read_point = ANY(${names})
          OR e.seq IN (SELECT k.seq FROM epcis_event_keys k WHERE k.kind = ANY(${param(LOT_KEYS)}::text[])
            AND k.value = ANY(${param(reach.lotClasses)}::text[]))
          OR e.seq IN (SELECT k.seq FROM epcis_event_keys k WHERE (k.kind LIKE 'source:%' OR k.kind LIKE 'destination:%')
            AND k.value = ANY(${names})))`;
    },
    restrict: (q) => (q.conditions.some(BIZ_TRANSACTION) ? { ...q, conditions: [...q.conditions, mine] } : q),
    view: (body) => (ORDER_FIELDS.some((f) => body.includes(`"${f}"`)) && !owns(body) ? withoutOrders(body) : body),
  };
}
