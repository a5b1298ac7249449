/**
 * The dApp in a real browser (Debian's Chromium through playwright-core, test/helpers/web/browser.ts) against the local
 * stack a newcomer runs (`npm run stack`: hardhat node, demo seed and the analytics data after it, relay, trace API
 * with the analytics routes, static server), started here on free ports and stopped by PID. The actor journeys use an injected MetaMask-like wallet (test/helpers/web/wallet.ts) whose
 * keys and state live in this process. Each journey saves a screenshot to test-artifacts/web/<name>.png.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, TypedDataEncoder, Wallet, parseEther, verifyMessage, verifyTypedData } from "ethers";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { PNG } from "pngjs";

import { freePort, kill, started } from "../../src/tools/processes.js";
import type { AnomalyReport, DispatchReport } from "../../src/core/api/analytics.js";
import { catchData } from "../../src/core/catch.js";
import { amountText } from "../../src/core/money.js";
import { attachFishTrace, type FishTrace } from "../../src/core/deployment.js";
import { gtin14, gtinCheckDigit, parseDigitalLink } from "../../src/core/digital-link.js";
import { roleId } from "../../src/core/roles.js";
import { buildWeb, startLocalStack, testKey, type LocalStack } from "../../src/tools/local-stack.js";
import type { JourneyJson } from "../../src/core/api/journey-json.js";
import type { DemoFacts } from "../../src/core/api/web-config.js";
import { launchChromium } from "../helpers/web/browser.js";
import { decodeQrPng, qrPhotoImage, qrPng, y4mVideo } from "../helpers/web/qr-images.js";
import { TestWallet } from "../helpers/web/wallet.js";
import { FishTraceUSD__factory, type FishTraceUSD } from "../../typechain-types/index.js";
import { STAGE_NAMES } from "../../src/core/vocabulary.js";

const HARDHAT = path.join("node_modules", "hardhat", "dist", "src", "cli.js");
const ARTIFACTS = path.join("test-artifacts", "web");

/**
 * Live (not zombie) Chromium processes by the profile directory Playwright gave their browser (`--user-data-dir`,
 * on every process of that browser), with whether the browser process is a child of this one.
 */
function chromiumProfiles(): Map<string, { pids: number[]; ours: boolean }> {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,stat=,args="]).toString().trim().split("\n");
  const profiles = new Map<string, { pids: number[]; ours: boolean }>();
  for (const row of rows) {
    const [, pid, ppid, stat, args] = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(row) ?? [];
    const dir = /--user-data-dir=(\S+)/.exec(args ?? "")?.[1];
    if (dir === undefined || stat!.startsWith("Z") || !/chrom/.test(args!)) continue;
    const entry = profiles.get(dir) ?? { pids: [], ours: false };
    entry.pids.push(Number(pid));
    entry.ours ||= Number(ppid) === process.pid;
    profiles.set(dir, entry);
  }
  return profiles;
}

/** A bare page on 127.0.0.1 (an origin of its own, so the wallet's per-origin permission is real). */
async function blankPageServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>blank</title><p>blank</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** `window.ethereum.request(...)` in the page; an error comes back as `{ error: { isError, code, message, data } }`. */
async function ask(page: Page, method: string, params?: unknown[]): Promise<{ result?: unknown; error?: any }> {
  return page.evaluate(
    async ([method, params]) => {
      const eth = (globalThis as any).ethereum;
      try {
        return { result: await eth.request(params === undefined ? { method } : { method, params }) };
      } catch (e: any) {
        return {
          error: { isError: e instanceof Error, code: e.code, message: e.message, data: e.data },
        };
      }
    },
    [method, params] as const,
  );
}

describe("web: the test browser and wallet", function () {
  this.timeout(120_000);
  let node: ChildProcess | undefined;
  let nodeUrl: string;
  let browser: Browser | undefined;
  let blank: { server: Server; url: string };
  let context: BrowserContext | undefined;
  let wallet: TestWallet | undefined;

  before(async function () {
    const port = await freePort();
    nodeUrl = `http://127.0.0.1:${port}`;
    node = spawn(process.execPath, [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      detached: true,
    });
    await started(node, "Started HTTP and WebSocket JSON-RPC server", "hardhat node");
    blank = await blankPageServer();
    browser = await launchChromium();
  });

  afterEach(async function () {
    await context?.close();
    context = undefined;
    wallet?.close();
    wallet = undefined;
  });

  after(async function () {
    await browser?.close();
    blank?.server.close();
    if (node !== undefined) await kill(node);
  });

  async function open(options: { chainId?: number; account?: number } = {}): Promise<Page> {
    wallet = new TestWallet({ nodeUrl, ...options });
    context = await browser!.newContext();
    await wallet.install(context);
    const page = await context.newPage();
    await page.goto(blank.url);
    return page;
  }

  it("launches Chromium and leaves no chromium process behind when closed", async function () {
    const running = new Set(chromiumProfiles().keys());
    const other = await launchChromium();
    const page = await other.newPage();
    await page.setContent("<h1>FishTrace</h1>");
    expect(await page.textContent("h1")).to.equal("FishTrace");
    const mine = [...chromiumProfiles()].filter(([dir, { ours }]) => ours && !running.has(dir));
    expect(mine, "the new browser's processes").to.have.length(1);
    const [profile, { pids }] = mine[0]!;
    expect(pids.length, "browser, renderer, utility processes").to.be.greaterThan(1);
    await other.close();
    const deadline = Date.now() + 5_000;
    while (chromiumProfiles().has(profile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const left = chromiumProfiles().get(profile)?.pids ?? [];
    const what =
      left.length === 0 ? "" : execFileSync("ps", ["-o", "pid,ppid,stat,args", "-p", left.join(",")]).toString();
    expect(left, what).to.deep.equal([]);
  });

  it("fails in one line naming the package when the Chromium binary is missing", async function () {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = "/nonexistent/chromium";
    try {
      await launchChromium();
      expect.fail("launched without a binary");
    } catch (e) {
      expect((e as Error).message).to.equal("Chromium not found at /nonexistent/chromium: apt-get install chromium");
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });

  it("makes QR images (plain and photo-like) that jsQR reads back", async function () {
    const link = "http://127.0.0.1:5173/01/09506000134352/10/LOT-42";
    expect(decodeQrPng(await qrPng(link))).to.equal(link);
    expect(decodeQrPng(PNG.sync.write(await qrPhotoImage(link)))).to.equal(link);
  });

  it("injects window.ethereum like MetaMask and announces it through EIP-6963", async function () {
    const page = await open();
    const seen = await page.evaluate(() => {
      const w = globalThis as any;
      const announced: any[] = [];
      w.addEventListener("eip6963:announceProvider", (e: any) => announced.push(e.detail));
      w.dispatchEvent(new w.Event("eip6963:requestProvider"));
      return {
        isMetaMask: w.ethereum.isMetaMask,
        functions: ["request", "on", "removeListener"].every((f) => typeof w.ethereum[f] === "function"),
        announced: announced.length,
        same: announced[0]?.provider === w.ethereum,
        rdns: announced[0]?.info?.rdns,
        uuid: typeof announced[0]?.info?.uuid,
      };
    });
    expect(seen).to.deep.equal({
      isMetaMask: true,
      functions: true,
      announced: 1,
      same: true,
      rdns: "io.metamask",
      uuid: "string",
    });
  });

  it("grants accounts per origin on eth_requestAccounts; the grant and account survive a reload", async function () {
    const page = await open({ account: 3 });
    expect(await ask(page, "eth_accounts")).to.deep.equal({ result: [] });
    expect(await ask(page, "eth_chainId")).to.deep.equal({ result: "0x7a69" });
    expect(await ask(page, "net_version")).to.deep.equal({ result: "31337" });
    const address = wallet!.address(3);
    expect(await ask(page, "eth_requestAccounts")).to.deep.equal({ result: [address] });
    await page.reload();
    expect(await ask(page, "eth_accounts")).to.deep.equal({ result: [address] });
    // The well-known Hardhat account #3.
    expect(address).to.equal("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    // Reads are the node's.
    const balance = await ask(page, "eth_getBalance", [address, "latest"]);
    expect(BigInt(balance.result as string)).to.be.greaterThan(0n);
  });

  it("refuseNext: the next prompt fails with 4001 as an Error with a numeric code; nothing is sent", async function () {
    const page = await open({ account: 4 });
    wallet!.refuseNext();
    const refused = await ask(page, "eth_requestAccounts");
    expect(refused.error).to.deep.include({ isError: true, code: 4001, message: "User rejected the request." });
    expect(await ask(page, "eth_accounts")).to.deep.equal({ result: [] });
    await ask(page, "eth_requestAccounts");
    const from = wallet!.address(4);
    const provider = new JsonRpcProvider(nodeUrl, undefined, { cacheTimeout: -1 });
    const nonce = await provider.getTransactionCount(from, "pending");
    wallet!.refuseNext();
    const tx = await ask(page, "eth_sendTransaction", [{ from, to: wallet!.address(5), value: "0x1" }]);
    expect(tx.error).to.deep.include({ code: 4001, message: "User rejected the request." });
    expect(await provider.getTransactionCount(from, "pending")).to.equal(nonce);
    provider.destroy();
  });

  it("eth_sendTransaction signs with the selected account's key and checks `from`", async function () {
    const page = await open({ account: 6 });
    const from = wallet!.address(6);
    const to = wallet!.address(7);
    const unauthorised = await ask(page, "eth_sendTransaction", [{ from, to, value: "0x1" }]);
    expect(unauthorised.error?.code).to.equal(4100);
    await ask(page, "eth_requestAccounts");
    const wrong = await ask(page, "eth_sendTransaction", [{ from: to, to: from, value: "0x1" }]);
    expect(wrong.error?.code).to.equal(4100);
    const provider = new JsonRpcProvider(nodeUrl, undefined, { cacheTimeout: -1 });
    const before = await provider.getBalance(to);
    const value = parseEther("1.5");
    const sent = await ask(page, "eth_sendTransaction", [{ from, to, value: "0x" + value.toString(16) }]);
    expect(sent.result).to.match(/^0x[0-9a-f]{64}$/);
    const receipt = await provider.waitForTransaction(sent.result as string);
    expect(receipt?.status).to.equal(1);
    expect(receipt?.from).to.equal(from);
    expect((await provider.getBalance(to)) - before).to.equal(value);
    expect(wallet!.requests("eth_sendTransaction").map((r) => r.error?.code ?? "ok")).to.deep.equal([4100, 4100, "ok"]);
    provider.destroy();
  });

  it("passes a node's revert (code, message, data) through to the page", async function () {
    const page = await open();
    // Init code that reverts with the four bytes 0xdeadbeef: PUSH4 deadbeef PUSH1 e0 SHL PUSH1 0 MSTORE
    // PUSH1 4 PUSH1 0 REVERT.
    const data = "0x63deadbeef60e01b60005260046000fd";
    const call = await ask(page, "eth_call", [{ data }, "latest"]);
    expect(call.error?.isError).to.equal(true);
    expect(call.error?.data).to.equal("0xdeadbeef");
    expect(call.error?.code).to.be.a("number");
    const direct = await fetch(nodeUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ data }, "latest"] }),
    });
    const { error } = (await direct.json()) as { error: { code: number; message: string } };
    expect(call.error).to.deep.include({ code: error.code, message: error.message });
  });

  it("signs messages (personal_sign) and typed data (eth_signTypedData_v4) with the selected key", async function () {
    const page = await open({ account: 2 });
    await ask(page, "eth_requestAccounts");
    const address = wallet!.address(2);
    const message = "FishTrace: hello";
    const hex = "0x" + Buffer.from(message).toString("hex");
    const signature = await ask(page, "personal_sign", [hex, address]);
    expect(verifyMessage(message, signature.result as string)).to.equal(address);
    const domain = { name: "FishTrace", version: "1", chainId: 31337, verifyingContract: wallet!.address(9) };
    const types = { Reading: [{ name: "lot", type: "uint256" }] };
    const typed = {
      domain,
      types: { ...types, EIP712Domain: TypedDataEncoder.getPayload(domain, types, { lot: 1 }).types.EIP712Domain },
      primaryType: "Reading",
      message: { lot: "1" },
    };
    const typedSignature = await ask(page, "eth_signTypedData_v4", [address, JSON.stringify(typed)]);
    expect(verifyTypedData(domain, types, { lot: 1 }, typedSignature.result as string)).to.equal(address);
  });

  it("emits accountsChanged and chainChanged into the page; 4902 for an unknown chain, then add and switch", async function () {
    const page = await open({ chainId: 1 });
    expect(await ask(page, "eth_chainId")).to.deep.equal({ result: "0x1" });
    await ask(page, "eth_requestAccounts");
    await page.evaluate(() => {
      const w = globalThis as any;
      w.seen = [];
      w.ethereum.on("accountsChanged", (a: string[]) => w.seen.push(["accounts", a]));
      w.ethereum.on("chainChanged", (c: string) => w.seen.push(["chain", c]));
    });
    const unknown = await ask(page, "wallet_switchEthereumChain", [{ chainId: "0x7a69" }]);
    expect(unknown.error?.code).to.equal(4902);
    // A wallet cannot reach mainnet here: reads fail rather than silently reading the local node.
    expect((await ask(page, "eth_blockNumber")).error?.code).to.equal(-32603);
    const bad = await ask(page, "wallet_addEthereumChain", [
      {
        chainId: "0x7a69",
        chainName: "FishTrace local",
        rpcUrls: ["http://127.0.0.1:9/"],
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      },
    ]);
    expect(bad.error?.message).to.match(/Could not fetch chain ID/);
    const added = await ask(page, "wallet_addEthereumChain", [
      {
        chainId: "0x7a69",
        chainName: "FishTrace local",
        rpcUrls: [nodeUrl],
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      },
    ]);
    expect(added).to.deep.equal({ result: null });
    expect(await ask(page, "eth_chainId")).to.deep.equal({ result: "0x7a69" });
    await wallet!.useAccount(5);
    await wallet!.setChain(1);
    expect(await ask(page, "wallet_switchEthereumChain", [{ chainId: "0x7a69" }])).to.deep.equal({ result: null });
    expect(await page.evaluate(() => (globalThis as any).seen)).to.deep.equal([
      ["chain", "0x7a69"],
      ["accounts", [wallet!.address(5)]],
      ["chain", "0x1"],
      ["chain", "0x7a69"],
    ]);
    expect(wallet!.requests().map((r) => r.method)).to.include.members([
      "eth_chainId",
      "eth_requestAccounts",
      "wallet_switchEthereumChain",
      "wallet_addEthereumChain",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The journeys: one local stack (demo-seeded), ordered, sharing one chain; a fresh browser context for each.
// ---------------------------------------------------------------------------------------------------------------

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };

/** Order states of IOrderBook.OrderState. */
const ORDER = { Ordered: 1n, Shipped: 2n, Delivered: 3n, Acknowledged: 4n, Paid: 5n } as const;

describe("web: the dApp in Chromium against the local stack", function () {
  this.timeout(120_000);
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let provider: JsonRpcProvider;
  let chain: FishTrace;
  let facts: DemoFacts;
  let web: string;
  const contexts: BrowserContext[] = [];
  const wallets: TestWallet[] = [];
  /** Shared by journeys 4–6: the catch the harvester registered in the browser. */
  let newLot: bigint | undefined;

  /** Inputs made for the browser (the QR photo, the camera's video); removed at the end. */
  let scratch: string;

  before(async function () {
    this.timeout(300_000); // the dApp's build, a node seeded by the demo, the trace index caught up
    const started = Date.now();
    await mkdir(ARTIFACTS, { recursive: true });
    scratch = await mkdtemp(path.join(os.tmpdir(), "fishtrace-web-"));
    await buildWeb();
    stack = await startLocalStack({
      ports: { node: 0, web: 0, relay: 0, trace: 0, epcis: 0, prometheus: 0 },
      seed: "demo",
      prometheus: false,
      log: process.env.WEB_TEST_LOG ? (line: string) => console.log(`    [stack] ${line}`) : undefined,
    });
    facts = stack.facts;
    web = stack.urls.web;
    provider = new JsonRpcProvider(stack.urls.node, undefined, { cacheTimeout: -1 });
    chain = attachFishTrace(stack.config.addresses, provider);
    browser = await launchChromium();
    if (process.env.WEB_TEST_LOG)
      console.log(`    web build, stack and browser up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterEach(async function () {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    for (const wallet of wallets.splice(0)) wallet.close();
  });

  after(async function () {
    await browser?.close();
    provider?.destroy();
    await stack?.stop();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  async function consumer(): Promise<Page> {
    const context = await browser!.newContext(PHONE);
    contexts.push(context);
    const page = await context.newPage();
    collectErrors(page);
    return page;
  }

  async function actor(options: { account: number; chainId?: number }): Promise<{ page: Page; wallet: TestWallet }> {
    const wallet = new TestWallet({ nodeUrl: stack!.urls.node, ...options });
    wallets.push(wallet);
    const context = await browser!.newContext(DESKTOP);
    contexts.push(context);
    await wallet.install(context);
    const page = await context.newPage();
    collectErrors(page);
    await page.goto(`${web}/actor`);
    return { page, wallet };
  }

  /** The stack's settlement token (the demo's default, FishTraceUSD), read through the test's provider. */
  async function settlementToken(): Promise<FishTraceUSD> {
    return FishTraceUSD__factory.connect(await chain.registry.settlementToken(), provider);
  }

  /** Connects the page's wallet and waits until the page shows the account's `role`. */
  async function connectAs(page: Page, role: RegExp): Promise<void> {
    await page.getByTestId("connect-wallet").click();
    await page.getByTestId("role").filter({ hasText: role }).waitFor();
  }

  /** Fails the journey on any uncaught page error or CSP violation. */
  function collectErrors(page: Page): void {
    page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) pageErrors.push(m.text());
    });
  }
  const pageErrors: string[] = [];
  afterEach(function () {
    pageErrors.splice(0);
  });

  /** A journey: a test that also fails on an uncaught error or a CSP violation in any of its pages. */
  function journey(title: string, body: (this: Mocha.Context) => Promise<void>): void {
    it(title, async function () {
      await body.call(this);
      expect(pageErrors.splice(0), "errors in the page").to.deep.equal([]);
    });
  }

  /**
   * Saves test-artifacts/web/<name>.png: the viewport scrolled to the top, the viewport with `at` scrolled into
   * view, or (`"full"`) the whole page.
   */
  async function shot(page: Page, name: string, at?: Locator | "full"): Promise<void> {
    if (at === undefined) await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    else if (at !== "full") await at.evaluate((e) => e.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: at === "full" });
  }

  async function journeyJson(ref: string, by: "link" | "lot" = "link"): Promise<JourneyJson> {
    const response = await fetch(`${web}/api/v1/journey?${by}=${encodeURIComponent(ref)}`);
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as JourneyJson;
  }

  /** The demo's pack a consumer would look up first: not recalled. */
  function goodPack(): DemoFacts["packs"][number] {
    const pack = facts.packs.find((p) => !p.recalled) ?? facts.packs[0];
    expect(pack, "the demo made packs").to.not.equal(undefined);
    return pack!;
  }

  /** The pack's Digital Link as its label's QR code holds it: on the stack's resolver. */
  function linkOf(pack: DemoFacts["packs"][number]): string {
    return `${stack!.config.resolverBase}/01/${pack.gtin}/10/${encodeURIComponent(pack.lotNumber)}`;
  }

  /** What the journey page must show for `json`, checked against the page. */
  async function expectJourney(page: Page, json: JourneyJson, pack: DemoFacts["packs"][number]): Promise<void> {
    const journey = page.getByTestId("journey");
    await journey.waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).to.equal(`/01/${pack.gtin}/10/${encodeURIComponent(pack.lotNumber)}`);
    // The API's answer is the pack the demo made.
    expect(json.lotId).to.equal(pack.lotId);
    expect(json.product?.lotNumber).to.equal(pack.lotNumber);
    const product = (await page.getByTestId("product-card").textContent()) ?? "";
    expect(product).to.include(pack.lotNumber);
    expect(product).to.include(json.product!.gtin);

    // Catches: one card per catch the pack came from (all of them the demo's), with vessel, area and a drawn map.
    const catchIds = json.trace.catches.map(String);
    expect(catchIds.length).to.be.greaterThan(0);
    const demoCatches = facts.catches.map((c) => c.lotId);
    for (const id of catchIds) expect(demoCatches).to.include(id);
    const cards = page.getByTestId("catch-card");
    expect(await cards.count()).to.equal(catchIds.length);
    const cardTexts = await cards.allTextContents();
    for (const id of catchIds) {
      const lot = json.lots.find((l) => String(l.lotId) === id);
      const c = lot?.catch;
      expect(c, `catch facts of lot ${id}`).to.not.equal(undefined);
      const card = cardTexts.find((t) => t.includes(`catch ${id}`));
      expect(card, `the card of catch ${id}`).to.not.equal(undefined);
      expect(card).to.include(c!.vessel);
      expect(card).to.include(c!.catchArea);
    }
    const map = cards.first().getByTestId("map");
    await map.waitFor({ timeout: 15_000 });
    expect(await map.locator("path").count(), "coastline paths").to.be.greaterThan(0);

    // Hand-overs: one per order the lots travelled with, naming seller and buyer.
    const orders = new Set<string>();
    for (const e of json.events) {
      if (e.kind === "ship") orders.add(`${e.stage}:${e.orderId}`);
      if (e.kind === "receive") orders.add(`${e.stage - 1}:${e.orderId}`);
    }
    expect(orders.size).to.be.greaterThan(0);
    const handovers = page.getByTestId("handover");
    expect(await handovers.count()).to.equal(orders.size);
    const names = new Map(json.parties.map((p) => [p.id, p.name]));
    const firstShip = json.events.find((e) => e.kind === "ship");
    if (firstShip?.kind === "ship") {
      const text = (await handovers.allTextContents()).join("\n");
      expect(text).to.include(names.get(firstShip.fromId));
      expect(text).to.include(names.get(firstShip.toId));
    }

    // QAT scans: one row per scan, with its grade.
    const scans = json.events.filter((e) => e.kind === "scan");
    const rows = page.getByTestId("qat-scan");
    expect(await rows.count()).to.equal(scans.length);
    expect(scans.length, "the demo scans its lots").to.be.greaterThan(0);
    const rowTexts = (await rows.allTextContents()).join("\n");
    for (const s of scans) if (s.kind === "scan") expect(rowTexts).to.include(`grade ${s.grade}`);

    // Cold chain: a chart when there are readings; an out-of-band mark where the demo's pack had an excursion.
    const readings = json.events.filter((e) => e.kind === "reading" || e.kind === "sensor");
    if (readings.length > 0) expect(await page.getByTestId("cold-chain-chart").count()).to.be.greaterThan(0);
    if (pack.excursion) expect(await page.getByTestId("excursion").count()).to.be.greaterThan(0);
  }

  /**
   * A demo pack's page shows only findings the demo's data supports (it once showed a false "Warm spell" under
   * "No alarms" on both packs, and named a catch the pack was not made from). The demo makes two real anomalies near
   * its packs: a saithe scan on a pack of processing run 1 (species substitution) and catch 2 losing four grades in
   * two hours on order 1 (a freshness warning on chain, a warm leg). Each finding shown must be one of those, backed by
   * that record, and a lineage phrase names only lots of the pack's own lineage.
   */
  async function expectOnlySupportedFindings(page: Page, pack: DemoFacts["packs"][number]): Promise<void> {
    const section = page.getByTestId("analytics-flags");
    await section.waitFor({ timeout: 30_000 });
    const json = await journeyJson(pack.digitalLink);
    const lineage = new Set(json.trace.lots.map((l) => l.lotId));
    const response = await fetch(`${web}/api/v1/analytics/anomalies?lot=${pack.lotId}`);
    const report = (await response.json()) as AnomalyReport;
    for (const a of report.anomalies) {
      if (a.kind === "species-substitution") {
        expect(
          facts.packs.some((p) => p.speciesMismatch),
          "a species mismatch the demo scanned",
        ).to.equal(true);
      } else if (a.kind === "warm-leg") {
        const warned = await Promise.all(
          a.lotIds.map(async (id) => (await journeyJson(id, "lot")).alarms.some((x) => x.kind === "freshness_warning")),
        );
        expect(warned, `a freshness warning on a lot of leg ${a.itemId}`).to.include(true);
      } else expect.fail(`a ${a.kind} finding on ${pack.digitalLink}, which the demo's data does not support`);
    }
    const flags = page.getByTestId("analytics-flag");
    expect(await flags.count()).to.equal(report.anomalies.length);
    for (const text of await flags.locator(".analytics-where").allTextContents()) {
      const named = /on a lot this one was made from \(([^)]*)\)/.exec(text)?.[1];
      if (named === undefined) continue;
      for (const name of named.split(", ")) {
        const id = /^catch (\d+)$/.exec(name)?.[1];
        if (id !== undefined) expect(lineage.has(id), `${name} named in "${text}"`).to.equal(true);
      }
    }
  }

  journey("1 a consumer types a pack's Digital Link and sees its journey", async function () {
    const pack = goodPack();
    const page = await consumer();
    const response = await page.goto(web);
    // The app runs under its strict Content Security Policy (a violation fails the journey).
    expect(response?.headers()["content-security-policy"]).to.include("script-src 'self'");
    await page.getByTestId("lookup-input").fill(pack.digitalLink);
    await page.getByTestId("lookup-submit").click();
    await expectJourney(page, await journeyJson(pack.digitalLink), pack);
    await expectOnlySupportedFindings(page, pack);
    await shot(page, "consumer-journey", "full");
    await page
      .getByTestId("catch-card")
      .first()
      .screenshot({ path: path.join(ARTIFACTS, "consumer-catch.png") });
    await page
      .getByTestId("cold-chain-chart")
      .first()
      .screenshot({ path: path.join(ARTIFACTS, "consumer-cold-chain.png") });
    await shot(page, "consumer-journey-top");
  });

  journey("2 a consumer uploads a photo of the pack's QR code and sees the same journey", async function () {
    const pack = goodPack();
    const file = path.join(scratch, "qr-photo.png");
    await writeFile(file, PNG.sync.write(await qrPhotoImage(linkOf(pack))));
    const page = await consumer();
    await page.goto(web);
    await page.getByTestId("upload-input").setInputFiles(file);
    await expectJourney(page, await journeyJson(pack.digitalLink), pack);
    await shot(page, "consumer-upload");
  });

  journey("2b a consumer scans the pack's QR code with the phone's camera (Chromium's fake camera)", async function () {
    const pack = goodPack();
    const video = path.join(scratch, "qr-camera.y4m");
    await writeFile(video, y4mVideo(await qrPhotoImage(linkOf(pack), 960, 720)));
    const camera = await launchChromium([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const context = await camera.newContext({ ...PHONE, permissions: ["camera"] });
      const page = await context.newPage();
      collectErrors(page);
      await page.goto(web);
      await page.getByTestId("scan-camera").click();
      await expectJourney(page, await journeyJson(pack.digitalLink), pack);
      await shot(page, "consumer-camera");
    } finally {
      await camera.close();
    }
  });

  journey(
    "3 the demo's recalled pack shows the recall (and a species mismatch where the demo made one)",
    async function () {
      const pack = facts.packs.find((p) => p.recalled);
      expect(pack, "the demo recalls a pack").to.not.equal(undefined);
      const json = await journeyJson(pack!.digitalLink);
      const page = await consumer();
      await page.goto(`${web}/01/${pack!.gtin}/10/${encodeURIComponent(pack!.lotNumber)}`);
      const recalled = page.getByTestId("alarm-recalled");
      await recalled.waitFor({ timeout: 30_000 });
      const recall = json.alarms.find((a) => a.kind === "recalled");
      expect(recall, "the API reports the recall").to.not.equal(undefined);
      const recallEvent = json.events.find((e) => e.kind === "recall");
      expect(recallEvent?.kind, "the journey holds the recall").to.equal("recall");
      if (recallEvent?.kind === "recall") expect(await recalled.textContent()).to.include(recallEvent.reason);
      const mismatch = page.getByTestId("alarm-species-mismatch");
      if (pack!.speciesMismatch) await mismatch.waitFor({ timeout: 5_000 });
      else expect(await mismatch.count()).to.equal(0);
      // The alarm comes first: above the product card.
      const alarmBox = (await recalled.boundingBox())!;
      const productBox = (await page.getByTestId("product-card").boundingBox())!;
      expect(alarmBox.y).to.be.lessThan(productBox.y);
      await expectOnlySupportedFindings(page, pack!);
      await shot(page, "recalled");
    },
  );

  journey("4 the harvester connects, is shown as Harvester, and registers a catch", async function () {
    const vessel = facts.accounts.vessel;
    const { page, wallet } = await actor({ account: vessel.index });
    await page.getByTestId("connect-wallet").click();
    await page.getByTestId("account").filter({ hasText: vessel.address }).waitFor();
    expect(await page.getByTestId("account").textContent()).to.equal(vessel.address);
    await page
      .getByTestId("role")
      .filter({ hasText: /Harvester/ })
      .waitFor();
    expect(wallet.requests("eth_requestAccounts").at(-1)?.result).to.deep.equal([vessel.address]);

    const form = page.getByTestId("form-register-catch");
    await form.locator('[name="species"]').fill("COD");
    await form.locator('[name="weight"]').fill("250kg");
    await form.locator('[name="latitude"]').fill("69.5");
    await form.locator('[name="longitude"]').fill("17.25");
    await form.locator('[name="area"]').fill("27.2.a");
    await form.locator('[name="vessel"]').fill("LK-991");
    await form.locator('[name="gear"]').fill("LLS");
    await form.getByTestId("submit").click();
    const status = await settled(page, "register-catch");
    expect(status.state, status.text).to.equal("confirmed");
    newLot = BigInt(status.result);
    expect(status.text).to.include(`lot ${newLot}`);

    const lot = await chain.harvester.getLot(newLot);
    expect(lot.status).to.equal(1n); // Created
    expect(lot.weightGrams).to.equal(250_000n);
    expect(lot.custodianId).to.equal((await chain.registry.authorization(vessel.address)).id);
    const receipt = await provider.getTransactionReceipt(status.hash);
    expect(receipt?.from).to.equal(vessel.address);
    await page.getByTestId(`lot-${newLot}`).waitFor({ timeout: 20_000 });
    await shot(page, "actor-harvester");
  });

  journey(
    "5 a supplier orders that catch with escrow, the harvester ships, the supplier confirms and pays, the harvester withdraws",
    async function () {
      expect(typeof newLot, "journey 4 registered a catch").to.equal("bigint");
      const { vessel, supplier } = facts.accounts;
      const { page, wallet } = await actor({ account: supplier.index });
      await page.getByTestId("connect-wallet").click();
      await page.getByTestId("account").filter({ hasText: supplier.address }).waitFor();
      await page
        .getByTestId("role")
        .filter({ hasText: /Supplier/ })
        .waitFor();

      // Place the order at the harvester's book, 0.5 fUSD (the stack's settlement token) escrowed.
      const price = 500_000n;
      const token = await settlementToken();
      const escrowBefore = await token.balanceOf(stack!.config.addresses.harvester);
      const form = page.getByTestId("form-place-order");
      await form.locator('[name="seller"]').selectOption(vessel.address);
      await form.locator('[name="species"]').fill("COD");
      await form.locator('[name="weight"]').fill("250kg");
      await form.locator('[name="price"]').fill("0.5");
      await form.getByTestId("submit").click();
      let status = await settled(page, "place-order");
      expect(status.state, status.text).to.equal("confirmed");
      const orderId = BigInt(status.result);
      let order = await chain.harvester.getOrder(orderId);
      expect(order.state).to.equal(ORDER.Ordered);
      expect(order.price).to.equal(price);
      expect((await token.balanceOf(stack!.config.addresses.harvester)) - escrowBefore).to.equal(price);
      const row = page.getByTestId(`order-harvester-${orderId}`);
      await row.waitFor();
      expect(await row.getAttribute("data-side")).to.equal("buyer");

      // The user switches to the vessel's account in the wallet: the page follows (accountsChanged).
      await wallet.useAccount(vessel.index);
      await page.getByTestId("account").filter({ hasText: vessel.address }).waitFor();
      await page
        .getByTestId("role")
        .filter({ hasText: /Harvester/ })
        .waitFor();
      const sellerRow = page.getByTestId(`order-harvester-${orderId}`);
      await sellerRow.waitFor();
      expect(await sellerRow.getAttribute("data-side")).to.equal("seller");
      await sellerRow.locator('[name="lots"]').fill(newLot!.toString());
      await sellerRow.getByTestId("action-ship").click();
      status = await settled(page, "ship");
      expect(status.state, status.text).to.equal("confirmed");
      expect((await chain.harvester.getOrder(orderId)).state).to.equal(ORDER.Shipped);
      expect((await provider.getTransactionReceipt(status.hash))?.from).to.equal(vessel.address);

      // Back to the supplier: confirm the delivery, then acknowledge (the escrow becomes the vessel's).
      await wallet.useAccount(supplier.index);
      await page.getByTestId("account").filter({ hasText: supplier.address }).waitFor();
      await page.getByTestId(`order-harvester-${orderId}`).getByTestId("action-confirm").click();
      status = await settled(page, "confirm");
      expect(status.state, status.text).to.equal("confirmed");
      expect((await chain.harvester.getOrder(orderId)).state).to.equal(ORDER.Delivered);
      const delivered = page.getByTestId(`order-harvester-${orderId}`);
      await delivered.getByTestId("action-acknowledge").waitFor();
      await shot(page, "actor-supplier-delivered", delivered);
      await delivered.getByTestId("action-acknowledge").click();
      status = await settled(page, "acknowledge");
      expect(status.state, status.text).to.equal("confirmed");
      expect((await chain.harvester.getOrder(orderId)).state).to.equal(ORDER.Acknowledged);
      // The catch passed to the supplier's stage.
      expect((await chain.supplier.getLot(newLot!)).custodianId).to.equal(
        (await chain.registry.authorization(supplier.address)).id,
      );

      // The vessel withdraws the price: its token balance grows by the price (the gas is paid in ETH).
      await wallet.useAccount(vessel.index);
      await page.getByTestId("account").filter({ hasText: vessel.address }).waitFor();
      const withdraw = page.getByTestId("action-withdraw");
      await expectEnabled(withdraw);
      const before = await token.balanceOf(vessel.address);
      await withdraw.click();
      status = await settled(page, "withdraw");
      expect(status.state, status.text).to.equal("confirmed");
      const receipt = (await provider.getTransactionReceipt(status.hash))!;
      expect(receipt.from).to.equal(vessel.address);
      const after = await token.balanceOf(vessel.address);
      expect(after - before).to.equal(price);
      order = await chain.harvester.getOrder(orderId);
      expect(order.state).to.equal(ORDER.Paid);
      expect((await token.balanceOf(stack!.config.addresses.harvester)) - escrowBefore).to.equal(0n);
      await shot(page, "actor-orders");
    },
  );

  journey(
    "6 a refusal in the wallet is a calm 'declined' with nothing sent; a revert is one decoded line",
    async function () {
      const { supplier, vessel } = facts.accounts;
      const { page, wallet } = await actor({ account: supplier.index });
      await connectAs(page, /Supplier/);
      const form = page.getByTestId("form-place-order");
      await form.locator('[name="seller"]').selectOption(vessel.address);
      await form.locator('[name="weight"]').fill("100kg");
      await form.locator('[name="price"]').fill("0.1");

      const nonce = await provider.getTransactionCount(supplier.address, "pending");
      const token = await settlementToken();
      const [permitNonce, balance] = [await token.nonces(supplier.address), await token.balanceOf(supplier.address)];
      const sends = wallet.requests("eth_sendTransaction").length;
      const signs = wallet.requests("eth_signTypedData_v4").length;
      wallet.refuseNext();
      await form.getByTestId("submit").click();
      let status = await settled(page, "place-order");
      expect(status.state, status.text).to.equal("declined");
      expect(status.text).to.match(/declined/i);
      expect(status.text).to.not.match(/Error|4001|ACTION_REJECTED|\n/);
      expect(status.hash).to.equal("");
      expect(await provider.getTransactionCount(supplier.address, "pending")).to.equal(nonce);
      // The stack settles in fUSD: the prompt refused was the permit's signature, and no transaction was asked for.
      expect(wallet.requests("eth_sendTransaction").slice(sends)).to.deep.equal([]);
      const asked = wallet.requests("eth_signTypedData_v4").slice(signs);
      expect(asked.map((r) => r.error?.code)).to.deep.equal([4001]);
      expect([await token.nonces(supplier.address), await token.balanceOf(supplier.address)]).to.deep.equal([
        permitNonce,
        balance,
      ]);
      await shot(page, "actor-declined");

      // The same order, accepted this time.
      await form.getByTestId("submit").click();
      status = await settled(page, "place-order");
      expect(status.state, status.text).to.equal("confirmed");
      const orderId = BigInt(status.result);
      expect(await provider.getTransactionCount(supplier.address, "pending")).to.equal(nonce + 1);

      // Cancelling before the ship-by time is something the contract refuses: one decoded line, nothing sent.
      const row = page.getByTestId(`order-harvester-${orderId}`);
      await row.getByTestId("action-cancel").click();
      status = await settled(page, "cancel");
      expect(status.state, status.text).to.equal("failed");
      // OrderDeadlineNotReached, decoded by src/core/errors.ts.
      expect(status.text).to.match(
        new RegExp(
          `^Cancel.* Not sent: (OrderDeadlineNotReached: )?order ${orderId}: allowed only after \\S+ \\(now \\S+\\)$`,
        ),
      );
      expect(status.text).to.not.match(/Error:|\n|\bat .*\(|0x[0-9a-f]{8,}/);
      expect(await provider.getTransactionCount(supplier.address, "pending")).to.equal(nonce + 1);
      expect((await chain.harvester.getOrder(orderId)).state).to.equal(ORDER.Ordered);
      await shot(page, "actor-revert");
    },
  );

  journey(
    "7 a wallet on Ethereum mainnet sees the network banner; switching adds the local chain and enables actions",
    async function () {
      const vessel = facts.accounts.vessel;
      const { page, wallet } = await actor({ account: vessel.index, chainId: 1 });
      await page.getByTestId("connect-wallet").click();
      const banner = page.getByTestId("network-banner");
      await banner.waitFor();
      await page
        .getByTestId("role")
        .filter({ hasText: /Harvester/ })
        .waitFor();
      const submit = page.getByTestId("form-register-catch").getByTestId("submit");
      expect(await submit.isDisabled(), "actions are off on the wrong chain").to.equal(true);
      await shot(page, "actor-wrong-network");

      await page.getByTestId("switch-network").click();
      await banner.waitFor({ state: "detached" });
      await expectEnabled(submit);
      expect(wallet.selectedChainId).to.equal(31337);
      const switches = wallet.requests("wallet_switchEthereumChain");
      expect(switches[0]?.error?.code).to.equal(4902);
      const add = wallet.requests("wallet_addEthereumChain");
      expect(add).to.have.length(1);
      expect(add[0]!.error).to.equal(undefined);
      const params = add[0]!.params[0] as { chainId: string; rpcUrls: string[]; chainName: string };
      expect(params.chainId).to.equal("0x7a69");
      expect(params.chainName).to.equal(stack!.config.chainName);
      expect(params.rpcUrls[0]).to.equal(stack!.config.walletRpcUrl);
    },
  );

  journey("8 the label page's QR code decodes to the pack's Digital Link", async function () {
    const pack = goodPack();
    const page = await consumer();
    await page.goto(`${web}/label/01/${pack.gtin}/10/${encodeURIComponent(pack.lotNumber)}`);
    const label = page.getByTestId("label");
    await label.waitFor({ timeout: 30_000 });
    const qr = page.getByTestId("label-qr");
    await qr.waitFor();
    const decoded = decodeQrPng(await label.screenshot());
    expect(decoded, "a QR code in the label's screenshot").to.not.equal(undefined);
    const key = parseDigitalLink(decoded!);
    expect(gtin14(key.gtin)).to.equal(pack.gtin);
    expect(key.lot).to.equal(pack.lotNumber);
    expect(decoded).to.equal(linkOf(pack));
    expect(await label.textContent()).to.include(`(10)${pack.lotNumber}`);
    await shot(page, "label");
    // The QR a phone camera reads opens this app's journey page: the resolver redirects the browser there.
    expect(new URL(decoded!).origin).to.equal(stack!.urls.epcis);
    const consumerPage = await consumer();
    await consumerPage.goto(decoded!);
    await consumerPage.getByTestId("journey").waitFor({ timeout: 30_000 });
    expect(consumerPage.url()).to.equal(`${web}/01/${pack.gtin}/10/${encodeURIComponent(pack.lotNumber)}`);
  });

  journey("9 a consumer sees what the anomaly detector found on a lot with an injected anomaly", async function () {
    const analytics = stack!.analytics;
    expect(analytics, "the stack seeds analytics data with the demo").to.not.equal(undefined);
    // The served detector (with the stack's intake weighings) finds injected anomalies of every kind.
    const all = (await (await fetch(`${web}/api/v1/analytics/anomalies`)).json()) as AnomalyReport;
    const found = new Set(all.anomalies.map((f) => `${f.kind} ${f.itemId}`));
    const foundKinds = new Set(
      analytics!.anomalies.filter((a) => found.has(`${a.kind} ${a.itemId}`)).map((a) => a.kind),
    );
    expect([...foundKinds].sort()).to.deep.equal([...new Set(analytics!.anomalies.map((a) => a.kind))].sort());
    expect(foundKinds).to.include("weight-shrink");
    // An injected anomaly the served detector finds, on a product lot (the last lot of the labelled item).
    const order = ["species-substitution", "warm-leg", "sensor-flatline", "impossible-yield", "weight-shrink"];
    const injected = [...analytics!.anomalies].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
    let picked: { lotId: string; kind: string; report: AnomalyReport } | undefined;
    for (const a of injected) {
      const lotId = a.lotIds.at(-1)!;
      const response = await fetch(`${web}/api/v1/analytics/anomalies?lot=${lotId}`);
      expect(response.status, await response.clone().text()).to.equal(200);
      const report = (await response.json()) as AnomalyReport;
      // The detector finds the labelled item itself, not just something on the lot.
      if (report.anomalies.some((f) => f.kind === a.kind && f.itemId === a.itemId)) {
        picked = { lotId, kind: a.kind, report };
        break;
      }
    }
    expect(picked, "the served detector finds an injected anomaly").to.not.equal(undefined);
    const { lotId, kind, report } = picked!;

    const page = await consumer();
    await page.goto(`${web}/lot/${lotId}`);
    await page.getByTestId("journey").waitFor({ timeout: 30_000 });
    const section = page.getByTestId("analytics-flags");
    await section.waitFor({ timeout: 15_000 });
    const flags = section.getByTestId("analytics-flag");
    expect(await flags.count()).to.equal(report.anomalies.length);
    const kinds = await flags.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")));
    expect(kinds).to.include(kind);
    const flag = section.locator(`[data-testid="analytics-flag"][data-kind="${kind}"]`).first();
    const finding = report.anomalies.find((f) => f.kind === kind)!;
    const text = ((await flag.textContent()) ?? "").replace(/\s+/g, " ");
    expect(text).to.include(finding.reasons[0]!.replace(/\s+/g, " "));
    expect(text).to.include(`score ${finding.score.toFixed(1)}`);
    // Findings on the lots it was made from or into say so (the API's relation).
    const relations = await flags.evaluateAll((els) => els.map((e) => e.getAttribute("data-relation")));
    expect(relations).to.deep.equal(report.anomalies.map((f) => f.relation));
    const fromFlag = section.locator('[data-testid="analytics-flag"][data-relation="made from"]');
    if ((await fromFlag.count()) > 0)
      expect(await fromFlag.first().textContent()).to.include("on a lot this one was made from");
    // Set apart from the chain's alarms: it says it is not on chain and which model found it.
    const about = (await section.textContent()) ?? "";
    expect(about).to.include("Not recorded on chain");
    expect(about).to.include(`model version ${report.model.version}`);
    await shot(page, "analytics-flags", section);
    await section.screenshot({ path: path.join(ARTIFACTS, "analytics-flags-section.png") });

    // Without the analytics the journey is whole, with one calm line instead of the section.
    const offline = await consumer();
    await offline.route("**/api/v1/analytics/**", (route) =>
      route.fulfill({ status: 503, contentType: "application/json", body: '{"error": "the analytics are down"}' }),
    );
    await offline.goto(`${web}/lot/${lotId}`);
    await offline.getByTestId("analytics-unavailable").waitFor({ timeout: 15_000 });
    expect(await offline.getByTestId("analytics-flags").count()).to.equal(0);
    expect(await offline.getByTestId("lookup-error").count()).to.equal(0);
    expect(await offline.getByTestId("product-card").count()).to.equal(1);
  });

  journey("10 the recalled pack shows one recall banner naming every stage it was recalled at", async function () {
    const pack = facts.packs.find((p) => p.recalled)!;
    const json = await journeyJson(pack.digitalLink);
    const recalls = json.alarms.filter((a) => a.kind === "recalled" && a.lotId === pack.lotId);
    expect(recalls.length, "the demo's pack is recalled at several stages").to.be.greaterThan(1);
    const page = await consumer();
    await page.goto(`${web}/lot/${pack.lotId}`);
    const banner = page.getByTestId("alarm-recalled");
    await banner.first().waitFor({ timeout: 30_000 });
    expect(await banner.count(), "one recall banner").to.equal(1);
    expect(await banner.locator("li").count(), "one line for the one recalled lot").to.equal(1);
    const text = ((await banner.textContent()) ?? "").replace(/\s+/g, " ");
    for (const a of recalls) expect(text).to.include(`the ${STAGE_NAMES[a.stage! - 1]}`);
    const reason = json.events.find((e) => e.kind === "recall" && e.lotId === pack.lotId);
    if (reason?.kind === "recall") expect(text.split(reason.reason).length - 1, "the reason once").to.equal(1);
    await shot(page, "recalled-once", banner);
  });

  journey("11 the distributor sees which lots to dispatch first, the least shelf life on top", async function () {
    const analytics = stack!.analytics!;
    const { distributor } = facts.accounts;
    expect(analytics.hub).to.equal(distributor.address);
    const response = await fetch(`${web}/api/v1/analytics/dispatch?hub=${distributor.address}`);
    expect(response.status, await response.clone().text()).to.equal(200);
    const plan = (await response.json()) as DispatchReport;
    expect(plan.advice.length, "the seeded lots at the hub get advice").to.be.greaterThan(0);
    // The API's ranking is shortest life first, over the lots the seed left at the hub.
    const days = plan.advice.map((a) => a.remainingDays);
    expect(days).to.deep.equal([...days].sort((a, b) => a - b));
    for (const a of plan.advice) expect(analytics.heldLots).to.include(a.lotId);
    const least = plan.advice.reduce((a, b) => (b.remainingDays < a.remainingDays ? b : a));

    const { page } = await actor({ account: distributor.index });
    await page.getByTestId("connect-wallet").click();
    await page
      .getByTestId("role")
      .filter({ hasText: /Distributor/ })
      .waitFor();
    const list = page.getByTestId("dispatch-list");
    await list.waitFor({ timeout: 30_000 });
    const items = list.getByTestId("dispatch-item");
    await items.first().waitFor();
    expect(await items.count()).to.equal(plan.advice.length);
    expect(await items.first().getAttribute("data-lot")).to.equal(least.lotId);
    const first = ((await items.first().textContent()) ?? "").replace(/\s+/g, " ");
    expect(first).to.include(least.retailer.name);
    expect(first).to.include("shelf life left");
    if (plan.expired.length > 0) {
      const expired = page.getByTestId("dispatch-expired");
      expect(
        await expired.locator("[data-lot]").evaluateAll((els) => els.map((e) => e.getAttribute("data-lot"))),
      ).to.deep.equal(plan.expired.map((e) => e.lotId));
    }
    const card = page.locator(".actor-dispatch-card");
    await shot(page, "actor-dispatch", card);
    await card.screenshot({ path: path.join(ARTIFACTS, "actor-dispatch-card.png") });

    // Without the analytics: one calm line; the orders and lots are there as ever.
    await page.route("**/api/v1/analytics/**", (route) =>
      route.fulfill({ status: 503, contentType: "application/json", body: '{"error": "the analytics are down"}' }),
    );
    await page.reload();
    const message = page.getByTestId("dispatch-message");
    await message.waitFor({ timeout: 30_000 });
    expect(await message.textContent()).to.include("the analytics are down");
    expect(await page.getByTestId("dispatch-list").count()).to.equal(0);
    await page.locator('[data-testid="lots-list"][data-loaded="true"]').waitFor();
  });

  journey(
    "12 a deckhand with no wallet and no ETH registers two catches offline; both reach the chain",
    async function () {
      this.timeout(180_000);
      const context = await browser!.newContext(PHONE);
      contexts.push(context);
      let page = await context.newPage();
      collectErrors(page);
      await page.goto(`${web}/vessel`);
      await page.evaluate("navigator.serviceWorker.ready.then(() => true)");
      const keyForm = page.getByTestId("form-vessel-key");
      await keyForm.locator("input[name=passphrase]").fill("skipper-passphrase");
      await keyForm.locator("input[name=repeated]").fill("skipper-passphrase");
      await keyForm.getByTestId("submit").click();
      const appKey = ((await page.getByTestId("vessel-address").textContent()) ?? "").trim();
      expect(await provider.getBalance(appKey)).to.equal(0n);

      // Ashore, once: the registry enrols the phone's key as a harvester.
      const admin = new Wallet(testKey(facts.accounts.admin.index), provider);
      const gln = ((body: string) => body + String(gtinCheckDigit(body)))("703801000012");
      await (
        await chain.registry.connect(admin).registerParticipant(appKey, roleId("HARVESTER"), "MV Deckhand", gln)
      ).wait();

      // At sea: the page from the service worker, two catches signed on the phone, the page closed and opened again.
      await context.setOffline(true);
      await page.reload();
      await page.getByTestId("vessel-network").filter({ hasText: "Offline" }).waitFor();
      await page.getByTestId("form-vessel-unlock").locator("input[name=passphrase]").fill("skipper-passphrase");
      await page.getByTestId("form-vessel-unlock").getByTestId("submit").click();
      for (const [i, [weight, latitude]] of (
        [
          ["250", "69.12"],
          ["1.5", "69.30"],
        ] as const
      ).entries()) {
        const form = page.getByTestId("form-vessel-catch");
        await form.locator("input[name=species]").fill("COD");
        await form.locator("input[name=weight]").fill(weight);
        await form.locator("input[name=latitude]").fill(latitude);
        await form.locator("input[name=longitude]").fill("18.5");
        await form.getByTestId("submit").click();
        // Signed when it is in the phone's queue (the notice of the one before may still be showing).
        await page.locator("[data-testid=vessel-catch][data-state=signed]").nth(i).waitFor();
      }
      await page.close();
      page = await context.newPage();
      collectErrors(page);
      await page.goto(`${web}/vessel`);
      await page.locator("[data-testid=vessel-catch][data-state=signed]").nth(1).waitFor();

      // In port: the relay sponsors both through the forwarder; the page shows each on chain with its lot id.
      await context.setOffline(false);
      await page.evaluate("window.dispatchEvent(new Event('online'))");
      try {
        await page.locator("[data-testid=vessel-catch][data-state=on-chain]").nth(1).waitFor({ timeout: 90_000 });
      } catch (err) {
        const shown = await page.getByTestId("vessel-catch").allTextContents();
        const health = await (await fetch(`${stack!.urls.relay}/healthz`)).text();
        const metrics = (await (await fetch(`${stack!.urls.relay}/metrics`)).text())
          .split("\n")
          .filter((l) => /action|round|rpc_errors/.test(l) && !l.startsWith("#"));
        throw new Error(
          `the catches did not reach the chain; the page shows: ${JSON.stringify(shown)}; relay ${health} ` +
            metrics.join(" | "),
          { cause: err },
        );
      }
      const lines = await page.getByTestId("vessel-catch-state").allTextContents();
      const lots = lines.map((line) => BigInt(/lot (\d+)/.exec(line)?.[1] ?? "0"));
      expect(
        lots.every((lot) => lot > 0n),
        lines.join("; "),
      ).to.equal(true);
      const { id } = await chain.registry.authorization(appKey);
      const registered = await chain.harvester.queryFilter(chain.harvester.filters.FishRegistered(undefined, id));
      expect(registered.map((e) => e.args.lotId)).to.deep.equal(lots);
      expect(registered.map((e) => e.args.catchData.weightGrams)).to.deep.equal([250_000n, 1_500n]);
      expect(await provider.getBalance(appKey), "the deckhand paid nothing").to.equal(0n);
      await shot(page, "vessel-on-chain");
    },
  );

  journey(
    "13 in fUSD: a supplier orders a catch with a permit signed in the wallet, the harvester ships, the supplier acknowledges, the harvester withdraws the token",
    async function () {
      const { vessel, supplier } = facts.accounts;
      const token = await settlementToken();
      const tokenAddress = await token.getAddress();
      const book = stack!.config.addresses.harvester;
      expect([await token.symbol(), await token.decimals()]).to.deep.equal(["fUSD", 6n]);
      // The catch, registered ashore by the vessel's key.
      const asVessel = chain.harvester.connect(new Wallet(testKey(vessel.index), provider));
      const caughtAt = (await provider.getBlock("latest"))!.timestamp - 3_600;
      const catchOf = { species: "COD", weight: "250kg", caughtAt, latitude: "69.5", longitude: "17.25", gear: "LLS" };
      const registered = (await (await asVessel.registerFish(catchData(catchOf))).wait())!;
      const [lotLog] = await chain.harvester.queryFilter(
        chain.harvester.filters.FishRegistered(),
        registered.blockNumber,
        registered.blockNumber,
      );
      const lotId = lotLog!.args.lotId;

      const { page, wallet } = await actor({ account: supplier.index });
      await connectAs(page, /Supplier/);
      const form = page.getByTestId("form-place-order");
      expect(await form.textContent()).to.include("Price (fUSD, escrowed)");
      await form.locator('[name="seller"]').selectOption(vessel.address);
      await form.locator('[name="species"]').fill("COD");
      await form.locator('[name="weight"]').fill("250kg");

      // A wrong amount is one line on the form; nothing is asked of the wallet.
      const asked = wallet.requests().length;
      for (const [typed, line] of [
        ["12.3456789", 'price "12.3456789" has more than the 6 decimals fUSD has'],
        ["-5", 'price "-5" is negative: give an amount of fUSD'],
        ["a lot", 'price "a lot" is not an amount of fUSD (e.g. 1250.50)'],
      ]) {
        await form.locator('[name="price"]').fill(typed!);
        await form.getByTestId("submit").click();
        await form.getByTestId("form-error").filter({ hasText: line! }).waitFor();
      }
      expect(wallet.requests().slice(asked)).to.deep.equal([]);

      // The order, paid with a permit the wallet signs (journey 6 declines one: nothing is sent).
      const price = 1_234_560_000n; // 1,234.56 fUSD
      await form.locator('[name="price"]').fill("1234.56");
      const [permitNonce, supplierBefore, bookBefore] = await Promise.all([
        token.nonces(supplier.address),
        token.balanceOf(supplier.address),
        token.balanceOf(book),
      ]);
      const sends = wallet.requests("eth_sendTransaction").length;
      const signs = wallet.requests("eth_signTypedData_v4").length;
      // Accepted: the line says what the wallet is asked, the permit verifies on chain inside the one transaction.
      await page.evaluate(() => {
        const w = globalThis as any;
        w.txTexts = [];
        new w.MutationObserver(() => {
          const text = w.document.querySelector('[data-testid="tx-status"] .actor-tx-text')?.textContent;
          if (text && w.txTexts.at(-1) !== text) w.txTexts.push(text);
        }).observe(w.document.body, { subtree: true, childList: true, characterData: true });
      });
      await form.getByTestId("submit").click();
      let status = await settled(page, "place-order");
      expect(status.state, status.text).to.equal("confirmed");
      expect(status.text).to.match(
        /Order \d+ placed at the harvester: 250 kg of COD, 1,234\.56 fUSD in escrow \(paid with a permit\)/,
      );
      const texts = (await page.evaluate("window.txTexts")) as string[];
      const at = (re: RegExp) => texts.findIndex((t) => re.test(t));
      expect(
        at(/^Sign the permit in your wallet… \(1,234\.56 fUSD to the harvester's order book\)$/),
        texts.join(" | "),
      )
        .to.be.greaterThan(-1)
        .and.lessThan(at(/^Permit signed\. Confirm the order in your wallet…$/));
      expect(at(/^Permit signed/)).to.be.lessThan(at(/^Sent; waiting for a block/));
      const orderId = BigInt(status.result);
      // What the wallet signed: the token's own EIP-712 domain, the supplier's next nonce, exactly the price.
      const [signed] = wallet.requests("eth_signTypedData_v4").slice(signs);
      const typed = JSON.parse(signed!.params[1] as string) as {
        domain: Record<string, unknown>;
        types: Record<string, { name: string; type: string }[]>;
        message: Record<string, string>;
      };
      // (The chain id as the wallet got it, a JSON quantity.)
      expect({ ...typed.domain, chainId: Number(typed.domain.chainId) }).to.deep.equal({
        name: "FishTrace USD",
        version: "1",
        chainId: 31337,
        verifyingContract: tokenAddress.toLowerCase(),
      });
      expect(typed.message.owner!.toLowerCase()).to.equal(supplier.address.toLowerCase());
      expect(typed.message.spender!.toLowerCase()).to.equal(book.toLowerCase());
      expect(BigInt(typed.message.value!)).to.equal(price);
      expect(BigInt(typed.message.nonce!)).to.equal(permitNonce);
      const { EIP712Domain: _domain, ...types } = typed.types;
      expect(verifyTypedData(typed.domain, types, typed.message, signed!.result as string)).to.equal(supplier.address);
      // One transaction (no approve), to the order book; the permit was used on chain (nonce, allowance spent).
      const sent = wallet.requests("eth_sendTransaction").slice(sends);
      expect(sent.map((r) => (r.params[0] as { to: string }).to.toLowerCase())).to.deep.equal([book.toLowerCase()]);
      expect(await token.nonces(supplier.address)).to.equal(permitNonce + 1n);
      expect(await token.allowance(supplier.address, book)).to.equal(0n);
      expect((await chain.harvester.getOrder(orderId)).price).to.equal(price);
      expect(await token.balanceOf(supplier.address)).to.equal(supplierBefore - price);
      expect(await token.balanceOf(book)).to.equal(bookBefore + price);
      const row = page.getByTestId(`order-harvester-${orderId}`);
      await row.getByTestId("order-price").filter({ hasText: "1,234.56 fUSD" }).waitFor();

      // The harvester ships the catch.
      await wallet.useAccount(vessel.index);
      await page.getByTestId("account").filter({ hasText: vessel.address }).waitFor();
      await row.locator('[name="lots"]').fill(lotId.toString());
      await row.getByTestId("action-ship").click();
      status = await settled(page, "ship");
      expect(status.state, status.text).to.equal("confirmed");

      // The supplier confirms the delivery and acknowledges it: the escrow becomes the harvester's.
      await wallet.useAccount(supplier.index);
      await page.getByTestId("account").filter({ hasText: supplier.address }).waitFor();
      await row.getByTestId("action-confirm").click();
      status = await settled(page, "confirm");
      expect(status.state, status.text).to.equal("confirmed");
      const acknowledge = row.getByTestId("action-acknowledge");
      expect(await acknowledge.textContent()).to.include("Acknowledge and pay 1,234.56 fUSD");
      await acknowledge.click();
      status = await settled(page, "acknowledge");
      expect(status.state, status.text).to.equal("confirmed");
      expect(status.text).to.include("may withdraw 1,234.56 fUSD");
      expect((await chain.harvester.getOrder(orderId)).state).to.equal(ORDER.Acknowledged);

      // The harvester withdraws the token: exactly the price, from the book's escrow.
      await wallet.useAccount(vessel.index);
      await page.getByTestId("account").filter({ hasText: vessel.address }).waitFor();
      await page.getByTestId("withdrawable").filter({ hasText: "1,234.56 fUSD" }).waitFor();
      await row.getByTestId("order-owed").filter({ hasText: "1,234.56 fUSD to withdraw" }).waitFor();
      await shot(page, "actor-token-withdraw", page.getByTestId("withdrawable"));
      const vesselBefore = await token.balanceOf(vessel.address);
      const withdraw = page.getByTestId("action-withdraw");
      expect(await withdraw.textContent()).to.include("Withdraw 1,234.56 fUSD");
      await withdraw.click();
      status = await settled(page, "withdraw");
      expect(status.state, status.text).to.equal("confirmed");
      expect(status.text).to.match(new RegExp(`Order ${orderId}: price of 1,234\\.56 fUSD paid to you`));
      expect(await token.balanceOf(vessel.address)).to.equal(vesselBefore + price);
      expect(await token.balanceOf(book)).to.equal(bookBefore);
      expect((await chain.harvester.getOrder(orderId)).state).to.equal(ORDER.Paid);
      await page.getByTestId("withdrawable").filter({ hasText: "0 fUSD" }).waitFor();
      // The account bar shows what the harvester now holds of the token, beside its ETH for gas.
      const held = amountText(vesselBefore + price, { symbol: "fUSD", decimals: 6 });
      await page.getByTestId("token-balance").filter({ hasText: held }).waitFor();
    },
  );
});

/** Waits for the newest `tx-status` of `action` to leave the wallet/pending states; returns what it shows. */
async function settled(
  page: Page,
  action: string,
  timeout = 60_000,
): Promise<{ state: string; text: string; result: string; hash: string }> {
  const line = page.locator(`[data-testid="tx-status"][data-action="${action}"]`);
  const done = line.and(page.locator('[data-state="confirmed"], [data-state="failed"], [data-state="declined"]'));
  const formError = page.getByTestId("form-error");
  try {
    await done.or(formError).first().waitFor({ timeout });
    if ((await done.count()) === 0) throw new Error(`a form error: ${await formError.first().textContent()}`);
  } catch (e) {
    // Say what the page shows instead: the transaction line (if any) and the forms' one-line errors.
    const shown = await page
      .locator('[data-testid="tx-status"], [data-testid="form-error"], [data-testid="wallet-message"]')
      .allTextContents();
    throw new Error(
      `no settled "${action}" transaction after ${timeout} ms; the page shows: ${JSON.stringify(shown)}`,
      {
        cause: e,
      },
    );
  }
  const status = {
    state: (await line.getAttribute("data-state")) ?? "",
    text: ((await line.textContent()) ?? "").replace(/\s+/g, " ").trim(),
    result: (await line.getAttribute("data-result")) ?? "",
    hash: (await line.getAttribute("data-hash")) ?? "",
  };
  if (process.env.WEB_TEST_LOG) console.log(`      tx ${action}: ${status.state} · ${status.text}`);
  return status;
}

async function expectEnabled(locator: Locator, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (await locator.isDisabled()) {
    if (Date.now() > deadline) throw new Error(`still disabled after ${timeout} ms: ${locator.toString()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
