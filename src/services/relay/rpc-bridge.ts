/**
 * JSON-RPC across a thread boundary: the submitter's worker thread (submitter-worker.ts) talks to the chain through
 * the relay thread's provider when that provider is not a plain HTTP endpoint the worker could reach itself (an
 * in-process Hardhat network, an EIP-1193 wrapper in tests, Hardhat's own provider in the `relay` task). Only the
 * JSON-RPC payloads cross; encoding, signing, decoding receipts and mapping errors all stay in the worker.
 */
import type { MessagePort } from "node:worker_threads";

import { JsonRpcApiProvider, Network, type JsonRpcError, type JsonRpcPayload, type JsonRpcResult } from "ethers";

import { describeError } from "../../core/errors.js";

type Answer = Array<JsonRpcResult | JsonRpcError>;

/** A payload the worker sends (`id` pairs it with its answer). */
interface RpcRequest {
  id: number;
  payload: JsonRpcPayload | JsonRpcPayload[];
}

/** The answer: the provider's results, or the transport's failure as one line. */
type RpcAnswer = { id: number; result: Answer } | { id: number; error: string };

/** Relay side: answers each payload arriving on `port` through `provider` (its raw `_send`, errors included). */
export function serveRpc(port: MessagePort, provider: JsonRpcApiProvider): void {
  port.on("message", (request: RpcRequest) => {
    provider._send(request.payload).then(
      (result) => port.postMessage({ id: request.id, result } satisfies RpcAnswer),
      (err: unknown) => port.postMessage({ id: request.id, error: describeError(err) } satisfies RpcAnswer),
    );
  });
}

/** Worker side: a provider whose every request goes to `serveRpc` on the other end of `port`. */
export class BridgedProvider extends JsonRpcApiProvider {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (answer: Answer) => void; reject: (err: Error) => void }>();

  constructor(
    private readonly port: MessagePort,
    chainId: bigint,
  ) {
    super(chainId, { staticNetwork: Network.from(chainId), batchMaxCount: 1, batchStallTime: 0 });
    port.on("message", (answer: RpcAnswer) => {
      const waiter = this.waiting.get(answer.id);
      if (waiter === undefined) return;
      this.waiting.delete(answer.id);
      if ("error" in answer) waiter.reject(new Error(answer.error));
      else waiter.resolve(answer.result);
    });
  }

  _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<Answer> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.port.postMessage({ id, payload } satisfies RpcRequest);
    });
  }

  override destroy(): void {
    for (const waiter of this.waiting.values()) waiter.reject(new Error("the relay's RPC bridge is closed"));
    this.waiting.clear();
    this.port.close();
    super.destroy();
  }
}
