/**
 * The chain's "now" for the deadlines of sponsored actions: the forwarder compares a request's deadline with the
 * block it is mined in, whose time is the later of the last block's and the wall clock's (a chain whose time was
 * moved ahead — the demo's, a test network's — is ahead of the wall clock; an idle one is behind it until its next
 * block).
 */
import type { Provider } from "ethers";

/** Seconds since 1970 on the chain's clock, as the next block will see it. */
export async function chainNowSeconds(provider: Provider): Promise<number> {
  const block = await provider.getBlock("latest");
  return Math.max(block?.timestamp ?? 0, Math.floor(Date.now() / 1000));
}
