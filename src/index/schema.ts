/**
 * The trace index's tables (PostgreSQL dialect: PGlite and PostgreSQL alike). Every row comes from a contract event
 * of one deployment; `events` keeps each decoded event as it was (block, log index, transaction), the other tables
 * are what the trace, the recall and the exports query. Lot, order and process ids are `numeric(78)` (uint256):
 * both drivers return them as decimal strings, read them with `BigInt`.
 *
 * A lot id names the same lot at every stage; a row of `lot_stages` is the lot at one stage (its custodian there,
 * its status and flags). Only processing makes new ids: `lineage` holds parent → child edges.
 */

/** Bumped when a table changes: an index built by another version is rebuilt from the chain. */
export const SCHEMA_VERSION = 1;

/** A logistic unit's packing event and, once unpacked, its unpacking event: columns of `unit_lots` and `unit_units`. */
const PACKED_AND_UNPACKED = `block bigint NOT NULL,
  log_index int NOT NULL,
  time bigint NOT NULL,
  tx_hash text NOT NULL,
  unpack_stage smallint,             -- null while packed
  unpacker_id int,
  unpacked_block bigint,
  unpacked_log_index int,
  unpacked_time bigint,
  unpacked_tx_hash text,`;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS cursor (
  deployment text PRIMARY KEY,       -- "<chainId>:<registry address>"
  next_block bigint NOT NULL,        -- the first block not yet indexed
  last_hash text,                    -- hash of block next_block - 1 (a reset or deep reorg is noticed)
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS blocks (number bigint PRIMARY KEY, hash text NOT NULL, time bigint NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  block bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  contract text NOT NULL,            -- registry, harvester … customer, qualityLedger, packing
  name text NOT NULL,
  args jsonb NOT NULL,               -- decoded, bigints as decimal strings
  PRIMARY KEY (block, log_index)
);
CREATE INDEX IF NOT EXISTS events_name ON events (name);
CREATE TABLE IF NOT EXISTS participants (
  id int PRIMARY KEY,
  account text NOT NULL UNIQUE,
  name text NOT NULL DEFAULT '',
  location text NOT NULL DEFAULT '',
  revoked boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS species (code text PRIMARY KEY, name text NOT NULL, listed boolean NOT NULL DEFAULT true);
CREATE TABLE IF NOT EXISTS lots (
  lot_id numeric(78) PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('catch', 'product')),
  species text NOT NULL,             -- FAO 3-alpha code ("COD")
  weight_grams bigint NOT NULL,
  origin_stage smallint NOT NULL,    -- 1 for a catch, 3 for a product lot
  created_block bigint NOT NULL,
  created_time bigint NOT NULL,
  tx_hash text NOT NULL,
  -- a catch (FishRegistered)
  harvester_id int,
  caught_at bigint,
  latitude int,                      -- 1e-5 degrees
  longitude int,
  catch_area text,
  vessel text,
  gear text,
  farmed boolean,
  frozen boolean,
  -- a product lot (ProductLotCreated)
  gtin text,                         -- 14 digits
  lot_number text,
  process_id numeric(78)
);
CREATE TABLE IF NOT EXISTS processes (
  process_id numeric(78) PRIMARY KEY,
  manufacturer_id int NOT NULL,
  produced_grams bigint NOT NULL,
  yield_bps int NOT NULL,
  block bigint NOT NULL,
  time bigint NOT NULL,
  tx_hash text NOT NULL
);
CREATE TABLE IF NOT EXISTS lineage (
  parent_id numeric(78) NOT NULL,
  child_id numeric(78) NOT NULL,
  process_id numeric(78) NOT NULL,
  consumed_grams bigint NOT NULL,    -- of the parent, in this process
  PRIMARY KEY (parent_id, child_id)
);
CREATE INDEX IF NOT EXISTS lineage_child ON lineage (child_id);
CREATE TABLE IF NOT EXISTS lot_stages (
  lot_id numeric(78) NOT NULL,
  stage smallint NOT NULL,           -- 1 harvester … 6 customer
  custodian_id int NOT NULL,
  status text NOT NULL CHECK (status IN ('Created', 'Shipped', 'Supplied', 'Removed')),
  flags int NOT NULL DEFAULT 0,      -- LotFlags bits (RECALLED, SPECIES_MISMATCH, …)
  received_order numeric(78),        -- the previous stage's order it came with
  received_time bigint,
  removed_reason text,
  PRIMARY KEY (lot_id, stage)
);
CREATE INDEX IF NOT EXISTS lot_stages_custodian ON lot_stages (custodian_id);
CREATE TABLE IF NOT EXISTS orders (
  stage smallint NOT NULL,           -- the seller's stage (order ids are per order book)
  order_id numeric(78) NOT NULL,
  seller_id int NOT NULL,
  buyer_id int NOT NULL,
  species text NOT NULL,
  weight_grams bigint NOT NULL,
  price numeric(78) NOT NULL,        -- wei
  ship_by bigint,
  ack_window bigint,
  state text NOT NULL,               -- vocabulary.ts ORDER_STATE names
  placed_time bigint NOT NULL,
  shipped_time bigint,
  delivered_time bigint,
  settled_time bigint,
  reject_reason text,
  PRIMARY KEY (stage, order_id)
);
CREATE TABLE IF NOT EXISTS shipments (
  stage smallint NOT NULL,
  order_id numeric(78) NOT NULL,
  shipment_no numeric(20) NOT NULL,
  weight_grams bigint NOT NULL,
  origin text,                       -- a distributor's route (ShipmentDispatched)
  destination text,
  mode text,
  vehicle text,
  arrived_location text,
  block bigint NOT NULL,
  time bigint NOT NULL,
  tx_hash text NOT NULL,
  PRIMARY KEY (stage, order_id)
);
CREATE TABLE IF NOT EXISTS shipment_lots (
  stage smallint NOT NULL,
  order_id numeric(78) NOT NULL,
  lot_id numeric(78) NOT NULL,
  PRIMARY KEY (stage, order_id, lot_id)
);
CREATE INDEX IF NOT EXISTS shipment_lots_lot ON shipment_lots (lot_id);
CREATE TABLE IF NOT EXISTS custody (
  block bigint NOT NULL,
  log_index int NOT NULL,
  stage smallint NOT NULL,           -- the seller's stage
  lot_id numeric(78) NOT NULL,
  from_id int NOT NULL,
  to_id int NOT NULL,
  order_id numeric(78) NOT NULL,
  time bigint NOT NULL,
  tx_hash text NOT NULL,
  PRIMARY KEY (block, log_index)
);
CREATE INDEX IF NOT EXISTS custody_lot ON custody (lot_id);
CREATE TABLE IF NOT EXISTS readings (
  block bigint NOT NULL,
  log_index int NOT NULL,
  stage smallint NOT NULL,
  lot_id numeric(78) NOT NULL,
  reporter_id int NOT NULL,
  read_at bigint NOT NULL,
  temperature int NOT NULL,          -- 0.01 °C
  humidity int NOT NULL,
  latitude int,
  longitude int,
  PRIMARY KEY (block, log_index)
);
CREATE INDEX IF NOT EXISTS readings_lot ON readings (lot_id);
CREATE TABLE IF NOT EXISTS scans (
  device_id int NOT NULL,
  reading_id numeric(20) NOT NULL,
  lot_id numeric(78) NOT NULL,
  species text NOT NULL,
  species_confidence int NOT NULL,
  grade int NOT NULL,
  grade_confidence int NOT NULL,
  scanned_at bigint NOT NULL,
  block bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  PRIMARY KEY (device_id, reading_id)
);
CREATE INDEX IF NOT EXISTS scans_lot ON scans (lot_id);
CREATE TABLE IF NOT EXISTS sensor_batches (
  root text PRIMARY KEY,
  gateway_id int NOT NULL,
  stage smallint NOT NULL,
  from_time bigint NOT NULL,
  to_time bigint NOT NULL,
  count int NOT NULL,
  minimum int NOT NULL,              -- 0.01 °C
  maximum int NOT NULL,
  mean int NOT NULL,
  block bigint NOT NULL,
  time bigint NOT NULL,
  tx_hash text NOT NULL
);
CREATE TABLE IF NOT EXISTS sensor_batch_lots (root text NOT NULL, lot_id numeric(78) NOT NULL, PRIMARY KEY (root, lot_id));
CREATE INDEX IF NOT EXISTS sensor_batch_lots_lot ON sensor_batch_lots (lot_id);
CREATE TABLE IF NOT EXISTS flags (
  block bigint NOT NULL,
  log_index int NOT NULL,
  lot_id numeric(78) NOT NULL,
  stage smallint,                    -- null for a ledger event (SpeciesMismatch, FreshnessWarning, SensorExcursion)
  kind text NOT NULL,                -- species_mismatch, freshness_warning, excursion, cold_chain, problem, flagged
  detail jsonb NOT NULL,
  time bigint NOT NULL,
  PRIMARY KEY (block, log_index)
);
CREATE INDEX IF NOT EXISTS flags_lot ON flags (lot_id);
CREATE TABLE IF NOT EXISTS recalls (
  lot_id numeric(78) NOT NULL,
  stage smallint NOT NULL,
  regulator_id int NOT NULL,
  reason text NOT NULL,
  block bigint NOT NULL,
  log_index int NOT NULL,
  time bigint NOT NULL,
  tx_hash text NOT NULL,
  PRIMARY KEY (lot_id, stage)
);
CREATE TABLE IF NOT EXISTS unit_lots (  -- a lot in a logistic unit (Packing: Packed, then perhaps Unpacked)
  sscc numeric(20) NOT NULL,         -- 18 digits, as a number
  lot_id numeric(78) NOT NULL,
  stage smallint NOT NULL,           -- where it was packed
  packer_id int NOT NULL,
  weight_grams bigint NOT NULL,      -- the lot's weight when packed
  ${PACKED_AND_UNPACKED}
  PRIMARY KEY (sscc, lot_id)
);
CREATE INDEX IF NOT EXISTS unit_lots_lot ON unit_lots (lot_id);
CREATE TABLE IF NOT EXISTS unit_units (  -- a logistic unit on a pallet (Packing: UnitsPacked, then perhaps UnitsUnpacked)
  sscc numeric(20) NOT NULL,         -- the pallet
  child_sscc numeric(20) NOT NULL,   -- a unit (a case of lots) on it
  position int NOT NULL,             -- its place in UnitsPacked's list
  stage smallint NOT NULL,           -- where it was packed
  packer_id int NOT NULL,
  ${PACKED_AND_UNPACKED}
  PRIMARY KEY (sscc, child_sscc)
);
CREATE INDEX IF NOT EXISTS unit_units_child ON unit_units (child_sscc);
`;
