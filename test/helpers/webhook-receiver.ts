/**
 * For the EPCIS subscription tests: a webhook receiver on 127.0.0.1 recording what it is sent, a recall written into
 * the trace index as the indexer writes one (a new block and a `recalls` row), and the check of a report's
 * GS1-Signature.
 */
import { expect } from "chai";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import type { Sql } from "../../src/index/db.js";
import { T } from "./export-rows.js";

export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** A webhook receiver: what it was sent, and the statuses it answers (200 once `answers` is empty). */
export class Receiver {
  readonly got: Received[] = [];
  answers: number[] = [];
  private server: Server | undefined;
  port = 0;

  /** Listens on 127.0.0.1:`port` (0: any free port). */
  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.got.push({ headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
        res.writeHead(this.answers.shift() ?? 200).end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The reports received (parsed), once there are at least `n` or `ms` have passed. */
  async reports(n: number, ms = 5_000): Promise<any[]> {
    const until = Date.now() + ms;
    while (this.got.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.got.map((g) => JSON.parse(g.body.toString("utf8")));
  }
}

/** The events of a report. */
export const reportEvents = (doc: any): any[] => doc.epcisBody.queryResults.resultsBody.eventList;

/** Expects `got` signed with `token` over its exact bytes (GS1-Signature: sha256=<hex>); its document, parsed. */
export function signedReport(got: Received | undefined, token: string): any {
  expect(got, "a report").to.not.equal(undefined);
  const body = got?.body ?? Buffer.alloc(0);
  expect(got?.headers["gs1-signature"]).to.equal(`sha256=${createHmac("sha256", token).update(body).digest("hex")}`);
  return JSON.parse(body.toString("utf8"));
}

/** A recall of `lot` at `stage` in block `block` (new), written as the indexer writes one. */
export async function insertRecall(sql: Sql, lot: bigint, stage: number, block: number): Promise<void> {
  await sql.query("INSERT INTO blocks (number, hash, time) VALUES ($1, $2, $3)", [
    block,
    `0x${block.toString(16).padStart(64, "0")}`,
    T + block * 100,
  ]);
  await sql.query(
    `INSERT INTO recalls (lot_id, stage, regulator_id, reason, block, log_index, time, tx_hash)
     VALUES ($1, $2, 7, 'Histamine', $3, 0, $4, $5)`,
    [lot.toString(), stage, block, T + block * 100, `0x${block.toString(16).padStart(64, "a")}`],
  );
}
