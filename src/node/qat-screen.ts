/**
 * The first look the tasks that submit signed QAT readings (`qat relay`, `qat receive`) take at each reading of a file,
 * before the chain's own checks: a reading the file repeats, one the ledger has accepted already, and one whose
 * signature does not recover to the device it names are set aside. One screen per file: it remembers what it saw, and
 * keeps the file's tally — readings found on chain already, and every reading refused, by the screen or by the task.
 */
import type { TypedDataDomain } from "ethers";

import { signerOf, type QatReading, type SignedReading } from "../core/qat.js";
import type { QualityLedger } from "../../typechain-types/index.js";

/** A reading not submitted: where it is in the file, and why. */
export interface ReadingRejection {
  where: string;
  device: string;
  readingId: bigint;
  reason: string;
}

/** What the screen made of a reading: to be checked further, on chain already, or refused (and why). */
type Screened = { kind: "new" } | { kind: "onChain" } | { kind: "refused"; reason: string };

/** The screen for the readings of one file, signed for the ledger of `domain`, and the file's tally. */
export class ReadingScreen {
  /** Readings the ledger had accepted already (a task adds those accepted by someone else since it looked). */
  alreadyOnChain = 0;
  /** Every reading refused, in the order the task met them. */
  readonly rejected: ReadingRejection[] = [];
  readonly #seen = new Map<string, string>();

  constructor(
    private readonly ledger: QualityLedger,
    private readonly domain: TypedDataDomain,
  ) {}

  /** Whether `signed` (at `where` in the file) is new and to be checked further; if not, it is counted or refused. */
  async admit(where: string, signed: SignedReading): Promise<boolean> {
    const screened = await this.#screen(where, signed);
    if (screened.kind === "onChain") this.alreadyOnChain++;
    else if (screened.kind === "refused") this.reject(where, signed.reading, screened.reason);
    return screened.kind === "new";
  }

  /** Refuses `reading` (at `where` in the file) for `reason`. */
  reject(where: string, reading: QatReading, reason: string): void {
    this.rejected.push({ where, device: reading.device, readingId: reading.readingId, reason });
  }

  /** The tally's lines of a task's summary: how many were on chain already, how many refused and why. */
  summaryLines(): string[] {
    return [
      `  already on chain  ${this.alreadyOnChain}`,
      `  rejected          ${this.rejected.length}`,
      ...this.rejected.map((r) => `    ${r.where} (device ${r.device}, reading ${r.readingId}): ${r.reason}`),
    ];
  }

  async #screen(where: string, { reading, signature }: SignedReading): Promise<Screened> {
    const key = `${reading.device}:${reading.readingId}`;
    const earlier = this.#seen.get(key);
    if (earlier !== undefined) return { kind: "refused", reason: `repeats ${earlier} (same device and reading id)` };
    this.#seen.set(key, where);
    if (await this.ledger.isAccepted(reading.device, reading.readingId)) return { kind: "onChain" };
    let recovered: string;
    try {
      recovered = signerOf(this.domain, reading, signature);
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
  }
}
