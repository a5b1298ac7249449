import { expect } from "chai";
import { AbiCoder, encodeBytes32String, keccak256, toBeHex } from "ethers";

import { roleBit, roleId } from "../../src/core/roles.js";
import { grams } from "../../src/core/units.js";
import {
  COD,
  DAY,
  HAD,
  HOUR,
  LotStatus,
  OrderState,
  POK,
  RemovalReason,
  deliver,
  ethers,
  marketFixture,
  networkHelpers,
  placeOrder,
  registerLot,
  ship,
  termsOf,
  time,
  type Market,
} from "../helpers/fixtures.js";
import { OnReceive, deployParty } from "../helpers/party.js";

const HARVESTER_BIT = roleBit("HARVESTER");
const SUPPLIER_BIT = roleBit("SUPPLIER");
const PARTIES = HARVESTER_BIT | SUPPLIER_BIT;
const REASON = encodeBytes32String("QAT: species mismatch");

/** `keccak256(abi.encode(shipmentNo, lotIds))`, the commitment a shipped order stores as its cargo. */
function commitment(shipmentNo: bigint, lotIds: readonly bigint[]): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint64", "uint256[]"], [shipmentNo, lotIds]));
}

/** The cargo of an order not yet shipped: `species << 232 | weightGrams`. */
function terms(species: string, weightGrams: number): string {
  return toBeHex((BigInt(species) << 232n) | BigInt(weightGrams), 32);
}

describe("Harvester order book", () => {
  let m: Market;

  beforeEach(async () => {
    m = await networkHelpers.loadFixture(marketFixture);
  });

  /** The next block will be mined at `t`. */
  const at = (t: number | bigint) => time.setNextBlockTimestamp(t);

  describe("placeOrder", () => {
    it("escrows the price, stores the order as Ordered and emits OrderPlaced", async () => {
      const { harvester, cast, ids } = m;
      const t = await termsOf(m, {
        buyer: cast.supplier2,
        seller: cast.harvester2,
        species: HAD,
        weightGrams: grams("1t"),
      });
      const escrowBefore = await harvester.escrowBalance();
      const tx = harvester
        .connect(t.buyer)
        .placeOrder(t.seller, t.species, t.weightGrams, t.shipBy, t.ackWindow, { value: t.price });
      await expect(tx).to.changeEtherBalances(ethers, [cast.supplier2, harvester], [-t.price, t.price]);
      await expect(tx)
        .to.emit(harvester, "OrderPlaced")
        .withArgs(2n, ids.harvester2, ids.supplier2, HAD, t.weightGrams, t.price, t.shipBy, t.ackWindow);
      expect(await harvester.getOrder(2n)).to.deep.equal([
        ids.harvester2,
        ids.supplier2,
        OrderState.Ordered,
        BigInt(t.shipBy),
        BigInt(t.ackWindow),
        t.price,
        terms(HAD, t.weightGrams),
      ]);
      expect(await harvester.orderCount()).to.equal(2n);
      expect(await harvester.escrowBalance()).to.equal(escrowBefore + t.price);
    });

    it("returns the new order id", async () => {
      const t = await termsOf(m);
      const id = await m.harvester
        .connect(t.buyer)
        .placeOrder.staticCall(t.seller, t.species, t.weightGrams, t.shipBy, t.ackWindow, { value: t.price });
      expect(id).to.equal((await m.harvester.orderCount()) + 1n);
    });

    it("accepts the largest price a uint96 holds and the acknowledgement window bounds", async () => {
      const { harvester, cast } = m;
      const maxPrice = 2n ** 96n - 1n;
      await networkHelpers.setBalance(cast.supplier1.address, 2n ** 97n);
      const minWindow = Number(await harvester.MIN_ACK_WINDOW());
      const maxWindow = Number(await harvester.MAX_ACK_WINDOW());
      await placeOrder(m, await termsOf(m, { price: maxPrice, ackWindow: minWindow }));
      await placeOrder(m, await termsOf(m, { ackWindow: maxWindow }));
      expect((await harvester.getOrder(2n)).price).to.equal(maxPrice);
      expect((await harvester.getOrder(3n)).ackWindow).to.equal(BigInt(maxWindow));
    });

    it("bounds the acknowledgement window to one hour … 90 days", async () => {
      expect(await m.harvester.MIN_ACK_WINDOW()).to.equal(BigInt(HOUR));
      expect(await m.harvester.MAX_ACK_WINDOW()).to.equal(BigInt(90 * DAY));
    });

    it("reverts with StageUnauthorized for a buyer that is no supplier", async () => {
      const { harvester, cast } = m;
      const t = await termsOf(m);
      for (const buyer of [cast.harvester1, cast.harvester2, cast.regulator, cast.qat, cast.outsider]) {
        await expect(
          harvester
            .connect(buyer)
            .placeOrder(t.seller, t.species, t.weightGrams, t.shipBy, t.ackWindow, { value: t.price }),
        )
          .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
          .withArgs(buyer.address, SUPPLIER_BIT);
      }
    });

    it("reverts with StageUnauthorized naming the seller when the seller is no harvester", async () => {
      const { harvester, cast } = m;
      for (const seller of [cast.supplier2, cast.gateway, cast.outsider]) {
        const t = await termsOf(m, { seller });
        await expect(
          harvester
            .connect(t.buyer)
            .placeOrder(seller, t.species, t.weightGrams, t.shipBy, t.ackWindow, { value: t.price }),
        )
          .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
          .withArgs(seller.address, HARVESTER_BIT);
      }
    });

    it("reverts with StageSpeciesNotListed for a species not listed", async () => {
      const t = await termsOf(m, { species: POK });
      await expect(placeOrder(m, t)).to.be.revertedWithCustomError(m.harvester, "StageSpeciesNotListed").withArgs(POK);
    });

    it("reverts with StageInvalidWeight for a weight of zero", async () => {
      const t = await termsOf(m, { weightGrams: 0 });
      await expect(placeOrder(m, t)).to.be.revertedWithCustomError(m.harvester, "StageInvalidWeight").withArgs(0n);
    });

    it("reverts with OrderInvalidPrice for no payment and for more than a uint96", async () => {
      const { harvester, cast } = m;
      await expect(placeOrder(m, await termsOf(m, { price: 0n })))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidPrice")
        .withArgs(0n);
      await networkHelpers.setBalance(cast.supplier1.address, 2n ** 97n);
      await expect(placeOrder(m, await termsOf(m, { price: 2n ** 96n })))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidPrice")
        .withArgs(2n ** 96n);
    });

    it("reverts with OrderInvalidShipBy for a ship-by time that is not in the future", async () => {
      for (const offset of [0, -DAY]) {
        const now = (await time.latest()) + 10;
        await at(now);
        await expect(placeOrder(m, await termsOf(m, { shipBy: now + offset })))
          .to.be.revertedWithCustomError(m.harvester, "OrderInvalidShipBy")
          .withArgs(now + offset, now);
      }
    });

    it("reverts with OrderInvalidAckWindow outside [MIN_ACK_WINDOW, MAX_ACK_WINDOW]", async () => {
      const { harvester } = m;
      const min = await harvester.MIN_ACK_WINDOW();
      const max = await harvester.MAX_ACK_WINDOW();
      for (const ackWindow of [min - 1n, max + 1n, 0n]) {
        await expect(placeOrder(m, await termsOf(m, { ackWindow: Number(ackWindow) })))
          .to.be.revertedWithCustomError(harvester, "OrderInvalidAckWindow")
          .withArgs(ackWindow, min, max);
      }
    });
  });

  describe("initiateShipment", () => {
    it("ships the lots, commits to them, takes them out of the available totals and emits ShipmentInitiated", async () => {
      const { harvester, cast, codLots, orderId, shipmentNo, terms: t } = m;
      const shipped =
        (await harvester.getLot(codLots[0])).weightGrams + (await harvester.getLot(codLots[1])).weightGrams;
      const before = await harvester.totalAvailableFish(COD);
      await expect(harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, codLots))
        .to.emit(harvester, "ShipmentInitiated")
        .withArgs(orderId, shipmentNo, codLots, shipped);
      const order = await harvester.getOrder(orderId);
      expect([order.state, order.deadline, order.cargo]).to.deep.equal([
        OrderState.Shipped,
        BigInt(t.shipBy),
        commitment(shipmentNo, codLots),
      ]);
      for (const lotId of codLots) expect((await harvester.getLot(lotId)).status).to.equal(LotStatus.Shipped);
      const after = await harvester.totalAvailableFish(COD);
      expect([after.lots, after.grams]).to.deep.equal([before.lots - 2n, before.grams - shipped]);
    });

    it("accepts a shipment at the ship-by time itself", async () => {
      await at(m.terms.shipBy);
      await ship(m);
      expect((await m.harvester.getOrder(m.orderId)).state).to.equal(OrderState.Shipped);
    });

    it("reverts with OrderUnderweight when the lots weigh less than ordered, leaving the lots available", async () => {
      const { harvester, cast, codLots, orderId, shipmentNo, terms: t } = m;
      const oneLot = (await harvester.getLot(codLots[0])).weightGrams;
      await expect(harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, [codLots[0]]))
        .to.be.revertedWithCustomError(harvester, "OrderUnderweight")
        .withArgs(orderId, oneLot, t.weightGrams);
      expect((await harvester.getLot(codLots[0])).status).to.equal(LotStatus.Created);
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Ordered);
    });

    it("reverts with OrderDeadlinePassed after the ship-by time", async () => {
      const { harvester, orderId, terms: t } = m;
      await at(t.shipBy + 1);
      await expect(ship(m))
        .to.be.revertedWithCustomError(harvester, "OrderDeadlinePassed")
        .withArgs(orderId, t.shipBy, t.shipBy + 1);
    });

    it("reverts with StageUnauthorized for a caller that is no harvester", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      for (const caller of [cast.supplier1, cast.gateway]) {
        await expect(harvester.connect(caller).initiateShipment(orderId, shipmentNo, codLots))
          .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
          .withArgs(caller.address, HARVESTER_BIT);
      }
    });

    it("reverts with OrderNotFound for an order that does not exist", async () => {
      const { harvester, cast, shipmentNo, codLots } = m;
      await expect(harvester.connect(cast.harvester1).initiateShipment(99n, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderNotFound")
        .withArgs(99n);
    });

    it("reverts with OrderNotParty for a harvester that is not the order's seller", async () => {
      const { harvester, cast, orderId, shipmentNo } = m;
      await expect(harvester.connect(cast.harvester2).initiateShipment(orderId, shipmentNo, [m.otherHarvesterLot]))
        .to.be.revertedWithCustomError(harvester, "OrderNotParty")
        .withArgs(orderId, cast.harvester2.address);
    });

    it("reverts with OrderInvalidState for an order shipped already or cancelled", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await ship(m);
      await expect(harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Shipped, OrderState.Ordered);
      const second = await placeOrder(m, await termsOf(m));
      await harvester.connect(cast.harvester1).cancelOrder(second);
      await expect(harvester.connect(cast.harvester1).initiateShipment(second, shipmentNo, [m.hadLot]))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(second, OrderState.Cancelled, OrderState.Ordered);
    });

    it("reverts with OrderEmptyShipment for no lots", async () => {
      const { harvester, cast, orderId, shipmentNo } = m;
      await expect(harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, []))
        .to.be.revertedWithCustomError(harvester, "OrderEmptyShipment")
        .withArgs(orderId);
    });

    it("reverts with LotNotFound for a lot that does not exist", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await expect(harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, [codLots[0], 999n]))
        .to.be.revertedWithCustomError(harvester, "LotNotFound")
        .withArgs(999n);
    });

    it("reverts with LotNotInCustody for another harvester's lot", async () => {
      const { harvester, cast, ids, orderId, shipmentNo, codLots, otherHarvesterLot } = m;
      await expect(
        harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, [codLots[0], otherHarvesterLot]),
      )
        .to.be.revertedWithCustomError(harvester, "LotNotInCustody")
        .withArgs(otherHarvesterLot, ids.harvester2, ids.harvester1);
    });

    it("reverts with LotInvalidStatus for a removed lot and for a lot listed twice", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await expect(harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, [codLots[0], codLots[0]]))
        .to.be.revertedWithCustomError(harvester, "LotInvalidStatus")
        .withArgs(codLots[0], LotStatus.Shipped, LotStatus.Created);
      await harvester.connect(cast.harvester1).removeFish(codLots[1], RemovalReason.Discarded);
      await expect(harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "LotInvalidStatus")
        .withArgs(codLots[1], LotStatus.Removed, LotStatus.Created);
    });

    it("reverts with LotInvalidStatus for a lot shipped under another order", async () => {
      const { harvester, cast, shipmentNo, codLots } = m;
      await ship(m);
      const second = await placeOrder(m, await termsOf(m, { weightGrams: grams("100kg") }));
      await expect(harvester.connect(cast.harvester1).initiateShipment(second, shipmentNo + 1n, [codLots[1]]))
        .to.be.revertedWithCustomError(harvester, "LotInvalidStatus")
        .withArgs(codLots[1], LotStatus.Shipped, LotStatus.Created);
    });

    it("reverts with OrderSpeciesMismatch for a lot of another species", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots, hadLot } = m;
      await expect(harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, [codLots[0], hadLot]))
        .to.be.revertedWithCustomError(harvester, "OrderSpeciesMismatch")
        .withArgs(orderId, hadLot, COD, HAD);
    });
  });

  describe("confirmDelivery", () => {
    for (const who of ["buyer", "seller"] as const) {
      it(`lets the ${who} confirm, starting the buyer's acknowledgement window (DeliveryConfirmed)`, async () => {
        const { harvester, cast, ids, orderId, terms: t } = m;
        await ship(m);
        const [signer, id] = who === "buyer" ? [cast.supplier1, ids.supplier1] : [cast.harvester1, ids.harvester1];
        const now = (await time.latest()) + 100;
        await at(now);
        const deadline = now + t.ackWindow + (who === "seller" ? 7 * 86_400 : 0);
        await expect(harvester.connect(signer).confirmDelivery(orderId))
          .to.emit(harvester, "DeliveryConfirmed")
          // The seller's confirmation leaves the buyer 7 more days to dispute the arrival (audit F6).
          .withArgs(orderId, id, deadline);
        const order = await harvester.getOrder(orderId);
        expect([order.state, order.deadline]).to.deep.equal([OrderState.Delivered, BigInt(deadline)]);
      });
    }

    it("reverts with StageUnauthorized for a caller that is neither harvester nor supplier", async () => {
      const { harvester, cast, orderId } = m;
      await ship(m);
      for (const caller of [cast.regulator, cast.gateway, cast.outsider]) {
        await expect(harvester.connect(caller).confirmDelivery(orderId))
          .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
          .withArgs(caller.address, PARTIES);
      }
    });

    it("reverts with OrderNotFound for an order that does not exist", async () => {
      await expect(m.harvester.connect(m.cast.supplier1).confirmDelivery(7n))
        .to.be.revertedWithCustomError(m.harvester, "OrderNotFound")
        .withArgs(7n);
    });

    it("reverts with OrderNotParty for a harvester or supplier outside the order", async () => {
      const { harvester, cast, orderId } = m;
      await ship(m);
      for (const caller of [cast.harvester2, cast.supplier2]) {
        await expect(harvester.connect(caller).confirmDelivery(orderId))
          .to.be.revertedWithCustomError(harvester, "OrderNotParty")
          .withArgs(orderId, caller.address);
      }
    });

    it("reverts with OrderInvalidState before shipment and once delivered", async () => {
      const { harvester, cast, orderId } = m;
      await expect(harvester.connect(cast.supplier1).confirmDelivery(orderId))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Ordered, OrderState.Shipped);
      await deliver(m);
      await expect(harvester.connect(cast.harvester1).confirmDelivery(orderId))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Delivered, OrderState.Shipped);
    });
  });

  describe("acknowledge", () => {
    it("passes custody of every lot to the buyer at the Supplier contract, counts them as supplied and emits the events", async () => {
      const { harvester, supplier, cast, ids, orderId, shipmentNo, codLots } = m;
      await deliver(m);
      const available = await harvester.totalAvailableFish(COD);
      const escrow = await harvester.escrowBalance();
      const tx = harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots);
      for (const lotId of codLots) {
        await expect(tx)
          .to.emit(harvester, "CustodyTransferred")
          .withArgs(lotId, ids.harvester1, ids.supplier1, orderId);
        await expect(tx).to.emit(supplier, "LotReceived").withArgs(lotId, ids.supplier1, orderId);
      }
      await expect(tx).to.emit(harvester, "OrderAcknowledged").withArgs(orderId, false);
      await expect(tx).to.changeEtherBalances(ethers, [harvester, cast.harvester1], [0n, 0n]);
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Acknowledged);
      let grams = 0n;
      for (const lotId of codLots) {
        // The Harvester keeps who held the lot there; the Supplier contract holds it now, in the buyer's custody.
        const here = await harvester.getLot(lotId);
        expect([here.status, here.custodianId]).to.deep.equal([LotStatus.Supplied, ids.harvester1]);
        const there = await supplier.getLot(lotId);
        expect([there.status, there.custodianId, there.weightGrams, there.species]).to.deep.equal([
          LotStatus.Created,
          ids.supplier1,
          here.weightGrams,
          here.species,
        ]);
        grams += here.weightGrams;
      }
      const supplied = await harvester.totalSuppliedFish(COD);
      expect([supplied.lots, supplied.grams, supplied.updatedAt]).to.deep.equal([
        2n,
        grams,
        BigInt(await time.latest()),
      ]);
      const availableAfter = await harvester.totalAvailableFish(COD);
      expect([availableAfter.lots, availableAfter.grams]).to.deep.equal([available.lots, available.grams]);
      const atSupplier = await supplier.totalAvailableFish(COD);
      expect([atSupplier.lots, atSupplier.grams]).to.deep.equal([2n, grams]);
      expect(await harvester.escrowBalance()).to.equal(escrow);
    });

    it("is still open to the buyer after its deadline while the seller has not claimed", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      const deadline = await deliver(m);
      await time.increaseTo(deadline + BigInt(DAY));
      await expect(harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots))
        .to.emit(harvester, "OrderAcknowledged")
        .withArgs(orderId, false);
    });

    it("reverts with StageUnauthorized for a caller that is no supplier", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await deliver(m);
      await expect(harvester.connect(cast.harvester1).acknowledge(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
        .withArgs(cast.harvester1.address, SUPPLIER_BIT);
    });

    it("reverts with OrderNotFound for an order that does not exist", async () => {
      const { harvester, cast, shipmentNo, codLots } = m;
      await expect(harvester.connect(cast.supplier1).acknowledge(5n, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderNotFound")
        .withArgs(5n);
    });

    it("reverts with OrderNotParty for a supplier that is not the buyer", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await deliver(m);
      await expect(harvester.connect(cast.supplier2).acknowledge(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderNotParty")
        .withArgs(orderId, cast.supplier2.address);
    });

    it("reverts with OrderInvalidState before delivery is confirmed and once acknowledged", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await ship(m);
      await expect(harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Shipped, OrderState.Delivered);
      await harvester.connect(cast.supplier1).confirmDelivery(orderId);
      await harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots);
      await expect(harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Acknowledged, OrderState.Delivered);
    });

    it("reverts with OrderShipmentMismatch unless shipment number and lots are exactly those shipped", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots, hadLot } = m;
      await deliver(m);
      const wrong: [bigint, bigint[]][] = [
        [shipmentNo + 1n, [...codLots]],
        [shipmentNo, [codLots[1], codLots[0]]],
        [shipmentNo, [codLots[0]]],
        [shipmentNo, [...codLots, hadLot]],
      ];
      for (const [no, lots] of wrong) {
        await expect(harvester.connect(cast.supplier1).acknowledge(orderId, no, lots))
          .to.be.revertedWithCustomError(harvester, "OrderShipmentMismatch")
          .withArgs(orderId);
      }
    });
  });

  describe("claimPayment", () => {
    it("settles the order for the seller once the buyer let its deadline pass (OrderAcknowledged byDeadline)", async () => {
      const { harvester, cast, ids, orderId, shipmentNo, codLots } = m;
      const deadline = await deliver(m);
      await at(deadline + 1n);
      const tx = harvester.connect(cast.harvester1).claimPayment(orderId, shipmentNo, codLots);
      for (const lotId of codLots) {
        await expect(tx)
          .to.emit(harvester, "CustodyTransferred")
          .withArgs(lotId, ids.harvester1, ids.supplier1, orderId);
      }
      await expect(tx).to.emit(harvester, "OrderAcknowledged").withArgs(orderId, true);
      for (const lotId of codLots) {
        await expect(tx).to.emit(m.supplier, "LotReceived").withArgs(lotId, ids.supplier1, orderId);
      }
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Acknowledged);
      const here = await harvester.getLot(codLots[0]);
      expect([here.status, here.custodianId]).to.deep.equal([LotStatus.Supplied, ids.harvester1]);
      const there = await m.supplier.getLot(codLots[0]);
      expect([there.status, there.custodianId]).to.deep.equal([LotStatus.Created, ids.supplier1]);
    });

    it("reverts with OrderDeadlineNotReached up to and including the deadline", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      const deadline = await deliver(m);
      await at(deadline);
      await expect(harvester.connect(cast.harvester1).claimPayment(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderDeadlineNotReached")
        .withArgs(orderId, deadline, deadline);
    });

    it("reverts with OrderNotParty for a caller that is not the order's seller", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await time.increaseTo((await deliver(m)) + 1n);
      await expect(harvester.connect(cast.supplier1).claimPayment(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderNotParty")
        .withArgs(orderId, cast.supplier1.address);
    });

    it("lets a seller whose roles were revoked still claim the payment it is owed", async () => {
      const { harvester, registry, cast, orderId, shipmentNo, codLots } = m;
      await time.increaseTo((await deliver(m)) + 1n);
      await registry.revokeParticipant(cast.harvester1.address);
      await expect(harvester.connect(cast.harvester1).claimPayment(orderId, shipmentNo, codLots))
        .to.emit(harvester, "OrderAcknowledged")
        .withArgs(orderId, true);
    });

    it("reverts with OrderNotFound for an order that does not exist", async () => {
      const { harvester, cast, shipmentNo, codLots } = m;
      await expect(harvester.connect(cast.harvester1).claimPayment(3n, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderNotFound")
        .withArgs(3n);
    });

    it("reverts with OrderNotParty for a harvester that is not the seller", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await time.increaseTo((await deliver(m)) + 1n);
      await expect(harvester.connect(cast.harvester2).claimPayment(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderNotParty")
        .withArgs(orderId, cast.harvester2.address);
    });

    it("reverts with OrderInvalidState while the order is only Shipped", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await ship(m);
      await time.increase(30 * DAY);
      await expect(harvester.connect(cast.harvester1).claimPayment(orderId, shipmentNo, codLots))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Shipped, OrderState.Delivered);
    });

    it("reverts with OrderShipmentMismatch for other lots than those shipped", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await time.increaseTo((await deliver(m)) + 1n);
      await expect(harvester.connect(cast.harvester1).claimPayment(orderId, shipmentNo, [codLots[0]]))
        .to.be.revertedWithCustomError(harvester, "OrderShipmentMismatch")
        .withArgs(orderId);
    });
  });

  describe("rejectDelivery", () => {
    it("returns a shipped order's lots to the seller's inventory and emits DeliveryRejected", async () => {
      const { harvester, cast, ids, orderId, shipmentNo, codLots } = m;
      const available = await harvester.totalAvailableFish(COD);
      await ship(m);
      await expect(harvester.connect(cast.supplier1).rejectDelivery(orderId, shipmentNo, codLots, REASON))
        .to.emit(harvester, "DeliveryRejected")
        .withArgs(orderId, REASON);
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Rejected);
      for (const lotId of codLots) {
        const lot = await harvester.getLot(lotId);
        expect([lot.status, lot.custodianId]).to.deep.equal([LotStatus.Created, ids.harvester1]);
      }
      const after = await harvester.totalAvailableFish(COD);
      expect([after.lots, after.grams]).to.deep.equal([available.lots, available.grams]);
    });

    it("accepts a rejection of a delivered order up to and including the acknowledgement deadline", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      const deadline = await deliver(m);
      await at(deadline);
      await expect(harvester.connect(cast.supplier1).rejectDelivery(orderId, shipmentNo, codLots, REASON))
        .to.emit(harvester, "DeliveryRejected")
        .withArgs(orderId, REASON);
    });

    it("lets the seller ship rejected lots again under another order", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await ship(m);
      await harvester.connect(cast.supplier1).rejectDelivery(orderId, shipmentNo, codLots, REASON);
      const second = await placeOrder(m, await termsOf(m, { buyer: cast.supplier2 }));
      await expect(harvester.connect(cast.harvester1).initiateShipment(second, shipmentNo + 1n, codLots)).to.emit(
        harvester,
        "ShipmentInitiated",
      );
    });

    it("reverts with OrderDeadlinePassed after the acknowledgement deadline", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      const deadline = await deliver(m);
      await at(deadline + 1n);
      await expect(harvester.connect(cast.supplier1).rejectDelivery(orderId, shipmentNo, codLots, REASON))
        .to.be.revertedWithCustomError(harvester, "OrderDeadlinePassed")
        .withArgs(orderId, deadline, deadline + 1n);
    });

    it("reverts with StageUnauthorized for a caller that is no supplier", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await ship(m);
      await expect(harvester.connect(cast.harvester1).rejectDelivery(orderId, shipmentNo, codLots, REASON))
        .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
        .withArgs(cast.harvester1.address, SUPPLIER_BIT);
    });

    it("reverts with OrderNotFound for an order that does not exist", async () => {
      const { harvester, cast, shipmentNo, codLots } = m;
      await expect(harvester.connect(cast.supplier1).rejectDelivery(8n, shipmentNo, codLots, REASON))
        .to.be.revertedWithCustomError(harvester, "OrderNotFound")
        .withArgs(8n);
    });

    it("reverts with OrderNotParty for a supplier that is not the buyer", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await ship(m);
      await expect(harvester.connect(cast.supplier2).rejectDelivery(orderId, shipmentNo, codLots, REASON))
        .to.be.revertedWithCustomError(harvester, "OrderNotParty")
        .withArgs(orderId, cast.supplier2.address);
    });

    it("reverts with OrderInvalidState before shipment and once acknowledged", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await expect(harvester.connect(cast.supplier1).rejectDelivery(orderId, shipmentNo, codLots, REASON))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Ordered, OrderState.Delivered);
      await deliver(m);
      await harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots);
      await expect(harvester.connect(cast.supplier1).rejectDelivery(orderId, shipmentNo, codLots, REASON))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Acknowledged, OrderState.Delivered);
    });

    it("reverts with OrderShipmentMismatch for other lots than those shipped, returning none", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots, hadLot } = m;
      await ship(m);
      await expect(harvester.connect(cast.supplier1).rejectDelivery(orderId, shipmentNo, [hadLot], REASON))
        .to.be.revertedWithCustomError(harvester, "OrderShipmentMismatch")
        .withArgs(orderId);
      expect((await harvester.getLot(codLots[0])).status).to.equal(LotStatus.Shipped);
    });
  });

  describe("cancelOrder", () => {
    it("lets the seller decline before shipping, at any time (OrderCancelled)", async () => {
      const { harvester, cast, ids, orderId, terms: t } = m;
      const escrow = await harvester.escrowBalance();
      await time.increaseTo(t.shipBy + DAY);
      await expect(harvester.connect(cast.harvester1).cancelOrder(orderId))
        .to.emit(harvester, "OrderCancelled")
        .withArgs(orderId, ids.harvester1);
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Cancelled);
      expect(await harvester.escrowBalance()).to.equal(escrow);
    });

    it("lets the buyer walk away once the ship-by time has passed", async () => {
      const { harvester, cast, ids, orderId, terms: t } = m;
      await at(t.shipBy + 1);
      await expect(harvester.connect(cast.supplier1).cancelOrder(orderId))
        .to.emit(harvester, "OrderCancelled")
        .withArgs(orderId, ids.supplier1);
    });

    it("reverts with OrderDeadlineNotReached for the buyer up to and including the ship-by time", async () => {
      const { harvester, cast, orderId, terms: t } = m;
      await at(t.shipBy);
      await expect(harvester.connect(cast.supplier1).cancelOrder(orderId))
        .to.be.revertedWithCustomError(harvester, "OrderDeadlineNotReached")
        .withArgs(orderId, t.shipBy, t.shipBy);
    });

    it("reverts with OrderNotParty for a caller that is neither the seller nor the buyer", async () => {
      const { harvester, cast, orderId } = m;
      await expect(harvester.connect(cast.regulator).cancelOrder(orderId))
        .to.be.revertedWithCustomError(harvester, "OrderNotParty")
        .withArgs(orderId, cast.regulator.address);
    });

    it("lets a buyer whose roles were revoked still cancel after the ship-by time", async () => {
      const { harvester, registry, cast, orderId, terms: t } = m;
      await registry.revokeParticipant(cast.supplier1.address);
      await at(BigInt(t.shipBy) + 1n);
      await expect(harvester.connect(cast.supplier1).cancelOrder(orderId)).to.emit(harvester, "OrderCancelled");
    });

    it("reverts with OrderNotFound for an order that does not exist", async () => {
      await expect(m.harvester.connect(m.cast.harvester1).cancelOrder(0n))
        .to.be.revertedWithCustomError(m.harvester, "OrderNotFound")
        .withArgs(0n);
    });

    it("reverts with OrderNotParty for a harvester or supplier outside the order", async () => {
      const { harvester, cast, orderId, terms: t } = m;
      await time.increaseTo(t.shipBy + 1);
      for (const caller of [cast.harvester2, cast.supplier2]) {
        await expect(harvester.connect(caller).cancelOrder(orderId))
          .to.be.revertedWithCustomError(harvester, "OrderNotParty")
          .withArgs(orderId, caller.address);
      }
    });

    it("reverts with OrderInvalidState once shipped", async () => {
      const { harvester, cast, orderId } = m;
      await ship(m);
      await expect(harvester.connect(cast.harvester1).cancelOrder(orderId))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Shipped, OrderState.Ordered);
    });
  });

  describe("withdraw", () => {
    it("pays the seller the escrowed price of an acknowledged order (OrderPaid)", async () => {
      const { harvester, cast, ids, orderId, shipmentNo, codLots, terms: t } = m;
      await deliver(m);
      await harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots);
      const escrow = await harvester.escrowBalance();
      const tx = harvester.connect(cast.harvester1).withdraw(orderId);
      await expect(tx).to.changeEtherBalances(ethers, [harvester, cast.harvester1], [-t.price, t.price]);
      await expect(tx).to.emit(harvester, "OrderPaid").withArgs(orderId, ids.harvester1, t.price);
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Paid);
      expect(await harvester.escrowBalance()).to.equal(escrow - t.price);
    });

    it("refunds the buyer of a cancelled order (OrderRefunded)", async () => {
      const { harvester, cast, ids, orderId, terms: t } = m;
      await harvester.connect(cast.harvester1).cancelOrder(orderId);
      const tx = harvester.connect(cast.supplier1).withdraw(orderId);
      await expect(tx).to.changeEtherBalances(ethers, [harvester, cast.supplier1], [-t.price, t.price]);
      await expect(tx).to.emit(harvester, "OrderRefunded").withArgs(orderId, ids.supplier1, t.price);
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Refunded);
    });

    it("refunds the buyer of a rejected delivery (OrderRefunded)", async () => {
      const { harvester, cast, ids, orderId, shipmentNo, codLots, terms: t } = m;
      await deliver(m);
      await harvester.connect(cast.supplier1).rejectDelivery(orderId, shipmentNo, codLots, REASON);
      const tx = harvester.connect(cast.supplier1).withdraw(orderId);
      await expect(tx).to.changeEtherBalances(ethers, [harvester, cast.supplier1], [-t.price, t.price]);
      await expect(tx).to.emit(harvester, "OrderRefunded").withArgs(orderId, ids.supplier1, t.price);
    });

    it("reverts with OrderInvalidState for a second withdrawal", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await deliver(m);
      await harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots);
      await harvester.connect(cast.harvester1).withdraw(orderId);
      await expect(harvester.connect(cast.harvester1).withdraw(orderId))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(orderId, OrderState.Paid, OrderState.Acknowledged);
      const second = await placeOrder(m, await termsOf(m));
      await harvester.connect(cast.harvester1).cancelOrder(second);
      await harvester.connect(cast.supplier1).withdraw(second);
      await expect(harvester.connect(cast.supplier1).withdraw(second))
        .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
        .withArgs(second, OrderState.Refunded, OrderState.Acknowledged);
    });

    it("reverts with OrderInvalidState while nothing is owed (Ordered, Shipped, Delivered)", async () => {
      const { harvester, cast, orderId } = m;
      const check = async (state: bigint) => {
        for (const caller of [cast.harvester1, cast.supplier1]) {
          await expect(harvester.connect(caller).withdraw(orderId))
            .to.be.revertedWithCustomError(harvester, "OrderInvalidState")
            .withArgs(orderId, state, OrderState.Acknowledged);
        }
      };
      await check(OrderState.Ordered);
      await ship(m);
      await check(OrderState.Shipped);
      await harvester.connect(cast.supplier1).confirmDelivery(orderId);
      await check(OrderState.Delivered);
    });

    it("reverts with OrderNotParty when the buyer claims the price or the seller the refund", async () => {
      const { harvester, cast, orderId, shipmentNo, codLots } = m;
      await deliver(m);
      await harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots);
      for (const caller of [cast.supplier1, cast.harvester2]) {
        await expect(harvester.connect(caller).withdraw(orderId))
          .to.be.revertedWithCustomError(harvester, "OrderNotParty")
          .withArgs(orderId, caller.address);
      }
      const second = await placeOrder(m, await termsOf(m));
      await harvester.connect(cast.harvester1).cancelOrder(second);
      for (const caller of [cast.harvester1, cast.supplier2]) {
        await expect(harvester.connect(caller).withdraw(second))
          .to.be.revertedWithCustomError(harvester, "OrderNotParty")
          .withArgs(second, caller.address);
      }
    });

    it("reverts with OrderNotFound for an order that does not exist", async () => {
      await expect(m.harvester.connect(m.cast.supplier1).withdraw(2n))
        .to.be.revertedWithCustomError(m.harvester, "OrderNotFound")
        .withArgs(2n);
    });

    it("reverts with InsufficientBalance should the contract ever hold less than the price (balance forced to 0)", async () => {
      const { harvester, cast, orderId, terms: t } = m;
      await harvester.connect(cast.harvester1).cancelOrder(orderId);
      await networkHelpers.setBalance(await harvester.getAddress(), 0n);
      await expect(harvester.connect(cast.supplier1).withdraw(orderId))
        .to.be.revertedWithCustomError(harvester, "InsufficientBalance")
        .withArgs(0n, t.price);
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Cancelled);
    });

    it("reverts with OrderNotParty for a caller that is neither the seller nor the buyer", async () => {
      const { harvester, cast, orderId } = m;
      await harvester.connect(cast.harvester1).cancelOrder(orderId);
      await expect(harvester.connect(cast.regulator).withdraw(orderId))
        .to.be.revertedWithCustomError(harvester, "OrderNotParty")
        .withArgs(orderId, cast.regulator.address);
    });

    it("pays a buyer whose roles were revoked the refund it is owed (nothing stays in escrow)", async () => {
      const { harvester, registry, cast, orderId, terms: t } = m;
      await harvester.connect(cast.harvester1).cancelOrder(orderId);
      await registry.revokeParticipant(cast.supplier1.address);
      await expect(harvester.connect(cast.supplier1).withdraw(orderId)).to.changeEtherBalances(
        ethers,
        [cast.supplier1, harvester],
        [t.price, -t.price],
      );
      expect(await harvester.escrowBalance()).to.equal(0n);
    });
  });

  describe("withdraw to a contract participant", () => {
    /** A Party contract registered as a supplier, with a cancelled order whose refund it may withdraw. */
    async function refundOwedToParty(market: Market) {
      const { registry, harvester, cast } = market;
      const party = await deployParty(cast.admin);
      await registry.registerParticipant(party, roleId("SUPPLIER"), "Party contract", "test");
      const t = await termsOf(market);
      const orderId = (await harvester.orderCount()) + 1n;
      const place = harvester.interface.encodeFunctionData("placeOrder", [
        t.seller.address,
        t.species,
        t.weightGrams,
        t.shipBy,
        t.ackWindow,
      ]);
      await party.execute(await harvester.getAddress(), place, { value: t.price });
      await harvester.connect(cast.harvester1).cancelOrder(orderId);
      const withdraw = harvester.interface.encodeFunctionData("withdraw", [orderId]);
      return { party, orderId, price: t.price, withdraw };
    }

    it("refunds a contract that accepts Ether", async () => {
      const { harvester } = m;
      const { party, orderId, price, withdraw } = await refundOwedToParty(m);
      const tx = party.execute(await harvester.getAddress(), withdraw);
      await expect(tx).to.changeEtherBalances(ethers, [harvester, party], [-price, price]);
      await expect(tx).to.emit(harvester, "OrderRefunded");
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Refunded);
    });

    it("reverts with FailedCall when the payee refuses the Ether without a reason, keeping the refund owed", async () => {
      const { harvester } = m;
      const { party, orderId, withdraw } = await refundOwedToParty(m);
      await party.setOnReceive(OnReceive.Refuse, await harvester.getAddress(), "0x");
      await expect(party.execute(await harvester.getAddress(), withdraw)).to.be.revertedWithCustomError(
        harvester,
        "FailedCall",
      );
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Cancelled);
    });

    it("reverts with ReentrancyGuardReentrantCall when the payee re-enters withdraw", async () => {
      const { harvester } = m;
      const { party, orderId, withdraw } = await refundOwedToParty(m);
      const escrow = await harvester.escrowBalance();
      await party.setOnReceive(OnReceive.CallBack, await harvester.getAddress(), withdraw);
      await expect(party.execute(await harvester.getAddress(), withdraw)).to.be.revertedWithCustomError(
        harvester,
        "ReentrancyGuardReentrantCall",
      );
      expect((await harvester.getOrder(orderId)).state).to.equal(OrderState.Cancelled);
      expect(await harvester.escrowBalance()).to.equal(escrow);
    });
  });

  describe("views and escrow", () => {
    it("getOrder returns a zeroed order for an id never placed", async () => {
      expect([...(await m.harvester.getOrder(42n))]).to.deep.equal([
        0n,
        0n,
        OrderState.None,
        0n,
        0n,
        0n,
        `0x${"00".repeat(32)}`,
      ]);
    });

    it("keeps escrowBalance equal to the Ether the contract holds through every way out of escrow", async () => {
      const { harvester, cast, shipmentNo, codLots, orderId } = m;
      const holds = async () => ethers.provider.getBalance(harvester);
      const solvent = async () => expect(await harvester.escrowBalance()).to.equal(await holds());
      await solvent();
      const cancelled = await placeOrder(m, await termsOf(m, { price: ethers.parseEther("0.3") }));
      const rejected = await placeOrder(
        m,
        await termsOf(m, { buyer: cast.supplier2, price: ethers.parseEther("0.7") }),
      );
      await solvent();
      // order 1 is paid, `cancelled` refunded, `rejected` refunded after a rejection
      await deliver(m);
      await harvester.connect(cast.supplier1).acknowledge(orderId, shipmentNo, codLots);
      await harvester.connect(cast.harvester1).withdraw(orderId);
      await solvent();
      await harvester.connect(cast.harvester1).cancelOrder(cancelled);
      await harvester.connect(cast.supplier1).withdraw(cancelled);
      await solvent();
      const lot = await registerLot(m, cast.harvester1, { weightGrams: grams("400kg") });
      await harvester.connect(cast.harvester1).initiateShipment(rejected, 9n, [lot]);
      await harvester.connect(cast.supplier2).rejectDelivery(rejected, 9n, [lot], REASON);
      await harvester.connect(cast.supplier2).withdraw(rejected);
      await solvent();
      expect(await harvester.escrowBalance()).to.equal(0n);
      expect(await harvester.orderCount()).to.equal(3n);
    });
  });
});
