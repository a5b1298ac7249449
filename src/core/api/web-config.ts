/**
 * What the dApp (web/) is told about the stack it runs against (`/config.json`, served by src/services/web/server.ts) and
 * what the demo seed leaves behind for the stack and the browser tests (`<dir>/facts.json`, written by
 * src/tools/demo.ts). Types only, importing nothing that needs Node, so the browser shares them.
 */
import type { FishTraceAddresses } from "../deployment.js";

/** `/config.json`: where the dApp finds the chain, the trace API and the relay, and the deployment it reads. */
export interface WebConfig {
  /** The chain's id, e.g. 31337. */
  chainId: number;
  /** The network's name for people and wallets, e.g. "FishTrace local". */
  chainName: string;
  /** Same-origin proxy to the node, for reads: `new JsonRpcProvider(new URL(rpcUrl, location.href).href)`. */
  rpcUrl: string;
  /** The node's own URL, given to a wallet in `wallet_addEthereumChain`, e.g. "http://127.0.0.1:8545". */
  walletRpcUrl: string;
  /** Same-origin proxy to the trace API: `${traceApi}/v1/journey/:lot`, `${traceApi}/v1/participants/:account`. */
  traceApi: string;
  /** The gasless relay's URL, when one runs. */
  relayUrl?: string;
  /**
   * Sponsored actions, when the deployment has a forwarder and a relay takes them: the page signs ForwardRequests
   * (src/core/forward-request.ts) and posts them to `${relayPath}/v1/actions` — a same-origin proxy to the relay.
   */
  sponsorship?: { forwarder: string; forwarderName: string; relayPath: string };
  addresses: FishTraceAddresses;
  /** This app's origin, e.g. "http://127.0.0.1:5173": its journey pages are `${linkBase}/01/{gtin}/10/{lot}`. */
  linkBase: string;
  /**
   * The GS1 Digital Link resolver's origin (the EPCIS service's, src/services/epcis/resolver.ts), e.g.
   * "http://127.0.0.1:8548" or "https://id.fishtrace.example": labels encode `${resolverBase}/01/{gtin}/10/{lot}`,
   * which a browser's GET redirects to the journey page on `linkBase`. Absent (no resolver): labels use `linkBase`.
   */
  resolverBase?: string;
}

/** The roles the demo gives accounts to, in the order of their Hardhat account indices. */
export type DemoRole =
  "admin" | "vessel" | "supplier" | "gateway" | "manufacturer" | "distributor" | "retailer" | "customer" | "regulator";

/** One product pack the demo made. */
export interface DemoPack {
  lotId: string;
  gtin: string;
  lotNumber: string;
  /** Its GS1 Digital Link URI, e.g. "https://id.fishtrace.example/01/…/10/…". */
  digitalLink: string;
  name: string;
  recalled: boolean;
  speciesMismatch: boolean;
  excursion: boolean;
}

/** `<dir>/facts.json`: what the demo seed made, written when `FISHTRACE_DEMO_OUT=<dir>` is set. */
export interface DemoFacts {
  addresses: FishTraceAddresses;
  /** Each role's account; `index` is its Hardhat default-mnemonic account index. */
  accounts: Record<DemoRole, { address: string; index: number }>;
  packs: DemoPack[];
  catches: Array<{ lotId: string; species: string }>;
}
