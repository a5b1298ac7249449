/**
 * The IoT layer's figures: device-signed QAT scans (one, and each of a batch of 20) and sensor batches anchored as
 * Merkle roots, as gas per reading at 10, 100 and 1,000 readings. Device and gateway keys are fixed, and ECDSA
 * signatures are deterministic (RFC 6979), so the calldata and hence the gas are the same run to run.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { Wallet, id, type ContractTransactionResponse } from "ethers";

import { qatDomain, signReading, type QatReading, type SignedReading } from "../../core/qat.js";
import { roleId } from "../../core/roles.js";
import { sensorTree, summarize, type SensorReading } from "../../core/sensors.js";
import type { FishTrace } from "../../node/system.js";
import { intrinsicGas } from "./intrinsic.js";
import { latestBlockTime } from "../chain.js";
import { defined } from "../checked.js";

/** One IoT measurement: a transaction and the readings it carried. */
export interface IotMeasurement {
  fn: string;
  /** Readings carried by the transaction (1 for a single scan). */
  readings: number;
  transactionGas: number;
  executionGas: number;
  /** transactionGas / readings, rounded to whole gas. */
  gasPerReading: number;
  scenario: string;
}

/**
 * The goals: a single scan, each scan of a batch of 20 (the first scans of lots apart), and an anchor per reading at
 * 1,000 readings. The scan goals were 70,000 and 45,000 for every batch until the freshness reference scan (audit F2)
 * gave each lot a second slot: created by its first scan, rewritten by later ones (README, Gas).
 */
export const IOT_GOALS = {
  submitScan: 75_000,
  submitScansEach: 45_000,
  submitScansFirstEach: 70_000,
  anchorPerReadingAt1000: 100,
} as const;

interface IotContext {
  ethers: HardhatEthers;
  networkHelpers: NetworkHelpers;
  system: FishTrace;
  /** The harvester actor: registers the lots and operates the device and the gateway. */
  vessel: HardhatEthersSigner;
  /** Registers a new COD lot at the Harvester and returns its id. */
  newLot: () => Promise<bigint>;
}

export async function measureIot(ctx: IotContext): Promise<IotMeasurement[]> {
  const { ethers, networkHelpers, system, vessel, newLot } = ctx;
  const { registry, qualityLedger } = system;
  const device = new Wallet(id("fishtrace benchmark QAT device"));
  const gateway = new Wallet(id("fishtrace benchmark sensor gateway"), ethers.provider);
  await (await registry.registerDevice(device.address, roleId("QAT_DEVICE"), vessel)).wait();
  await (await registry.registerDevice(gateway.address, roleId("SENSOR_GATEWAY"), vessel)).wait();
  await networkHelpers.setBalance(gateway.address, 10n ** 18n);

  const domain = qatDomain((await ethers.provider.getNetwork()).chainId, await qualityLedger.getAddress());
  const now = () => latestBlockTime(ethers.provider);
  const COD = await system.harvester.getLot(await newLot()).then((lot) => lot.species);
  let nextReadingId = 0n;
  const scan = async (lotId: bigint, grade: number, scannedAt: number): Promise<SignedReading> => {
    const reading: QatReading = {
      readingId: nextReadingId++,
      lotId,
      species: COD,
      speciesConfidence: 98,
      grade,
      gradeConfidence: 94,
      scannedAt,
      device: device.address,
    };
    return { reading, signature: await signReading(device, domain, reading) };
  };

  const rows: IotMeasurement[] = [];
  const measure = async (
    fn: string,
    readings: number,
    scenario: string,
    sent: Promise<ContractTransactionResponse>,
  ) => {
    const tx = await sent;
    const transactionGas = Number(defined(await tx.wait(), `the receipt of ${fn} (${scenario})`).gasUsed);
    rows.push({
      fn,
      readings,
      transactionGas,
      executionGas: transactionGas - intrinsicGas(tx.data),
      gasPerReading: Math.round(transactionGas / readings),
      scenario,
    });
  };

  // A device in service: its earlier readings have been recorded (its dedup word exists).
  const warmUp = await scan(await newLot(), 10, (await now()) - 60);
  await (await qualityLedger.submitScan(1, warmUp.reading, warmUp.signature)).wait();

  const lot = await newLot();
  const first = await scan(lot, 10, (await now()) - 30);
  await measure(
    "submitScan",
    1,
    "a later scan: grade 9 a day after the lot's first scan (the usual case: one scan at each hand-over)",
    (async () => {
      await (await qualityLedger.submitScan(1, first.reading, first.signature)).wait();
      await networkHelpers.time.increase(86_400);
      const later = await scan(lot, 9, (await now()) - 30);
      return qualityLedger.submitScan(1, later.reading, later.signature);
    })(),
  );
  const another = await newLot();
  const firstOfLot = await scan(another, 10, (await now()) - 30);
  await measure(
    "submitScan (first of a lot)",
    1,
    "the first scan of a lot: creates its quality record (a new storage slot, 20,000 gas of the figure)",
    qualityLedger.submitScan(1, firstOfLot.reading, firstOfLot.signature),
  );

  const lots: bigint[] = [];
  for (let i = 0; i < 20; i++) lots.push(await newLot());
  const landing = await now();
  const firstBatch = await Promise.all(lots.map((l) => scan(l, 10, landing)));
  await measure(
    "submitScans ×20 (first of each lot)",
    20,
    "20 lots scanned at landing, one transaction (each creates its quality record)",
    qualityLedger.submitScans(1, firstBatch),
  );
  await networkHelpers.time.increase(86_400);
  const nextDay = await now();
  const laterBatch = await Promise.all(lots.map((l) => scan(l, 9, nextDay)));
  await measure(
    "submitScans ×20",
    20,
    "the same 20 lots scanned again a day later, one transaction",
    qualityLedger.submitScans(1, laterBatch),
  );

  const anchorer = qualityLedger.connect(gateway);
  for (const count of [10, 100, 1_000]) {
    const end = await now();
    const readings: SensorReading[] = Array.from({ length: count }, (_, i) => ({
      sensor: gateway.address,
      readAt: end - (count - i) * 60,
      temperature: 150 + ((i * 7) % 150), // 1.5-3.0 °C: a hold in ice
      humidity: 85,
    }));
    await measure(
      "anchorReadings",
      count,
      `${count.toLocaleString("en-US")} readings of a lot's hold, one a minute: root and summary anchored`,
      anchorer.anchorReadings(1, [lot], sensorTree(readings).root, summarize(readings)),
    );
  }
  return rows;
}
