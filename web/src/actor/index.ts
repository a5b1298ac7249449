/**
 * The actor views (`/actor`): connect a wallet (EIP-6963 / `window.ethereum`), get onto the FishTrace chain, see
 * who the account is in the registry, what it holds and which orders wait on it, and act: a harvester registers
 * catches, buyers place escrowed orders, sellers ship, buyers confirm, acknowledge (pay) or reject, either side
 * cancels or claims as the order book allows, everyone withdraws what is owed, a manufacturer processes lots into
 * labelled packs. Reads go through the app's `/rpc` proxy; only signatures go to the wallet.
 */
import "./actor.css";

import { BrowserProvider, getAddress, type JsonRpcProvider } from "ethers";
import { html, nothing, render, type TemplateResult } from "lit-html";

import { attachFishTrace, type FishTrace } from "@shared/deployment.js";
import { ether, isoTime } from "@shared/format.js";
import { stageRole, type SellingStageName } from "@shared/stages.js";
import { formatGrams } from "@shared/units.js";
import { alarmNames, LOT_FLAGS, TRANSPORT_MODES } from "@shared/vocabulary.js";
import type { WebConfig } from "@shared/web-config.js";

import * as actions from "./actions.js";
import {
  fetchParticipantJson,
  journeyPath,
  labelPath,
  lotsOf,
  ordersOf,
  owedOf,
  participantOf,
  participantsWithRole,
  Parties,
  readProvider,
  roleWord,
  sellerStageOf,
  speciesList,
  stageTitle,
  type LotView,
  type OrderView,
  type Participant,
  type PartyView,
} from "./chain.js";
import { errorLine, runTx, type TxPlan, type TxStatus } from "./tx.js";
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

interface State {
  wallets: FoundWallet[];
  /** Discovery had time to hear from wallets. */
  searched: boolean;
  walletId?: string;
  connecting: boolean;
  /** A calm line about the wallet (declined, busy), shown as `wallet-message`. */
  notice?: string;
  account?: string;
  chainId?: number;
  switching: boolean;
  networkError?: string;
  participant?: Participant;
  participantError?: string;
  balance?: bigint;
  orders: OrderView[];
  lots: LotView[];
  listsLoaded: boolean;
  listsError?: string;
  apiNote?: string;
  sellers: Partial<Record<SellingStageName, PartyView[]>>;
  species: Array<{ code: string; name: string }>;
  buyStage?: SellingStageName;
  busy: boolean;
  tx?: TxStatus;
  history: TxStatus[];
  /** One-line input errors by form or order row, shown before anything is sent. */
  formErrors: Record<string, string | undefined>;
}

const KNOWN_CHAINS: Record<number, string> = { 1: "Ethereum mainnet", 11155111: "Sepolia", 31337: "Hardhat" };

class ActorApp {
  private readonly read: JsonRpcProvider;
  private readonly view: FishTrace;
  private parties: Parties;
  private wallet?: FoundWallet;
  private browser?: BrowserProvider;
  private walletOff: Array<() => void> = [];
  private stopDiscovery?: () => void;
  private searchTimer?: number;
  /** Bumped on every account change: results of older loads are dropped. */
  private generation = 0;
  /** Bumped on every refresh: an older refresh that finishes later must not overwrite a newer one. */
  private refreshes = 0;
  private stopped = false;
  private state: State = {
    wallets: [],
    searched: false,
    connecting: false,
    switching: false,
    orders: [],
    lots: [],
    listsLoaded: false,
    sellers: {},
    species: [],
    busy: false,
    history: [],
    formErrors: {},
  };

  constructor(
    private readonly root: HTMLElement,
    private readonly config: WebConfig,
  ) {
    this.read = readProvider(config);
    this.view = attachFishTrace(config.addresses, this.read);
    this.parties = new Parties(this.view);
  }

  start(): void {
    this.stopDiscovery = discoverWallets((wallets) => {
      this.update({ wallets });
      if (this.wallet === undefined && wallets[0] !== undefined) void this.useWallet(wallets[0]);
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

  private update(patch: Partial<State>): void {
    if (this.stopped) return;
    this.state = { ...this.state, ...patch };
    this.render();
  }

  // ------------------------------------------------------------------------------------------------ wallet

  private async useWallet(wallet: FoundWallet): Promise<void> {
    for (const off of this.walletOff) off();
    this.wallet = wallet;
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

  private async connect(): Promise<void> {
    const wallet = this.wallet;
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
      balance: undefined,
      sellers: {},
      formErrors: {},
    });
    if (this.wallet !== undefined) {
      try {
        const chainId = await chainOf(this.wallet.provider);
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
    if (this.wallet !== undefined) this.browser = new BrowserProvider(this.wallet.provider);
    const patch: Partial<State> = { chainId };
    if (chainId === this.config.chainId) patch.networkError = undefined;
    this.update(patch);
  }

  private async switchNetwork(): Promise<void> {
    if (this.wallet === undefined) return;
    this.update({ switching: true, networkError: undefined });
    try {
      await switchToFishTrace(this.wallet.provider, this.config);
      this.onChain(await chainOf(this.wallet.provider));
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

  private wrongNetwork(): boolean {
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
      const stages = buyStages(participant);
      const [sellers, species] = await Promise.all([
        Promise.all(stages.map((stage) => participantsWithRole(this.view, stage))),
        this.state.species.length > 0 ? Promise.resolve(this.state.species) : speciesList(this.view),
      ]);
      if (gen !== this.generation) return;
      const byStage: Partial<Record<SellingStageName, PartyView[]>> = {};
      stages.forEach((stage, i) => (byStage[stage] = sellers[i]!));
      this.update({ sellers: byStage, species });
    } catch (err) {
      if (gen === this.generation) this.update({ listsError: errorLine(err) });
    }
  }

  /** Orders and lots from the chain (and the trace API's lots), and the account's balance. */
  private async refresh(gen = this.generation): Promise<void> {
    const { participant, account } = this.state;
    if (participant === undefined || account === undefined || participant.id === 0n) return;
    const seq = ++this.refreshes;
    try {
      const [orders, api, balance] = await Promise.all([
        ordersOf(this.view, this.parties, participant.id),
        fetchParticipantJson(this.config, account),
        this.read.getBalance(account),
      ]);
      const lots = await lotsOf(this.view, participant, api.json);
      if (gen !== this.generation || seq !== this.refreshes) return;
      this.update({
        orders,
        lots,
        balance,
        listsLoaded: true,
        listsError: undefined,
        apiNote: api.error,
      });
    } catch (err) {
      if (gen === this.generation && seq === this.refreshes) {
        this.update({ listsError: errorLine(err), listsLoaded: true });
      }
    }
  }

  /** After a transaction: the trace index lags the chain by a few seconds; poll it until it caught up (≤ 10 s). */
  private async followIndex(block: number): Promise<void> {
    const gen = this.generation;
    const account = this.state.account;
    if (account === undefined) return;
    const until = Date.now() + 10_000;
    while (Date.now() < until && gen === this.generation && !this.stopped) {
      const api = await fetchParticipantJson(this.config, account);
      if (api.json === undefined || api.json.indexedTo >= block) break;
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
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
  private async perform(formKey: string, build: (ctx: actions.ActionContext) => TxPlan): Promise<boolean> {
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

  private async withdrawAll(): Promise<void> {
    const owed = this.state.orders.filter((o) => owedOf(o) > 0n);
    for (const order of owed) {
      const ok = await this.perform("withdraw", (ctx) => actions.withdraw(ctx, order));
      if (!ok) break;
    }
  }

  // ------------------------------------------------------------------------------------------------ views

  private render(): void {
    if (this.stopped) return;
    render(this.template(), this.root);
  }

  private template(): TemplateResult {
    const s = this.state;
    return html`<section class="page actor" data-testid="actor">
      <h1>For actors</h1>
      ${this.walletBar()} ${this.networkBanner()} ${this.walletMessage()} ${this.txPanel()}
      ${s.participant !== undefined && s.participant.actorRoles.length > 0 ? this.workspace(s.participant) : nothing}
    </section>`;
  }

  private walletBar(): TemplateResult {
    const s = this.state;
    if (this.wallet === undefined) {
      return s.searched ? html`` : html`<p class="actor-muted">Looking for a wallet…</p>`;
    }
    const chooser =
      s.wallets.length > 1
        ? html`<label class="actor-field actor-inline"
            >Wallet
            <select
              name="wallet"
              data-testid="wallet-choice"
              @change=${(e: Event) => {
                const w = s.wallets.find((x) => x.uuid === (e.target as HTMLSelectElement).value);
                if (w !== undefined) void this.useWallet(w);
              }}
            >
              ${s.wallets.map((w) => html`<option value=${w.uuid} ?selected=${w.uuid === s.walletId}>${w.name}</option>`)}
            </select></label
          >`
        : nothing;
    const icon =
      this.wallet.icon !== undefined && this.wallet.icon.startsWith("data:")
        ? html`<img class="actor-wallet-icon" src=${this.wallet.icon} alt="" />`
        : nothing;
    if (s.account === undefined) {
      return html`<div class="actor-bar">
        ${icon}${chooser}
        <button
          type="button"
          class="button primary"
          data-testid="connect-wallet"
          ?disabled=${s.connecting}
          @click=${() => void this.connect()}
        >
          ${s.connecting ? "Connecting…" : `Connect ${this.wallet.name}`}
        </button>
      </div>`;
    }
    const p = s.participant;
    const roleText =
      p === undefined || p.id === 0n || p.device
        ? undefined
        : `${p.roles
            .filter((r) => r !== "QAT_DEVICE" && r !== "SENSOR_GATEWAY" && r !== "RELAYER")
            .map(roleWord)
            .join(", ")} · ${p.name === "" ? `participant #${p.id}` : p.name}`;
    return html`<div class="actor-bar">
      ${icon}${chooser}
      <dl class="actor-who">
        <dt>Account</dt>
        <dd><code data-testid="account">${s.account}</code></dd>
        ${
          roleText === undefined
            ? p === undefined && s.participantError === undefined
              ? html`<dt>Role</dt>
                  <dd class="actor-muted">reading the registry…</dd>`
              : nothing
            : html`<dt>Role</dt>
                <dd data-testid="role">${roleText}</dd>`
        }
        ${
          s.balance === undefined
            ? nothing
            : html`<dt>Balance</dt>
                <dd data-testid="balance">${ether(s.balance, 4)}</dd>`
        }
      </dl>
    </div>`;
  }

  private networkBanner(): TemplateResult | typeof nothing {
    const s = this.state;
    if (s.account === undefined || s.chainId === undefined || s.chainId === this.config.chainId) return nothing;
    const on = KNOWN_CHAINS[s.chainId] ?? `chain ${s.chainId}`;
    return html`<div class="actor-banner" data-testid="network-banner" role="status">
      <p>
        Your wallet is on ${on}; FishTrace runs on ${this.config.chainName} (chain ${this.config.chainId}). Actions are
        off until you switch.
      </p>
      <button
        type="button"
        class="button primary"
        data-testid="switch-network"
        ?disabled=${s.switching}
        @click=${() => void this.switchNetwork()}
      >
        ${s.switching ? "Switching…" : `Switch to ${this.config.chainName}`}
      </button>
      ${s.networkError === undefined ? nothing : html`<p class="actor-calm">${s.networkError}</p>`}
    </div>`;
  }

  /** At most one calm notice: no wallet, a declined or busy connection, an account that is not a participant. */
  private walletMessage(): TemplateResult | typeof nothing {
    const s = this.state;
    let text: string | undefined;
    if (this.wallet === undefined && s.searched) {
      text =
        "No Ethereum wallet found — install MetaMask (or another browser wallet), then reload this page. " +
        "Looking up fish needs no wallet.";
    } else if (s.notice !== undefined) {
      text = s.notice;
    } else if (s.participantError !== undefined) {
      text = `The registry could not be read: ${s.participantError}`;
    } else if (s.participant !== undefined) {
      const p = s.participant;
      if (p.id === 0n || p.device || p.roles.length === 0) {
        text =
          "This account is not a FishTrace participant. Ask the registry's administrator to enrol it, or choose an " +
          "enrolled account in your wallet.";
      } else if (p.actorRoles.length === 0) {
        text = `This participant holds no supply-chain role (${p.roles.map(roleWord).join(", ")}): there is nothing to sign here.`;
      }
    }
    if (text === undefined) return nothing;
    return html`<p class="actor-message" data-testid="wallet-message" role="status">${text}</p>`;
  }

  private txPanel(): TemplateResult | typeof nothing {
    const { tx, history } = this.state;
    if (tx === undefined) return nothing;
    return html`<section class="actor-tx" aria-live="polite">
      ${txLine(tx, "tx-status")}
      ${
        history.length === 0
          ? nothing
          : html`<details class="actor-history">
              <summary>Earlier transactions (${history.length})</summary>
              <ul data-testid="tx-history">
                ${history.map((t) => html`<li>${txLine(t, "tx-history-item")}</li>`)}
              </ul>
            </details>`
      }
    </section>`;
  }

  private workspace(p: Participant): TemplateResult {
    const s = this.state;
    const off = s.busy || this.wrongNetwork();
    return html`
      <div class="actor-grid">
        ${p.actorRoles.includes("HARVESTER") ? this.registerForm(off) : nothing}
        ${buyStages(p).length > 0 ? this.orderForm(p, off) : nothing}
        ${p.actorRoles.includes("MANUFACTURER") ? this.processForm(off) : nothing}
      </div>
      ${this.withdrawPanel(off)} ${this.ordersList(off)} ${this.lotsList()}
    `;
  }

  private formError(key: string): TemplateResult | typeof nothing {
    const text = this.state.formErrors[key];
    return text === undefined
      ? nothing
      : html`<p class="actor-error" data-testid="form-error" role="alert">${text}</p>`;
  }

  private registerForm(off: boolean): TemplateResult {
    const submit = (e: SubmitEvent) => {
      e.preventDefault();
      const form = e.currentTarget as HTMLFormElement;
      const fields = formFields(form);
      const farmed = (form.elements.namedItem("farmed") as HTMLInputElement | null)?.checked ?? false;
      const frozen = (form.elements.namedItem("frozen") as HTMLInputElement | null)?.checked ?? false;
      void this.perform("register-catch", (ctx) => actions.registerCatch(ctx, fields, { farmed, frozen }));
    };
    return html`<form class="actor-card actor-form" data-testid="form-register-catch" @submit=${submit} novalidate>
      <h2>Register a catch</h2>
      ${this.speciesField("rc")} ${textField("rc", "weight", "Weight", "250kg", "e.g. 250kg, 1.2t")}
      ${textField("rc", "latitude", "Latitude", "69.12", "degrees, or 33.9S")}
      ${textField("rc", "longitude", "Longitude", "18.5", "degrees, or 5.5W")}
      ${textField("rc", "area", "Catch area (FAO)", "27.2.a", "e.g. 27.2.a")}
      ${textField("rc", "vessel", "Vessel", "", "registration or IMO number")}
      ${textField("rc", "gear", "Gear (FAO ISSCFG)", "OTB", "e.g. OTB, LLS")}
      ${textField("rc", "caughtAt", "Caught at", "", "latest block time; or ISO 8601 / unix seconds")}
      <div class="actor-checks">
        <label><input type="checkbox" name="farmed" /> Farmed</label>
        <label><input type="checkbox" name="frozen" /> Frozen</label>
      </div>
      ${this.formError("register-catch")}
      <button type="submit" class="button primary" data-testid="submit" ?disabled=${off}>Register catch</button>
    </form>`;
  }

  private speciesField(prefix: string): TemplateResult {
    const listId = `${prefix}-species-list`;
    return html`<label class="actor-field"
      >Species (FAO code)
      <input name="species" value="COD" list=${listId} autocomplete="off" spellcheck="false" />
      <datalist id=${listId}>
        ${this.state.species.map((sp) => html`<option value=${sp.code}>${sp.name}</option>`)}
      </datalist></label
    >`;
  }

  private orderForm(p: Participant, off: boolean): TemplateResult {
    const s = this.state;
    const stages = buyStages(p);
    const stage = s.buyStage !== undefined && stages.includes(s.buyStage) ? s.buyStage : stages[0]!;
    const sellers = s.sellers[stage];
    const submit = (e: SubmitEvent) => {
      e.preventDefault();
      const fields = formFields(e.currentTarget as HTMLFormElement);
      void this.perform("place-order", (ctx) => actions.placeOrder(ctx, stage, fields));
    };
    return html`<form class="actor-card actor-form" data-testid="form-place-order" @submit=${submit} novalidate>
      <h2>Place an order</h2>
      ${
        stages.length > 1
          ? html`<label class="actor-field"
              >Buy from stage
              <select
                name="stage"
                @change=${(e: Event) =>
                  this.update({ buyStage: (e.target as HTMLSelectElement).value as SellingStageName })}
              >
                ${stages.map((st) => html`<option value=${st} ?selected=${st === stage}>${stageTitle(st)}</option>`)}
              </select></label
            >`
          : html`<p class="actor-muted">At the ${stage}'s order book.</p>`
      }
      <label class="actor-field"
        >Seller
        <select name="seller">
          ${
            sellers === undefined
              ? html`<option value="">loading…</option>`
              : sellers.length === 0
                ? html`<option value="">no ${roleWord(stageRole(stage)).toLowerCase()} is enrolled</option>`
                : sellers.map(
                    (party) =>
                      html`<option value=${party.account}>${party.name} (${shortAddress(party.account)})</option>`,
                  )
          }
        </select></label
      >
      ${this.speciesField("po")} ${textField("po", "weight", "Weight (at least)", "100kg", "e.g. 100kg")}
      ${textField("po", "price", "Price (ETH, escrowed)", "0.5", "e.g. 0.5")}
      ${textField("po", "shipBy", "Ship by", "7d", "a delay from the latest block (7d, 36h) or a date")}
      ${textField("po", "ackWindow", "Time to acknowledge", "2d", "after delivery, e.g. 2d")}
      ${this.formError("place-order")}
      <button type="submit" class="button primary" data-testid="submit" ?disabled=${off || sellers === undefined}>
        Place order and escrow the price
      </button>
    </form>`;
  }

  private processForm(off: boolean): TemplateResult {
    const submit = (e: SubmitEvent) => {
      e.preventDefault();
      const fields = formFields(e.currentTarget as HTMLFormElement);
      void this.perform("process", (ctx) => actions.processLots(ctx, fields.inputs ?? "", fields.outputs ?? ""));
    };
    const held = this.state.lots.filter((l) => l.stage === "manufacturer" && l.status === "Created");
    const hint = held.length === 0 ? "12:50kg,13" : held.map((l) => lotRefText(l)).join(",");
    return html`<form class="actor-card actor-form" data-testid="form-process" @submit=${submit} novalidate>
      <h2>Process lots into packs</h2>
      ${textField("pr", "inputs", "Inputs", "", `LOT[:WEIGHT],… e.g. ${hint}`)}
      ${textField("pr", "outputs", "Outputs", "", "GTIN:LOT:WEIGHT[:frozen],… e.g. 07038010123450:L2026-001:20kg")}
      <p class="actor-muted">
        Inputs: lot ids (or GTIN:LOT, Digital Links), each with the weight to take (all that is left when none is
        given). Outputs: one pack per item.
      </p>
      ${this.formError("process")}
      <button type="submit" class="button primary" data-testid="submit" ?disabled=${off}>Process</button>
    </form>`;
  }

  private withdrawPanel(off: boolean): TemplateResult {
    const owed = this.state.orders.filter((o) => owedOf(o) > 0n);
    const total = owed.reduce((sum, o) => sum + owedOf(o), 0n);
    return html`<section class="actor-card actor-withdraw">
      <h2>Payments</h2>
      <p>
        Withdrawable: <strong data-testid="withdrawable">${ether(total)}</strong>
        ${
          owed.length === 0
            ? nothing
            : html`<span class="actor-muted"
                >(order${owed.length === 1 ? "" : "s"} ${owed.map((o) => `${o.stage} ${o.orderId}`).join(", ")})</span
              >`
        }
      </p>
      ${this.formError("withdraw")}
      <button
        type="button"
        class="button"
        data-testid="action-withdraw"
        ?disabled=${off || total === 0n}
        @click=${() => void this.withdrawAll()}
      >
        Withdraw ${ether(total)}
      </button>
    </section>`;
  }

  private ordersList(off: boolean): TemplateResult {
    const s = this.state;
    return html`<section class="actor-card">
      <h2>Open orders</h2>
      ${s.listsError === undefined ? nothing : html`<p class="actor-error">${s.listsError}</p>`}
      <ul class="actor-list" data-testid="orders-list" data-loaded=${String(s.listsLoaded)}>
        ${s.orders.map((o) => this.orderRow(o, off))}
      </ul>
      ${s.listsLoaded && s.orders.length === 0 ? html`<p class="actor-muted">No open orders.</p>` : nothing}
      ${!s.listsLoaded ? html`<p class="actor-muted">Loading…</p>` : nothing}
    </section>`;
  }

  private orderRow(o: OrderView, off: boolean): TemplateResult {
    const key = `order-${o.stage}-${o.orderId}`;
    const mine = o.side === "seller";
    const other = mine ? o.buyer : o.seller;
    const row = (e: Event) => (e.currentTarget as HTMLElement).closest<HTMLElement>("[data-order]")!;
    const value = (e: Event, name: string) =>
      row(e).querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`)?.value ?? "";
    const act = (build: (ctx: actions.ActionContext, e: Event) => TxPlan) => (e: Event) =>
      void this.perform(key, (ctx) => build(ctx, e));
    const button = (testid: string, text: string, handler: (e: Event) => void, primary = false) =>
      html`<button
        type="button"
        class=${primary ? "button primary" : "button"}
        data-testid=${testid}
        ?disabled=${off}
        @click=${handler}
      >
        ${text}
      </button>`;
    const parts: TemplateResult[] = [];
    const distributor = o.stage === "distributor";
    if (o.state === "Ordered" && mine) {
      parts.push(
        html`<label class="actor-field"
          >Lots to ship
          <input name="lots" value=${this.suggestLots(o)} placeholder="lot ids, comma separated" />
        </label>`,
      );
      if (distributor) {
        parts.push(
          html`<div class="actor-route">
            ${textField(key, "origin", "Origin", o.seller.location, "GLN or place")}
            ${textField(key, "destination", "Destination", o.buyer.location, "GLN or place")}
            <label class="actor-field"
              >Transport mode
              <select name="mode">
                ${TRANSPORT_MODES.map((m) => html`<option value=${m}>${m}</option>`)}
              </select></label
            >
            ${textField(key, "vehicle", "Vehicle", "", "registration")}
          </div>`,
        );
      }
      parts.push(
        button(
          "action-ship",
          distributor ? "Dispatch" : "Ship",
          act((ctx, e) =>
            actions.ship(
              ctx,
              o,
              value(e, "lots"),
              distributor
                ? {
                    origin: value(e, "origin"),
                    destination: value(e, "destination"),
                    mode: value(e, "mode"),
                    vehicle: value(e, "vehicle"),
                  }
                : undefined,
            ),
          ),
          true,
        ),
      );
      parts.push(
        button(
          "action-cancel",
          "Decline (cancel)",
          act((ctx) => actions.cancel(ctx, o)),
        ),
      );
    }
    if (o.state === "Ordered" && !mine) {
      parts.push(html`<span class="actor-muted">You may cancel once the ship-by time has passed.</span>`);
      parts.push(
        button(
          "action-cancel",
          "Cancel order",
          act((ctx) => actions.cancel(ctx, o)),
        ),
      );
    }
    if (o.state === "Shipped") {
      if (distributor) parts.push(textField(key, "location", "Arrived at", o.buyer.location, "GLN or place"));
      parts.push(
        button(
          "action-confirm",
          distributor ? "Confirm arrival" : "Confirm delivery",
          act((ctx, e) => actions.confirm(ctx, o, distributor ? value(e, "location") : undefined)),
          true,
        ),
      );
    }
    if (o.state === "Delivered" && !mine) {
      parts.push(
        button(
          "action-acknowledge",
          `Acknowledge and pay ${ether(o.price)}`,
          act((ctx) => actions.acknowledge(ctx, o)),
          true,
        ),
      );
    }
    if ((o.state === "Shipped" || o.state === "Delivered") && !mine) {
      parts.push(textField(key, "reason", "Reason to reject", "quality failure", "up to 32 bytes"));
      parts.push(
        button(
          "action-reject",
          "Reject delivery",
          act((ctx, e) => actions.reject(ctx, o, value(e, "reason"))),
        ),
      );
    }
    if (o.state === "Delivered" && mine) {
      parts.push(
        html`<span class="actor-muted">The buyer has until ${isoTime(o.deadline)}; then you may claim.</span>`,
      );
      parts.push(
        button(
          "action-claim",
          "Claim payment",
          act((ctx) => actions.claim(ctx, o)),
        ),
      );
    }
    const owed = owedOf(o);
    if (owed > 0n) parts.push(html`<span class="actor-owed">${ether(owed)} to withdraw</span>`);
    const deadline =
      o.state === "Ordered"
        ? ` · ship by ${isoTime(o.deadline)}`
        : o.state === "Delivered"
          ? ` · acknowledge by ${isoTime(o.deadline)}`
          : "";
    return html`<li class="actor-order" data-testid=${key} data-order=${key} data-state=${o.state} data-side=${o.side}>
      <div class="actor-order-head">
        <strong>${stageTitle(o.stage)} order ${o.orderId}</strong>
        <span class="actor-state">${o.state}</span>
        <span class="actor-muted">${mine ? "you sell to" : "you buy from"} ${other.name}</span>
      </div>
      <div>
        at least ${formatGrams(o.weightGrams)} of ${o.species} for ${ether(o.price)}${deadline}
        ${
          o.shipment === undefined
            ? nothing
            : html`· shipment ${o.shipment.shipmentNo}:
              ${o.shipment.lotIds.map((id, i) => o.shipmentNames?.[i] ?? this.lotText(id)).join(", ")}`
        }
      </div>
      <div class="actor-actions">${parts}</div>
      ${this.formError(key)}
    </li>`;
  }

  private lotText(id: bigint): string {
    const lot = this.state.lots.find((l) => l.lotId === id);
    return lot?.product === undefined ? lotIdShort(id) : lotName(lot);
  }

  /** The seller's available lots of the ordered species at the order's stage, newest first, until the weight is met. */
  private suggestLots(o: OrderView): string {
    const lots = this.state.lots.filter(
      (l) =>
        l.stage === o.stage &&
        l.status === "Created" &&
        l.species === o.species &&
        (l.flags & LOT_FLAGS.RECALLED) === 0,
    );
    const picked: LotView[] = [];
    let weight = 0n;
    for (const lot of lots) {
      if (weight >= o.weightGrams) break;
      picked.push(lot);
      weight += lot.weightGrams;
    }
    return picked.map(lotRefText).join(",");
  }

  private lotsList(): TemplateResult {
    const s = this.state;
    return html`<section class="actor-card">
      <h2>Lots you hold</h2>
      ${s.apiNote === undefined ? nothing : html`<p class="actor-muted">Trace index: ${s.apiNote}</p>`}
      <ul class="actor-list" data-testid="lots-list" data-loaded=${String(s.listsLoaded)}>
        ${s.lots.map(
          (lot) =>
            html`<li class="actor-lot" data-testid=${`lot-${lot.lotId}`} data-stage=${lot.stage}>
              <strong>${lot.product === undefined ? `Lot ${lot.lotId}` : lotName(lot)}</strong>
              ${lot.species} · ${formatGrams(lot.weightGrams)} · ${lot.status} at the ${lot.stage}
              ${
                alarmNames(lot.flags).length === 0
                  ? nothing
                  : html`<span class="actor-alarm"
                      >${alarmNames(lot.flags).join(", ").toLowerCase().replace(/_/g, " ")}</span
                    >`
              }
              <a href=${journeyPath(lot)}>journey</a>
              ${
                lot.product === undefined
                  ? nothing
                  : html`<a href=${labelPath(lot.product)} data-testid="label-link">label</a>`
              }
            </li>`,
        )}
      </ul>
      ${s.listsLoaded && s.lots.length === 0 ? html`<p class="actor-muted">No lots held.</p>` : nothing}
    </section>`;
  }
}

function txLine(tx: TxStatus, testid: string): TemplateResult {
  return html`<div
    class=${`actor-txline actor-tx-${tx.state}`}
    data-testid=${testid}
    data-state=${tx.state}
    data-action=${tx.action}
    data-seq=${String(tx.seq)}
    data-result=${tx.result ?? ""}
    data-hash=${tx.hash ?? ""}
  >
    <span class="actor-tx-title">${tx.title}</span>
    <span class="actor-tx-text">${tx.text}</span>
    ${
      tx.links === undefined || tx.links.length === 0
        ? nothing
        : html`<span class="actor-tx-links"
            >${tx.links.map((l) => html`<a href=${l.href} data-testid="label-link">${l.text}</a> `)}</span
          >`
    }
  </div>`;
}

function textField(prefix: string, name: string, label: string, value: string, hint: string): TemplateResult {
  return html`<label class="actor-field"
    >${label}
    <input name=${name} value=${value} placeholder=${hint} autocomplete="off" spellcheck="false" />
  </label>`;
}

function formFields(form: HTMLFormElement): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) if (typeof value === "string") fields[name] = value;
  return fields;
}

/** The stages whose order books a participant buys from (one per buyer role it holds). */
function buyStages(p: Participant): SellingStageName[] {
  return p.actorRoles.map(sellerStageOf).filter((s): s is SellingStageName => s !== undefined);
}

function shortAddress(account: string): string {
  return `${account.slice(0, 6)}…${account.slice(-4)}`;
}

/** A lot as the forms take it back: its id, or GTIN:LOT for a product lot. */
function lotRefText(lot: LotView): string {
  return lot.product === undefined ? lot.lotId.toString() : `${lot.product.gtin14}:${lot.product.lot}`;
}

/** A lot for people: "lot 7", or a product lot's GS1 element string. */
function lotName(lot: LotView): string {
  return lot.product === undefined ? `lot ${lot.lotId}` : `(01)${lot.product.gtin14}(10)${lot.product.lot}`;
}

function lotIdShort(id: bigint): string {
  return id < 1n << 64n ? id.toString() : `0x${id.toString(16).slice(0, 8)}…`;
}

/** Mounts the actor views into `root`; the returned function unmounts them and drops every wallet listener. */
export function mountActor(root: HTMLElement, config: WebConfig): () => void {
  const app = new ActorApp(root, config);
  app.start();
  return () => app.stop();
}
