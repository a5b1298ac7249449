/**
 * The actor views with the app key instead of a wallet, in a real Chromium with no wallet at all: a FishTrace
 * deployment on an in-process chain of its own (test/helpers/relay-world.ts, with its forwarder), the real relay
 * taking sponsored actions (a budget of one request a day), and the dApp's own server in front of both, serving a
 * build of the dApp (test/helpers/web/dapp.ts). The actor, with no ETH, chooses the app key and makes it;
 * the registry's administrator (the test) registers its address as a harvester; after a reload the actor unlocks it,
 * registers a catch, and the lot is on chain with the entered data and the key's participant as its custodian —
 * sent and paid for by the relay. The second catch is over the sponsor's budget and the relay then goes away: each
 * is one line in the transaction panel, and nothing reaches the chain.
 */
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";

import { expect } from "chai";
import { Contract } from "ethers";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { FORWARDER_ABI } from "../../src/core/forward-request.js";
import { gtinCheckDigit } from "../../src/core/digital-link.js";
import { roleId } from "../../src/core/roles.js";
import type { StaticServer } from "../../src/services/web/server.js";
import type { Relay } from "../../src/services/relay/relay.js";
import { launchChromium } from "../helpers/web/browser.js";
import { builtDapp, serveSponsoringDapp } from "../helpers/web/dapp.js";
import { relayFor, relayWorld, type RelayWorld } from "../helpers/relay-world.js";

const PASSPHRASE = "deckhand-passphrase";
const ARTIFACTS = path.join("test-artifacts", "web");

/** The in-process chain over HTTP (JSON-RPC, batches too), for the dApp server's /rpc proxy. */
async function rpcBridge(world: RelayWorld): Promise<{ server: Server; url: string }> {
  const provider = world.connection.provider;
  const answer = async (call: { id?: unknown; method?: string; params?: unknown[] }) => {
    try {
      const result: unknown = await provider.request({ method: call.method ?? "", params: call.params ?? [] });
      return { jsonrpc: "2.0", id: call.id, result };
    } catch (e: any) {
      return { jsonrpc: "2.0", id: call.id, error: { code: e.code ?? -32603, message: e.message, data: e.data } };
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      void (Array.isArray(body) ? Promise.all(body.map(answer)) : answer(body as never)).then((out) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(out));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Transaction `seq` of the page once it left the wallet state: its state, text and result. */
async function settled(page: Page, seq: number): Promise<{ state: string; text: string; result: string }> {
  const line = page.locator(`[data-testid="tx-status"][data-action="register-catch"][data-seq="${seq}"]`);
  await line.and(page.locator('[data-state="confirmed"], [data-state="failed"]')).waitFor({ timeout: 30_000 });
  return {
    state: (await line.getAttribute("data-state")) ?? "",
    text: ((await line.locator(".actor-tx-text").textContent()) ?? "").replace(/\s+/g, " ").trim(),
    result: (await line.getAttribute("data-result")) ?? "",
  };
}

async function registerCatch(page: Page, weight: string): Promise<void> {
  const form = page.getByTestId("form-register-catch");
  await form.locator('[name="species"]').fill("COD");
  await form.locator('[name="weight"]').fill(weight);
  await form.locator('[name="latitude"]').fill("69.5");
  await form.locator('[name="longitude"]').fill("17.25");
  await form.locator('[name="vessel"]').fill("LK-992");
  await form.getByTestId("submit").click();
}

describe("web: the actor views sign with the app key; the sponsor's relay sends and pays", function () {
  this.timeout(120_000);
  let world: RelayWorld | undefined;
  let relay: Relay | undefined;
  let relayOpen = false;
  let bridge: { server: Server; url: string } | undefined;
  let web: StaticServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  before(async function () {
    // The build (shared with the vessel test) runs while the chain and the relay start.
    const building = builtDapp();
    building.catch(() => undefined);
    world = await relayWorld(0);
    relay = await relayFor(world, "relay.sqlite", { sponsorBudget: { requestsPerDay: 1 } });
    relayOpen = true;
    expect(relay.forwarder, "the deployment's forwarder").to.be.a("string");
    bridge = await rpcBridge(world);
    web = await serveSponsoringDapp({
      dist: await building,
      nodeUrl: bridge.url,
      relayUrl: relay.url,
      chainId: Number(world.chainId),
      addresses: world.addresses,
      forwarder: relay.forwarder!,
    });
    browser = await launchChromium();
    context = await browser.newContext();
  });

  after(async function () {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await web?.close();
    if (relayOpen) await relay?.close();
    await new Promise<void>((resolve) => (bridge === undefined ? resolve() : bridge.server.close(() => resolve())));
    world?.cleanup();
  });

  it("a harvester with no ETH and no wallet registers a catch through the relay; refusals are one line", async function () {
    const w = world!;
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web!.url}/actor`);
    // No wallet in this browser: the page says so, and offers the app key.
    await page.getByTestId("wallet-message").filter({ hasText: "No Ethereum wallet found" }).waitFor();
    await page.getByTestId("signing-app-key").check();

    const make = page.getByTestId("form-app-key");
    await make.locator('[name="passphrase"]').fill(PASSPHRASE);
    await make.locator('[name="repeated"]').fill("another-passphrase");
    await make.getByTestId("submit").click();
    await page.getByTestId("app-key-error").filter({ hasText: "the two passphrases differ" }).waitFor();
    await make.locator('[name="repeated"]').fill(PASSPHRASE);
    await make.getByTestId("submit").click();
    const account = page.getByTestId("account");
    await account.waitFor();
    const appKey = ((await account.textContent()) ?? "").trim();
    expect(appKey).to.match(/^0x[0-9a-fA-F]{40}$/);
    // Not registered yet: the page says who registers the address, and offers nothing to sign.
    const notice = page.getByTestId("wallet-message").filter({ hasText: "not a FishTrace participant yet" });
    await notice.waitFor();
    expect(await notice.textContent()).to.include(appKey);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "actor-app-key-unregistered.png") });
    expect(await page.getByTestId("form-register-catch").count()).to.equal(0);
    expect(await w.provider.getBalance(appKey)).to.equal(0n);

    // The registry's administrator registers the key's address as a harvester.
    const gln = ((body: string) => body + String(gtinCheckDigit(body)))("703801000013");
    await (await w.fishTrace.registry.registerParticipant(appKey, roleId("HARVESTER"), "MV Deckhand", gln)).wait();

    // Back on the page (a reload: the choice of the app key is remembered, the key is in IndexedDB).
    await page.reload();
    const unlock = page.getByTestId("form-app-key-unlock");
    expect(await unlock.getByTestId("app-key-address").textContent()).to.equal(appKey);
    await unlock.locator('[name="passphrase"]').fill("not the passphrase");
    await unlock.getByTestId("submit").click();
    await page.getByTestId("app-key-error").filter({ hasText: "wrong passphrase" }).waitFor();
    await unlock.locator('[name="passphrase"]').fill(PASSPHRASE);
    await unlock.getByTestId("submit").click();
    await page.getByTestId("role").filter({ hasText: "Harvester" }).waitFor();

    await registerCatch(page, "180kg");
    const done = await settled(page, 1);
    expect(done.state, done.text).to.equal("confirmed");
    const lotId = BigInt(done.result);
    expect(done.text).to.include(`lot ${lotId}`);
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: path.join(ARTIFACTS, "actor-app-key-catch.png") });
    const lot = await w.fishTrace.harvester.getLot(lotId);
    expect(lot.weightGrams).to.equal(180_000n);
    expect(lot.custodianId, "the key's participant holds the lot").to.equal(
      (await w.fishTrace.registry.authorization(appKey)).id,
    );
    const [registered] = await w.fishTrace.harvester.queryFilter(w.fishTrace.harvester.filters.FishRegistered(lotId));
    const receipt = await registered!.getTransactionReceipt();
    expect(receipt.from, "the relay sent it").to.equal(w.relayWallet.address);
    expect(receipt.to, "through the forwarder").to.equal(relay!.forwarder);
    expect(await w.provider.getBalance(appKey), "the harvester paid nothing").to.equal(0n);
    const forwarder = new Contract(relay!.forwarder!, FORWARDER_ABI, w.provider);
    expect(await forwarder.getFunction("nonces")(appKey)).to.equal(1n);
    const lots = async () =>
      (await w.fishTrace.harvester.queryFilter(w.fishTrace.harvester.filters.FishRegistered())).length;
    const lotsBefore = await lots();

    // Over the sponsor's budget (one request a day): the relay's reason in one line, nothing on chain.
    await registerCatch(page, "90kg");
    const over = await settled(page, 2);
    expect(over.state).to.equal("failed");
    expect(over.text).to.match(/^Not sent: the sponsor's relay cannot take it now: over budget: 1 of 1 requests/);

    // The relay goes away: one line again, nothing on chain.
    await relay!.close();
    relayOpen = false;
    await registerCatch(page, "90kg");
    const away = await settled(page, 3);
    expect(away.state).to.equal("failed");
    expect(away.text).to.match(/^Not sent: the sponsor's relay cannot take it now: the relay did not answer/);
    expect(await lots()).to.equal(lotsBefore);
    expect(await forwarder.getFunction("nonces")(appKey)).to.equal(1n);

    // Locked: no account until the passphrase is typed again.
    await page.getByTestId("lock-app-key").click();
    await page.getByTestId("form-app-key-unlock").waitFor();
    expect(await page.getByTestId("account").count()).to.equal(0);

    // Back to a wallet: this browser has none, and the page says so.
    await page.getByTestId("signing-wallet").check();
    await page.getByTestId("wallet-message").filter({ hasText: "No Ethereum wallet found" }).waitFor();
    expect(await page.getByTestId("account").count()).to.equal(0);
    expect(errors, "errors in the page").to.deep.equal([]);
  });
});
