/**
 * A catch registered at sea, signed on the phone as a ForwardRequest for `Harvester.registerFish` (the domain rules
 * of src/core/catch.ts and src/core/forward-request.ts): no network, no ETH. The request's deadline and the catch's
 * time are on the chain's clock, estimated from the offset kept the last time the phone was online.
 */
import type { Wallet } from "ethers";

import { Harvester__factory } from "@chain/index.js";
import { catchData, type CatchInput } from "@core/catch.js";
import {
  FORWARD_REQUEST_TYPES,
  SIGNED_DEADLINE_S,
  forwarderDomain,
  signedRequest,
  type SignedForwardRequest,
} from "@core/forward-request.js";
import { formatGrams } from "@core/units.js";

/** Gas the forwarder gives the call: a catch registration executes in about 45,000; the rest is headroom. */
export const CATCH_CALL_GAS = 120_000n;

export interface SigningContext {
  chainId: number;
  forwarder: string;
  forwarderName: string;
  harvester: string;
  /** The chain's clock minus the phone's (seconds), as last seen online. */
  clockOffset: number;
}

export interface SignedCatch {
  signed: SignedForwardRequest;
  summary: string;
}

/** Signs `input` as the key's `nonce`-th forwarded call. Throws one line naming a wrong field. */
export async function signCatch(
  wallet: Wallet,
  context: SigningContext,
  input: CatchInput,
  nonce: bigint,
): Promise<SignedCatch> {
  const data = catchData(input);
  const now = Math.floor(Date.now() / 1000) + context.clockOffset;
  const request = {
    from: wallet.address,
    to: context.harvester,
    value: 0n,
    gas: CATCH_CALL_GAS,
    nonce,
    deadline: now + SIGNED_DEADLINE_S,
    data: Harvester__factory.createInterface().encodeFunctionData("registerFish", [data]),
  };
  const domain = forwarderDomain({
    chainId: context.chainId,
    forwarder: context.forwarder,
    name: context.forwarderName,
  });
  const signature = await wallet.signTypedData(domain, FORWARD_REQUEST_TYPES, request);
  const caught = new Date(Number(data.caughtAt) * 1000).toISOString().slice(0, 16).replace("T", " ");
  const summary =
    `${input.species.trim().toUpperCase()}, ${formatGrams(BigInt(data.weightGrams))}, ` +
    `${String(input.latitude).trim()} ${String(input.longitude).trim()}, caught ${caught}`;
  return { signed: signedRequest(request, signature), summary };
}
