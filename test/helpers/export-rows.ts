/**
 * A small known journey inserted straight into an in-memory trace index (src/index/schema.ts), for the export tests:
 *
 * - catch 1 (wild COD, 500 kg, vessel NO-123-TR, FAO 27.2.a, OTB) and catch 2 (farmed COD, 300 kg, with a
 *   reading at the harvester: cooling);
 * - harvester → supplier (order 1@1, shipment, receipt), supplier → manufacturer (order 1@2);
 * - processing 77 into loins (L2027-001) and fillets (F2027-001);
 * - manufacturer → distributor (1@3), distributor → retailer (1@4, a road route, arrival);
 * - a sensor batch at the distributor with an excursion, a QAT scan of the loins at the retailer;
 * - retailer → customer: the loins (1@5);
 * - a recall of the fillets at the manufacturer, forwarded to the distributor and the retailer.
 */
import { openIndex, type Sql } from "../../src/index/db.js";
import { SCHEMA } from "../../src/index/schema.js";
import { gtinCheckDigit, productLotId } from "../../src/core/digital-link.js";
import type { MasterData } from "../../src/exports/master-data.js";

export const CHAIN_ID = 31337n;
/** 2027-01-15T08:00:00Z. */
export const T = 1_800_000_000;

const withCheck = (body: string): string => body + String(gtinCheckDigit(body));

export const GLN = {
  harvester: withCheck("703801000001"),
  manufacturer: withCheck("703801000002"),
  distributor: withCheck("703801000003"),
};

export const PARTIES = {
  harvester: { id: 1, name: "harvester1", location: GLN.harvester },
  supplier: { id: 2, name: "supplier1", location: "Supplier quay, Tromsø" },
  manufacturer: { id: 3, name: "manufacturer1", location: GLN.manufacturer },
  distributor: { id: 4, name: "distributor1", location: GLN.distributor },
  retailer: { id: 5, name: "retailer1", location: "Retailer Oslo" },
  customer: { id: 6, name: "customer1", location: "" },
  regulator: { id: 7, name: "regulator1", location: "Fiskeridirektoratet" },
  qat: { id: 8, name: "qat1", location: "" },
  gateway: { id: 9, name: "gateway1", location: "" },
} as const;

export const GTIN = { loins: withCheck("0703801012345"), fillets: withCheck("0703801012346") };
export const LOT_NUMBER = { loins: "L2027-001", fillets: "F2027-001" };

export const LOTS = {
  wild: 1n,
  farmed: 2n,
  loins: productLotId(BigInt(GTIN.loins), LOT_NUMBER.loins),
  fillets: productLotId(BigInt(GTIN.fillets), LOT_NUMBER.fillets),
};

export const PROCESS_ID = 77n;

/** Master data for the journey: every GDST vessel KDE, the parties' business names, addresses and policies. */
export const MASTER_DATA: MasterData = {
  vessels: new Map([
    [
      "NO-123-TR",
      {
        name: "MV Nordkapp",
        flag: "NO",
        imo: "IMO9241061",
        publicRegistry: "https://www.fiskeridir.no/",
        satelliteTrackingAuthority: "Fiskeridirektoratet VMS",
        rfmoArea: "urn:gdst:rfmo:NEAFC",
        economicZone: "urn:gdst:eez:NO",
        subnationalPermitArea: "Troms",
        fisheryImprovementProject: "None",
        tripStart: T - 3 * 86_400,
        tripEnd: T - 1_800,
        unloadingPort: "Tromsø harbour",
      },
    ],
  ]),
  parties: new Map([
    [
      GLN.harvester,
      {
        name: "Nordkapp Fiskeri AS",
        address: "Havnegata 1, Tromsø",
        phone: "+47 77 00 00 01",
        humanWelfarePolicy: "3P Audit",
        aquacultureMethod: "net pens",
      },
    ],
    [
      "supplier1",
      { name: "Supplier AS", address: "Kaia 2, Tromsø", phone: "+47 77 00 00 02", humanWelfarePolicy: "Internal" },
    ],
    [
      GLN.manufacturer,
      {
        name: "Manufacturer AS",
        address: "Fabrikkveien 3, Bodø",
        phone: "+47 75 00 00 03",
        humanWelfarePolicy: "Internal",
      },
    ],
    [
      GLN.distributor,
      {
        name: "Distributor AS",
        address: "Lagerveien 4, Oslo",
        phone: "+47 22 00 00 04",
        humanWelfarePolicy: "Internal",
      },
    ],
    [
      "retailer1",
      { name: "Retailer AS", address: "Torget 5, Oslo", phone: "+47 22 00 00 05", humanWelfarePolicy: "None" },
    ],
    ["customer1", { name: "Customer", address: "Gata 6, Oslo", phone: "+47 900 00 006", humanWelfarePolicy: "None" }],
  ]),
  locations: new Map([
    ["Retailer Oslo, dock 3", { name: "Retailer AS, dock 3", address: "Torget 5, Oslo", phone: "+47 22 00 00 05" }],
  ]),
  certificates: [
    {
      id: "MSC-F-1",
      kind: "harvest",
      issuer: "DNV",
      standard: "MSC Fisheries Standard",
      validFrom: T - 365 * 86_400,
      validTo: T + 365 * 86_400,
      subject: "vessel:NO-123-TR",
    },
    {
      id: "MSC-C-1",
      kind: "chainOfCustody",
      issuer: "Bureau Veritas",
      standard: "MSC Chain of Custody Standard",
      subject: `party:${GLN.manufacturer}`,
    },
    // Expired before the journey: on no event.
    { id: "OLD-1", kind: "harvest", issuer: "X", standard: "Y", validTo: T - 86_400, subject: "vessel:NO-123-TR" },
  ],
};

const tx = (n: number): string => `0x${n.toString(16).padStart(64, "0")}`;

export interface ExportWorld {
  index: Sql;
}

/** A fresh index holding the journey above: in memory, or PGlite in `dir` (for the tasks, which open their own). */
export async function exportWorld(dir = "memory://"): Promise<ExportWorld> {
  const index = await openIndex({ dir, databaseUrl: "" });
  await index.exec(SCHEMA);
  await insertJourney(index);
  return { index };
}

async function insertJourney(sql: Sql): Promise<void> {
  const q = (text: string, params: unknown[]) =>
    sql.query(
      text,
      params.map((v) => (typeof v === "bigint" ? v.toString() : v)),
    );
  for (const [i, p] of Object.values(PARTIES).entries()) {
    await q("INSERT INTO participants (id, account, name, location) VALUES ($1, $2, $3, $4)", [
      p.id,
      `0x${(i + 1).toString(16).padStart(40, "0")}`,
      p.name,
      p.location,
    ]);
  }
  for (let b = 10; b <= 30; b++) {
    await q("INSERT INTO blocks (number, hash, time) VALUES ($1, $2, $3)", [b, tx(1000 + b), T + (b - 10) * 100]);
  }
  await q("INSERT INTO meta (key, value) VALUES ($1, $2)", ["chain_id", CHAIN_ID.toString()]);
  const { wild, farmed, loins, fillets } = LOTS;

  // Catches.
  const lot = `INSERT INTO lots (lot_id, kind, species, weight_grams, origin_stage, created_block, created_time,
      tx_hash, harvester_id, caught_at, latitude, longitude, catch_area, vessel, gear, farmed, frozen)
    VALUES ($1, 'catch', 'COD', $2, 1, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $12, false)`;
  await q(lot, [wild, 500_000, 10, T, tx(10), T - 3600, 7_010_000, 2_050_000, "27.2.a", "NO-123-TR", "OTB", false]);
  await q(lot, [farmed, 300_000, 11, T + 60, tx(11), T + 30, 6_950_000, 1_800_000, "27.2.b", "", "", true]);
  // The farmed lot cooled at the harvester (reading).
  await q(
    `INSERT INTO readings (block, log_index, stage, lot_id, reporter_id, read_at, temperature, humidity, latitude,
       longitude) VALUES (12, 0, 1, $1, 1, $2, 150, 80, 6950000, 1800000)`,
    [farmed, T + 120],
  );
  await q(
    "INSERT INTO events (block, log_index, tx_hash, contract, name, args) VALUES (12, 0, $1, 'harvester', 'FishUpdated', '{}')",
    [tx(12)],
  );

  // Orders: seller stage, order 1 each; all paid.
  const order = async (stage: number, seller: number, buyer: number, grams: number, placed: number, settled: number) =>
    q(
      `INSERT INTO orders (stage, order_id, seller_id, buyer_id, species, weight_grams, price, ship_by, ack_window,
         state, placed_time, shipped_time, delivered_time, settled_time)
       VALUES ($1, 1, $2, $3, 'COD', $4, $5, $6, 172800, 'Paid', $7, $8, $9, $9)`,
      [
        stage,
        seller,
        buyer,
        grams,
        (BigInt(stage) * 10n ** 18n).toString(),
        placed + 86400,
        placed,
        placed + 100,
        settled,
      ],
    );
  const ship = async (
    stage: number,
    block: number,
    time: number,
    grams: number,
    lots: bigint[],
    route?: { origin: string; destination: string; mode: string; vehicle: string; arrived: string },
  ) => {
    await q(
      `INSERT INTO shipments (stage, order_id, shipment_no, weight_grams, origin, destination, mode, vehicle,
         arrived_location, block, time, tx_hash) VALUES ($1, 1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        stage,
        grams,
        route?.origin ?? null,
        route?.destination ?? null,
        route?.mode ?? null,
        route?.vehicle ?? null,
        route?.arrived ?? null,
        block,
        time,
        tx(block),
      ],
    );
    for (const id of lots)
      await q("INSERT INTO shipment_lots (stage, order_id, lot_id) VALUES ($1, 1, $2)", [stage, id]);
  };
  /** The buyer stage receives `lots` (order 1 of the seller stage) at `time`, custody moved in `block`. */
  const receive = async (
    stage: number,
    custodian: number,
    from: number,
    block: number,
    time: number,
    lots: bigint[],
  ) => {
    for (const [i, id] of lots.entries()) {
      await q(
        `INSERT INTO lot_stages (lot_id, stage, custodian_id, status, received_order, received_time)
         VALUES ($1, $2, $3, 'Created', 1, $4)`,
        [id, stage, custodian, time],
      );
      await q(
        `INSERT INTO custody (block, log_index, stage, lot_id, from_id, to_id, order_id, time, tx_hash)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)`,
        [block, i, stage - 1, id, from, custodian, time, tx(block)],
      );
      await q("UPDATE lot_stages SET status = 'Supplied' WHERE lot_id = $1 AND stage = $2", [id, stage - 1]);
    }
  };

  for (const id of [wild, farmed]) {
    await q("INSERT INTO lot_stages (lot_id, stage, custodian_id, status) VALUES ($1, 1, 1, 'Created')", [id]);
  }
  await order(1, 1, 2, 800_000, T + 100, T + 300);
  await ship(1, 13, T + 200, 800_000, [wild, farmed]);
  await receive(2, 2, 1, 14, T + 300, [wild, farmed]);

  await order(2, 2, 3, 800_000, T + 400, T + 600);
  await ship(2, 16, T + 500, 800_000, [wild, farmed]);
  await receive(3, 3, 2, 17, T + 600, [wild, farmed]);

  // Processing: 450 kg of catch 1 and 270 kg of catch 2 into loins (400 kg) and fillets (200 kg).
  await q(
    `INSERT INTO processes (process_id, manufacturer_id, produced_grams, yield_bps, block, time, tx_hash)
     VALUES ($1, 3, 600000, 8333, 18, $2, $3)`,
    [PROCESS_ID, T + 700, tx(18)],
  );
  const product = `INSERT INTO lots (lot_id, kind, species, weight_grams, origin_stage, created_block, created_time,
      tx_hash, gtin, lot_number, process_id) VALUES ($1, 'product', 'COD', $2, 3, 18, $3, $4, $5, $6, $7)`;
  await q(product, [loins, 400_000, T + 700, tx(18), GTIN.loins, LOT_NUMBER.loins, PROCESS_ID]);
  await q(product, [fillets, 200_000, T + 700, tx(18), GTIN.fillets, LOT_NUMBER.fillets, PROCESS_ID]);
  const edge = "INSERT INTO lineage (parent_id, child_id, process_id, consumed_grams) VALUES ($1, $2, $3, $4)";
  // Every input × every output, each edge carrying what the parent gave to the whole process (as the indexer does).
  for (const child of [loins, fillets]) {
    await q(edge, [wild, child, PROCESS_ID, 450_000]);
    await q(edge, [farmed, child, PROCESS_ID, 270_000]);
  }
  for (const id of [wild, farmed]) {
    await q("UPDATE lot_stages SET status = 'Removed', removed_reason = 'consumed' WHERE lot_id = $1 AND stage = 3", [
      id,
    ]);
  }
  for (const id of [loins, fillets]) {
    await q("INSERT INTO lot_stages (lot_id, stage, custodian_id, status) VALUES ($1, 3, 3, 'Created')", [id]);
  }

  await order(3, 3, 4, 600_000, T + 800, T + 1000);
  await ship(3, 20, T + 900, 600_000, [loins, fillets]);
  await receive(4, 4, 3, 21, T + 1000, [loins, fillets]);

  // The distributor's sensor batch: 6.5 °C at most, an excursion for chilled fish.
  await q(
    `INSERT INTO sensor_batches (root, gateway_id, stage, from_time, to_time, count, minimum, maximum, mean, block,
       time, tx_hash) VALUES ($1, 9, 4, $2, $3, 30, 100, 650, 300, 22, $4, $5)`,
    [tx(0xbeef), T + 1000, T + 1040, T + 1050, tx(22)],
  );
  for (const id of [loins, fillets]) {
    await q("INSERT INTO sensor_batch_lots (root, lot_id) VALUES ($1, $2)", [tx(0xbeef), id]);
  }
  await q(
    `INSERT INTO flags (block, log_index, lot_id, stage, kind, detail, time)
     VALUES (22, 1, $1, NULL, 'excursion', '{"maximum": 650}', $2)`,
    [loins, T + 1050],
  );

  await order(4, 4, 5, 600_000, T + 1100, T + 1400);
  await ship(4, 23, T + 1200, 600_000, [loins, fillets], {
    origin: GLN.distributor,
    destination: "Retailer Oslo",
    mode: "road",
    vehicle: "AB12345",
    arrived: "Retailer Oslo, dock 3",
  });
  await receive(5, 5, 4, 24, T + 1400, [loins, fillets]);

  // QAT scan of the loins at the retailer.
  await q(
    `INSERT INTO scans (device_id, reading_id, lot_id, species, species_confidence, grade, grade_confidence,
       scanned_at, block, log_index, tx_hash) VALUES (8, 42, $1, 'COD', 97, 8, 90, $2, 25, 0, $3)`,
    [loins, T + 1450, tx(25)],
  );

  // The loins sold to the customer.
  await order(5, 5, 6, 400_000, T + 1500, T + 1700);
  await ship(5, 27, T + 1600, 400_000, [loins]);
  await receive(6, 6, 5, 28, T + 1700, [loins]);

  // The fillets recalled at the manufacturer, forwarded to the distributor and the retailer.
  for (const [i, stage] of [3, 4, 5].entries()) {
    await q(
      `INSERT INTO recalls (lot_id, stage, regulator_id, reason, block, log_index, time, tx_hash)
       VALUES ($1, $2, 7, 'Listeria monocytogenes', 30, $3, $4, $5)`,
      [fillets, stage, i, T + 2000, tx(30)],
    );
    await q("UPDATE lot_stages SET flags = flags | 32 WHERE lot_id = $1 AND stage = $2", [fillets, stage]);
  }
}
