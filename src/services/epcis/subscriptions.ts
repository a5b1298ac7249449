/**
 * Query subscriptions (the REST binding's `/queries/{queryName}/subscriptions`): a webhook `dest`, its
 * `signatureToken`, and when to report — `stream: true` (every new matching event, after each store refresh) or a
 * `schedule` (schedule.ts; `reportIfEmpty` reports an empty result too) — from `initialRecordTime` (default: the
 * subscription's creation). Kept in the index database (`epcis_subscriptions`) with each subscription's cursor: the
 * (recordTime, seq) of the last event its receiver acknowledged, so a report holds only what it has not had, and a
 * restart loses nothing. Beside them, the outbox deliveries.ts sends from: `epcis_deliveries` (one report each, at
 * most one open per subscription) and `epcis_delivery_attempts` (every POST: when, the receiver's status or error).
 *
 * The OpenAPI's request schema names `secret` required and describes `signatureToken`; FishTrace requires
 * `signatureToken` (16–512 characters): every delivery is signed. It is stored as given (an HMAC needs it) and never
 * shown in an answer.
 */
import { randomUUID } from "node:crypto";

import type { Sql } from "../../index/db.js";
import { EpcisProblem, notFound, subscriptionProblem } from "./problem.js";
import { nextRun, parseSchedule, type CompiledSchedule, type Schedule } from "./schedule.js";
import { webhookDest, type WebhookPolicy } from "./webhook.js";

export const SUBSCRIPTIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS epcis_subscriptions (
  id text PRIMARY KEY,
  query_name text NOT NULL,
  dest text NOT NULL,
  signature_token text NOT NULL,
  schedule text,                     -- the schedule's JSON; NULL: a stream subscription
  report_if_empty boolean NOT NULL,
  initial_record_time bigint NOT NULL,
  created_at bigint NOT NULL,
  cursor_time bigint NOT NULL,       -- (record_time, seq) of the last event acknowledged
  cursor_seq bigint NOT NULL,
  next_run bigint,                   -- a schedule's next query time (ms)
  last_notified_at bigint,
  scope text NOT NULL DEFAULT 'public' -- the subscriber's scope (scopeKey): what its reports may hold
);
CREATE INDEX IF NOT EXISTS epcis_subscriptions_query ON epcis_subscriptions (query_name, id);
CREATE TABLE IF NOT EXISTS epcis_deliveries (
  id bigserial PRIMARY KEY,
  subscription_id text NOT NULL,
  body text NOT NULL,                -- the EPCISQueryDocument, the exact bytes signed and sent (emptied once delivered)
  events integer NOT NULL,
  upto_time bigint NOT NULL,         -- the subscription's cursor once this report is acknowledged
  upto_seq bigint NOT NULL,
  status text NOT NULL,              -- pending, failed (still retried) or delivered
  attempts integer NOT NULL,
  next_attempt_at bigint NOT NULL,
  created_at bigint NOT NULL,
  delivered_at bigint
);
CREATE UNIQUE INDEX IF NOT EXISTS epcis_deliveries_open ON epcis_deliveries (subscription_id)
  WHERE status <> 'delivered';
CREATE INDEX IF NOT EXISTS epcis_deliveries_due ON epcis_deliveries (next_attempt_at) WHERE status <> 'delivered';
CREATE TABLE IF NOT EXISTS epcis_delivery_attempts (
  delivery_id bigint NOT NULL,
  attempt integer NOT NULL,
  at bigint NOT NULL,                -- ms
  http_status integer,               -- the receiver's answer, NULL when there was none
  error text,                        -- why not delivered (no answer, a non-2xx status)
  ms integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
`;

/** The most subscriptions one query takes (a partner subscribes once per receiver, not per event). */
export const SUBSCRIPTIONS_PER_QUERY = 1_000;

export interface NewSubscription {
  queryName: string;
  /** The subscriber's scope (src/services/auth/scope.ts `scopeKey`): its reports hold what it may read, no more. */
  scope: string;
  dest: string;
  signatureToken: string;
  schedule?: CompiledSchedule;
  reportIfEmpty: boolean;
  initialRecordTime: number;
}

export interface Subscription extends Omit<NewSubscription, "schedule"> {
  id: string;
  schedule?: Schedule;
  createdAt: number;
  lastNotifiedAt?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const FIELDS = new Set(["dest", "signatureToken", "stream", "schedule", "reportIfEmpty", "initialRecordTime"]);

/** A subscription request's body for `queryName`, checked; refused with a one-line problem (400). */
export function subscriptionOf(
  body: unknown,
  queryName: string,
  scope: string,
  policy: WebhookPolicy,
  now = Date.now(),
): NewSubscription {
  if (!isObject(body)) {
    throw subscriptionProblem('the body must be a JSON object {"dest": …, "signatureToken": …, "stream": true}');
  }
  const extra = Object.keys(body).find((k) => !FIELDS.has(k));
  if (extra !== undefined) throw subscriptionProblem(`unknown field ${extra} (${[...FIELDS].join(", ")})`);
  const dest = webhookDest(body.dest, policy);
  const token = body.signatureToken;
  if (typeof token !== "string" || token.length < 16 || token.length > 512) {
    throw subscriptionProblem("signatureToken must be a secret of 16–512 characters (deliveries are signed with it)");
  }
  const { stream, schedule, reportIfEmpty } = body;
  if (stream !== undefined && stream !== true) {
    throw subscriptionProblem("stream can only be true (omit it and give a schedule instead)");
  }
  if ((stream === true) === (schedule !== undefined)) {
    throw subscriptionProblem("give either stream: true or a schedule (exactly one)");
  }
  if (reportIfEmpty !== undefined && typeof reportIfEmpty !== "boolean") {
    throw subscriptionProblem("reportIfEmpty must be true or false");
  }
  if (reportIfEmpty === true && schedule === undefined) {
    throw subscriptionProblem("reportIfEmpty applies to a schedule (a stream reports only new events)");
  }
  let initialRecordTime = now;
  if (body.initialRecordTime !== undefined) {
    const text = body.initialRecordTime;
    const ms = typeof text === "string" && /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : NaN;
    if (!Number.isFinite(ms))
      throw subscriptionProblem("initialRecordTime must be a date-time such as 2027-01-01T00:00:00Z");
    initialRecordTime = ms;
  }
  return {
    queryName,
    scope,
    dest,
    signatureToken: token,
    ...(schedule === undefined ? {} : { schedule: parseSchedule(schedule) }),
    reportIfEmpty: reportIfEmpty === true,
    initialRecordTime,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A subscription as the OpenAPI's AbstractQuerySubscriptionResponse (with `queryName`), its secret left out. */
export function subscriptionJson(s: Subscription): Record<string, unknown> {
  return {
    subscriptionID: s.id,
    queryName: s.queryName,
    dest: s.dest,
    createdAt: iso(s.createdAt),
    initialRecordTime: iso(s.initialRecordTime),
    ...(s.schedule === undefined ? { stream: true } : { schedule: s.schedule, reportIfEmpty: s.reportIfEmpty }),
    ...(s.lastNotifiedAt === undefined ? {} : { lastNotifiedAt: iso(s.lastNotifiedAt) }),
  };
}

interface Row {
  id: string;
  query_name: string;
  scope: string;
  dest: string;
  signature_token: string;
  schedule: string | null;
  report_if_empty: boolean;
  initial_record_time: string;
  created_at: string;
  last_notified_at: string | null;
}

const COLUMNS = `id, query_name, scope, dest, signature_token, schedule, report_if_empty, initial_record_time::text,
  created_at::text, last_notified_at::text`;

function subscriptionOfRow(r: Row): Subscription {
  const schedule: unknown = r.schedule === null ? undefined : JSON.parse(r.schedule);
  return {
    id: r.id,
    queryName: r.query_name,
    scope: r.scope,
    dest: r.dest,
    signatureToken: r.signature_token,
    ...(isObject(schedule) ? { schedule: parseSchedule(schedule).schedule } : {}),
    reportIfEmpty: r.report_if_empty,
    initialRecordTime: Number(r.initial_record_time),
    createdAt: Number(r.created_at),
    ...(r.last_notified_at === null ? {} : { lastNotifiedAt: Number(r.last_notified_at) }),
  };
}

export class Subscriptions {
  /** Over the tables NamedQueries.init creates. */
  constructor(private readonly sql: Sql) {}

  /**
   * Stores `s` (its query must exist: checked by the caller) with its cursor just before `initialRecordTime`, and a
   * schedule's first query time.
   */
  async create(s: NewSubscription, now = Date.now()): Promise<Subscription> {
    const [count] = await this.sql.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM epcis_subscriptions WHERE query_name = $1",
      [s.queryName],
    );
    if (Number(count?.n ?? 0) >= SUBSCRIPTIONS_PER_QUERY) {
      throw new EpcisProblem(
        400,
        "SubscriptionControlsException",
        "Too many subscriptions",
        `query ${s.queryName} has ${SUBSCRIPTIONS_PER_QUERY} subscriptions, the most it takes`,
      );
    }
    const id = randomUUID();
    // (record_time, seq) > (initial - 1, MAX) is record_time ≥ initial.
    await this.sql.query(
      `INSERT INTO epcis_subscriptions (id, query_name, dest, signature_token, schedule, report_if_empty,
         initial_record_time, created_at, cursor_time, cursor_seq, next_run, scope)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        id,
        s.queryName,
        s.dest,
        s.signatureToken,
        s.schedule === undefined ? null : JSON.stringify(s.schedule.schedule),
        s.reportIfEmpty,
        s.initialRecordTime,
        now,
        s.initialRecordTime - 1,
        Number.MAX_SAFE_INTEGER,
        s.schedule === undefined ? null : (nextRun(s.schedule, now) ?? null),
        s.scope,
      ],
    );
    const { schedule, ...rest } = s;
    return { ...rest, id, createdAt: now, ...(schedule === undefined ? {} : { schedule: schedule.schedule }) };
  }

  /** The subscriptions of `queryName` made in `scope` (a scopeKey), oldest first: nobody sees another's. */
  async list(queryName: string, scope: string): Promise<Subscription[]> {
    const rows = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM epcis_subscriptions WHERE query_name = $1 AND scope = $2 ORDER BY created_at, id`,
      [queryName, scope],
    );
    return rows.map(subscriptionOfRow);
  }

  /** One subscription of `queryName` made in `scope`; 404 NoSuchNameException when there is none. */
  async get(queryName: string, id: string, scope: string): Promise<Subscription> {
    const [row] = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM epcis_subscriptions WHERE query_name = $1 AND id = $2 AND scope = $3`,
      [queryName, id, scope],
    );
    if (row === undefined) throw notFound(`query ${queryName} has no subscription ${id}`);
    return subscriptionOfRow(row);
  }

  /** Ends a subscription made in `scope` and drops its undelivered reports; 404 NoSuchNameException otherwise. */
  async delete(queryName: string, id: string, scope: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const rows = await tx.query(
        "DELETE FROM epcis_subscriptions WHERE query_name = $1 AND id = $2 AND scope = $3 RETURNING id",
        [queryName, id, scope],
      );
      if (rows.length === 0) throw notFound(`query ${queryName} has no subscription ${id}`);
      await tx.query("DELETE FROM epcis_deliveries WHERE subscription_id = $1 AND status <> 'delivered'", [id]);
    });
  }
}
