/**
 * The SQLite relay store's actions table on its own: idempotent on the request, one request per (signer, nonce),
 * budgets counted from what it holds, the queue a submitter reads (signers with an action in flight wait), and the
 * moves queued → submitted → done | refused | queued again. And the relay's options for them.
 */
import { expect } from "chai";
import { getAddress } from "ethers";

import { InputError } from "../../src/core/input-error.js";
import { relaySettings } from "../../src/services/relay/options.js";
import type { NewAction } from "../../src/services/relay/actions.js";
import { Store, type BatchRow } from "../../src/services/relay/store.js";

const A = "0x00000000000000000000000000000000000000aa";
const B = "0x00000000000000000000000000000000000000bb";
const BUDGET = { requests: 10, gas: 1_000_000, since: 0 };

let counter = 0;
function action(signer: string, nonce: number, over: Partial<NewAction> = {}): NewAction {
  counter++;
  return {
    id: `0x${counter.toString(16).padStart(64, "0")}`,
    signer,
    nonce,
    target: "0x00000000000000000000000000000000000000cc",
    gas: 100_000,
    deadline: Math.floor(Date.now() / 1000) + 3_600,
    data: "0x",
    signature: `0x${"11".repeat(65)}`,
    receivedAt: Date.now(),
    ...over,
  };
}

describe("relay store: sponsored actions (SQLite)", function () {
  let store: Store;

  beforeEach(function () {
    store = new Store(":memory:", { init: true });
  });

  afterEach(function () {
    store.close();
  });

  it("answers the same request with its id, refuses another of the same nonce, counts budgets", async function () {
    const first = action(A, 0);
    expect(await store.addAction(first, BUDGET)).to.deep.equal({ ok: true, id: first.id, duplicate: false });
    expect(await store.addAction(first, BUDGET)).to.deep.equal({ ok: true, id: first.id, duplicate: true });
    expect(await store.addAction(action(A, 0), BUDGET)).to.deep.include({ ok: false, status: 409 });
    expect(await store.addAction(action(A, 1), { ...BUDGET, requests: 1 })).to.deep.equal({
      ok: false,
      status: 429,
      reason: "budget",
      message: "over budget: 1 of 1 requests a day used by this signer",
    });
    expect(await store.addAction(action(A, 1, { gas: 950_001 }), BUDGET)).to.deep.include({ status: 429 });
    // Requests older than the budget's window do not count; another signer has its own.
    expect(await store.addAction(action(A, 1), { ...BUDGET, requests: 1, since: Date.now() + 1 })).to.include({
      ok: true,
    });
    expect(await store.addAction(action(B, 0), { ...BUDGET, requests: 1 })).to.include({ ok: true });
    expect(store.actionStatus(first.id)).to.deep.equal({ id: first.id, state: "queued" });
  });

  it("moves actions through a batch: a signer in flight waits; done, refused, or queued again", async function () {
    const rows = [action(A, 0), action(A, 1), action(B, 0), action(B, 1)];
    for (const row of rows) await store.addAction(row, BUDGET);
    const queued = store.queuedActions(10);
    expect(queued.map((r) => `${r.signer}:${r.nonce}`)).to.deep.equal([`${A}:0`, `${A}:1`, `${B}:0`, `${B}:1`]);
    const seqOf = (id: string) => queued.find((r) => r.id === id)!.seq;
    const batchId = store.recordBatch(
      { kind: "action", stage: 0, nonce: 7, hash: `0x${"ab".repeat(32)}`, raw: "0x01" },
      [seqOf(rows[0]!.id), seqOf(rows[2]!.id)],
    );
    // A and B have an action in flight: their later nonces wait.
    expect(store.queuedActions(10)).to.deep.equal([]);
    expect(store.actionStatus(rows[0]!.id)).to.deep.equal({
      id: rows[0]!.id,
      state: "submitted",
      txHash: `0x${"ab".repeat(32)}`,
    });
    const [batch] = store.openBatches();
    expect(batch?.kind).to.equal("action");
    store.batchFailed(batch as BatchRow, "lost", "replaced");
    expect(store.queuedActions(10)).to.have.length(4);
    const again = store.recordBatch({ kind: "action", stage: 0, nonce: 8, hash: `0x${"cd".repeat(32)}`, raw: "0x02" }, [
      seqOf(rows[0]!.id),
      seqOf(rows[2]!.id),
    ]);
    expect(again).to.not.equal(batchId);
    store.actionBatchMined(store.openBatches()[0]!, 42, 90_000n, [
      { seq: seqOf(rows[0]!.id), state: "done" },
      { seq: seqOf(rows[2]!.id), state: "refused", reason: "the call reverted" },
    ]);
    expect(store.actionStatus(rows[0]!.id)).to.deep.equal({
      id: rows[0]!.id,
      state: "done",
      txHash: `0x${"cd".repeat(32)}`,
      block: 42,
    });
    expect(store.actionStatus(rows[2]!.id)).to.deep.include({ state: "refused", reason: "the call reverted" });
    store.refuseActions([{ seq: seqOf(rows[3]!.id), reason: "deadline passed" }]);
    expect(store.allActions().map((r) => r.state)).to.deep.equal(["done", "queued", "refused", "refused"]);
  });
});

describe("relay options for sponsored actions", function () {
  it("reads --forwarder, budgets, --action-batch and --action-targets, each bad one refused in one line", function () {
    const settings = relaySettings({
      forwarder: A,
      forwarderName: "FishTrace",
      sponsorRequests: "20",
      sponsorGas: "900000",
      actionBatch: "10",
      actionTargets: `${A}, ${B}`,
    });
    expect(settings.forwarder).to.equal(getAddress(A));
    expect(settings.sponsorBudget).to.deep.equal({ requestsPerDay: 20, gasPerDay: 900_000 });
    expect(settings.submitter?.actionBatch).to.equal(10);
    expect(settings.actionTargets).to.deep.equal([getAddress(A), getAddress(B)]);
    expect(relaySettings({}).forwarder).to.equal(undefined);
    const refused = (args: Parameters<typeof relaySettings>[0]) => {
      try {
        relaySettings(args);
      } catch (err) {
        expect(err).to.be.instanceOf(InputError);
        return (err as Error).message;
      }
      return "accepted";
    };
    expect(refused({ forwarder: "0x12" })).to.equal('--forwarder "0x12" is not an address');
    expect(refused({ sponsorRequests: "0" })).to.equal("--sponsor-requests must be at least 1");
    expect(refused({ sponsorGas: "lots" })).to.match(/^--sponsor-gas/);
    expect(refused({ actionTargets: `${A},nope` })).to.equal('--action-targets: "nope" is not an address');
    expect(refused({ forwarderName: " " })).to.equal("--forwarder-name is empty");
  });
});
