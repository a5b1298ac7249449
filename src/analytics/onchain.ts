/**
 * The generator's "through the real contracts" mode: writes a generated `ChainHistory` through a FishTrace
 * deployment, one transaction per event, each at its history time (shifted so the history starts an hour after the
 * latest block): catches registered, every leg ordered, shipped, its readings posted (`updateFish`), its sensor
 * batch anchored by a gateway of the seller, delivered and acknowledged; every scan signed by a QAT device of the
 * lot's custodian and relayed; every processing run with one product lot of a GTIN per product. The intake
 * weighings (no contract holds them) and the product each GTIN stands for come back beside the chain ids, as a
 * relay stream and a catalogue would. Meant for small histories (tests, demos): one block per transaction.
 */
import { id, Wallet, type ContractTransactionReceipt, type Interface, type Signer } from "ethers";

import { OrderBook__factory, Stage__factory } from "../../typechain-types/index.js";
import { gtin, gtin14, gtinCheckDigit, lotNumberBytes } from "../core/digital-link.js";
import { qatDomain, signReading, type QatReading } from "../core/qat.js";
import { roleId } from "../core/roles.js";
import { addressesOf, type FishTrace } from "../node/system.js";
import { OrderPayments } from "../node/order-payment.js";
import { mined } from "../node/tx.js";
import { InputError } from "../core/input-error.js";
import { degrees, fixedText, speciesCode } from "../core/units.js";
import type { ChainHistory } from "../core/chain-history.js";
import { defined } from "../core/checks.js";

/** Who acts and how the writer moves the chain's clock. */
export interface ChainWriter {
  /** The registry admin: registers the QAT devices and sensor gateways the writer uses. */
  admin: Signer;
  /** The participants at stages 1 (harvester) … 5 (retailer): a leg of stage n goes from actor n to actor n + 1. */
  actors: readonly [Signer, Signer, Signer, Signer, Signer];
  /** Relays the signed scans (a RELAYER). */
  relayer: Signer;
  /** Sets the next block's timestamp (`evm_setNextBlockTimestamp` on Hardhat networks). */
  setNextBlockTimestamp(time: number): Promise<void>;
  /** The latest block's timestamp. */
  latestTime(): Promise<number>;
  /** Gives a new gateway key gas money. */
  fund(address: string): Promise<void>;
  /** Names the device keys (derived from it): distinct per run on one chain. */
  label: string;
}

/** What the generated ids became on chain, and what the chain does not hold. */
export interface WrittenHistory {
  /** Generated lot id → chain lot id. */
  lots: Map<string, bigint>;
  /** Generated leg id → "<stage>:<order id>" on chain. */
  legs: Map<string, string>;
  /** Generated process id → chain process id. */
  processes: Map<string, string>;
  /** Intake weighings (grams) by chain leg id: the relay stream `historyFromIndex` takes. */
  intake: Map<string, number>;
  /** GTIN-14 → the generated product key (for `historyFromIndex`'s `productOf`). */
  products: Map<string, string>;
  /** Unix seconds added to every history time. */
  offset: number;
  transactions: number;
}

interface Step {
  at: number;
  seq: number;
  run: () => Promise<unknown>;
}

/** An id argument of an event (ethers decodes every uint as a bigint). */
function idArg(value: unknown, what: string): bigint {
  if (typeof value !== "bigint") throw new Error(`${what} is not an id`);
  return value;
}

/** The first argument (an id) of `event` in `receipt`, parsed through `iface`. */
function firstArg(receipt: ContractTransactionReceipt, iface: Interface, event: string): bigint {
  for (const log of receipt.logs) {
    const parsed = iface.parseLog(log);
    if (parsed?.name === event) return idArg(parsed.args[0], `the first argument of ${event} in ${receipt.hash}`);
  }
  throw new Error(`transaction ${receipt.hash} emitted no ${event}`);
}

/** Writes `history` through `system` (see the module comment); returns the id maps. */
export async function writeHistoryOnChain(
  system: FishTrace,
  history: ChainHistory,
  w: ChainWriter,
): Promise<WrittenHistory> {
  if (history.lots.length === 0) throw new InputError("the history has no lots to write");
  const provider = w.admin.provider;
  if (provider === null) throw new InputError("the admin signer has no provider");
  const addresses = await addressesOf(system);
  const stageAddress = [addresses.harvester, addresses.supplier, addresses.manufacturer, addresses.distributor];
  const registry = system.registry.connect(w.admin);
  const chainId = (await provider.getNetwork()).chainId;
  const domain = qatDomain(chainId, addresses.qualityLedger);

  // A QAT device for the actor of every stage, a sensor gateway for every selling stage.
  const devices: Wallet[] = [];
  const gateways: Wallet[] = [];
  for (const [i, actor] of w.actors.entries()) {
    const stage = i + 1;
    const operator = await actor.getAddress();
    const device = new Wallet(id(`${w.label} qat ${stage}`), provider);
    await mined(registry.registerDevice(device.address, roleId("QAT_DEVICE"), operator));
    devices.push(device);
    if (stage === 5) continue;
    const gateway = new Wallet(id(`${w.label} gateway ${stage}`), provider);
    await w.fund(gateway.address);
    await mined(registry.registerDevice(gateway.address, roleId("SENSOR_GATEWAY"), operator));
    gateways.push(gateway);
  }

  const offset = (await w.latestTime()) + 3_600 - Math.min(...history.lots.map((l) => l.createdAt));
  const out: WrittenHistory = {
    lots: new Map(),
    legs: new Map(),
    processes: new Map(),
    intake: new Map(),
    products: new Map(),
    offset,
    transactions: 0,
  };
  const steps: Step[] = [];
  const step = (at: number, run: () => Promise<unknown>) => steps.push({ at: at + offset, seq: steps.length, run });
  const chainLot = (lotId: string) => {
    const found = out.lots.get(lotId);
    if (found === undefined) throw new Error(`lot ${lotId} is used before it exists on chain`);
    return found;
  };
  const latitude = degrees(69.7, "latitude");
  const longitude = degrees(18.9, "longitude");

  const harvester = system.harvester.connect(w.actors[0]);
  for (const lot of history.lots.filter((l) => l.kind === "catch")) {
    step(lot.createdAt, async () => {
      const receipt = await mined(
        harvester.registerFish({
          species: speciesCode(lot.species),
          weightGrams: lot.weightGrams,
          caughtAt: lot.createdAt + offset - 60,
          latitude,
          longitude,
          catchArea: fixedText("27.2.a", 8, "catch area"),
          vessel: fixedText("IMO9241061", 16, "vessel"),
          gear: fixedText("OTB", 8, "gear"),
          farmed: false,
          frozen: lot.frozen,
        }),
      );
      out.lots.set(lot.lotId, firstArg(receipt, harvester.interface, "FishRegistered"));
    });
  }

  // A lot is at its origin stage until a leg delivers it to the next (delivery is acknowledged on arrival).
  const origin = new Map(history.lots.map((l) => [l.lotId, l.kind === "catch" ? 1 : 3]));
  const stageOf = (lotId: string, t: number) => {
    let stage = origin.get(lotId) ?? 1;
    for (const leg of history.legs) {
      if (leg.lotIds.includes(lotId) && leg.arrivedAt <= t) stage = Math.max(stage, leg.stage + 1);
    }
    return stage;
  };
  const readingIds = new Map<number, bigint>();
  const ledger = system.qualityLedger.connect(w.relayer);
  for (const scan of history.scans) {
    step(scan.scannedAt, async () => {
      const stage = stageOf(scan.lotId, scan.scannedAt);
      const device = defined(devices[stage - 1], `the QAT device of stage ${stage}`);
      const readingId = (readingIds.get(stage) ?? 0n) + 1n;
      readingIds.set(stage, readingId);
      const reading: QatReading = {
        readingId,
        lotId: chainLot(scan.lotId),
        species: speciesCode(scan.species),
        speciesConfidence: scan.speciesConfidence,
        grade: scan.grade,
        gradeConfidence: scan.gradeConfidence,
        scannedAt: scan.scannedAt + offset,
        device: device.address,
      };
      return mined(ledger.submitScan(stage, reading, await signReading(device, domain, reading)));
    });
  }

  // Each leg is an order paid in the deployment's money: 0.001 ETH, or 25 of its token with the buyer's permit.
  const payments = await OrderPayments.of(system);
  const price = payments.amount(payments.settlement.token === undefined ? "0.001" : "25");
  for (const leg of history.legs) {
    if (leg.stage < 1 || leg.stage > 4) throw new InputError(`leg ${leg.legId} leaves stage ${leg.stage}, not 1-4`);
    const seller = defined(w.actors[leg.stage - 1], `the actor of stage ${leg.stage}`);
    const buyer = defined(w.actors[leg.stage], `the actor of stage ${leg.stage + 1}`);
    const sellerAt = defined(stageAddress[leg.stage - 1], `the address of stage ${leg.stage}`);
    const book = OrderBook__factory.connect(sellerAt, buyer);
    const stage = Stage__factory.connect(sellerAt, seller);
    let orderId = 0n;
    const shipmentNo = () => 1_000n * BigInt(leg.stage) + orderId;
    const lots = () => leg.lotIds.map(chainLot);
    step(leg.departedAt - 2, async () => {
      const sellerAddress = await seller.getAddress();
      const receipt = await payments.place(
        book,
        buyer,
        {
          seller: sellerAddress,
          species: speciesCode(leg.species),
          weightGrams: leg.shippedGrams,
          shipBy: leg.departedAt + offset + 86_400,
          ackWindow: 2 * 86_400,
        },
        price,
      );
      orderId = firstArg(receipt, book.interface, "OrderPlaced");
      const chainLeg = `${leg.stage}:${orderId}`;
      out.legs.set(leg.legId, chainLeg);
      if (leg.receivedGrams !== undefined) out.intake.set(chainLeg, leg.receivedGrams);
    });
    step(leg.departedAt, () => mined(book.connect(seller).initiateShipment(orderId, shipmentNo(), lots())));
    for (const reading of leg.readings) {
      for (const lotId of leg.lotIds) {
        step(reading.readAt, () =>
          mined(
            stage.updateFish(chainLot(lotId), reading.temperature, 90, latitude, longitude, reading.readAt + offset),
          ),
        );
      }
    }
    const summary = leg.summary;
    if (summary !== undefined) {
      step(leg.arrivedAt, () =>
        mined(
          system.qualityLedger
            .connect(defined(gateways[leg.stage - 1], `the sensor gateway of stage ${leg.stage}`))
            .anchorReadings(leg.stage, lots(), id(`${w.label} leg ${leg.legId}`), {
              ...summary,
              from: summary.from + offset,
              to: summary.to + offset,
            }),
        ),
      );
    }
    step(leg.arrivedAt, () => mined(book.confirmDelivery(orderId)));
    step(leg.arrivedAt, () => mined(book.acknowledge(orderId, shipmentNo(), lots())));
  }

  const productKeys = [...new Set(history.processes.map((p) => p.product))];
  const manufacturer = system.manufacturer.connect(w.actors[2]);
  for (const p of history.processes) {
    const [outputLotId, ...more] = p.outputLotIds;
    if (outputLotId === undefined || more.length > 0) {
      throw new InputError(`processing ${p.processId} must make exactly one lot`);
    }
    step(p.time, async () => {
      const body = `0703802${String(productKeys.indexOf(p.product)).padStart(6, "0")}`;
      const code = gtin(body + String(gtinCheckDigit(body)));
      out.products.set(gtin14(code), p.product);
      const receipt = await mined(
        manufacturer.processLots(
          p.inputLotIds.map((lotId) => ({ lotId: chainLot(lotId), grams: 0 })),
          [{ gtin: code, lotNumber: lotNumberBytes(`P-${p.processId}`), weightGrams: p.producedGrams, frozen: false }],
        ),
      );
      for (const log of receipt.logs) {
        const parsed = manufacturer.interface.parseLog(log);
        if (parsed?.name !== "LotsProcessed") continue;
        const productLotIds: unknown = parsed.args.productLotIds;
        out.processes.set(p.processId, String(idArg(parsed.args.processId, "LotsProcessed's processId")));
        out.lots.set(
          outputLotId,
          idArg(Array.isArray(productLotIds) ? productLotIds[0] : undefined, "LotsProcessed's first product lot"),
        );
      }
      if (!out.processes.has(p.processId)) throw new Error(`processing ${p.processId} emitted no LotsProcessed`);
    });
  }

  steps.sort((a, b) => a.at - b.at || a.seq - b.seq);
  let last = await w.latestTime();
  for (const s of steps) {
    last = Math.max(s.at, last + 1);
    await w.setNextBlockTimestamp(last);
    await s.run();
    out.transactions++;
  }
  return out;
}
