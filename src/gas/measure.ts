/**
 * Runs every FishTrace function in a realistic state (other lots and orders already exist, the slots a steady
 * stream of traffic keeps non-zero are non-zero) and measures its gas, one lot per call, as the paper did.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { ContractTransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { IHarvester } from "../../typechain-types/index.js";
import { roleId } from "../roles.js";
import { deployFishTrace } from "../system.js";
import { fixedText, speciesCode } from "../units.js";
import { intrinsicGas } from "./intrinsic.js";

export interface TxMeasurement {
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
}

type Connection = NetworkConnection & { ethers: HardhatEthers; networkHelpers: NetworkHelpers };

const DAY = 86_400;

/**
 * The benchmark runs at a fixed chain time (4,000,000,000 s: 2096-10-02) so that every timestamp it sends, and
 * so the calldata's zero and non-zero bytes, are the same run to run: gas is then deterministic.
 */
export const BENCHMARK_TIME = 4_000_000_000;

/** Deploys a fresh system on `connection` and measures every function. Deterministic for a given compiler. */
export async function measureGas(connection: Connection): Promise<GasMeasurements> {
  const { ethers, networkHelpers } = connection;
  const { registry, harvester } = await deployFishTrace(connection);
  await networkHelpers.time.increaseTo(BENCHMARK_TIME);
  const [, vessel, buyer] = (await ethers.getSigners()) as HardhatEthersSigner[];
  if (vessel === undefined || buyer === undefined) throw new Error("the network needs at least three accounts");

  await (
    await registry.registerParticipant(vessel.address, roleId("HARVESTER"), "MV Nordkapp", "7080003000004")
  ).wait();
  await (
    await registry.registerParticipant(buyer.address, roleId("SUPPLIER"), "Bodø Fish Receiving", "7080003000011")
  ).wait();
  const COD = speciesCode("COD");
  await (await registry.listSpecies(COD, "Atlantic cod")).wait();

  const asVessel = harvester.connect(vessel);
  const asBuyer = harvester.connect(buyer);
  const now = async () => Number((await ethers.provider.getBlock("latest"))!.timestamp);

  const catchOf = async (kg: number): Promise<IHarvester.CatchStruct> => ({
    species: COD,
    weightGrams: kg * 1_000,
    caughtAt: (await now()) - 3_600,
    latitude: 68_12345, // 68.12345° N, 14.54321° E: Lofoten
    longitude: 14_54321,
    catchArea: fixedText("27.2.a", 8, "catch area"),
    vessel: fixedText("IMO9241061", 16, "vessel"),
    gear: fixedText("OTB", 8, "gear"),
    farmed: false,
    frozen: false,
  });

  const payable: TxMeasurement[] = [];
  const measure = async (fn: string, scenario: string, sent: Promise<ContractTransactionResponse>) => {
    const tx = await sent;
    const receipt = (await tx.wait())!;
    const transactionGas = Number(receipt.gasUsed);
    payable.push({ fn, transactionGas, executionGas: transactionGas - intrinsicGas(tx.data), scenario });
  };
  const order = async (kg: number) => {
    const shipBy = (await now()) + 2 * DAY;
    const tx = await asBuyer.placeOrder(vessel.address, COD, kg * 1_000, shipBy, DAY, {
      value: ethers.parseEther("1"),
    });
    await tx.wait();
  };

  // Steady state: lots 1-2 exist before the measured registration of lot 3.
  await (await asVessel.registerFish(await catchOf(250))).wait();
  await (await asVessel.registerFish(await catchOf(180))).wait();
  await measure(
    "registerFish",
    "third COD lot of the vessel (250 kg, fresh, wild)",
    asVessel.registerFish(await catchOf(250)),
  );
  await (await asVessel.updateFish(1, 210, 85, 68_12345, 14_54321, (await now()) - 60)).wait();
  await measure(
    "updateFish",
    "second reading of lot 1 (2.2 °C, 85 %, position)",
    asVessel.updateFish(1, 220, 85, 68_12400, 14_54400, (await now()) - 30),
  );
  await (await asVessel.registerFish(await catchOf(40))).wait();
  await measure("removeFish", "discard lot 4 (other COD lots remain available)", asVessel.removeFish(4, 0));

  await order(200); // order 1 exists before the measured order 2
  await measure(
    "placeOrder",
    "second order: 150 kg COD, 1 ETH escrowed",
    asBuyer.placeOrder(vessel.address, COD, 150_000, (await now()) + 2 * DAY, DAY, { value: ethers.parseEther("1") }),
  );
  await measure("initiateShipment", "ship order 1 with lot 1", asVessel.initiateShipment(1, 7001, [1]));
  await measure("confirmDelivery", "the seller confirms order 1 arrived", asVessel.confirmDelivery(1));
  await measure(
    "acknowledge",
    "the buyer acknowledges order 1 (custody of lot 1 passes)",
    asBuyer.acknowledge(1, 7001, [1]),
  );
  await measure("withdraw", "the seller withdraws the price of order 1", asVessel.withdraw(1));

  await (await asVessel.initiateShipment(2, 7002, [2])).wait();
  await measure(
    "rejectDelivery",
    "the buyer rejects shipped order 2 (lot 2 back in stock)",
    asBuyer.rejectDelivery(2, 7002, [2], ethers.encodeBytes32String("temperature abuse")),
  );
  await order(100);
  await measure("cancelOrder", "the seller declines order 3 before shipping", asVessel.cancelOrder(3));
  await order(150);
  await (await asVessel.initiateShipment(4, 7004, [2])).wait();
  await (await asVessel.confirmDelivery(4)).wait();
  await networkHelpers.time.increase(DAY + 1);
  await measure(
    "claimPayment",
    "the buyer let the 1-day window pass; the seller claims order 4",
    asVessel.claimPayment(4, 7004, [2]),
  );

  const views: ViewMeasurement[] = [];
  const measureView = async (fn: string, scenario: string, data: string) => {
    const gas = Number(await ethers.provider.estimateGas({ to: await harvester.getAddress(), data }));
    views.push({ fn, executionGas: gas - intrinsicGas(data), scenario });
  };
  const iface = harvester.interface;
  await measureView("queryStatus", "lot 1, which has readings", iface.encodeFunctionData("queryStatus", [1]));
  await measureView("queryQAT", "lot 1", iface.encodeFunctionData("queryQAT", [1]));
  await measureView("totalAvailableFish", "COD", iface.encodeFunctionData("totalAvailableFish", [COD]));
  await measureView("totalSuppliedFish", "COD", iface.encodeFunctionData("totalSuppliedFish", [COD]));

  return { payable, views };
}
