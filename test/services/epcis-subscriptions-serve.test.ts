/**
 * The Done-when of EPCIS subscriptions, end to end through the task: a recall enters the index while the
 * subscriber's receiver is failing; `npx hardhat epcis serve --allow-loopback-webhooks` stores it, tries the
 * receiver, records the failures and is stopped (Ctrl-C); started again on the same index folder, it delivers the
 * recall — signed, once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import { openIndex } from "../../src/index/db.js";
import { NamedQueries } from "../../src/services/epcis/queries.js";
import { refreshEpcisStore } from "../../src/services/epcis/store.js";
import { Subscriptions } from "../../src/services/epcis/subscriptions.js";
import { freePort, kill, started } from "../../src/tools/processes.js";
import { HARDHAT } from "../helpers/cli.js";
import { CHAIN_ID, exportWorld, GTIN, LOT_NUMBER, LOTS } from "../helpers/export-rows.js";
import { insertRecall, Receiver, reportEvents, signedReport } from "../helpers/webhook-receiver.js";

const TOKEN = "a-partner's-secret-0123456789";
const LOINS = `https://id.gs1.org/01/${GTIN.loins}/10/${LOT_NUMBER.loins}`;

describe("EPCIS subscriptions through npx hardhat epcis serve", function () {
  this.timeout(120_000);
  let dir: string;
  let receiver: Receiver;
  let subscriptionId: string;
  const children: ChildProcess[] = [];

  const serve = async (): Promise<ChildProcess> => {
    const port = await freePort();
    const args = ["epcis", "serve", "--no-sync", "--allow-loopback-webhooks", "--db", path.join(dir, "index")];
    const child = spawn(process.execPath, [HARDHAT, ...args, "--port", String(port)], {
      env: { ...process.env, CI: "true" },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    await started(child, "EPCIS 2.0 query interface on", "epcis serve", 90_000);
    return child;
  };

  before(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), "fishtrace-epcis-subs-"));
    receiver = await new Receiver().start();
    const { index } = await exportWorld(path.join(dir, "index"));
    await refreshEpcisStore(index, { chainId: CHAIN_ID, now: new Date(Date.now() - 3_600_000) });
    const queries = new NamedQueries(index);
    await queries.init();
    await queries.create({
      name: "loins-recalls",
      query: { MATCH_anyEPCClass: [LOINS], EQ_disposition: ["recalled"] },
    });
    const subscription = await new Subscriptions(index).create({
      queryName: "loins-recalls",
      scope: "public",
      dest: receiver.url,
      signatureToken: TOKEN,
      reportIfEmpty: false,
      initialRecordTime: Date.now(),
    });
    subscriptionId = subscription.id;
    // The regulator's recall of the loins, indexed; not yet in the EPCIS store.
    await insertRecall(index, LOTS.loins, 5, 40);
    await index.close();
  });
  after(async function () {
    for (const child of children) await kill(child, "SIGINT");
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("a recall the receiver refused before a restart reaches it after the restart, once", async function () {
    receiver.answers = Array.from({ length: 100 }, () => 503);
    const first = await serve();
    await receiver.reports(1, 20_000);
    await kill(first, "SIGINT");
    const refused = receiver.got.length;
    expect(refused).to.be.at.least(1);

    receiver.answers = [];
    const second = await serve();
    await receiver.reports(refused + 1, 20_000);
    await kill(second, "SIGINT");
    expect(receiver.got).to.have.length(refused + 1);
    const bodies = new Set(receiver.got.map((g) => g.body.toString("utf8")));
    expect(bodies.size, "every attempt the same signed bytes").to.equal(1);
    const report = signedReport(receiver.got.at(-1), TOKEN);
    expect(report.epcisBody.queryResults).to.include({ queryName: "loins-recalls", subscriptionID: subscriptionId });
    expect(
      reportEvents(report).map((e) => [e.disposition, e.quantityList[0].epcClass, e["fishtrace:stage"]]),
    ).to.deep.equal([["recalled", LOINS, 5]]);

    const index = await openIndex({ dir: path.join(dir, "index"), databaseUrl: "" });
    try {
      const tried = await index.query<{ http_status: number | null }>(
        `SELECT a.http_status FROM epcis_delivery_attempts a JOIN epcis_deliveries d ON d.id = a.delivery_id
          WHERE d.subscription_id = $1 ORDER BY a.attempt`,
        [subscriptionId],
      );
      expect(tried.map((a) => a.http_status)).to.deep.equal([...Array.from({ length: refused }, () => 503), 200]);
      const deliveries = await index.query<{ status: string }>(
        "SELECT status FROM epcis_deliveries WHERE subscription_id = $1",
        [subscriptionId],
      );
      expect(deliveries).to.deep.equal([{ status: "delivered" }]);
    } finally {
      await index.close();
    }
  });
});
