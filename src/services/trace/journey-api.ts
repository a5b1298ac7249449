/**
 * What the trace API's journey and participant endpoints answer (src/core/api/journey-json.ts), built from the trace
 * index: a lot's trace graph (src/index/trace.ts) beside its journey's events (src/index/journey.ts), the alarms
 * raised on the lots of its closure (the `flags` and `recalls` tables) with a line for people, each lot's cold-chain
 * band; and what an actor view lists for one account (the lots it holds, its orders not settled). Every read runs
 * inside `withIndexLookups`, like the trace.
 */
import type { Sql } from "../../index/db.js";
import { digitalLink, elementString } from "../../core/digital-link.js";
import { loadJourney } from "../../index/journey.js";
import type { Journey, LotFacts } from "../../core/api/journey-types.js";
import { celsius } from "../../core/format.js";
import { coldChainBandText } from "../../core/cold-chain.js";
import { InputError } from "../../core/input-error.js";
import { alarmNames, coldChainBand, LOT_FLAGS } from "../../core/vocabulary.js";
import {
  JOURNEY_PAGE,
  type AlarmJson,
  type BandJson,
  type EventPage,
  type JourneyJson,
  type ParticipantJson,
} from "../../core/api/journey-json.js";
import { OPEN_ORDER_STATES, traceLot, withIndexLookups } from "../../index/trace.js";
import { jsonify, traceJson } from "../../core/trace/tree.js";
import type { LotNode, Party } from "../../core/trace/types.js";
import { stageOfNumber } from "../../core/stages.js";
import {
  jsonObject,
  numberOf,
  numberOrZero,
  optionalNumber,
  partyRow,
  textOf,
  textOrEmpty,
  type Row,
} from "../../index/rows.js";

function stageText(stage: number | undefined): string {
  if (stage === undefined) return "";
  try {
    return ` at the ${stageOfNumber(stage)}`;
  } catch {
    return ` at the stage ${stage}`;
  }
}

const ALARM_KINDS: readonly AlarmJson["kind"][] = [
  "recalled",
  "species_mismatch",
  "freshness_warning",
  "excursion",
  "cold_chain",
  "problem",
  "flagged",
];

/** The kind of an alarm row (a `flags.kind`, or "recalled" for a recall). */
function alarmKind(row: Row): AlarmJson["kind"] {
  const kind = textOf(row, "kind");
  const known = ALARM_KINDS.find((k) => k === kind);
  if (known === undefined) throw new Error(`the index has an alarm of kind ${kind}, which is not an alarm kind`);
  return known;
}

/** The int16 minimum a frozen band reports for "no lower bound" (`ColdChain.FROZEN_MIN`). */
const NO_MINIMUM = -32_768;

function bandLine(minimum: number, maximum: number): string {
  return coldChainBandText(minimum <= NO_MINIMUM ? { max: maximum } : { min: minimum, max: maximum }, "alarm");
}

function partyName(parties: Map<number, Party>, id: number): string {
  const p = parties.get(id);
  return p !== undefined && p.name !== "" ? p.name : `participant ${id}`;
}

const LEDGER_KINDS = new Set(["species_mismatch", "freshness_warning", "excursion"]);

/** One line for people saying what a `flags` row of `kind` with `detail` means. */
export function alarmText(
  kind: AlarmJson["kind"],
  stage: number | undefined,
  detail: Record<string, unknown>,
  parties: Map<number, Party> = new Map(),
): string {
  const d = (key: string) => numberOrZero(detail[key]);
  switch (kind) {
    case "species_mismatch": {
      const registered = textOrEmpty(detail.registered);
      const previous = textOrEmpty(detail.previous);
      const was = previous !== "" && previous !== registered ? `, last scanned as ${previous}` : "";
      return (
        `Species mismatch: registered as ${registered}${was}, scanned as ${textOrEmpty(detail.scanned)} ` +
        `(${d("confidence")} % confidence)`
      );
    }
    case "freshness_warning":
      return (
        `Freshness warning: grade ${d("previousGrade")} → ${d("grade")} in ${(d("elapsed") / 3_600).toFixed(1)} h, ` +
        `a drop of ${d("drop") / 100} grades where ${d("allowedDrop") / 100} are allowed`
      );
    case "excursion":
      return (
        `Cold-chain excursion in a sensor batch: ${celsius(d("minimum"))} to ${celsius(d("maximum"))}, ` +
        `outside ${bandLine(d("bandMinimum"), d("bandMaximum"))}`
      );
    case "cold_chain":
      return (
        `Cold-chain excursion${stageText(stage)}: ${celsius(d("temperature"))}, ` +
        `outside ${bandLine(d("minimum"), d("maximum"))}`
      );
    case "problem": {
      const extra = textOrEmpty(detail.detail);
      const who = detail.customerId === undefined ? "a customer" : partyName(parties, d("customerId"));
      return `Problem reported by ${who}: ${textOrEmpty(detail.reason)}${extra === "" ? "" : ` (${extra})`}`;
    }
    case "flagged": {
      const names = alarmNames(d("flags")).map((n) => n.toLowerCase().replace(/_/g, " "));
      return `Flagged${stageText(stage)}: ${names.length === 0 ? "no alarm" : names.join(", ")}`;
    }
    case "recalled": {
      const by = detail.regulatorId === undefined ? "" : ` by ${partyName(parties, d("regulatorId"))}`;
      return `Recalled${stageText(stage)}${by}: ${textOrEmpty(detail.reason)}`;
    }
  }
}

const ALARMS = `
SELECT 'flag' AS source, f.lot_id::text AS lot_id, f.stage, f.kind, f.detail, f.time, f.block, f.log_index,
       NULL::int AS regulator_id, NULL::text AS reason, NULL::text AS tx_hash
FROM flags f WHERE f.lot_id = ANY($1::numeric[])
UNION ALL
SELECT 'recall', r.lot_id::text, r.stage, 'recalled', NULL::jsonb, r.time, r.block, r.log_index, r.regulator_id,
       r.reason, r.tx_hash
FROM recalls r WHERE r.lot_id = ANY($1::numeric[])
ORDER BY block, log_index`;

/**
 * Every alarm raised on `lots`, in chain order: the `flags` rows and the recalls. A `flagged` row that only echoes
 * a quality-ledger alarm of the same lot in the same block (the ledger's SpeciesMismatch, FreshnessWarning or
 * SensorExcursion makes the stage emit LotFlagged) is left out: the ledger's row says more.
 */
async function loadAlarms(sql: Sql, lots: string[], parties: Map<number, Party>): Promise<AlarmJson[]> {
  const rows = await sql.query<Row>(ALARMS, [lots]);
  const ledger = new Set(
    rows
      .filter((r) => LEDGER_KINDS.has(textOf(r, "kind")))
      .map((r) => `${textOf(r, "lot_id")}:${numberOf(r, "block")}`),
  );
  const alarms: AlarmJson[] = [];
  for (const r of rows) {
    const kind = alarmKind(r);
    if (kind === "flagged" && ledger.has(`${textOf(r, "lot_id")}:${numberOf(r, "block")}`)) continue;
    const stage = optionalNumber(r.stage);
    const detail: Record<string, unknown> =
      r.source === "recall"
        ? {
            regulatorId: numberOf(r, "regulator_id"),
            regulator: partyName(parties, numberOf(r, "regulator_id")),
            reason: textOf(r, "reason"),
            txHash: textOf(r, "tx_hash"),
          }
        : jsonObject(r.detail);
    const alarm: AlarmJson = {
      lotId: textOf(r, "lot_id"),
      kind,
      time: numberOf(r, "time"),
      text: alarmText(kind, stage, detail, parties),
      detail,
    };
    if (stage !== undefined) alarm.stage = stage;
    alarms.push(alarm);
  }
  return alarms;
}

/**
 * The cold-chain band of each lot: the band a chain event reported for it (ColdChainExcursion, SensorExcursion),
 * else its product form — a catch's declared FROZEN, and for a product lot (whose form is in no event) frozen when
 * a reading or sensor batch of it went below 0 °C without an excursion being raised.
 */
interface BandLot {
  lotId: bigint;
  kind: "catch" | "product";
  /** A catch's declared form. */
  frozen: boolean;
}

async function loadBands(sql: Sql, lots: BandLot[]): Promise<BandJson[]> {
  const ids = lots.map((l) => l.lotId.toString());
  const rows = await sql.query<Row>(
    `SELECT l.lot_id::text AS lot_id,
       COALESCE((SELECT bit_or(s.flags) FROM lot_stages s WHERE s.lot_id = l.lot_id), 0) AS flags,
       (SELECT f.detail FROM flags f WHERE f.lot_id = l.lot_id AND f.kind IN ('cold_chain', 'excursion')
        ORDER BY f.block, f.log_index LIMIT 1) AS reported,
       (SELECT f.kind FROM flags f WHERE f.lot_id = l.lot_id AND f.kind IN ('cold_chain', 'excursion')
        ORDER BY f.block, f.log_index LIMIT 1) AS reported_kind,
       LEAST((SELECT min(r.temperature) FROM readings r WHERE r.lot_id = l.lot_id),
             (SELECT min(b.minimum) FROM sensor_batches b JOIN sensor_batch_lots bl USING (root)
              WHERE bl.lot_id = l.lot_id)) AS coldest
     FROM lots l WHERE l.lot_id = ANY($1::numeric[])`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [textOf(r, "lot_id"), r]));
  return lots.map((lot) => {
    const id = lot.lotId.toString();
    const r = byId.get(id);
    const reported = r?.reported === null || r?.reported === undefined ? undefined : jsonObject(r.reported);
    let min: number | undefined;
    let max: number;
    if (reported !== undefined) {
      const excursion = r?.reported_kind === "excursion";
      min = numberOrZero(excursion ? reported.bandMinimum : reported.minimum);
      max = numberOrZero(excursion ? reported.bandMaximum : reported.maximum);
      if (min <= NO_MINIMUM) min = undefined;
    } else {
      const frozen =
        lot.kind === "catch"
          ? lot.frozen || (numberOrZero(r?.flags) & LOT_FLAGS.FROZEN) !== 0
          : r?.coldest !== null && r?.coldest !== undefined && numberOrZero(r.coldest) < 0;
      ({ min, max } = coldChainBand(frozen ? LOT_FLAGS.FROZEN : 0));
    }
    return min === undefined ? { lotId: id, max } : { lotId: id, min, max };
  });
}

/** The GS1 keys of a product lot, when its lot number fits a Digital Link. */
function productKeys(
  lot: Pick<LotFacts, "kind" | "gtin" | "lotNumber"> | undefined,
  node?: Pick<LotNode, "kind" | "gtin" | "lotNumber">,
): JourneyJson["product"] {
  const gtin = lot?.gtin ?? node?.gtin;
  const lotNumber = lot?.lotNumber ?? node?.lotNumber;
  if ((lot ?? node)?.kind !== "product" || gtin === undefined || lotNumber === undefined) return undefined;
  try {
    const key = { gtin: BigInt(gtin), lot: lotNumber };
    return { gtin, lotNumber, digitalLink: digitalLink(key.gtin, key.lot), elementString: elementString(key) };
  } catch {
    return undefined;
  }
}

const byBigint = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The journey of `lotId` as the dApp draws it: its trace (both directions), its journey's events in chain order,
 * every lot and party they name, the alarms of its closure and each lot's band. Throws `LotNotIndexedError` (a 404
 * in the API) for a lot the index does not know.
 */
export async function loadJourneyJson(
  sql: Sql,
  lotId: bigint,
  chainId: bigint | number,
  page: { offset?: number; limit?: number } = {},
): Promise<JourneyJson> {
  return withIndexLookups(sql, async (tx) => {
    const graph = await traceLot(tx, lotId, "both");
    const offset = page.offset ?? 0;
    const limit = page.limit ?? JOURNEY_PAGE;
    // The page of scans and readings is read from the index as a page (LIMIT/OFFSET), never the whole list.
    const journey = await loadJourney(tx, { kind: "lot", lotId }, BigInt(chainId), { bulk: { offset, limit } });
    const closure = [...(journey.closure ?? new Set([lotId]))].sort(byBigint);
    const lots = [...journey.lots.values()].sort((a, b) => byBigint(a.lotId, b.lotId));
    const parties = new Map(journey.parties);
    for (const node of graph.lots.values()) {
      if (node.catch !== undefined && !parties.has(node.catch.harvester.id)) {
        parties.set(node.catch.harvester.id, node.catch.harvester);
      }
      for (const s of node.stages) if (!parties.has(s.custodian.id)) parties.set(s.custodian.id, s.custodian);
    }
    // Regulators and reporting customers of the alarms.
    const missing = await tx.query<Row>(
      `SELECT p.id, p.account, p.name, p.location FROM participants p
       WHERE p.id IN (SELECT regulator_id FROM recalls WHERE lot_id = ANY($1::numeric[])
                      UNION SELECT (detail->>'customerId')::int FROM flags
                      WHERE kind = 'problem' AND lot_id = ANY($1::numeric[]))`,
      [closure.map(String)],
    );
    for (const r of missing) {
      const party = partyRow(numberOf(r, "id"), r.account, r.name, r.location);
      parties.set(party.id, party);
    }
    const alarms = await loadAlarms(tx, closure.map(String), parties);
    const bandLots = new Map<bigint, BandLot>();
    for (const node of graph.lots.values()) {
      bandLots.set(node.lotId, { lotId: node.lotId, kind: node.kind, frozen: node.catch?.frozen === true });
    }
    for (const l of lots) bandLots.set(l.lotId, { lotId: l.lotId, kind: l.kind, frozen: l.catch?.frozen === true });
    const bands = await loadBands(
      tx,
      [...bandLots.values()].sort((a, b) => byBigint(a.lotId, b.lotId)),
    );
    const product = productKeys(journey.lots.get(lotId), graph.lots.get(lotId));
    const json: JourneyJson = {
      lotId: lotId.toString(),
      chainId: BigInt(chainId).toString(),
      indexedTo: graph.indexedTo.block,
      trace: traceJson(graph),
      lots: lots.map((l) => jsonify(l)),
      parties: [...parties.values()].sort((a, b) => a.id - b.id),
      events: journey.events.map((e) => jsonify(e)),
      eventPage: eventPageOf(journey.bulk ?? { offset, limit, total: { scan: 0, reading: 0 } }),
      alarms,
      bands,
    };
    if (product !== undefined) json.product = product;
    return json;
  });
}

/** Where a page of scans and readings sits among them all. */
function eventPageOf(bulk: NonNullable<Journey["bulk"]>): EventPage {
  const all = bulk.total.scan + bulk.total.reading;
  return { ...bulk, next: bulk.offset + bulk.limit < all ? bulk.offset + bulk.limit : null };
}

/** `value` as an account address; a one-line InputError otherwise. */
export function accountAddress(value: string): string {
  const account = value.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(account)) {
    throw new InputError(`account "${value}" is not an address (0x followed by 40 hex digits)`);
  }
  return account;
}

const HELD = `
SELECT s.lot_id::text AS lot_id, s.stage, s.status, s.flags, l.species, l.weight_grams, l.gtin, l.lot_number,
       COALESCE(s.received_time, l.created_time) AS since
FROM lot_stages s JOIN lots l ON l.lot_id = s.lot_id
WHERE s.custodian_id = $1 AND s.status IN ('Created', 'Shipped')
  AND NOT EXISTS (SELECT 1 FROM lot_stages n WHERE n.lot_id = s.lot_id AND n.stage > s.stage)
ORDER BY since DESC, s.lot_id DESC`;

const ORDERS = `
SELECT o.stage, o.order_id::text AS order_id, o.state, o.species, o.weight_grams, o.price::text AS price,
       o.seller_id, sp.account AS s_account, sp.name AS s_name, sp.location AS s_location,
       o.buyer_id, bp.account AS b_account, bp.name AS b_name, bp.location AS b_location,
       COALESCE((SELECT string_agg(sl.lot_id::text, ',' ORDER BY sl.lot_id) FROM shipment_lots sl
                 WHERE sl.stage = o.stage AND sl.order_id = o.order_id), '') AS lots
FROM orders o
LEFT JOIN participants sp ON sp.id = o.seller_id
LEFT JOIN participants bp ON bp.id = o.buyer_id
WHERE (o.seller_id = $1 OR o.buyer_id = $1) AND o.state = ANY($2::text[])
ORDER BY o.placed_time DESC, o.stage DESC, o.order_id DESC`;

/**
 * What an actor view lists for `account`: the participant it is (absent when not enrolled), the lots it holds now
 * (Created or Shipped at their latest stage), newest first, and its orders not settled as buyer or seller, newest
 * first. Throws an InputError (a 400) when `account` is not an address.
 */
export async function loadParticipantJson(sql: Sql, account: string): Promise<ParticipantJson> {
  const address = accountAddress(account);
  return withIndexLookups(sql, async (tx) => {
    const [head] = await tx.query<{ block: unknown }>(`SELECT COALESCE(MAX(next_block), 0) - 1 AS block FROM cursor`);
    const indexedTo = optionalNumber(head?.block) ?? -1;
    const [p] = await tx.query<Row>(
      `SELECT id, account, name, location FROM participants WHERE lower(account) = lower($1)`,
      [address],
    );
    if (p === undefined) return { account: address, lots: [], orders: [], indexedTo };
    const participant = partyRow(numberOf(p, "id"), p.account, p.name, p.location);
    const lots: ParticipantJson["lots"] = (await tx.query<Row>(HELD, [participant.id])).map((r) => {
      const lot: ParticipantJson["lots"][number] = {
        lotId: textOf(r, "lot_id"),
        stage: numberOf(r, "stage"),
        status: textOf(r, "status"),
        species: textOf(r, "species"),
        weightGrams: numberOf(r, "weight_grams"),
        flags: numberOf(r, "flags"),
      };
      if (r.gtin !== null && r.gtin !== undefined && r.lot_number !== null && r.lot_number !== undefined) {
        try {
          lot.digitalLink = digitalLink(BigInt(textOf(r, "gtin")), textOf(r, "lot_number"));
        } catch {
          // A lot number a Digital Link cannot carry: the lot is listed without one.
        }
      }
      return lot;
    });
    const orders: ParticipantJson["orders"] = (
      await tx.query<Row>(ORDERS, [participant.id, [...OPEN_ORDER_STATES]])
    ).map((r) => ({
      stage: numberOf(r, "stage"),
      orderId: textOf(r, "order_id"),
      side: numberOf(r, "seller_id") === participant.id ? "seller" : "buyer",
      state: textOf(r, "state"),
      seller: partyRow(numberOf(r, "seller_id"), r.s_account, r.s_name, r.s_location),
      buyer: partyRow(numberOf(r, "buyer_id"), r.b_account, r.b_name, r.b_location),
      species: textOf(r, "species"),
      weightGrams: numberOf(r, "weight_grams"),
      price: textOf(r, "price"),
      lotIds: textOf(r, "lots") === "" ? [] : textOf(r, "lots").split(","),
    }));
    return { account: address, participant, lots, orders, indexedTo };
  });
}
