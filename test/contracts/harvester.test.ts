import { expect } from "chai";
import { Wallet } from "ethers";

import { roleBit, roleId } from "../../src/core/roles.js";
import { centiCelsius, degrees, grams } from "../../src/core/units.js";
import type { IHarvester } from "../../typechain-types/index.js";
import {
  COD,
  Flag,
  HAD,
  LotStatus,
  POK,
  RemovalReason,
  aCatch,
  deliver,
  ethers,
  marketFixture,
  networkHelpers,
  registerLot,
  ship,
  time,
  worldFixture,
  type World,
} from "../helpers/fixtures.js";

const HARVESTER_BIT = roleBit("HARVESTER");
const UPDATE_ROLES = roleBit("HARVESTER") | roleBit("SENSOR_GATEWAY");
const FRESH = { min: centiCelsius(0), max: centiCelsius(4) };
const FROZEN_MAX = centiCelsius(-18);
const INT16_MIN = -32_768;

/** The catch fields in the order of `IHarvester.Catch`, as `withArgs` compares a struct. */
function catchTuple(c: IHarvester.CatchStruct) {
  return [
    c.species,
    c.weightGrams,
    c.caughtAt,
    c.latitude,
    c.longitude,
    c.catchArea,
    c.vessel,
    c.gear,
    c.farmed,
    c.frozen,
  ];
}

/** A reading an hour before the latest block: 2 °C, 85 %, off Tromsø. */
async function aReading(overrides: Partial<Reading> = {}): Promise<Reading> {
  return {
    temperature: centiCelsius(2),
    humidity: 85,
    latitude: degrees(69.6492, "latitude"),
    longitude: degrees(18.9553, "longitude"),
    readAt: (await time.latest()) - 60,
    ...overrides,
  };
}

interface Reading {
  temperature: number;
  humidity: number;
  latitude: number;
  longitude: number;
  readAt: number;
}

function update(world: World, signer: World["cast"]["harvester1"], lotId: bigint, r: Reading) {
  return world.harvester
    .connect(signer)
    .updateFish(lotId, r.temperature, r.humidity, r.latitude, r.longitude, r.readAt);
}

describe("Harvester", () => {
  let world: World;

  beforeEach(async () => {
    world = await networkHelpers.loadFixture(worldFixture);
  });

  it("is stage 1 and asks the registry it was deployed with", async () => {
    expect(await world.harvester.stage()).to.equal(1n);
    expect(await world.harvester.registry()).to.equal(await world.registry.getAddress());
  });

  describe("registerFish", () => {
    it("registers a catch as a Created lot in the caller's custody and emits FishRegistered with the whole catch", async () => {
      const { harvester, cast, ids } = world;
      const c = await aCatch();
      await expect(harvester.connect(cast.harvester1).registerFish(c))
        .to.emit(harvester, "FishRegistered")
        .withArgs(1n, ids.harvester1, catchTuple(c));
      const lot = await harvester.getLot(1n);
      expect(lot.custodianId).to.equal(ids.harvester1);
      expect(lot.weightGrams).to.equal(BigInt(c.weightGrams));
      expect(lot.species).to.equal(COD);
      expect(lot.status).to.equal(LotStatus.Created);
      expect(lot.flags).to.equal(0n);
      expect([lot.readAt, lot.temperature, lot.humidity]).to.deep.equal([0n, 0n, 0n]);
      expect([lot.latitude, lot.longitude]).to.deep.equal([BigInt(c.latitude), BigInt(c.longitude)]);
    });

    it("returns the new lot id, numbering lots 1, 2, 3 … across harvesters", async () => {
      const { harvester, cast } = world;
      expect(await harvester.connect(cast.harvester1).registerFish.staticCall(await aCatch())).to.equal(1n);
      expect(await registerLot(world, cast.harvester1)).to.equal(1n);
      expect(await registerLot(world, cast.harvester2)).to.equal(2n);
      expect(await registerLot(world, cast.harvester1)).to.equal(3n);
    });

    for (const [frozen, farmed] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`stores frozen=${frozen} farmed=${farmed} as the FROZEN and FARMED lot flags`, async () => {
        const lotId = await registerLot(world, world.cast.harvester1, { frozen, farmed });
        const expected = (frozen ? Flag.FROZEN : 0n) | (farmed ? Flag.FARMED : 0n);
        expect((await world.harvester.getLot(lotId)).flags).to.equal(expected);
      });
    }

    it("stores the heaviest lot a uint40 of grams holds without spilling into the species", async () => {
      const { harvester, cast } = world;
      const heaviest = 2 ** 40 - 1;
      const lotId = await registerLot(world, cast.harvester1, { species: HAD, weightGrams: heaviest });
      const lot = await harvester.getLot(lotId);
      expect([lot.weightGrams, lot.species, lot.status]).to.deep.equal([BigInt(heaviest), HAD, LotStatus.Created]);
      expect((await harvester.totalAvailableFish(HAD)).grams).to.equal(BigInt(heaviest));
    });

    it("adds each lot to totalAvailableFish of its species, stamped with the block time", async () => {
      const { harvester, cast } = world;
      await registerLot(world, cast.harvester1, { weightGrams: grams("250kg") });
      await registerLot(world, cast.harvester2, { weightGrams: grams("1.5t") });
      await registerLot(world, cast.harvester1, { species: HAD, weightGrams: grams("90kg") });
      const cod = await harvester.totalAvailableFish(COD);
      expect([cod.lots, cod.grams]).to.deep.equal([2n, BigInt(grams("250kg") + grams("1.5t"))]);
      const had = await harvester.totalAvailableFish(HAD);
      expect([had.lots, had.grams, had.updatedAt]).to.deep.equal([
        1n,
        BigInt(grams("90kg")),
        BigInt(await time.latest()),
      ]);
      const pok = await harvester.totalAvailableFish(POK);
      expect([pok.lots, pok.grams, pok.updatedAt]).to.deep.equal([0n, 0n, 0n]);
    });

    it("accepts positions on the edge of the Earth (±90°, ±180°) and a catch at the current block time", async () => {
      const { harvester, cast } = world;
      for (const [lat, lon] of [
        [90, 180],
        [-90, -180],
      ] as const) {
        await expect(
          harvester
            .connect(cast.harvester1)
            .registerFish(await aCatch({ latitude: degrees(lat, "latitude"), longitude: degrees(lon, "longitude") })),
        ).to.emit(harvester, "FishRegistered");
      }
      const next = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(next);
      await expect(harvester.connect(cast.harvester1).registerFish(await aCatch({ caughtAt: next }))).to.emit(
        harvester,
        "FishRegistered",
      );
    });

    it("reverts with StageUnauthorized for every caller that is no harvester", async () => {
      const { harvester, cast } = world;
      const c = await aCatch();
      for (const caller of [cast.admin, cast.supplier1, cast.regulator, cast.gateway, cast.qat, cast.outsider]) {
        await expect(harvester.connect(caller).registerFish(c))
          .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
          .withArgs(caller.address, HARVESTER_BIT);
      }
    });

    it("reverts with StageSpeciesNotListed for a species not listed, and for one delisted", async () => {
      const { registry, harvester, cast } = world;
      await expect(harvester.connect(cast.harvester1).registerFish(await aCatch({ species: POK })))
        .to.be.revertedWithCustomError(harvester, "StageSpeciesNotListed")
        .withArgs(POK);
      await registry.delistSpecies(HAD);
      await expect(harvester.connect(cast.harvester1).registerFish(await aCatch({ species: HAD })))
        .to.be.revertedWithCustomError(harvester, "StageSpeciesNotListed")
        .withArgs(HAD);
    });

    it("keeps the species of existing lots when that species is delisted", async () => {
      const lotId = await registerLot(world, world.cast.harvester1, { species: HAD });
      await world.registry.delistSpecies(HAD);
      expect((await world.harvester.getLot(lotId)).species).to.equal(HAD);
      expect((await world.harvester.totalAvailableFish(HAD)).lots).to.equal(1n);
    });

    it("reverts with StageInvalidWeight for a weight of zero", async () => {
      const { harvester, cast } = world;
      await expect(harvester.connect(cast.harvester1).registerFish(await aCatch({ weightGrams: 0 })))
        .to.be.revertedWithCustomError(harvester, "StageInvalidWeight")
        .withArgs(0n);
    });

    for (const [lat, lon] of [
      [90_00001, 0],
      [-90_00001, 0],
      [0, 180_00001],
      [0, -180_00001],
    ] as const) {
      it(`reverts with StageInvalidPosition for (${lat}, ${lon}) in 1e-5 degrees`, async () => {
        const { harvester, cast } = world;
        await expect(harvester.connect(cast.harvester1).registerFish(await aCatch({ latitude: lat, longitude: lon })))
          .to.be.revertedWithCustomError(harvester, "StageInvalidPosition")
          .withArgs(lat, lon);
      });
    }

    it("reverts with StageTimeInFuture for a catch after the block time", async () => {
      const { harvester, cast } = world;
      const now = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(now);
      await expect(harvester.connect(cast.harvester1).registerFish(await aCatch({ caughtAt: now + 1 })))
        .to.be.revertedWithCustomError(harvester, "StageTimeInFuture")
        .withArgs(now + 1, now);
    });

    it("reverts with StageUnauthorized once the harvester is revoked", async () => {
      const { registry, harvester, cast } = world;
      await registry.revokeParticipant(cast.harvester1);
      await expect(harvester.connect(cast.harvester1).registerFish(await aCatch()))
        .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
        .withArgs(cast.harvester1.address, HARVESTER_BIT);
    });
  });

  describe("updateFish", () => {
    let lotId: bigint;
    let frozenLot: bigint;

    beforeEach(async () => {
      lotId = await registerLot(world, world.cast.harvester1);
      frozenLot = await registerLot(world, world.cast.harvester1, { frozen: true });
    });

    it("lets the custodian attach a reading, emits FishUpdated and stores it as the latest status", async () => {
      const { harvester, cast, ids } = world;
      const r = await aReading();
      await expect(update(world, cast.harvester1, lotId, r))
        .to.emit(harvester, "FishUpdated")
        .withArgs(lotId, ids.harvester1, r.readAt, r.temperature, r.humidity, r.latitude, r.longitude);
      expect(await harvester.queryStatus(lotId)).to.deep.equal([
        BigInt(r.readAt),
        BigInt(r.temperature),
        BigInt(r.humidity),
        BigInt(r.latitude),
        BigInt(r.longitude),
        0n,
      ]);
    });

    it("leaves custody, status, weight and species of the lot untouched", async () => {
      const { harvester, cast } = world;
      const before = await harvester.getLot(lotId);
      await update(world, cast.harvester1, lotId, await aReading());
      const after = await harvester.getLot(lotId);
      expect([after.custodianId, after.weightGrams, after.species, after.status, after.flags]).to.deep.equal([
        before.custodianId,
        before.weightGrams,
        before.species,
        before.status,
        before.flags,
      ]);
    });

    it("packs negative temperatures and positions and reads them back unchanged (two's complement fields)", async () => {
      const { harvester, cast, ids } = world;
      const r = await aReading({
        temperature: INT16_MIN,
        humidity: 100,
        latitude: degrees(-90, "latitude"),
        longitude: degrees(-180, "longitude"),
      });
      await update(world, cast.harvester1, frozenLot, r);
      const lot = await harvester.getLot(frozenLot);
      expect([lot.readAt, lot.temperature, lot.humidity, lot.latitude, lot.longitude]).to.deep.equal(
        [r.readAt, r.temperature, r.humidity, r.latitude, r.longitude].map(BigInt),
      );
      expect([lot.custodianId, lot.species, lot.status, lot.flags]).to.deep.equal([
        ids.harvester1,
        COD,
        LotStatus.Created,
        Flag.FROZEN,
      ]);
    });

    it("accepts fresh fish at the band edges 0 °C and 4 °C and humidity 100 % without an excursion", async () => {
      const { harvester, cast } = world;
      for (const temperature of [FRESH.min, FRESH.max]) {
        await expect(update(world, cast.harvester1, lotId, await aReading({ temperature, humidity: 100 }))).not.to.emit(
          harvester,
          "ColdChainExcursion",
        );
      }
      expect((await harvester.getLot(lotId)).flags & Flag.EXCURSION).to.equal(0n);
    });

    for (const celsius of [4.01, -0.01, 12]) {
      it(`flags fresh fish read at ${celsius} °C with EXCURSION and emits ColdChainExcursion with the 0-4 °C band`, async () => {
        const { harvester, cast } = world;
        const r = await aReading({ temperature: centiCelsius(celsius) });
        await expect(update(world, cast.harvester1, lotId, r))
          .to.emit(harvester, "ColdChainExcursion")
          .withArgs(lotId, r.readAt, r.temperature, FRESH.min, FRESH.max);
        expect((await harvester.queryStatus(lotId)).flags).to.equal(Flag.EXCURSION);
      });
    }

    it("accepts frozen fish at -18 °C and below without an excursion", async () => {
      const { harvester, cast } = world;
      for (const temperature of [FROZEN_MAX, centiCelsius(-25), INT16_MIN]) {
        await expect(update(world, cast.harvester1, frozenLot, await aReading({ temperature }))).not.to.emit(
          harvester,
          "ColdChainExcursion",
        );
      }
      expect((await harvester.getLot(frozenLot)).flags).to.equal(Flag.FROZEN);
    });

    for (const celsius of [-17.99, 2]) {
      it(`flags frozen fish read at ${celsius} °C with EXCURSION (band: at most -18 °C)`, async () => {
        const { harvester, cast } = world;
        const r = await aReading({ temperature: centiCelsius(celsius) });
        await expect(update(world, cast.harvester1, frozenLot, r))
          .to.emit(harvester, "ColdChainExcursion")
          .withArgs(frozenLot, r.readAt, r.temperature, INT16_MIN, FROZEN_MAX);
        expect((await harvester.getLot(frozenLot)).flags).to.equal(Flag.FROZEN | Flag.EXCURSION);
      });
    }

    it("keeps the EXCURSION flag after the temperature is back in band", async () => {
      const { harvester, cast } = world;
      const now = await time.latest();
      await update(world, cast.harvester1, lotId, await aReading({ temperature: centiCelsius(9), readAt: now - 120 }));
      await update(world, cast.harvester1, lotId, await aReading({ temperature: centiCelsius(2), readAt: now - 60 }));
      const status = await harvester.queryStatus(lotId);
      expect([status.temperature, status.flags]).to.deep.equal([BigInt(centiCelsius(2)), Flag.EXCURSION]);
    });

    it("records a late reading (FishUpdated) without replacing the newer status", async () => {
      const { harvester, cast, ids } = world;
      const now = await time.latest();
      const newer = await aReading({ temperature: centiCelsius(1), readAt: now - 60 });
      const older = await aReading({ temperature: centiCelsius(3), humidity: 70, readAt: now - 600 });
      await update(world, cast.harvester1, lotId, newer);
      await expect(update(world, cast.harvester1, lotId, older))
        .to.emit(harvester, "FishUpdated")
        .withArgs(
          lotId,
          ids.harvester1,
          older.readAt,
          older.temperature,
          older.humidity,
          older.latitude,
          older.longitude,
        );
      const status = await harvester.queryStatus(lotId);
      expect([status.readAt, status.temperature, status.humidity]).to.deep.equal([
        BigInt(newer.readAt),
        BigInt(newer.temperature),
        BigInt(newer.humidity),
      ]);
    });

    it("still flags the lot when a late reading lay outside the band, keeping the newer status", async () => {
      const { harvester, cast } = world;
      const now = await time.latest();
      const newer = await aReading({ temperature: centiCelsius(1), readAt: now - 60 });
      const older = await aReading({ temperature: centiCelsius(8), readAt: now - 600 });
      await update(world, cast.harvester1, lotId, newer);
      await expect(update(world, cast.harvester1, lotId, older))
        .to.emit(harvester, "ColdChainExcursion")
        .withArgs(lotId, older.readAt, older.temperature, FRESH.min, FRESH.max);
      const status = await harvester.queryStatus(lotId);
      expect([status.readAt, status.temperature, status.flags]).to.deep.equal([
        BigInt(newer.readAt),
        BigInt(newer.temperature),
        Flag.EXCURSION,
      ]);
    });

    it("replaces the status with a reading taken at the same time as the stored one", async () => {
      const { harvester, cast } = world;
      const readAt = (await time.latest()) - 60;
      await update(world, cast.harvester1, lotId, await aReading({ temperature: centiCelsius(1), readAt }));
      await update(world, cast.harvester1, lotId, await aReading({ temperature: centiCelsius(3), readAt }));
      expect((await harvester.queryStatus(lotId)).temperature).to.equal(BigInt(centiCelsius(3)));
    });

    it("accepts a reading taken at the current block time", async () => {
      const { harvester, cast } = world;
      const now = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(now);
      await update(world, cast.harvester1, lotId, await aReading({ readAt: now }));
      expect((await harvester.queryStatus(lotId)).readAt).to.equal(BigInt(now));
    });

    it("lets the sensor gateway of the custodian report, naming the gateway as reporter", async () => {
      const { harvester, cast, ids } = world;
      const r = await aReading({ temperature: centiCelsius(5) });
      const tx = update(world, cast.gateway, lotId, r);
      await expect(tx)
        .to.emit(harvester, "FishUpdated")
        .withArgs(lotId, ids.gateway, r.readAt, r.temperature, r.humidity, r.latitude, r.longitude);
      await expect(tx).to.emit(harvester, "ColdChainExcursion");
      expect((await harvester.queryStatus(lotId)).readAt).to.equal(BigInt(r.readAt));
    });

    it("reverts with LotNotInCustody when the gateway reports on a lot its operator does not hold", async () => {
      const { harvester, cast, ids } = world;
      const othersLot = await registerLot(world, cast.harvester2);
      await expect(update(world, cast.gateway, othersLot, await aReading()))
        .to.be.revertedWithCustomError(harvester, "LotNotInCustody")
        .withArgs(othersLot, ids.harvester2, ids.harvester1);
    });

    it("reverts with StageUnauthorized for the gateway once its operator is revoked", async () => {
      const { registry, harvester, cast } = world;
      await registry.revokeParticipant(cast.harvester1);
      await expect(update(world, cast.gateway, lotId, await aReading()))
        .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
        .withArgs(cast.gateway.address, UPDATE_ROLES);
    });

    it("reverts with StageUnauthorized for callers that are neither harvester nor sensor gateway", async () => {
      const { harvester, cast } = world;
      const r = await aReading();
      for (const caller of [cast.qat, cast.supplier1, cast.regulator, cast.admin, cast.outsider]) {
        await expect(update(world, caller, lotId, r))
          .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
          .withArgs(caller.address, UPDATE_ROLES);
      }
    });

    it("reverts with LotNotFound for a lot that does not exist", async () => {
      const { harvester, cast } = world;
      await expect(update(world, cast.harvester1, 999n, await aReading()))
        .to.be.revertedWithCustomError(harvester, "LotNotFound")
        .withArgs(999n);
    });

    it("reverts with LotNotInCustody for a harvester that does not hold the lot", async () => {
      const { harvester, cast, ids } = world;
      await expect(update(world, cast.harvester2, lotId, await aReading()))
        .to.be.revertedWithCustomError(harvester, "LotNotInCustody")
        .withArgs(lotId, ids.harvester1, ids.harvester2);
    });

    it("reverts with LotInvalidStatus for a removed lot", async () => {
      const { harvester, cast } = world;
      await harvester.connect(cast.harvester1).removeFish(lotId, RemovalReason.Discarded);
      await expect(update(world, cast.harvester1, lotId, await aReading()))
        .to.be.revertedWithCustomError(harvester, "LotInvalidStatus")
        .withArgs(lotId, LotStatus.Removed, LotStatus.Created);
    });

    it("reverts with StageInvalidHumidity above 100 %", async () => {
      const { harvester, cast } = world;
      await expect(update(world, cast.harvester1, lotId, await aReading({ humidity: 101 })))
        .to.be.revertedWithCustomError(harvester, "StageInvalidHumidity")
        .withArgs(101);
    });

    it("reverts with StageInvalidPosition for a position off the Earth", async () => {
      const { harvester, cast } = world;
      await expect(update(world, cast.harvester1, lotId, await aReading({ latitude: -90_00001, longitude: 0 })))
        .to.be.revertedWithCustomError(harvester, "StageInvalidPosition")
        .withArgs(-90_00001, 0);
      await expect(update(world, cast.harvester1, lotId, await aReading({ latitude: 0, longitude: 180_00001 })))
        .to.be.revertedWithCustomError(harvester, "StageInvalidPosition")
        .withArgs(0, 180_00001);
    });

    it("reverts with StageTimeInFuture for a reading after the block time", async () => {
      const { harvester, cast } = world;
      const now = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(now);
      await expect(update(world, cast.harvester1, lotId, await aReading({ readAt: now + 60 })))
        .to.be.revertedWithCustomError(harvester, "StageTimeInFuture")
        .withArgs(now + 60, now);
    });
  });

  describe("removeFish", () => {
    let lotId: bigint;

    beforeEach(async () => {
      lotId = await registerLot(world, world.cast.harvester1, { weightGrams: grams("120kg") });
    });

    for (const [name, reason] of Object.entries(RemovalReason)) {
      it(`takes the lot out of the inventory for reason ${name} and emits FishRemoved`, async () => {
        const { harvester, cast, ids } = world;
        await expect(harvester.connect(cast.harvester1).removeFish(lotId, reason))
          .to.emit(harvester, "FishRemoved")
          .withArgs(lotId, ids.harvester1, reason);
        const lot = await harvester.getLot(lotId);
        expect([lot.status, lot.custodianId, lot.weightGrams]).to.deep.equal([
          LotStatus.Removed,
          ids.harvester1,
          BigInt(grams("120kg")),
        ]);
      });
    }

    it("subtracts the lot from totalAvailableFish", async () => {
      const { harvester, cast } = world;
      await registerLot(world, cast.harvester1, { weightGrams: grams("80kg") });
      await harvester.connect(cast.harvester1).removeFish(lotId, RemovalReason.Lost);
      const totals = await harvester.totalAvailableFish(COD);
      expect([totals.lots, totals.grams, totals.updatedAt]).to.deep.equal([
        1n,
        BigInt(grams("80kg")),
        BigInt(await time.latest()),
      ]);
    });

    it("reverts with LotInvalidStatus for a lot removed already", async () => {
      const { harvester, cast } = world;
      await harvester.connect(cast.harvester1).removeFish(lotId, RemovalReason.Sold);
      await expect(harvester.connect(cast.harvester1).removeFish(lotId, RemovalReason.Sold))
        .to.be.revertedWithCustomError(harvester, "LotInvalidStatus")
        .withArgs(lotId, LotStatus.Removed, LotStatus.Created);
    });

    it("reverts with StageUnauthorized for the sensor gateway and other callers that are no harvester", async () => {
      const { harvester, cast } = world;
      for (const caller of [cast.gateway, cast.supplier1, cast.outsider]) {
        await expect(harvester.connect(caller).removeFish(lotId, RemovalReason.Discarded))
          .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
          .withArgs(caller.address, HARVESTER_BIT);
      }
    });

    it("reverts with LotNotFound for a lot that does not exist", async () => {
      const { harvester, cast } = world;
      await expect(harvester.connect(cast.harvester1).removeFish(lotId + 1n, RemovalReason.Discarded))
        .to.be.revertedWithCustomError(harvester, "LotNotFound")
        .withArgs(lotId + 1n);
    });

    it("reverts with LotNotInCustody for a harvester that does not hold the lot", async () => {
      const { harvester, cast, ids } = world;
      await expect(harvester.connect(cast.harvester2).removeFish(lotId, RemovalReason.Discarded))
        .to.be.revertedWithCustomError(harvester, "LotNotInCustody")
        .withArgs(lotId, ids.harvester1, ids.harvester2);
    });

    it("reverts without a reason for a removal reason outside the enum", async () => {
      const { harvester, cast } = world;
      const outOfRange = BigInt(Object.keys(RemovalReason).length);
      await expect(harvester.connect(cast.harvester1).removeFish(lotId, outOfRange)).to.be.revertedWithoutReason(
        ethers,
      );
      expect((await harvester.getLot(lotId)).status).to.equal(LotStatus.Created);
    });
  });

  describe("queries", () => {
    it("queryStatus of a new lot reports no reading yet, the catch position and the declared flags", async () => {
      const { harvester, cast } = world;
      const c = await aCatch({ frozen: true, farmed: true });
      const lotId = await registerLot(world, cast.harvester1, c);
      expect(await harvester.queryStatus(lotId)).to.deep.equal([
        0n,
        0n,
        0n,
        BigInt(c.latitude),
        BigInt(c.longitude),
        Flag.FROZEN | Flag.FARMED,
      ]);
    });

    it("queryStatus reverts with LotNotFound for a lot that does not exist", async () => {
      await expect(world.harvester.queryStatus(1n))
        .to.be.revertedWithCustomError(world.harvester, "LotNotFound")
        .withArgs(1n);
    });

    it("queryQAT returns a zeroed inspection with the lot's flags until the IoT layer scans it", async () => {
      const { harvester, cast } = world;
      const lotId = await registerLot(world, cast.harvester1, { frozen: true });
      await update(world, cast.harvester1, lotId, await aReading({ temperature: centiCelsius(3) }));
      const [inspection, flags] = await harvester.queryQAT(lotId);
      expect([...inspection]).to.deep.equal([0n, "0x000000", 0n, 0n, 0n, 0n]);
      expect(flags).to.equal(Flag.FROZEN | Flag.EXCURSION);
    });

    it("queryQAT and getLot return zeroes, not a revert, for a lot that does not exist", async () => {
      const [inspection, flags] = await world.harvester.queryQAT(42n);
      expect([...inspection, flags]).to.deep.equal([0n, "0x000000", 0n, 0n, 0n, 0n, 0n]);
      const lot = await world.harvester.getLot(42n);
      expect([...lot]).to.deep.equal([0n, 0n, "0x000000", LotStatus.None, 0n, 0n, 0n, 0n, 0n, 0n]);
    });

    it("totalSuppliedFish is zero before anything is supplied", async () => {
      await registerLot(world, world.cast.harvester1);
      const totals = await world.harvester.totalSuppliedFish(COD);
      expect([totals.lots, totals.grams, totals.updatedAt]).to.deep.equal([0n, 0n, 0n]);
    });
  });
});

// Tests on lots in an order load the market fixture directly: restoring the world fixture first (as the
// beforeEach above does) would discard the market snapshot and rebuild it for every test.
describe("Harvester with an order placed", () => {
  describe("updateFish on lots in an order", () => {
    it("accepts readings while the lot is Shipped (the cold chain in transit)", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      await ship(market);
      const [lotId] = market.codLots;
      const r = await aReading();
      await expect(update(market, market.cast.gateway, lotId, r)).to.emit(market.harvester, "FishUpdated");
      expect((await market.harvester.queryStatus(lotId)).readAt).to.equal(BigInt(r.readAt));
    });

    it("reverts with LotInvalidStatus for a Supplied lot, which still records the harvester as its holder here", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { harvester, cast, ids } = market;
      await deliver(market);
      await harvester.connect(cast.supplier1).acknowledge(market.orderId, market.shipmentNo, market.codLots);
      const [lotId] = market.codLots;
      expect((await harvester.getLot(lotId)).custodianId).to.equal(ids.harvester1);
      for (const caller of [cast.harvester1, cast.gateway]) {
        await expect(update(market, caller, lotId, await aReading()))
          .to.be.revertedWithCustomError(harvester, "LotInvalidStatus")
          .withArgs(lotId, LotStatus.Supplied, LotStatus.Created);
      }
    });

    it("sends the new custodian's gateway to the Supplier contract, where the lot now is", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { harvester, supplier, registry, cast } = market;
      await deliver(market);
      await harvester.connect(cast.supplier1).acknowledge(market.orderId, market.shipmentNo, market.codLots);
      const supplierGateway = Wallet.createRandom().connect(ethers.provider);
      await networkHelpers.setBalance(supplierGateway.address, ethers.parseEther("1"));
      await registry.registerDevice(supplierGateway, roleId("SENSOR_GATEWAY"), cast.supplier1);
      const gatewayId = (await registry.authorization(supplierGateway)).id;
      const [lotId] = market.codLots;
      const r = await aReading();
      const args = [lotId, r.temperature, r.humidity, r.latitude, r.longitude, r.readAt] as const;
      // At the Harvester its operator holds no role (audit F5: a device acts only for its operator's stage).
      await expect(harvester.connect(supplierGateway).updateFish(...args))
        .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
        .withArgs(supplierGateway.address, roleBit("HARVESTER") | roleBit("SENSOR_GATEWAY"));
      await expect(supplier.connect(supplierGateway).updateFish(...args))
        .to.emit(supplier, "FishUpdated")
        .withArgs(lotId, gatewayId, r.readAt, r.temperature, r.humidity, r.latitude, r.longitude);
      expect((await supplier.queryStatus(lotId)).readAt).to.equal(BigInt(r.readAt));
    });
  });

  describe("removeFish", () => {
    it("reverts with LotInvalidStatus for a lot that is Shipped", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      await ship(market);
      const [shipped] = market.codLots;
      await expect(market.harvester.connect(market.cast.harvester1).removeFish(shipped, RemovalReason.Lost))
        .to.be.revertedWithCustomError(market.harvester, "LotInvalidStatus")
        .withArgs(shipped, LotStatus.Shipped, LotStatus.Created);
    });
  });
});
