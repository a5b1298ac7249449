/**
 * The whole chain, step by step: two catches go from the vessel through the supplier to the manufacturer, who
 * makes two packs of them (one catch wholly, 50 kg of the other); the distributor takes the packs by road to a
 * retailer, who sells one to a customer; the customer verifies where it came from and reports a problem. A recall
 * of the other pack then blocks its sale, and the buyer gets the money back by rejecting the delivery.
 *
 * The steps share one chain and run in order.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { encodeBytes32String } from "ethers";

import { centiCelsius, degrees, fixedText, grams } from "../../src/core/units.js";
import { bookAt, gtin, hopsOf, lotNumber, productLotId, stageAt, type HopFields } from "../helpers/chain.js";
import {
  COD,
  DAY,
  Flag,
  LotStatus,
  OrderState,
  ethers,
  networkHelpers,
  registerLot,
  time,
  worldFixture,
  type World,
} from "../helpers/fixtures.js";
import { SELLING_STAGES, STAGE_NAMES } from "../../src/core/vocabulary.js";

const LOINS = gtin("0703801000001");
const FILLETS = gtin("0703801000002");
const LOT = lotNumber("NK-2026-11-20");
const HUB = encodeBytes32String("7080003000098");
const SHOP = encodeBytes32String("7080003000111");

/** `ICustomer.ProblemReason.Spoiled`. */
const SPOILED = 0n;

describe("journey: vessel → supplier → manufacturer → distributor → retailer → customer", () => {
  let w: World;
  let catchA: bigint;
  let catchB: bigint;
  const pack1 = productLotId(LOINS, LOT);
  const pack2 = productLotId(FILLETS, LOT);

  /** `buyer` orders `weight` grams of cod from `seller` at selling stage `n` for `price` ETH; returns the order id. */
  async function placeOrder(
    n: number,
    buyer: HardhatEthersSigner,
    seller: HardhatEthersSigner,
    weight: number,
    price: string,
  ) {
    const book = bookAt(w, n);
    const shipBy = (await time.latest()) + DAY;
    await book.connect(buyer).placeOrder(seller, COD, weight, shipBy, 2 * DAY, { value: ethers.parseEther(price) });
    return book.orderCount();
  }

  /** The seller withdraws the price of acknowledged order `orderId` at stage `n`. */
  async function collect(n: number, seller: HardhatEthersSigner, orderId: bigint, price: string) {
    const book = bookAt(w, n);
    await expect(book.connect(seller).withdraw(orderId)).to.changeEtherBalances(
      ethers,
      [book, seller],
      [-ethers.parseEther(price), ethers.parseEther(price)],
    );
  }

  before(async () => {
    w = await networkHelpers.loadFixture(worldFixture);
  });

  it("1. the vessel registers two catches of cod and its gateway logs the hold temperature", async () => {
    const { harvester, cast } = w;
    catchA = await registerLot(w, cast.harvester1, { weightGrams: grams("300kg") });
    catchB = await registerLot(w, cast.harvester1, { weightGrams: grams("200kg") });
    const now = await time.latest();
    for (const lotId of [catchA, catchB]) {
      await harvester
        .connect(cast.gateway)
        .updateFish(lotId, centiCelsius(1.5), 90, degrees(69.7, "latitude"), degrees(18.9, "longitude"), now);
    }
    expect((await harvester.totalAvailableFish(COD)).grams).to.equal(BigInt(grams("500kg")));
    expect((await harvester.queryStatus(catchA)).temperature).to.equal(BigInt(centiCelsius(1.5)));
  });

  it("2. the supplier buys both catches, the vessel is paid, and the supplier logs cooling at its plant", async () => {
    const { harvester, supplier, cast, ids } = w;
    const orderId = await placeOrder(1, cast.supplier1, cast.harvester1, grams("500kg"), "2");
    await harvester.connect(cast.harvester1).initiateShipment(orderId, 1n, [catchA, catchB]);
    await harvester.connect(cast.harvester1).confirmDelivery(orderId);
    await expect(harvester.connect(cast.supplier1).acknowledge(orderId, 1n, [catchA, catchB]))
      .to.emit(supplier, "LotReceived")
      .withArgs(catchA, ids.supplier1, orderId);
    await collect(1, cast.harvester1, orderId, "2");
    await supplier.connect(cast.supplier1).updateFish(catchA, centiCelsius(0.5), 95, 0, 0, await time.latest());
    expect((await supplier.getLot(catchB)).custodianId).to.equal(ids.supplier1);
  });

  it("3. the manufacturer buys them and makes two packs: all of catch A and 50 kg of catch B", async () => {
    const { supplier, manufacturer, cast, ids } = w;
    const orderId = await placeOrder(2, cast.manufacturer1, cast.supplier1, grams("500kg"), "2.5");
    await supplier.connect(cast.supplier1).initiateShipment(orderId, 1n, [catchA, catchB]);
    await supplier.connect(cast.manufacturer1).confirmDelivery(orderId);
    await supplier.connect(cast.manufacturer1).acknowledge(orderId, 1n, [catchA, catchB]);
    await collect(2, cast.supplier1, orderId, "2.5");

    const tx = manufacturer.connect(cast.manufacturer1).processLots(
      [
        { lotId: catchA, grams: 0 },
        { lotId: catchB, grams: grams("50kg") },
      ],
      [
        { gtin: LOINS, lotNumber: LOT, weightGrams: grams("120kg"), frozen: false },
        { gtin: FILLETS, lotNumber: LOT, weightGrams: grams("100kg"), frozen: false },
      ],
    );
    await expect(tx)
      .to.emit(manufacturer, "LotsProcessed")
      .withArgs(
        1n,
        ids.manufacturer1,
        [catchA, catchB],
        [grams("300kg"), grams("50kg")],
        [pack1, pack2],
        grams("220kg"),
        6_285n,
      );
    expect(await manufacturer.parentsOf(pack1)).to.deep.equal([catchA, catchB]);
    expect((await manufacturer.getLot(catchB)).weightGrams).to.equal(BigInt(grams("150kg")));
    expect((await manufacturer.getLot(catchA)).status).to.equal(LotStatus.Removed);
  });

  it("4. the distributor buys both packs and dispatches them by road; the retailer confirms their arrival", async () => {
    const { manufacturer, distributor, retailer, cast, ids } = w;
    const bought = await placeOrder(3, cast.distributor1, cast.manufacturer1, grams("220kg"), "1.2");
    await manufacturer.connect(cast.manufacturer1).initiateShipment(bought, 1n, [pack1, pack2]);
    await manufacturer.connect(cast.distributor1).confirmDelivery(bought);
    await manufacturer.connect(cast.distributor1).acknowledge(bought, 1n, [pack1, pack2]);
    await collect(3, cast.manufacturer1, bought, "1.2");

    const sold = await placeOrder(4, cast.retailer1, cast.distributor1, grams("220kg"), "1.5");
    const route = { origin: HUB, destination: SHOP, mode: 0n, vehicle: fixedText("EL 12345", 16, "vehicle") };
    await expect(distributor.connect(cast.distributor1).dispatch(sold, 1n, [pack1, pack2], route))
      .to.emit(distributor, "ShipmentDispatched")
      .withArgs(sold, 1n, [HUB, SHOP, 0n, route.vehicle]);
    await expect(distributor.connect(cast.retailer1).confirmArrival(sold, SHOP))
      .to.emit(distributor, "ShipmentArrived")
      .withArgs(sold, ids.retailer1, SHOP);
    await distributor.connect(cast.retailer1).acknowledge(sold, 1n, [pack1, pack2]);
    await collect(4, cast.distributor1, sold, "1.5");
    expect((await retailer.getLot(pack2)).custodianId).to.equal(ids.retailer1);
  });

  it("5. the retailer sells the loins to a customer", async () => {
    const { retailer, customer, cast, ids } = w;
    const orderId = await placeOrder(5, cast.customer1, cast.retailer1, grams("120kg"), "0.05");
    await retailer.connect(cast.retailer1).initiateShipment(orderId, 1n, [pack1]);
    await retailer.connect(cast.customer1).confirmDelivery(orderId);
    await expect(retailer.connect(cast.customer1).acknowledge(orderId, 1n, [pack1]))
      .to.emit(customer, "LotReceived")
      .withArgs(pack1, ids.customer1, orderId);
    await collect(5, cast.retailer1, orderId, "0.05");
  });

  it("6. the customer verifies the pack: every hop back to both catches, with who held it at each stage", async () => {
    const { customer, ids } = w;
    const hop = (stage: number, lotId: bigint, holder: bigint, status: bigint, weight: string): HopFields => ({
      stage: BigInt(stage),
      lotId,
      custodianId: holder,
      status,
      flags: 0n,
      weightGrams: BigInt(grams(weight)),
    });
    expect(hopsOf(await customer.verifyProvenance(pack1))).to.deep.equal([
      hop(6, pack1, ids.customer1, LotStatus.Created, "120kg"),
      hop(5, pack1, ids.retailer1, LotStatus.Supplied, "120kg"),
      hop(4, pack1, ids.distributor1, LotStatus.Supplied, "120kg"),
      hop(3, pack1, ids.manufacturer1, LotStatus.Supplied, "120kg"),
      hop(3, catchA, ids.manufacturer1, LotStatus.Removed, "300kg"),
      hop(3, catchB, ids.manufacturer1, LotStatus.Created, "150kg"),
      hop(2, catchA, ids.supplier1, LotStatus.Supplied, "300kg"),
      hop(2, catchB, ids.supplier1, LotStatus.Supplied, "200kg"),
      hop(1, catchA, ids.harvester1, LotStatus.Supplied, "300kg"),
      hop(1, catchB, ids.harvester1, LotStatus.Supplied, "200kg"),
    ]);
  });

  it("7. the customer reports the pack spoiled, which flags it", async () => {
    const { customer, cast, ids } = w;
    const detail = encodeBytes32String("smelled off on opening");
    await expect(customer.connect(cast.customer1).reportProblem(pack1, SPOILED, detail))
      .to.emit(customer, "ProblemReported")
      .withArgs(pack1, ids.customer1, SPOILED, detail);
    expect((await customer.queryStatus(pack1)).flags).to.equal(Flag.PROBLEM_REPORTED);
    expect((await customer.verifyProvenance(pack1))[0]!.flags).to.equal(Flag.PROBLEM_REPORTED);
  });

  it("8. every order is settled: each contract's escrow is 0 and it holds no Ether", async () => {
    for (const [i] of SELLING_STAGES.entries()) {
      const book = bookAt(w, i + 1);
      expect(await book.escrowBalance(), SELLING_STAGES[i]).to.equal(0n);
      expect(await ethers.provider.getBalance(book), SELLING_STAGES[i]).to.equal(0n);
    }
    expect(await ethers.provider.getBalance(w.customer)).to.equal(0n);
  });

  it("9. each lot has one live record in the whole chain; every other stage records it Supplied, by its holder there", async () => {
    const expected: [bigint, string, bigint][] = [
      [catchA, "manufacturer", LotStatus.Removed],
      [catchB, "manufacturer", LotStatus.Created],
      [pack1, "customer", LotStatus.Created],
      [pack2, "retailer", LotStatus.Created],
    ];
    for (const [lotId, liveAt, status] of expected) {
      const live: string[] = [];
      for (const [i, name] of STAGE_NAMES.entries()) {
        const lot = await stageAt(w, i + 1).getLot(lotId);
        if (lot.status !== LotStatus.None && lot.status !== LotStatus.Supplied) {
          live.push(name);
          expect(lot.status).to.equal(status);
        }
      }
      expect(live, String(lotId)).to.deep.equal([liveAt]);
    }
  });

  it("10. a recall of the fillets blocks their retail sale (LotIsRecalled) and the buyer is refunded by rejecting", async () => {
    const { retailer, cast, ids } = w;
    const orderId = await placeOrder(5, cast.customer2, cast.retailer1, grams("100kg"), "0.04");
    await retailer.connect(cast.retailer1).initiateShipment(orderId, 2n, [pack2]);
    await retailer.connect(cast.customer2).confirmDelivery(orderId);

    const reason = encodeBytes32String("Listeria in batch NK-2026-11-20");
    await expect(retailer.connect(cast.regulator).recallLots([pack2], reason))
      .to.emit(retailer, "LotRecalled")
      .withArgs(pack2, ids.regulator, reason);
    await expect(retailer.connect(cast.customer2).acknowledge(orderId, 2n, [pack2]))
      .to.be.revertedWithCustomError(retailer, "LotIsRecalled")
      .withArgs(pack2);
    await time.increaseTo((await retailer.getOrder(orderId)).deadline + 1n);
    await expect(retailer.connect(cast.retailer1).claimPayment(orderId, 2n, [pack2]))
      .to.be.revertedWithCustomError(retailer, "LotIsRecalled")
      .withArgs(pack2);

    // Past the deadline, yet the buyer may still reject: the lot is recalled.
    const why = encodeBytes32String("recalled");
    await expect(retailer.connect(cast.customer2).rejectDelivery(orderId, 2n, [pack2], why))
      .to.emit(retailer, "DeliveryRejected")
      .withArgs(orderId, why);
    await expect(retailer.connect(cast.customer2).withdraw(orderId)).to.changeEtherBalances(
      ethers,
      [retailer, cast.customer2],
      [-ethers.parseEther("0.04"), ethers.parseEther("0.04")],
    );
    expect((await retailer.getOrder(orderId)).state).to.equal(OrderState.Refunded);

    // Back on the retailer's shelf, flagged: it cannot be sold again.
    const lot = await retailer.getLot(pack2);
    expect([lot.status, lot.custodianId, lot.flags]).to.deep.equal([LotStatus.Created, ids.retailer1, Flag.RECALLED]);
    const retry = await placeOrder(5, cast.customer1, cast.retailer1, grams("100kg"), "0.04");
    await expect(retailer.connect(cast.retailer1).initiateShipment(retry, 3n, [pack2]))
      .to.be.revertedWithCustomError(retailer, "LotIsRecalled")
      .withArgs(pack2);
    await retailer.connect(cast.retailer1).cancelOrder(retry);
    await retailer.connect(cast.customer1).withdraw(retry);
    expect(await retailer.escrowBalance()).to.equal(0n);
    expect(await ethers.provider.getBalance(retailer)).to.equal(0n);
    expect((await w.customer.getLot(pack2)).status).to.equal(LotStatus.None);
  });
});
