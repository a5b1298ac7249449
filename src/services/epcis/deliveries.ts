/**
 * Subscription deliveries: a durable outbox in the index database, worked by a background loop (never in a query's
 * request). Each cycle
 *
 * 1. plans: every subscription with no report open whose time has come — a stream one when the store holds events
 *    recorded after its cursor, a scheduled one when its query time has passed — runs its named query over the events
 *    after its cursor (by recordTime, then seq; at most `maxEvents`), renders the EPCISQueryDocument (the query
 *    endpoint's rendering, with `subscriptionID`) and stores it as a pending delivery, in one transaction with the
 *    schedule's next query time. Nothing new (and no `reportIfEmpty`): the cursor moves past what was looked at;
 * 2. sends every due delivery (at most `concurrency` at once, each POST at most `timeoutMs`): the stored bytes,
 *    signed (webhook.ts); every attempt recorded. A 2xx marks it delivered and moves the subscription's cursor to its
 *    last event — the only place a cursor moves past events it reported. Anything else is retried after
 *    `backoffMs`·2^(attempts−1), at most `maxBackoffMs`; after `maxAttempts` the delivery is marked `failed` and still
 *    retried every `maxBackoffMs` — nothing is dropped until the subscription is deleted.
 *
 * A report planned or due before a restart is sent after it: the outbox and the cursors are in the database. A
 * crash between a receiver's 2xx and the record of it sends that report again (at-least-once; the
 * `FishTrace-Delivery-ID` header, the same on every attempt, lets a receiver drop a repeat). Two services on one
 * PostgreSQL share the work: a delivery is claimed (a lease on its next attempt time) before it is sent, and a
 * subscription has at most one open delivery (a unique index).
 */
import type { Sql } from "../../index/db.js";
import { queryDocument } from "./document.js";
import { parseQuery, type EventQuery, type RawValue } from "./query.js";
import { nextRun, parseSchedule } from "./schedule.js";
import { selectEvents } from "./select.js";
import { ensureEpcisStore } from "./store.js";
import { postWebhook, signature, type PostResult, type WebhookPolicy } from "./webhook.js";
import { NamedQueries } from "./queries.js";
import { epcisAccess } from "../auth/epcis-scope.js";
import { scopeOfKey } from "../auth/scope.js";

export interface DeliveryOptions {
  /** Where webhooks may go (webhook.ts). */
  policy: WebhookPolicy;
  /** Milliseconds between cycles (default 1,000): how late a schedule fires or a retry starts at most. */
  tickMs?: number;
  /** POSTs at once (default 4). */
  concurrency?: number;
  /** One POST's time limit (default 10,000 ms). */
  timeoutMs?: number;
  /** The first retry's delay (default 1,000 ms), doubled at each further one… */
  backoffMs?: number;
  /** …up to this (default 60,000 ms). */
  maxBackoffMs?: number;
  /** Attempts before a delivery is marked failed (default 6; it is still retried). */
  maxAttempts?: number;
  /** Events in one report at most (default 1,000; more go in the next one, a cycle later). */
  maxEvents?: number;
  /** The clock (tests). */
  now?: () => number;
}

export interface CycleResult {
  /** Reports planned (stored in the outbox). */
  planned: number;
  /** POSTs made, and of those answered 2xx. */
  attempted: number;
  delivered: number;
}

interface Due {
  id: string;
  subscription_id: string;
  query_name: string;
  dest: string;
  signature_token: string;
  body: string;
  attempts: number;
  next_attempt_at: string;
  upto_time: string;
  upto_seq: string;
}

interface Candidate {
  id: string;
  query_name: string;
  scope: string;
  definition: string;
  schedule: string | null;
  report_if_empty: boolean;
  cursor_time: string;
  cursor_seq: string;
}

const isRecord = (value: unknown): value is { [key: string]: RawValue } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A subscription's named query, ordered as a cursor reads: by recordTime then seq, no count limits. */
function subscriptionQuery(definition: string): EventQuery {
  const raw: unknown = JSON.parse(definition);
  const { eventCountLimit: _, maxEventCount: __, ...query } = parseQuery(Object.entries(isRecord(raw) ? raw : {}));
  return { ...query, orderBy: "recordTime", orderDirection: "ASC" };
}

export class Deliveries {
  private readonly o: Required<Omit<DeliveryOptions, "policy">> & { policy: WebhookPolicy };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wanted = false;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly sql: Sql,
    options: DeliveryOptions,
  ) {
    this.o = {
      tickMs: 1_000,
      concurrency: 4,
      timeoutMs: 10_000,
      backoffMs: 1_000,
      maxBackoffMs: 60_000,
      maxAttempts: 6,
      maxEvents: 1_000,
      now: Date.now,
      ...options,
    };
  }

  /** Creates the tables when missing. */
  async init(): Promise<void> {
    await ensureEpcisStore(this.sql);
    await new NamedQueries(this.sql).init();
  }

  /** Runs a cycle every `tickMs` until `stop()`. */
  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => void this.kick(), this.o.tickMs);
  }

  /**
   * Runs a cycle now (after a store refresh: stream reports go out without waiting for the tick), or once more after
   * the one running; resolves when none is left to run. Never rejects: a failed cycle is reported once on stderr.
   */
  kick(): Promise<void> {
    if (this.stopped) return this.running ?? Promise.resolve();
    this.wanted = true;
    this.running ??= this.loop();
    return this.running;
  }

  private async loop(): Promise<void> {
    try {
      while (this.wanted && !this.stopped) {
        this.wanted = false;
        try {
          await this.cycle();
          if (this.failing) console.log("EPCIS deliveries work again");
          this.failing = false;
        } catch (err) {
          if (!this.failing) console.error(`warning: EPCIS deliveries: ${err instanceof Error ? err.message : err}`);
          this.failing = true;
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Stops the loop and waits for the cycle running (its POSTs end within `timeoutMs`). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One cycle: plan the reports due, then send the deliveries due. */
  async cycle(): Promise<CycleResult> {
    const planned = await this.plan();
    const { attempted, delivered } = await this.send();
    return { planned, attempted, delivered };
  }

  /** The store's last event (record_time, seq), or the start. */
  private async top(): Promise<[number, number]> {
    const [row] = await this.sql.query<{ record_time: string; seq: string }>(
      "SELECT record_time::text, seq::text FROM epcis_events ORDER BY record_time DESC, seq DESC LIMIT 1",
    );
    return row === undefined ? [0, 0] : [Number(row.record_time), Number(row.seq)];
  }

  private async plan(): Promise<number> {
    const now = this.o.now();
    const candidates = await this.sql.query<Candidate>(
      `SELECT s.id, s.query_name, s.scope, q.definition, s.schedule, s.report_if_empty, s.cursor_time::text,
              s.cursor_seq::text
         FROM epcis_subscriptions s JOIN epcis_queries q ON q.name = s.query_name
        WHERE NOT EXISTS (SELECT 1 FROM epcis_deliveries d WHERE d.subscription_id = s.id AND d.status <> 'delivered')
          AND (s.next_run <= $1 OR (s.schedule IS NULL AND EXISTS (SELECT 1 FROM epcis_events e
                 WHERE (e.record_time, e.seq) > (s.cursor_time, s.cursor_seq))))
        ORDER BY s.created_at, s.id`,
      [now],
    );
    let planned = 0;
    for (const c of candidates) {
      if (await this.planOne(c, now)) planned++;
    }
    return planned;
  }

  /** Plans `c`'s report (true when one was stored). */
  private async planOne(c: Candidate, now: number): Promise<boolean> {
    const top = await this.top();
    const cursor: [number, number] = [Number(c.cursor_time), Number(c.cursor_seq)];
    // The subscriber's scope, as its queries would be answered now (a partner's reach grows with its lots).
    const access = await epcisAccess(this.sql, scopeOfKey(c.scope));
    const page = await selectEvents(
      this.sql,
      access.restrict(subscriptionQuery(c.definition)),
      this.o.maxEvents,
      { after: cursor, served: 0 },
      access.filter,
    );
    const raw: unknown = c.schedule === null ? undefined : JSON.parse(c.schedule);
    const schedule = raw === undefined ? undefined : parseSchedule(raw);
    // A scheduled report holding only part of what is new leaves its query time due: the rest goes next cycle.
    const nextTime = schedule === undefined || page.next !== undefined ? undefined : (nextRun(schedule, now) ?? null);
    const seen = (a: [number, number], b: [number, number]) => (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]) ? a : b);
    return this.sql.transaction(async (tx) => {
      if (nextTime !== undefined) {
        await tx.query("UPDATE epcis_subscriptions SET next_run = $2 WHERE id = $1", [c.id, nextTime]);
      }
      if (page.last === undefined && !(schedule !== undefined && c.report_if_empty)) {
        // Forward only, and not while a report is open (another server sharing the database may have planned one).
        const [time, seq] = seen(top, cursor);
        await tx.query(
          `UPDATE epcis_subscriptions s SET cursor_time = $2, cursor_seq = $3
            WHERE s.id = $1 AND (s.cursor_time, s.cursor_seq) < ($2::bigint, $3::bigint)
              AND NOT EXISTS (SELECT 1 FROM epcis_deliveries d WHERE d.subscription_id = s.id AND d.status <> 'delivered')`,
          [c.id, time, seq],
        );
        return false;
      }
      const [uptoTime, uptoSeq] = page.last ?? seen(top, cursor);
      const rows = await tx.query(
        `INSERT INTO epcis_deliveries (subscription_id, body, events, upto_time, upto_seq, status, attempts,
           next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)
         ON CONFLICT (subscription_id) WHERE status <> 'delivered' DO NOTHING RETURNING id`,
        [
          c.id,
          queryDocument(c.query_name, page.bodies.map(access.view), c.id),
          page.bodies.length,
          uptoTime,
          uptoSeq,
          now,
        ],
      );
      return rows.length > 0;
    });
  }

  private async send(): Promise<{ attempted: number; delivered: number }> {
    const now = this.o.now();
    const due = await this.sql.query<Due>(
      `SELECT d.id::text, d.subscription_id, s.query_name, s.dest, s.signature_token, d.body, d.attempts,
              d.next_attempt_at::text, d.upto_time::text, d.upto_seq::text
         FROM epcis_deliveries d JOIN epcis_subscriptions s ON s.id = d.subscription_id
        WHERE d.status <> 'delivered' AND d.next_attempt_at <= $1
        ORDER BY d.next_attempt_at, d.id LIMIT 100`,
      [now],
    );
    let attempted = 0;
    let delivered = 0;
    const queue = [...due];
    const worker = async () => {
      for (let d = queue.shift(); d !== undefined && !this.stopped; d = queue.shift()) {
        const result = await this.attempt(d);
        if (result === undefined) continue;
        attempted++;
        if (result) delivered++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, queue.length) }, worker));
    return { attempted, delivered };
  }

  /** One POST of `d`, recorded: true when acknowledged, undefined when another worker had claimed it. */
  private async attempt(d: Due): Promise<boolean | undefined> {
    const lease = this.o.now() + this.o.timeoutMs + 5_000;
    const claimed = await this.sql.query(
      `UPDATE epcis_deliveries SET next_attempt_at = $3
        WHERE id = $1 AND next_attempt_at = $2 AND status <> 'delivered' RETURNING id`,
      [d.id, d.next_attempt_at, lease],
    );
    if (claimed.length === 0) return undefined;
    const at = this.o.now();
    const result: PostResult = await postWebhook(
      d.dest,
      d.body,
      {
        "content-type": "application/json",
        "user-agent": "FishTrace-EPCIS",
        "gs1-epcis-version": "2.0.0",
        "gs1-cbv-version": "2.0.0",
        "gs1-signature": signature(d.body, d.signature_token),
        "fishtrace-delivery-id": `${d.subscription_id}/${d.id}`,
      },
      { policy: this.o.policy, timeoutMs: this.o.timeoutMs },
    );
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
    const attempts = d.attempts + 1;
    const error = ok ? null : (result.error ?? `answered ${result.status ?? "nothing"}`);
    await this.sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO epcis_delivery_attempts (delivery_id, attempt, at, http_status, error, ms)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [d.id, attempts, at, result.status ?? null, error, result.ms],
      );
      if (ok) {
        const done = this.o.now();
        await tx.query(
          `UPDATE epcis_deliveries SET status = 'delivered', attempts = $2, delivered_at = $3, body = ''
            WHERE id = $1`,
          [d.id, attempts, done],
        );
        await tx.query(
          `UPDATE epcis_subscriptions SET cursor_time = $2, cursor_seq = $3, last_notified_at = $4 WHERE id = $1`,
          [d.subscription_id, d.upto_time, d.upto_seq, done],
        );
        return;
      }
      const delay = Math.min(this.o.backoffMs * 2 ** (attempts - 1), this.o.maxBackoffMs);
      await tx.query(`UPDATE epcis_deliveries SET status = $2, attempts = $3, next_attempt_at = $4 WHERE id = $1`, [
        d.id,
        attempts >= this.o.maxAttempts ? "failed" : "pending",
        attempts,
        this.o.now() + delay,
      ]);
    });
    return ok;
  }
}
