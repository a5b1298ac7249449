/**
 * Daily retail sales as the trace index holds them: every order in a retailer's order book (stage 5, bought by a
 * customer) that was not cancelled, rejected or refunded, as kilograms on the UTC day it was placed, per species and
 * retailer — the demand the forecasts are fitted on (the generator's `SalesSeries` shape, plus who the retailer is).
 *
 * Every series runs from the first to the last day with a sale anywhere in the index, days without a sale of the
 * series counted 0. Days after the last recorded sale are left out: the sales may simply not be indexed yet.
 */
import type { Sql } from "./db.js";
import { InputError } from "../core/input-error.js";
import type { IndexedParticipant } from "../core/api/analytics.js";
import type { SalesSeries } from "../core/chain-history.js";
import { numberOf } from "./rows.js";

/** Something the index does not hold (a participant, a series): a 404 in the HTTP API. */
export class NotInIndexError extends InputError {}

/** The seller's stage of a customer's order (the retailer's order book). */
export const RETAIL_STAGE = 5;

const DAY = 86_400;

/** One retailer's daily sales of one species; `retailer` is its participant id as text. */
export interface IndexedSalesSeries extends SalesSeries {
  retailerOf: IndexedParticipant;
}

export interface SalesQuery {
  /** FAO 3-alpha code. */
  species?: string;
  /** The retailer's participant id. */
  retailerId?: number;
}

/** The participant `ref` names: a participant id ("7") or an account (0x…); an `InputError` when not indexed. */
/** The largest participant id the index holds (its `int` column). */
export const MAX_PARTICIPANT_ID = 2_147_483_647;

export async function participantOf(sql: Sql, ref: string, what: string): Promise<IndexedParticipant> {
  const text = ref.trim();
  let rows: { id: number; account: string; name: string }[];
  if (/^\d+$/.test(text)) {
    // The index keeps participant ids as int (the registry's uint32 ids never pass 2^31 in practice): checked here,
    // before SQL, so an id beyond it is a one-line 400, not the database's error.
    if (text.length > 10 || Number(text) > MAX_PARTICIPANT_ID || Number(text) === 0) {
      throw new InputError(`${what} "${ref}" is not a participant id (1..${MAX_PARTICIPANT_ID})`);
    }
    rows = await sql.query(`SELECT id, account, name FROM participants WHERE id = $1`, [Number(text)]);
  } else if (/^0x[0-9a-fA-F]{40}$/.test(text)) {
    rows = await sql.query(`SELECT id, account, name FROM participants WHERE lower(account) = lower($1)`, [text]);
  } else {
    throw new InputError(`${what} "${ref}" is not a participant id or an account (0x and 40 hex digits)`);
  }
  const found = rows[0];
  if (found === undefined) throw new NotInIndexError(`${what} ${text} is not a participant in the index`);
  return { id: numberOf(found, "id"), account: found.account, name: found.name };
}

/** The daily sales series of the index (module comment), narrowed to `query`'s species and retailer. */
export async function salesFromIndex(sql: Sql, query: SalesQuery = {}): Promise<IndexedSalesSeries[]> {
  const rows = await sql.query<{
    seller_id: number;
    account: string | null;
    name: string | null;
    species: string;
    day: string | number;
    grams: string | number;
  }>(
    `SELECT o.seller_id, p.account, p.name, o.species, floor(o.placed_time / ${DAY}) AS day,
       sum(o.weight_grams) AS grams
     FROM orders o LEFT JOIN participants p ON p.id = o.seller_id
     WHERE o.stage = ${RETAIL_STAGE} AND o.state NOT IN ('Cancelled', 'Rejected', 'Refunded')
     GROUP BY o.seller_id, p.account, p.name, o.species, floor(o.placed_time / ${DAY})
     ORDER BY o.seller_id, o.species, day`,
  );
  if (rows.length === 0) return [];
  // The rows are ordered by seller and species, not by day; a loop, not Math.min(...): a long index overflows it.
  let first = Infinity;
  let last = -Infinity;
  for (const r of rows) {
    first = Math.min(first, numberOf(r, "day"));
    last = Math.max(last, numberOf(r, "day"));
  }
  const length = last - first + 1;
  const series = new Map<string, IndexedSalesSeries>();
  for (const r of rows) {
    const id = numberOf(r, "seller_id");
    if (query.species !== undefined && r.species !== query.species) continue;
    if (query.retailerId !== undefined && id !== query.retailerId) continue;
    const key = `${id} ${r.species}`;
    let s = series.get(key);
    if (s === undefined) {
      s = {
        species: r.species,
        retailer: String(id),
        retailerOf: { id, account: r.account ?? "", name: r.name ?? "" },
        start: first * DAY,
        values: new Array<number>(length).fill(0),
      };
      series.set(key, s);
    }
    s.values[numberOf(r, "day") - first] = numberOf(r, "grams") / 1_000;
  }
  return [...series.values()];
}
