/**
 * `/vessel`: catches registered at sea, with no wallet, no ETH and no network. The first time (online) the skipper
 * makes the app's key under a passphrase and has the registry enrol its address as the harvester; from then on each
 * catch is signed on the phone as a sponsored ForwardRequest, kept in IndexedDB, and sent to the relay when the
 * network returns. Each shows how far it got: "signed on the vessel" → "sent" → "on chain (block, lot id)", or the
 * refusal in one line.
 */
import { html, render, type TemplateResult } from "lit-html";
import { Contract, type Wallet } from "ethers";

import { FORWARDER_ABI } from "@core/forward-request.js";
import type { WebConfig } from "@core/api/web-config.js";
import { attachFishTrace } from "@core/deployment.js";

import { elementOf } from "../dom.js";
import { oneLine } from "../one-line.js";
import { chainNow, readProvider, speciesList } from "../actor/chain.js";
import { newPassphrase } from "../actor/sponsored-view.js";
import { formFields } from "../actor/text.js";
import { createKey, unlockKey } from "./key.js";
import { sendRound } from "./sender.js";
import { signCatch } from "./sign.js";
import {
  readCatches,
  readKey,
  readMeta,
  writeCatch,
  writeMeta,
  type QueuedCatch,
  type SpeciesEntry,
  type StoredKey,
} from "./store.js";

/** How often the page tries to send and follow its catches while it is open. */
const ROUND_MS = 3_000;
/** How long a read of the chain may take before the page goes on with what it kept (a phone "online" at sea). */
const READ_TIMEOUT_MS = 4_000;

/** `promise`, or a rejection after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = window.setTimeout(() => reject(new Error("the network did not answer in time")), ms);
    promise.then(
      (value) => {
        window.clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        window.clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

interface State {
  key?: StoredKey;
  wallet?: Wallet;
  catches: QueuedCatch[];
  species: SpeciesEntry[];
  clockOffset: number;
  online: boolean;
  busy?: string;
  error?: string;
  notice?: string;
}

const isSpecies = (value: unknown): value is SpeciesEntry[] =>
  Array.isArray(value) &&
  value.every((v: unknown) => typeof v === "object" && v !== null && "code" in v && typeof v.code === "string");

const STATE_TEXT: Record<QueuedCatch["state"], string> = {
  signed: "signed on the vessel",
  sent: "sent",
  "on-chain": "on chain",
  refused: "refused",
};

function stateLine(entry: QueuedCatch): string {
  if (entry.state === "on-chain") {
    return `on chain (block ${entry.block ?? "?"}${entry.lotId === undefined ? "" : `, lot ${entry.lotId}`})`;
  }
  if (entry.state === "refused") return `refused: ${entry.reason ?? "no reason given"}`;
  return STATE_TEXT[entry.state];
}

function nowLocal(offsetSeconds: number): string {
  const d = new Date(Date.now() + offsetSeconds * 1000 - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** Mounts the vessel page in `host`; returns what unmounts it. */
export function mountVessel(host: HTMLElement, config: WebConfig): () => void {
  const sponsorship = config.sponsorship;
  const state: State = { catches: [], species: [], clockOffset: 0, online: navigator.onLine };
  let stopped = false;
  const provider = readProvider(config);

  const draw = (): void => {
    if (!stopped) render(view(), host);
  };
  const fail = (err: unknown): void => {
    state.error = oneLine(err);
    state.busy = undefined;
    draw();
  };

  async function reload(): Promise<void> {
    state.key = await readKey();
    state.catches = await readCatches();
    const species = await readMeta("species");
    if (isSpecies(species)) state.species = species;
    const offset = await readMeta("clockOffset");
    if (typeof offset === "number") state.clockOffset = offset;
  }

  /** What only the network knows, kept for the next time at sea: the species list and the chain's clock. */
  async function refreshOnline(): Promise<void> {
    if (!navigator.onLine) return;
    try {
      const fishTrace = attachFishTrace(config.addresses, provider);
      const [species, now] = await within(Promise.all([speciesList(fishTrace), chainNow(provider)]), READ_TIMEOUT_MS);
      state.species = species;
      state.clockOffset = now - Math.floor(Date.now() / 1000);
      await writeMeta("species", species);
      await writeMeta("clockOffset", state.clockOffset);
    } catch {
      // Offline after all, or the node is away: what was kept stays.
    }
  }

  /** The next forwarder nonce: after every catch signed here, and not behind the forwarder's own count. */
  async function nextNonce(address: string): Promise<bigint> {
    let next = 0n;
    for (const c of state.catches) if (BigInt(c.signed.nonce) >= next) next = BigInt(c.signed.nonce) + 1n;
    const kept = await readMeta("nonce");
    if (typeof kept === "string" && /^\d+$/.test(kept) && BigInt(kept) > next) next = BigInt(kept);
    if (navigator.onLine && sponsorship !== undefined) {
      try {
        const forwarder = new Contract(sponsorship.forwarder, FORWARDER_ABI, provider);
        const counted: unknown = await within(forwarder.getFunction("nonces").staticCall(address), READ_TIMEOUT_MS);
        if (typeof counted === "bigint" && counted > next) next = counted;
      } catch {
        // Offline: the phone's own count stands.
      }
    }
    return next;
  }

  /** One send-and-follow round at a time: two would post the same catch twice. */
  let rounding = false;
  async function round(): Promise<void> {
    state.online = navigator.onLine;
    if (state.online && sponsorship !== undefined && !rounding) {
      rounding = true;
      try {
        const changed = await sendRound({
          relayPath: sponsorship.relayPath,
          forwarder: sponsorship.forwarder,
          provider,
        });
        if (changed) state.catches = await readCatches();
      } finally {
        rounding = false;
      }
    }
    draw();
  }

  const create = (e: SubmitEvent): void => {
    e.preventDefault();
    const fields = formFields(elementOf(e.currentTarget, HTMLFormElement, "the key form"));
    state.busy = "Making the key…";
    state.error = undefined;
    draw();
    createKey(fields.passphrase ?? "", fields.repeated ?? "")
      .then(async (key) => {
        state.key = key;
        state.wallet = await unlockKey(key, fields.passphrase ?? "");
        state.busy = undefined;
        state.notice = `Key made. Have the registry enrol ${key.address} as this vessel's harvester account.`;
        draw();
      })
      .catch(fail);
  };

  const unlock = (e: SubmitEvent): void => {
    e.preventDefault();
    const key = state.key;
    if (key === undefined) return;
    const fields = formFields(elementOf(e.currentTarget, HTMLFormElement, "the unlock form"));
    state.busy = "Unlocking…";
    state.error = undefined;
    draw();
    unlockKey(key, fields.passphrase ?? "")
      .then((wallet) => {
        state.wallet = wallet;
        state.busy = undefined;
        draw();
      })
      .catch(fail);
  };

  const sign = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = elementOf(e.currentTarget, HTMLFormElement, "the catch form");
    const wallet = state.wallet;
    if (wallet === undefined || sponsorship === undefined) return;
    const fields = formFields(form);
    state.error = undefined;
    state.notice = undefined;
    const caught = (fields.caughtAt ?? "").trim();
    void (async () => {
      const nonce = await nextNonce(wallet.address);
      const signed = await signCatch(
        wallet,
        {
          chainId: config.chainId,
          forwarder: sponsorship.forwarder,
          forwarderName: sponsorship.forwarderName,
          harvester: config.addresses.harvester,
          clockOffset: state.clockOffset,
        },
        {
          species: fields.species ?? "",
          weight: `${(fields.weight ?? "").trim()}${fields.unit ?? "kg"}`,
          // The form's local time, on the chain's clock; empty: a minute ago on the chain's clock.
          caughtAt:
            caught === ""
              ? Math.floor(Date.now() / 1000) + state.clockOffset - 60
              : Math.floor(new Date(caught).getTime() / 1000) || caught,
          latitude: fields.latitude ?? "",
          longitude: fields.longitude ?? "",
          area: fields.area,
          vessel: fields.vessel,
          gear: fields.gear,
          frozen: form.querySelector<HTMLInputElement>("input[name=frozen]")?.checked ?? false,
        },
        nonce,
      );
      const entry: QueuedCatch = {
        id: crypto.randomUUID(),
        signedAt: Date.now(),
        summary: signed.summary,
        signed: signed.signed,
        state: "signed",
      };
      await writeCatch(entry);
      await writeMeta("nonce", (nonce + 1n).toString());
      state.catches = await readCatches();
      state.notice = `Signed on the vessel: ${signed.summary}`;
      form.reset();
      draw();
      void round();
    })().catch(fail);
  };

  const locate = (): void => {
    if (!("geolocation" in navigator)) {
      state.error = "this phone gives no position: type it";
      draw();
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => {
        for (const [name, value] of [
          ["latitude", p.coords.latitude],
          ["longitude", p.coords.longitude],
        ] as const) {
          const input = host.querySelector<HTMLInputElement>(`input[name=${name}]`);
          if (input !== null) input.value = value.toFixed(5);
        }
      },
      (err) => {
        state.error = `no position from the phone (${err.message}): type it`;
        draw();
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  };

  function keyView(): TemplateResult {
    if (state.key === undefined) {
      return html`<form class="actor-card actor-form" data-testid="form-vessel-key" @submit=${create}>
        <h2>This phone's key</h2>
        <p>
          Catches are signed on this phone with a key made here and kept only encrypted under your passphrase. Make it
          once, while online, then have the registry enrol its address as your vessel's harvester account.
        </p>
        ${newPassphrase()}
        <button type="submit" class="button primary" data-testid="submit">Make the key</button>
      </form>`;
    }
    if (state.wallet === undefined) {
      return html`<form class="actor-card actor-form" data-testid="form-vessel-unlock" @submit=${unlock}>
        <h2>Unlock the key</h2>
        <p>Key <code data-testid="vessel-address">${state.key.address}</code></p>
        <label class="actor-field"
          >Passphrase <input name="passphrase" type="password" autocomplete="current-password" required
        /></label>
        <button type="submit" class="button primary" data-testid="submit">Unlock</button>
      </form>`;
    }
    return html`<p class="actor-card">Signing as <code data-testid="vessel-address">${state.wallet.address}</code></p>`;
  }

  function catchForm(): TemplateResult {
    return html`<form class="actor-card actor-form" data-testid="form-vessel-catch" @submit=${sign} novalidate>
      <h2>Register a catch</h2>
      <label class="actor-field"
        >Species (FAO 3-alpha)
        <input name="species" value="COD" list="vessel-species" autocomplete="off" spellcheck="false" />
        <datalist id="vessel-species">
          ${state.species.map((sp) => html`<option value=${sp.code}>${sp.name}</option>`)}
        </datalist>
      </label>
      <div class="actor-row">
        <label class="actor-field"
          >Weight <input name="weight" inputmode="decimal" placeholder="250" autocomplete="off"
        /></label>
        <label class="actor-field"
          >Unit
          <select name="unit">
            <option value="kg" selected>kg</option>
            <option value="t">t</option>
            <option value="g">g</option>
          </select>
        </label>
      </div>
      <label class="actor-field"
        >Latitude <input name="latitude" placeholder="69.12, or 33.9S" autocomplete="off"
      /></label>
      <label class="actor-field"
        >Longitude <input name="longitude" placeholder="18.5, or 5.5W" autocomplete="off"
      /></label>
      <button type="button" class="button" data-testid="vessel-gps" @click=${locate}>Use the phone's position</button>
      <label class="actor-field">Gear (FAO ISSCFG) <input name="gear" value="OTB" autocomplete="off" /></label>
      <label class="actor-field">Catch area (FAO) <input name="area" value="27.2.a" autocomplete="off" /></label>
      <label class="actor-field"
        >Vessel <input name="vessel" placeholder="registration or IMO" autocomplete="off"
      /></label>
      <label class="actor-field"
        >Caught at <input name="caughtAt" type="datetime-local" value=${nowLocal(state.clockOffset)}
      /></label>
      <div class="actor-checks">
        <label><input type="checkbox" name="frozen" /> Frozen</label>
      </div>
      <button type="submit" class="button primary" data-testid="submit">Sign the catch</button>
    </form>`;
  }

  function queueView(): TemplateResult {
    if (state.catches.length === 0) return html`<p class="muted">No catch registered on this phone yet.</p>`;
    return html`<ol class="actor-list" data-testid="vessel-queue">
      ${state.catches.map(
        (c) =>
          html`<li data-testid="vessel-catch" data-state=${c.state}>
            <span>${c.summary}</span> — <strong data-testid="vessel-catch-state">${stateLine(c)}</strong>
          </li>`,
      )}
    </ol>`;
  }

  function view(): TemplateResult {
    if (sponsorship === undefined) {
      return html`<section class="page">
        <h1>At sea</h1>
        <p class="error" role="alert">
          This deployment takes no sponsored catches (it has no forwarder or relay): use the actor views with a wallet.
        </p>
      </section>`;
    }
    return html`<section class="page vessel" data-testid="vessel">
      <h1>At sea</h1>
      <p data-testid="vessel-network" class=${state.online ? "muted" : "notice"}>
        ${state.online ? "Online: catches go to the chain." : "Offline: catches wait on this phone."}
      </p>
      ${keyView()} ${state.wallet === undefined ? "" : catchForm()}
      ${state.busy === undefined ? "" : html`<p class="loading" role="status">${state.busy}</p>`}
      ${state.error === undefined ? "" : html`<p class="error" role="alert" data-testid="vessel-error">${state.error}</p>`}
      ${state.notice === undefined ? "" : html`<p class="notice" role="status" data-testid="vessel-notice">${state.notice}</p>`}
      <h2>Catches on this phone</h2>
      ${queueView()}
    </section>`;
  }

  const onNetwork = (): void => {
    state.online = navigator.onLine;
    void refreshOnline().then(round);
  };
  window.addEventListener("online", onNetwork);
  window.addEventListener("offline", onNetwork);
  const timer = window.setInterval(() => void round().catch(() => undefined), ROUND_MS);

  reload().then(refreshOnline).then(draw).then(round).catch(fail);
  draw();

  return () => {
    stopped = true;
    window.clearInterval(timer);
    window.removeEventListener("online", onNetwork);
    window.removeEventListener("offline", onNetwork);
  };
}
