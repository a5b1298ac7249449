/**
 * The app key's part of the wallet bar: the choice between a browser wallet and the app key (offered when the
 * deployment sponsors actions), and the key's forms — make it under a passphrase, unlock it, lock it — with its
 * address, which the registry's administrator registers as the actor's account.
 */
import { html, nothing, type TemplateResult } from "lit-html";

import { elementOf } from "../dom.js";
import { formFields } from "./text.js";
import type { ActorHost, Signing } from "./state.js";

/** `signing-choice`: "Wallet (MetaMask)" or "App key (sponsored — no ETH needed)"; nothing without sponsorship. */
export function signingChoice(host: ActorHost): TemplateResult | typeof nothing {
  if (host.config.sponsorship === undefined) return nothing;
  const s = host.state;
  const option = (signing: Signing, label: string) =>
    html`<label
      ><input
        type="radio"
        name="signing"
        value=${signing}
        data-testid=${`signing-${signing}`}
        .checked=${s.signing === signing}
        ?disabled=${s.busy}
        @change=${() => void host.useSigning(signing)}
      />
      ${label}</label
    >`;
  return html`<fieldset class="actor-signing" data-testid="signing-choice">
    <legend>Sign with</legend>
    ${option("wallet", "Wallet (MetaMask)")} ${option("app-key", "App key (sponsored — no ETH needed)")}
  </fieldset>`;
}

/** A new key's passphrase, typed twice (`passphrase`, `repeated`): here and on the vessel page. */
export function newPassphrase(): TemplateResult {
  return html`<label class="actor-field"
      >Passphrase <input name="passphrase" type="password" autocomplete="new-password" minlength="8" required
    /></label>
    <label class="actor-field"
      >Passphrase again <input name="repeated" type="password" autocomplete="new-password" required
    /></label>`;
}

/** Submits `form`'s fields to `act` (the form's own submit is the page's, never a navigation). */
function onSubmit(act: (fields: Record<string, string>) => void): (e: SubmitEvent) => void {
  return (e) => {
    e.preventDefault();
    act(formFields(elementOf(e.currentTarget, HTMLFormElement, "the app key form")));
  };
}

/** The key's forms until it is unlocked: make one (`form-app-key`) or unlock this browser's (`form-app-key-unlock`). */
export function appKeyPanel(host: ActorHost): TemplateResult {
  const key = host.state.appKey;
  const session = host.appKey;
  if (key === undefined || session === undefined || key.loading) {
    return html`<p class="actor-muted">Reading this browser's app key…</p>`;
  }
  const status = html`${key.busy === undefined ? nothing : html`<p class="actor-muted" role="status">${key.busy}</p>`}
  ${
    key.error === undefined
      ? nothing
      : html`<p class="actor-message" data-testid="app-key-error" role="alert">${key.error}</p>`
  }`;
  if (key.address === undefined) {
    return html`<form
      class="actor-card actor-form"
      data-testid="form-app-key"
      @submit=${onSubmit((f) => void session.create(f.passphrase ?? "", f.repeated ?? ""))}
    >
      <h2>Make this browser's app key</h2>
      <p>
        No wallet and no ETH needed: the key is made here and kept only encrypted under your passphrase (the same key as
        the "At sea" page's), and the sponsor's relay sends your actions and pays their gas. Once it is made, have the
        registry's administrator register its address as your account.
      </p>
      ${newPassphrase()}
      <button type="submit" class="button primary" data-testid="submit" ?disabled=${key.busy !== undefined}>
        Make the key
      </button>
      ${status}
    </form>`;
  }
  return html`<form
    class="actor-card actor-form"
    data-testid="form-app-key-unlock"
    @submit=${onSubmit((f) => void session.unlock(f.passphrase ?? ""))}
  >
    <h2>Unlock the app key</h2>
    <p>Key <code data-testid="app-key-address">${key.address}</code></p>
    <label class="actor-field"
      >Passphrase <input name="passphrase" type="password" autocomplete="current-password" required
    /></label>
    <button type="submit" class="button primary" data-testid="submit" ?disabled=${key.busy !== undefined}>
      Unlock
    </button>
    ${status}
  </form>`;
}

/** `lock-app-key`: forgets the unlocked key until the passphrase is typed again. */
export function lockButton(host: ActorHost): TemplateResult | typeof nothing {
  const session = host.appKey;
  if (session === undefined) return nothing;
  return html`<button type="button" class="button" data-testid="lock-app-key" @click=${() => session.lock()}>
    Lock the key
  </button>`;
}

/** The notice for an app key the registry does not know yet: who registers it, and how. */
export function unregisteredKeyNotice(address: string): string {
  return (
    `This app key is not a FishTrace participant yet: have the registry's administrator register ${address} as ` +
    `your account (npx hardhat participant add --address ${address} --role <role> --name <name> --location <GLN>).`
  );
}
