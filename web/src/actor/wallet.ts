/**
 * Finding the browser's Ethereum wallet and talking to it: EIP-6963 discovery (every wallet announces itself),
 * falling back to the legacy `window.ethereum`; the EIP-1193 requests the actor views need (accounts, chain,
 * switching and adding the FishTrace network) and the error codes wallets answer with.
 */
import type { WebConfig } from "@core/api/web-config.js";
import { propertyOf } from "@core/checks.js";

/** An EIP-1193 provider, as far as the actor views use it. */
export interface Eip1193 {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** A wallet found in the page: EIP-6963's provider info, or a made-up one for `window.ethereum`. */
export interface FoundWallet {
  uuid: string;
  name: string;
  /** A data: URI, when the wallet gave one. */
  icon?: string;
  rdns?: string;
  provider: Eip1193;
}

function isProvider(value: unknown): value is Eip1193 {
  return typeof propertyOf(value, "request") === "function";
}

/** The text field `key` of an EIP-6963 announcement's `info`, when it is text. */
function infoText(info: unknown, key: "uuid" | "name" | "icon" | "rdns"): string | undefined {
  const value = propertyOf(info, key);
  return typeof value === "string" ? value : undefined;
}

/**
 * Listens for EIP-6963 announcements and asks wallets to announce themselves; `onChange` gets the wallets found so
 * far (announced ones first, then `window.ethereum` when no announced wallet is the same object). Returns a function
 * that stops listening.
 */
export function discoverWallets(onChange: (wallets: FoundWallet[]) => void): () => void {
  const announced: FoundWallet[] = [];
  const list = (): FoundWallet[] => {
    const legacy = propertyOf(window, "ethereum");
    const all = [...announced];
    if (isProvider(legacy) && !all.some((w) => w.provider === legacy)) {
      const metaMask = propertyOf(legacy, "isMetaMask") === true;
      all.push({ uuid: "window.ethereum", name: metaMask ? "MetaMask" : "Browser wallet", provider: legacy });
    }
    return all;
  };
  const onAnnounce = (event: Event) => {
    const detail = propertyOf(event, "detail");
    const provider = propertyOf(detail, "provider");
    if (!isProvider(provider)) return;
    const info = propertyOf(detail, "info");
    const uuid = infoText(info, "uuid") ?? `wallet-${announced.length + 1}`;
    if (announced.some((w) => w.uuid === uuid || w.provider === provider)) return;
    announced.push({
      uuid,
      name: infoText(info, "name") ?? "Wallet",
      icon: infoText(info, "icon"),
      rdns: infoText(info, "rdns"),
      provider,
    });
    onChange(list());
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  // `window.ethereum` may be injected a little after the page's scripts run.
  const late = window.setTimeout(() => onChange(list()), 400);
  onChange(list());
  return () => {
    window.clearTimeout(late);
    window.removeEventListener("eip6963:announceProvider", onAnnounce);
  };
}

/** The EIP-1193 / JSON-RPC error code an error carries, searched through ethers' wrappers. */
export function rpcCode(err: unknown): number | string | undefined {
  const seen = new Set<unknown>();
  let e: unknown = err;
  let found: number | string | undefined;
  while (typeof e === "object" && e !== null && !seen.has(e)) {
    seen.add(e);
    const code = propertyOf(e, "code");
    if (typeof code === "number") return code;
    if (typeof code === "string" && found === undefined) found = code;
    e = propertyOf(propertyOf(e, "info"), "error") ?? propertyOf(e, "error") ?? propertyOf(e, "cause");
  }
  return found;
}

/** The user said no in the wallet (EIP-1193 4001, ethers ACTION_REJECTED). */
export function isDeclined(err: unknown): boolean {
  if (propertyOf(err, "code") === "ACTION_REJECTED") return true;
  const code = rpcCode(err);
  return code === 4001 || code === "ACTION_REJECTED";
}

/** The wallet has a request of ours open already (MetaMask's -32002). */
export function isBusy(err: unknown): boolean {
  return rpcCode(err) === -32002;
}

/** The line for a transaction the user declined in the wallet. */
export const DECLINED_TEXT = "You declined in your wallet; nothing was sent.";
/** The line for a request the wallet refused because one of ours is still open in it. */
export const BUSY_TEXT = "Your wallet already has a request open — open your wallet to answer it.";

/** `0x7a69` → 31337. */
export function chainIdOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return value.startsWith("0x") ? parseInt(value, 16) : Number(value);
  return NaN;
}

/** 31337 → `0x7a69`, as wallets take chain ids. */
export function hexChainId(chainId: number): string {
  return `0x${chainId.toString(16)}`;
}

/** The wallet's accounts: `eth_requestAccounts` (may prompt) with `ask`, else `eth_accounts` (never prompts). */
export async function accountsOf(wallet: Eip1193, ask: boolean): Promise<string[]> {
  const result = await wallet.request({ method: ask ? "eth_requestAccounts" : "eth_accounts" });
  return Array.isArray(result) ? result.filter((a): a is string => typeof a === "string") : [];
}

/** The wallet's current chain id (`eth_chainId`). */
export async function chainOf(wallet: Eip1193): Promise<number> {
  return chainIdOf(await wallet.request({ method: "eth_chainId" }));
}

/**
 * Switches the wallet to the FishTrace chain, adding the network first when the wallet does not know it (4902,
 * or -32603 wrapping it, as some MetaMask versions answer).
 */
export async function switchToFishTrace(wallet: Eip1193, config: WebConfig): Promise<void> {
  const chainId = hexChainId(config.chainId);
  try {
    await wallet.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
    return;
  } catch (err) {
    const code = rpcCode(err);
    const unknownChain = code === 4902 || (code === -32603 && /unrecognized|unknown|4902/i.test(String(err)));
    if (!unknownChain) throw err;
  }
  await wallet.request({
    method: "wallet_addEthereumChain",
    params: [
      {
        chainId,
        chainName: config.chainName,
        rpcUrls: [config.walletRpcUrl],
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      },
    ],
  });
  // MetaMask switches on add; others need the switch asked again (a no-op when already there).
  await wallet.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
}

/** Subscribes to a wallet event; returns the unsubscribe function. */
export function onWallet(wallet: Eip1193, event: string, listener: (...args: unknown[]) => void): () => void {
  wallet.on?.(event, listener);
  return () => {
    wallet.removeListener?.(event, listener);
  };
}
