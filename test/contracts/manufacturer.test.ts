/**
 * The Manufacturer's own work: processing input lots (wholly or by weight) into product lots identified by GS1
 * GTIN + lot number, with parents on chain, inherited alarm flags and the mass balance enforced; and every error
 * `processLots` can revert with.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { Wallet, ZeroHash, encodeBytes32String } from "ethers";

import { roleBit, roleId } from "../../src/core/roles.js";
import { centiCelsius, grams } from "../../src/core/units.js";
import type { IManufacturer } from "../../typechain-types/index.js";
import { gtin, lotNumber, lotsAt, processLots, productLotId, sell, shipLots } from "../helpers/chain.js";
import {
  COD,
  Flag,
  HAD,
  LotStatus,
  RemovalReason,
  deployWorld,
  ethers,
  networkHelpers,
  time,
  type World,
} from "../helpers/fixtures.js";

const MANUFACTURER_BIT = roleBit("MANUFACTURER");
/** GTIN-14s with valid check digits: cod loins and cod fillet packs. */
const LOINS = gtin("0703801000001");
const FILLETS = gtin("0703801000002");
const LOT_A = lotNumber("L2026-11-20A");
const LOT_B = lotNumber("L2026-11-20B");
const LOT_C = lotNumber("L2026-11-20C");

/** An output of product `g`, lot `lot`, weighing `weight` ("100kg"). */
function out(g: bigint, lot: string, weight: string, frozen = false): IManufacturer.OutputStruct {
  return { gtin: g, lotNumber: lot, weightGrams: grams(weight), frozen };
}

interface Plant extends World {
  m1: HardhatEthersSigner;
  m2: HardhatEthersSigner;
  m1Id: bigint;
  m2Id: bigint;
  /** 250 kg of wild cod, manufacturer1's. */
  a: bigint;
  /** 250 kg of farmed cod, manufacturer1's. */
  b: bigint;
  /** 100 kg of cod frozen at sea, manufacturer1's. */
  frozenLot: bigint;
  /** 300 kg of haddock, manufacturer1's. */
  had: bigint;
  /** 250 kg of cod, manufacturer2's. */
  othersLot: bigint;
}

async function plantFixture(): Promise<Plant> {
  const world = await deployWorld();
  const { manufacturer1: m1, manufacturer2: m2 } = world.cast;
  const [a, b] = await lotsAt(world, 3, [{}, { farmed: true }]);
  const [frozenLot] = await lotsAt(world, 3, [{ frozen: true, weightGrams: grams("100kg") }]);
  const [had] = await lotsAt(world, 3, [{ species: HAD, weightGrams: grams("300kg") }]);
  const [othersLot] = await lotsAt(world, 3, [{}], m2);
  return {
    ...world,
    m1,
    m2,
    m1Id: world.ids.manufacturer1,
    m2Id: world.ids.manufacturer2,
    a: a!,
    b: b!,
    frozenLot: frozenLot!,
    had: had!,
    othersLot: othersLot!,
  };
}

describe("Manufacturer", () => {
  let p: Plant;

  beforeEach(async () => {
    p = await networkHelpers.loadFixture(plantFixture);
  });

  it("is stage 3, between the Supplier and the Distributor, with no process run yet", async () => {
    const { manufacturer, addresses } = p;
    expect(await manufacturer.stage()).to.equal(3n);
    expect(await manufacturer.previousStage()).to.equal(addresses.supplier);
    expect(await manufacturer.nextStage()).to.equal(addresses.distributor);
    expect(await manufacturer.processCount()).to.equal(0n);
  });

  describe("productLotId", () => {
    it("is keccak256(abi.encode(gtin, lotNumber)): what a GS1 Digital Link /01/{gtin}/10/{lot} resolves to", async () => {
      for (const [g, lot] of [
        [LOINS, LOT_A],
        [FILLETS, LOT_A],
        [LOINS, LOT_B],
        [0n, ZeroHash.slice(0, 42)],
      ] as const) {
        expect(await p.manufacturer.productLotId(g, lot)).to.equal(productLotId(g, lot));
      }
      expect(productLotId(LOINS, LOT_A)).to.not.equal(productLotId(LOINS, LOT_B));
      expect(productLotId(LOINS, LOT_A)).to.not.equal(productLotId(FILLETS, LOT_A));
    });
  });

  describe("processLots", () => {
    it("turns one lot into two packs: ProductLotCreated each, the input consumed (FishRemoved), LotsProcessed with the yield", async () => {
      const { manufacturer, m1, m1Id, a } = p;
      const loins = productLotId(LOINS, LOT_A);
      const fillets = productLotId(FILLETS, LOT_A);
      const outputs = [out(LOINS, LOT_A, "100kg"), out(FILLETS, LOT_A, "80kg", true)];
      const inputs = [{ lotId: a, grams: 0 }];
      expect(await manufacturer.connect(m1).processLots.staticCall(inputs, outputs)).to.deep.equal([
        1n,
        [loins, fillets],
      ]);
      const tx = manufacturer.connect(m1).processLots(inputs, outputs);
      await expect(tx)
        .to.emit(manufacturer, "ProductLotCreated")
        .withArgs(loins, LOINS, LOT_A, COD, grams("100kg"), 1n, false);
      await expect(tx)
        .to.emit(manufacturer, "ProductLotCreated")
        .withArgs(fillets, FILLETS, LOT_A, COD, grams("80kg"), 1n, true);
      await expect(tx).to.emit(manufacturer, "FishRemoved").withArgs(a, m1Id, RemovalReason.Consumed);
      await expect(tx)
        .to.emit(manufacturer, "LotsProcessed")
        .withArgs(1n, m1Id, [a], [grams("250kg")], [loins, fillets], grams("180kg"), 7_200n);
      expect(await manufacturer.processCount()).to.equal(1n);
      expect((await manufacturer.getLot(a)).status).to.equal(LotStatus.Removed);
    });

    it("creates each product lot Created in the manufacturer's custody, of the inputs' species, with the inputs as parents", async () => {
      const { manufacturer, m1, m1Id, a } = p;
      const { productLotIds } = await processLots(
        p,
        m1,
        [{ lotId: a, grams: 0 }],
        [out(LOINS, LOT_A, "100kg"), out(FILLETS, LOT_A, "80kg", true)],
      );
      const [loins, fillets] = productLotIds as [bigint, bigint];
      const lot = await manufacturer.getLot(fillets);
      expect([...lot]).to.deep.equal([
        m1Id,
        BigInt(grams("80kg")),
        COD,
        LotStatus.Created,
        Flag.FROZEN,
        0n,
        0n,
        0n,
        0n,
        0n,
      ]);
      expect((await manufacturer.getLot(loins)).flags).to.equal(0n);
      expect(await manufacturer.parentsOf(loins)).to.deep.equal([a]);
      expect(await manufacturer.parentsOf(fillets)).to.deep.equal([a]);
      expect(await manufacturer.parentsOf(a)).to.deep.equal([]);
    });

    it("moves totalAvailableFish from the consumed inputs to the products", async () => {
      const { manufacturer, m1, a } = p;
      const before = await manufacturer.totalAvailableFish(COD);
      await processLots(p, m1, [{ lotId: a, grams: 0 }], [out(LOINS, LOT_A, "100kg"), out(FILLETS, LOT_A, "80kg")]);
      const after = await manufacturer.totalAvailableFish(COD);
      expect([after.lots, after.grams, after.updatedAt]).to.deep.equal([
        before.lots - 1n + 2n,
        before.grams - BigInt(grams("250kg")) + BigInt(grams("180kg")),
        BigInt(await time.latest()),
      ]);
    });

    it("consumes part of a lot by weight: the rest stays available, and `grams: 0` later takes all that is left", async () => {
      const { manufacturer, m1, m1Id, b } = p;
      const before = await manufacturer.totalAvailableFish(COD);
      const partial = manufacturer
        .connect(m1)
        .processLots([{ lotId: b, grams: grams("100kg") }], [out(LOINS, LOT_B, "60kg")]);
      await expect(partial).not.to.emit(manufacturer, "FishRemoved");
      await expect(partial)
        .to.emit(manufacturer, "LotsProcessed")
        .withArgs(1n, m1Id, [b], [grams("100kg")], [productLotId(LOINS, LOT_B)], grams("60kg"), 6_000n);
      const left = await manufacturer.getLot(b);
      expect([left.status, left.weightGrams, left.custodianId, left.flags]).to.deep.equal([
        LotStatus.Created,
        BigInt(grams("150kg")),
        m1Id,
        Flag.FARMED,
      ]);
      const mid = await manufacturer.totalAvailableFish(COD);
      expect([mid.lots, mid.grams]).to.deep.equal([
        before.lots + 1n,
        before.grams - BigInt(grams("100kg")) + BigInt(grams("60kg")),
      ]);
      const rest = manufacturer.connect(m1).processLots([{ lotId: b, grams: 0 }], [out(FILLETS, LOT_B, "150kg")]);
      await expect(rest).to.emit(manufacturer, "FishRemoved").withArgs(b, m1Id, RemovalReason.Consumed);
      await expect(rest)
        .to.emit(manufacturer, "LotsProcessed")
        .withArgs(2n, m1Id, [b], [grams("150kg")], [productLotId(FILLETS, LOT_B)], grams("150kg"), 10_000n);
      const gone = await manufacturer.getLot(b);
      expect([gone.status, gone.weightGrams]).to.deep.equal([LotStatus.Removed, BigInt(grams("150kg"))]);
    });

    it("records many-to-many lineage: every product of a process has every input as a parent", async () => {
      const { manufacturer, m1, a, b } = p;
      const first = await processLots(
        p,
        m1,
        [
          { lotId: a, grams: 0 },
          { lotId: b, grams: grams("50kg") },
        ],
        [out(LOINS, LOT_A, "120kg"), out(FILLETS, LOT_A, "100kg")],
      );
      const second = await processLots(p, m1, [{ lotId: b, grams: grams("50kg") }], [out(LOINS, LOT_B, "40kg")]);
      for (const id of first.productLotIds) expect(await manufacturer.parentsOf(id)).to.deep.equal([a, b]);
      expect(await manufacturer.parentsOf(second.productLotIds[0]!)).to.deep.equal([b]);
      expect(second.processId).to.equal(2n);
    });

    it("lets a product be processed again (re-packing), its product naming it as parent", async () => {
      const { manufacturer, m1, a } = p;
      const { productLotIds } = await processLots(p, m1, [{ lotId: a, grams: 0 }], [out(LOINS, LOT_A, "200kg")]);
      const loins = productLotIds[0]!;
      const repacked = await processLots(
        p,
        m1,
        [{ lotId: loins, grams: grams("50kg") }],
        [out(FILLETS, LOT_C, "45kg")],
      );
      expect(await manufacturer.parentsOf(repacked.productLotIds[0]!)).to.deep.equal([loins]);
      expect((await manufacturer.getLot(loins)).weightGrams).to.equal(BigInt(grams("150kg")));
    });

    it("passes the inputs' alarm flags and origin (FARMED, EXCURSION) on to every product, but not their form (FROZEN)", async () => {
      const { manufacturer, m1, a, b, frozenLot } = p;
      const now = await time.latest();
      await manufacturer.connect(m1).updateFish(a, centiCelsius(9), 80, 0, 0, now);
      const { productLotIds } = await processLots(
        p,
        m1,
        [
          { lotId: a, grams: 0 },
          { lotId: b, grams: 0 },
          { lotId: frozenLot, grams: 0 },
        ],
        [out(LOINS, LOT_A, "300kg"), out(FILLETS, LOT_A, "200kg", true)],
      );
      const [fresh, frozen] = productLotIds as [bigint, bigint];
      expect((await manufacturer.getLot(fresh)).flags).to.equal(Flag.FARMED | Flag.EXCURSION);
      expect((await manufacturer.getLot(frozen)).flags).to.equal(Flag.FARMED | Flag.EXCURSION | Flag.FROZEN);
    });

    it("accepts outputs weighing exactly what was consumed (yield 100 %) and rounds the yield down", async () => {
      const { manufacturer, m1, m1Id, a, b } = p;
      await expect(manufacturer.connect(m1).processLots([{ lotId: a, grams: 0 }], [out(LOINS, LOT_A, "250kg")]))
        .to.emit(manufacturer, "LotsProcessed")
        .withArgs(1n, m1Id, [a], [grams("250kg")], [productLotId(LOINS, LOT_A)], grams("250kg"), 10_000n);
      await expect(manufacturer.connect(m1).processLots([{ lotId: b, grams: 3 }], [out(LOINS, LOT_B, "1g")]))
        .to.emit(manufacturer, "LotsProcessed")
        .withArgs(2n, m1Id, [b], [3n], [productLotId(LOINS, LOT_B)], 1n, 3_333n);
    });

    it("accepts GTIN-8, GTIN-12 and GTIN-13 padded to 14 digits, and the largest GTIN-14", async () => {
      const { manufacturer, m1, a } = p;
      const valid = [96385074n, gtin("03600029145"), gtin("703801000001"), gtin("9999999999999")];
      const outputs = valid.map((g, i) => ({ gtin: g, lotNumber: LOT_A, weightGrams: 1_000 + i, frozen: false }));
      const { productLotIds } = await processLots(p, m1, [{ lotId: a, grams: 0 }], outputs);
      expect(productLotIds).to.deep.equal(valid.map((g) => productLotId(g, LOT_A)));
      for (const id of productLotIds) expect((await manufacturer.getLot(id)).status).to.equal(LotStatus.Created);
    });

    it("sells products on like any lot: the Distributor receives them under their GTIN-derived id, with no parents there", async () => {
      const { m1, a, distributor, cast, ids } = p;
      const { productLotIds } = await processLots(p, m1, [{ lotId: a, grams: 0 }], [out(LOINS, LOT_A, "100kg")]);
      await sell(p, 3, m1, cast.distributor1, productLotIds);
      const lot = await distributor.getLot(productLotIds[0]!);
      expect([lot.status, lot.custodianId, lot.weightGrams]).to.deep.equal([
        LotStatus.Created,
        ids.distributor1,
        BigInt(grams("100kg")),
      ]);
      expect(await distributor.parentsOf(productLotIds[0]!)).to.deep.equal([]);
      expect((await p.manufacturer.getLot(productLotIds[0]!)).status).to.equal(LotStatus.Supplied);
    });

    it("sells what is left of a partly consumed lot at its remaining weight", async () => {
      const { m1, b, cast, distributor } = p;
      await processLots(p, m1, [{ lotId: b, grams: grams("100kg") }], [out(LOINS, LOT_B, "90kg")]);
      await sell(p, 3, m1, cast.distributor1, [b]);
      expect((await distributor.getLot(b)).weightGrams).to.equal(BigInt(grams("150kg")));
    });

    describe("reverts", () => {
      const process = (inputs: IManufacturer.InputStruct[], outputs: IManufacturer.OutputStruct[]) =>
        p.manufacturer.connect(p.m1).processLots(inputs, outputs);

      it("with StageUnauthorized (MANUFACTURER) for every caller that is no manufacturer, its gateway included", async () => {
        const { manufacturer, cast, a, registry, m1 } = p;
        const gateway = Wallet.createRandom().address;
        await registry.registerDevice(gateway, roleId("SENSOR_GATEWAY"), m1);
        const gatewaySigner = await ethers.getImpersonatedSigner(gateway);
        await networkHelpers.setBalance(gateway, ethers.parseEther("1"));
        for (const caller of [
          cast.supplier1,
          cast.distributor1,
          cast.regulator,
          cast.admin,
          cast.outsider,
          gatewaySigner,
        ]) {
          await expect(manufacturer.connect(caller).processLots([{ lotId: a, grams: 0 }], [out(LOINS, LOT_A, "1kg")]))
            .to.be.revertedWithCustomError(manufacturer, "StageUnauthorized")
            .withArgs(caller.address, MANUFACTURER_BIT);
        }
      });

      it("with ProcessEmpty for no inputs or no outputs", async () => {
        const { manufacturer, a } = p;
        for (const [inputs, outputs] of [
          [[], [out(LOINS, LOT_A, "1kg")]],
          [[{ lotId: a, grams: 0 }], []],
          [[], []],
        ] as [IManufacturer.InputStruct[], IManufacturer.OutputStruct[]][]) {
          await expect(process(inputs, outputs))
            .to.be.revertedWithCustomError(manufacturer, "ProcessEmpty")
            .withArgs(inputs.length, outputs.length);
        }
        expect(await manufacturer.processCount()).to.equal(0n);
      });

      it("with ProcessMixedSpecies for inputs of two species", async () => {
        const { manufacturer, a, had } = p;
        await expect(
          process(
            [
              { lotId: a, grams: 0 },
              { lotId: had, grams: 0 },
            ],
            [out(LOINS, LOT_A, "1kg")],
          ),
        )
          .to.be.revertedWithCustomError(manufacturer, "ProcessMixedSpecies")
          .withArgs(had, COD, HAD);
      });

      it("with ProcessOverdrawn for more grams than the lot has left", async () => {
        const { manufacturer, a } = p;
        await expect(process([{ lotId: a, grams: grams("250kg") + 1 }], [out(LOINS, LOT_A, "1kg")]))
          .to.be.revertedWithCustomError(manufacturer, "ProcessOverdrawn")
          .withArgs(a, grams("250kg") + 1, grams("250kg"));
      });

      // Regression: a lot listed twice used to be consumed twice and recorded twice among the product's parents.
      it("with ProcessDuplicateInput for a lot listed twice among the inputs", async () => {
        const { manufacturer, a } = p;
        await expect(
          process(
            [
              { lotId: a, grams: grams("20kg") },
              { lotId: a, grams: grams("30kg") },
            ],
            [out(LOINS, LOT_A, "1kg")],
          ),
        )
          .to.be.revertedWithCustomError(manufacturer, "ProcessDuplicateInput")
          .withArgs(a);
      });

      it("with ProcessMassBalance when the outputs weigh more than the inputs consumed, changing nothing", async () => {
        const { manufacturer } = p;
        const c = p.frozenLot;
        await expect(process([{ lotId: c, grams: 0 }], [out(LOINS, LOT_B, "60kg"), out(FILLETS, LOT_B, "40.001kg")]))
          .to.be.revertedWithCustomError(manufacturer, "ProcessMassBalance")
          .withArgs(grams("100kg"), grams("100.001kg"));
        const lot = await manufacturer.getLot(c);
        expect([lot.status, lot.weightGrams]).to.deep.equal([LotStatus.Created, BigInt(grams("100kg"))]);
        expect((await manufacturer.getLot(productLotId(LOINS, LOT_B))).status).to.equal(LotStatus.None);
      });

      it("with ProcessInvalidGtin for a wrong check digit, zero, 15 digits and the largest uint64", async () => {
        const { manufacturer, a } = p;
        const wrongCheck = LOINS + (LOINS % 10n === 9n ? -1n : 1n);
        for (const g of [wrongCheck, 0n, 10n ** 14n, 100000000000000n + 7n, 2n ** 64n - 1n, 96385075n]) {
          await expect(process([{ lotId: a, grams: 0 }], [out(g, LOT_A, "1kg")]))
            .to.be.revertedWithCustomError(manufacturer, "ProcessInvalidGtin")
            .withArgs(g);
        }
      });

      it("with ProcessInvalidOutput for an output without a lot number or without a weight", async () => {
        const { manufacturer, a } = p;
        const noLot = { gtin: LOINS, lotNumber: "0x" + "00".repeat(20), weightGrams: 1_000, frozen: false };
        const noWeight = { gtin: LOINS, lotNumber: LOT_A, weightGrams: 0, frozen: false };
        for (const output of [noLot, noWeight]) {
          await expect(process([{ lotId: a, grams: 0 }], [output]))
            .to.be.revertedWithCustomError(manufacturer, "ProcessInvalidOutput")
            .withArgs(output.gtin, output.lotNumber, output.weightGrams);
        }
      });

      it("with LotAlreadyExists for a GTIN and lot number made before, or twice in one call", async () => {
        const { manufacturer, a, b } = p;
        const id = productLotId(LOINS, LOT_A);
        await expect(process([{ lotId: a, grams: 0 }], [out(LOINS, LOT_A, "1kg"), out(LOINS, LOT_A, "1kg")]))
          .to.be.revertedWithCustomError(manufacturer, "LotAlreadyExists")
          .withArgs(id);
        await process([{ lotId: a, grams: 0 }], [out(LOINS, LOT_A, "1kg")]);
        await expect(process([{ lotId: b, grams: 0 }], [out(LOINS, LOT_A, "1kg")]))
          .to.be.revertedWithCustomError(manufacturer, "LotAlreadyExists")
          .withArgs(id);
      });

      it("with LotIsRecalled for a recalled input", async () => {
        const { manufacturer, a, b, cast } = p;
        await manufacturer.connect(cast.regulator).recallLots([b], encodeBytes32String("dioxin"));
        await expect(
          process(
            [
              { lotId: a, grams: 0 },
              { lotId: b, grams: 1 },
            ],
            [out(LOINS, LOT_A, "1kg")],
          ),
        )
          .to.be.revertedWithCustomError(manufacturer, "LotIsRecalled")
          .withArgs(b);
      });

      it("with LotNotFound, LotNotInCustody and LotInvalidStatus for inputs the manufacturer cannot take", async () => {
        const { manufacturer, a, b, othersLot, m1, m1Id, m2Id, cast } = p;
        await expect(process([{ lotId: 999n, grams: 0 }], [out(LOINS, LOT_A, "1kg")]))
          .to.be.revertedWithCustomError(manufacturer, "LotNotFound")
          .withArgs(999n);
        await expect(process([{ lotId: othersLot, grams: 0 }], [out(LOINS, LOT_A, "1kg")]))
          .to.be.revertedWithCustomError(manufacturer, "LotNotInCustody")
          .withArgs(othersLot, m2Id, m1Id);
        await manufacturer.connect(m1).removeFish(a, RemovalReason.Discarded);
        await expect(process([{ lotId: a, grams: 0 }], [out(LOINS, LOT_A, "1kg")]))
          .to.be.revertedWithCustomError(manufacturer, "LotInvalidStatus")
          .withArgs(a, LotStatus.Removed, LotStatus.Created);
        await shipLots(p, 3, m1, cast.distributor1, [b]);
        await expect(process([{ lotId: b, grams: 0 }], [out(LOINS, LOT_A, "1kg")]))
          .to.be.revertedWithCustomError(manufacturer, "LotInvalidStatus")
          .withArgs(b, LotStatus.Shipped, LotStatus.Created);
      });
    });
  });
});
