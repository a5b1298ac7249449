/**
 * The actor views' state (one object, replaced on every change) and what the views may ask of the app that holds
 * it (`ActorHost`): the views are functions of the host, the app (app.ts) owns the wallet, the reads and the
 * transactions.
 */
import type { WebConfig } from "@core/api/web-config.js";
import type { Settlement } from "@core/deployment.js";

import type { ActionContext } from "./actions.js";
import type { LotView, OrderView, Participant, PartyView } from "./chain.js";
import type { DispatchState } from "./dispatch.js";
import type { TxPlan, TxStatus } from "./tx.js";
import type { AppKeySession, AppKeyState } from "./sponsored-session.js";
import type { FoundWallet } from "./wallet.js";
import type { SellingStageName } from "@core/vocabulary.js";

/** How the account signs: a browser wallet, or the app key with the sponsor's relay paying the gas. */
export type Signing = "wallet" | "app-key";

export interface State {
  signing: Signing;
  /** The app key, while it is the way to sign. */
  appKey?: AppKeyState;
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
  /** What the account holds of the settlement token (undefined for Ether or until read). */
  tokenBalance?: bigint;
  /** What orders are priced and paid in (token.ts), read once; undefined until then. */
  settlement?: Settlement;
  orders: OrderView[];
  lots: LotView[];
  listsLoaded: boolean;
  listsError?: string;
  apiNote?: string;
  /** A distributor's shelf-life-first dispatch advice (the analytics API). */
  dispatch?: DispatchState;
  sellers: Partial<Record<SellingStageName, PartyView[]>>;
  species: Array<{ code: string; name: string }>;
  buyStage?: SellingStageName;
  busy: boolean;
  tx?: TxStatus;
  history: TxStatus[];
  /** One-line input errors by form or order row, shown before anything is sent. */
  formErrors: Record<string, string | undefined>;
}

/** The state before any wallet is found. */
export function initialState(): State {
  return {
    signing: "wallet",
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
}

/** What the views read and call. */
export interface ActorHost {
  readonly state: State;
  readonly config: WebConfig;
  /** The wallet in use, once one is found. */
  readonly wallet: FoundWallet | undefined;
  update(patch: Partial<State>): void;
  /** The wallet is on another chain than FishTrace's (or its chain is not known yet). */
  wrongNetwork(): boolean;
  useWallet(wallet: FoundWallet): Promise<void>;
  /** The app key's session, while the app key is the way to sign. */
  readonly appKey: AppKeySession | undefined;
  /** Signs from now on with a browser wallet or the app key (offered when the deployment sponsors actions). */
  useSigning(signing: Signing): Promise<void>;
  connect(): Promise<void>;
  switchNetwork(): Promise<void>;
  /**
   * Builds the plan (input errors are shown under `formKey`, nothing is sent) and runs it; true once confirmed.
   */
  perform(formKey: string, build: (ctx: ActionContext) => TxPlan): Promise<boolean>;
  /** Withdraws what every order owes the account, one transaction per order. */
  withdrawAll(): Promise<void>;
}
