/**
 * The relay's Prometheus metrics (prom-client), on a registry of its own so that several relays can live in one
 * process (tests). Names and labels are what `monitoring/alerts.yml` is written against; README lists them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import { KINDS, type Kind } from "./store.js";

/** What the gauges read at each scrape: the queue's length and age. */
export interface QueueView {
  queueDepth(kind: Kind): number;
  oldestPending(kind: Kind): number | undefined;
  actionQueueDepth(): number;
}

/** Why a request or a reading was refused at the door (the `reason` label). */
export type RejectReason =
  | "malformed"
  | "bad_signature"
  | "unknown_device"
  | "conflict"
  | "too_large"
  | "content_type"
  | "overloaded"
  | "node_unavailable";

/** Why /healthz says `degraded` (the `reason` label of fishtrace_relay_degraded). */
export const DEGRADED_REASONS = ["rounds_failing", "rpc_failing", "backlog_stale"] as const;
export type DegradedReason = (typeof DEGRADED_REASONS)[number];

export type Flag = "species_mismatch" | "freshness_warning" | "excursion";

/** What became of sponsored actions (`fishtrace_relay_actions_total{outcome}`). */
export type ActionMetricOutcome = "accepted" | "duplicate" | "done" | "refused";

/** Why `POST /v1/actions` refused a request (`fishtrace_relay_actions_rejected_total{reason}`). */
export const ACTION_REJECT_REASONS = [
  "malformed",
  "bad_signature",
  "expired",
  "wrong_target",
  "gas_cap",
  "nonce_used",
  "nonce_conflict",
  "not_participant",
  "simulation_failed",
  "budget",
  "too_large",
  "content_type",
  "node_unavailable",
  "not_sponsoring",
  "overloaded",
] as const;
export type ActionRejectReason = (typeof ACTION_REJECT_REASONS)[number];

export class RelayMetrics {
  readonly registry = new Registry();
  readonly received: Counter<"kind">;
  readonly accepted: Counter<"kind">;
  readonly duplicates: Counter<"kind">;
  readonly rejected: Counter<"kind" | "reason">;
  readonly batchSize: Histogram<"kind">;
  readonly submission: Histogram<"kind">;
  readonly ack: Histogram<"kind">;
  readonly gasUsed: Counter<"kind">;
  readonly onChain: Counter<"kind" | "outcome">;
  readonly transactions: Counter<"kind" | "outcome">;
  readonly rpcErrors: Counter<"operation">;
  readonly lastBlock: Gauge;
  readonly flags: Counter<"flag">;
  readonly roundFailures: Counter;
  readonly actions: Counter<"outcome">;
  readonly actionsRejected: Counter<"reason">;
  /** The relay account's balance in ETH (what sponsors the actions and pays for every batch). */
  readonly balance: Gauge;
  /** 1 while /healthz says `degraded`, with the reason as a label (0 for the others). */
  readonly degraded: Gauge<"reason">;

  constructor(store: QueueView) {
    const registers = [this.registry];
    const p = "fishtrace_relay_";
    this.received = new Counter({
      name: `${p}readings_received_total`,
      help: "Readings received in requests, valid or not",
      labelNames: ["kind"],
      registers,
    });
    this.accepted = new Counter({
      name: `${p}readings_accepted_total`,
      help: "Readings durably stored and acknowledged",
      labelNames: ["kind"],
      registers,
    });
    this.duplicates = new Counter({
      name: `${p}readings_duplicate_total`,
      help: "Readings received again after they were accepted (answered idempotently)",
      labelNames: ["kind"],
      registers,
    });
    this.rejected = new Counter({
      name: `${p}readings_rejected_total`,
      help: "Readings refused at the door with a 4xx or 503 answer, by reason (a request that cannot be read counts 1)",
      labelNames: ["kind", "reason"],
      registers,
    });
    new Gauge({
      name: `${p}queue_depth`,
      help: "Acknowledged readings not yet on chain",
      labelNames: ["kind"],
      registers,
      collect() {
        for (const kind of KINDS) this.set({ kind }, store.queueDepth(kind));
      },
    });
    new Gauge({
      name: `${p}oldest_pending_seconds`,
      help: "Age of the oldest acknowledged reading waiting for a transaction (0 when none)",
      labelNames: ["kind"],
      registers,
      collect() {
        const now = Date.now();
        for (const kind of KINDS) {
          const oldest = store.oldestPending(kind);
          this.set({ kind }, oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000));
        }
      },
    });
    this.batchSize = new Histogram({
      name: `${p}batch_size`,
      help: "Readings per transaction",
      labelNames: ["kind"],
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
    this.submission = new Histogram({
      name: `${p}submission_seconds`,
      help: "Time from a transaction's first broadcast to seeing it mined",
      labelNames: ["kind"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30, 60, 120, 300],
      registers,
    });
    this.ack = new Histogram({
      name: `${p}ack_seconds`,
      help: "Time from a request's arrival to its acknowledgement (after the durable write)",
      labelNames: ["kind"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    });
    this.gasUsed = new Counter({
      name: `${p}gas_used_total`,
      help: "Gas used by the relay's mined transactions",
      labelNames: ["kind"],
      registers,
    });
    this.onChain = new Counter({
      name: `${p}readings_onchain_total`,
      help: "Readings settled on chain: included by the relay, found already on chain, or refused by the ledger",
      labelNames: ["kind", "outcome"],
      registers,
    });
    this.transactions = new Counter({
      name: `${p}transactions_total`,
      help: "The relay's transactions: mined, reverted, or broadcast again",
      labelNames: ["kind", "outcome"],
      registers,
    });
    this.rpcErrors = new Counter({
      name: `${p}rpc_errors_total`,
      help: "Failed JSON-RPC calls to the chain, by operation",
      labelNames: ["operation"],
      registers,
    });
    this.lastBlock = new Gauge({
      name: `${p}last_block`,
      help: "Block number of the last relay transaction seen mined",
      registers,
    });
    this.flags = new Counter({
      name: `${p}flags_total`,
      help: "Quality flags raised on chain by the relay's transactions",
      labelNames: ["flag"],
      registers,
    });
    this.roundFailures = new Counter({
      name: `${p}round_failures_total`,
      help: "Submission rounds that failed (an RPC error, a group set aside); the relay retries with a backoff",
      registers,
    });
    this.actions = new Counter({
      name: `${p}actions_total`,
      help: "Sponsored actions: accepted, answered again (duplicate), done on chain, or refused after acceptance",
      labelNames: ["outcome"],
      registers,
    });
    this.actionsRejected = new Counter({
      name: `${p}actions_rejected_total`,
      help: "Sponsored actions refused at the door, by reason (budget: over a signer's daily budget)",
      labelNames: ["reason"],
      registers,
    });
    new Gauge({
      name: `${p}actions_queue_depth`,
      help: "Sponsored actions acknowledged and not yet done or refused (queued, or in a transaction)",
      registers,
      collect() {
        this.set(store.actionQueueDepth());
      },
    });
    this.balance = new Gauge({
      name: `${p}account_balance_eth`,
      help: "ETH held by the relay's account, which pays for its transactions and sponsors actions",
      registers,
    });
    for (const outcome of ["accepted", "duplicate", "done", "refused"]) this.actions.inc({ outcome }, 0);
    for (const reason of ACTION_REJECT_REASONS) this.actionsRejected.inc({ reason }, 0);
    const refresh = () => this.refreshHealth();
    this.degraded = new Gauge({
      name: `${p}degraded`,
      help: "1 while the relay reports itself degraded for this reason (rounds_failing, rpc_failing, backlog_stale)",
      labelNames: ["reason"],
      registers,
      collect() {
        refresh();
      },
    });
    for (const reason of DEGRADED_REASONS) this.degraded.set({ reason }, 0);
    for (const kind of KINDS) {
      this.received.inc({ kind }, 0);
      this.accepted.inc({ kind }, 0);
      this.duplicates.inc({ kind }, 0);
      this.gasUsed.inc({ kind }, 0);
    }
    const reasons: RejectReason[] = [
      "malformed",
      "bad_signature",
      "unknown_device",
      "conflict",
      "too_large",
      "content_type",
      "overloaded",
      "node_unavailable",
    ];
    for (const kind of KINDS) {
      for (const reason of reasons) this.rejected.inc({ kind, reason }, 0);
      for (const outcome of ["included", "already_on_chain", "refused"]) this.onChain.inc({ kind, outcome }, 0);
      for (const outcome of ["mined", "reverted", "resent"]) this.transactions.inc({ kind, outcome }, 0);
    }
    for (const outcome of ["mined", "reverted", "resent"]) this.transactions.inc({ kind: "action", outcome }, 0);
    this.gasUsed.inc({ kind: "action" }, 0);
    for (const flag of ["species_mismatch", "freshness_warning", "excursion"] as const) this.flags.inc({ flag }, 0);
    collectDefaultMetrics({ register: this.registry });
  }

  private refreshHealth: () => void = () => undefined;

  /** `check` runs at each scrape, before fishtrace_relay_degraded is read (it sets the gauge). */
  onCollect(check: () => void): void {
    this.refreshHealth = check;
  }

  reject(kind: Kind, reason: RejectReason, readings = 1): void {
    this.rejected.inc({ kind, reason }, readings);
  }
}
