/**
 * The demo's verbs (src/tools/demo.ts): a QAT scan, an order, a shipment and its delivery, the settlement of a sale —
 * each sends its transactions and tells them as numbered steps with their gas, so the story reads one line a step.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Provider, TypedDataDomain, Wallet } from "ethers";

import { latestBlockTime } from "../chain.js";
import { duration, isoTime } from "../../core/format.js";
import { amountText } from "../../core/money.js";
import { speciesLabel } from "../../core/labels.js";
import { signReading, type QatReading } from "../../core/qat.js";
import { formatGrams, grams, speciesCode } from "../../core/units.js";
import type { OrderPayments } from "../../node/order-payment.js";
import { eventIn, eventsIn, mined } from "../../node/tx.js";
import type { Story } from "../story.js";
import type { OrderBook, QualityLedger, Registry } from "../../../typechain-types/index.js";

export const HOUR = 3_600;

/** One of the demo's accounts (a Hardhat signer). */
export type Account = HardhatEthersSigner;

/** What a scan of one lot reads. */
export interface LotScan {
  lotId: bigint;
  species: string;
  speciesConfidence: number;
  grade: number;
  gradeConfidence: number;
}

/** The terms of an order; the price in Ether or in the (dollar) stablecoin, as the deployment settles. */
export interface OrderTerms {
  species: string;
  weight: string;
  price: { eth: string; usd: string };
  shipWithinHours: number;
  ackWindowHours: number;
}

export interface DemoSteps {
  /** The latest block's timestamp. */
  now(): Promise<number>;
  /** How the demo calls a lot: "lot 1", or the name given with `namePack` ("pack L2026-11-001"). */
  lotName(lotId: bigint): string;
  namePack(lotId: bigint, name: string): void;
  /** `device` scans `lots` at stage `stage` (a batch, relayed by the admin); tells each scan and what it raised. */
  scan(stage: number, device: Wallet, who: string, lots: LotScan[]): Promise<void>;
  /** Places an order in `book` (paid with the buyer's permit in a token deployment) and tells it; returns its id. */
  order(book: OrderBook, buyer: Account, seller: Account, terms: OrderTerms, text: string): Promise<bigint>;
  /** Ships `lotIds` against `orderId` as shipment `shipmentNo` and confirms delivery, telling both. */
  shipAndDeliver(
    book: OrderBook,
    orderId: bigint,
    shipmentNo: bigint,
    lotIds: bigint[],
    seller: Account,
    buyer: Account,
    texts: { ship: string; deliver: string },
  ): Promise<void>;
  /** The end of every sale: the buyer acknowledges (the lots move to its stage), the seller withdraws the price. */
  settle(
    book: OrderBook,
    orderId: bigint,
    shipmentNo: bigint,
    lotIds: bigint[],
    who: { seller: Account; buyer: Account; sellerName: string; buyerName: string },
  ): Promise<void>;
}

/**
 * The demo's verbs on `registry` and `qualityLedger`, telling `tell`; QAT readings are signed for `qatDomain`, orders
 * paid through `payments` (the deployment's money).
 */
export function demoSteps(context: {
  tell: Story;
  provider: Provider;
  registry: Registry;
  qualityLedger: QualityLedger;
  qatDomain: TypedDataDomain;
  payments: OrderPayments;
}): DemoSteps {
  const { tell, provider, registry, qualityLedger, qatDomain, payments } = context;
  const { settlement } = payments;
  const packNames = new Map<bigint, string>();
  let readingIds = 0n;

  const now = () => latestBlockTime(provider);
  const lotName = (lotId: bigint) => packNames.get(lotId) ?? `lot ${lotId}`;

  return {
    now,
    lotName,
    namePack(lotId, name) {
      packNames.set(lotId, name);
    },

    async scan(stage, device, who, lots) {
      const scannedAt = await now();
      const signed = await Promise.all(
        lots.map(async (l) => {
          const reading: QatReading = {
            readingId: ++readingIds,
            lotId: l.lotId,
            species: speciesCode(l.species),
            speciesConfidence: l.speciesConfidence,
            grade: l.grade,
            gradeConfidence: l.gradeConfidence,
            scannedAt,
            device: device.address,
          };
          return { reading, signature: await signReading(device, qatDomain, reading) };
        }),
      );
      const receipt = await mined(qualityLedger.submitScans(stage, signed));
      const names = lots.map((l) => lotName(l.lotId));
      tell.step(`${who}'s QAT device scans ${names.join(" and ")}; the admin relays the signed readings`, receipt);
      for (const l of lots) {
        tell.detail(
          `${lotName(l.lotId)}: ${await speciesLabel(registry, speciesCode(l.species))} – ${l.speciesConfidence} % confidence, ` +
            `grade ${l.grade} freshness – ${l.gradeConfidence} % confidence`,
        );
      }
      for (const e of await eventsIn(qualityLedger, qualityLedger.filters.SpeciesMismatch(), receipt)) {
        tell.detail(
          `species mismatch on ${lotName(e.args.lotId)}: registered ${await speciesLabel(registry, e.args.registered)}, ` +
            `scanned ${await speciesLabel(registry, e.args.scanned)} (${e.args.confidence} %): lot flagged SPECIES_MISMATCH`,
        );
      }
      for (const e of await eventsIn(qualityLedger, qualityLedger.filters.FreshnessWarning(), receipt)) {
        tell.detail(
          `freshness warning on ${lotName(e.args.lotId)}: grade ${e.args.previousGrade} → ${e.args.grade} in ` +
            `${(Number(e.args.elapsed) / 3_600).toFixed(1)} h (${(Number(e.args.equivalentSeconds) / 3_600).toFixed(1)} h at 0 °C ` +
            `equivalent) drops ${Number(e.args.drop) / 100} grades where ${Number(e.args.allowedDrop) / 100} are allowed: ` +
            `lot flagged FRESHNESS_WARNING`,
        );
      }
    },

    async order(book, buyer, seller, terms, text) {
      const token = settlement.token !== undefined;
      const price = payments.amount(token ? terms.price.usd : terms.price.eth);
      const shipBy = (await now()) + terms.shipWithinHours * HOUR;
      const ackWindow = terms.ackWindowHours * HOUR;
      const placed = await payments.place(
        book,
        buyer,
        {
          seller: seller.address,
          species: speciesCode(terms.species),
          weightGrams: grams(terms.weight),
          shipBy,
          ackWindow,
        },
        price,
      );
      const { orderId } = (await eventIn(book, book.filters.OrderPlaced(), placed)).args;
      const paid = token ? " with the buyer's permit signature (EIP-2612, no approve)" : "";
      tell.step(`order ${orderId}: ${text} for ${amountText(price, settlement)}, held in escrow${paid}`, placed);
      tell.detail(`ship by ${isoTime(shipBy)}; ${duration(ackWindow)} to acknowledge once delivered`);
      return orderId;
    },

    async shipAndDeliver(book, orderId, shipmentNo, lotIds, seller, buyer, texts) {
      const shipped = await mined(book.connect(seller).initiateShipment(orderId, shipmentNo, lotIds));
      const { weightGrams } = (await eventIn(book, book.filters.ShipmentInitiated(orderId), shipped)).args;
      tell.step(`${texts.ship} (${formatGrams(weightGrams)}) as shipment ${shipmentNo}`, shipped);
      const delivered = await mined(book.connect(buyer).confirmDelivery(orderId));
      const { ackDeadline } = (await eventIn(book, book.filters.DeliveryConfirmed(orderId), delivered)).args;
      tell.step(texts.deliver, delivered);
      tell.detail(`acknowledge or reject by ${isoTime(ackDeadline)}`);
    },

    async settle(book, orderId, shipmentNo, lotIds, who) {
      const acknowledged = await mined(book.connect(who.buyer).acknowledge(orderId, shipmentNo, lotIds));
      const moved = await eventsIn(book, book.filters.CustodyTransferred(), acknowledged);
      const names = moved.map((e) => lotName(e.args.lotId));
      tell.step(
        `${who.buyerName} acknowledges: ${names.join(" and ")} pass${names.length === 1 ? "es" : ""} to its stage`,
        acknowledged,
      );
      const withdrawn = await mined(book.connect(who.seller).withdraw(orderId));
      const { amount } = (await eventIn(book, book.filters.OrderPaid(orderId), withdrawn)).args;
      tell.step(`${who.sellerName} withdraws the price, ${amountText(amount, settlement)}, from escrow`, withdrawn);
    },
  };
}
