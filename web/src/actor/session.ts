/**
 * One wallet in use by the actor views: its EIP-1193 listeners (accounts, chain, disconnect), the requests the
 * views make of it (the accounts, connecting, the network switch) and the signer transactions are sent with. The
 * app (app.ts) makes one per chosen wallet and closes it when another is chosen, the app key is chosen instead
 * (sponsored-session.ts, the same `Session`), or the views unmount.
 */
import { BrowserProvider, type JsonRpcSigner, type Signer } from "ethers";

import type { WebConfig } from "@core/api/web-config.js";

import { errorLine } from "./tx.js";
import {
  accountsOf,
  BUSY_TEXT,
  chainIdOf,
  chainOf,
  isBusy,
  isDeclined,
  onWallet,
  switchToFishTrace,
  type FoundWallet,
} from "./wallet.js";

/** What a session reports: the wallet's accounts (first = selected; none when disconnected) and its chain. */
export interface SessionEvents {
  accounts(accounts: string[]): void;
  chain(chainId: number): void;
}

/**
 * How the account signs: a browser wallet (`WalletSession`) or the app key with the sponsor's relay paying gas
 * (sponsored-session.ts). The app asks the same of both.
 */
export interface Session {
  /** The browser wallet behind the session; undefined for the app key. */
  readonly wallet: FoundWallet | undefined;
  /** The transaction panel's line while a transaction is being signed and sent. */
  readonly sendingText: string;
  /** The accounts the page may use without a prompt. */
  sharedAccounts(): Promise<string[]>;
  /** The accounts, prompting when the session needs to. */
  requestAccounts(): Promise<string[]>;
  chainId(): Promise<number>;
  /** Gets onto FishTrace's chain; resolves with the chain it is on after. */
  switchTo(config: WebConfig): Promise<number>;
  /** A signer for `account`. */
  signer(account: string): Promise<Signer>;
  /** Drops listeners and what the session holds. */
  close(): void;
}

/** The wallet in use; `events` hears of its account and chain changes until `close()`. */
export class WalletSession implements Session {
  readonly sendingText = "Confirm in your wallet…";
  /** ethers v6 providers refuse to work across a chain change ("network changed"): a new one per chain. */
  private browser: BrowserProvider;
  private readonly off: Array<() => void>;

  constructor(
    readonly wallet: FoundWallet,
    events: SessionEvents,
  ) {
    const provider = wallet.provider;
    this.browser = new BrowserProvider(provider);
    this.off = [
      onWallet(provider, "accountsChanged", (accounts) => {
        events.accounts(Array.isArray(accounts) ? accounts.map(String) : []);
      }),
      onWallet(provider, "chainChanged", (chainId) => {
        this.browser = new BrowserProvider(provider);
        events.chain(chainIdOf(chainId));
      }),
      onWallet(provider, "disconnect", () => events.accounts([])),
    ];
  }

  /** The accounts this site may already see (a reload): no prompt; none when the wallet does not answer. */
  async sharedAccounts(): Promise<string[]> {
    try {
      return await accountsOf(this.wallet.provider, false);
    } catch {
      return [];
    }
  }

  /** Asks the wallet to connect (its prompt); throws when the user declines or the wallet is busy. */
  requestAccounts(): Promise<string[]> {
    return accountsOf(this.wallet.provider, true);
  }

  /** The wallet's current chain id. */
  chainId(): Promise<number> {
    return chainOf(this.wallet.provider);
  }

  /** Switches the wallet to FishTrace's chain (adding it when unknown); resolves with the chain it is on after. */
  async switchTo(config: WebConfig): Promise<number> {
    await switchToFishTrace(this.wallet.provider, config);
    this.browser = new BrowserProvider(this.wallet.provider);
    return this.chainId();
  }

  /** A signer for `account` on the wallet's current chain. */
  signer(account: string): Promise<JsonRpcSigner> {
    return this.browser.getSigner(account);
  }

  /** Drops the wallet's listeners. */
  close(): void {
    for (const off of this.off) off();
    this.off.length = 0;
  }
}

/** One calm line for a wallet request that did not go through: declined, busy, or what the wallet said. */
export function refusalText(err: unknown, declined: string, failed: string): string {
  if (isDeclined(err)) return declined;
  if (isBusy(err)) return BUSY_TEXT;
  return `${failed}: ${errorLine(err)}`;
}
