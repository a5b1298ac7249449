/**
 * The off-chain half of a recall, over the trace index (src/index/schema.ts).
 *
 * On chain, `recallLots` at one stage flags the lots there and forwards the recall along the same ids to every later
 * stage they went to, but never through a processing: a product lot has a new id. `planRecall` therefore takes the
 * descendant closure of the lot (`descendants`), and sends each lot to the stage that created it (1 for a catch, 3
 * for a product lot), which always knows it, skipping the lots the index shows recalled there already.
 *
 * `recallNotice` lists, for every lot reached, whom to tell: who holds it now, the customers who bought it, and the
 * buyers of the open orders carrying it; and the logistic units (SSCCs) it is packed in now, to pull whole. `noticeCsv` writes that as RFC 4180 CSV.
 */
import type { Sql } from "./db.js";
import { digitalLink, lotIdText } from "../core/digital-link.js";
import { ssccText } from "../core/sscc.js";
import { numberOf, stageAt, textOrEmpty } from "./rows.js";
import { descendants, OPEN_ORDER_STATES, PACKED_IN, withIndexLookups } from "./trace.js";
import type { StageName } from "../core/vocabulary.js";

/** The stage where a lot's id is created: the harvester for a catch, the manufacturer for a product lot. */
export type OriginStage = Extract<StageName, "harvester" | "manufacturer">;

export interface PlannedLot {
  lotId: bigint;
  kind: "catch" | "product";
  origin: OriginStage;
  /** The index shows the lot recalled at its origin stage already (the chain would skip it). */
  recalled: boolean;
}

/** The lots to send to one origin stage's `recallLots`, in one transaction. */
export interface RecallBatch {
  stage: OriginStage;
  lotIds: bigint[];
}

export interface RecallPlan {
  root: bigint;
  /** The closure, the root first: every lot the recall reaches. */
  lots: PlannedLot[];
  /** The lots recalled at their origin stage already (no transaction needed). */
  alreadyRecalled: bigint[];
  /** The lots still to recall, by origin stage (harvester first). */
  toRecall: RecallBatch[];
  /** `toRecall` cut into batches of at most `batchSize` lots. */
  batches: RecallBatch[];
}

export const DEFAULT_RECALL_BATCH = 200;

function originOf(n: unknown, lotId: bigint): OriginStage {
  const stage = stageAt(n);
  if (stage !== "harvester" && stage !== "manufacturer") {
    throw new Error(`the index says lot ${lotIdText(lotId)} was created at the ${stage} stage`);
  }
  return stage;
}

/** `ids` cut into slices of at most `size`. */
export function chunks<T>(ids: readonly T[], size: number): T[][] {
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`batch size ${size} is not a positive whole number`);
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

/** `plan.toRecall` cut into batches of at most `size` lots, stage by stage. */
export function recallBatches(toRecall: readonly RecallBatch[], size: number): RecallBatch[] {
  return toRecall.flatMap(({ stage, lotIds }) => chunks(lotIds, size).map((ids) => ({ stage, lotIds: ids })));
}

const PLAN_LOTS = `
SELECT l.lot_id::text AS lot_id, l.kind, l.origin_stage,
  EXISTS (SELECT 1 FROM recalls r WHERE r.lot_id = l.lot_id AND r.stage = l.origin_stage) AS recalled
FROM lots l WHERE l.lot_id = ANY($1::numeric[])`;

interface PlanRow {
  lot_id: string;
  kind: "catch" | "product";
  origin_stage: unknown;
  recalled: boolean;
}

/**
 * What a recall of `lotId` must do: every lot made from it (itself first), each sent to its origin stage unless the
 * index shows it recalled there already. Throws `LotNotIndexedError` (an InputError) for a lot the index lacks.
 */
export async function planRecall(sql: Sql, lotId: bigint, batchSize = DEFAULT_RECALL_BATCH): Promise<RecallPlan> {
  const closure = await descendants(sql, lotId);
  const rows = await withIndexLookups(sql, (tx) => tx.query<PlanRow>(PLAN_LOTS, [closure.map(String)]));
  const byId = new Map(rows.map((r) => [BigInt(r.lot_id), r]));
  const lots: PlannedLot[] = closure.map((id) => {
    const row = byId.get(id);
    if (row === undefined) throw new Error(`lot ${lotIdText(id)} vanished from the index while planning`);
    return { lotId: id, kind: row.kind, origin: originOf(row.origin_stage, id), recalled: row.recalled };
  });
  const toRecall: RecallBatch[] = (["harvester", "manufacturer"] as const)
    .map((stage) => ({ stage, lotIds: lots.filter((l) => l.origin === stage && !l.recalled).map((l) => l.lotId) }))
    .filter((b) => b.lotIds.length > 0);
  return {
    root: lotId,
    lots,
    alreadyRecalled: lots.filter((l) => l.recalled).map((l) => l.lotId),
    toRecall,
    batches: recallBatches(toRecall, batchSize),
  };
}

/** A participant as the notice names it. */
export interface NoticeParty {
  name: string;
  location: string;
  account: string;
}

export interface NoticeHolder extends NoticeParty {
  stage: StageName;
  status: "Created" | "Shipped";
}

export interface NoticeOrder {
  /** The seller's stage (order ids are per order book). */
  stage: StageName;
  orderId: bigint;
  state: string;
  buyer: NoticeParty;
}

/** One lot a recall reached, and whom to tell about it. */
export interface RecallNoticeRow {
  lotId: bigint;
  kind: "catch" | "product";
  species: string;
  weightGrams: number;
  /** 14 digits, for a product lot. */
  gtin?: string;
  lotNumber?: string;
  digitalLink?: string;
  /** Who holds the lot now (its latest stage, Created or Shipped there); none once supplied on or removed. */
  holder?: NoticeHolder;
  /** Customers (stage 6) who received it. */
  customers: NoticeParty[];
  /** Orders not yet settled that carry it. */
  openOrders: NoticeOrder[];
  /** The transaction that recalled it (at its origin stage when known); none when the index shows no recall. */
  recallTx?: string;
  /** The logistic units (SSCCs, 18 digits) it is packed in now, its case before that case's pallet; none when loose. */
  packedIn?: string[];
}

const NOTICE_LOTS = `
SELECT l.lot_id::text AS lot_id, l.kind, l.species, l.weight_grams, l.gtin, l.lot_number,
  (SELECT r.tx_hash FROM recalls r WHERE r.lot_id = l.lot_id
   ORDER BY (r.stage = l.origin_stage) DESC, r.block, r.log_index LIMIT 1) AS recall_tx
FROM lots l WHERE l.lot_id = ANY($1::numeric[])`;

const NOTICE_STAGES = `
SELECT s.lot_id::text AS lot_id, s.stage, s.status, p.name, p.location, p.account
FROM lot_stages s LEFT JOIN participants p ON p.id = s.custodian_id
WHERE s.lot_id = ANY($1::numeric[])
ORDER BY s.lot_id, s.stage`;

const NOTICE_ORDERS = `
SELECT sl.lot_id::text AS lot_id, o.stage, o.order_id::text AS order_id, o.state, p.name, p.location, p.account
FROM shipment_lots sl
JOIN orders o ON o.stage = sl.stage AND o.order_id = sl.order_id
LEFT JOIN participants p ON p.id = o.buyer_id
WHERE sl.lot_id = ANY($1::numeric[]) AND o.state = ANY($2::text[])
ORDER BY sl.lot_id, o.stage, o.order_id`;

interface NoticeLotRow {
  lot_id: string;
  kind: "catch" | "product";
  species: string;
  weight_grams: unknown;
  gtin: string | null;
  lot_number: string | null;
  recall_tx: string | null;
}

interface NoticePartyRow {
  lot_id: string;
  stage: unknown;
  name: string | null;
  location: string | null;
  account: string | null;
}

interface NoticeStageRow extends NoticePartyRow {
  status: string;
}

interface NoticeOrderRow extends NoticePartyRow {
  order_id: string;
  state: string;
}

function partyOf(row: NoticePartyRow): NoticeParty {
  return { name: textOrEmpty(row.name), location: textOrEmpty(row.location), account: textOrEmpty(row.account) };
}

function groupBy<R extends { lot_id: string }>(rows: readonly R[]): Map<bigint, R[]> {
  const out = new Map<bigint, R[]>();
  for (const row of rows) {
    const id = BigInt(row.lot_id);
    const list = out.get(id);
    if (list === undefined) out.set(id, [row]);
    else list.push(row);
  }
  return out;
}

/** The notice rows of `lotIds` (in that order; lots the index lacks are left out). */
export async function recallNotice(sql: Sql, lotIds: readonly bigint[]): Promise<RecallNoticeRow[]> {
  if (lotIds.length === 0) return [];
  const ids = lotIds.map(String);
  const [lotRows, stageRows, orderRows, unitRows] = await withIndexLookups(sql, async (tx) => [
    await tx.query<NoticeLotRow>(NOTICE_LOTS, [ids]),
    await tx.query<NoticeStageRow>(NOTICE_STAGES, [ids]),
    await tx.query<NoticeOrderRow>(NOTICE_ORDERS, [ids, [...OPEN_ORDER_STATES]]),
    await tx.query<{ lot_id: string; sscc: string }>(PACKED_IN, [ids]),
  ]);
  const units = groupBy(unitRows);
  const lots = new Map(lotRows.map((r) => [BigInt(r.lot_id), r]));
  const stages = groupBy(stageRows);
  const orders = groupBy(orderRows);
  const rows: RecallNoticeRow[] = [];
  for (const lotId of lotIds) {
    const lot = lots.get(lotId);
    if (lot === undefined) continue;
    const row: RecallNoticeRow = {
      lotId,
      kind: lot.kind,
      species: lot.species,
      weightGrams: numberOf(lot, "weight_grams"),
      customers: [],
      openOrders: [],
    };
    if (lot.gtin !== null) row.gtin = lot.gtin;
    if (lot.lot_number !== null) row.lotNumber = lot.lot_number;
    if (lot.gtin !== null && lot.lot_number !== null) {
      try {
        row.digitalLink = digitalLink(BigInt(lot.gtin), lot.lot_number);
      } catch {
        // A lot number the Digital Link form cannot carry: the lot keeps its GTIN and lot number only.
      }
    }
    const held = stages.get(lotId) ?? [];
    const latest = held.at(-1);
    if (latest !== undefined && (latest.status === "Created" || latest.status === "Shipped")) {
      row.holder = { stage: stageAt(latest.stage), status: latest.status, ...partyOf(latest) };
    }
    for (const s of held) {
      if (stageAt(s.stage) !== "customer") continue;
      const customer = partyOf(s);
      if (!row.customers.some((c) => c.account === customer.account)) row.customers.push(customer);
    }
    row.openOrders = (orders.get(lotId) ?? []).map((o) => ({
      stage: stageAt(o.stage),
      orderId: BigInt(o.order_id),
      state: o.state,
      buyer: partyOf(o),
    }));
    if (lot.recall_tx !== null) row.recallTx = lot.recall_tx;
    const packedIn = (units.get(lotId) ?? []).map((u) => ssccText(u.sscc));
    if (packedIn.length > 0) row.packedIn = packedIn;
    rows.push(row);
  }
  return rows;
}

export const NOTICE_COLUMNS = [
  "lot_id",
  "kind",
  "species",
  "weight_kg",
  "gtin",
  "lot_number",
  "digital_link",
  "holder_stage",
  "holder_status",
  "holder_name",
  "holder_location",
  "holder_account",
  "customers",
  "open_orders",
  "recall_tx",
  "packed_in",
] as const;

/** A field quoted as RFC 4180 asks: in double quotes (doubled inside) when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Kilograms as plain decimal text (no thousands separators): 120000 g → "120", 400 g → "0.4". */
export function kilograms(weightGrams: number): string {
  const whole = Math.trunc(weightGrams / 1000);
  const rest = weightGrams % 1000;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(3, "0").replace(/0+$/, "")}`;
}

function partyText(p: NoticeParty): string {
  const where = p.location === "" ? "" : ` @ ${p.location}`;
  return `${p.name === "" ? "unnamed" : p.name}${where} (${p.account})`;
}

/** One notice row as CSV fields, in `NOTICE_COLUMNS` order. */
export function noticeFields(row: RecallNoticeRow): string[] {
  return [
    lotIdText(row.lotId),
    row.kind,
    row.species,
    kilograms(row.weightGrams),
    row.gtin ?? "",
    row.lotNumber ?? "",
    row.digitalLink ?? "",
    row.holder?.stage ?? "",
    row.holder?.status ?? "",
    row.holder?.name ?? "",
    row.holder?.location ?? "",
    row.holder?.account ?? "",
    row.customers.map(partyText).join("; "),
    row.openOrders.map((o) => `${o.stage} order ${o.orderId} ${o.state}: ${partyText(o.buyer)}`).join("; "),
    row.recallTx ?? "",
    (row.packedIn ?? []).join("; "),
  ];
}

/** The notice as RFC 4180 CSV: a header line, one line per lot, CRLF line ends. */
export function noticeCsv(rows: readonly RecallNoticeRow[]): string {
  const lines = [NOTICE_COLUMNS.join(","), ...rows.map((r) => noticeFields(r).map(csvField).join(","))];
  return lines.map((l) => `${l}\r\n`).join("");
}
