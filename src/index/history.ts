/**
 * The chain history as the trace index holds it (src/index/schema.ts), in the analytics' typed shape: lots, every
 * delivered shipment as a leg (the readings of its lots between shipment and delivery, the anchored sensor batch
 * that falls inside that window), QAT scans and processings. What the chain does not hold — the buyer's intake
 * weighing — comes from a relay stream, by leg id.
 */
import type { Sql } from "./db.js";
import type { ChainHistory, LegRecord, LotRecord, ProcessRecord, ScanRecord } from "../core/chain-history.js";
import { numberOf } from "./rows.js";

export interface IndexedHistoryOptions {
  /** Intake weighings (grams) by leg id ("<stage>:<order id>"), from the receiving stations' stream. */
  intake?: ReadonlyMap<string, number>;
  /** The product key yields are compared under, from a product lot's GTIN-14 (default: the GTIN itself). */
  productOf?: (gtin: string) => string;
}

/** Reads the whole indexed history (one query per table). */
export async function historyFromIndex(sql: Sql, options: IndexedHistoryOptions = {}): Promise<ChainHistory> {
  const productOf = options.productOf ?? ((gtin: string) => gtin);
  const lotRows = await sql.query<{
    lot_id: string;
    kind: "catch" | "product";
    species: string;
    weight_grams: string | number;
    created_time: string | number;
    frozen: boolean | null;
    gtin: string | null;
  }>(`SELECT lot_id::text AS lot_id, kind, species, weight_grams, created_time, frozen, gtin FROM lots`);
  const lots: LotRecord[] = lotRows.map((r) => ({
    lotId: r.lot_id,
    kind: r.kind,
    species: r.species,
    weightGrams: numberOf(r, "weight_grams"),
    createdAt: numberOf(r, "created_time"),
    frozen: r.frozen === true,
  }));
  const lotById = new Map(lots.map((l) => [l.lotId, l]));
  const gtinOf = new Map(lotRows.map((r) => [r.lot_id, r.gtin]));

  const shipmentRows = await sql.query<{
    stage: number;
    order_id: string;
    weight_grams: string | number;
    species: string;
    shipped: string | number;
    delivered: string | number;
    lot_ids: string[];
  }>(
    `SELECT s.stage, s.order_id::text AS order_id, s.weight_grams, o.species, s.time AS shipped,
       o.delivered_time AS delivered,
       (SELECT array_agg(sl.lot_id::text ORDER BY sl.lot_id) FROM shipment_lots sl
         WHERE sl.stage = s.stage AND sl.order_id = s.order_id) AS lot_ids
     FROM shipments s JOIN orders o ON o.stage = s.stage AND o.order_id = s.order_id
     WHERE o.delivered_time IS NOT NULL ORDER BY s.time, s.stage, s.order_id`,
  );
  const readingRows = await sql.query<{ lot_id: string; read_at: string | number; temperature: number }>(
    `SELECT lot_id::text AS lot_id, read_at, temperature FROM readings ORDER BY read_at, block, log_index`,
  );
  const readingsOf = new Map<string, { readAt: number; temperature: number }[]>();
  for (const r of readingRows) {
    const list = readingsOf.get(r.lot_id) ?? [];
    list.push({ readAt: numberOf(r, "read_at"), temperature: r.temperature });
    readingsOf.set(r.lot_id, list);
  }
  const batchRows = await sql.query<{
    lot_id: string;
    from_time: string | number;
    to_time: string | number;
    count: number;
    minimum: number;
    maximum: number;
    mean: number;
  }>(
    `SELECT bl.lot_id::text AS lot_id, b.from_time, b.to_time, b.count, b.minimum, b.maximum, b.mean
     FROM sensor_batches b JOIN sensor_batch_lots bl ON bl.root = b.root ORDER BY b.from_time`,
  );

  const batchesOf = new Map<string, (typeof batchRows)[number][]>();
  for (const b of batchRows) {
    const list = batchesOf.get(b.lot_id) ?? [];
    list.push(b);
    batchesOf.set(b.lot_id, list);
  }

  const legs: LegRecord[] = shipmentRows.map((s) => {
    const departedAt = numberOf(s, "shipped");
    const arrivedAt = numberOf(s, "delivered");
    const lotIds = s.lot_ids ?? [];
    const legId = `${s.stage}:${s.order_id}`;
    // One reading per time (a reading posted for every lot of a shipment is one temperature).
    const byTime = new Map<number, number>();
    for (const lotId of lotIds) {
      for (const r of readingsOf.get(lotId) ?? []) {
        if (r.readAt >= departedAt && r.readAt <= arrivedAt && !byTime.has(r.readAt))
          byTime.set(r.readAt, r.temperature);
      }
    }
    const batch = lotIds
      .flatMap((lotId) => batchesOf.get(lotId) ?? [])
      .find((b) => numberOf(b, "from_time") >= departedAt && numberOf(b, "to_time") <= arrivedAt);
    const first = lotById.get(lotIds[0] ?? "");
    return {
      legId,
      stage: s.stage,
      lotIds,
      species: s.species,
      frozen: first?.frozen ?? false,
      departedAt,
      arrivedAt,
      shippedGrams: numberOf(s, "weight_grams"),
      receivedGrams: options.intake?.get(legId),
      readings: [...byTime].sort((a, b) => a[0] - b[0]).map(([readAt, temperature]) => ({ readAt, temperature })),
      summary:
        batch === undefined
          ? undefined
          : {
              from: numberOf(batch, "from_time"),
              to: numberOf(batch, "to_time"),
              count: batch.count,
              minimum: batch.minimum,
              maximum: batch.maximum,
              mean: batch.mean,
            },
    };
  });

  const scans: ScanRecord[] = (
    await sql.query<{
      lot_id: string;
      scanned_at: string | number;
      species: string;
      species_confidence: number;
      grade: number;
      grade_confidence: number;
    }>(
      `SELECT lot_id::text AS lot_id, scanned_at, species, species_confidence, grade, grade_confidence FROM scans
       ORDER BY scanned_at`,
    )
  ).map((r) => ({
    lotId: r.lot_id,
    scannedAt: numberOf(r, "scanned_at"),
    species: r.species,
    speciesConfidence: r.species_confidence,
    grade: r.grade,
    gradeConfidence: r.grade_confidence,
  }));

  const processRows = await sql.query<{
    process_id: string;
    produced_grams: string | number;
    time: string | number;
    inputs: string[];
    consumed: (string | number)[];
    outputs: string[];
  }>(
    `SELECT p.process_id::text AS process_id, p.produced_grams, p.time,
       (SELECT array_agg(x.parent_id::text ORDER BY x.parent_id) FROM (SELECT DISTINCT parent_id, consumed_grams
         FROM lineage WHERE process_id = p.process_id) x) AS inputs,
       (SELECT array_agg(x.consumed_grams ORDER BY x.parent_id) FROM (SELECT DISTINCT parent_id, consumed_grams
         FROM lineage WHERE process_id = p.process_id) x) AS consumed,
       (SELECT array_agg(DISTINCT child_id::text) FROM lineage WHERE process_id = p.process_id) AS outputs
     FROM processes p ORDER BY p.time, p.process_id`,
  );
  const processes: ProcessRecord[] = processRows.map((p) => {
    const outputs = p.outputs ?? [];
    const first = outputs[0] ?? "";
    return {
      processId: p.process_id,
      species: lotById.get(first)?.species ?? "",
      product: productOf(gtinOf.get(first) ?? ""),
      inputLotIds: p.inputs ?? [],
      outputLotIds: outputs,
      consumedGrams: (p.consumed ?? []).reduce<number>((sum, g) => sum + Number(g), 0),
      producedGrams: numberOf(p, "produced_grams"),
      time: numberOf(p, "time"),
    };
  });

  return { lots, legs, scans, processes };
}
