/**
 * The relay's side of an OpenZeppelin `ERC2771Forwarder`: its nonce of a signer, a forwarded call simulated as the
 * target will see it (ERC-2771: the signer appended to the calldata, sent by the forwarder), and the
 * `executeBatch` calldata that carries a batch of stored actions, refunding to the relay's account.
 */
import { Interface, concat, isError, type Provider } from "ethers";

import { FORWARDER_ABI } from "../../core/forward-request.js";
import type { ActionRow } from "./actions.js";

const FORWARDER = new Interface([
  ...FORWARDER_ABI,
  "function executeBatch((address from, address to, uint256 value, uint256 gas, uint48 deadline, bytes data, " +
    "bytes signature)[] requests, address refundReceiver) payable",
]);

/** The forwarder's next nonce for `signer`. */
export async function forwarderNonce(provider: Provider, forwarder: string, signer: string): Promise<bigint> {
  const answer = await provider.call({ to: forwarder, data: FORWARDER.encodeFunctionData("nonces", [signer]) });
  const [nonce] = FORWARDER.decodeFunctionResult("nonces", answer);
  if (typeof nonce !== "bigint") throw new Error("the forwarder's nonces() answered no number");
  return nonce;
}

/**
 * Runs the call as the forwarder will make it, against the chain's latest state: resolves when it would succeed,
 * rejects with the revert (`reverted: true`) or with the node's failure (`reverted: false`).
 */
export async function simulateForwarded(
  provider: Provider,
  forwarder: string,
  request: { from: string; to: string; gas: bigint; data: string },
): Promise<{ reverted: false } | { reverted: true; error: unknown }> {
  try {
    await provider.call({
      from: forwarder,
      to: request.to,
      data: concat([request.data, request.from]),
      gasLimit: request.gas,
    });
    return { reverted: false };
  } catch (err) {
    if (isError(err, "CALL_EXCEPTION")) return { reverted: true, error: err };
    throw err;
  }
}

/** The `executeBatch` calldata of stored actions (value 0: the relay sponsors gas, never ETH). */
export function executeBatchData(actions: readonly ActionRow[], refundReceiver: string): string {
  return FORWARDER.encodeFunctionData("executeBatch", [
    actions.map((a) => ({
      from: a.signer,
      to: a.target,
      value: 0n,
      gas: BigInt(a.gas),
      deadline: a.deadline,
      data: a.data,
      signature: a.signature,
    })),
    refundReceiver,
  ]);
}
