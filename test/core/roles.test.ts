import { expect } from "chai";
import { Wallet, ZeroHash } from "ethers";

import { ACTOR_ROLES, ROLE_NAMES, isRoleName, roleBit, roleId, rolesOf, type RoleName } from "../../src/core/roles.js";
import { aCatch, networkHelpers, worldFixture, type World } from "../helpers/fixtures.js";

const DEVICE_ROLES: readonly RoleName[] = ["QAT_DEVICE", "SENSOR_GATEWAY"];

describe("src/roles", () => {
  describe("pure", () => {
    it("names twelve distinct roles with one distinct bit each, in bit order", () => {
      expect(new Set(ROLE_NAMES).size).to.equal(12);
      const bits = ROLE_NAMES.map(roleBit);
      expect(bits).to.deep.equal(ROLE_NAMES.map((_, i) => 2 ** i));
    });

    it("gives DEFAULT_ADMIN the zero role id, as AccessControl does, and every other role a distinct id", () => {
      expect(roleId("DEFAULT_ADMIN")).to.equal(ZeroHash);
      expect(new Set(ROLE_NAMES.map(roleId)).size).to.equal(ROLE_NAMES.length);
    });

    it("rolesOf lists the roles whose bits are set, in bit order, from a number or a bigint", () => {
      expect(rolesOf(0)).to.deep.equal([]);
      expect(rolesOf(roleBit("SUPPLIER") | roleBit("HARVESTER"))).to.deep.equal(["HARVESTER", "SUPPLIER"]);
      expect(rolesOf(BigInt(roleBit("RELAYER") | roleBit("DEFAULT_ADMIN")))).to.deep.equal([
        "DEFAULT_ADMIN",
        "RELAYER",
      ]);
      expect(rolesOf(2 ** ROLE_NAMES.length - 1)).to.deep.equal([...ROLE_NAMES]);
    });

    it("rolesOf ignores bits beyond the twelve roles", () => {
      expect(rolesOf((2 ** 12) | (2 ** 15))).to.deep.equal([]);
    });

    it("rolesOf inverts roleBit", () => {
      for (const name of ROLE_NAMES) expect(rolesOf(roleBit(name))).to.deep.equal([name]);
    });

    it("isRoleName accepts exactly the twelve names", () => {
      for (const name of ROLE_NAMES) expect(isRoleName(name)).to.equal(true);
      for (const name of ["harvester", "CAPTAIN", "", "ADMIN", "DEFAULT_ADMIN_ROLE"])
        expect(isRoleName(name)).to.equal(false);
    });

    it("lists the six actors in supply-chain order, each an actor role bit 1 << stage", () => {
      expect([...ACTOR_ROLES]).to.deep.equal([
        "HARVESTER",
        "SUPPLIER",
        "MANUFACTURER",
        "DISTRIBUTOR",
        "RETAILER",
        "CUSTOMER",
      ]);
      ACTOR_ROLES.forEach((name, i) => expect(roleBit(name)).to.equal(1 << (i + 1)));
    });
  });

  describe("against the Registry and the Harvester", () => {
    let world: World;

    beforeEach(async () => {
      world = await networkHelpers.loadFixture(worldFixture);
    });

    it("roleId is the id the Registry knows and roleBit the bit it stores, for every role", async () => {
      const { registry, cast } = world;
      expect(await registry.DEFAULT_ADMIN_ROLE()).to.equal(roleId("DEFAULT_ADMIN"));
      for (const name of ROLE_NAMES) {
        // One admin at a time (AccessControlDefaultAdminRules): the deployer's own admin role is the one to check.
        const account = name === "DEFAULT_ADMIN" ? cast.admin.address : Wallet.createRandom().address;
        if (name === "DEFAULT_ADMIN") {
          // registered by the constructor
        } else if (DEVICE_ROLES.includes(name)) await registry.registerDevice(account, roleId(name), cast.harvester1);
        else await registry.registerParticipant(account, roleId(name), name, "test");
        expect(await registry.hasRole(roleId(name), account), name).to.equal(true);
        expect((await registry.authorization(account)).roles, name).to.equal(BigInt(roleBit(name)));
      }
    });

    it("the Harvester is stage 1 = the index of HARVESTER in ACTOR_ROLES + 1, and sells to the next actor", async () => {
      const { harvester, cast } = world;
      const stage = Number(await harvester.stage());
      expect(ACTOR_ROLES[stage - 1]).to.equal("HARVESTER");
      await expect(harvester.connect(cast.outsider).registerFish(await aCatch()))
        .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
        .withArgs(cast.outsider.address, roleBit(ACTOR_ROLES[stage - 1]!));
      await expect(harvester.connect(cast.outsider).acknowledge(1n, 1n, [1n]))
        .to.be.revertedWithCustomError(harvester, "StageUnauthorized")
        .withArgs(cast.outsider.address, roleBit(ACTOR_ROLES[stage]!));
    });
  });
});
