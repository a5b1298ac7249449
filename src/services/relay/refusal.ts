/**
 * A request the relay refuses: what intake (intake.ts) and the device directory (devices.ts) throw and the HTTP
 * face (http.ts) answers. A module of its own so that the directory and intake need not import each other.
 */
import type { RejectReason } from "./metrics.js";

/** A request refused: `status` is the HTTP answer, `reason` the metrics label. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: RejectReason,
    message: string,
    readonly readings = 1,
  ) {
    super(message);
  }
}
