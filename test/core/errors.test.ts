import { expect } from "chai";
import { ZeroAddress, ZeroHash, id } from "ethers";

import { decodeCustomError, describeError } from "../../src/core/errors.js";
import { roleId } from "../../src/core/roles.js";
import { InputError } from "../../src/core/input-error.js";
import { speciesCode } from "../../src/core/units.js";
import { Harvester__factory } from "../../typechain-types/index.js";
import {
  COD,
  RemovalReason,
  aCatch,
  marketFixture,
  networkHelpers,
  registerLot,
  time,
  worldFixture,
  type World,
} from "../helpers/fixtures.js";
import { OnReceive, deployParty } from "../helpers/party.js";

/** What `promise` rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return expect.fail("expected the call to revert");
}

const harvesterErrors = Harvester__factory.createInterface();

describe("src/errors", () => {
  describe("describeError of real reverts", () => {
    let world: World;

    beforeEach(async () => {
      world = await networkHelpers.loadFixture(worldFixture);
    });

    it("phrases a reverted transaction: StageUnauthorized names the account and the roles it lacks", async () => {
      const { harvester, cast } = world;
      const err = await rejection(harvester.connect(cast.supplier1).registerFish(await aCatch()));
      expect(describeError(err)).to.equal(
        `StageUnauthorized: account ${cast.supplier1.address} is not HARVESTER in the registry`,
      );
    });

    it("joins several required roles with 'or' (a static call)", async () => {
      const { harvester, cast } = world;
      const err = await rejection(harvester.connect(cast.regulator).confirmDelivery.staticCall(1n));
      expect(describeError(err)).to.equal(
        `StageUnauthorized: account ${cast.regulator.address} is not HARVESTER or SUPPLIER in the registry`,
      );
    });

    it("phrases a reverted view call", async () => {
      const err = await rejection(world.harvester.queryStatus(99n));
      expect(describeError(err)).to.equal("LotNotFound: lot 99 does not exist at this stage");
    });

    it("names lot statuses", async () => {
      const { harvester, cast } = world;
      const lotId = await registerLot(world, cast.harvester1);
      await harvester.connect(cast.harvester1).removeFish(lotId, RemovalReason.Lost);
      const err = await rejection(harvester.connect(cast.harvester1).removeFish(lotId, RemovalReason.Lost));
      expect(describeError(err)).to.equal(`LotInvalidStatus: lot ${lotId} is Removed, but this needs it Created`);
    });

    it("names custodians by participant id", async () => {
      const { harvester, cast, ids } = world;
      const lotId = await registerLot(world, cast.harvester1);
      const err = await rejection(harvester.connect(cast.harvester2).removeFish(lotId, RemovalReason.Lost));
      expect(describeError(err)).to.equal(
        `LotNotInCustody: lot ${lotId} is held by participant ${ids.harvester1}, not by the caller (participant ${ids.harvester2})`,
      );
    });

    it("shows positions in degrees", async () => {
      const { harvester, cast } = world;
      const err = await rejection(
        harvester.connect(cast.harvester1).registerFish(await aCatch({ latitude: 90_00001, longitude: -1 })),
      );
      expect(describeError(err)).to.equal("StageInvalidPosition: position (90.00001, -0.00001) is not on Earth");
    });

    it("shows times as ISO 8601 in UTC", async () => {
      const { harvester, cast } = world;
      const newYear2030 = Date.UTC(2030, 0, 1) / 1000;
      await time.setNextBlockTimestamp(newYear2030);
      const err = await rejection(
        harvester.connect(cast.harvester1).registerFish(await aCatch({ caughtAt: newYear2030 + 60 })),
      );
      expect(describeError(err)).to.equal(
        "StageTimeInFuture: time 2030-01-01T00:01:00.000Z is after the current block time 2030-01-01T00:00:00.000Z",
      );
    });

    it("shows species codes as text", async () => {
      const { harvester, cast } = world;
      const err = await rejection(
        harvester.connect(cast.harvester1).registerFish(await aCatch({ species: speciesCode("POK") })),
      );
      expect(describeError(err)).to.equal("StageSpeciesNotListed: species POK is not on the registry's species list");
    });

    it("phrases registry errors, with and without values", async () => {
      const { registry, cast } = world;
      const zero = await rejection(registry.registerParticipant(ZeroAddress, roleId("HARVESTER"), "x", "y"));
      expect(describeError(zero)).to.equal("RegistryZeroAccount: the zero address cannot take part");
      const unauthorized = await rejection(registry.connect(cast.harvester1).listSpecies(speciesCode("POK"), "Saithe"));
      expect(describeError(unauthorized)).to.equal(
        `AccessControlUnauthorizedAccount: account ${cast.harvester1.address} lacks role ${ZeroHash}`,
      );
      const renounce = await rejection(
        registry.connect(cast.harvester1).renounceRole(roleId("HARVESTER"), cast.harvester2),
      );
      expect(describeError(renounce)).to.equal(
        "AccessControlBadConfirmation: an account can renounce only its own roles",
      );
      const listed = await rejection(registry.listSpecies(COD, "again"));
      expect(describeError(listed)).to.equal("RegistrySpeciesAlreadyListed: species COD is listed already");
      const role = id("CAPTAIN");
      const unknown = await rejection(registry.grantRole(role, cast.outsider));
      expect(describeError(unknown)).to.equal(`RegistryUnknownRole: role ${role} is not a FishTrace role`);
    });

    it("falls back to the first line of the message for a revert without data", async () => {
      const { harvester, cast } = world;
      const lotId = await registerLot(world, cast.harvester1);
      const err = await rejection(harvester.connect(cast.harvester1).removeFish(lotId, 9));
      const line = describeError(err);
      expect(line).to.not.include("\n");
      expect(line).to.match(/revert/i);
    });

    it("finds the revert data through nested causes", async () => {
      const err = await rejection(world.harvester.queryStatus(7n));
      expect(describeError(new Error("lot query failed", { cause: err }))).to.equal(
        "LotNotFound: lot 7 does not exist at this stage",
      );
      expect(describeError({ error: { error: err } })).to.equal("LotNotFound: lot 7 does not exist at this stage");
    });

    // Regression: species values come from calldata, so they need not be UTF-8; `speciesText` used to throw inside
    // the phrase, and describeError with it. It now shows such a code as hex.
    it("regression: describeError does not throw on a real StageSpeciesNotListed revert whose species bytes are not UTF-8", async () => {
      const { harvester, cast } = world;
      const err = await rejection(
        harvester.connect(cast.harvester1).registerFish(await aCatch({ species: "0xffffff" })),
      );
      let line = "";
      expect(() => (line = describeError(err))).not.to.throw();
      expect(line).to.match(/^StageSpeciesNotListed: /);
    });
  });

  // Loaded directly, not after the world fixture, whose restore would discard the market snapshot.
  describe("describeError of real reverts in an order", () => {
    it("phrases order errors with order states and species", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { harvester, cast, orderId, shipmentNo, codLots, hadLot } = market;
      const mismatch = await rejection(
        harvester.connect(cast.harvester1).initiateShipment(orderId, shipmentNo, [codLots[0], hadLot]),
      );
      expect(describeError(mismatch)).to.equal(
        `OrderSpeciesMismatch: order ${orderId} is for COD, but lot ${hadLot} is HAD`,
      );
      const state = await rejection(harvester.connect(cast.harvester1).withdraw(orderId));
      expect(describeError(state)).to.equal(
        `OrderInvalidState: order ${orderId} is Ordered, but this needs it Acknowledged`,
      );
      const party = await rejection(harvester.connect(cast.supplier2).cancelOrder(orderId));
      expect(describeError(party)).to.equal(
        `OrderNotParty: account ${cast.supplier2.address} is not the party of order ${orderId} that may do this`,
      );
    });

    it("phrases the escrow's refusals of a contract payee (FailedCall, ReentrancyGuardReentrantCall)", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { registry, harvester, cast } = market;
      const party = await deployParty(cast.admin);
      await registry.registerParticipant(party, roleId("SUPPLIER"), "Party", "test");
      const t = market.terms;
      const target = await harvester.getAddress();
      const place = harvester.interface.encodeFunctionData("placeOrder", [
        t.seller.address,
        t.species,
        t.weightGrams,
        t.shipBy,
        t.ackWindow,
      ]);
      await party.execute(target, place, { value: t.price });
      const orderId = await harvester.orderCount();
      await harvester.connect(cast.harvester1).cancelOrder(orderId);
      const withdraw = harvester.interface.encodeFunctionData("withdraw", [orderId]);
      await party.setOnReceive(OnReceive.Refuse, target, "0x");
      expect(describeError(await rejection(party.execute(target, withdraw)))).to.equal(
        "FailedCall: the Ether transfer failed",
      );
      await party.setOnReceive(OnReceive.CallBack, target, withdraw);
      expect(describeError(await rejection(party.execute(target, withdraw)))).to.equal(
        "ReentrancyGuardReentrantCall: reentrant call refused",
      );
    });
  });

  describe("describeError of anything else", () => {
    it("returns an InputError's message as it is", () => {
      expect(describeError(new InputError('weight "heavy" is not a weight (e.g. 250kg, 1.2t, 900g)'))).to.equal(
        'weight "heavy" is not a weight (e.g. 250kg, 1.2t, 900g)',
      );
    });

    it("prefers reason, then shortMessage, then message, each cut to its first line", () => {
      expect(describeError({ reason: "r1\nr2", shortMessage: "s", message: "m" })).to.equal("r1");
      expect(describeError({ shortMessage: "s1\ns2", message: "m" })).to.equal("s1");
      expect(describeError(new Error("first line\nsecond line"))).to.equal("first line");
      expect(describeError({ reason: "", shortMessage: "", message: "only message" })).to.equal("only message");
    });

    it("ignores revert data that is no FishTrace error", () => {
      expect(describeError({ data: "0xdeadbeef0000", message: "execution reverted (unknown custom error)" })).to.equal(
        "execution reverted (unknown custom error)",
      );
      expect(describeError({ data: "0x08c379a0", message: "short data" })).to.equal("short data");
    });

    it("reads revert data from info.error.data, where JSON-RPC providers put it", () => {
      const data = harvesterErrors.encodeErrorResult("OrderNotFound", [12n]);
      expect(describeError({ info: { error: { data } }, message: "call failed" })).to.equal(
        "OrderNotFound: order 12 does not exist",
      );
    });

    it("stringifies values that are no objects, first line only", () => {
      expect(describeError("plain\ntext")).to.equal("plain");
      expect(describeError(42)).to.equal("42");
      expect(describeError(undefined)).to.equal("undefined");
      expect(describeError(null)).to.equal("null");
    });

    it("does not loop on a cyclic cause chain", () => {
      const a: { cause?: unknown; message: string } = { message: "a" };
      const b = { cause: a, message: "b" };
      a.cause = b;
      expect(describeError(a)).to.equal("a");
    });
  });

  describe("decodeCustomError", () => {
    it("decodes a FishTrace error with its values", () => {
      const data = harvesterErrors.encodeErrorResult("OrderUnderweight", [3n, 250_000n, 400_000n]);
      const decoded = decodeCustomError(data);
      expect(decoded?.name).to.equal("OrderUnderweight");
      expect([...(decoded?.args ?? [])]).to.deep.equal([3n, 250_000n, 400_000n]);
    });

    it("returns undefined for unknown selectors, truncated values and non-hex", () => {
      const truncated = harvesterErrors.encodeErrorResult("LotNotFound", [1n]).slice(0, 20);
      for (const data of ["0xdeadbeef", "0x", truncated, "not hex"])
        expect(decodeCustomError(data), data).to.equal(undefined);
    });
  });
});
