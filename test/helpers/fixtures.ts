/**
 * The shared FishTrace test world: one simulated network for the whole mocha run, the system deployed through
 * the Ignition module (the path tasks and demo use), and a cast of registered participants.
 *
 * Fixtures are loaded with `networkHelpers.loadFixture`, so each is built once and later restored from a
 * snapshot. A fixture never loads another fixture (nested snapshots would be invalidated by the outer restore).
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";

import { roleId, type RoleName } from "../../src/core/roles.js";
import { deployFishTrace } from "../../src/node/deploy.js";
import { addressesOf, type FishTrace, type FishTraceAddresses } from "../../src/node/system.js";
import { degrees, fixedText, grams, speciesCode } from "../../src/core/units.js";
import type { IHarvester } from "../../typechain-types/index.js";

export const connection = await network.create();
export const { ethers, networkHelpers } = connection;
export const { time } = networkHelpers;

// ------------------------------------------------------------------ vocabulary mirrored from the interfaces

/** `IStage.LotStatus`, as ethers returns enum values. */
export const LotStatus = { None: 0n, Created: 1n, Shipped: 2n, Supplied: 3n, Removed: 4n } as const;

/** `IStage.RemovalReason`. */
export const RemovalReason = { Discarded: 0n, Consumed: 1n, Sold: 2n, Lost: 3n, Other: 4n } as const;

/** `IOrderBook.OrderState`. */
export const OrderState = {
  None: 0n,
  Ordered: 1n,
  Shipped: 2n,
  Delivered: 3n,
  Acknowledged: 4n,
  Paid: 5n,
  Cancelled: 6n,
  Rejected: 7n,
  Refunded: 8n,
} as const;

/** `LotFlags`. */
export const Flag = {
  FROZEN: 1n,
  FARMED: 2n,
  EXCURSION: 4n,
  SPECIES_MISMATCH: 8n,
  FRESHNESS_WARNING: 16n,
  RECALLED: 32n,
  PROBLEM_REPORTED: 64n,
} as const;

/** Species codes as the contracts store them. COD and HAD are listed by the fixture, POK never is. */
export const COD = speciesCode("COD");
export const HAD = speciesCode("HAD");
export const POK = speciesCode("POK");

export const HOUR = 3_600;
export const DAY = 86_400;

// ------------------------------------------------------------------ the cast

/** Two participants per actor role (each holding only that role), a regulator, a relayer, two devices. */
export interface Cast {
  admin: HardhatEthersSigner;
  harvester1: HardhatEthersSigner;
  harvester2: HardhatEthersSigner;
  supplier1: HardhatEthersSigner;
  supplier2: HardhatEthersSigner;
  regulator: HardhatEthersSigner;
  /** A SENSOR_GATEWAY operated by harvester1. */
  gateway: HardhatEthersSigner;
  /** A QAT_DEVICE operated by supplier1. */
  qat: HardhatEthersSigner;
  /** Never registered. */
  outsider: HardhatEthersSigner;
  manufacturer1: HardhatEthersSigner;
  manufacturer2: HardhatEthersSigner;
  distributor1: HardhatEthersSigner;
  distributor2: HardhatEthersSigner;
  retailer1: HardhatEthersSigner;
  retailer2: HardhatEthersSigner;
  customer1: HardhatEthersSigner;
  customer2: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
}

export type Ids = Record<keyof Cast, bigint>;

export interface World extends FishTrace {
  /** The address of every contract. */
  addresses: FishTraceAddresses;
  cast: Cast;
  /** Each member's participant id as the registry assigned it (0 for the outsider). */
  ids: Ids;
}

/** The members of the cast in the order of the node's accounts. */
const CAST_ORDER = [
  "admin",
  "harvester1",
  "harvester2",
  "supplier1",
  "supplier2",
  "regulator",
  "gateway",
  "qat",
  "outsider",
  "manufacturer1",
  "manufacturer2",
  "distributor1",
  "distributor2",
  "retailer1",
  "retailer2",
  "customer1",
  "customer2",
  "relayer",
] as const satisfies readonly (keyof Cast)[];

/** The signers of the cast, in a fixed order of the node's accounts. */
export async function castOf(): Promise<Cast> {
  const signers = await ethers.getSigners();
  if (signers.length < CAST_ORDER.length)
    throw new Error(`the test network needs at least ${CAST_ORDER.length} accounts`);
  return Object.fromEntries(CAST_ORDER.map((name, i) => [name, signers[i]!])) as unknown as Cast;
}

/** The participants the world registers after the first cast (names, GLNs), in order of enrolment. */
const LATER_PARTICIPANTS: [keyof Cast, RoleName, string, string][] = [
  ["manufacturer1", "MANUFACTURER", "Lofoten Filet", "7080003000074"],
  ["manufacturer2", "MANUFACTURER", "Ålesund Foods", "7080003000081"],
  ["distributor1", "DISTRIBUTOR", "Nordic Cold Logistics", "7080003000098"],
  ["distributor2", "DISTRIBUTOR", "Arctic Reefer AS", "7080003000104"],
  ["retailer1", "RETAILER", "Fiskebrygga Market", "7080003000111"],
  ["retailer2", "RETAILER", "Kystbutikken", "7080003000128"],
  ["customer1", "CUSTOMER", "Kari Nordmann", "NO-OSL"],
  ["customer2", "CUSTOMER", "Ola Nordmann", "NO-BGO"],
  ["relayer", "RELAYER", "FishTrace relay", "NO-OSL"],
];

/**
 * Deploys FishTrace with Ignition (all six stages, attached and wired), registers the cast and lists COD and HAD.
 * Not a fixture itself.
 */
export async function deployWorld(): Promise<World> {
  const system = await deployFishTrace(connection);
  const { registry } = system;
  const cast = await castOf();

  await registry.registerParticipant(cast.harvester1, roleId("HARVESTER"), "FV Nordkapp", "7080003000012");
  await registry.registerParticipant(cast.harvester2, roleId("HARVESTER"), "FV Hamnøy", "7080003000029");
  await registry.registerParticipant(cast.supplier1, roleId("SUPPLIER"), "Lofoten Seafood", "7080003000036");
  await registry.registerParticipant(cast.supplier2, roleId("SUPPLIER"), "Bodø Fisk", "7080003000043");
  await registry.registerParticipant(cast.regulator, roleId("REGULATOR"), "Fiskeridirektoratet", "NO-BGO");
  await registry.registerDevice(cast.gateway, roleId("SENSOR_GATEWAY"), cast.harvester1);
  await registry.registerDevice(cast.qat, roleId("QAT_DEVICE"), cast.supplier1);
  for (const [name, role, label, location] of LATER_PARTICIPANTS) {
    await registry.registerParticipant(cast[name], roleId(role), label, location);
  }
  await registry.listSpecies(COD, "Atlantic cod");
  await registry.listSpecies(HAD, "Haddock");

  const addresses = await addressesOf(system);

  const entries = await Promise.all(
    (Object.entries(cast) as [keyof Cast, HardhatEthersSigner][]).map(
      async ([name, signer]) => [name, (await registry.authorization(signer)).id] as const,
    ),
  );
  return { ...system, addresses, cast, ids: Object.fromEntries(entries) as Ids };
}

/** Fixture: the deployed world, nothing else. */
export async function worldFixture(): Promise<World> {
  return deployWorld();
}

// ------------------------------------------------------------------ catches and lots

/** A catch of 250 kg of wild, fresh Atlantic cod, caught an hour before the latest block unless overridden. */
export async function aCatch(overrides: Partial<IHarvester.CatchStruct> = {}): Promise<IHarvester.CatchStruct> {
  return {
    species: COD,
    weightGrams: grams("250kg"),
    caughtAt: (await time.latest()) - HOUR,
    latitude: degrees(69.12345, "latitude"),
    longitude: degrees(18.12345, "longitude"),
    catchArea: fixedText("27.2.a", 8, "catch area"),
    vessel: fixedText("IMO9241061", 16, "vessel"),
    gear: fixedText("OTB", 8, "gear"),
    farmed: false,
    frozen: false,
    ...overrides,
  };
}

/** Registers a catch as `harvester` and returns the new lot id, read from `FishRegistered`. */
export async function registerLot(
  world: World,
  harvester: HardhatEthersSigner,
  overrides: Partial<IHarvester.CatchStruct> = {},
): Promise<bigint> {
  const contract = world.harvester.connect(harvester);
  const receipt = await (await contract.registerFish(await aCatch(overrides))).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === "FishRegistered") return parsed.args.lotId as bigint;
  }
  throw new Error("registerFish emitted no FishRegistered");
}

// ------------------------------------------------------------------ orders

export interface OrderTerms {
  buyer: HardhatEthersSigner;
  seller: HardhatEthersSigner;
  species: string;
  weightGrams: number;
  price: bigint;
  shipBy: number;
  ackWindow: number;
}

/** Default terms: supplier1 orders 400 kg of COD from harvester1 for 1 ETH, ship within a day, two days to ack. */
export async function termsOf(world: World, overrides: Partial<OrderTerms> = {}): Promise<OrderTerms> {
  return {
    buyer: world.cast.supplier1,
    seller: world.cast.harvester1,
    species: COD,
    weightGrams: grams("400kg"),
    price: ethers.parseEther("1"),
    shipBy: (await time.latest()) + DAY,
    ackWindow: 2 * DAY,
    ...overrides,
  };
}

/** Places an order and returns its id, read from `OrderPlaced`. */
export async function placeOrder(world: World, terms: OrderTerms): Promise<bigint> {
  const contract = world.harvester.connect(terms.buyer);
  const tx = await contract.placeOrder(terms.seller, terms.species, terms.weightGrams, terms.shipBy, terms.ackWindow, {
    value: terms.price,
  });
  const receipt = await tx.wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === "OrderPlaced") return parsed.args.orderId as bigint;
  }
  throw new Error("placeOrder emitted no OrderPlaced");
}

export interface Market extends World {
  /** Two 250 kg COD lots of harvester1: together they fill the order. */
  codLots: [bigint, bigint];
  /** A 300 kg HAD lot of harvester1. */
  hadLot: bigint;
  /** A 250 kg COD lot of harvester2. */
  otherHarvesterLot: bigint;
  /** Order `orderId` on the default terms, `Ordered`. */
  orderId: bigint;
  terms: OrderTerms;
  shipmentNo: bigint;
}

/** Fixture: the world with lots at the harvester and one order placed on the default terms. */
export async function marketFixture(): Promise<Market> {
  const world = await deployWorld();
  const { harvester1, harvester2 } = world.cast;
  const codLots: [bigint, bigint] = [await registerLot(world, harvester1), await registerLot(world, harvester1)];
  const hadLot = await registerLot(world, harvester1, { species: HAD, weightGrams: grams("300kg") });
  const otherHarvesterLot = await registerLot(world, harvester2);
  const terms = await termsOf(world);
  const orderId = await placeOrder(world, terms);
  return { ...world, codLots, hadLot, otherHarvesterLot, orderId, terms, shipmentNo: 77n };
}

/** Ships the market order with its two COD lots. */
export async function ship(market: Market): Promise<void> {
  await market.harvester
    .connect(market.cast.harvester1)
    .initiateShipment(market.orderId, market.shipmentNo, market.codLots);
}

/** Ships and confirms delivery of the market order (by the buyer); returns the acknowledgement deadline. */
export async function deliver(market: Market): Promise<bigint> {
  await ship(market);
  await market.harvester.connect(market.cast.supplier1).confirmDelivery(market.orderId);
  return (await market.harvester.getOrder(market.orderId)).deadline;
}

/** The participant id `signer` has in the registry. */
export async function idOf(world: World, signer: HardhatEthersSigner): Promise<bigint> {
  return (await world.registry.authorization(signer)).id;
}
