/**
 * The Distributor's own work: dispatching a shipment to a Retailer with its route and transport mode, and
 * confirming where it arrived. Both are the order book's shipment and delivery with more detail, so they revert
 * exactly as `initiateShipment` and `confirmDelivery` do.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { encodeBytes32String } from "ethers";

import { roleBit } from "../../src/core/roles.js";
import { fixedText, grams } from "../../src/core/units.js";
import type { IDistributor } from "../../typechain-types/index.js";
import { lotsAt, order } from "../helpers/chain.js";
import {
  COD,
  DAY,
  HAD,
  LotStatus,
  OrderState,
  deployWorld,
  ethers,
  networkHelpers,
  time,
  type World,
} from "../helpers/fixtures.js";

const DISTRIBUTOR_BIT = roleBit("DISTRIBUTOR");
const RETAILER_BIT = roleBit("RETAILER");
const HUB = encodeBytes32String("7080003000098"); // the distributor's cold store (GLN)
const SHOP = encodeBytes32String("7080003000111"); // the retailer's shop (GLN)

/** `IDistributor.TransportMode`. */
const TransportMode = { Road: 0n, Rail: 1n, Sea: 2n, Air: 3n } as const;

function route(mode: bigint = TransportMode.Road): IDistributor.RouteStruct {
  return { origin: HUB, destination: SHOP, mode, vehicle: fixedText("EL 12345", 16, "vehicle") };
}

/** The route as the event carries it. */
const routeTuple = (r: IDistributor.RouteStruct) => [r.origin, r.destination, r.mode, r.vehicle];

interface Depot extends World {
  d1: HardhatEthersSigner;
  d2: HardhatEthersSigner;
  r1: HardhatEthersSigner;
  r2: HardhatEthersSigner;
  /** Two 250 kg cod lots of distributor1. */
  lots: [bigint, bigint];
  /** A 100 kg haddock lot of distributor1. */
  had: bigint;
  /** retailer1 ordered 500 kg of cod from distributor1: ship within a day, a day to acknowledge. */
  orderId: bigint;
  shipBy: number;
}

async function depotFixture(): Promise<Depot> {
  const world = await deployWorld();
  const { distributor1: d1, distributor2: d2, retailer1: r1, retailer2: r2 } = world.cast;
  const lots = (await lotsAt(world, 4, [{}, {}])) as [bigint, bigint];
  const [had] = await lotsAt(world, 4, [{ species: HAD, weightGrams: grams("100kg") }]);
  const shipBy = (await time.latest()) + DAY;
  const orderId = await order(world, 4, r1, d1, { species: COD, weightGrams: grams("500kg"), shipBy, ackWindow: DAY });
  return { ...world, d1, d2, r1, r2, lots, had: had!, orderId, shipBy };
}

describe("Distributor", () => {
  let d: Depot;

  beforeEach(async () => {
    d = await networkHelpers.loadFixture(depotFixture);
  });

  const dispatch = (signer: HardhatEthersSigner, lots: bigint[] = d.lots, r = route(), orderId = d.orderId) =>
    d.distributor.connect(signer).dispatch(orderId, 11n, lots, r);

  it("is stage 4, between the Manufacturer and the Retailer", async () => {
    expect(await d.distributor.stage()).to.equal(4n);
    expect(await d.distributor.previousStage()).to.equal(d.addresses.manufacturer);
    expect(await d.distributor.nextStage()).to.equal(d.addresses.retailer);
  });

  describe("dispatch", () => {
    for (const [name, mode] of Object.entries(TransportMode)) {
      it(`ships the lots (ShipmentInitiated) and records the route by ${name} (ShipmentDispatched)`, async () => {
        const { distributor, d1, lots, orderId } = d;
        const r = route(mode);
        const tx = dispatch(d1, lots, r);
        await expect(tx).to.emit(distributor, "ShipmentInitiated").withArgs(orderId, 11n, lots, grams("500kg"));
        await expect(tx).to.emit(distributor, "ShipmentDispatched").withArgs(orderId, 11n, routeTuple(r));
        expect((await distributor.getOrder(orderId)).state).to.equal(OrderState.Shipped);
        for (const lotId of lots) expect((await distributor.getLot(lotId)).status).to.equal(LotStatus.Shipped);
      });
    }

    it("is the same shipment as initiateShipment, which records no route", async () => {
      const { distributor, d1, lots, orderId } = d;
      const tx = distributor.connect(d1).initiateShipment(orderId, 11n, lots);
      await expect(tx).to.emit(distributor, "ShipmentInitiated");
      await expect(tx).not.to.emit(distributor, "ShipmentDispatched");
      await expect(dispatch(d1))
        .to.be.revertedWithCustomError(distributor, "OrderInvalidState")
        .withArgs(orderId, OrderState.Shipped, OrderState.Ordered);
    });

    it("reverts with StageUnauthorized (DISTRIBUTOR) for a caller of any other role", async () => {
      const { distributor, cast } = d;
      for (const caller of [cast.retailer1, cast.manufacturer1, cast.regulator, cast.outsider]) {
        await expect(dispatch(caller))
          .to.be.revertedWithCustomError(distributor, "StageUnauthorized")
          .withArgs(caller.address, DISTRIBUTOR_BIT);
      }
    });

    it("reverts with OrderNotFound, OrderNotParty, OrderDeadlinePassed as initiateShipment does", async () => {
      const { distributor, d1, d2, orderId, shipBy } = d;
      await expect(dispatch(d1, d.lots, route(), 9n))
        .to.be.revertedWithCustomError(distributor, "OrderNotFound")
        .withArgs(9n);
      await expect(dispatch(d2))
        .to.be.revertedWithCustomError(distributor, "OrderNotParty")
        .withArgs(orderId, d2.address);
      await time.setNextBlockTimestamp(shipBy + 1);
      await expect(dispatch(d1))
        .to.be.revertedWithCustomError(distributor, "OrderDeadlinePassed")
        .withArgs(orderId, shipBy, shipBy + 1);
    });

    it("reverts with OrderEmptyShipment, OrderSpeciesMismatch, OrderUnderweight and LotIsRecalled", async () => {
      const { distributor, d1, cast, lots, had, orderId } = d;
      await expect(dispatch(d1, [])).to.be.revertedWithCustomError(distributor, "OrderEmptyShipment").withArgs(orderId);
      await expect(dispatch(d1, [lots[0], had]))
        .to.be.revertedWithCustomError(distributor, "OrderSpeciesMismatch")
        .withArgs(orderId, had, COD, HAD);
      await expect(dispatch(d1, [lots[0]]))
        .to.be.revertedWithCustomError(distributor, "OrderUnderweight")
        .withArgs(orderId, grams("250kg"), grams("500kg"));
      await distributor.connect(cast.regulator).recallLots([lots[1]], encodeBytes32String("temperature abuse"));
      await expect(dispatch(d1)).to.be.revertedWithCustomError(distributor, "LotIsRecalled").withArgs(lots[1]);
    });

    it("reverts without a reason for a transport mode outside the enum", async () => {
      await expect(dispatch(d.d1, d.lots, route(4n))).to.be.revertedWithoutReason(ethers);
    });
  });

  describe("confirmArrival", () => {
    for (const who of ["retailer", "distributor"] as const) {
      it(`lets the ${who} confirm where the shipment arrived: DeliveryConfirmed and ShipmentArrived`, async () => {
        const { distributor, d1, r1, ids, orderId } = d;
        await dispatch(d1);
        const [signer, id] = who === "retailer" ? [r1, ids.retailer1] : [d1, ids.distributor1];
        const now = (await time.latest()) + 60;
        // The buyer's confirmation starts its acknowledgement window; the seller's adds the arrival dispute window
        // (audit F6: the seller cannot start the buyer's clock).
        const deadline = now + DAY + (who === "retailer" ? 0 : Number(await distributor.ARRIVAL_DISPUTE_WINDOW()));
        await time.setNextBlockTimestamp(now);
        const tx = distributor.connect(signer).confirmArrival(orderId, SHOP);
        await expect(tx).to.emit(distributor, "DeliveryConfirmed").withArgs(orderId, id, deadline);
        await expect(tx).to.emit(distributor, "ShipmentArrived").withArgs(orderId, id, SHOP);
        const stored = await distributor.getOrder(orderId);
        expect([stored.state, stored.deadline]).to.deep.equal([OrderState.Delivered, BigInt(deadline)]);
      });
    }

    it("reverts with StageUnauthorized (DISTRIBUTOR or RETAILER) for a caller of any other role", async () => {
      const { distributor, d1, cast, orderId } = d;
      await dispatch(d1);
      for (const caller of [cast.customer1, cast.manufacturer1, cast.regulator, cast.gateway, cast.outsider]) {
        await expect(distributor.connect(caller).confirmArrival(orderId, SHOP))
          .to.be.revertedWithCustomError(distributor, "StageUnauthorized")
          .withArgs(caller.address, DISTRIBUTOR_BIT | RETAILER_BIT);
      }
    });

    it("reverts with OrderNotFound, OrderNotParty and OrderInvalidState as confirmDelivery does", async () => {
      const { distributor, d1, d2, r1, r2, orderId } = d;
      await expect(distributor.connect(r1).confirmArrival(orderId, SHOP))
        .to.be.revertedWithCustomError(distributor, "OrderInvalidState")
        .withArgs(orderId, OrderState.Ordered, OrderState.Shipped);
      await dispatch(d1);
      await expect(distributor.connect(r1).confirmArrival(5n, SHOP))
        .to.be.revertedWithCustomError(distributor, "OrderNotFound")
        .withArgs(5n);
      for (const caller of [d2, r2]) {
        await expect(distributor.connect(caller).confirmArrival(orderId, SHOP))
          .to.be.revertedWithCustomError(distributor, "OrderNotParty")
          .withArgs(orderId, caller.address);
      }
      await distributor.connect(r1).confirmArrival(orderId, SHOP);
      await expect(distributor.connect(d1).confirmArrival(orderId, HUB))
        .to.be.revertedWithCustomError(distributor, "OrderInvalidState")
        .withArgs(orderId, OrderState.Delivered, OrderState.Shipped);
    });

    it("starts the retailer's acknowledgement: the lots then pass to the Retailer in its custody", async () => {
      const { distributor, retailer, d1, r1, ids, lots, orderId } = d;
      await dispatch(d1);
      await distributor.connect(r1).confirmArrival(orderId, SHOP);
      await expect(distributor.connect(r1).acknowledge(orderId, 11n, lots))
        .to.emit(retailer, "LotReceived")
        .withArgs(lots[0], ids.retailer1, orderId);
      for (const lotId of lots) {
        const lot = await retailer.getLot(lotId);
        expect([lot.status, lot.custodianId]).to.deep.equal([LotStatus.Created, ids.retailer1]);
        const here = await distributor.getLot(lotId);
        expect([here.status, here.custodianId]).to.deep.equal([LotStatus.Supplied, ids.distributor1]);
      }
    });
  });
});
