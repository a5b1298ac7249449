/**
 * What a partner (a party with a GLN) reaches in the trace index: the participants registered at that GLN (a
 * participant's registered location is its GLN, as the EPCIS export names it `urn:epc:id:pgln:…`), the lots they
 * handled — held at any stage, caught, produced or consumed in their processing, or shipped under an order they
 * sell or buy (so a buyer sees a shipment on its way, GDST's advance shipping notice) — and the lots one step before
 * and one step after those in the lineage (GDST's one-up/one-down traceback), with the identifiers the EPCIS store
 * keys them by (product lots by GS1 Digital Link, catches by `urn:fishtrace:{chainId}:lot:{id}`).
 */
import type { Sql } from "../../index/db.js";
import { indexedChain } from "../../index/trace.js";
import { catchClass, productClass } from "../../exports/gs1.js";
import { GS1_RESOLVER } from "../../core/digital-link.js";
import { canonicalId } from "../epcis/vocabulary.js";

export interface PartnerReach {
  /** The GLN. */
  party: string;
  /** Participants registered at the GLN. */
  participantIds: number[];
  /** Lots handled, and one step before and after them (decimal ids). */
  lotIds: string[];
  /** Those lots as EPC classes, in the store's form. */
  lotClasses: string[];
  /** The GLN as a party (`/417/`) and as a place (`/414/`), in the store's form. */
  names: string[];
}

const REACH = `
WITH me AS (SELECT id FROM participants WHERE trim(location) = $1),
handled AS (
  SELECT lot_id FROM lot_stages WHERE custodian_id IN (SELECT id FROM me)
  UNION SELECT lot_id FROM lots WHERE harvester_id IN (SELECT id FROM me)
  UNION SELECT l.lot_id FROM lots l JOIN processes p ON p.process_id = l.process_id
        WHERE p.manufacturer_id IN (SELECT id FROM me)
  UNION SELECT g.parent_id FROM lineage g JOIN processes p ON p.process_id = g.process_id
        WHERE p.manufacturer_id IN (SELECT id FROM me)
  UNION SELECT sl.lot_id FROM shipment_lots sl JOIN orders o ON o.stage = sl.stage AND o.order_id = sl.order_id
        WHERE o.seller_id IN (SELECT id FROM me) OR o.buyer_id IN (SELECT id FROM me)
),
reach AS (
  SELECT lot_id FROM handled
  UNION SELECT parent_id FROM lineage WHERE child_id IN (SELECT lot_id FROM handled)
  UNION SELECT child_id FROM lineage WHERE parent_id IN (SELECT lot_id FROM handled)
)
SELECT l.lot_id::text AS lot_id, l.kind, l.gtin, l.lot_number FROM lots l WHERE l.lot_id IN (SELECT lot_id FROM reach)
ORDER BY l.lot_id`;

/** The chain the index's catches are named after: what the indexer recorded, else the cursor's deployment. */
async function chainOf(sql: Sql): Promise<bigint> {
  const [row] = await sql.query<{ value: string }>("SELECT value FROM meta WHERE key = 'chain_id'");
  return row !== undefined && /^\d+$/.test(row.value) ? BigInt(row.value) : indexedChain(sql);
}

/** Everything partner `gln` reaches (nothing but its own names when no participant is registered at it). */
export async function partnerReach(sql: Sql, gln: string): Promise<PartnerReach> {
  const participants = await sql.query<{ id: number }>("SELECT id FROM participants WHERE trim(location) = $1", [gln]);
  const lots = await sql.query<{ lot_id: string; kind: string; gtin: string | null; lot_number: string | null }>(
    REACH,
    [gln],
  );
  const chain = lots.some((l) => l.kind === "catch") ? await chainOf(sql) : 0n;
  const lotClasses = lots.map((l) =>
    canonicalId(
      l.kind === "product" && l.gtin !== null && l.lot_number !== null
        ? productClass(l.gtin, l.lot_number)
        : catchClass(chain, BigInt(l.lot_id)),
    ),
  );
  return {
    party: gln,
    participantIds: participants.map((p) => Number(p.id)),
    lotIds: lots.map((l) => l.lot_id),
    lotClasses,
    names: [`${GS1_RESOLVER}/417/${gln}`, `${GS1_RESOLVER}/414/${gln}`].map(canonicalId),
  };
}
