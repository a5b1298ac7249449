/**
 * Anchoring the capture batches' Merkle roots on chain with the Registry's document anchoring
 * (`Registry.anchorDocuments(bytes32[])`, callable by any registered participant; read back with
 * `documentAnchoredAt(by, digest)`, the block time) — no contract of its own. The server's signer anchors the roots
 * not anchored yet, oldest first, up to `PER_TRANSACTION` per transaction; a root found anchored already by the
 * signer (a crash between mining and recording) is recorded without a transaction. A failure (the node away, the
 * signer not a participant) is logged and tried again after `RETRY_MS`.
 */
import type { Registry } from "../../../typechain-types/index.js";
import type { Sql } from "../../index/db.js";
import { mined } from "../../node/tx.js";
import { markRootsAnchored, unanchoredRoots } from "./capture-store.js";
import type { ChainView } from "./proof.js";
import { SerialWork } from "./serial.js";

/** Roots per `anchorDocuments` transaction (about 25,000 gas each). */
export const PER_TRANSACTION = 200;
/** How long after a failed anchoring it is tried again. */
export const RETRY_MS = 10_000;

/** The chain the roots are anchored on: the Registry (connected to the signer), its address and the chain id. */
export interface AnchorChain extends ChainView {
  registry: Registry;
  /** The signer's address: who anchors. */
  signer: string;
}

/** Anchors the capture batches' roots in the background, one round at a time. */
export class CaptureAnchorer {
  private readonly rounds = new SerialWork(
    async (stopped) => {
      while (!stopped() && (await this.anchorSome()) > 0);
    },
    "EPCIS capture anchoring",
    RETRY_MS,
  );

  constructor(
    private readonly sql: Sql,
    readonly chain: AnchorChain,
  ) {}

  /** Anchors what is pending (again, when called while it works). */
  kick(): void {
    this.rounds.kick();
  }

  /** Resolves when no anchoring is under way. */
  async idle(): Promise<void> {
    await this.rounds.idle();
  }

  async close(): Promise<void> {
    await this.rounds.close();
  }

  /** Anchors up to PER_TRANSACTION pending roots; how many were pending. */
  private async anchorSome(): Promise<number> {
    const { registry, signer } = this.chain;
    const roots = await unanchoredRoots(this.sql, PER_TRANSACTION);
    const fresh: string[] = [];
    for (const root of roots) {
      if ((await registry.documentAnchoredAt(signer, root)) === 0n) fresh.push(root);
      else await markRootsAnchored(this.sql, [root], signer, null);
    }
    if (fresh.length > 0) {
      const receipt = await mined(registry.anchorDocuments(fresh));
      await markRootsAnchored(this.sql, fresh, signer, receipt.hash);
    }
    return roots.length;
  }
}
