/**
 * A provider for long reads (the indexer's catch-up) that survives a node closing an idle keep-alive connection as a
 * request goes out on it. `hardhat node` and most servers close a connection idle for five seconds; a process whose
 * event loop was busy longer than that (PGlite writing a chunk of the index, on a loaded machine) can send its next
 * request on the socket the server has just closed, and the request fails with "Failed to make POST request" or
 * ECONNRESET although the node is up. Reads are safe to send again, once, on a new connection: that is all this
 * does. Anything else — a refused connection, a node's error answer — is passed on as it is.
 */
import type { Provider } from "ethers";

/** What the indexer reads with (an ethers `Provider` has it all). */
export type ReadProvider = Pick<Provider, "getBlockNumber" | "getBlock" | "getLogs" | "getNetwork" | "getCode">;

const DROPPED = /Failed to make POST request|other side closed|socket hang up|ECONNRESET/i;

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

/** `provider`'s reads, each sent once more when its connection was dropped under it. */
export function reconnecting(provider: ReadProvider): ReadProvider {
  const again = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      if (!isDroppedConnection(err)) throw err;
      return read();
    }
  };
  return {
    getBlockNumber: () => again(() => provider.getBlockNumber()),
    getBlock: (block, prefetchTxs) => again(() => provider.getBlock(block, prefetchTxs)),
    getLogs: (filter) => again(() => provider.getLogs(filter)),
    getNetwork: () => again(() => provider.getNetwork()),
    getCode: (address, blockTag) => again(() => provider.getCode(address, blockTag)),
  };
}
