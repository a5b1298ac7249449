/**
 * The relay's HTTP face (node:http): POST /v1/qat/readings, POST /v1/sensor/readings, GET /v1/qat/readings/:device/
 * :readingId, GET /v1/sensor/readings/:sensor/:readAt (with its Merkle proof once anchored), GET /healthz and GET
 * /metrics. Every answer is JSON (but /metrics); every refusal is `{"error": "<one line>", "reason": "<label>"}`.
 * A reading is acknowledged (202) only after the store committed it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import { getAddress, isAddress } from "ethers";

import { BodyTooLargeError, closeAfterAnswer, readBody } from "../http/body.js";
import { mediaType } from "../http/server.js";
import { InputError } from "../../core/input-error.js";
import { uint64, unixSeconds } from "../../core/units.js";
import { RETRY_AFTER_SECONDS } from "./devices.js";
import { GATEWAY_SIGNATURE_HEADER } from "./intake.js";
import { Refusal } from "./refusal.js";
import { ACTION_REJECT_REASONS, type ActionRejectReason, type RelayMetrics } from "./metrics.js";
import { ActionRefusal } from "./action-intake.js";
import type { ActionBudget, NewAction } from "./actions.js";
import type { AddResult, Kind, NewQat, NewSensor, ReadingStatus } from "./store.js";
import type { RelayStore } from "./store-thread.js";

export interface HttpHandlers {
  store: RelayStore;
  metrics: RelayMetrics;
  maxBodyBytes: number;
  /** Acknowledged readings waiting, above which new ones are refused with 503 (the store is the limit). */
  maxQueue: number;
  qat(body: unknown): Promise<NewQat[]>;
  sensor(raw: Uint8Array, body: unknown, signature: string | undefined): Promise<NewSensor[]>;
  /** What /healthz answers: computed from what the relay already knows, never by asking the node. */
  health(): { healthy: boolean; details: Record<string, unknown> };
  /** Where an internal error is logged with its detail (the client gets one line without it). */
  log(line: string): void;
  proof(sensor: string, readAt: number, status: ReadingStatus): Promise<Record<string, unknown>>;
  /** Sponsored actions, when the relay takes them (a forwarder is configured). */
  actions?: {
    intake(body: unknown): Promise<NewAction>;
    /** A signer's budget for the day that ends at `now`. */
    budget(now: number): ActionBudget;
  };
}

const ACTION_ID = /^0x[0-9a-f]{64}$/;

/** The largest sponsored request taken: one call's calldata (a batch of catches) with room to spare. */
export const MAX_ACTION_BYTES = 128 * 1024;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text + "\n");
}

function refuse(res: ServerResponse, refusal: Refusal, headers: Record<string, string> = {}): void {
  const wait: Record<string, string> = refusal.status === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {};
  send(res, refusal.status, { error: refusal.message, reason: refusal.reason }, { ...wait, ...headers });
}

/**
 * A refusal: when the request's body was not (all) read — a 413, a 415 — the connection closes once the answer is
 * out and the rest of the body is not read (src/services/http/body.ts).
 */
function refuseUnread(
  req: IncomingMessage,
  res: ServerResponse,
  refusal: Refusal,
  headers: Record<string, string> = {},
): void {
  if (req.complete) {
    refuse(res, refusal, headers);
    return;
  }
  refuse(res, refusal, { ...headers, connection: "close" });
  closeAfterAnswer(req, res);
}

/** The request body, refused with 413 past `limit` bytes (src/services/http/body.ts). */
async function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    return await readBody(req, limit);
  } catch (err) {
    throw err instanceof BodyTooLargeError ? new Refusal(413, "too_large", err.message) : err;
  }
}

function jsonOf(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (err) {
    const detail = err instanceof Error ? err.message.split("\n")[0] : "";
    throw new Refusal(400, "malformed", `the body is not JSON (${detail})`);
  }
}

function isJson(req: IncomingMessage): boolean {
  return mediaType(req) === "application/json";
}

function accepted(res: ServerResponse, result: AddResult & { ok: true }): void {
  send(res, 202, { accepted: result.accepted, duplicates: result.duplicates });
}

function statusBody(status: ReadingStatus): Record<string, unknown> {
  return {
    state: status.state,
    outcome: status.outcome,
    reason: status.reason,
    receivedAt: new Date(status.receivedAt).toISOString(),
    transaction:
      status.batch === null ? null : { hash: status.batch.hash, state: status.batch.state, block: status.batch.block },
  };
}

export function createRelayServer(h: HttpHandlers): Server {
  async function ingest(kind: Kind, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      if (!isJson(req)) {
        throw new Refusal(
          415,
          "content_type",
          `content-type is ${req.headers["content-type"] ?? "missing"}; send application/json`,
        );
      }
      if (h.store.queueDepth(kind) >= h.maxQueue) {
        h.metrics.reject(kind, "overloaded");
        refuseUnread(
          req,
          res,
          new Refusal(503, "overloaded", `${h.store.queueDepth(kind)} ${kind} readings are waiting; try again later`),
          { "retry-after": "5" },
        );
        return;
      }
      const raw = await readLimitedBody(req, h.maxBodyBytes);
      const body = jsonOf(raw);
      const request: { kind: "qat"; rows: NewQat[] } | { kind: "sensor"; rows: NewSensor[] } =
        kind === "qat"
          ? { kind: "qat", rows: await h.qat(body) }
          : { kind: "sensor", rows: await h.sensor(raw, body, header(req, GATEWAY_SIGNATURE_HEADER)) };
      const count = request.rows.length;
      h.metrics.received.inc({ kind }, count);
      const result =
        request.kind === "qat" ? await h.store.addQat(request.rows) : await h.store.addSensor(request.rows);
      if (!result.ok) throw new Refusal(409, "conflict", `readings[${result.index}]: ${result.reason}`, count);
      h.metrics.accepted.inc({ kind }, result.accepted);
      h.metrics.duplicates.inc({ kind }, result.duplicates);
      accepted(res, result);
      h.metrics.ack.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (err) {
      if (err instanceof Refusal) {
        h.metrics.received.inc({ kind }, err.readings);
        h.metrics.reject(kind, err.reason, err.readings);
        refuseUnread(req, res, err);
        return;
      }
      throw err;
    }
  }

  /** POST /v1/actions: checked, stored (committed), then 202 with the request's id. */
  async function action(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (h.actions === undefined) {
        throw new ActionRefusal(503, "not_sponsoring", "this relay takes no sponsored actions");
      }
      if (!isJson(req)) {
        throw new ActionRefusal(
          415,
          "content_type",
          `content-type is ${req.headers["content-type"] ?? "missing"}; send application/json`,
        );
      }
      if (h.store.actionQueueDepth() >= h.maxQueue) {
        throw new ActionRefusal(
          503,
          "overloaded",
          `${h.store.actionQueueDepth()} sponsored actions are waiting; try again later`,
        );
      }
      let row: NewAction;
      try {
        row = await h.actions.intake(jsonOf(await readLimitedBody(req, Math.min(h.maxBodyBytes, MAX_ACTION_BYTES))));
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        const reason: ActionRejectReason = ACTION_REJECT_REASONS.find((r) => r === err.reason) ?? "malformed";
        throw new ActionRefusal(err.status, reason, err.message);
      }
      const result = await h.store.addAction(row, h.actions.budget(row.receivedAt));
      if (!result.ok) throw new ActionRefusal(result.status, result.reason, result.message);
      h.metrics.actions.inc({ outcome: result.duplicate ? "duplicate" : "accepted" });
      send(res, 202, { id: result.id });
    } catch (err) {
      if (!(err instanceof ActionRefusal)) throw err;
      h.metrics.actionsRejected.inc({ reason: err.reason });
      const wait: Record<string, string> = err.status === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {};
      const body = { error: err.message, reason: err.reason };
      if (req.complete) send(res, err.status, body, wait);
      else {
        send(res, err.status, body, { ...wait, connection: "close" });
        closeAfterAnswer(req, res);
      }
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://relay");
    const parts = url.pathname.split("/").filter((p) => p !== "");
    const method = req.method ?? "GET";
    const only = (allowed: string) => {
      if (method === allowed) return true;
      send(
        res,
        405,
        { error: `${method} ${url.pathname} is not allowed; use ${allowed}`, reason: "method" },
        {
          allow: allowed,
        },
      );
      return false;
    };
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/v1/qat/readings") {
      if (only("POST")) await ingest("qat", req, res);
      return;
    }
    if (path === "/v1/sensor/readings") {
      if (only("POST")) await ingest("sensor", req, res);
      return;
    }
    if (path === "/v1/actions") {
      if (only("POST")) await action(req, res);
      return;
    }
    if (parts.length === 3 && parts[0] === "v1" && parts[1] === "actions" && parts[2] !== undefined) {
      if (!only("GET")) return;
      let id: string;
      try {
        id = decodePart(parts[2], "id").toLowerCase();
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        send(res, 400, { error: err.message, reason: "malformed" });
        return;
      }
      if (!ACTION_ID.test(id)) {
        send(res, 400, { error: `"${id}" is not an action id (0x and 64 hex digits)`, reason: "malformed" });
        return;
      }
      const status = await h.store.actionStatus(id);
      if (status === undefined) send(res, 404, { error: `the relay has no action ${id}`, reason: "unknown" });
      else send(res, 200, status);
      return;
    }
    if (path === "/metrics") {
      if (!only("GET")) return;
      const text = await h.metrics.registry.metrics();
      res.writeHead(200, { "content-type": h.metrics.registry.contentType });
      res.end(text);
      return;
    }
    if (path === "/healthz") {
      if (!only("GET")) return;
      const { healthy, details } = h.health();
      send(res, healthy ? 200 : 503, { status: healthy ? "ok" : "failing", ...details });
      return;
    }
    const [version, kindPart, resource, devicePart, idPart] = parts;
    if (
      parts.length === 5 &&
      version === "v1" &&
      resource === "readings" &&
      (kindPart === "qat" || kindPart === "sensor") &&
      devicePart !== undefined &&
      idPart !== undefined
    ) {
      if (!only("GET")) return;
      try {
        const device = decodePart(devicePart, "device");
        const id = decodePart(idPart, "id");
        if (!isAddress(device)) throw new InputError(`"${device}" is not an address`);
        if (kindPart === "qat") {
          const readingId = uint64(id, "reading id").toString();
          const status = await h.store.qatStatus(getAddress(device), readingId);
          if (status === undefined) {
            send(res, 404, {
              error: `the relay has no reading ${readingId} of ${getAddress(device)}`,
              reason: "unknown",
            });
          } else send(res, 200, statusBody(status));
          return;
        }
        const readAt = unixSeconds(id, "readAt");
        const status = await h.store.sensorStatus(getAddress(device), readAt);
        if (status === undefined) {
          send(res, 404, {
            error: `the relay has no reading of sensor ${getAddress(device)} at ${readAt}`,
            reason: "unknown",
          });
        } else send(res, 200, { ...statusBody(status), ...(await h.proof(getAddress(device), readAt, status)) });
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        send(res, 400, { error: err.message, reason: "malformed" });
      }
      return;
    }
    send(res, 404, { error: `no such endpoint: ${method} ${url.pathname}`, reason: "not_found" });
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      h.log(
        `internal error on ${req.method ?? "?"} ${req.url ?? "?"}: ${err instanceof Error ? err.stack : String(err)}`,
      );
      if (!res.headersSent) {
        send(res, 500, { error: "the relay failed (its log says why)", reason: "internal" });
      } else res.end();
    });
  });
}

/** A path segment decoded, or a 400 naming it. */
function decodePart(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InputError(`the ${what} in the path is not valid percent-encoding`);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
