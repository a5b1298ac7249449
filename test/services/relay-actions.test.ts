/**
 * Sponsored actions through the relay (POST /v1/actions, GET /v1/actions/:id) on an in-process chain with
 * OpenZeppelin's forwarder and a target that trusts it: each refusal with its status, reason and one line; a request
 * stored before its 202, answered with the same id when sent again, executed once through `executeBatch` with the
 * signer as the target's `_msgSender()`; several signers' nonces in order; budgets that survive a restart.
 */
import { expect } from "chai";
import { Wallet, id } from "ethers";

import type { Relay } from "../../src/services/relay/relay.js";
import { actionWorld, deploy, recorded, signedAction, type ActionWorld } from "../helpers/action-world.js";
import {
  chainNow,
  eventually,
  post,
  relayFor,
  relayWorld,
  signedScan,
  wire,
  type RelayWorld,
} from "../helpers/relay-world.js";

async function get(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function settled(relay: Relay, requestId: unknown): Promise<Record<string, unknown>> {
  let answer: Record<string, unknown> = {};
  await eventually(
    async () => {
      answer = (await get(`${relay.url}/v1/actions/${String(requestId)}`)).json;
      return answer.state === "done" || answer.state === "refused";
    },
    15_000,
    `action ${String(requestId)} settled`,
  );
  return answer;
}

describe("relay: sponsored actions", function () {
  this.timeout(60_000);
  let world: RelayWorld;
  let actions: ActionWorld;
  let relay: Relay;

  before(async function () {
    world = await relayWorld(1);
    actions = await actionWorld(world, 6);
    relay = await relayFor(world, "actions.sqlite", {
      forwarder: actions.forwarder,
      actionTargets: [actions.targetAddress],
    });
  });

  after(async function () {
    await relay?.close();
    world?.cleanup();
  });

  it("executes a request once, by its signer, and answers a repeat with the same id", async function () {
    const [signer] = actions.signers;
    const body = await signedAction(world, actions, signer!, 0, 41);
    const first = await post(`${relay.url}/v1/actions`, body);
    expect(first.status).to.equal(202);
    expect(first.json.id).to.match(/^0x[0-9a-f]{64}$/);
    const again = await post(`${relay.url}/v1/actions`, body);
    expect(again).to.deep.equal({ status: 202, json: { id: first.json.id } });
    const done = await settled(relay, first.json.id);
    expect(done.state).to.equal("done");
    expect(done.txHash).to.match(/^0x[0-9a-f]{64}$/);
    const receipt = await world.provider.getTransactionReceipt(String(done.txHash));
    expect(done.block).to.equal(receipt?.blockNumber);
    expect(await recorded(actions, signer!.address)).to.deep.equal([41]);
    // Sent again once it is on chain: the same id, still done, not executed twice.
    expect((await post(`${relay.url}/v1/actions`, body)).json.id).to.equal(first.json.id);
    expect(await recorded(actions, signer!.address)).to.deep.equal([41]);
  });

  it("executes several signers' nonces in nonce order, though they arrive out of order", async function () {
    const signers = actions.signers.slice(1, 4);
    const ids: unknown[] = [];
    for (const [s, signer] of signers.entries()) {
      // Nonce 2, then 1, then 0: the later ones wait for the earlier.
      for (const nonce of [2, 1, 0]) {
        const answer = await post(
          `${relay.url}/v1/actions`,
          await signedAction(world, actions, signer, nonce, 100 * (s + 1) + nonce),
        );
        expect(answer.status, JSON.stringify(answer.json)).to.equal(202);
        ids.push(answer.json.id);
      }
    }
    for (const requestId of ids) expect((await settled(relay, requestId)).state).to.equal("done");
    for (const [s, signer] of signers.entries()) {
      const base = 100 * (s + 1);
      expect(await recorded(actions, signer.address)).to.deep.equal([base, base + 1, base + 2]);
    }
  });

  it("refuses each bad request with its status, reason and one line", async function () {
    const [used, signer] = [actions.signers[0]!, actions.signers[4]!];
    const url = `${relay.url}/v1/actions`;
    const expectRefused = async (body: unknown, status: number, reason: string, error: RegExp) => {
      const answer = await post(url, body);
      expect(answer.status, JSON.stringify(answer.json)).to.equal(status);
      expect(answer.json.reason).to.equal(reason);
      expect(String(answer.json.error)).to.match(error).and.not.include("\n");
    };
    // Forged: signed by another key, or a field changed after signing.
    const forged = await signedAction(world, actions, new Wallet(id("forger")), 0, 7, { from: signer.address });
    await expectRefused(forged, 400, "bad_signature", /signature is by 0x[0-9a-fA-F]{40}, not by from/);
    const altered = { ...(await signedAction(world, actions, signer, 0, 7)), gas: "100001" };
    await expectRefused(altered, 400, "bad_signature", /not by from/);
    await expectRefused({ ...altered, nonce: "x" }, 400, "malformed", /nonce is not a whole number/);
    // Replayed: a nonce used on chain, and another request with a nonce already accepted.
    await expectRefused(
      await signedAction(world, actions, used, 0, 8),
      409,
      "nonce_used",
      /nonce 0 of .* is used on chain already \(its next is 1\)/,
    );
    const pending = await signedAction(world, actions, signer, 5, 9);
    expect((await post(url, pending)).status).to.equal(202);
    await expectRefused(
      await signedAction(world, actions, signer, 5, 10),
      409,
      "nonce_conflict",
      /another request of .* with nonce 5 was already accepted/,
    );
    // The relay checks deadlines on the chain's clock (the later of its last block's and the wall clock's).
    const now = Math.max(await chainNow(world), Math.floor(Date.now() / 1000));
    await expectRefused(
      await signedAction(world, actions, signer, 6, 1, { deadline: now - 10 }),
      400,
      "expired",
      /the deadline .* has passed/,
    );
    await expectRefused(
      await signedAction(world, actions, signer, 6, 1, { deadline: now + 20 }),
      400,
      "expired",
      /too close/,
    );
    await expectRefused(
      await signedAction(world, actions, signer, 6, 1, { to: world.addresses.registry }),
      400,
      "wrong_target",
      /is not one of this deployment's contracts/,
    );
    await expectRefused(
      await signedAction(world, actions, signer, 6, 1, { gas: 600_000n }),
      400,
      "gas_cap",
      /gas 600000 is not within 1\.\.500000/,
    );
    await expectRefused(
      await signedAction(world, actions, signer, 6, 1, { value: 1n }),
      400,
      "malformed",
      /the relay sponsors gas, never ETH/,
    );
    await expectRefused(
      await signedAction(world, actions, new Wallet(id("nobody")), 0, 1),
      403,
      "not_participant",
      /is not a registered participant with a role/,
    );
    await expectRefused(
      await signedAction(world, actions, signer, 6, 0),
      422,
      "simulation_failed",
      /the call would fail: StageSpeciesNotListed: species COD is not on the registry's species list/,
    );
    await expectRefused("{", 400, "malformed", /the body is not JSON/);
    await expectRefused({ data: `0x${"00".repeat(70_000)}` }, 413, "too_large", /131072/);
    const unknown = await get(`${relay.url}/v1/actions/0x${"ab".repeat(32)}`);
    expect(unknown.status).to.equal(404);
    expect((await get(`${relay.url}/v1/actions/nope`)).json.reason).to.equal("malformed");
    // Nonce 5 waits for nonces 0..4 of its signer: it is in the queue /healthz and the metrics report.
    await eventually(
      async () => ((await get(`${relay.url}/healthz`)).json.queue as { actions: number }).actions >= 1,
      5_000,
      "the action in the queue /healthz reports",
    );
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).to.match(/fishtrace_relay_actions_queue_depth [1-9]/);
    expect(metrics).to.match(/fishtrace_relay_actions_rejected_total\{reason="nonce_conflict"\} 1/);
    expect(metrics).to.match(/fishtrace_relay_account_balance_eth \d/);
  });

  it("refuses an action whose call reverts when executed (ExecutedForwardRequest success=false)", async function () {
    const refusing = await deploy(world, "ForwardedTarget", [actions.forwarder]);
    const refusingAddress = await refusing.getAddress();
    const [a, b] = [actions.signers[5]!, actions.signers[3]!];
    const slow = await relayFor(world, "slow.sqlite", {
      forwarder: actions.forwarder,
      actionTargets: [actions.targetAddress, refusingAddress],
      submitter: { actionBatch: 2, maxAgeMs: 60_000 },
    });
    try {
      const first = await post(
        `${slow.url}/v1/actions`,
        await signedAction(world, actions, a, 0, 5, {
          to: refusingAddress,
          data: refusing.interface.encodeFunctionData("record", [5]),
        }),
      );
      expect(first.status).to.equal(202);
      await (await refusing.getFunction("setRefusing")(true)).wait();
      const second = await post(`${slow.url}/v1/actions`, await signedAction(world, actions, b, 3, 303));
      expect(second.status, JSON.stringify(second.json)).to.equal(202);
      const refused = await settled(slow, first.json.id);
      expect(refused).to.include({ state: "refused", reason: "the call reverted" });
      expect(refused.txHash).to.match(/^0x/);
      expect((await settled(slow, second.json.id)).state).to.equal("done");
    } finally {
      await slow.close();
    }
  });

  it("keeps budgets per signer across a restart (429 naming the budget)", async function () {
    const [signer, other] = [actions.signers[4]!, actions.signers[2]!];
    const options = {
      forwarder: actions.forwarder,
      actionTargets: [actions.targetAddress],
      sponsorBudget: { requestsPerDay: 2, gasPerDay: 190_000 },
      submitter: { maxAgeMs: 60_000, actionBatch: 100 },
    };
    let budgeted = await relayFor(world, "budget.sqlite", options);
    try {
      const first = await post(`${budgeted.url}/v1/actions`, await signedAction(world, actions, signer, 10, 1));
      expect(first.status, JSON.stringify(first.json)).to.equal(202);
      const gas = await post(`${budgeted.url}/v1/actions`, await signedAction(world, actions, signer, 11, 1));
      expect(gas.status).to.equal(429);
      expect(gas.json).to.deep.equal({
        error: "over budget: 100000 + 100000 gas is above the 190000 gas a day of this signer",
        reason: "budget",
      });
      const small = await signedAction(world, actions, signer, 11, 1, { gas: 80_000n });
      expect((await post(`${budgeted.url}/v1/actions`, small)).status).to.equal(202);
      await budgeted.close();
      budgeted = await relayFor(world, "budget.sqlite", { ...options, init: false });
      const third = await post(`${budgeted.url}/v1/actions`, await signedAction(world, actions, signer, 12, 1));
      expect(third.status).to.equal(429);
      expect(third.json).to.deep.equal({
        error: "over budget: 2 of 2 requests a day used by this signer",
        reason: "budget",
      });
      // Another signer has a budget of its own.
      const fresh = await post(`${budgeted.url}/v1/actions`, await signedAction(world, actions, other, 3, 1));
      expect(fresh.status, JSON.stringify(fresh.json)).to.not.equal(429);
    } finally {
      await budgeted.close();
    }
  });

  it("refuses an acknowledged action whose deadline passes before it can be sent", async function () {
    // Stored as intake would store it, with a deadline intake no longer takes (it is 10 s away).
    const signer = actions.signers[5]!;
    const body = await signedAction(world, actions, signer, 7, 1);
    const requestId = `0x${"5d".repeat(32)}`;
    const stored = await relay.store.addAction(
      {
        id: requestId,
        signer: signer.address,
        nonce: 7,
        target: actions.targetAddress,
        gas: 100_000,
        deadline: Math.floor(Date.now() / 1000) + 10,
        data: body.data,
        signature: body.signature,
        receivedAt: Date.now(),
      },
      { requests: 10, gas: 1_000_000, since: 0 },
    );
    expect(stored).to.deep.equal({ ok: true, id: requestId, duplicate: false });
    expect(await settled(relay, requestId)).to.deep.equal({
      id: requestId,
      state: "refused",
      reason: "deadline passed",
    });
  });

  it("keeps putting readings on chain while sponsored actions cannot go out", async function () {
    // A "forwarder" that is not one (the target: no nonces(), no executeBatch): every action round fails.
    const broken = await relayFor(world, "broken.sqlite", {
      forwarder: actions.targetAddress,
      actionTargets: [actions.targetAddress],
    });
    try {
      const signer = actions.signers[1]!;
      const body = await signedAction(world, actions, signer, 50, 1);
      const requestId = `0x${"b0".repeat(32)}`;
      const row = { ...body, id: requestId, signer: signer.address, nonce: 50, target: actions.targetAddress };
      const stored = await broken.store.addAction(
        { ...row, gas: 100_000, receivedAt: Date.now() },
        { requests: 10, gas: 1_000_000, since: 0 },
      );
      expect(stored.ok).to.equal(true);
      await eventually(() => broken.submitter.health().failingRounds > 0, 10_000, "an action round failing");
      // One reading after another: each must get its turn though the actions' turn fails every time.
      for (let i = 0; i < 2; i++) {
        const scan = await signedScan(world, world.lots[0]!);
        expect((await post(`${broken.url}/v1/qat/readings`, wire(scan))).status).to.equal(202);
        await eventually(
          async () =>
            (await broken.store.qatStatus(world.device.address, scan.reading.readingId.toString()))?.state === "done",
          15_000,
          `reading ${i} on chain`,
        );
      }
      expect((await get(`${broken.url}/v1/actions/${requestId}`)).json.state).to.equal("queued");
    } finally {
      await broken.close();
    }
  });

  it("answers 503 when the relay is told to take no actions", async function () {
    const plain = await relayFor(world, "plain.sqlite", { forwarder: false });
    try {
      const answer = await post(`${plain.url}/v1/actions`, {});
      expect(answer).to.deep.equal({
        status: 503,
        json: { error: "this relay takes no sponsored actions", reason: "not_sponsoring" },
      });
    } finally {
      await plain.close();
    }
  });
});
