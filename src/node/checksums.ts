/**
 * Checksummed addresses (EIP-55), remembered: a checksum costs two keccak hashes, and the relay checks the same
 * devices' and sensors' addresses thousands of times a second.
 */
import { getAddress, isAddress } from "ethers";

const known = new Map<string, string>();
const MAX_KNOWN = 10_000;

/** `text` checksummed, or undefined when it is not an address (0x and 40 hex digits, a right checksum if mixed). */
export function checksummed(text: string): string | undefined {
  const hit = known.get(text);
  if (hit !== undefined) return hit;
  if (!isAddress(text)) return undefined;
  const address = getAddress(text);
  if (known.size >= MAX_KNOWN) known.clear();
  known.set(text, address);
  return address;
}
