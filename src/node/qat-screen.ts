/**
 * The first look the tasks that submit signed QAT readings (`qat relay`, `qat receive`) take at each reading of a file,
 * before the chain's own checks: a reading the file repeats, one the ledger has accepted already, and one whose
 * signature does not recover to the device it names are set aside. One screen per file: it remembers what it saw.
 */
import type { TypedDataDomain } from "ethers";

import { signerOf, type SignedReading } from "../core/qat.js";
import type { QualityLedger } from "../../typechain-types/index.js";

/** A reading not submitted: where it is in the file, and why. */
export interface ReadingRejection {
  where: string;
  device: string;
  readingId: bigint;
  reason: string;
}

/** What the screen made of a reading: to be checked further, on chain already, or refused (and why). */
export type Screened = { kind: "new" } | { kind: "onChain" } | { kind: "refused"; reason: string };

/** A screen for the readings of one file, signed for the ledger of `domain`. */
export function readingScreen(
  ledger: QualityLedger,
  domain: TypedDataDomain,
): (where: string, signed: SignedReading) => Promise<Screened> {
  const seen = new Map<string, string>();
  return async (where, { reading, signature }) => {
    const key = `${reading.device}:${reading.readingId}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) return { kind: "refused", reason: `repeats ${earlier} (same device and reading id)` };
    seen.set(key, where);
    if (await ledger.isAccepted(reading.device, reading.readingId)) return { kind: "onChain" };
    let recovered: string;
    try {
      recovered = signerOf(domain, reading, signature);
    } catch {
      return { kind: "refused", reason: "the signature is malformed" };
    }
    if (recovered !== reading.device) {
      return {
        kind: "refused",
        reason: `signed by ${recovered}, not by the device it names (altered, or signed for another ledger or chain)`,
      };
    }
    return { kind: "new" };
  };
}
