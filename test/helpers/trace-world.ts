/**
 * The shared fixture of the trace, recall and export tests: a whole journey on a fresh deployment, indexed into
 * an in-memory PGlite index.
 *
 * The journey: harvester1 registers two COD catches, A (300 kg) and B (200 kg); its gateway logs their hold
 * temperature (FishUpdated) and anchors a sensor batch for both. supplier1 buys both (placed, shipped, delivered,
 * acknowledged, paid); supplier1's QAT device scans catch A. manufacturer1 buys both and processes all of A and
 * 50 kg of B into two product lots, "loins" (120 kg) and "fillets" (100 kg), both with lot number NK-2026-11-20.
 * distributor1 buys both packs and takes them to retailer1 by road (ShipmentDispatched, ShipmentArrived);
 * retailer1 sells the loins to customer1. The fillets stay at retailer1; catch B's remaining 150 kg stay at
 * manufacturer1. Every order is paid. Order and shipment ids are per order book: each selling stage has order 1.
 *
 * Use it with `networkHelpers.loadFixture(traceWorld)`, then **call `sync()` before querying**: loadFixture
 * restores the chain but not the index (PGlite keeps whatever a previous test indexed). `sync()` notices an index
 * ahead of the restored chain (its last block's hash is gone) and rebuilds it from the fixture's first block, so
 * after `sync()` the index always matches the chain. `loadTraceWorld()` does both.
 */
import { encodeBytes32String, Wallet, id } from "ethers";

import { openIndex, type Sql } from "../../src/index/db.js";
import { syncIndex } from "../../src/index/sync.js";
import { qatDomain, signReading, type QatReading } from "../../src/core/qat.js";
import { sensorTree, summarize, type SensorReading } from "../../src/core/sensors.js";
import { centiCelsius, degrees, fixedText, grams } from "../../src/core/units.js";
import { bookAt, gtin, lotNumber, order, processLots, sell } from "./chain.js";
import { COD, deployWorld, ethers, networkHelpers, registerLot, time, type World } from "./fixtures.js";

/** The order (and shipment) of each selling stage's sale in the journey, by the seller's stage. */
export interface JourneyOrders {
  /** harvester1 → supplier1: catches A and B. */
  harvester: bigint;
  /** supplier1 → manufacturer1: catches A and B. */
  supplier: bigint;
  /** manufacturer1 → distributor1: loins and fillets. */
  manufacturer: bigint;
  /** distributor1 → retailer1: loins and fillets, with a route. */
  distributor: bigint;
  /** retailer1 → customer1: the loins. */
  retailer: bigint;
}

export interface TraceWorld {
  world: World;
  /** An in-memory PGlite index of this deployment, built from `startBlock`. */
  index: Sql;
  /** Brings `index` up to date with the chain (rebuilding it when the chain was restored below it). */
  sync(): Promise<void>;
  catches: { a: bigint; b: bigint };
  packs: { loins: bigint; fillets: bigint };
  orders: JourneyOrders;
  /** Shipment numbers, by the seller's stage. */
  shipments: JourneyOrders;
  /** The process that made the packs (consumed 300 kg of A, 50 kg of B). */
  processId: bigint;
  /** GTINs (uint64) of the packs, and their shared lot number. */
  gtins: { loins: bigint; fillets: bigint };
  lotNumber: string;
  /** The QAT scan of catch A at the supplier (stage 2), by `world.cast.qat` (participant `deviceId`). */
  scan: { deviceId: bigint; readingId: bigint; lotId: bigint; grade: number };
  /** The sensor batch anchored at the harvester (stage 1) for both catches by `world.cast.gateway`. */
  sensor: { root: string; gatewayId: bigint; lotIds: bigint[]; readings: SensorReading[] };
  /** Route of the distributor's shipment. */
  route: { origin: string; destination: string; mode: "road"; vehicle: string };
  /** The first block of the deployment (the index starts here). */
  startBlock: number;
}

export const LOINS_GTIN = gtin("0703801000001");
export const FILLETS_GTIN = gtin("0703801000002");
export const LOT_NUMBER = "NK-2026-11-20";
const HUB = "7080003000098";
const SHOP = "7080003000111";
const VEHICLE = "EL 12345";
const SENSOR = new Wallet(id("FishTrace trace world: hold sensor")).address;

/** The fixture: deploys, walks the journey, indexes it. Not `loadFixture`-safe to query without `sync()`. */
export async function traceWorld(): Promise<TraceWorld> {
  const startBlock = (await ethers.provider.getBlockNumber()) + 1;
  const w = await deployWorld();
  const { cast, ids } = w;
  const chainId = (await ethers.provider.getNetwork()).chainId;

  // 1. Catches with hold readings and an anchored sensor batch, at the harvester.
  const a = await registerLot(w, cast.harvester1, { weightGrams: grams("300kg") });
  const b = await registerLot(w, cast.harvester1, { weightGrams: grams("200kg") });
  const now = await time.latest();
  for (const lotId of [a, b]) {
    await w.harvester
      .connect(cast.gateway)
      .updateFish(lotId, centiCelsius(1.5), 90, degrees(69.7, "latitude"), degrees(18.9, "longitude"), now);
  }
  const start = (await time.latest()) - 600;
  const readings: SensorReading[] = Array.from({ length: 8 }, (_, i) => ({
    sensor: SENSOR,
    readAt: start + 60 * i,
    temperature: 100 + 20 * i,
    humidity: 85 + i,
  }));
  const tree = sensorTree(readings);
  await w.qualityLedger.connect(cast.gateway).anchorReadings(1, [a, b], tree.root, summarize(readings));

  // 2. harvester1 → supplier1, paid; the supplier's QAT device scans catch A.
  const toSupplier = await sell(w, 1, cast.harvester1, cast.supplier1, [a, b]);
  await bookAt(w, 1).connect(cast.harvester1).withdraw(toSupplier.orderId);
  const reading: QatReading = {
    readingId: 1n,
    lotId: a,
    species: COD,
    speciesConfidence: 97,
    grade: 9,
    gradeConfidence: 90,
    scannedAt: await time.latest(),
    device: cast.qat.address,
  };
  const signature = await signReading(cast.qat, qatDomain(chainId, w.addresses.qualityLedger), reading);
  await w.qualityLedger.connect(cast.relayer).submitScan(2, reading, signature);

  // 3. supplier1 → manufacturer1, paid; all of A and 50 kg of B become loins and fillets.
  const toManufacturer = await sell(w, 2, cast.supplier1, cast.manufacturer1, [a, b]);
  await bookAt(w, 2).connect(cast.supplier1).withdraw(toManufacturer.orderId);
  const lot = lotNumber(LOT_NUMBER);
  const made = await processLots(
    w,
    cast.manufacturer1,
    [
      { lotId: a, grams: 0 },
      { lotId: b, grams: grams("50kg") },
    ],
    [
      { gtin: LOINS_GTIN, lotNumber: lot, weightGrams: grams("120kg"), frozen: false },
      { gtin: FILLETS_GTIN, lotNumber: lot, weightGrams: grams("100kg"), frozen: false },
    ],
  );
  const [loins, fillets] = made.productLotIds as [bigint, bigint];

  // 4. manufacturer1 → distributor1, paid; distributor1 → retailer1 by road, arrival confirmed, paid.
  const toDistributor = await sell(w, 3, cast.manufacturer1, cast.distributor1, [loins, fillets]);
  await bookAt(w, 3).connect(cast.manufacturer1).withdraw(toDistributor.orderId);
  const toRetailer = await order(w, 4, cast.retailer1, cast.distributor1, {
    species: COD,
    weightGrams: grams("220kg"),
  });
  const routeShipment = 4_001n;
  await w.distributor.connect(cast.distributor1).dispatch(toRetailer, routeShipment, [loins, fillets], {
    origin: encodeBytes32String(HUB),
    destination: encodeBytes32String(SHOP),
    mode: 0n,
    vehicle: fixedText(VEHICLE, 16, "vehicle"),
  });
  await w.distributor.connect(cast.retailer1).confirmArrival(toRetailer, encodeBytes32String(SHOP));
  await w.distributor.connect(cast.retailer1).acknowledge(toRetailer, routeShipment, [loins, fillets]);
  await bookAt(w, 4).connect(cast.distributor1).withdraw(toRetailer);

  // 5. retailer1 → customer1: the loins, paid. The fillets stay at the retailer.
  const toCustomer = await sell(w, 5, cast.retailer1, cast.customer1, [loins]);
  await bookAt(w, 5).connect(cast.retailer1).withdraw(toCustomer.orderId);

  const index = await openIndex({ dir: "memory://" });
  const sync = async () => {
    await syncIndex(index, ethers.provider, w.addresses, { fromBlock: startBlock, onMismatch: "reset" });
  };
  await sync();

  return {
    world: w,
    index,
    sync,
    catches: { a, b },
    packs: { loins, fillets },
    orders: {
      harvester: toSupplier.orderId,
      supplier: toManufacturer.orderId,
      manufacturer: toDistributor.orderId,
      distributor: toRetailer,
      retailer: toCustomer.orderId,
    },
    shipments: {
      harvester: toSupplier.shipmentNo,
      supplier: toManufacturer.shipmentNo,
      manufacturer: toDistributor.shipmentNo,
      distributor: routeShipment,
      retailer: toCustomer.shipmentNo,
    },
    processId: made.processId,
    gtins: { loins: LOINS_GTIN, fillets: FILLETS_GTIN },
    lotNumber: LOT_NUMBER,
    scan: { deviceId: ids.qat, readingId: reading.readingId, lotId: a, grade: reading.grade },
    sensor: { root: tree.root, gatewayId: ids.gateway, lotIds: [a, b], readings },
    route: { origin: HUB, destination: SHOP, mode: "road", vehicle: VEHICLE },
    startBlock,
  };
}

/** `loadFixture(traceWorld)` and `sync()`: the journey, its index matching the chain. */
export async function loadTraceWorld(): Promise<TraceWorld> {
  const tw = await networkHelpers.loadFixture(traceWorld);
  await tw.sync();
  return tw;
}
