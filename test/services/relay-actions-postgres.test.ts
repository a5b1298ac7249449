/**
 * Sponsored actions on a PostgreSQL relay store (a real server started here) shared by two relays, each sending from
 * its own account: a request posted to both is one action, every signer's nonces execute once and in order whichever
 * relay sends them, a nonce accepted by one relay is a conflict at the other, and the budget is the store's, so
 * both relays count it together.
 */
import { expect } from "chai";
import { HDNodeWallet, Wallet } from "ethers";

import type { Relay } from "../../src/services/relay/relay.js";
import { actionWorld, recorded, signedAction, type ActionWorld } from "../helpers/action-world.js";
import { startPostgres, type RunningPostgres } from "../helpers/postgres.js";
import { eventually, post, relayFor, relayWorld, type RelayWorld } from "../helpers/relay-world.js";

const MNEMONIC = "test test test test test test test test test test test junk";

describe("relay: sponsored actions on PostgreSQL, two relays", function () {
  this.timeout(120_000);
  let postgres: RunningPostgres | undefined;
  let world: RelayWorld;
  let actions: ActionWorld;
  const relays: Relay[] = [];

  before(async function () {
    postgres = await startPostgres();
    world = await relayWorld(1);
    actions = await actionWorld(world, 4, "postgres");
    const options = {
      database: postgres.url,
      forwarder: actions.forwarder,
      actionTargets: [actions.targetAddress],
      sponsorBudget: { requestsPerDay: 6 },
    };
    relays.push(await relayFor(world, "unused", options));
    const second = HDNodeWallet.fromPhrase(MNEMONIC, "", "m/44'/60'/0'/0/18");
    relays.push(await relayFor(world, "unused", { ...options, wallet: new Wallet(second.privateKey, world.provider) }));
  });

  after(async function () {
    for (const relay of relays) await relay.close();
    world?.cleanup();
    await postgres?.stop();
  });

  it("executes each signer's nonces once and in order, whichever relay took them", async function () {
    const [a, b] = [relays[0]!, relays[1]!];
    const signers = actions.signers.slice(0, 3);
    const ids = new Set<string>();
    await Promise.all(
      signers.map(async (signer, s) => {
        for (const nonce of [3, 1, 0, 2, 4]) {
          const body = await signedAction(world, actions, signer, nonce, 10 * (s + 1) + nonce);
          const answer = await post(`${(nonce % 2 === 0 ? a : b).url}/v1/actions`, body);
          expect(answer.status, JSON.stringify(answer.json)).to.equal(202);
          // The same request at the other relay: the same action.
          const again = await post(`${(nonce % 2 === 0 ? b : a).url}/v1/actions`, body);
          expect(again.json.id).to.equal(answer.json.id);
          ids.add(String(answer.json.id));
        }
      }),
    );
    expect(ids.size).to.equal(15);
    await eventually(
      async () => (await a.store.allActions()).every((r) => r.state === "done"),
      60_000,
      "every action done",
    );
    for (const [s, signer] of signers.entries()) {
      const base = 10 * (s + 1);
      expect(await recorded(actions, signer.address)).to.deep.equal([0, 1, 2, 3, 4].map((n) => base + n));
    }
    const status = await (await fetch(`${b.url}/v1/actions/${[...ids][0]}`)).json();
    expect(status).to.include({ state: "done" });
  });

  it("refuses a second request for an accepted nonce, and counts the budget across relays", async function () {
    const [a, b] = [relays[0]!, relays[1]!];
    const signer = actions.signers[3]!;
    expect((await post(`${a.url}/v1/actions`, await signedAction(world, actions, signer, 9, 1))).status).to.equal(202);
    const conflict = await post(`${b.url}/v1/actions`, await signedAction(world, actions, signer, 9, 2));
    expect(conflict.status).to.equal(409);
    expect(conflict.json.reason).to.equal("nonce_conflict");
    for (let nonce = 10; nonce < 15; nonce++) {
      const relay = nonce % 2 === 0 ? a : b;
      expect(
        (await post(`${relay.url}/v1/actions`, await signedAction(world, actions, signer, nonce, 1))).status,
      ).to.equal(202);
    }
    const over = await post(`${b.url}/v1/actions`, await signedAction(world, actions, signer, 15, 1));
    expect(over.status).to.equal(429);
    expect(over.json).to.deep.equal({
      error: "over budget: 6 of 6 requests a day used by this signer",
      reason: "budget",
    });
  });
});
