/**
 * What `POST /v1/actions` checks before a sponsored action is stored: the signed `ForwardRequest` itself
 * (src/core/forward-request.ts: fields and EIP-712 signature), no value, a deadline neither passed nor too close, a
 * target among the deployment's contracts, gas under the cap, a nonce the forwarder has not used (and not far
 * ahead of it), a signer the registry knows with a role, and a simulation of the call as the forwarder will make
 * it (a revert is answered 422 with the project's reading of it). Every refusal is an `ActionRefusal`: an HTTP
 * status, a metrics reason and one line.
 */
import { TypedDataEncoder, getAddress, type Provider } from "ethers";

import { describeError } from "../../core/errors.js";
import {
  FORWARD_REQUEST_TYPES,
  MAX_FORWARD_DEADLINE_S,
  forwarderDomain,
  readSignedRequest,
  type ForwarderDomain,
} from "../../core/forward-request.js";
import type { NewAction } from "./actions.js";
import { RETRY_AFTER_SECONDS, withTimeout, type DeviceDirectory } from "./devices.js";
import { forwarderNonce, simulateForwarded } from "./forwarder.js";
import type { ActionRejectReason } from "./metrics.js";

/** A sponsored action refused: `status` is the HTTP answer, `reason` the metrics label. */
export class ActionRefusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: ActionRejectReason,
    message: string,
  ) {
    super(message);
  }
}

/** How far ahead of the forwarder's nonce a request may be (the ones between are still to come). */
export const MAX_NONCE_AHEAD = 1_000;

/** How long before its deadline a request must arrive (it must still be sent and mined). */
export const MIN_DEADLINE_MARGIN_S = 60;

export interface ActionIntake {
  provider: Provider;
  domain: ForwarderDomain;
  /** The contracts a sponsored call may go to (checksummed). */
  targets: ReadonlySet<string>;
  maxGas: bigint;
  devices: DeviceDirectory;
  /** How long a question to the node may take before the request is answered 503. */
  waitMs: number;
  /** The stored action of this id (a request sent again), if any. */
  known(id: string): Promise<boolean>;
}

/**
 * The request `body` checked; the row to store, received at `now` (ms, the relay's clock). Its deadline is checked
 * against `chainNow` (ms, the chain's clock: the demo's and test networks' run ahead of the wall clock).
 */
export async function actionIntake(
  body: unknown,
  o: ActionIntake,
  now = Date.now(),
  chainNow = now,
): Promise<NewAction> {
  let signed;
  try {
    signed = readSignedRequest(body, o.domain);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ActionRefusal(400, message.startsWith("signature") ? "bad_signature" : "malformed", message);
  }
  const { request } = signed;
  const id = TypedDataEncoder.hash(forwarderDomain(o.domain), FORWARD_REQUEST_TYPES, request);
  const row: NewAction = {
    id,
    signer: request.from,
    nonce: Number(request.nonce),
    target: request.to,
    gas: Number(request.gas),
    deadline: request.deadline,
    data: request.data,
    signature: signed.signature,
    receivedAt: now,
  };
  // The same request again (even once it is on chain; the id is the hash of all its fields): the store answers
  // its id, nothing is checked or counted twice.
  if (await o.known(id)) return row;
  if (request.value !== 0n) {
    throw new ActionRefusal(400, "malformed", `value is ${request.value} wei; the relay sponsors gas, never ETH`);
  }
  // Deadlines against the chain's clock (the forwarder checks them against the block's time).
  const nowS = Math.floor(chainNow / 1000);
  if (request.deadline <= nowS) {
    throw new ActionRefusal(400, "expired", `the deadline ${iso(request.deadline)} has passed`);
  }
  if (request.deadline < nowS + MIN_DEADLINE_MARGIN_S) {
    throw new ActionRefusal(
      400,
      "expired",
      `the deadline ${iso(request.deadline)} is too close (less than ${MIN_DEADLINE_MARGIN_S} s to send it)`,
    );
  }
  if (request.deadline > nowS + MAX_FORWARD_DEADLINE_S + MIN_DEADLINE_MARGIN_S) {
    throw new ActionRefusal(400, "malformed", `the deadline ${iso(request.deadline)} is more than 30 days away`);
  }
  if (!o.targets.has(getAddress(request.to))) {
    throw new ActionRefusal(400, "wrong_target", `to ${request.to} is not one of this deployment's contracts`);
  }
  if (request.gas === 0n || request.gas > o.maxGas) {
    throw new ActionRefusal(400, "gas_cap", `gas ${request.gas} is not within 1..${o.maxGas}`);
  }
  const onChain = await ask(() => forwarderNonce(o.provider, o.domain.forwarder, request.from), o.waitMs, "nonces");
  if (request.nonce < onChain) {
    throw new ActionRefusal(
      409,
      "nonce_used",
      `nonce ${request.nonce} of ${request.from} is used on chain already (its next is ${onChain})`,
    );
  }
  if (request.nonce > onChain + BigInt(MAX_NONCE_AHEAD)) {
    throw new ActionRefusal(
      409,
      "nonce_used",
      `nonce ${request.nonce} of ${request.from} is more than ${MAX_NONCE_AHEAD} ahead of its next, ${onChain}`,
    );
  }
  const { roles } = await o.devices.lookup(request.from);
  if (roles === 0) {
    throw new ActionRefusal(403, "not_participant", `${request.from} is not a registered participant with a role`);
  }
  const simulated = await ask(
    () => simulateForwarded(o.provider, o.domain.forwarder, request),
    o.waitMs,
    "the simulation",
  );
  if (simulated.reverted) {
    throw new ActionRefusal(422, "simulation_failed", `the call would fail: ${describeError(simulated.error)}`);
  }
  return row;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** The node's answer, or a 503 naming what could not be checked. */
async function ask<T>(call: () => Promise<T>, waitMs: number, what: string): Promise<T> {
  try {
    return await withTimeout(call(), waitMs, what);
  } catch (err) {
    throw new ActionRefusal(
      503,
      "node_unavailable",
      `the relay cannot check ${what} now (${describeError(err)}); try again in ${RETRY_AFTER_SECONDS} s`,
    );
  }
}
