/**
 * Puts acknowledged readings on chain. Pending QAT readings become `submitScans` transactions (per stage, by count
 * or once the oldest has waited long enough); pending sensor readings of one (stage, lots) group become one
 * `anchorReadings` of their Merkle root. Each transaction is signed locally with the next nonce and written to the
 * store *before* it is broadcast, so after a crash the very same transaction is sent again and no reading is ever
 * signed into two. A reading is done only when a receipt says so; a batch whose transaction was lost or reverted
 * returns its readings to pending, and a reading that comes back is first checked against the chain (the ledger's
 * replay check) so one already there is marked done, not sent again.
 */
import {
  JsonRpcApiProvider,
  keccak256,
  type FeeData,
  type Provider,
  type TransactionReceipt,
  type TransactionRequest,
  type Wallet,
} from "ethers";

import { customErrorOf, describeError } from "../../core/errors.js";
import { sensorMerkle, summarize } from "../../core/sensors.js";
import { stageHolding, stageNumber } from "../../core/stages.js";
import type { FishTrace } from "../../node/system.js";
import { InputError } from "../../core/input-error.js";
import { forwardedLogs } from "../../core/forward-request.js";
import type { ActionOutcome, ActionRow } from "./actions.js";
import { executeBatchData, forwarderNonce } from "./forwarder.js";
import type { DeviceDirectory } from "./devices.js";
import { storedSigned } from "./intake.js";
import { chainNowSeconds } from "./chain-clock.js";
import type { ActionMetricOutcome, Flag } from "./metrics.js";
import type { BatchKind, BatchRow, Kind, Outcome, QatRow, SensorRow } from "./store.js";
import type { BridgedStore } from "./store-bridge.js";

/**
 * The store as the submitter sees it: the store's methods as promises (it runs in a worker thread; the statements
 * run in the store's thread: store-bridge.ts).
 */
export type SubmitterStore = BridgedStore;

export interface SubmitterOptions {
  /** Readings per `submitScans` transaction. */
  qatBatch: number;
  /** Readings per anchored root. */
  sensorBatch: number;
  /** A smaller batch is sent once its oldest reading has waited this long. */
  maxAgeMs: number;
  /** Transactions sent and not yet mined, at most. */
  maxInFlight: number;
  /** How often the loop looks for work and receipts. */
  pollMs: number;
  /** A transaction not mined after this long is broadcast again (doubling each time, up to 16×). */
  resendMs: number;
  /** A reading that went out in this many transactions without landing is refused. */
  maxAttempts: number;
  /** Sponsored actions per `executeBatch` transaction. */
  actionBatch: number;
}

/**
 * The metrics the submitter moves: `RelayMetrics` has them all; in the submitter's worker thread each call is
 * posted to the relay's thread and applied there (submitter-thread.ts), so /metrics serves them from one registry.
 */
export interface SubmitterMetrics {
  onChain: { inc(labels: { kind: Kind; outcome: Outcome }, value?: number): void };
  transactions: { inc(labels: { kind: BatchKind; outcome: "mined" | "reverted" | "resent" }, value?: number): void };
  gasUsed: { inc(labels: { kind: BatchKind }, value?: number): void };
  actions: { inc(labels: { outcome: ActionMetricOutcome }, value?: number): void };
  rpcErrors: { inc(labels: { operation: string }, value?: number): void };
  flags: { inc(labels: { flag: Flag }, value?: number): void };
  roundFailures: { inc(value?: number): void };
  batchSize: { observe(labels: { kind: BatchKind }, value: number): void };
  submission: { observe(labels: { kind: BatchKind }, value: number): void };
  lastBlock: { set(value: number): void };
}

export const DEFAULT_SUBMITTER: SubmitterOptions = {
  qatBatch: 100,
  sensorBatch: 2_048,
  maxAgeMs: 2_000,
  maxInFlight: 8,
  pollMs: 200,
  resendMs: 15_000,
  maxAttempts: 5,
  actionBatch: 20,
};

export interface Chain {
  provider: Provider;
  wallet: Wallet;
  fishTrace: FishTrace;
  chainId: bigint;
  /** The forwarder sponsored actions go through (none: the relay takes no actions). */
  forwarder?: string;
}

/**
 * Lets the HTTP side run between the submitter's synchronous steps (encoding, signing and settling a batch of 100
 * readings each hold the thread for 5–20 ms), so acknowledgements do not queue behind them.
 */
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

const TURNS: readonly BatchKind[] = ["qat", "sensor", "action"];
/** Signers whose queued actions one round looks at. */
const ACTION_SIGNERS = 64;
/** An action is not sent when its deadline is this close: it would expire before it is mined. */
const ACTION_DEADLINE_MARGIN_S = 15;

const LOT_STAGE_MS = 5_000;
const FEE_DATA_MS = 2_000;
const MAX_BACKOFF_MS = 30_000;
const MAX_SET_ASIDE_MS = 300_000;

/** Ledger errors that clear up with time: leave the reading pending and try again later. */
const WAIT_ERRORS = new Set(["QatScanInFuture", "SensorInvalidSummary"]);

export class Submitter {
  private nextNonce = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private failures = 0;
  private lastFailure: { at: number; error: string } | undefined;
  /** Sensor groups whose last attempt failed for a reason other than the ledger's word, skipped until `until`. */
  private readonly setAside = new Map<string, { until: number; failures: number }>();
  private turn: BatchKind = "qat";
  private recovering = true;
  private readonly lotStages = new Map<string, { stage: number | string; until: number }>();
  private readonly firstSent = new Map<number, number>();
  private readonly waitingUntil: Record<BatchKind, number> = { qat: 0, sensor: 0, action: 0 };
  /** Action batches that failed to go out in a row (their backoff grows with it). */
  private actionFailures = 0;
  private wake: (() => void) | undefined;
  private fees: { at: number; data: FeeData } | undefined;
  /** The ledger events the relay reads from its receipts (others are skipped undecoded). */
  private readonly topics: Set<string>;

  constructor(
    private readonly store: SubmitterStore,
    private readonly chain: Chain,
    private readonly devices: DeviceDirectory,
    private readonly metrics: SubmitterMetrics,
    private readonly options: SubmitterOptions,
    private readonly log: (line: string) => void,
  ) {
    const events = ["QatScanned", "SpeciesMismatch", "FreshnessWarning", "SensorExcursion"] as const;
    const ledger = chain.fishTrace.qualityLedger.interface;
    this.topics = new Set(events.map((name) => ledger.getEvent(name).topicHash));
  }

  /** Picks up the nonce where the chain and the store left it, then runs until `stop`. */
  async start(): Promise<void> {
    const address = this.chain.wallet.address;
    const pending = await this.rpc("getTransactionCount", () =>
      this.chain.provider.getTransactionCount(address, "pending"),
    );
    this.nextNonce = Math.max(pending, (await this.store.maxNonce()) + 1);
    const open = (await this.store.openBatches()).length;
    if (open > 0) this.log(`resuming ${open} transaction${open === 1 ? "" : "s"} sent before a restart`);
    this.running = true;
    this.loop = this.run();
  }

  /** Rounds failed in a row (0 when the last one went through) and the last failure, for /healthz. */
  health(): { failingRounds: number; lastFailure: { at: number; error: string } | undefined } {
    return { failingRounds: this.failures, lastFailure: this.lastFailure };
  }

  /** Finishes the current round and stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        busy = await this.round();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        this.lastFailure = { at: Date.now(), error: describeError(err) };
        this.metrics.roundFailures.inc();
        this.log(`submission round failed (${describeError(err)}); retrying`);
      }
      const wait =
        this.failures === 0
          ? busy
            ? 0
            : this.options.pollMs
          : Math.min(MAX_BACKOFF_MS, this.options.pollMs * 2 ** Math.min(this.failures, 12));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /**
   * One round: settle what was sent, then send while there is room and work, letting requests in between sends.
   * True when it stopped for want of room (so the next round should start at once, not after a poll).
   */
  async round(): Promise<boolean> {
    await this.checkOpen();
    let open = (await this.store.openBatches()).length;
    while (this.running && open < this.options.maxInFlight) {
      // Each kind in turn, so none waits behind another's steady stream.
      const start = TURNS.indexOf(this.turn);
      let sent: BatchKind | undefined;
      for (let i = 0; i < TURNS.length && sent === undefined; i++) {
        const kind = TURNS[(start + i) % TURNS.length];
        if (kind !== undefined && (await this.sendNext(kind))) sent = kind;
      }
      if (sent === undefined) return false;
      this.turn = TURNS[(TURNS.indexOf(sent) + 1) % TURNS.length] ?? "qat";
      open = (await this.store.openBatches()).length;
      await yieldToRequests();
    }
    return this.running;
  }

  private async rpc<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (customErrorOf(err) === undefined) this.metrics.rpcErrors.inc({ operation });
      throw err;
    }
  }

  // ---------------------------------------------------------------- receipts

  private async checkOpen(): Promise<void> {
    const now = Date.now();
    const resendAll = this.recovering;
    this.recovering = false;
    for (const batch of await this.store.openBatches()) {
      const receipt = await this.rpc("getTransactionReceipt", () =>
        this.chain.provider.getTransactionReceipt(batch.hash),
      );
      if (receipt !== null) {
        await this.settle(batch, receipt);
        continue;
      }
      const backoff = this.options.resendMs * 2 ** Math.min(batch.attempts - 1, 4);
      if (!resendAll && now - batch.sentAt < backoff) continue;
      const confirmed = await this.rpc("getTransactionCount", () =>
        this.chain.provider.getTransactionCount(batch.relayer ?? this.chain.wallet.address, "latest"),
      );
      if (confirmed > batch.nonce) {
        const late = await this.rpc("getTransactionReceipt", () =>
          this.chain.provider.getTransactionReceipt(batch.hash),
        );
        if (late !== null) {
          await this.settle(batch, late);
          continue;
        }
        await this.store.batchFailed(batch, "lost", `nonce ${batch.nonce} was used by another transaction`);
        this.log(`transaction ${batch.hash} (nonce ${batch.nonce}) was replaced; its readings go out again`);
        if (batch.relayer === undefined || batch.relayer === this.chain.wallet.address) {
          this.nextNonce = Math.max(this.nextNonce, confirmed);
        }
        continue;
      }
      await this.broadcast(batch.raw);
      await this.store.batchResent(batch.id);
      this.metrics.transactions.inc({ kind: batch.kind, outcome: "resent" });
    }
  }

  private async settle(batch: BatchRow, receipt: TransactionReceipt): Promise<void> {
    const kind = batch.kind;
    if (receipt.status !== 1) {
      await this.store.batchFailed(batch, "reverted", "the transaction reverted");
      this.metrics.transactions.inc({ kind, outcome: "reverted" });
      this.log(`transaction ${batch.hash} reverted; its ${batch.readings} readings go out again`);
      return;
    }
    if (kind === "action") {
      await this.settleActions(batch, receipt);
      return;
    }
    const ledger = this.chain.fishTrace.qualityLedger;
    const ledgerAddress = (await ledger.getAddress()).toLowerCase();
    const scanned = new Set<string>();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== ledgerAddress || !this.topics.has(log.topics[0] ?? "")) continue;
      const parsed = ledger.interface.parseLog(log);
      if (parsed === null) continue;
      if (parsed.name === "QatScanned") scanned.add(`${parsed.args.deviceId}:${parsed.args.readingId}`);
      else if (parsed.name === "SpeciesMismatch") this.metrics.flags.inc({ flag: "species_mismatch" });
      else if (parsed.name === "FreshnessWarning") this.metrics.flags.inc({ flag: "freshness_warning" });
      else if (parsed.name === "SensorExcursion") this.metrics.flags.inc({ flag: "excursion" });
    }
    let outcomes: Map<number, Outcome> | undefined;
    let included = batch.readings;
    if (kind === "qat") {
      outcomes = new Map();
      included = 0;
      for (const r of await this.store.qatOfBatch(batch.id)) {
        const { id } = await this.devices.lookup(r.device);
        const outcome = scanned.has(`${id}:${r.readingId}`) ? "included" : "already_on_chain";
        if (outcome === "included") included++;
        outcomes.set(r.id, outcome);
      }
    }
    await yieldToRequests();
    await this.store.batchMined(batch, receipt.blockNumber, receipt.gasUsed, outcomes);
    this.metrics.transactions.inc({ kind, outcome: "mined" });
    this.metrics.gasUsed.inc({ kind }, Number(receipt.gasUsed));
    this.metrics.onChain.inc({ kind, outcome: "included" }, included);
    if (batch.readings > included) {
      this.metrics.onChain.inc({ kind, outcome: "already_on_chain" }, batch.readings - included);
    }
    this.metrics.batchSize.observe({ kind }, batch.readings);
    const since = this.firstSent.get(batch.id) ?? batch.sentAt;
    this.firstSent.delete(batch.id);
    this.metrics.submission.observe({ kind }, Math.max(0, Date.now() - since) / 1000);
    this.metrics.lastBlock.set(receipt.blockNumber);
  }

  // ---------------------------------------------------------------- sending

  private async broadcast(raw: string): Promise<void> {
    try {
      // A JSON-RPC provider takes the raw bytes as they are; ethers' broadcastTransaction would parse them again
      // and recover their sender in pure JS (~25 ms for a batch of 100 readings).
      const { provider } = this.chain;
      if (provider instanceof JsonRpcApiProvider) await provider.send("eth_sendRawTransaction", [raw]);
      else await provider.broadcastTransaction(raw);
    } catch (err) {
      const text = describeError(err).toLowerCase();
      // Already in the pool or mined, or its nonce is taken: the receipt check decides what became of it.
      if (/already known|already imported|known transaction|nonce too low|nonce has already been used/.test(text)) {
        return;
      }
      this.metrics.rpcErrors.inc({ operation: "sendRawTransaction" });
      this.log(`broadcast failed (${describeError(err)}); it will be sent again`);
    }
  }

  /** Signs `request` with the next nonce, records it with its readings, broadcasts it. */
  private async send(
    kind: BatchKind,
    request: TransactionRequest,
    batch: { stage: number; lots?: string; root?: string },
    readingIds: number[],
    proofs?: string[][],
  ): Promise<void> {
    const { provider, wallet, chainId } = this.chain;
    const gas = await this.rpc("estimateGas", () => provider.estimateGas({ ...request, from: wallet.address }));
    if (this.fees === undefined || Date.now() - this.fees.at > FEE_DATA_MS) {
      this.fees = { at: Date.now(), data: await this.rpc("getFeeData", () => provider.getFeeData()) };
    }
    const fees = this.fees.data;
    const nonce = this.nextNonce;
    const tx: TransactionRequest = {
      ...request,
      from: wallet.address,
      nonce,
      chainId,
      gasLimit: (gas * 6n) / 5n + 10_000n,
      ...(fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null
        ? { type: 2, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
        : { type: 0, gasPrice: fees.gasPrice ?? undefined }),
    };
    await yieldToRequests();
    const raw = await wallet.signTransaction(tx);
    await yieldToRequests();
    const hash = keccak256(raw);
    const id = await this.store.recordBatch({ kind, ...batch, nonce, hash, raw }, readingIds, proofs);
    this.nextNonce = nonce + 1;
    this.firstSent.set(id, Date.now());
    await this.broadcast(raw);
  }

  private async sendNext(kind: BatchKind): Promise<boolean> {
    if (Date.now() < this.waitingUntil[kind]) return false;
    return kind === "qat" ? this.sendQat() : kind === "sensor" ? this.sendSensor() : this.sendActionsOrWait();
  }

  /**
   * `sendActions`, set aside with a growing backoff when it fails (the forwarder or the node refusing), so the
   * readings' batches go on meanwhile; the round still reports the error.
   */
  private async sendActionsOrWait(): Promise<boolean> {
    try {
      const sent = await this.sendActions();
      this.actionFailures = 0;
      return sent;
    } catch (err) {
      this.actionFailures++;
      const wait = Math.min(MAX_SET_ASIDE_MS, this.options.pollMs * 2 ** Math.min(this.actionFailures + 2, 16));
      this.waitingUntil.action = Date.now() + wait;
      this.log(`sponsored actions wait ${wait} ms: ${describeError(err)}`);
      throw err;
    }
  }

  // ---------------------------------------------------------------- sponsored actions

  /**
   * Sends the next `executeBatch` of queued actions: per signer, the run of nonces that starts at the forwarder's
   * next one (a later nonce never goes before an earlier; a signer whose next nonce is missing waits), only for
   * signers with nothing in flight. Actions that can never execute — their nonce used on chain by another request,
   * their deadline passed, too many attempts — are refused first.
   */
  private async sendActions(): Promise<boolean> {
    const forwarder = this.chain.forwarder;
    if (forwarder === undefined) return false;
    const { actionBatch, maxAgeMs, maxAttempts } = this.options;
    const rows = await this.store.queuedActions(ACTION_SIGNERS);
    if (rows.length === 0) return false;
    // Deadlines on the chain's clock, which the forwarder checks them against.
    const nowS = await chainNowSeconds(this.chain.provider);
    const refused: { seq: number; reason: string }[] = [];
    const ready: ActionRow[] = [];
    const bySigner = new Map<string, ActionRow[]>();
    for (const row of rows) bySigner.set(row.signer, [...(bySigner.get(row.signer) ?? []), row]);
    for (const [signer, list] of bySigner) {
      const onChain = Number(await this.rpc("nonces", () => forwarderNonce(this.chain.provider, forwarder, signer)));
      let next = onChain;
      for (const row of list) {
        if (row.nonce < onChain) {
          refused.push({ seq: row.seq, reason: `nonce ${row.nonce} was used on chain by another request` });
        } else if (row.deadline <= nowS + ACTION_DEADLINE_MARGIN_S) {
          refused.push({ seq: row.seq, reason: "deadline passed" });
        } else if (row.attempts >= maxAttempts) {
          refused.push({ seq: row.seq, reason: `not executed after ${row.attempts} transactions` });
        } else if (row.nonce === next) {
          ready.push(row);
          next++;
        }
      }
    }
    if (refused.length > 0) {
      await this.store.refuseActions(refused);
      this.metrics.actions.inc({ outcome: "refused" }, refused.length);
      for (const r of refused) this.log(`action ${r.seq} refused: ${r.reason}`);
    }
    const oldest = Math.min(...ready.map((r) => r.receivedAt));
    if (ready.length === 0 || (ready.length < actionBatch && Date.now() - oldest < maxAgeMs)) {
      return refused.length > 0;
    }
    const batch = ready.slice(0, actionBatch);
    await this.send(
      "action",
      { to: forwarder, data: executeBatchData(batch, this.chain.wallet.address) },
      { stage: 0 },
      batch.map((r) => r.seq),
    );
    return true;
  }

  /** Each action of a mined `executeBatch` by its forwarder event: done, refused (its call reverted) or queued again. */
  private async settleActions(batch: BatchRow, receipt: TransactionReceipt): Promise<void> {
    const forwarder = this.chain.forwarder ?? receipt.to ?? "";
    const outcomes: ActionOutcome[] = [];
    for (const row of await this.store.actionsOfBatch(batch.id)) {
      const executed = forwardedLogs(receipt.logs, forwarder, row.signer, BigInt(row.nonce));
      if (executed === undefined) outcomes.push({ seq: row.seq, state: "queued" });
      else if (executed.success) outcomes.push({ seq: row.seq, state: "done" });
      else outcomes.push({ seq: row.seq, state: "refused", reason: "the call reverted" });
    }
    await this.store.actionBatchMined(batch, receipt.blockNumber, receipt.gasUsed, outcomes);
    const count = (state: ActionOutcome["state"]) => outcomes.filter((o) => o.state === state).length;
    this.metrics.actions.inc({ outcome: "done" }, count("done"));
    this.metrics.actions.inc({ outcome: "refused" }, count("refused"));
    if (count("queued") > 0) this.log(`${count("queued")} actions of ${batch.hash} were not executed; queued again`);
    this.metrics.transactions.inc({ kind: "action", outcome: "mined" });
    this.metrics.gasUsed.inc({ kind: "action" }, Number(receipt.gasUsed));
    this.metrics.batchSize.observe({ kind: "action" }, batch.readings);
    const since = this.firstSent.get(batch.id) ?? batch.sentAt;
    this.firstSent.delete(batch.id);
    this.metrics.submission.observe({ kind: "action" }, Math.max(0, Date.now() - since) / 1000);
    this.metrics.lastBlock.set(receipt.blockNumber);
  }

  private async stageOf(lotId: string): Promise<number | string> {
    const cached = this.lotStages.get(lotId);
    if (cached !== undefined && cached.until > Date.now()) return cached.stage;
    let stage: number | string;
    try {
      stage = stageNumber(await stageHolding(this.chain.fishTrace, BigInt(lotId)));
    } catch (err) {
      if (!(err instanceof InputError)) {
        this.metrics.rpcErrors.inc({ operation: "getLot" });
        throw err;
      }
      stage = err.message;
    }
    this.lotStages.set(lotId, { stage, until: Date.now() + LOT_STAGE_MS });
    return stage;
  }

  private async sendQat(): Promise<boolean> {
    const { qatBatch, maxAgeMs, maxAttempts } = this.options;
    const rows = await this.store.pendingQat(qatBatch * 4);
    const [oldest] = rows;
    if (oldest === undefined) return false;
    if (rows.length < qatBatch && Date.now() - oldest.receivedAt < maxAgeMs) return false;
    const ledger = this.chain.fishTrace.qualityLedger;

    // Readings that come back (a lost or reverted transaction, a restart) may be on chain already.
    const settled: { id: number; outcome: "already_on_chain" | "refused"; reason?: string }[] = [];
    const fresh: QatRow[] = [];
    for (const row of rows) {
      if (row.attempts >= maxAttempts) {
        settled.push({ id: row.id, outcome: "refused", reason: `not mined after ${row.attempts} transactions` });
      } else if (
        row.attempts > 0 &&
        (await this.rpc("isAccepted", () => ledger.isAccepted(row.device, BigInt(row.readingId))))
      ) {
        settled.push({ id: row.id, outcome: "already_on_chain" });
      } else fresh.push(row);
    }

    // Each lot at the stage that holds it now; the batch is the oldest reading's stage: rows come oldest first
    // (pendingQat orders by id), so that is the stage the map met first.
    const byStage = new Map<number, QatRow[]>();
    for (const row of fresh) {
      const stage = await this.stageOf(row.lotId);
      if (typeof stage === "string") settled.push({ id: row.id, outcome: "refused", reason: stage });
      else byStage.set(stage, [...(byStage.get(stage) ?? []), row]);
    }
    await this.settleQat(settled);
    const [first] = byStage;
    if (first === undefined) return settled.length > 0;
    const [stage, group] = first;
    const batch = group.slice(0, qatBatch);
    await yieldToRequests();
    const data = await this.encodeQat(stage, batch);
    await yieldToRequests();
    if (data === undefined) return true;
    try {
      await this.send(
        "qat",
        { to: await ledger.getAddress(), data },
        { stage },
        batch.map((r) => r.id),
      );
    } catch (err) {
      if (customErrorOf(err) === undefined) throw err;
      await this.isolate(stage, batch);
    }
    return true;
  }

  /**
   * The `submitScans` calldata of `batch`, or undefined when the encoder refuses it: then each reading the encoder
   * refuses alone (a value its type cannot hold, kept by an older relay) is settled `refused` with the encoder's
   * reason, and the rest go out in the next round.
   */
  private async encodeQat(stage: number, batch: QatRow[]): Promise<string | undefined> {
    const ledger = this.chain.fishTrace.qualityLedger;
    try {
      return ledger.interface.encodeFunctionData("submitScans", [stage, batch.map((row) => storedSigned(row.signed))]);
    } catch {
      const settled: { id: number; outcome: "refused"; reason: string }[] = [];
      for (const row of batch) {
        try {
          ledger.interface.encodeFunctionData("submitScans", [stage, [storedSigned(row.signed)]]);
        } catch (err) {
          settled.push({ id: row.id, outcome: "refused", reason: `cannot be encoded: ${describeError(err)}` });
        }
      }
      if (settled.length === 0) {
        for (const row of batch) settled.push({ id: row.id, outcome: "refused", reason: "cannot be encoded" });
      }
      await this.settleQat(settled);
      return undefined;
    }
  }

  /** A batch would revert: try each reading alone, settle the ones the ledger refuses, keep the rest. */
  private async isolate(stage: number, batch: QatRow[]): Promise<void> {
    const ledger = this.chain.fishTrace.qualityLedger;
    const settled: { id: number; outcome: "already_on_chain" | "refused"; reason?: string }[] = [];
    let waiting = 0;
    for (const row of batch) {
      const { reading, signature } = storedSigned(row.signed);
      try {
        await ledger.submitScan.staticCall(stage, reading, signature, { from: this.chain.wallet.address });
      } catch (err) {
        const error = customErrorOf(err);
        if (error === undefined) throw err;
        this.lotStages.delete(row.lotId);
        if (error.name === "QatReadingAlreadyAccepted") settled.push({ id: row.id, outcome: "already_on_chain" });
        else if (WAIT_ERRORS.has(error.name)) waiting++;
        else settled.push({ id: row.id, outcome: "refused", reason: describeError(err) });
      }
    }
    await this.settleQat(settled);
    if (waiting > 0 && settled.length === 0) this.waitingUntil.qat = Date.now() + 1_000;
  }

  private async settleQat(
    settled: { id: number; outcome: "already_on_chain" | "refused"; reason?: string }[],
  ): Promise<void> {
    if (settled.length === 0) return;
    await this.store.settleQat(settled);
    for (const s of settled) {
      this.metrics.onChain.inc({ kind: "qat", outcome: s.outcome });
      if (s.outcome === "refused") this.log(`QAT reading refused: ${s.reason}`);
    }
  }

  /**
   * Anchors the oldest ready group not set aside. A group whose attempt fails for any reason but the ledger's word
   * (an RPC error, a revert the relay cannot read) is set aside with a growing backoff and the error goes up to the
   * round, so the next round goes on with the other groups and the QAT readings: no group blocks the others.
   */
  private async sendSensor(): Promise<boolean> {
    const { sensorBatch, maxAgeMs } = this.options;
    const now = Date.now();
    const group = (await this.store.sensorGroups()).find(
      (g) =>
        (g.count >= sensorBatch || now - g.oldest >= maxAgeMs) &&
        (this.setAside.get(`${g.stage}:${g.lots}`)?.until ?? 0) <= now,
    );
    if (group === undefined) return false;
    const key = `${group.stage}:${group.lots}`;
    const rows = await this.store.pendingSensor(group.stage, group.lots, sensorBatch);
    try {
      const sent = await this.anchor(group.stage, group.lots, rows);
      this.setAside.delete(key);
      return sent;
    } catch (err) {
      const failures = (this.setAside.get(key)?.failures ?? 0) + 1;
      const wait = Math.min(MAX_SET_ASIDE_MS, this.options.pollMs * 2 ** Math.min(failures + 2, 16));
      this.setAside.set(key, { until: Date.now() + wait, failures });
      this.log(`sensor group of lots ${group.lots} set aside for ${wait} ms: ${describeError(err)}`);
      throw err;
    }
  }

  private async anchor(stage: number, lots: string, rows: SensorRow[]): Promise<boolean> {
    const ledger = this.chain.fishTrace.qualityLedger;
    // The ledger refuses a window that ends after the block: readings stamped in the last seconds wait.
    const latest = Math.floor(Date.now() / 1000) - 2;
    const ready = rows.filter((r) => r.readAt <= latest);
    if (ready.length === 0) {
      this.waitingUntil.sensor = Date.now() + 1_000;
      return false;
    }
    // The root and every reading's proof, computed once here and kept with the batch (GET serves them as kept).
    const { root, proofs } = await sensorMerkle(ready);
    const summary = summarize(ready);
    let data: string;
    try {
      const lotIds = lots.split(",").map((l) => BigInt(l));
      data = ledger.interface.encodeFunctionData("anchorReadings", [stage, lotIds, root, summary]);
    } catch (err) {
      // Kept by an older relay that did not bound its fields: the ledger can never take this group.
      await this.refuseSensorGroup(ready, lots, `cannot be encoded: ${describeError(err)}`);
      return true;
    }
    if (ready.some((r) => r.attempts > 0)) {
      const anchored = await this.rpc("anchorOf", () => ledger.anchorOf(this.chain.wallet.address, root));
      if (anchored.anchoredAt !== 0n) {
        // Anchored before a restart: recorded as a batch of its own so every reading keeps its proof.
        await this.store.recordAnchored(
          { stage, lots, root },
          ready.map((r) => r.id),
          proofs,
        );
        this.metrics.onChain.inc({ kind: "sensor", outcome: "already_on_chain" }, ready.length);
        return true;
      }
    }
    try {
      await this.send(
        "sensor",
        { to: await ledger.getAddress(), data },
        { stage, lots, root },
        ready.map((r) => r.id),
        proofs,
      );
    } catch (err) {
      const error = customErrorOf(err);
      if (error === undefined) throw err;
      if (WAIT_ERRORS.has(error.name) || error.name === "SensorGatewayUnauthorized") {
        this.waitingUntil.sensor = Date.now() + 5_000;
        this.log(`sensor batch of ${ready.length} readings waits: ${describeError(err)}`);
        return false;
      }
      await this.refuseSensorGroup(ready, lots, describeError(err));
    }
    return true;
  }

  /** Settles a sensor group the ledger can never take as refused, with its reason: it holds up nothing else. */
  private async refuseSensorGroup(ready: readonly { id: number }[], lots: string, reason: string): Promise<void> {
    await this.store.refuseSensor(
      ready.map((r) => r.id),
      reason,
    );
    this.metrics.onChain.inc({ kind: "sensor", outcome: "refused" }, ready.length);
    this.log(`sensor batch of ${ready.length} readings for lots ${lots} refused: ${reason}`);
  }
}
