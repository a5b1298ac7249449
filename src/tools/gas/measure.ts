/**
 * Runs every FishTrace function in a realistic state (other lots and orders already exist, the slots a steady
 * stream of traffic keeps non-zero are non-zero) and measures its gas, one lot per call, as the paper did. Lots
 * really travel: the lots sold at one stage are the ones the next stage sells on.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { encodeBytes32String, parseEther, type ContractTransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { IHarvester } from "../../../typechain-types/index.js";
import { roleId, type RoleName } from "../../core/roles.js";
import { orderBook } from "../../core/stages.js";
import { deployFishTrace } from "../../node/deploy.js";
import type { FishTrace } from "../../node/system.js";
import { mined } from "../../node/tx.js";
import { latestBlockTime, registeredLots } from "../chain.js";
import { defined } from "../checked.js";
import { ssccWithCheckDigit } from "../../core/sscc.js";
import { fixedText, speciesCode } from "../../core/units.js";
import { intrinsicGas } from "./intrinsic.js";
import { measureIot, type IotMeasurement } from "./iot.js";
import { measureSponsored } from "./sponsored.js";
import type { SellingStageName, StageName } from "../../core/vocabulary.js";

export interface TxMeasurement {
  /** The stage contract called, or packing (logistic units). */
  contract: StageName | "packing";
  fn: string;
  transactionGas: number;
  executionGas: number;
  /** What the measured call did, so a reader can reproduce it. */
  scenario: string;
}

export interface ViewMeasurement {
  fn: string;
  executionGas: number;
  scenario: string;
}

export interface GasMeasurements {
  payable: TxMeasurement[];
  views: ViewMeasurement[];
  iot: IotMeasurement[];
}

type Connection = NetworkConnection & { ethers: HardhatEthers; networkHelpers: NetworkHelpers };

const DAY = 86_400;
const KG = 1_000;

/**
 * The benchmark runs at a fixed chain time (4,000,000,000 s: 2096-10-02) so that every timestamp it sends, and
 * so the calldata's zero and non-zero bytes, are the same run to run: gas is then deterministic.
 */
export const BENCHMARK_TIME = 4_000_000_000;

/** GS1 GTIN-14s with valid check digits for the two packs the benchmark's manufacturer makes. */
const FILLET_GTIN = 7_312_345_678_909n;
const LOIN_GTIN = 7_312_345_678_916n;

const ACTORS: readonly [StageName, RoleName, string][] = [
  ["harvester", "HARVESTER", "MV Nordkapp"],
  ["supplier", "SUPPLIER", "Bodø Fish Receiving"],
  ["manufacturer", "MANUFACTURER", "Lofoten Filleting"],
  ["distributor", "DISTRIBUTOR", "Arctic Cold Logistics"],
  ["retailer", "RETAILER", "Oslo Fish Market"],
  ["customer", "CUSTOMER", "A. Customer"],
];

/** A fresh wild catch of `kg` of `species` off Lofoten (68.12345° N, 14.54321° E), trawled: every benchmark's catch. */
export function lofotenCatch(species: string, kg: number, caughtAt: number): IHarvester.CatchStruct {
  return {
    species,
    weightGrams: kg * KG,
    caughtAt,
    latitude: 68_12345,
    longitude: 14_54321,
    catchArea: fixedText("27.2.a", 8, "catch area"),
    vessel: fixedText("IMO9241061", 16, "vessel"),
    gear: fixedText("OTB", 8, "gear"),
    farmed: false,
    frozen: false,
  };
}

/** Deploys a fresh system on `connection` and measures every function. Deterministic for a given compiler. */
export async function measureGas(connection: Connection): Promise<GasMeasurements> {
  const { ethers, networkHelpers } = connection;
  const system = await deployFishTrace(connection);
  const { registry, harvester, manufacturer, distributor, customer } = system;
  await networkHelpers.time.increaseTo(BENCHMARK_TIME);

  const signers = await ethers.getSigners();
  if (signers.length < 9) throw new Error("the network needs at least nine accounts");
  const account = (i: number) => defined(signers[i], `account #${i}`);
  // Accounts #1 to #6 act for the stages, in ACTORS' order; #7 is the regulator.
  const actor: Record<StageName, HardhatEthersSigner> = {
    harvester: account(1),
    supplier: account(2),
    manufacturer: account(3),
    distributor: account(4),
    retailer: account(5),
    customer: account(6),
  };
  for (const [i, [stage, role, name]] of ACTORS.entries()) {
    await (await registry.registerParticipant(actor[stage], roleId(role), name, `70800030000${i}`)).wait();
  }
  const regulator = account(7);
  await (await registry.registerParticipant(regulator, roleId("REGULATOR"), "Fisheries Directorate", "NO-FD")).wait();
  const COD = speciesCode("COD");
  await (await registry.listSpecies(COD, "Atlantic cod")).wait();

  const now = () => latestBlockTime(ethers.provider);
  const payable: TxMeasurement[] = [];
  /** Measures `sent`; a scenario given as a function is told the transaction's gas (a batch's gas per lot). */
  const measure = async (
    contract: StageName | "packing",
    fn: string,
    scenario: string | ((transactionGas: number) => string),
    sent: Promise<ContractTransactionResponse>,
  ) => {
    const tx = await sent;
    const receipt = defined(await tx.wait(), `the receipt of ${contract}.${fn}`);
    const transactionGas = Number(receipt.gasUsed);
    payable.push({
      contract,
      fn,
      transactionGas,
      executionGas: transactionGas - intrinsicGas(tx.data),
      scenario: typeof scenario === "string" ? scenario : scenario(transactionGas),
    });
  };
  const send = async (sent: Promise<ContractTransactionResponse>) => {
    await (await sent).wait();
  };

  // ---- stage 1: catches (lots 1-2 exist before the measured registration of lot 3)
  const catchOf = async (kg: number) => lofotenCatch(COD, kg, (await now()) - 3_600);
  const vessel = harvester.connect(actor.harvester);
  for (const kg of [300, 260, 240, 220]) await send(vessel.registerFish(await catchOf(kg)));
  await measure(
    "harvester",
    "registerFish",
    "fifth COD lot of the vessel (250 kg, fresh, wild)",
    vessel.registerFish(await catchOf(250)),
  );
  await send(vessel.removeFish(5, 0)); // keep lots 1-4 for the chain; lot 5 measured the registration
  await send(vessel.registerFish(await catchOf(40)));
  await measure("harvester", "removeFish", "discard lot 6 (other COD lots remain available)", vessel.removeFish(6, 0));

  const readings = async (stage: StageName, lotId: bigint) => {
    const contract = system[stage].connect(actor[stage]);
    await send(contract.updateFish(lotId, 210, 85, 68_12345, 14_54321, (await now()) - 60));
    await measure(
      stage,
      "updateFish",
      `second reading of lot ${shortId(lotId)} (2.2 °C, 85 %, position)`,
      contract.updateFish(lotId, 220, 85, 68_12400, 14_54400, (await now()) - 30),
    );
  };
  await readings("harvester", 1n);

  /**
   * Sells `lots` (at least four, of COD) from `seller` to the next stage: one warm-up sale, then the measured
   * sale (place, ship, confirm, acknowledge, withdraw), a rejected one, a declined one and one claimed after the
   * buyer's deadline; the rejected lot is then sold again, so all four lots end up at the next stage.
   */
  const sellPair = async (sellerStage: SellingStageName, buyerStage: StageName, lots: bigint[]) => {
    const seller = orderBook(system, sellerStage);
    const asSeller = seller.connect(actor[sellerStage]);
    const asBuyer = seller.connect(actor[buyerStage]);
    const shipBy = async () => (await now()) + 2 * DAY;
    let next = Number(await seller.orderCount());
    const order = async (measured: boolean) => {
      const placed = asBuyer.placeOrder(actor[sellerStage], COD, 10 * KG, await shipBy(), DAY, {
        value: parseEther("1"),
      });
      if (measured) await measure(sellerStage, "placeOrder", "an order for 10 kg of COD, 1 ETH escrowed", placed);
      else await send(placed);
      return BigInt(++next);
    };
    const ship = (orderId: bigint, shipment: bigint, lotIds: bigint[]) =>
      sellerStage === "distributor"
        ? distributor.connect(actor.distributor).dispatch(orderId, shipment, lotIds, {
            origin: encodeBytes32String("7080003000003"),
            destination: encodeBytes32String("7080003000004"),
            mode: 0,
            vehicle: fixedText("EL12345", 16, "vehicle"),
          })
        : asSeller.initiateShipment(orderId, shipment, lotIds);
    const confirm = (orderId: bigint) =>
      sellerStage === "distributor"
        ? distributor.connect(actor.distributor).confirmArrival(orderId, encodeBytes32String("7080003000004"))
        : asSeller.confirmDelivery(orderId);
    const shipFn = sellerStage === "distributor" ? "dispatch" : "initiateShipment";
    const confirmFn = sellerStage === "distributor" ? "confirmArrival" : "confirmDelivery";
    const [warm, measured, returned, claimed] = lots;
    if (warm === undefined || measured === undefined || returned === undefined || claimed === undefined) {
      throw new Error(`selling on from the ${sellerStage} needs four lots, not ${lots.length}`);
    }

    // Warm-up: the first sale of the pair creates the totals slots at both stages.
    const w = await order(false);
    await send(ship(w, 9000n + w, [warm]));
    await send(confirm(w));
    await send(asBuyer.acknowledge(w, 9000n + w, [warm]));
    await send(asSeller.withdraw(w));

    const o = await order(true);
    await measure(sellerStage, shipFn, `ship order ${o} with lot ${shortId(measured)}`, ship(o, 7000n + o, [measured]));
    await measure(sellerStage, confirmFn, `the seller confirms order ${o} arrived`, confirm(o));
    await measure(
      sellerStage,
      "acknowledge",
      `the buyer acknowledges order ${o}: lot ${shortId(measured)} handed to the ${buyerStage}`,
      asBuyer.acknowledge(o, 7000n + o, [measured]),
    );
    await measure(sellerStage, "withdraw", `the seller withdraws the price of order ${o}`, asSeller.withdraw(o));

    const r = await order(false);
    await send(ship(r, 7000n + r, [returned]));
    await measure(
      sellerStage,
      "rejectDelivery",
      `the buyer rejects shipped order ${r} (lot back in stock)`,
      asBuyer.rejectDelivery(r, 7000n + r, [returned], encodeBytes32String("temperature abuse")),
    );
    const c = await order(false);
    await measure(
      sellerStage,
      "cancelOrder",
      `the seller declines order ${c} before shipping`,
      asSeller.cancelOrder(c),
    );
    const k = await order(false);
    await send(ship(k, 7000n + k, [claimed]));
    await send(confirm(k));
    // The seller confirmed: the buyer's window is its day plus the 7 days to dispute the arrival.
    await networkHelpers.time.increase(8 * DAY + 1);
    await measure(
      sellerStage,
      "claimPayment",
      `the buyer let the window (1 day + 7 to dispute the seller's arrival) pass; the seller claims order ${k} (lot ${shortId(claimed)} handed over)`,
      asSeller.claimPayment(k, 7000n + k, [claimed]),
    );

    // The rejected lot is sold again, so that every lot travels on to the next stage.
    const again = await order(false);
    await send(ship(again, 7000n + again, [returned]));
    await send(confirm(again));
    await send(asBuyer.acknowledge(again, 7000n + again, [returned]));
  };

  await sellPair("harvester", "supplier", [1n, 2n, 3n, 4n]);
  await readings("supplier", 2n);
  await sellPair("supplier", "manufacturer", [1n, 2n, 3n, 4n]);
  await readings("manufacturer", 2n);

  // ---- stage 3: lots 1-4 (300/260/240/220 kg) become packs.
  const maker = manufacturer.connect(actor.manufacturer);
  const pack = (gtin: bigint, lot: string, kg: number) => ({
    gtin,
    lotNumber: fixedText(lot, 20, "lot number"),
    weightGrams: kg * KG,
    frozen: false,
  });
  await send(maker.processLots([{ lotId: 1n, grams: 0 }], [pack(FILLET_GTIN, "L-WARM", 120)]));
  await measure(
    "manufacturer",
    "processLots",
    "one input lot (100 kg of lot 2) into one pack lot",
    maker.processLots([{ lotId: 2n, grams: 100 * KG }], [pack(FILLET_GTIN, "L-0001", 60)]),
  );
  await send(
    maker.processLots(
      [{ lotId: 3n, grams: 0 }],
      [pack(FILLET_GTIN, "L-0002", 40), pack(LOIN_GTIN, "L-0003", 40), pack(LOIN_GTIN, "L-0004", 40)],
    ),
  );
  const packs = await Promise.all(
    (
      [
        [FILLET_GTIN, "L-0001"],
        [FILLET_GTIN, "L-0002"],
        [LOIN_GTIN, "L-0003"],
        [LOIN_GTIN, "L-0004"],
      ] as const
    ).map(([gtin, lot]) => manufacturer.productLotId(gtin, fixedText(lot, 20, "lot number"))),
  );

  const [, pack2, pack3] = packs;
  if (pack2 === undefined || pack3 === undefined) throw new Error("the manufacturer made fewer than three packs");

  await sellPair("manufacturer", "distributor", packs);
  await readings("distributor", pack2);
  await sellPair("distributor", "retailer", packs);
  await readings("retailer", pack2);
  await sellPair("retailer", "customer", packs);

  // ---- stage 6 and the regulator
  await readings("customer", pack2);
  const buyer = customer.connect(actor.customer);
  await measure(
    "customer",
    "reportProblem",
    "the customer reports a spoiled pack",
    buyer.reportProblem(pack2, 0, encodeBytes32String("smelled off")),
  );
  await measure("customer", "removeFish", "the customer eats a pack (reason Consumed)", buyer.removeFish(pack3, 1));
  await measure(
    "manufacturer",
    "recallLots",
    "the regulator recalls lot 4 where it is held (a recall sent to an earlier stage follows the lot: +1 call a stage)",
    manufacturer.connect(regulator).recallLots([4n], encodeBytes32String("Listeria")),
  );

  // ---- views (Table 3), on the Harvester as in the paper
  const views: ViewMeasurement[] = [];
  const measureView = async (fn: string, scenario: string, data: string, to = harvester) => {
    const gas = Number(await ethers.provider.estimateGas({ to: await to.getAddress(), data }));
    views.push({ fn, executionGas: gas - intrinsicGas(data), scenario });
  };
  const iface = harvester.interface;
  await measureView("queryStatus", "lot 1, which has readings", iface.encodeFunctionData("queryStatus", [1]));
  await measureView("queryQAT", "lot 1", iface.encodeFunctionData("queryQAT", [1]));
  await measureView("totalAvailableFish", "COD", iface.encodeFunctionData("totalAvailableFish", [COD]));
  await measureView("totalSuppliedFish", "COD", iface.encodeFunctionData("totalSuppliedFish", [COD]));
  const provenance = customer.interface.encodeFunctionData("verifyProvenance", [pack2]);
  const gas = Number(await ethers.provider.estimateGas({ to: await customer.getAddress(), data: provenance }));
  views.push({
    fn: "verifyProvenance",
    executionGas: gas - intrinsicGas(provenance),
    scenario: "a pack back to its catch: 6 stages of the pack, then its parent lot at stages 3, 2 and 1",
  });

  // ---- the IoT layer: QAT scans and sensor anchors, on fresh lots of the vessel
  const iot = await measureIot({
    ethers,
    networkHelpers,
    system,
    vessel: actor.harvester,
    newLot: async () => {
      const receipt = await mined(vessel.registerFish(await catchOf(100)));
      const [lotId] = registeredLots(harvester, receipt);
      if (lotId === undefined) throw new Error("registerFish emitted no FishRegistered");
      return lotId;
    },
  });

  // ---- a vessel landing its catch: batches of 1, 10 and 50 COD catches, measured last so that no other row's lot
  // ids (and so calldata) move
  for (const count of BATCH_SIZES) {
    const catches = await Promise.all(Array.from({ length: count }, (_, i) => catchOf(200 + i)));
    await measure(
      "harvester",
      batchFn(count),
      (gas) =>
        `${count} fresh wild COD ${count === 1 ? "catch" : "catches"} (200 kg and up) in one transaction: ${Math.round(gas / count).toLocaleString("en-US")} gas per lot`,
      vessel.registerFishBatch(catches),
    );
  }

  // ---- a transshipment at sea of the last batch's first lot, then of its next ten (after the batches: their lot
  // ids are the batch's)
  const landed = (await harvester.queryFilter(harvester.filters.FishRegistered())).slice(-BATCH_SIZES[2]);
  const batchLots = landed.map((e) => e.args.lotId);
  const carrier = fixedText("IMO9876543", 16, "carrier");
  const transshipAt = async () => (await now()) - 600;
  for (const [count, lots] of [
    [1, batchLots.slice(0, 1)],
    [10, batchLots.slice(1, 11)],
  ] as const) {
    await measure(
      "harvester",
      transshipFn(count),
      `${count === 1 ? "one of the vessel's COD lots" : `${count} of the vessel's COD lots`} moved onto a carrier vessel at sea`,
      vessel.transship([...lots], carrier, 70_12345, -10_54321, await transshipAt()),
    );
  }

  // ---- logistic units: the vessel packs the batch's next lot, then its next ten, each under a new SSCC (GS1's
  // example SSCCs, check digits valid), and opens both again
  const packing = defined(system.packing, "the Packing contract").connect(actor.harvester);
  for (const [count, sscc, lots] of [
    [1, PACK_SSCCS[0], batchLots.slice(11, 12)],
    [10, PACK_SSCCS[1], batchLots.slice(12, 22)],
  ] as const) {
    const what = count === 1 ? "one of the vessel's COD lots" : `${count} of the vessel's COD lots`;
    await measure(
      "packing",
      packFn("pack", count),
      `${what} packed into a new logistic unit (SSCC)`,
      packing.pack(sscc, [...lots]),
    );
  }
  for (const [count, sscc] of [
    [1, PACK_SSCCS[0]],
    [10, PACK_SSCCS[1]],
  ] as const) {
    await measure(
      "packing",
      packFn("unpack", count),
      `the vessel opens its logistic unit of ${count === 1 ? "one lot" : `${count} lots`}`,
      packing.unpack(sscc),
    );
  }

  // ---- a second deployment, settling in the test stablecoin: an order with a permit, its payout in the token, and
  // catches registered through the forwarder by a harvester with no Ether (account #8 sponsors)
  await measureSponsored(
    connection,
    { harvester: actor.harvester, supplier: actor.supplier, sponsor: account(8) },
    catchOf,
    measure,
  );

  // ---- pallets (after the second deployment, so that its rows keep their block times): the vessel packs the batch's next eleven lots into a case each (not measured), puts the first case
  // onto a pallet and the next ten onto another, and opens both pallets again
  const cases = batchLots.slice(22, 33).map((lot, i) => ({ lot, sscc: ssccWithCheckDigit(PALLET_SSCC_BODY + 1 + i) }));
  for (const c of cases) await mined(packing.pack(c.sscc, [c.lot]));
  const pallets = [
    [1, ssccWithCheckDigit(PALLET_SSCC_BODY), cases.slice(0, 1)],
    [10, ssccWithCheckDigit(PALLET_SSCC_BODY + 100), cases.slice(1, 11)],
  ] as const;
  for (const [count, sscc, onIt] of pallets) {
    await measure(
      "packing",
      packUnitsFn("packUnits", count),
      `${count === 1 ? "one case" : `${count} cases`} of one COD lot each packed onto a new pallet (SSCC)`,
      packing.packUnits(
        sscc,
        onIt.map((c) => c.sscc),
      ),
    );
  }
  for (const [count, sscc] of pallets) {
    await measure(
      "packing",
      packUnitsFn("unpack (pallet)", count),
      `the vessel opens its pallet of ${count === 1 ? "one case" : `${count} cases`} (one lot each)`,
      packing.unpack(sscc),
    );
  }

  return { payable, views, iot };
}

/** The batch sizes `registerFishBatch` is measured at. */
export const BATCH_SIZES = [1, 10, 50] as const;

/** The table row of `registerFishBatch` with `count` catches. */
export function batchFn(count: (typeof BATCH_SIZES)[number]): string {
  return `registerFishBatch ×${count}`;
}

/** The SSCCs the benchmark packs under: GS1's own examples (General Specifications), check digits valid. */
const PACK_SSCCS = [376_104_250_021_234_569n, 106_141_411_234_567_897n] as const;

/** The first 17 digits of the benchmark's case and pallet SSCCs (GS1 Company Prefix 0614141, as GS1's examples). */
const PALLET_SSCC_BODY = 614_141_555_000_000;

/** The table row of `packUnits` or of `unpack` of a pallet, with `count` cases. */
export function packUnitsFn(fn: "packUnits" | "unpack (pallet)", count: 1 | 10): string {
  return `${fn} ×${count}`;
}

/** The table row of `pack` or `unpack` with `count` lots. */
export function packFn(fn: "pack" | "unpack", count: 1 | 10): string {
  return `${fn} ×${count}`;
}

/** The table row of `transship` with `count` lots. */
export function transshipFn(count: 1 | 10): string {
  return `transship ×${count}`;
}

/** Product lot ids are 256-bit hashes: show their first hex digits. */
function shortId(lotId: bigint): string {
  return lotId < 1_000_000n ? lotId.toString() : `0x${lotId.toString(16).slice(0, 6)}…`;
}

export type { FishTrace };
