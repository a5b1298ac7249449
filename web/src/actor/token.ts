/**
 * The deployment's settlement money in the actor views: which token orders are priced, escrowed and paid in
 * (`Registry.settlementToken`, its symbol and decimals; Ether when there is none), read once when the app starts,
 * and every amount shown with it ("1,250.5 fUSD"). The parsing and formatting rules are src/core/money.ts's.
 */
import type { JsonRpcProvider } from "ethers";

import { settlementOf, type FishTrace } from "@core/deployment.js";
import { amountText } from "@core/money.js";

import type { ActorHost } from "./state.js";
import { errorLine } from "./tx.js";

/** Reads the settlement money into the state (once); a failure is the lists' one-line error. */
export async function loadSettlement(host: ActorHost, view: FishTrace, read: JsonRpcProvider): Promise<void> {
  try {
    host.update({ settlement: await settlementOf(view, read) });
  } catch (err) {
    host.update({ listsError: `The settlement token could not be read: ${errorLine(err)}` });
  }
}

/** `units` of the deployment's money as text ("1,250.5 fUSD", "0.5 ETH"); "…" until the money is read. */
export function moneyText(host: ActorHost, units: bigint): string {
  const settlement = host.state.settlement;
  return settlement === undefined ? "…" : amountText(units, settlement);
}

/**
 * A way for a transaction's plan to say what the wallet is asked now ("Sign the permit in your wallet…"): it replaces
 * the text of the transaction line while that is still waiting on the wallet (tx.ts shows the states around it).
 */
export function walletStep(host: ActorHost, action: string): (text: string) => void {
  return (text) => {
    const tx = host.state.tx;
    if (tx !== undefined && tx.action === action && tx.state === "wallet") host.update({ tx: { ...tx, text } });
  };
}
