/**
 * A Hardhat plugin that sends a JSON-RPC read once more when the node dropped the connection under it.
 *
 * `hardhat node` (and most servers) close a keep-alive connection idle for five seconds. A process whose event loop
 * was held longer than the client's own keep-alive timer (PGlite writing a chunk of the index, a loaded machine) can
 * send its next request on the socket the server has just closed; the request fails with "Failed to make POST
 * request" although the node is up — README's story hit it at its indexer step. A read is safe to send again on a
 * new connection, so every read of every task, test and tool gets one more try. Writes (a transaction, a mined
 * block, a changed clock or balance) are never sent twice: they fail as before. A refused connection or a node's
 * error answer is passed on as it is.
 */
import type { HardhatPlugin } from "hardhat/types/plugins";

const DROPPED = /Failed to make POST request|other side closed|socket hang up|ECONNRESET/i;

/** Methods that change nothing on the node: `eth_get…`, and these. */
const READS = new Set([
  "eth_call",
  "eth_chainId",
  "eth_blockNumber",
  "eth_estimateGas",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_accounts",
  "eth_syncing",
  "net_version",
  "web3_clientVersion",
  "debug_traceTransaction",
  "debug_traceCall",
]);

/** Whether `method` only reads. */
export function isRead(method: string): boolean {
  return method.startsWith("eth_get") || READS.has(method);
}

/** Whether `err` (or an error it was caused by) is a connection dropped under a request, not an answer. */
export function isDroppedConnection(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 6; depth++) {
    if (DROPPED.test(e.message)) return true;
    if ("code" in e && e.code === "ECONNRESET") return true;
    e = e.cause;
  }
  return false;
}

export const readRetry: HardhatPlugin = {
  id: "fishtrace:read-retry",
  hookHandlers: {
    network: async () => ({
      default: async () => ({
        onRequest: async (context, connection, request, next) => {
          try {
            return await next(context, connection, request);
          } catch (err) {
            if (!isRead(request.method) || !isDroppedConnection(err)) throw err;
            return next(context, connection, request);
          }
        },
      }),
    }),
  },
};
