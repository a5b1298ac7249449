/**
 * The actor views (`/actor`): connect a wallet (EIP-6963 / `window.ethereum`), get onto the FishTrace chain, see
 * who the account is in the registry, what it holds and which orders wait on it, and act: a harvester registers
 * catches, buyers place escrowed orders, sellers ship, buyers confirm, acknowledge (pay) or reject, either side
 * cancels or claims as the order book allows, everyone withdraws what is owed, a manufacturer processes lots into
 * labelled packs, a distributor sees which lots to dispatch first. Reads go through the app's `/rpc` proxy; only
 * signatures go to the wallet.
 *
 * The modules: app.ts (holds the state, state.ts; decides what to read when, runs the transactions), session.ts
 * (the wallet in use: its listeners, requests and signer), sponsored-session.ts (instead of a wallet, the app key
 * with the sponsor's relay: sponsored-signer.ts, sponsored-relay.ts, sponsored-view.ts), view.ts (the page)
 * with wallet-view, tx-view, form-catch, form-order, form-process, withdraw-view, orders-view, lots-view and
 * dispatch-view, roles.ts (role detection), text.ts (rendering helpers); lists.ts, chain.ts, actions.ts, tx.ts,
 * wallet.ts and dispatch.ts talk to the chain, the wallet and the APIs.
 */
import "./actor.css";

import type { WebConfig } from "@core/api/web-config.js";

import { ActorApp } from "./app.js";

/** Mounts the actor views into `root`; the returned function unmounts them and drops every wallet listener. */
export function mountActor(root: HTMLElement, config: WebConfig): () => void {
  const app = new ActorApp(root, config);
  app.start();
  return () => app.stop();
}
