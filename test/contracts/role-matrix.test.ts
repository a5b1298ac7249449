/**
 * The role matrix, generated from the ABIs: every state-changing function of the Registry, of the six stage
 * contracts, of the quality ledger and of packing is called from an account holding only one role (each of the twelve) and from an outsider with none,
 * and every account that must not call it gets the gate's named error. What "must not" means is the policy table
 * below; a function the table does not know fails the suite, so a new function cannot be forgotten.
 *
 * The calls are static (eth_call): a gate reverts before any state is read, so arguments only need the right
 * types. Each of them is built from the ABI types.
 */
import { expect } from "chai";
import { Wallet, ZeroHash, type FunctionFragment, type Interface, type ParamType } from "ethers";

import { describeError } from "../../src/core/errors.js";
import { ACTOR_ROLES, ROLE_NAMES, roleBit, roleId, type RoleName } from "../../src/core/roles.js";
import {
  Customer__factory,
  Distributor__factory,
  Harvester__factory,
  Manufacturer__factory,
  Packing__factory,
  QualityLedger__factory,
  Registry__factory,
  Retailer__factory,
  Supplier__factory,
} from "../../typechain-types/index.js";
import { actorsAt, bookAt, order } from "../helpers/chain.js";
import { COD, deployWorld, ethers, networkHelpers, type World } from "../helpers/fixtures.js";

// ------------------------------------------------------------------ the policy table

/** Who may call a function. */
type Policy =
  /**
   * Holders of any of `roles` (checked through the stage's replica): others get StageUnauthorized(account, bits) (at
   * the Registry: AccessControlUnauthorizedAccount(account, role), one role), and
   * so do the `alsoDenied` callers, which hold one of the roles but not for this stage (a device whose operator holds
   * another stage's role).
   */
  | { kind: "roles"; roles: RoleName[]; alsoDenied?: Caller[] }
  /** The registry admin: AccessControlUnauthorizedAccount at the Registry, StageUnauthorized(account, 1) at a stage. */
  | { kind: "admin" }
  /** Only the registry contract itself: ReplicaCallerNotRegistry. */
  | { kind: "registry" }
  /** Only the previous stage contract: StageCallerNotPrevious. */
  | { kind: "previous" }
  /** Only a party of the order, whatever its roles (settling what is owed): OrderNotParty. */
  | { kind: "party" }
  /** Anyone, for itself only (AccessControl's renounceRole): AccessControlBadConfirmation for another account. */
  | { kind: "self" }
  /** Only the pending admin of a begun admin transfer (none in the matrix): AccessControlInvalidDefaultAdmin. */
  | { kind: "pendingAdmin" }
  /** Only the quality ledger contract: StageCallerNotLedger. */
  | { kind: "ledger" }
  /** Holders of SENSOR_GATEWAY, checked by the quality ledger: SensorGatewayUnauthorized(account). */
  | { kind: "gateway" }
  /** Anyone: what is checked is the device signature inside the arguments, not the caller (a relayer pays). */
  | { kind: "anyone" }
  /** A participant (an actor, a regulator or the admin), not a device: RegistryNotParticipant(account). */
  | { kind: "participant" }
  /** A holder of any of the six actor roles (read from the registry by packing): PackingUnauthorized(account). */
  | { kind: "actor" };

const PARTICIPANTS: readonly Caller[] = [...ACTOR_ROLES, "REGULATOR", "DEFAULT_ADMIN"];

const actor = (stage: number): RoleName => ACTOR_ROLES[stage - 1]!;

/** What every stage shares. */
function stagePolicy(stage: number): Record<string, Policy> {
  return {
    // A gateway acts at a stage only while its operator holds that stage's role (audit F5); the matrix's gateway is
    // operated by harvester1, so it passes the gate at the Harvester only.
    updateFish: {
      kind: "roles",
      roles: [actor(stage), "SENSOR_GATEWAY"],
      alsoDenied: stage === 1 ? [] : ["SENSOR_GATEWAY"],
    },
    removeFish: { kind: "roles", roles: [actor(stage)] },
    receiveLots: { kind: "previous" },
    forwardRecall: { kind: "previous" },
    recallLots: { kind: "roles", roles: ["REGULATOR"] },
    setNextStage: { kind: "admin" },
    setQualityLedger: { kind: "admin" },
    flagLot: { kind: "ledger" },
    syncAuthorization: { kind: "registry" },
    syncPause: { kind: "registry" },
    syncSpecies: { kind: "registry" },
  };
}

/** The order book of a selling stage: sellers hold the stage's actor role, buyers the next stage's. */
function orderBookPolicy(stage: number): Record<string, Policy> {
  const seller = actor(stage);
  const buyer = actor(stage + 1);
  return {
    placeOrder: { kind: "roles", roles: [buyer] },
    placeOrderWithPermit: { kind: "roles", roles: [buyer] },
    initiateShipment: { kind: "roles", roles: [seller] },
    confirmDelivery: { kind: "roles", roles: [seller, buyer] },
    acknowledge: { kind: "roles", roles: [buyer] },
    rejectDelivery: { kind: "roles", roles: [buyer] },
    cancelOrder: { kind: "party" },
    claimPayment: { kind: "party" },
    withdraw: { kind: "party" },
  };
}

const ADMIN: Policy = { kind: "admin" };

const POLICIES = {
  Registry: {
    attachStage: ADMIN,
    registerParticipant: ADMIN,
    registerDevice: ADMIN,
    revokeParticipant: ADMIN,
    listSpecies: ADMIN,
    delistSpecies: ADMIN,
    grantRole: ADMIN,
    revokeRole: ADMIN,
    renounceRole: { kind: "self" },
    beginDefaultAdminTransfer: ADMIN,
    cancelDefaultAdminTransfer: ADMIN,
    acceptDefaultAdminTransfer: { kind: "pendingAdmin" },
    changeDefaultAdminDelay: ADMIN,
    rollbackDefaultAdminDelay: ADMIN,
    pause: { kind: "roles", roles: ["PAUSER"] },
    unpause: { kind: "roles", roles: ["PAUSER"] },
    anchorDocuments: { kind: "participant" },
  },
  Harvester: {
    ...stagePolicy(1),
    ...orderBookPolicy(1),
    registerFish: { kind: "roles", roles: ["HARVESTER"] },
    registerFishBatch: { kind: "roles", roles: ["HARVESTER"] },
    transship: { kind: "roles", roles: ["HARVESTER"] },
  },
  Supplier: { ...stagePolicy(2), ...orderBookPolicy(2) },
  Manufacturer: {
    ...stagePolicy(3),
    ...orderBookPolicy(3),
    processLots: { kind: "roles", roles: ["MANUFACTURER"] },
    setCompanyPrefix: ADMIN,
    recallProducts: { kind: "roles", roles: ["REGULATOR"] },
  },
  Distributor: {
    ...stagePolicy(4),
    ...orderBookPolicy(4),
    dispatch: { kind: "roles", roles: ["DISTRIBUTOR"] },
    confirmArrival: { kind: "roles", roles: ["DISTRIBUTOR", "RETAILER"] },
  },
  Retailer: { ...stagePolicy(5), ...orderBookPolicy(5) },
  Customer: { ...stagePolicy(6), reportProblem: { kind: "roles", roles: ["CUSTOMER"] } },
  QualityLedger: {
    submitScan: { kind: "anyone" },
    submitScans: { kind: "anyone" },
    submitReceivingScan: { kind: "anyone" },
    anchorReadings: { kind: "gateway" },
    setFreshnessRule: ADMIN,
    syncAuthorization: { kind: "registry" },
    syncPause: { kind: "registry" },
    syncSpecies: { kind: "registry" },
  },
  Packing: {
    pack: { kind: "actor" },
    packUnits: { kind: "actor" },
    unpack: { kind: "actor" },
  },
} satisfies Record<string, Record<string, Policy>>;

type ContractName = keyof typeof POLICIES;

/** Each contract's ABI, where it is deployed, and its stage number (0 for the Registry). */
const CONTRACTS: Record<ContractName, { iface: Interface; address: (w: World) => string; stage: number }> = {
  Registry: { iface: Registry__factory.createInterface(), address: (w) => w.addresses.registry, stage: 0 },
  Harvester: { iface: Harvester__factory.createInterface(), address: (w) => w.addresses.harvester, stage: 1 },
  Supplier: { iface: Supplier__factory.createInterface(), address: (w) => w.addresses.supplier, stage: 2 },
  Manufacturer: {
    iface: Manufacturer__factory.createInterface(),
    address: (w) => w.addresses.manufacturer,
    stage: 3,
  },
  Distributor: { iface: Distributor__factory.createInterface(), address: (w) => w.addresses.distributor, stage: 4 },
  Retailer: { iface: Retailer__factory.createInterface(), address: (w) => w.addresses.retailer, stage: 5 },
  Customer: { iface: Customer__factory.createInterface(), address: (w) => w.addresses.customer, stage: 6 },
  QualityLedger: {
    iface: QualityLedger__factory.createInterface(),
    address: (w) => w.addresses.qualityLedger,
    stage: 0,
  },
  Packing: {
    iface: Packing__factory.createInterface(),
    address: (w) => {
      if (w.addresses.packing === undefined) throw new Error("the world has no packing contract");
      return w.addresses.packing;
    },
    stage: 0,
  },
};

/** The twelve roles and an account with none. */
type Caller = RoleName | "OUTSIDER";
const CALLERS: readonly Caller[] = [...ROLE_NAMES, "OUTSIDER"];

/** The callers a policy turns away. */
function deniedCallers(policy: Policy): Caller[] {
  switch (policy.kind) {
    case "roles":
      return CALLERS.filter(
        (c) => c === "OUTSIDER" || !policy.roles.includes(c) || (policy.alsoDenied ?? []).includes(c),
      );
    case "admin":
      return CALLERS.filter((c) => c !== "DEFAULT_ADMIN");
    case "gateway":
      return CALLERS.filter((c) => c !== "SENSOR_GATEWAY");
    case "anyone":
      return [];
    case "participant":
      return CALLERS.filter((c) => !PARTICIPANTS.includes(c));
    case "actor":
      return CALLERS.filter((c) => !ACTOR_ROLES.some((r) => r === c));
    default:
      return [...CALLERS];
  }
}

/** The callers a policy lets through its gate (what happens after the gate depends on the arguments). */
function allowedCallers(policy: Policy): Caller[] {
  if (policy.kind === "roles") return policy.roles.filter((r) => !(policy.alsoDenied ?? []).includes(r));
  if (policy.kind === "admin") return ["DEFAULT_ADMIN"];
  if (policy.kind === "gateway") return ["SENSOR_GATEWAY"];
  if (policy.kind === "anyone") return [...CALLERS];
  if (policy.kind === "participant") return [...PARTICIPANTS];
  if (policy.kind === "actor") return [...ACTOR_ROLES];
  return [];
}

/** The named error (and its arguments) the gate of `policy` reverts with for `account`. */
function gateError(contract: ContractName, policy: Policy, account: string): [string, unknown[]] {
  switch (policy.kind) {
    case "roles":
      // The registry's own role gates are AccessControl's (one role each).
      if (contract === "Registry") return ["AccessControlUnauthorizedAccount", [account, roleId(policy.roles[0]!)]];
      return ["StageUnauthorized", [account, policy.roles.reduce((bits, r) => bits | roleBit(r), 0)]];
    case "admin":
      if (contract === "Registry") return ["AccessControlUnauthorizedAccount", [account, ZeroHash]];
      if (contract === "QualityLedger") return ["QualityUnauthorized", [account]];
      return ["StageUnauthorized", [account, roleBit("DEFAULT_ADMIN")]];
    case "registry":
      return ["ReplicaCallerNotRegistry", [account]];
    case "previous":
      return ["StageCallerNotPrevious", [account]];
    case "party":
      return ["OrderNotParty", [ORDER_ID, account]];
    case "self":
      return ["AccessControlBadConfirmation", []];
    case "pendingAdmin":
      return ["AccessControlInvalidDefaultAdmin", [account]];
    case "ledger":
      return ["StageCallerNotLedger", [account]];
    case "gateway":
      return ["SensorGatewayUnauthorized", [account]];
    case "anyone":
      return ["(no gate)", []];
    case "participant":
      return ["RegistryNotParticipant", [account]];
    case "actor":
      return ["PackingUnauthorized", [account]];
  }
}

function describePolicy(policy: Policy): string {
  switch (policy.kind) {
    case "roles":
      return `only ${policy.roles.join(" or ")}`;
    case "admin":
      return "registry admin only";
    case "registry":
      return "the registry only";
    case "previous":
      return "the previous stage only";
    case "party":
      return "the order's parties only";
    case "self":
      return "each account for itself only";
    case "pendingAdmin":
      return "the pending admin of a begun transfer only";
    case "ledger":
      return "the quality ledger only";
    case "gateway":
      return "only SENSOR_GATEWAY";
    case "anyone":
      return "anyone (the device signature is what is checked)";
    case "participant":
      return "actors, regulators and the admin (no device)";
    case "actor":
      return "any actor (harvester … customer)";
  }
}

// ------------------------------------------------------------------ plausible arguments from the ABI types

/** The order every order book holds (cancelled), so that the party checks are reached. */
const ORDER_ID = 1n;

/** A value of `param`'s type that a real caller could send: small numbers, a participant's address, COD. */
function plausible(param: ParamType, someAccount: string): unknown {
  if (param.isArray()) return [plausible(param.arrayChildren, someAccount)];
  if (param.isTuple()) return param.components.map((c) => plausible(c, someAccount));
  const type = param.baseType;
  if (type === "address") return someAccount;
  if (type === "bool") return false;
  if (type === "string") return "FishTrace";
  if (type === "bytes") return "0x01";
  if (type === "bytes3") return COD;
  if (type === "bytes32") return roleId("HARVESTER");
  if (type.startsWith("bytes")) return "0x" + "01".repeat(Number(type.slice(5)));
  if (type.startsWith("uint") || type.startsWith("int")) return 1n;
  throw new Error(`no plausible value for ${param.format()}`);
}

/** The state-changing functions of `iface`. */
function stateChanging(iface: Interface): FunctionFragment[] {
  const functions: FunctionFragment[] = [];
  iface.forEachFunction((f) => {
    if (f.stateMutability === "nonpayable" || f.stateMutability === "payable") functions.push(f);
  });
  return functions;
}

// ------------------------------------------------------------------ the world of the matrix

interface MatrixWorld extends World {
  /** One account per role holding only that role (devices operated by harvester1), and one holding none. */
  accounts: Record<Caller, string>;
}

async function matrixFixture(): Promise<MatrixWorld> {
  const world = await deployWorld();
  const { registry, cast } = world;
  const accounts = {} as Record<Caller, string>;
  for (const caller of CALLERS) {
    // One admin at a time (AccessControlDefaultAdminRules): the deployer, which holds only that role, stands for it.
    const account = caller === "DEFAULT_ADMIN" ? cast.admin.address : Wallet.createRandom().address;
    if (caller === "DEFAULT_ADMIN") {
      // the admin since deployment
    } else if (caller === "QAT_DEVICE" || caller === "SENSOR_GATEWAY") {
      await registry.registerDevice(account, roleId(caller), cast.harvester1);
    } else if (caller !== "OUTSIDER") {
      await registry.registerParticipant(account, roleId(caller), `only ${caller}`, "test");
    }
    await networkHelpers.setBalance(account, ethers.parseEther("10"));
    accounts[caller] = account;
  }
  // Order 1 of every order book, between the cast's first seller and first buyer, cancelled by the seller.
  for (let n = 1; n <= 5; n++) {
    const [seller] = actorsAt(world, n);
    const [buyer] = actorsAt(world, n + 1);
    const orderId = await order(world, n, buyer, seller, { species: COD, weightGrams: 1 });
    if (orderId !== ORDER_ID) throw new Error(`expected order ${ORDER_ID}, got ${orderId}`);
    await bookAt(world, n).connect(seller).cancelOrder(orderId);
  }
  return { ...world, accounts };
}

// ------------------------------------------------------------------ the matrix

describe("role matrix (generated from the ABIs)", () => {
  let mx: MatrixWorld;
  let deniedCalls = 0;
  let allowedCalls = 0;
  let functionCount = 0;

  before(async () => {
    mx = await networkHelpers.loadFixture(matrixFixture);
  });

  after(() => {
    console.log(
      `      role matrix: ${deniedCalls} calls from accounts that must not call (each reverted with the named error) ` +
        `+ ${allowedCalls} calls from accounts that may (each passed the gate), over ${functionCount} ` +
        `state-changing functions of ${Object.keys(CONTRACTS).length} contracts`,
    );
  });

  it("gives every account only the role it stands for", async () => {
    for (const caller of CALLERS) {
      const { roles } = await mx.registry.authorization(mx.accounts[caller]);
      expect(roles, caller).to.equal(caller === "OUTSIDER" ? 0n : BigInt(roleBit(caller)));
    }
  });

  for (const [contract, { iface, address, stage }] of Object.entries(CONTRACTS) as [
    ContractName,
    (typeof CONTRACTS)[ContractName],
  ][]) {
    const policies: Record<string, Policy> = POLICIES[contract];
    const functions = stateChanging(iface);

    describe(contract, () => {
      it("has a policy for every state-changing function of its ABI, and none for a function it lacks", () => {
        const names = functions.map((f) => f.name);
        expect(new Set(names).size, "overloaded names").to.equal(names.length);
        expect(
          names.filter((name) => policies[name] === undefined),
          `state-changing functions of ${contract} without a policy: add them to POLICIES`,
        ).to.deep.equal([]);
        expect(
          Object.keys(policies).filter((name) => !names.includes(name)),
          `policies for functions ${contract} does not have`,
        ).to.deep.equal([]);
      });

      for (const fragment of functions) {
        const policy = policies[fragment.name];
        if (policy === undefined) continue; // the test above fails
        functionCount++;

        it(`${fragment.format("sighash")}: ${describePolicy(policy)}`, async () => {
          const to = address(mx);
          // Addresses name a participant of this stage (a plausible seller), at the Registry a harvester.
          const someAccount = actorsAt(mx, Math.max(stage, 1))[0].address;
          const data = iface.encodeFunctionData(
            fragment,
            fragment.inputs.map((p) => plausible(p, someAccount)),
          );
          const value = fragment.payable ? 1n : undefined;
          const errors = { interface: iface }; // what the matcher decodes the revert data with

          await Promise.all(
            deniedCallers(policy).map(async (caller) => {
              const from = mx.accounts[caller];
              const [name, args] = gateError(contract, policy, from);
              await expect(ethers.provider.call({ from, to, data, value }), `${caller} → ${fragment.name}`)
                .to.be.revertedWithCustomError(errors, name)
                .withArgs(...args);
            }),
          );
          deniedCalls += deniedCallers(policy).length;

          for (const caller of allowedCallers(policy)) {
            const from = mx.accounts[caller];
            const [name] = gateError(contract, policy, from);
            const outcome = await ethers.provider.call({ from, to, data, value }).then(
              () => "success",
              (err: unknown) => describeError(err),
            );
            const turnedAway = outcome.startsWith(`${name}:`) && outcome.includes(from);
            expect(turnedAway, `${caller} → ${fragment.name}: ${outcome}`).to.equal(false);
            allowedCalls++;
          }
        });
      }
    });
  }
});
