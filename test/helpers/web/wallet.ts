/**
 * A test wallet that behaves like MetaMask towards a page: an injected EIP-1193 provider (`window.ethereum`,
 * `isMetaMask`, announced through EIP-6963) whose `request` crosses into Node through a Playwright binding. All the
 * wallet's state lives here, in Node, so it survives navigations and reloads: the HD accounts of Hardhat's default
 * mnemonic, the selected account, the selected chain and the chains the wallet knows, which origins were granted
 * the accounts, a "the user clicks Reject on the next prompt" switch, and a log of every request.
 *
 * Signing methods sign here with ethers (eth_sendTransaction sends through the selected chain's RPC URL, like
 * MetaMask); everything else is forwarded raw to that RPC URL and the node's answer — result or error with its
 * code, message and revert data — is passed through unchanged. Errors reach the page as ProviderRpcError-shaped
 * objects: an `Error` with a numeric `code` and `data`.
 */
import {
  HDNodeWallet,
  JsonRpcProvider,
  getBytes,
  isHexString,
  type TransactionRequest,
  type TypedDataField,
} from "ethers";
import type { BrowserContext, Page } from "playwright-core";

export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** What Playwright tells a binding about its caller (page, frame). */
type BindingSource = Parameters<Parameters<BrowserContext["exposeBinding"]>[1]>[0];

/** The binding the injected provider calls; `__ftEmit` is the page-side function Node calls to fire events. */
const BINDING = "__ftWallet";

export interface RpcErrorShape {
  code: number;
  message: string;
  data?: unknown;
}

export interface WalletRequestLog {
  origin: string;
  method: string;
  params: unknown[];
  result?: unknown;
  error?: RpcErrorShape;
}

export interface TestWalletOptions {
  /** The local node's JSON-RPC URL: what chain 31337 talks to (from the start, or once the page adds it). */
  nodeUrl: string;
  /** The chain selected at start: 31337 (default) or a "wrong" one such as 1, which the wallet cannot reach. */
  chainId?: number;
  /** The selected account's index in Hardhat's default mnemonic (default 0). */
  account?: number;
}

/** The error a user's "Reject" in MetaMask produces (EIP-1193). */
export const USER_REJECTED: RpcErrorShape = { code: 4001, message: "User rejected the request." };

/** Methods that open a MetaMask prompt: `refuseNext()` makes the next of these fail with 4001. */
const PROMPTING = new Set([
  "eth_requestAccounts",
  "wallet_requestPermissions",
  "eth_sendTransaction",
  "personal_sign",
  "eth_signTypedData_v4",
  "wallet_switchEthereumChain",
  "wallet_addEthereumChain",
]);

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** The page side: defines `window.ethereum` and announces it (EIP-6963). Plain JS, run before the page's scripts. */
const INIT_SCRIPT = `(() => {
  if (window.ethereum && window.ethereum.__ftTestWallet) return;
  const listeners = new Map();
  const toError = (e) => {
    const error = new Error(e.message);
    error.code = e.code;
    if (e.data !== undefined) error.data = e.data;
    return error;
  };
  const provider = {
    __ftTestWallet: true,
    isMetaMask: true,
    isConnected: () => true,
    async request(args) {
      if (!args || typeof args !== "object" || typeof args.method !== "string") {
        throw toError({ code: -32600, message: "Expected a single, non-array, object argument." });
      }
      const params = args.params === undefined ? [] : args.params;
      const reply = await window.${BINDING}({ method: args.method, params });
      if (reply && reply.error) throw toError(reply.error);
      return reply.result;
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push(listener);
      return provider;
    },
    removeListener(event, listener) {
      const list = listeners.get(event) || [];
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
      return provider;
    },
    removeAllListeners(event) {
      if (event === undefined) listeners.clear();
      else listeners.delete(event);
      return provider;
    },
    listenerCount(event) {
      return (listeners.get(event) || []).length;
    },
  };
  provider.off = provider.removeListener;
  provider.addListener = provider.on;
  Object.defineProperty(window, "__ftEmit", {
    value: (event, payload) => {
      for (const listener of [...(listeners.get(event) || [])]) {
        try { listener(payload); } catch (e) { setTimeout(() => { throw e; }); }
      }
      return (listeners.get(event) || []).length;
    },
  });
  Object.defineProperty(window, "ethereum", { value: provider, configurable: true, writable: false });
  const info = Object.freeze({
    uuid: "6f1c2c8e-4b1a-4f0e-9a59-0c6f1f7e7a31",
    name: "FishTrace test wallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'/%3E",
    rdns: "io.metamask",
  });
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;

interface Chain {
  /** Where this chain's requests go; absent for a chain the wallet lists but the tests cannot reach (mainnet). */
  rpcUrl?: string;
  name: string;
}

function hexChain(id: number): string {
  return "0x" + id.toString(16);
}

function originOf(source: BindingSource): string {
  try {
    return new URL(source.frame.url()).origin;
  } catch {
    return "null";
  }
}

function quantity(value: unknown): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
    throw new RpcError(-32602, `Invalid parameters: not a quantity: ${JSON.stringify(value)}`);
  }
  return BigInt(value);
}

export class TestWallet {
  readonly nodeUrl: string;
  readonly log: WalletRequestLog[] = [];
  private readonly accounts: HDNodeWallet[] = [];
  private accountIndex: number;
  private chainId: number;
  private readonly chains = new Map<number, Chain>();
  private readonly permitted = new Set<string>();
  private refusals = 0;
  private readonly providers = new Map<string, JsonRpcProvider>();
  private readonly contexts: BrowserContext[] = [];
  private rpcId = 0;

  constructor(options: TestWalletOptions) {
    this.nodeUrl = options.nodeUrl;
    this.chainId = options.chainId ?? 31337;
    this.accountIndex = options.account ?? 0;
    // Like a fresh MetaMask: it knows Ethereum mainnet; the local chain only if the test starts on it.
    this.chains.set(1, { name: "Ethereum Mainnet" });
    if (this.chainId === 31337) this.chains.set(31337, { rpcUrl: this.nodeUrl, name: "Localhost 8545" });
    if (!this.chains.has(this.chainId)) throw new Error(`test wallet: unknown start chain ${this.chainId}`);
  }

  /** The account at `index` of Hardhat's default mnemonic (m/44'/60'/0'/0/index). */
  wallet(index: number): HDNodeWallet {
    let w = this.accounts[index];
    if (w === undefined) {
      w = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
      this.accounts[index] = w;
    }
    return w;
  }

  address(index = this.accountIndex): string {
    return this.wallet(index).address;
  }

  get selectedAddress(): string {
    return this.address(this.accountIndex);
  }

  get selectedChainId(): number {
    return this.chainId;
  }

  /** The user clicks "Reject" on the next prompt (connect, switch/add network, transaction, signature). */
  refuseNext(): void {
    this.refusals++;
  }

  /** Requests of `method` in the log (all of them without an argument). */
  requests(method?: string): WalletRequestLog[] {
    return method === undefined ? [...this.log] : this.log.filter((r) => r.method === method);
  }

  /** Installs the provider into every page of `context` (now and after any navigation). */
  async install(context: BrowserContext): Promise<void> {
    this.contexts.push(context);
    await context.exposeBinding(BINDING, (source: BindingSource, request: { method: string; params: unknown }) =>
      this.handle(source, request),
    );
    await context.addInitScript({ content: INIT_SCRIPT });
  }

  /** The user selects another account in the wallet: permitted pages get `accountsChanged`. */
  async useAccount(index: number): Promise<void> {
    this.accountIndex = index;
    await this.emit("accountsChanged", (origin) => (this.permitted.has(origin) ? [this.selectedAddress] : undefined));
  }

  /** The user selects another network in the wallet: every page gets `chainChanged`. */
  async setChain(chainId: number): Promise<void> {
    if (!this.chains.has(chainId)) throw new Error(`test wallet: chain ${chainId} was never added`);
    if (chainId === this.chainId) return;
    this.chainId = chainId;
    await this.emit("chainChanged", () => hexChain(chainId));
  }

  /** Stops the JSON-RPC providers the wallet made (their polling timers). */
  close(): void {
    for (const provider of this.providers.values()) provider.destroy();
    this.providers.clear();
  }

  private pages(): Page[] {
    return this.contexts.flatMap((c) => c.pages()).filter((p) => !p.isClosed());
  }

  private async emit(event: string, payloadFor: (origin: string) => unknown): Promise<void> {
    await Promise.all(
      this.pages().map(async (page) => {
        let origin = "null";
        try {
          origin = new URL(page.url()).origin;
        } catch {
          // about:blank and the like
        }
        const payload = payloadFor(origin);
        if (payload === undefined) return;
        await page
          .evaluate(
            ([e, p]) => {
              const emit = (globalThis as unknown as { __ftEmit?: (e: string, p: unknown) => number }).__ftEmit;
              return emit?.(e as string, p);
            },
            [event, payload] as const,
          )
          .catch(() => undefined); // a page navigating away just misses the event, as with MetaMask
      }),
    );
  }

  private async handle(
    source: BindingSource,
    request: { method: string; params: unknown },
  ): Promise<{ result: unknown } | { error: RpcErrorShape }> {
    const origin = originOf(source);
    const params = Array.isArray(request.params) ? (request.params as unknown[]) : [request.params];
    const entry: WalletRequestLog = { origin, method: request.method, params };
    this.log.push(entry);
    try {
      entry.result = await this.dispatch(origin, request.method, params);
      return { result: entry.result ?? null };
    } catch (e) {
      const error: RpcErrorShape =
        e instanceof RpcError
          ? { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) }
          : { code: -32603, message: `Internal JSON-RPC error: ${e instanceof Error ? e.message : String(e)}` };
      entry.error = error;
      return { error };
    }
  }

  private requirePermission(origin: string): void {
    if (!this.permitted.has(origin)) {
      throw new RpcError(4100, "The requested account and/or method has not been authorized by the user.");
    }
  }

  private requireAccount(origin: string, address: unknown): HDNodeWallet {
    this.requirePermission(origin);
    if (typeof address !== "string" || address.toLowerCase() !== this.selectedAddress.toLowerCase()) {
      throw new RpcError(
        4100,
        `The requested account and/or method has not been authorized by the user (from ${String(address)}).`,
      );
    }
    return this.wallet(this.accountIndex);
  }

  private provider(): JsonRpcProvider {
    const chain = this.chains.get(this.chainId);
    if (chain?.rpcUrl === undefined) {
      throw new RpcError(-32603, `Internal JSON-RPC error: the test wallet cannot reach ${chain?.name ?? "chain"}.`);
    }
    let provider = this.providers.get(chain.rpcUrl);
    if (provider === undefined) {
      provider = new JsonRpcProvider(chain.rpcUrl, this.chainId, { staticNetwork: true, cacheTimeout: -1 });
      this.providers.set(chain.rpcUrl, provider);
    }
    return provider;
  }

  private async dispatch(origin: string, method: string, params: unknown[]): Promise<unknown> {
    if (PROMPTING.has(method) && this.refusals > 0) {
      this.refusals--;
      throw new RpcError(USER_REJECTED.code, USER_REJECTED.message);
    }
    switch (method) {
      case "eth_requestAccounts": {
        const first = !this.permitted.has(origin);
        this.permitted.add(origin);
        if (first) void this.emit("accountsChanged", (o) => (o === origin ? [this.selectedAddress] : undefined));
        return [this.selectedAddress];
      }
      case "eth_accounts":
        return this.permitted.has(origin) ? [this.selectedAddress] : [];
      case "wallet_getPermissions":
        return this.permitted.has(origin) ? [{ parentCapability: "eth_accounts", invoker: origin }] : [];
      case "wallet_requestPermissions":
        this.permitted.add(origin);
        return [{ parentCapability: "eth_accounts", invoker: origin }];
      case "wallet_revokePermissions":
        this.permitted.delete(origin);
        return null;
      case "eth_chainId":
        return hexChain(this.chainId);
      case "net_version":
        return String(this.chainId);
      case "wallet_switchEthereumChain":
        return this.switchChain(params[0]);
      case "wallet_addEthereumChain":
        return this.addChain(params[0]);
      case "eth_sendTransaction":
        return this.sendTransaction(origin, params[0]);
      case "personal_sign": {
        const [message, address] = params;
        const signer = this.requireAccount(origin, address);
        if (typeof message !== "string") throw new RpcError(-32602, "Invalid parameters: message must be a string.");
        return signer.signMessage(isHexString(message) ? getBytes(message) : message);
      }
      case "eth_signTypedData_v4": {
        const [address, json] = params;
        const signer = this.requireAccount(origin, address);
        const typed = (typeof json === "string" ? JSON.parse(json) : json) as {
          domain: Record<string, unknown>;
          types: Record<string, TypedDataField[]>;
          primaryType: string;
          message: Record<string, unknown>;
        };
        const { EIP712Domain: _domain, ...types } = typed.types;
        return signer.signTypedData(typed.domain, types, typed.message);
      }
      case "eth_sign":
      case "eth_signTransaction":
        throw new RpcError(4200, `The method "${method}" is not supported by the test wallet.`);
      default:
        return this.forward(method, params);
    }
  }

  private async switchChain(param: unknown): Promise<null> {
    const id = (param as { chainId?: unknown } | undefined)?.chainId;
    if (typeof id !== "string" || !/^0x[0-9a-f]+$/i.test(id)) {
      throw new RpcError(-32602, `Invalid parameters: expected { chainId: "0x…" }, got ${JSON.stringify(param)}.`);
    }
    const chainId = Number(BigInt(id));
    if (!this.chains.has(chainId)) {
      throw new RpcError(
        4902,
        `Unrecognized chain ID "${id}". Try adding the chain using wallet_addEthereumChain first.`,
      );
    }
    await this.setChain(chainId);
    return null;
  }

  private async addChain(param: unknown): Promise<null> {
    const p = param as
      | {
          chainId?: unknown;
          chainName?: unknown;
          rpcUrls?: unknown;
          nativeCurrency?: { name?: unknown; symbol?: unknown; decimals?: unknown };
        }
      | undefined;
    const invalid = (why: string) => new RpcError(-32602, `Invalid parameters: ${why}`);
    if (typeof p?.chainId !== "string" || !/^0x[0-9a-f]+$/i.test(p.chainId)) throw invalid("chainId must be hex");
    if (typeof p.chainName !== "string" || p.chainName === "") throw invalid("chainName is required");
    if (!Array.isArray(p.rpcUrls) || typeof p.rpcUrls[0] !== "string") throw invalid("rpcUrls must list a URL");
    const currency = p.nativeCurrency;
    if (typeof currency?.symbol !== "string" || currency.decimals !== 18 || typeof currency.name !== "string") {
      throw invalid("nativeCurrency must be { name, symbol, decimals: 18 }");
    }
    const chainId = Number(BigInt(p.chainId));
    const rpcUrl = p.rpcUrls[0] as string;
    // MetaMask asks the RPC URL for its chain id before it adds the network.
    let answered: unknown;
    try {
      answered = await this.rpc(rpcUrl, "eth_chainId", []);
    } catch {
      throw new RpcError(-32603, `Could not fetch chain ID. Is your RPC URL correct? (${rpcUrl})`);
    }
    if (typeof answered !== "string" || Number(BigInt(answered)) !== chainId) {
      throw new RpcError(
        -32603,
        `Chain ID returned by RPC URL ${rpcUrl} (${String(answered)}) does not match ${p.chainId}.`,
      );
    }
    this.chains.set(chainId, { rpcUrl, name: p.chainName });
    // MetaMask then offers to switch to the added network; the user accepts.
    await this.setChain(chainId);
    return null;
  }

  private async sendTransaction(origin: string, param: unknown): Promise<string> {
    const tx = (param ?? {}) as Record<string, unknown>;
    const signer = this.requireAccount(origin, tx.from);
    if (tx.chainId !== undefined && Number(quantity(tx.chainId)) !== this.chainId) {
      throw new RpcError(-32602, `Invalid parameters: chainId ${String(tx.chainId)} is not the selected chain.`);
    }
    const provider = this.provider();
    const request: TransactionRequest = {
      from: signer.address,
      to: typeof tx.to === "string" ? tx.to : null,
      data: typeof tx.data === "string" ? tx.data : typeof tx.input === "string" ? tx.input : "0x",
      value: quantity(tx.value) ?? 0n,
      chainId: BigInt(this.chainId),
    };
    const gas = quantity(tx.gas ?? tx.gasLimit);
    if (gas !== undefined) request.gasLimit = gas;
    const gasPrice = quantity(tx.gasPrice);
    if (gasPrice !== undefined) request.gasPrice = gasPrice;
    const maxFee = quantity(tx.maxFeePerGas);
    if (maxFee !== undefined) request.maxFeePerGas = maxFee;
    const tip = quantity(tx.maxPriorityFeePerGas);
    if (tip !== undefined) request.maxPriorityFeePerGas = tip;
    // The nonce from the node, as MetaMask does it (a stale cached one is what README's "clear activity" is for).
    request.nonce = Number(
      BigInt((await this.forward("eth_getTransactionCount", [signer.address, "pending"])) as string),
    );
    try {
      const sent = await signer.connect(provider).sendTransaction(request);
      return sent.hash;
    } catch (e) {
      // ethers wraps the node's error; hand the page the node's own code, message and data.
      const info = (e as { info?: { error?: RpcErrorShape } }).info?.error;
      if (info !== undefined) throw new RpcError(info.code, info.message, info.data);
      throw e;
    }
  }

  private async rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++this.rpcId, method, params }),
    });
    const body = (await response.json()) as { result?: unknown; error?: RpcErrorShape };
    if (body.error !== undefined) throw new RpcError(body.error.code, body.error.message, body.error.data);
    return body.result;
  }

  /** Any other method: the selected chain's node answers, its error passed through as it is. */
  private async forward(method: string, params: unknown[]): Promise<unknown> {
    const chain = this.chains.get(this.chainId);
    if (chain?.rpcUrl === undefined) {
      throw new RpcError(-32603, `Internal JSON-RPC error: the test wallet cannot reach ${chain?.name ?? "chain"}.`);
    }
    try {
      return await this.rpc(chain.rpcUrl, method, params);
    } catch (e) {
      if (e instanceof RpcError) throw e;
      throw new RpcError(-32603, `Internal JSON-RPC error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
