/**
 * The Customer's own work: verifying a pack's provenance back to every catch it was made from (exact hops,
 * breadth first, bounded at MAX_PROVENANCE_HOPS) and reporting problems with a pack.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { Wallet, encodeBytes32String } from "ethers";

import { roleBit, roleId } from "../../src/core/roles.js";
import { grams } from "../../src/core/units.js";
import { Customer__factory, Stage__factory } from "../../typechain-types/index.js";
import {
  actorsAt,
  gtin,
  hopsOf,
  lotAt,
  lotNumber,
  lotsAt,
  moveDown,
  processLots,
  type HopFields,
} from "../helpers/chain.js";
import {
  Flag,
  LotStatus,
  RemovalReason,
  deployWorld,
  ethers,
  networkHelpers,
  type World,
} from "../helpers/fixtures.js";

const CUSTOMER_BIT = roleBit("CUSTOMER");
const LOINS = gtin("0703801000001");
const FILLETS = gtin("0703801000002");
const LOT = lotNumber("L2026-11-20");
const DETAIL = encodeBytes32String("bought 2026-11-21, smelled off");

/** `ICustomer.ProblemReason`. */
const ProblemReason = { Spoiled: 0n, WrongSpecies: 1n, Illness: 2n, Packaging: 3n, Other: 4n } as const;

interface Shop extends World {
  /** 300 kg of cod, consumed whole into the packs. */
  catchA: bigint;
  /** 200 kg of cod, 50 kg of it consumed into the packs. */
  catchB: bigint;
  /** 120 kg of cod loins from A and B, bought by customer1. */
  pack1: bigint;
  /** 100 kg of frozen cod fillets from A and B, bought by customer2. */
  pack2: bigint;
  /** 10 kg of cod never processed, bought by customer1. */
  raw: bigint;
  c1: HardhatEthersSigner;
  c2: HardhatEthersSigner;
}

async function shopFixture(): Promise<Shop> {
  const world = await deployWorld();
  const { manufacturer1, customer1, customer2 } = world.cast;
  const [catchA, catchB] = (await lotsAt(world, 3, [
    { weightGrams: grams("300kg") },
    { weightGrams: grams("200kg") },
  ])) as [bigint, bigint];
  const { productLotIds } = await processLots(
    world,
    manufacturer1,
    [
      { lotId: catchA, grams: 0 },
      { lotId: catchB, grams: grams("50kg") },
    ],
    [
      { gtin: LOINS, lotNumber: LOT, weightGrams: grams("120kg"), frozen: false },
      { gtin: FILLETS, lotNumber: LOT, weightGrams: grams("100kg"), frozen: true },
    ],
  );
  const [pack1, pack2] = productLotIds as [bigint, bigint];
  await moveDown(world, [pack1], 3, 6);
  await moveDown(world, [pack2], 3, 6, (k) => (k === 6 ? customer2 : actorsAt(world, k)[0]));
  const raw = await lotAt(world, 6, { weightGrams: grams("10kg") });
  return { ...world, catchA, catchB, pack1, pack2, raw, c1: customer1, c2: customer2 };
}

/** A hop as `verifyProvenance` reports it. */
function hop(stage: number, lotId: bigint, custodianId: bigint, status: bigint, weight: string, flags = 0n): HopFields {
  return { stage: BigInt(stage), lotId, custodianId, status, flags, weightGrams: BigInt(grams(weight)) };
}

describe("Customer", () => {
  describe("with packs bought", () => {
    let s: Shop;

    beforeEach(async () => {
      s = await networkHelpers.loadFixture(shopFixture);
    });

    it("is stage 6, the end of the chain, with no order book of its own", async () => {
      const { customer, addresses } = s;
      expect(await customer.stage()).to.equal(6n);
      expect(await customer.previousStage()).to.equal(addresses.retailer);
      expect(await customer.nextStage()).to.equal(ethers.ZeroAddress);
      const names = (iface: { forEachFunction(f: (fn: { name: string }) => void): void }) => {
        const all: string[] = [];
        iface.forEachFunction((fn) => all.push(fn.name));
        return all.sort();
      };
      expect(names(Customer__factory.createInterface())).to.deep.equal(
        [
          ...names(Stage__factory.createInterface()),
          "MAX_PROVENANCE_HOPS",
          "reportProblem",
          "verifyProvenance",
          "verifyProvenancePage",
        ].sort(),
      );
    });

    describe("verifyProvenance", () => {
      it("walks a pack back through every stage and, at the Manufacturer, to both catches it was made from", async () => {
        const { customer, ids, pack1, catchA, catchB, cast } = s;
        const hops = hopsOf(await customer.connect(cast.outsider).verifyProvenance(pack1));
        expect(hops).to.deep.equal([
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

      it("names each stage's holder: the other customer's pack of the same catches differs only at stage 6", async () => {
        const { customer, ids, pack1, pack2 } = s;
        const one = hopsOf(await customer.verifyProvenance(pack1));
        const two = hopsOf(await customer.verifyProvenance(pack2));
        expect(two[0]).to.deep.equal(hop(6, pack2, ids.customer2, LotStatus.Created, "100kg", Flag.FROZEN));
        expect(two.slice(4)).to.deep.equal(one.slice(4));
        expect(two.slice(1, 4).map((h) => [h.stage, h.lotId, h.flags])).to.deep.equal([
          [5n, pack2, Flag.FROZEN],
          [4n, pack2, Flag.FROZEN],
          [3n, pack2, Flag.FROZEN],
        ]);
      });

      it("walks a lot that was never processed straight back to its catch, six hops", async () => {
        const { customer, ids, raw } = s;
        expect(hopsOf(await customer.verifyProvenance(raw))).to.deep.equal([
          hop(6, raw, ids.customer1, LotStatus.Created, "10kg"),
          hop(5, raw, ids.retailer1, LotStatus.Supplied, "10kg"),
          hop(4, raw, ids.distributor1, LotStatus.Supplied, "10kg"),
          hop(3, raw, ids.manufacturer1, LotStatus.Supplied, "10kg"),
          hop(2, raw, ids.supplier1, LotStatus.Supplied, "10kg"),
          hop(1, raw, ids.harvester1, LotStatus.Supplied, "10kg"),
        ]);
      });

      it("returns one empty hop for a lot no customer holds, and stops there", async () => {
        const { customer, catchA } = s;
        for (const lotId of [999n, catchA]) {
          expect(hopsOf(await customer.verifyProvenance(lotId))).to.deep.equal([
            { stage: 6n, lotId, custodianId: 0n, status: LotStatus.None, flags: 0n, weightGrams: 0n },
          ]);
        }
      });

      it("shows each stage's flags: a recall of catch B at the Harvester, followed down its path, and the customer's problem report", async () => {
        const { customer, harvester, cast, pack1, catchB, c1 } = s;
        await harvester.connect(cast.regulator).recallLots([catchB], encodeBytes32String("parasites"));
        await customer.connect(c1).reportProblem(pack1, ProblemReason.Spoiled, DETAIL);
        const hops = hopsOf(await customer.verifyProvenance(pack1));
        expect(hops.map((h) => h.flags)).to.deep.equal([
          Flag.PROBLEM_REPORTED,
          0n,
          0n,
          0n,
          0n,
          Flag.RECALLED, // catch B as the Manufacturer received it
          0n,
          Flag.RECALLED, // catch B at the Supplier
          0n,
          Flag.RECALLED, // catch B at the Harvester
        ]);
      });

      it("still walks a pack the customer has removed (eaten)", async () => {
        const { customer, c1, pack1 } = s;
        await customer.connect(c1).removeFish(pack1, RemovalReason.Consumed);
        const hops = hopsOf(await customer.verifyProvenance(pack1));
        expect(hops).to.have.length(10);
        expect(hops[0]!.status).to.equal(LotStatus.Removed);
      });
    });

    describe("reportProblem", () => {
      for (const [name, reason] of Object.entries(ProblemReason)) {
        it(`flags the pack PROBLEM_REPORTED, keeping its other flags, and emits ProblemReported (${name})`, async () => {
          const { customer, c2, ids, pack2 } = s;
          await expect(customer.connect(c2).reportProblem(pack2, reason, DETAIL))
            .to.emit(customer, "ProblemReported")
            .withArgs(pack2, ids.customer2, reason, DETAIL);
          const lot = await customer.getLot(pack2);
          expect([lot.flags, lot.status, lot.custodianId]).to.deep.equal([
            Flag.FROZEN | Flag.PROBLEM_REPORTED,
            LotStatus.Created,
            ids.customer2,
          ]);
          expect((await customer.queryStatus(pack2)).flags).to.equal(Flag.FROZEN | Flag.PROBLEM_REPORTED);
        });
      }

      it("accepts a second report (another ProblemReported), the flag staying set", async () => {
        const { customer, c1, ids, pack1 } = s;
        await customer.connect(c1).reportProblem(pack1, ProblemReason.Spoiled, DETAIL);
        await expect(customer.connect(c1).reportProblem(pack1, ProblemReason.Illness, DETAIL))
          .to.emit(customer, "ProblemReported")
          .withArgs(pack1, ids.customer1, ProblemReason.Illness, DETAIL);
        expect((await customer.getLot(pack1)).flags).to.equal(Flag.PROBLEM_REPORTED);
      });

      it("accepts a report on a pack already eaten (Illness) and on a recalled pack", async () => {
        const { customer, c1, cast, pack1, raw } = s;
        await customer.connect(c1).removeFish(pack1, RemovalReason.Consumed);
        await expect(customer.connect(c1).reportProblem(pack1, ProblemReason.Illness, DETAIL)).to.emit(
          customer,
          "ProblemReported",
        );
        await customer.connect(cast.regulator).recallLots([raw], encodeBytes32String("recall"));
        await customer.connect(c1).reportProblem(raw, ProblemReason.Other, DETAIL);
        expect((await customer.getLot(raw)).flags).to.equal(Flag.RECALLED | Flag.PROBLEM_REPORTED);
      });

      it("reverts with StageUnauthorized (CUSTOMER) for everyone else, the customer's gateway included", async () => {
        const { customer, cast, registry, c1, pack1 } = s;
        const gateway = Wallet.createRandom().address;
        await registry.registerDevice(gateway, roleId("SENSOR_GATEWAY"), c1);
        await networkHelpers.setBalance(gateway, ethers.parseEther("1"));
        const gatewaySigner = await ethers.getImpersonatedSigner(gateway);
        for (const caller of [cast.retailer1, cast.regulator, cast.admin, cast.relayer, cast.outsider, gatewaySigner]) {
          await expect(customer.connect(caller).reportProblem(pack1, ProblemReason.Spoiled, DETAIL))
            .to.be.revertedWithCustomError(customer, "StageUnauthorized")
            .withArgs(caller.address, CUSTOMER_BIT);
        }
      });

      it("reverts with LotNotFound for a lot not here and LotNotInCustody for another customer's pack", async () => {
        const { customer, c1, ids, pack2 } = s;
        await expect(customer.connect(c1).reportProblem(999n, ProblemReason.Spoiled, DETAIL))
          .to.be.revertedWithCustomError(customer, "LotNotFound")
          .withArgs(999n);
        await expect(customer.connect(c1).reportProblem(pack2, ProblemReason.Spoiled, DETAIL))
          .to.be.revertedWithCustomError(customer, "LotNotInCustody")
          .withArgs(pack2, ids.customer2, ids.customer1);
      });

      it("reverts without a reason for a problem reason outside the enum", async () => {
        const { customer, c1, pack1 } = s;
        await expect(customer.connect(c1).reportProblem(pack1, 5n, DETAIL)).to.be.revertedWithoutReason(ethers);
        expect((await customer.getLot(pack1)).flags).to.equal(0n);
      });
    });
  });

  describe("provenance bound (MAX_PROVENANCE_HOPS = 64)", () => {
    interface Long extends World {
      /** A pack made from 20 catches: 4 + 3 × 20 = 64 hops, exactly the bound. */
      twenty: bigint;
      /** A pack made from 21 catches: 67 hops. */
      twentyOne: bigint;
    }

    async function longLineageFixture(): Promise<Long> {
      const world = await deployWorld();
      const catches = await lotsAt(
        world,
        3,
        Array.from({ length: 21 }, () => ({ weightGrams: grams("10kg") })),
      );
      const inputs = catches.map((lotId) => ({ lotId, grams: grams("1kg") }));
      const make = async (n: number, lot: string) =>
        (
          await processLots(world, world.cast.manufacturer1, inputs.slice(0, n), [
            { gtin: LOINS, lotNumber: lotNumber(lot), weightGrams: grams("1kg"), frozen: false },
          ])
        ).productLotIds[0]!;
      const twenty = await make(20, "L20");
      const twentyOne = await make(21, "L21");
      await moveDown(world, [twenty, twentyOne], 3, 6);
      return { ...world, twenty, twentyOne };
    }

    it("returns exactly 64 hops for a pack of 20 catches, the last the 20th catch at the Harvester", async () => {
      const { customer, twenty } = await networkHelpers.loadFixture(longLineageFixture);
      expect(await customer.MAX_PROVENANCE_HOPS()).to.equal(64n);
      const hops = hopsOf(await customer.verifyProvenance(twenty));
      expect(hops).to.have.length(64);
      expect(hops.map((h) => h.stage)).to.deep.equal([
        6n,
        5n,
        4n,
        3n,
        ...Array<bigint>(20).fill(3n),
        ...Array<bigint>(20).fill(2n),
        ...Array<bigint>(20).fill(1n),
      ]);
      expect(hops[63]!.lotId).to.equal(hops[23]!.lotId);
    });

    it("reverts with ProvenanceTooLong for a pack of 21 catches (67 hops)", async () => {
      const { customer, twentyOne } = await networkHelpers.loadFixture(longLineageFixture);
      await expect(customer.verifyProvenance(twentyOne))
        .to.be.revertedWithCustomError(customer, "ProvenanceTooLong")
        .withArgs(twentyOne, 64n);
    });
  });
});
