/**
 * The actor views' app: it holds the state and renders the page (view.ts) on every change. It follows the wallet
 * session (session.ts: the chosen wallet, its accounts and chain), decides what to read and when (the participant
 * and its roles, the sellers and species the forms offer, the orders and lots, the balance, a distributor's
 * dispatch advice) and runs the transactions (plans from actions.ts run by tx.ts; the lists are re-read before a
 * transaction shows as confirmed and again once the trace index caught up). Every read is tagged with the account
 * generation it was made for, so an answer that comes back after an account or wallet change is dropped.
 */
import { getAddress, type JsonRpcProvider } from "ethers";
import { nothing, render } from "lit-html";

import { attachFishTrace, type FishTrace } from "@core/deployment.js";
import { InputError } from "@core/input-error.js";
import type { WebConfig } from "@core/api/web-config.js";

import * as actions from "./actions.js";
import { owedOf, participantOf, Parties, readProvider } from "./chain.js";
import { dispatchOf } from "./dispatch.js";
import { readChoices, readLists, waitForIndex } from "./lists.js";
import { buyStages, isDistributor } from "./roles.js";
import { refusalText, WalletSession, type Session } from "./session.js";
import { AppKeySession, appKeyChosen, rememberSigning } from "./sponsored-session.js";
import { initialState, type ActorHost, type Signing, type State } from "./state.js";
import { lotIdShort, lotName } from "./text.js";
import { loadSettlement } from "./token.js";
import { errorLine, runTx, type TxPlan, type TxStatus } from "./tx.js";
import { actorPage } from "./view.js";
import { discoverWallets, type FoundWallet } from "./wallet.js";

/** How many earlier transactions the panel keeps. */
const HISTORY_SIZE = 12;

/** The state an account's reads fill in, as it is before they come back (and with no account). */
const NO_ACCOUNT_READS: Partial<State> = {
  participant: undefined,
  participantError: undefined,
  orders: [],
  lots: [],
  listsLoaded: false,
  listsError: undefined,
  apiNote: undefined,
  dispatch: undefined,
  balance: undefined,
  tokenBalance: undefined,
};

/** The actor views mounted in `root`: `start()` once, `stop()` on unmount. */
export class ActorApp implements ActorHost {
  private readonly read: JsonRpcProvider;
  private readonly view: FishTrace;
  private parties: Parties;
  private session?: Session;
  private stopDiscovery?: () => void;
  private searchTimer?: number;
  /** Bumped on every account or wallet change (and on stop): results of older loads are dropped. */
  private generation = 0;
  /** Bumped on every refresh: an older refresh that finishes later must not overwrite a newer one. */
  private refreshes = 0;
  private stopped = false;
  private snapshot: State = initialState();

  constructor(
    private readonly root: HTMLElement,
    readonly config: WebConfig,
  ) {
    this.read = readProvider(config);
    this.view = attachFishTrace(config.addresses, this.read);
    this.parties = new Parties(this.view);
  }

  get state(): State {
    return this.snapshot;
  }

  get wallet(): FoundWallet | undefined {
    return this.session?.wallet;
  }

  get appKey(): AppKeySession | undefined {
    return this.session instanceof AppKeySession ? this.session : undefined;
  }

  /** Starts looking for wallets (the first found is used) and renders the page. */
  start(): void {
    if (this.config.sponsorship !== undefined && appKeyChosen()) void this.useSigning("app-key");
    this.stopDiscovery = discoverWallets((wallets) => {
      this.update({ wallets });
      if (this.session === undefined && wallets[0] !== undefined) void this.useWallet(wallets[0]);
    });
    this.searchTimer = window.setTimeout(() => this.update({ searched: true }), 600);
    void loadSettlement(this, this.view, this.read);
    this.render();
  }

  /** Drops every listener, timer and pending result, and empties the root. */
  stop(): void {
    this.stopped = true;
    this.generation++;
    this.stopDiscovery?.();
    window.clearTimeout(this.searchTimer);
    this.session?.close();
    this.session = undefined;
    this.read.destroy();
    render(nothing, this.root);
  }

  update(patch: Partial<State>): void {
    if (this.stopped) return;
    this.snapshot = { ...this.snapshot, ...patch };
    this.render();
  }

  private render(): void {
    if (this.stopped) return;
    render(actorPage(this), this.root);
  }

  // ------------------------------------------------------------------------------------------------ wallet

  async useWallet(wallet: FoundWallet): Promise<void> {
    if (this.stopped) return;
    this.session?.close();
    this.generation++; // the previous wallet's loads are dropped
    const session = new WalletSession(wallet, {
      accounts: (accounts) => {
        if (this.session === session) void this.onAccounts(accounts);
      },
      chain: (chainId) => {
        if (this.session === session) this.onChain(chainId);
      },
    });
    this.session = session;
    this.update({
      signing: "wallet",
      appKey: undefined,
      walletId: wallet.uuid,
      notice: undefined,
      connecting: false,
      switching: false,
    });
    // Already connected to this site (a reload): no prompt.
    const accounts = await session.sharedAccounts();
    if (this.session === session) await this.onAccounts(accounts);
  }

  /** The wallet (the one chosen before, else the first found) or the app key, remembered for the next visit. */
  async useSigning(signing: Signing): Promise<void> {
    if (this.stopped || signing === this.state.signing) return;
    rememberSigning(signing);
    this.session?.close();
    this.session = undefined;
    this.generation++;
    if (signing === "wallet") {
      const wallets = this.state.wallets;
      const wallet = wallets.find((w) => w.uuid === this.state.walletId) ?? wallets[0];
      if (wallet !== undefined) return this.useWallet(wallet);
      this.update({ signing, appKey: undefined });
      return this.onAccounts([]);
    }
    const session: AppKeySession = new AppKeySession(this.config, this.read, {
      accounts: (accounts) => {
        if (this.session === session) void this.onAccounts(accounts);
      },
      chain: () => undefined,
      key: (appKey) => {
        if (this.session === session) this.update({ appKey });
      },
    });
    this.session = session;
    this.update({ signing, notice: undefined, connecting: false, switching: false });
    await session.load();
    if (this.session === session) await this.onAccounts(await session.sharedAccounts());
  }

  async connect(): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    this.update({ connecting: true, notice: undefined });
    let accounts: string[];
    try {
      accounts = await session.requestAccounts();
    } catch (err) {
      const notice = refusalText(
        err,
        "You declined the connection in your wallet; nothing was shared.",
        "The wallet did not connect",
      );
      if (this.session === session) this.update({ connecting: false, notice });
      return;
    }
    if (this.session !== session) return;
    this.update({ connecting: false });
    await this.onAccounts(accounts);
  }

  /** The wallet's selected account changed (or went away): everything read for the previous one is dropped. */
  private async onAccounts(accounts: string[]): Promise<void> {
    const gen = ++this.generation;
    let account: string | undefined;
    try {
      account = accounts[0] === undefined ? undefined : getAddress(accounts[0]);
    } catch {
      account = undefined; // a wallet answering something that is no address: as good as none
    }
    if (account === undefined) {
      this.update({ ...NO_ACCOUNT_READS, account: undefined });
      return;
    }
    this.parties = new Parties(this.view);
    // Another account's finished transaction moves to the history; one still in the wallet stays in view.
    const { tx, history } = this.state;
    const settled = tx !== undefined && !this.state.busy && account !== this.state.account;
    this.update({
      ...NO_ACCOUNT_READS,
      tx: settled ? undefined : tx,
      history: settled ? [tx, ...history].slice(0, HISTORY_SIZE) : history,
      account,
      notice: undefined,
      sellers: {},
      formErrors: {},
    });
    const session = this.session;
    if (session !== undefined) {
      try {
        const chainId = await session.chainId();
        if (gen === this.generation) this.onChain(chainId);
      } catch {
        // the chain id comes with the next chainChanged
      }
    }
    try {
      const participant = await participantOf(this.view, account);
      if (gen !== this.generation) return;
      this.update({ participant, buyStage: buyStages(participant)[0] });
    } catch (err) {
      if (gen === this.generation) this.update({ participantError: errorLine(err) });
      return;
    }
    await this.loadChoices(gen);
    await this.refresh(gen);
  }

  private onChain(chainId: number): void {
    const patch: Partial<State> = { chainId };
    if (chainId === this.config.chainId) patch.networkError = undefined;
    this.update(patch);
  }

  async switchNetwork(): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    this.update({ switching: true, networkError: undefined });
    try {
      const chainId = await session.switchTo(this.config);
      if (this.session !== session) return;
      this.onChain(chainId);
      this.update({ switching: false });
    } catch (err) {
      const text = refusalText(err, "You declined the network switch in your wallet.", "The wallet did not switch");
      if (this.session === session) this.update({ switching: false, networkError: text });
    }
  }

  wrongNetwork(): boolean {
    return this.state.chainId === undefined || this.state.chainId !== this.config.chainId;
  }

  // ------------------------------------------------------------------------------------------------ reads

  /** The sellers a buyer may order from and the listed species: once per account. */
  private async loadChoices(gen: number): Promise<void> {
    const participant = this.state.participant;
    if (participant === undefined) return;
    try {
      const choices = await readChoices(this.view, participant, this.state.species);
      if (gen === this.generation) this.update(choices);
    } catch (err) {
      if (gen === this.generation) this.update({ listsError: errorLine(err) });
    }
  }

  /** Orders and lots from the chain (and the trace API's lots), the account's balance, a hub's dispatch advice. */
  private async refresh(gen = this.generation): Promise<void> {
    const { participant, account } = this.state;
    if (participant === undefined || account === undefined || participant.id === 0n) return;
    const seq = ++this.refreshes;
    // The dispatch advice comes from the analytics: its failure is a calm line of its own, never the lists'.
    const dispatch = isDistributor(participant) ? dispatchOf(account) : undefined;
    try {
      const lists = await readLists(this.read, this.view, this.parties, participant, account, this.state.settlement);
      if (gen !== this.generation || seq !== this.refreshes) return;
      this.update({ ...lists, listsLoaded: true, listsError: undefined });
    } catch (err) {
      if (gen === this.generation && seq === this.refreshes) {
        this.update({ listsError: errorLine(err), listsLoaded: true });
      }
    }
    if (dispatch !== undefined) {
      const advice = await dispatch;
      if (gen === this.generation && seq === this.refreshes) this.update({ dispatch: advice });
    }
  }

  /** After a transaction: the trace index lags the chain by a few seconds; poll it until it caught up (≤ 10 s). */
  private async followIndex(block: number): Promise<void> {
    const gen = this.generation;
    const account = this.state.account;
    if (account === undefined) return;
    await waitForIndex(account, block, () => gen === this.generation && !this.stopped);
    if (gen === this.generation && !this.stopped) await this.refresh(gen);
  }

  // ------------------------------------------------------------------------------------------------ transactions

  private context(): actions.ActionContext {
    const account = this.state.account;
    if (account === undefined) throw new Error("no account is connected");
    const known = new Map(this.state.lots.map((lot) => [lot.lotId, lotName(lot)]));
    for (const order of this.state.orders) {
      order.shipment?.lotIds.forEach((id, i) => known.set(id, order.shipmentNames?.[i] ?? `lot ${lotIdShort(id)}`));
    }
    return {
      read: this.read,
      view: this.view,
      settlement: this.state.settlement,
      account,
      signer: async () => {
        const session = this.session;
        if (session === undefined) throw new InputError("no wallet is connected");
        // The wallet signs for the chain it is on now: one that left FishTrace's since the click must not sign.
        if ((await session.chainId()) !== this.config.chainId) {
          throw new InputError(`your wallet is no longer on ${this.config.chainName}; switch back and try again`);
        }
        return session.signer(account);
      },
      lotName: (id) => known.get(id) ?? `lot ${lotIdShort(id)}`,
    };
  }

  /**
   * Builds the plan (input errors are shown under `formKey`, nothing is sent) and runs it. The order and lot lists
   * are re-read from the chain before the transaction shows as confirmed, and from the trace API after.
   */
  async perform(formKey: string, build: (ctx: actions.ActionContext) => TxPlan): Promise<boolean> {
    if (this.state.busy || this.wrongNetwork()) return false;
    let plan: TxPlan;
    try {
      plan = build(this.context());
    } catch (err) {
      this.update({ formErrors: { ...this.state.formErrors, [formKey]: errorLine(err) } });
      return false;
    }
    this.update({ formErrors: { ...this.state.formErrors, [formKey]: undefined }, busy: true });
    const outcome = plan.outcome.bind(plan);
    const settled: TxPlan = {
      ...plan,
      outcome: async (receipt) => {
        await this.refresh();
        return outcome(receipt);
      },
    };
    const receipt = await runTx(settled, this.read, (status) => this.showTx(status), this.session?.sendingText);
    this.update({ busy: false });
    if (receipt !== undefined) void this.followIndex(receipt.blockNumber);
    return receipt !== undefined;
  }

  private showTx(status: TxStatus): void {
    const previous = this.state.tx;
    const history =
      previous !== undefined && previous.seq !== status.seq
        ? [previous, ...this.state.history].slice(0, HISTORY_SIZE)
        : this.state.history;
    this.update({ tx: status, history });
  }

  async withdrawAll(): Promise<void> {
    const gen = this.generation;
    const owed = this.state.orders.filter((o) => owedOf(o) > 0n);
    for (const order of owed) {
      // Another account in the wallet now: these orders owe it nothing.
      if (gen !== this.generation) break;
      const ok = await this.perform("withdraw", (ctx) => actions.withdraw(ctx, order));
      if (!ok) break;
    }
  }
}
