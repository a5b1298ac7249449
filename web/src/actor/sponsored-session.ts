/**
 * The app key as the actor views' session, instead of a browser wallet: the key the vessel page makes (generated in
 * the browser, kept only as an encrypted keystore under a passphrase in IndexedDB — web/src/vessel/key.ts, store.ts)
 * is made or unlocked here, its address is the account, and its transactions go through the sponsor's relay
 * (sponsored-signer.ts), so the account needs no ETH. The registry's administrator registers the key's address as
 * the actor's account once.
 */
import type { JsonRpcProvider, Signer, Wallet } from "ethers";

import type { WebConfig } from "@core/api/web-config.js";
import { InputError } from "@core/input-error.js";

import { oneLine } from "../one-line.js";
import { createKey, unlockKey } from "../vessel/key.js";
import { readCatches, readKey, readMeta, writeMeta, type StoredKey } from "../vessel/store.js";
import type { Session, SessionEvents } from "./session.js";
import { SponsoredSigner } from "./sponsored-signer.js";

/** The app key as the page shows it. */
export interface AppKeyState {
  /** IndexedDB is being read. */
  loading: boolean;
  /** The stored key's address; undefined when this browser has no key yet. */
  address?: string;
  unlocked: boolean;
  /** What is being done ("Making the key…"). */
  busy?: string;
  /** The last thing that went wrong, one line ("wrong passphrase"). */
  error?: string;
}

export interface AppKeyEvents extends SessionEvents {
  key(state: AppKeyState): void;
}

/** The line the transaction panel shows while a sponsored call is signed and sent. */
const SENDING_TEXT = "Signed with the app key; the sponsor's relay is sending it…";

export class AppKeySession implements Session {
  readonly wallet = undefined;
  readonly sendingText = SENDING_TEXT;
  private stored?: StoredKey;
  private unlocked?: Wallet;
  private closed = false;
  private shown: AppKeyState = { loading: true, unlocked: false };

  constructor(
    private readonly config: WebConfig,
    private readonly read: JsonRpcProvider,
    private readonly events: AppKeyEvents,
  ) {}

  private show(patch: Partial<AppKeyState>): void {
    if (this.closed) return;
    this.shown = { ...this.shown, ...patch };
    this.events.key(this.shown);
  }

  /** Reads this browser's key (if any) from IndexedDB. */
  async load(): Promise<void> {
    try {
      this.stored = await readKey();
      this.show({ loading: false, address: this.stored?.address, error: undefined });
    } catch (err) {
      this.show({ loading: false, error: `this browser's key store cannot be read: ${oneLine(err)}` });
    }
  }

  /** Makes the key under `passphrase` (typed twice) and unlocks it. */
  async create(passphrase: string, repeated: string): Promise<void> {
    this.show({ busy: "Making the key…", error: undefined });
    try {
      const stored = await createKey(passphrase, repeated);
      this.stored = stored;
      this.show({ address: stored.address });
      await this.open(stored, passphrase);
    } catch (err) {
      this.show({ busy: undefined, error: oneLine(err) });
    }
  }

  /** Unlocks the stored key with `passphrase`. */
  async unlock(passphrase: string): Promise<void> {
    const stored = this.stored;
    if (stored === undefined) return;
    this.show({ busy: "Unlocking…", error: undefined });
    try {
      await this.open(stored, passphrase);
    } catch (err) {
      this.show({ busy: undefined, error: oneLine(err) });
    }
  }

  private async open(stored: StoredKey, passphrase: string): Promise<void> {
    const wallet = await unlockKey(stored, passphrase);
    if (this.closed) return;
    this.unlocked = wallet;
    this.show({ busy: undefined, unlocked: true, error: undefined });
    this.events.accounts([wallet.address]);
  }

  /** Forgets the unlocked key (the stored one stays): the page has no account until it is unlocked again. */
  lock(): void {
    this.unlocked = undefined;
    this.show({ unlocked: false });
    this.events.accounts([]);
  }

  sharedAccounts(): Promise<string[]> {
    return Promise.resolve(this.unlocked === undefined ? [] : [this.unlocked.address]);
  }

  requestAccounts(): Promise<string[]> {
    return this.sharedAccounts();
  }

  /** The key signs for FishTrace's chain only. */
  chainId(): Promise<number> {
    return Promise.resolve(this.config.chainId);
  }

  switchTo(): Promise<number> {
    return this.chainId();
  }

  signer(account: string): Promise<Signer> {
    const key = this.unlocked;
    const sponsorship = this.config.sponsorship;
    if (key === undefined || key.address !== account) {
      return Promise.reject(new InputError("the app key is locked: unlock it first"));
    }
    if (sponsorship === undefined) {
      return Promise.reject(new InputError("this deployment sponsors no actions: use a wallet"));
    }
    const signer = new SponsoredSigner(
      key,
      this.read,
      { chainId: this.config.chainId, ...sponsorship },
      {
        nonce: (onChain) => nonceBeside(key.address, onChain),
        used: (nonce) => keptNonce(nonce),
      },
    );
    return Promise.resolve(signer);
  }

  close(): void {
    this.closed = true;
    this.unlocked = undefined;
  }
}

/**
 * The forwarder's nonce, unless catches signed with this key on the vessel page still wait for the relay: they hold
 * the next nonces, and a call signed now would take one of theirs.
 */
async function nonceBeside(address: string, onChain: bigint): Promise<bigint> {
  const waiting = (await readCatches()).filter(
    (c) => c.signed.from === address && (c.state === "signed" || c.state === "sent"),
  ).length;
  if (waiting > 0) {
    throw new InputError(
      `${waiting} catch${waiting === 1 ? "" : "es"} signed with this key on the vessel page ` +
        `${waiting === 1 ? "has" : "have"} not reached the chain yet: open /vessel online and let them go first`,
    );
  }
  return onChain;
}

/** The vessel page signs offline from the nonce it kept: it must not reuse one the actor views used. */
async function keptNonce(used: bigint): Promise<void> {
  const kept = await readMeta("nonce");
  if (typeof kept === "string" && /^\d+$/.test(kept) && BigInt(kept) > used) return;
  await writeMeta("nonce", (used + 1n).toString());
}

const SIGNING_KEY = "fishtrace.actor.signing";

/** Whether the user chose the app key last time on this browser (a reload keeps the choice). */
export function appKeyChosen(): boolean {
  try {
    return window.localStorage.getItem(SIGNING_KEY) === "app-key";
  } catch {
    return false; // storage off: the wallet, as before
  }
}

/** Remembers the choice for the next visit. */
export function rememberSigning(signing: "wallet" | "app-key"): void {
  try {
    window.localStorage.setItem(SIGNING_KEY, signing);
  } catch {
    // storage off: the choice lasts for this page
  }
}
