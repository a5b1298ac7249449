import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { Interface, Wallet, ZeroAddress, ZeroHash, dataSlice, id, toBeHex, zeroPadValue } from "ethers";

import { roleBit, roleId, ROLE_NAMES } from "../../src/core/roles.js";
import { STAGE_NAMES } from "../../src/node/system.js";
import { speciesCode } from "../../src/core/units.js";
import { Harvester__factory, Registry__factory } from "../../typechain-types/index.js";
import {
  COD,
  HAD,
  POK,
  aCatch,
  castOf,
  ethers,
  networkHelpers,
  time,
  worldFixture,
  type World,
} from "../helpers/fixtures.js";

const ADMIN = roleId("DEFAULT_ADMIN");
const HARVESTER = roleId("HARVESTER");
const SUPPLIER = roleId("SUPPLIER");
const REGULATOR = roleId("REGULATOR");
const QAT_DEVICE = roleId("QAT_DEVICE");
const SENSOR_GATEWAY = roleId("SENSOR_GATEWAY");
const NOT_A_ROLE = id("CAPTAIN");

/** A fresh registry (admin = first account) and a Harvester attached to it, deployed without Ignition. */
async function bareSystem() {
  const { admin } = await castOf();
  const registry = await new Registry__factory(admin).deploy(admin, 0);
  const harvester = await new Harvester__factory(admin).deploy(registry);
  return { registry, harvester };
}

describe("Registry", () => {
  let world: World;

  beforeEach(async () => {
    world = await networkHelpers.loadFixture(worldFixture);
  });

  describe("deployment", () => {
    it("gives the constructor's admin DEFAULT_ADMIN_ROLE and participant id 1", async () => {
      const { registry, cast } = world;
      expect(await registry.hasRole(ADMIN, cast.admin)).to.equal(true);
      expect(await registry.DEFAULT_ADMIN_ROLE()).to.equal(ADMIN);
      expect(await registry.accountOf(1)).to.equal(cast.admin.address);
      expect((await registry.authorization(cast.admin)).roles).to.equal(BigInt(roleBit("DEFAULT_ADMIN")));
    });

    it("emits ParticipantEnrolled and RoleGranted for the admin at construction", async () => {
      const { admin } = await castOf();
      const registry = await new Registry__factory(admin).deploy(admin, 0);
      const tx = registry.deploymentTransaction();
      await expect(tx).to.emit(registry, "ParticipantEnrolled").withArgs(1n, admin.address);
      await expect(tx).to.emit(registry, "RoleGranted").withArgs(ADMIN, admin.address, admin.address);
    });

    it("has the six Ignition-deployed stages attached in supply-chain order, each wired to the next, then the quality ledger", async () => {
      const { registry, addresses } = world;
      const chain = STAGE_NAMES.map((name) => addresses[name]);
      expect(await registry.stages()).to.deep.equal([...chain, addresses.qualityLedger]);
      for (const [i, name] of STAGE_NAMES.entries()) {
        const stage = world[name];
        expect(await stage.stage(), name).to.equal(BigInt(i + 1));
        expect(await stage.registry(), name).to.equal(addresses.registry);
        expect(await stage.previousStage(), name).to.equal(chain[i - 1] ?? ZeroAddress);
        expect(await stage.nextStage(), name).to.equal(chain[i + 1] ?? ZeroAddress);
      }
    });

    it("caps attached stages at MAX_STAGES = 12 (six actors plus room for upgrades)", async () => {
      expect(await world.registry.MAX_STAGES()).to.equal(12n);
    });
  });

  describe("attachStage", () => {
    it("appends the stage in order of attachment and emits StageAttached", async () => {
      const { registry, harvester } = await bareSystem();
      const second = await new Harvester__factory((await castOf()).admin).deploy(registry);
      await expect(registry.attachStage(harvester))
        .to.emit(registry, "StageAttached")
        .withArgs(await harvester.getAddress());
      await expect(registry.attachStage(second))
        .to.emit(registry, "StageAttached")
        .withArgs(await second.getAddress());
      expect(await registry.stages()).to.deep.equal([await harvester.getAddress(), await second.getAddress()]);
    });

    it("reverts with RegistryStageAlreadyAttached for a stage attached before", async () => {
      const { registry, harvester } = world;
      await expect(registry.attachStage(harvester))
        .to.be.revertedWithCustomError(registry, "RegistryStageAlreadyAttached")
        .withArgs(await harvester.getAddress());
    });

    it("reverts with RegistryTooManyStages once MAX_STAGES stages are attached", async () => {
      const { registry } = await bareSystem();
      const { admin } = await castOf();
      const maximum = await registry.MAX_STAGES();
      for (let i = 0n; i < maximum; i++)
        await registry.attachStage(await new Harvester__factory(admin).deploy(registry));
      const extra = await new Harvester__factory(admin).deploy(registry);
      await expect(registry.attachStage(extra))
        .to.be.revertedWithCustomError(registry, "RegistryTooManyStages")
        .withArgs(maximum);
      expect(await registry.stages()).to.have.length(Number(maximum));
    });

    it("reverts with RegistryNotReplica for a stage that replicates another registry", async () => {
      const { registry } = world;
      const other = await bareSystem();
      await expect(registry.attachStage(other.harvester))
        .to.be.revertedWithCustomError(registry, "RegistryNotReplica")
        .withArgs(await other.harvester.getAddress());
    });

    it("reverts with RegistryNotReplica for an account without code and for a contract without registry()", async () => {
      const { registry, cast } = world;
      const eoa = Wallet.createRandom().address;
      for (const stage of [eoa, cast.outsider.address, await registry.getAddress()]) {
        await expect(registry.attachStage(stage))
          .to.be.revertedWithCustomError(registry, "RegistryNotReplica")
          .withArgs(stage);
      }
    });

    it("reverts with AccessControlUnauthorizedAccount for a caller without DEFAULT_ADMIN_ROLE", async () => {
      const { registry, cast } = world;
      const stage = (await bareSystem()).harvester;
      await expect(registry.connect(cast.harvester1).attachStage(stage))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(cast.harvester1.address, ADMIN);
    });
  });

  describe("registerParticipant", () => {
    it("enrols a new account with the next id, grants the role, stores the profile and emits all three events", async () => {
      const { registry, cast } = world;
      const account = Wallet.createRandom().address;
      const nextId = (await registry.participantCount()) + 1n;
      const tx = registry.registerParticipant(account, HARVESTER, "FV Senja", "7080003000050");
      await expect(tx).to.emit(registry, "ParticipantEnrolled").withArgs(nextId, account);
      await expect(tx).to.emit(registry, "RoleGranted").withArgs(HARVESTER, account, cast.admin.address);
      await expect(tx).to.emit(registry, "ParticipantProfileSet").withArgs(account, "FV Senja", "7080003000050");
      expect(await registry.participantCount()).to.equal(nextId);
      expect(await registry.accountOf(nextId)).to.equal(account);
      expect(await registry.hasRole(HARVESTER, account)).to.equal(true);
      expect(await registry.profileOf(account)).to.deep.equal(["FV Senja", "7080003000050"]);
      const auth = await registry.authorization(account);
      expect([auth.id, auth.roles, auth.operatorId]).to.deep.equal([nextId, BigInt(roleBit("HARVESTER")), 0n]);
    });

    it("pushes the new authorization to every attached stage (AuthorizationSynced)", async () => {
      const { registry, cast } = world;
      const second = await new Harvester__factory(cast.admin).deploy(registry);
      await registry.attachStage(second);
      const account = Wallet.createRandom().address;
      const nextId = (await registry.participantCount()) + 1n;
      const tx = registry.registerParticipant(account, SUPPLIER, "Tromsø Fisk", "NO-TOS");
      for (const stage of [...STAGE_NAMES.map((name) => world[name]), second]) {
        await expect(tx).to.emit(stage, "AuthorizationSynced").withArgs(account, nextId, roleBit("SUPPLIER"), 0n);
      }
    });

    it("adds a second role under the same id without enrolling the account again", async () => {
      const { registry, cast, ids } = world;
      const tx = registry.registerParticipant(cast.harvester1, SUPPLIER, "FV Nordkapp", "7080003000012");
      await expect(tx).not.to.emit(registry, "ParticipantEnrolled");
      await expect(tx).to.emit(registry, "RoleGranted").withArgs(SUPPLIER, cast.harvester1.address, cast.admin.address);
      const auth = await registry.authorization(cast.harvester1);
      expect(auth.id).to.equal(ids.harvester1);
      expect(auth.roles).to.equal(BigInt(roleBit("HARVESTER") | roleBit("SUPPLIER")));
    });

    it("updates only the profile when the account already holds the role", async () => {
      const { registry, cast } = world;
      const countBefore = await registry.participantCount();
      const tx = registry.registerParticipant(cast.harvester1, HARVESTER, "FV Nordkapp II", "7080003000067");
      await expect(tx).not.to.emit(registry, "RoleGranted");
      await expect(tx).not.to.emit(registry, "ParticipantEnrolled");
      await expect(tx)
        .to.emit(registry, "ParticipantProfileSet")
        .withArgs(cast.harvester1.address, "FV Nordkapp II", "7080003000067");
      expect(await registry.participantCount()).to.equal(countBefore);
      expect(await registry.profileOf(cast.harvester1)).to.deep.equal(["FV Nordkapp II", "7080003000067"]);
    });

    it("reverts with RegistryUnknownRole for a role outside FishTrace's eleven", async () => {
      const { registry } = world;
      await expect(registry.registerParticipant(Wallet.createRandom().address, NOT_A_ROLE, "x", "y"))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownRole")
        .withArgs(NOT_A_ROLE);
    });

    it("reverts with RegistryZeroAccount for the zero address", async () => {
      const { registry } = world;
      await expect(registry.registerParticipant(ZeroAddress, HARVESTER, "x", "y")).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroAccount",
      );
    });

    it("reverts with RegistryDeviceConflict when a device role is given to an account that is no bound device", async () => {
      const { registry } = world;
      const account = Wallet.createRandom().address;
      await expect(registry.registerParticipant(account, SENSOR_GATEWAY, "x", "y"))
        .to.be.revertedWithCustomError(registry, "RegistryDeviceConflict")
        .withArgs(account, ZeroAddress);
    });

    it("reverts with AccessControlUnauthorizedAccount for a caller without DEFAULT_ADMIN_ROLE", async () => {
      const { registry, cast } = world;
      await expect(registry.connect(cast.regulator).registerParticipant(cast.outsider, HARVESTER, "x", "y"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(cast.regulator.address, ADMIN);
    });
  });

  describe("registerDevice", () => {
    it("enrols the device, binds it to its operator, grants the role and emits the events", async () => {
      const { registry, harvester, cast, ids } = world;
      const device = Wallet.createRandom().address;
      const nextId = (await registry.participantCount()) + 1n;
      const tx = registry.registerDevice(device, SENSOR_GATEWAY, cast.harvester2);
      await expect(tx).to.emit(registry, "ParticipantEnrolled").withArgs(nextId, device);
      await expect(tx).to.emit(registry, "DeviceBound").withArgs(device, cast.harvester2.address);
      await expect(tx).to.emit(registry, "RoleGranted").withArgs(SENSOR_GATEWAY, device, cast.admin.address);
      await expect(tx)
        .to.emit(harvester, "AuthorizationSynced")
        .withArgs(device, nextId, roleBit("SENSOR_GATEWAY"), ids.harvester2);
      expect(await registry.operatorOf(device)).to.equal(cast.harvester2.address);
      const auth = await registry.authorization(device);
      expect([auth.id, auth.roles, auth.operatorId]).to.deep.equal([
        nextId,
        BigInt(roleBit("SENSOR_GATEWAY")),
        ids.harvester2,
      ]);
    });

    it("adds a second device role to a device bound to the same operator without binding it again", async () => {
      const { registry, cast } = world;
      const tx = registry.registerDevice(cast.gateway, QAT_DEVICE, cast.harvester1);
      await expect(tx).not.to.emit(registry, "DeviceBound");
      await expect(tx).not.to.emit(registry, "ParticipantEnrolled");
      await expect(tx).to.emit(registry, "RoleGranted").withArgs(QAT_DEVICE, cast.gateway.address, cast.admin.address);
      expect((await registry.authorization(cast.gateway)).roles).to.equal(
        BigInt(roleBit("SENSOR_GATEWAY") | roleBit("QAT_DEVICE")),
      );
    });

    it("reports the zero address as operator of an account that is no device", async () => {
      expect(await world.registry.operatorOf(world.cast.harvester1)).to.equal(ZeroAddress);
    });

    for (const role of ["HARVESTER", "REGULATOR", "RELAYER", "DEFAULT_ADMIN"] as const) {
      it(`reverts with RegistryNotDeviceRole for the non-device role ${role}`, async () => {
        const { registry, cast } = world;
        await expect(registry.registerDevice(Wallet.createRandom().address, roleId(role), cast.harvester1))
          .to.be.revertedWithCustomError(registry, "RegistryNotDeviceRole")
          .withArgs(roleId(role));
      });
    }

    it("reverts with RegistryNotDeviceRole (not RegistryUnknownRole) for a role outside FishTrace's eleven", async () => {
      const { registry, cast } = world;
      await expect(registry.registerDevice(Wallet.createRandom().address, NOT_A_ROLE, cast.harvester1))
        .to.be.revertedWithCustomError(registry, "RegistryNotDeviceRole")
        .withArgs(NOT_A_ROLE);
    });

    it("reverts with RegistryOperatorNotActor when the operator holds neither an actor role nor REGULATOR", async () => {
      const { registry, cast } = world;
      for (const operator of [cast.outsider, cast.admin]) {
        await expect(registry.registerDevice(Wallet.createRandom().address, QAT_DEVICE, operator))
          .to.be.revertedWithCustomError(registry, "RegistryOperatorNotActor")
          .withArgs(operator.address);
      }
    });

    it("reverts with RegistryDeviceConflict when the device takes part in its own right", async () => {
      const { registry, cast } = world;
      await expect(registry.registerDevice(cast.harvester2, SENSOR_GATEWAY, cast.harvester1))
        .to.be.revertedWithCustomError(registry, "RegistryDeviceConflict")
        .withArgs(cast.harvester2.address, ZeroAddress);
    });

    it("reverts with RegistryDeviceConflict naming the current operator when rebinding to another one", async () => {
      const { registry, cast } = world;
      await expect(registry.registerDevice(cast.gateway, SENSOR_GATEWAY, cast.harvester2))
        .to.be.revertedWithCustomError(registry, "RegistryDeviceConflict")
        .withArgs(cast.gateway.address, cast.harvester1.address);
    });

    it("reverts with RegistryDeviceConflict when an actor role is granted to a device", async () => {
      const { registry, cast } = world;
      await expect(registry.grantRole(HARVESTER, cast.gateway))
        .to.be.revertedWithCustomError(registry, "RegistryDeviceConflict")
        .withArgs(cast.gateway.address, cast.harvester1.address);
    });

    it("reverts with AccessControlUnauthorizedAccount for a caller without DEFAULT_ADMIN_ROLE", async () => {
      const { registry, cast } = world;
      await expect(
        registry
          .connect(cast.harvester1)
          .registerDevice(Wallet.createRandom().address, SENSOR_GATEWAY, cast.harvester1),
      )
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(cast.harvester1.address, ADMIN);
    });
  });

  describe("revokeParticipant", () => {
    it("revokes every role one by one, keeps id and profile, and emits ParticipantRevoked", async () => {
      const { registry, cast, ids } = world;
      await registry.grantRole(REGULATOR, cast.harvester1);
      const tx = registry.revokeParticipant(cast.harvester1);
      await expect(tx)
        .to.emit(registry, "RoleRevoked")
        .withArgs(HARVESTER, cast.harvester1.address, cast.admin.address);
      await expect(tx)
        .to.emit(registry, "RoleRevoked")
        .withArgs(REGULATOR, cast.harvester1.address, cast.admin.address);
      await expect(tx).to.emit(registry, "ParticipantRevoked").withArgs(cast.harvester1.address);
      const auth = await registry.authorization(cast.harvester1);
      expect([auth.id, auth.roles]).to.deep.equal([ids.harvester1, 0n]);
      expect(await registry.hasRole(HARVESTER, cast.harvester1)).to.equal(false);
      expect(await registry.accountOf(ids.harvester1)).to.equal(cast.harvester1.address);
      expect(await registry.profileOf(cast.harvester1)).to.deep.equal(["FV Nordkapp", "7080003000012"]);
    });

    it("pushes the revocation to the stage so the replica does not lag", async () => {
      const { registry, harvester, cast, ids } = world;
      await expect(registry.revokeParticipant(cast.harvester1))
        .to.emit(harvester, "AuthorizationSynced")
        .withArgs(cast.harvester1.address, ids.harvester1, 0n, 0n);
      await expect(harvester.connect(cast.harvester1).registerFish(await aCatch()))
        .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
        .withArgs(cast.harvester1.address, roleBit("HARVESTER"));
    });

    it("strips the device roles of the operator's devices, and hasRole agrees with authorization", async () => {
      const { registry, harvester, cast } = world;
      // Only the operator's record is pushed (audit F8); the stages read it when one of its devices acts.
      await expect(registry.revokeParticipant(cast.harvester1))
        .to.emit(harvester, "AuthorizationSynced")
        .withArgs(cast.harvester1.address, world.ids.harvester1, 0n, 0n);
      await expect(harvester.connect(cast.gateway).updateFish(1n, 200, 80, 0, 0, await time.latest()))
        .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
        .withArgs(cast.gateway.address, roleBit("HARVESTER") | roleBit("SENSOR_GATEWAY"));
      expect((await registry.authorization(cast.gateway)).roles).to.equal(0n);
      // Regression: hasRole used to read the stored bit and still said true here.
      expect(await registry.hasRole(SENSOR_GATEWAY, cast.gateway)).to.equal(false);
    });

    it("restores the devices' roles when the operator becomes an actor again", async () => {
      const { registry, harvester, cast, ids } = world;
      await registry.revokeParticipant(cast.harvester1);
      await expect(registry.grantRole(HARVESTER, cast.harvester1))
        .to.emit(harvester, "AuthorizationSynced")
        .withArgs(cast.harvester1.address, ids.harvester1, roleBit("HARVESTER"), 0n);
      expect((await registry.authorization(cast.gateway)).roles).to.equal(BigInt(roleBit("SENSOR_GATEWAY")));
    });

    it("revokes a device's own roles", async () => {
      const { registry, cast } = world;
      await expect(registry.revokeParticipant(cast.qat))
        .to.emit(registry, "RoleRevoked")
        .withArgs(QAT_DEVICE, cast.qat.address, cast.admin.address);
      expect(await registry.hasRole(QAT_DEVICE, cast.qat)).to.equal(false);
      expect(await registry.operatorOf(cast.qat)).to.equal(cast.supplier1.address);
    });

    it("only emits ParticipantRevoked for an account that holds no role", async () => {
      const { registry, cast } = world;
      const tx = registry.revokeParticipant(cast.outsider);
      await expect(tx).to.emit(registry, "ParticipantRevoked").withArgs(cast.outsider.address);
      await expect(tx).not.to.emit(registry, "RoleRevoked");
    });

    it("reverts with AccessControlUnauthorizedAccount for a caller without DEFAULT_ADMIN_ROLE", async () => {
      const { registry, cast } = world;
      await expect(registry.connect(cast.harvester2).revokeParticipant(cast.harvester1))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(cast.harvester2.address, ADMIN);
    });
  });

  describe("listSpecies", () => {
    it("lists a code under its name and emits SpeciesListed", async () => {
      const { registry } = world;
      await expect(registry.listSpecies(POK, "Saithe")).to.emit(registry, "SpeciesListed").withArgs(POK, "Saithe");
      expect(await registry.isSpeciesListed(POK)).to.equal(true);
      expect(await registry.speciesName(POK)).to.equal("Saithe");
    });

    it("stores the code itself as the name when the name is empty, so the species still reads as listed", async () => {
      const { registry } = world;
      await expect(registry.listSpecies(POK, "")).to.emit(registry, "SpeciesListed").withArgs(POK, "");
      expect(await registry.isSpeciesListed(POK)).to.equal(true);
      expect(await registry.speciesName(POK)).to.equal("POK");
    });

    it("reports an unlisted code as not listed with an empty name", async () => {
      expect(await world.registry.isSpeciesListed(POK)).to.equal(false);
      expect(await world.registry.speciesName(POK)).to.equal("");
    });

    for (const code of ["0x636f64", "0x433044", "0x434f20", "0x000000", "0x5b4141", "0x40415a"]) {
      it(`reverts with RegistryInvalidSpeciesCode for ${code}, which is not three letters A-Z`, async () => {
        const { registry } = world;
        await expect(registry.listSpecies(code, "x"))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidSpeciesCode")
          .withArgs(code);
      });
    }

    it("accepts the boundary letters A and Z", async () => {
      const { registry } = world;
      await registry.listSpecies(speciesCode("AZA"), "boundary");
      expect(await registry.isSpeciesListed(speciesCode("AZA"))).to.equal(true);
    });

    it("reverts with RegistrySpeciesAlreadyListed for a listed code", async () => {
      const { registry } = world;
      await expect(registry.listSpecies(COD, "Cod again"))
        .to.be.revertedWithCustomError(registry, "RegistrySpeciesAlreadyListed")
        .withArgs(COD);
      expect(await registry.speciesName(COD)).to.equal("Atlantic cod");
    });

    it("reverts with AccessControlUnauthorizedAccount for a caller without DEFAULT_ADMIN_ROLE", async () => {
      const { registry, cast } = world;
      await expect(registry.connect(cast.regulator).listSpecies(POK, "Saithe"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(cast.regulator.address, ADMIN);
    });
  });

  describe("delistSpecies", () => {
    it("delists a code, emits SpeciesDelisted and lets it be listed again", async () => {
      const { registry } = world;
      await expect(registry.delistSpecies(HAD)).to.emit(registry, "SpeciesDelisted").withArgs(HAD);
      expect(await registry.isSpeciesListed(HAD)).to.equal(false);
      expect(await registry.speciesName(HAD)).to.equal("");
      await registry.listSpecies(HAD, "Melanogrammus aeglefinus");
      expect(await registry.speciesName(HAD)).to.equal("Melanogrammus aeglefinus");
    });

    it("reverts with RegistrySpeciesNotListed for a code that is not listed", async () => {
      const { registry } = world;
      await expect(registry.delistSpecies(POK))
        .to.be.revertedWithCustomError(registry, "RegistrySpeciesNotListed")
        .withArgs(POK);
    });

    it("reverts with AccessControlUnauthorizedAccount for a caller without DEFAULT_ADMIN_ROLE", async () => {
      const { registry, cast } = world;
      await expect(registry.connect(cast.supplier1).delistSpecies(COD))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(cast.supplier1.address, ADMIN);
    });
  });

  describe("views", () => {
    it("authorization returns id 0 and no roles for an account never registered", async () => {
      const auth = await world.registry.authorization(world.cast.outsider);
      expect([auth.id, auth.roles, auth.operatorId]).to.deep.equal([0n, 0n, 0n]);
    });

    it("accountOf returns the zero address for an id not assigned", async () => {
      const { registry } = world;
      expect(await registry.accountOf(0)).to.equal(ZeroAddress);
      expect(await registry.accountOf((await registry.participantCount()) + 1n)).to.equal(ZeroAddress);
    });

    it("assigns participant ids 1 … participantCount, one per account, in order of enrolment", async () => {
      const { registry, cast, ids } = world;
      const count = await registry.participantCount();
      const accounts = [];
      for (let i = 1n; i <= count; i++) accounts.push(await registry.accountOf(i));
      const enrolled = [
        cast.admin,
        cast.harvester1,
        cast.harvester2,
        cast.supplier1,
        cast.supplier2,
        cast.regulator,
        cast.gateway,
        cast.qat,
        cast.manufacturer1,
        cast.manufacturer2,
        cast.distributor1,
        cast.distributor2,
        cast.retailer1,
        cast.retailer2,
        cast.customer1,
        cast.customer2,
        cast.relayer,
      ];
      expect(accounts).to.deep.equal(enrolled.map((s) => s.address));
      expect(ids.outsider).to.equal(0n);
    });

    it("profileOf returns empty strings for an account without a profile", async () => {
      expect(await world.registry.profileOf(world.cast.outsider)).to.deep.equal(["", ""]);
    });
  });

  describe("AccessControl surface", () => {
    it("hasRole is false for a role outside FishTrace's eleven", async () => {
      expect(await world.registry.hasRole(NOT_A_ROLE, world.cast.admin)).to.equal(false);
    });

    it("grantRole by the admin grants, emits RoleGranted and pushes to the stage", async () => {
      const { registry, harvester, cast, ids } = world;
      const tx = registry.grantRole(SUPPLIER, cast.harvester2);
      await expect(tx).to.emit(registry, "RoleGranted").withArgs(SUPPLIER, cast.harvester2.address, cast.admin.address);
      await expect(tx)
        .to.emit(harvester, "AuthorizationSynced")
        .withArgs(cast.harvester2.address, ids.harvester2, roleBit("HARVESTER") | roleBit("SUPPLIER"), 0n);
    });

    it("grantRole of a role already held changes nothing and emits nothing", async () => {
      const { registry, harvester, cast } = world;
      const tx = registry.grantRole(HARVESTER, cast.harvester1);
      await expect(tx).not.to.emit(registry, "RoleGranted");
      await expect(tx).not.to.emit(harvester, "AuthorizationSynced");
    });

    it("grantRole enrols an account never seen before", async () => {
      const { registry } = world;
      const account = Wallet.createRandom().address;
      const nextId = (await registry.participantCount()) + 1n;
      await expect(registry.grantRole(roleId("RELAYER"), account))
        .to.emit(registry, "ParticipantEnrolled")
        .withArgs(nextId, account);
    });

    it("grantRole reverts with RegistryUnknownRole for a role outside FishTrace's eleven", async () => {
      const { registry, cast } = world;
      await expect(registry.grantRole(NOT_A_ROLE, cast.outsider))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownRole")
        .withArgs(NOT_A_ROLE);
    });

    it("grantRole reverts with AccessControlUnauthorizedAccount for a caller without the role's admin role", async () => {
      const { registry, cast } = world;
      await expect(registry.connect(cast.harvester1).grantRole(HARVESTER, cast.outsider))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(cast.harvester1.address, ADMIN);
    });

    it("revokeRole revokes one role, emits RoleRevoked and pushes to the stage", async () => {
      const { registry, harvester, cast, ids } = world;
      await registry.grantRole(SUPPLIER, cast.harvester1);
      const tx = registry.revokeRole(HARVESTER, cast.harvester1);
      await expect(tx)
        .to.emit(registry, "RoleRevoked")
        .withArgs(HARVESTER, cast.harvester1.address, cast.admin.address);
      await expect(tx)
        .to.emit(harvester, "AuthorizationSynced")
        .withArgs(cast.harvester1.address, ids.harvester1, roleBit("SUPPLIER"), 0n);
      expect(await registry.hasRole(SUPPLIER, cast.harvester1)).to.equal(true);
    });

    it("revokeRole of a role not held changes nothing and emits nothing", async () => {
      const { registry, cast } = world;
      await expect(registry.revokeRole(SUPPLIER, cast.harvester1)).not.to.emit(registry, "RoleRevoked");
    });

    it("revokeRole reverts with RegistryUnknownRole for a role outside FishTrace's eleven", async () => {
      const { registry, cast } = world;
      await expect(registry.revokeRole(NOT_A_ROLE, cast.harvester1))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownRole")
        .withArgs(NOT_A_ROLE);
    });

    it("revokeRole reverts with AccessControlUnauthorizedAccount for a caller without the role's admin role", async () => {
      const { registry, cast } = world;
      await expect(registry.connect(cast.harvester2).revokeRole(HARVESTER, cast.harvester1))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(cast.harvester2.address, ADMIN);
    });

    it("renounceRole lets an account give up its own role", async () => {
      const { registry, cast } = world;
      await expect(registry.connect(cast.supplier2).renounceRole(SUPPLIER, cast.supplier2))
        .to.emit(registry, "RoleRevoked")
        .withArgs(SUPPLIER, cast.supplier2.address, cast.supplier2.address);
      expect(await registry.hasRole(SUPPLIER, cast.supplier2)).to.equal(false);
    });

    it("renounceRole reverts with AccessControlBadConfirmation for another account", async () => {
      const { registry, cast } = world;
      await expect(
        registry.connect(cast.supplier2).renounceRole(SUPPLIER, cast.supplier1),
      ).to.be.revertedWithCustomError(registry, "AccessControlBadConfirmation");
      expect(await registry.hasRole(SUPPLIER, cast.supplier1)).to.equal(true);
    });

    it("getRoleAdmin is DEFAULT_ADMIN_ROLE for every role, and RoleAdminChanged was never emitted", async () => {
      const { registry } = world;
      for (const name of ROLE_NAMES) expect(await registry.getRoleAdmin(roleId(name))).to.equal(ZeroHash);
      const changes = await registry.queryFilter(registry.filters.RoleAdminChanged(), 0);
      expect(changes).to.deep.equal([]);
    });

    it("supportsInterface answers true for IAccessControl and IERC165 and false otherwise", async () => {
      const { registry } = world;
      const selectorXor = (signatures: string[]) => {
        const iface = new Interface(signatures.map((s) => `function ${s}`));
        let x = 0n;
        iface.forEachFunction((f) => (x ^= BigInt(f.selector)));
        return zeroPadValue(toBeHex(x), 4);
      };
      const accessControl = selectorXor([
        "hasRole(bytes32,address)",
        "getRoleAdmin(bytes32)",
        "grantRole(bytes32,address)",
        "revokeRole(bytes32,address)",
        "renounceRole(bytes32,address)",
      ]);
      const erc165 = selectorXor(["supportsInterface(bytes4)"]);
      expect(await registry.supportsInterface(accessControl)).to.equal(true);
      expect(await registry.supportsInterface(erc165)).to.equal(true);
      expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
      expect(await registry.supportsInterface(dataSlice(id("attachStage(address)"), 0, 4))).to.equal(false);
    });
  });
});

describe("RegistryReplica (through the Harvester)", () => {
  let world: World;

  beforeEach(async () => {
    world = await networkHelpers.loadFixture(worldFixture);
  });

  it("syncAuthorization reverts with ReplicaCallerNotRegistry for any caller but the registry", async () => {
    const { harvester, cast } = world;
    for (const caller of [cast.admin, cast.harvester1, cast.outsider]) {
      await expect(
        harvester.connect(caller).syncAuthorization(caller, {
          id: 99,
          roles: roleBit("HARVESTER"),
          operatorId: 0,
          operator: ethers.ZeroAddress,
        }),
      )
        .to.be.revertedWithCustomError(harvester, "ReplicaCallerNotRegistry")
        .withArgs(caller.address);
    }
  });

  it("syncAuthorization from the registry stores the pushed authorization and emits AuthorizationSynced", async () => {
    const { registry, harvester, cast } = world;
    const registryAddress = await registry.getAddress();
    await networkHelpers.impersonateAccount(registryAddress);
    await networkHelpers.setBalance(registryAddress, ethers.parseEther("1"));
    const asRegistry = await ethers.getSigner(registryAddress);
    const pushed = { id: 4242, roles: roleBit("HARVESTER"), operatorId: 0, operator: ethers.ZeroAddress };
    await expect(harvester.connect(asRegistry).syncAuthorization(cast.outsider, pushed))
      .to.emit(harvester, "AuthorizationSynced")
      .withArgs(cast.outsider.address, pushed.id, pushed.roles, pushed.operatorId);
    await networkHelpers.stopImpersonatingAccount(registryAddress);
    // The harvester now trusts its replica: the outsider registers under the pushed id.
    await expect(harvester.connect(cast.outsider).registerFish(await aCatch()))
      .to.emit(harvester, "FishRegistered")
      .withArgs(1n, pushed.id, anyValue);
    expect((await harvester.getLot(1n)).custodianId).to.equal(BigInt(pushed.id));
  });

  it("recognises an account registered before the stage was attached by asking the registry", async () => {
    const { registry, harvester } = await bareSystem();
    const cast = await castOf();
    await registry.registerParticipant(cast.harvester1, HARVESTER, "FV Nordkapp", "7080003000012");
    await registry.listSpecies(COD, "Atlantic cod");
    await registry.attachStage(harvester);
    const id1 = (await registry.authorization(cast.harvester1)).id;
    await expect(harvester.connect(cast.harvester1).registerFish(await aCatch()))
      .to.emit(harvester, "FishRegistered")
      .withArgs(1n, id1, anyValue);
  });

  it("honours a revocation made after the stage was attached for an account registered before", async () => {
    const { registry, harvester } = await bareSystem();
    const cast = await castOf();
    await registry.registerParticipant(cast.harvester1, HARVESTER, "FV Nordkapp", "7080003000012");
    await registry.listSpecies(COD, "Atlantic cod");
    await registry.attachStage(harvester);
    await registry.revokeParticipant(cast.harvester1);
    await expect(harvester.connect(cast.harvester1).registerFish(await aCatch()))
      .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
      .withArgs(cast.harvester1.address, roleBit("HARVESTER"));
  });

  it("pushes nothing to a stage that is not attached", async () => {
    const { registry, harvester } = await bareSystem();
    const cast = await castOf();
    await expect(registry.registerParticipant(cast.harvester1, HARVESTER, "FV Nordkapp", "x")).not.to.emit(
      harvester,
      "AuthorizationSynced",
    );
  });
});
