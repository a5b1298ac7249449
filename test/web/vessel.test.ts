/**
 * The vessel app (`/vessel`, web/src/vessel/) in a real Chromium, offline: the built dApp (test/helpers/web/dapp.ts:
 * a build of the test process's own, so the other browser tests' web/dist is left alone) behind the dApp's own server with a deployment that
 * takes sponsored actions, and a relay endpoint in this test that records what reaches `/v1/actions`. The page is
 * visited once online (the service worker caches the app), the key made; then with the network off the page is
 * reloaded, two catches are signed, the page is closed and opened again — still offline — and both wait on the
 * phone; with the network back both reach the relay, each a ForwardRequest for `Harvester.registerFish` signed by the
 * app's key for the deployment's forwarder, nonces 0 and 1, with the entered data.
 *
 * What the relay does with them (the forwarder, the chain) is the relay's own test.
 */
import { createServer, type Server } from "node:http";

import { expect } from "chai";
import { Wallet, id } from "ethers";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { Harvester__factory } from "../../typechain-types/index.js";
import { readSignedRequest } from "../../src/core/forward-request.js";
import { DEPLOYMENT_KEYS, type FishTraceAddresses } from "../../src/core/deployment.js";
import type { StaticServer } from "../../src/services/web/server.js";
import { launchChromium } from "../helpers/web/browser.js";
import { builtDapp, serveSponsoringDapp } from "../helpers/web/dapp.js";

const CHAIN_ID = 31337;
const FORWARDER = new Wallet(id("vessel test: forwarder")).address;
const address = (name: string) => new Wallet(id(`vessel test: ${name}`)).address;
const ADDRESSES = Object.fromEntries(DEPLOYMENT_KEYS.map((key) => [key, address(key)])) as FishTraceAddresses;
const PASSPHRASE = "north-cape-2026";

/** What the test's relay endpoint received, and the server. */
interface Relay {
  server: Server;
  url: string;
  posts: unknown[];
}

async function startRelayEndpoint(): Promise<Relay> {
  const posts: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/v1/actions") {
        posts.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        res.writeHead(202, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: `action-${posts.length}` }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ state: "queued" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const where = server.address();
  const port = typeof where === "object" && where !== null ? where.port : 0;
  return { server, url: `http://127.0.0.1:${port}`, posts };
}

async function queueStates(page: Page): Promise<string[]> {
  await page.getByTestId("vessel-queue").waitFor();
  return page.getByTestId("vessel-catch").evaluateAll((items) => items.map((i) => i.getAttribute("data-state") ?? ""));
}

async function signCatch(page: Page, weight: string, latitude: string, nth: number): Promise<void> {
  const form = page.getByTestId("form-vessel-catch");
  await form.locator("input[name=species]").fill("COD");
  await form.locator("input[name=weight]").fill(weight);
  await form.locator("select[name=unit]").selectOption("kg");
  await form.locator("input[name=latitude]").fill(latitude);
  await form.locator("input[name=longitude]").fill("18.5");
  await form.locator("input[name=caughtAt]").fill("2026-12-06T05:30");
  await form.getByTestId("submit").click();
  // Signed when it is in the phone's queue (the notice of the one before may still be showing).
  await page.locator("[data-testid=vessel-catch][data-state=signed]").nth(nth).waitFor();
}

describe("web: the vessel app signs catches offline and sends them when the network returns", function () {
  this.timeout(120_000);
  let relay: Relay | undefined;
  let web: StaticServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  before(async function () {
    const dist = await builtDapp();
    relay = await startRelayEndpoint();
    // No node: the page must go on with what it has.
    web = await serveSponsoringDapp({
      dist,
      nodeUrl: "http://127.0.0.1:9",
      relayUrl: relay.url,
      chainId: CHAIN_ID,
      addresses: ADDRESSES,
      forwarder: FORWARDER,
    });
    browser = await launchChromium();
    context = await browser.newContext();
  });

  after(async function () {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await web?.close();
    await new Promise<void>((resolve) => (relay === undefined ? resolve() : relay.server.close(() => resolve())));
  });

  it("caches the app, keeps two catches signed offline across a closed page, and sends both when online", async function () {
    const ctx = context!;
    const base = web!.url;
    let page = await ctx.newPage();
    await page.goto(`${base}/vessel`);
    // The first visit installs the service worker; it caches the whole build before it activates.
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)");

    await page.getByTestId("form-vessel-key").locator("input[name=passphrase]").fill(PASSPHRASE);
    await page.getByTestId("form-vessel-key").locator("input[name=repeated]").fill(PASSPHRASE);
    await page.getByTestId("form-vessel-key").getByTestId("submit").click();
    const keyAddress = (await page.getByTestId("vessel-address").textContent())?.trim() ?? "";
    expect(keyAddress).to.match(/^0x[0-9a-fA-F]{40}$/);

    // At sea: no network. The page comes from the service worker's cache.
    await ctx.setOffline(true);
    await page.reload();
    await page.getByTestId("vessel-network").filter({ hasText: "Offline" }).waitFor();
    await page.getByTestId("form-vessel-unlock").locator("input[name=passphrase]").fill("wrong passphrase");
    await page.getByTestId("form-vessel-unlock").getByTestId("submit").click();
    await page.getByTestId("vessel-error").filter({ hasText: "wrong passphrase" }).waitFor();
    await page.getByTestId("form-vessel-unlock").locator("input[name=passphrase]").fill(PASSPHRASE);
    await page.getByTestId("form-vessel-unlock").getByTestId("submit").click();
    await signCatch(page, "250", "69.12", 0);
    await signCatch(page, "1.5", "69.3", 1);
    expect(await queueStates(page)).to.deep.equal(["signed", "signed"]);

    // The page is closed and opened again, still offline: the catches are on the phone.
    await page.close();
    page = await ctx.newPage();
    await page.goto(`${base}/vessel`);
    expect(await queueStates(page)).to.deep.equal(["signed", "signed"]);
    expect(relay!.posts).to.have.length(0);

    // Back in port.
    await ctx.setOffline(false);
    await page.evaluate("window.dispatchEvent(new Event('online'))");
    await page.locator("[data-testid=vessel-catch][data-state=sent]").nth(1).waitFor({ timeout: 20_000 });
    expect(await queueStates(page)).to.deep.equal(["sent", "sent"]);
    expect(relay!.posts).to.have.length(2);
    const harvester = Harvester__factory.createInterface();
    const received = relay!.posts.map((p) =>
      readSignedRequest(p, { chainId: CHAIN_ID, forwarder: FORWARDER, name: "FishTrace" }),
    );
    expect(received.map((r) => r.from)).to.deep.equal([keyAddress, keyAddress]);
    expect(received.map((r) => r.nonce)).to.deep.equal(["0", "1"]);
    expect(received.map((r) => r.to)).to.deep.equal([ADDRESSES.harvester, ADDRESSES.harvester]);
    const catches = received.map((r) => harvester.decodeFunctionData("registerFish", r.data)[0]);
    expect(catches.map((c) => c.weightGrams)).to.deep.equal([250_000n, 1_500n]);
    expect(catches.map((c) => c.species)).to.deep.equal(["0x434f44", "0x434f44"]);
    expect(catches.map((c) => c.latitude)).to.deep.equal([6_912_000n, 6_930_000n]);
    // The deadline gives the catch 29 days to reach the chain (a day under the relay's limit of 30).
    const now = Math.floor(Date.now() / 1000);
    for (const r of received) expect(r.deadline).to.be.within(now + 28 * 86_400, now + 30 * 86_400);
  });
});
