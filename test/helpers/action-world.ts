/**
 * Sponsored actions for the relay's tests: OpenZeppelin's forwarder and a target that trusts it
 * (test/contracts/utils/Forwarding.sol, built by `npm run test:mocha`) deployed on a relay world's chain, signers
 * registered with a role, and requests signed as the offline app signs them (src/core/forward-request.ts).
 */
import { Contract, Wallet, id, type BaseContract } from "ethers";

import {
  FORWARD_REQUEST_TYPES,
  forwarderDomain,
  signedRequest,
  type ForwardRequest,
  type SignedForwardRequest,
} from "../../src/core/forward-request.js";
import { roleId } from "../../src/core/roles.js";
import { chainNow, type RelayWorld } from "./relay-world.js";

export interface ActionWorld {
  forwarder: string;
  target: Contract;
  targetAddress: string;
  /** Signers registered (QAT devices of the harvester: a role, no ETH). */
  signers: Wallet[];
}

/** Deploys the forwarder (EIP-712 name "FishTrace") and `targets` targets, registers `signerCount` signers. */
export async function actionWorld(world: RelayWorld, signerCount: number, seed = "actions"): Promise<ActionWorld> {
  const { ethers } = world.connection;
  const [admin, harvester] = await ethers.getSigners();
  if (admin === undefined || harvester === undefined) throw new Error("the test network has no accounts");
  const forwarder = await deploy(world, "TestForwarder", ["FishTrace"]);
  const forwarderAddress = await forwarder.getAddress();
  const target = await deploy(world, "ForwardedTarget", [forwarderAddress]);
  const signers = Array.from({ length: signerCount }, (_, i) => new Wallet(id(`FishTrace ${seed} signer ${i}`)));
  for (const signer of signers) {
    await (await world.fishTrace.registry.registerDevice(signer.address, roleId("QAT_DEVICE"), harvester)).wait();
  }
  const targetAddress = await target.getAddress();
  return {
    forwarder: forwarderAddress,
    target: new Contract(targetAddress, target.interface, admin),
    targetAddress,
    signers,
  };
}

/** Deploys test contract `name` from its artifact. */
export async function deploy(world: RelayWorld, name: string, args: unknown[]): Promise<BaseContract> {
  const factory = await world.connection.ethers.getContractFactory(name);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract;
}

/** `record(value)` on `target` by `signer` with forwarder nonce `nonce`, signed; `over` changes request fields. */
export async function signedAction(
  world: RelayWorld,
  actions: ActionWorld,
  signer: Wallet,
  nonce: number,
  value: number,
  over: Partial<ForwardRequest> = {},
): Promise<SignedForwardRequest> {
  const request: ForwardRequest = {
    from: signer.address,
    to: actions.targetAddress,
    value: 0n,
    gas: 100_000n,
    nonce: BigInt(nonce),
    deadline: Math.max(await chainNow(world), Math.floor(Date.now() / 1000)) + 3_600,
    data: actions.target.interface.encodeFunctionData("record", [value]),
    ...over,
  };
  const domain = forwarderDomain({ chainId: world.chainId, forwarder: actions.forwarder, name: "FishTrace" });
  return signedRequest(request, await signer.signTypedData(domain, FORWARD_REQUEST_TYPES, request));
}

/** The values `target` recorded for `sender`, as numbers. */
export async function recorded(actions: ActionWorld, sender: string, target = actions.target): Promise<number[]> {
  const values: unknown = await target.getFunction("valuesOf")(sender);
  if (!Array.isArray(values)) throw new Error("valuesOf answered no list");
  return values.map((v) => Number(v));
}
