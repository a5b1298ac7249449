/**
 * The actor views' app: the wallet session (discovery, connection, accounts and chain changes, the network switch),
 * the reads (the participant and its roles, the sellers and species the forms offer, the orders and lots, the
 * balance, a distributor's dispatch advice) and the transactions (plans from actions.ts run by tx.ts, the lists
 * re-read before a transaction shows as confirmed and again once the trace index caught up). It holds the state
 * and renders the page (view.ts) on every change.
 */
import { BrowserProvider, getAddress, type JsonRpcProvider } from "ethers";
import { nothing, render } from "lit-html";

import { attachFishTrace, type FishTrace } from "@shared/deployment.js";
import type { WebConfig } from "@shared/web-config.js";

import * as actions from "./actions.js";
import { owedOf, participantOf, Parties, readProvider } from "./chain.js";
import { fetchDispatch } from "./dispatch.js";
import { readChoices, readLists, waitForIndex } from "./lists.js";
import { buyStages, isDistributor } from "./roles.js";
import { initialState, type ActorHost, type State } from "./state.js";
import { lotIdShort, lotName } from "./text.js";
import { errorLine, runTx, type TxPlan, type TxStatus } from "./tx.js";
import { actorPage } from "./view.js";
import {
  accountsOf,
  BUSY_TEXT,
  chainIdOf,
  chainOf,
  discoverWallets,
  isBusy,
  isDeclined,
  onWallet,
  switchToFishTrace,
  type FoundWallet,
} from "./wallet.js";

export class ActorApp implements ActorHost {
  private readonly read: JsonRpcProvider;
  private readonly view: FishTrace;
  private parties: Parties;
  private current?: FoundWallet;
  private browser?: BrowserProvider;
  private walletOff: Array<() => void> = [];
  private stopDiscovery?: () => void;
  private searchTimer?: number;
  /** Bumped on every account change: results of older loads are dropped. */
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
    return this.current;
  }

  start(): void {
    this.stopDiscovery = discoverWallets((wallets) => {
      this.update({ wallets });
      if (this.current === undefined && wallets[0] !== undefined) void this.useWallet(wallets[0]);
    });
    this.searchTimer = window.setTimeout(() => this.update({ searched: true }), 600);
    this.render();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.stopDiscovery?.();
    window.clearTimeout(this.searchTimer);
    for (const off of this.walletOff) off();
    this.walletOff = [];
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
    for (const off of this.walletOff) off();
    this.current = wallet;
    this.browser = new BrowserProvider(wallet.provider);
    this.walletOff = [
      onWallet(wallet.provider, "accountsChanged", (accounts) => {
        void this.onAccounts(Array.isArray(accounts) ? accounts.map(String) : []);
      }),
      onWallet(wallet.provider, "chainChanged", (chainId) => this.onChain(chainIdOf(chainId))),
      onWallet(wallet.provider, "disconnect", () => void this.onAccounts([])),
    ];
    this.update({ walletId: wallet.uuid, notice: undefined });
    try {
      // Already connected to this site (a reload): no prompt.
      await this.onAccounts(await accountsOf(wallet.provider, false));
    } catch {
      await this.onAccounts([]);
    }
  }

  async connect(): Promise<void> {
    const wallet = this.current;
    if (wallet === undefined) return;
    this.update({ connecting: true, notice: undefined });
    try {
      const accounts = await accountsOf(wallet.provider, true);
      this.update({ connecting: false });
      await this.onAccounts(accounts);
    } catch (err) {
      const notice = isDeclined(err)
        ? "You declined the connection in your wallet; nothing was shared."
        : isBusy(err)
          ? BUSY_TEXT
          : `The wallet did not connect: ${errorLine(err)}`;
      this.update({ connecting: false, notice });
    }
  }

  private async onAccounts(accounts: string[]): Promise<void> {
    const gen = ++this.generation;
    const first = accounts[0];
    if (first === undefined) {
      this.update({
        account: undefined,
        participant: undefined,
        participantError: undefined,
        orders: [],
        lots: [],
        listsLoaded: false,
        balance: undefined,
        dispatch: undefined,
      });
      return;
    }
    const account = getAddress(first);
    this.parties = new Parties(this.view);
    // Another account's finished transaction moves to the history; one still in the wallet stays in view.
    const { tx, history } = this.state;
    const settled = tx !== undefined && !this.state.busy && account !== this.state.account;
    this.update({
      tx: settled ? undefined : tx,
      history: settled ? [tx, ...history].slice(0, 12) : history,
      account,
      notice: undefined,
      participant: undefined,
      participantError: undefined,
      orders: [],
      lots: [],
      listsLoaded: false,
      listsError: undefined,
      apiNote: undefined,
      dispatch: undefined,
      balance: undefined,
      sellers: {},
      formErrors: {},
    });
    if (this.current !== undefined) {
      try {
        const chainId = await chainOf(this.current.provider);
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

  /** ethers v6 providers refuse to work across a chain change ("network changed"): a new one per chain. */
  private onChain(chainId: number): void {
    if (this.current !== undefined) this.browser = new BrowserProvider(this.current.provider);
    const patch: Partial<State> = { chainId };
    if (chainId === this.config.chainId) patch.networkError = undefined;
    this.update(patch);
  }

  async switchNetwork(): Promise<void> {
    if (this.current === undefined) return;
    this.update({ switching: true, networkError: undefined });
    try {
      await switchToFishTrace(this.current.provider, this.config);
      this.onChain(await chainOf(this.current.provider));
      this.update({ switching: false });
    } catch (err) {
      const text = isDeclined(err)
        ? "You declined the network switch in your wallet."
        : isBusy(err)
          ? BUSY_TEXT
          : `The wallet did not switch: ${errorLine(err)}`;
      this.update({ switching: false, networkError: text });
    }
  }

  wrongNetwork(): boolean {
    return this.state.chainId === undefined || this.state.chainId !== this.config.chainId;
  }

  private async signer() {
    if (this.browser === undefined || this.state.account === undefined) throw new Error("no wallet is connected");
    return this.browser.getSigner(this.state.account);
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
    const dispatch = isDistributor(participant) ? fetchDispatch(this.config, account) : undefined;
    try {
      const lists = await readLists(this.config, this.read, this.view, this.parties, participant, account);
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
    await waitForIndex(this.config, account, block, () => gen === this.generation && !this.stopped);
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
      account,
      signer: () => this.signer(),
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
    const receipt = await runTx(settled, this.read, (status) => this.showTx(status));
    this.update({ busy: false });
    if (receipt !== undefined) void this.followIndex(receipt.blockNumber);
    return receipt !== undefined;
  }

  private showTx(status: TxStatus): void {
    const previous = this.state.tx;
    const history =
      previous !== undefined && previous.seq !== status.seq
        ? [previous, ...this.state.history].slice(0, 12)
        : this.state.history;
    this.update({ tx: status, history });
  }

  async withdrawAll(): Promise<void> {
    const owed = this.state.orders.filter((o) => owedOf(o) > 0n);
    for (const order of owed) {
      const ok = await this.perform("withdraw", (ctx) => actions.withdraw(ctx, order));
      if (!ok) break;
    }
  }
}
