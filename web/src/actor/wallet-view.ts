/**
 * The wallet's part of the page: the wallet bar (a wallet or the app key — sponsored-view.ts —, choose a wallet,
 * connect, who the account is), the wrong-network banner with its switch, and the one calm notice about the wallet
 * or the account (`wallet-message`).
 */
import { html, nothing, type TemplateResult } from "lit-html";

import { ether } from "@core/format.js";

import { elementOf } from "../dom.js";
import { participantNotice, roleText } from "./roles.js";
import { appKeyPanel, lockButton, signingChoice, unregisteredKeyNotice } from "./sponsored-view.js";
import type { ActorHost } from "./state.js";
import { moneyText } from "./token.js";

const KNOWN_CHAINS: Record<number, string> = { 1: "Ethereum mainnet", 11155111: "Sepolia", 31337: "Hardhat" };

/**
 * The wallet bar: the choice of wallet or app key; with a wallet its chooser and `connect-wallet` until an account is
 * shared, with the app key its forms until it is unlocked; then the account and role.
 */
export function walletBar(host: ActorHost): TemplateResult {
  const s = host.state;
  const signing = signingChoice(host);
  if (s.signing === "app-key") {
    return html`${signing}
    ${
      s.account === undefined
        ? appKeyPanel(host)
        : accountBar(
            host,
            nothing,
            html`<dt>Gas</dt>
              <dd>paid by the sponsor's relay</dd>`,
            lockButton(host),
          )
    }`;
  }
  const wallet = host.wallet;
  if (wallet === undefined) {
    return html`${signing}${s.searched ? nothing : html`<p class="actor-muted">Looking for a wallet…</p>`}`;
  }
  const chooser =
    s.wallets.length > 1
      ? html`<label class="actor-field actor-inline"
          >Wallet
          <select
            name="wallet"
            data-testid="wallet-choice"
            @change=${(e: Event) => {
              const chosen = elementOf(e.target, HTMLSelectElement, "the wallet choice").value;
              const w = s.wallets.find((x) => x.uuid === chosen);
              if (w !== undefined) void host.useWallet(w);
            }}
          >
            ${s.wallets.map((w) => html`<option value=${w.uuid} ?selected=${w.uuid === s.walletId}>${w.name}</option>`)}
          </select></label
        >`
      : nothing;
  const icon =
    wallet.icon !== undefined && wallet.icon.startsWith("data:")
      ? html`<img class="actor-wallet-icon" src=${wallet.icon} alt="" />`
      : nothing;
  if (s.account === undefined) {
    return html`${signing}
      <div class="actor-bar">
        ${icon}${chooser}
        <button
          type="button"
          class="button primary"
          data-testid="connect-wallet"
          ?disabled=${s.connecting}
          @click=${() => void host.connect()}
        >
          ${s.connecting ? "Connecting…" : `Connect ${wallet.name}`}
        </button>
      </div>`;
  }
  return html`${signing}${accountBar(host, html`${icon}${chooser}`, nothing, nothing)}`;
}

/** The account, its role and balance (`lead` before them, `more` in the list, `after` at the end of the bar). */
function accountBar(
  host: ActorHost,
  lead: TemplateResult | typeof nothing,
  more: TemplateResult | typeof nothing,
  after: TemplateResult | typeof nothing,
): TemplateResult {
  const s = host.state;
  const p = s.participant;
  const roles = roleText(p);
  return html`<div class="actor-bar">
    ${lead}
    <dl class="actor-who">
      <dt>Account</dt>
      <dd><code data-testid="account">${s.account}</code></dd>
      ${
        roles === undefined
          ? p === undefined && s.participantError === undefined
            ? html`<dt>Role</dt>
                <dd class="actor-muted">reading the registry…</dd>`
            : nothing
          : html`<dt>Role</dt>
              <dd data-testid="role">${roles}</dd>`
      }
      ${
        s.balance === undefined
          ? nothing
          : html`<dt>Balance</dt>
              <dd data-testid="balance">${ether(s.balance, 4)}</dd>`
      }
      ${
        s.tokenBalance === undefined
          ? nothing
          : html`<dt>${s.settlement?.symbol ?? "Token"}</dt>
              <dd data-testid="token-balance">${moneyText(host, s.tokenBalance)}</dd>`
      }
      ${more}
    </dl>
    ${after}
  </div>`;
}

/** `network-banner` with `switch-network` while the wallet is on another chain than FishTrace's. */
export function networkBanner(host: ActorHost): TemplateResult | typeof nothing {
  const s = host.state;
  const config = host.config;
  if (s.account === undefined || s.chainId === undefined || s.chainId === config.chainId) return nothing;
  const on = KNOWN_CHAINS[s.chainId] ?? `chain ${s.chainId}`;
  return html`<div class="actor-banner" data-testid="network-banner" role="status">
    <p>
      Your wallet is on ${on}; FishTrace runs on ${config.chainName} (chain ${config.chainId}). Actions are off until
      you switch.
    </p>
    <button
      type="button"
      class="button primary"
      data-testid="switch-network"
      ?disabled=${s.switching}
      @click=${() => void host.switchNetwork()}
    >
      ${s.switching ? "Switching…" : `Switch to ${config.chainName}`}
    </button>
    ${s.networkError === undefined ? nothing : html`<p class="actor-calm">${s.networkError}</p>`}
  </div>`;
}

/** At most one calm notice: no wallet, a declined or busy connection, an account that is not a participant. */
export function walletMessage(host: ActorHost): TemplateResult | typeof nothing {
  const s = host.state;
  let text: string | undefined;
  const p = s.participant;
  if (s.signing === "app-key") {
    if (s.participantError !== undefined) text = `The registry could not be read: ${s.participantError}`;
    else if (p !== undefined && s.account !== undefined && p.id === 0n) text = unregisteredKeyNotice(s.account);
    else if (p !== undefined) text = participantNotice(p);
  } else if (host.wallet === undefined && s.searched) {
    text =
      "No Ethereum wallet found — install MetaMask (or another browser wallet), then reload this page. " +
      "Looking up fish needs no wallet.";
  } else if (s.notice !== undefined) {
    text = s.notice;
  } else if (s.participantError !== undefined) {
    text = `The registry could not be read: ${s.participantError}`;
  } else if (p !== undefined) {
    text = participantNotice(p);
  }
  if (text === undefined) return nothing;
  return html`<p class="actor-message" data-testid="wallet-message" role="status">${text}</p>`;
}
