/**
 * The supply chain as tests walk it: the six stages as descriptors, the two participants of the cast that hold
 * each stage's actor role, and helpers that move lots down the chain the only way lots move, through each pair's
 * order book (place, ship, confirm, acknowledge), so that a lot can be put at any stage in anyone's custody.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { AbiCoder, keccak256, toBeHex, type BigNumberish } from "ethers";

import { ACTOR_ROLES, type ActorRole } from "../../src/core/roles.js";
import { fixedText } from "../../src/core/units.js";
import {
  OrderBook__factory,
  Stage__factory,
  type ICustomer,
  type IHarvester,
  type IManufacturer,
  type OrderBook,
  type Stage,
} from "../../typechain-types/index.js";
import { DAY, ethers, registerLot, time, type Cast, type World } from "./fixtures.js";
import { STAGE_NAMES, type StageName } from "../../src/core/vocabulary.js";

/** One stage of the chain as the behaviour suite sees it. */
export interface StageInfo {
  name: StageName;
  /** 1 = Harvester … 6 = Customer. */
  number: number;
  /** The actor role custodians at this stage hold. */
  role: ActorRole;
  /** The actor role of the buyers (the next stage's), for the five stages that sell; undefined for the Customer. */
  buyerRole: ActorRole | undefined;
  /** The contract name, as in the artifacts. */
  contract: string;
}

export const STAGES: readonly StageInfo[] = STAGE_NAMES.map((name, i) => ({
  name,
  number: i + 1,
  role: ACTOR_ROLES[i]!,
  buyerRole: ACTOR_ROLES[i + 1],
  contract: name[0]!.toUpperCase() + name.slice(1),
}));

/** The descriptor of stage `n` (1 … 6). */
export function stageInfo(n: number): StageInfo {
  const info = STAGES[n - 1];
  if (info === undefined) throw new Error(`there is no stage ${n}`);
  return info;
}

/** Stage `n`'s contract through the ABI every stage shares (lots, custody, recall, hand-over). */
export function stageAt(world: World, n: number): Stage {
  return Stage__factory.connect(world.addresses[stageInfo(n).name], world.cast.admin);
}

/** Selling stage `n`'s contract through the ABI of the order book (which includes the stage's). */
export function bookAt(world: World, n: number): OrderBook {
  if (n < 1 || n > 5) throw new Error(`stage ${n} sells nothing`);
  return OrderBook__factory.connect(world.addresses[stageInfo(n).name], world.cast.admin);
}

/** The two participants of the cast that hold stage `n`'s actor role (and only it). */
export function actorsAt(world: World, n: number): [HardhatEthersSigner, HardhatEthersSigner] {
  const name = stageInfo(n).name;
  return [world.cast[`${name}1` as keyof Cast], world.cast[`${name}2` as keyof Cast]];
}

// ------------------------------------------------------------------ orders and sales

export interface OrderOptions {
  species: string;
  weightGrams: BigNumberish;
  price?: bigint;
  /** Default: a day after the latest block. */
  shipBy?: number;
  /** Default: two days. */
  ackWindow?: number;
}

/** `buyer` orders from `seller` at selling stage `n`; returns the order id, read from `OrderPlaced`. */
export async function order(
  world: World,
  n: number,
  buyer: HardhatEthersSigner,
  seller: HardhatEthersSigner,
  options: OrderOptions,
): Promise<bigint> {
  const book = bookAt(world, n).connect(buyer);
  const shipBy = options.shipBy ?? (await time.latest()) + DAY;
  const tx = await book.placeOrder(seller, options.species, options.weightGrams, shipBy, options.ackWindow ?? 2 * DAY, {
    value: options.price ?? ethers.parseEther("1"),
  });
  const receipt = await tx.wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = book.interface.parseLog(log);
    if (parsed?.name === "OrderPlaced") return parsed.args.orderId as bigint;
  }
  throw new Error("placeOrder emitted no OrderPlaced");
}

export interface Sale {
  orderId: bigint;
  shipmentNo: bigint;
  lotIds: bigint[];
}

export interface SaleOptions {
  price?: bigint;
  shipmentNo?: bigint;
  ackWindow?: number;
}

/** The species of the first lot and the total weight of `lotIds` at stage `n`. */
async function cargoOf(world: World, n: number, lotIds: readonly bigint[]): Promise<[string, bigint]> {
  const stage = stageAt(world, n);
  let weight = 0n;
  let species = "";
  for (const lotId of lotIds) {
    const lot = await stage.getLot(lotId);
    species ||= lot.species;
    weight += lot.weightGrams;
  }
  return [species, weight];
}

/** `buyer` orders exactly `lotIds` (their species and total weight) from `seller` at stage `n`, who ships them. */
export async function shipLots(
  world: World,
  n: number,
  seller: HardhatEthersSigner,
  buyer: HardhatEthersSigner,
  lotIds: readonly bigint[],
  options: SaleOptions = {},
): Promise<Sale> {
  const [species, weightGrams] = await cargoOf(world, n, lotIds);
  const orderId = await order(world, n, buyer, seller, { species, weightGrams, ...options });
  const shipmentNo = options.shipmentNo ?? 1_000n * BigInt(n) + orderId;
  await bookAt(world, n)
    .connect(seller)
    .initiateShipment(orderId, shipmentNo, [...lotIds]);
  return { orderId, shipmentNo, lotIds: [...lotIds] };
}

/**
 * Sells `lotIds` from `seller` at selling stage `n` to `buyer`: ordered, shipped, delivered and acknowledged, so
 * they end `Supplied` at stage `n` (recorded as `seller`'s) and `Created` in `buyer`'s custody at stage `n + 1`.
 */
export async function sell(
  world: World,
  n: number,
  seller: HardhatEthersSigner,
  buyer: HardhatEthersSigner,
  lotIds: readonly bigint[],
  options: SaleOptions = {},
): Promise<Sale> {
  const sale = await shipLots(world, n, seller, buyer, lotIds, options);
  const book = bookAt(world, n).connect(buyer);
  await book.confirmDelivery(sale.orderId);
  await book.acknowledge(sale.orderId, sale.shipmentNo, sale.lotIds);
  return sale;
}

/** Who holds the lots at each stage on their way down: by default the first participant of the stage. */
export type Holders = (n: number) => HardhatEthersSigner;

/** Moves `lotIds` from stage `from` (held by `holders(from)`) down to stage `to`, one sale per pair. */
export async function moveDown(
  world: World,
  lotIds: readonly bigint[],
  from: number,
  to: number,
  holders: Holders = (n) => actorsAt(world, n)[0],
): Promise<Sale[]> {
  const sales: Sale[] = [];
  for (let n = from; n < to; n++) sales.push(await sell(world, n, holders(n), holders(n + 1), lotIds));
  return sales;
}

/**
 * New catches of harvester1 (one per entry of `catches`, all of one species) brought down to stage `n` together,
 * held there by `holder` (default: the stage's first participant; upstream, each stage's first participant).
 */
export async function lotsAt(
  world: World,
  n: number,
  catches: Partial<IHarvester.CatchStruct>[] = [{}],
  holder?: HardhatEthersSigner,
): Promise<bigint[]> {
  // At the Harvester the holder is the one who registers the catch.
  const registrant = n === 1 && holder !== undefined ? holder : world.cast.harvester1;
  const lotIds: bigint[] = [];
  for (const c of catches) lotIds.push(await registerLot(world, registrant, c));
  await moveDown(world, lotIds, 1, n, (k) => (k === n && holder !== undefined ? holder : actorsAt(world, k)[0]));
  return lotIds;
}

/** One new catch brought down to stage `n` (see `lotsAt`). */
export async function lotAt(
  world: World,
  n: number,
  c: Partial<IHarvester.CatchStruct> = {},
  holder?: HardhatEthersSigner,
): Promise<bigint> {
  const [lotId] = await lotsAt(world, n, [c], holder);
  return lotId!;
}

// ------------------------------------------------------------------ raw access for hand-over tests

/** A lot as `LotCodec` packs it into one word (see contracts/libraries/LotCodec.sol). */
/** A bytes32 of `n`, for reasons and details. */
export function word32(n: BigNumberish): string {
  return toBeHex(n, 32);
}

// ------------------------------------------------------------------ products (GS1 GTIN + lot number)

/** `body` (up to 13 digits) with its GS1 mod-10 check digit appended, as the uint64 a GTIN-14 is stored as. */
export function gtin(body: string): bigint {
  if (!/^\d{1,13}$/.test(body)) throw new Error(`GTIN body "${body}" is not 1-13 digits`);
  let sum = 0;
  [...body].reverse().forEach((digit, i) => (sum += Number(digit) * (i % 2 === 0 ? 3 : 1)));
  return BigInt(body + String((10 - (sum % 10)) % 10));
}

/** A GS1 lot number (AI 10) as the right-padded bytes20 the Manufacturer takes. */
export function lotNumber(text: string): string {
  return fixedText(text, 20, "lot number");
}

/** The product lot id of (`gtin`, `lotNumber`): keccak256(abi.encode(uint64, bytes20)), as the Manufacturer derives it. */
export function productLotId(gtinValue: BigNumberish, lot: string): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint64", "bytes20"], [gtinValue, lot])));
}

/** Runs `processLots` as `manufacturer`; returns the process id and the product lot ids, read from `LotsProcessed`. */
export async function processLots(
  world: World,
  manufacturer: HardhatEthersSigner,
  inputs: IManufacturer.InputStruct[],
  outputs: IManufacturer.OutputStruct[],
): Promise<{ processId: bigint; productLotIds: bigint[] }> {
  const contract = world.manufacturer.connect(manufacturer);
  const receipt = await (await contract.processLots(inputs, outputs)).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === "LotsProcessed") {
      return {
        processId: parsed.args.processId as bigint,
        productLotIds: [...(parsed.args.productLotIds as bigint[])],
      };
    }
  }
  throw new Error("processLots emitted no LotsProcessed");
}

/** A provenance hop as plain fields, for deep comparison. */
export interface HopFields {
  stage: bigint;
  lotId: bigint;
  custodianId: bigint;
  status: bigint;
  flags: bigint;
  weightGrams: bigint;
}

/** The hops `verifyProvenance` returned, as plain fields. */
export function hopsOf(hops: readonly ICustomer.HopStructOutput[]): HopFields[] {
  return hops.map((h) => ({
    stage: h.stage,
    lotId: h.lotId,
    custodianId: h.custodianId,
    status: h.status,
    flags: h.flags,
    weightGrams: h.weightGrams,
  }));
}
