/**
 * The reads behind the workspace, as plain functions the app calls and drops when they come back too late: the
 * choices the forms offer (sellers per stage, species), the lists (orders from the chain, lots from the trace API
 * joined with the chain, the balance), and the wait for the trace index to reach a block after a transaction.
 */
import type { JsonRpcProvider } from "ethers";

import { tokenBalanceOf, type FishTrace, type Settlement } from "@core/deployment.js";

import {
  lotsOf,
  participantListOf,
  ordersOf,
  participantsWithRole,
  speciesList,
  type LotView,
  type OrderView,
  type Parties,
  type Participant,
  type PartyView,
} from "./chain.js";
import { buyStages } from "./roles.js";
import type { SellingStageName } from "@core/vocabulary.js";

export interface Choices {
  sellers: Partial<Record<SellingStageName, PartyView[]>>;
  species: Array<{ code: string; name: string }>;
}

/** The sellers a buyer may order from at each stage it buys from, and the listed species (`known` when read). */
export async function readChoices(
  view: FishTrace,
  participant: Participant,
  known: Choices["species"],
): Promise<Choices> {
  const stages = buyStages(participant);
  const [sellers, species] = await Promise.all([
    Promise.all(stages.map(async (stage) => ({ stage, parties: await participantsWithRole(view, stage) }))),
    known.length > 0 ? Promise.resolve(known) : speciesList(view),
  ]);
  const byStage: Partial<Record<SellingStageName, PartyView[]>> = {};
  for (const { stage, parties } of sellers) byStage[stage] = parties;
  return { sellers: byStage, species };
}

export interface Lists {
  orders: OrderView[];
  lots: LotView[];
  balance: bigint;
  /** What the account holds of the settlement token; undefined for an Ether deployment or before it is read. */
  tokenBalance: bigint | undefined;
  /** Why the trace API's lots are missing, when they are. */
  apiNote: string | undefined;
}

/** Orders and lots from the chain (and the trace API's lots), and the account's balances (ETH, the token). */
export async function readLists(
  read: JsonRpcProvider,
  view: FishTrace,
  parties: Parties,
  participant: Participant,
  account: string,
  settlement: Settlement | undefined,
): Promise<Lists> {
  const [orders, api, balance, tokenBalance] = await Promise.all([
    ordersOf(view, parties, participant.id),
    participantListOf(account),
    read.getBalance(account),
    settlement === undefined ? undefined : tokenBalanceOf(settlement, account, read),
  ]);
  const lots = await lotsOf(view, participant, api.json);
  return { orders, lots, balance, tokenBalance, apiNote: api.error };
}

/** Polls the trace API until its index reached `block`, for at most `timeoutMs` or while `going()` holds. */
export async function waitForIndex(
  account: string,
  block: number,
  going: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && going()) {
    const api = await participantListOf(account);
    if (api.json === undefined || api.json.indexedTo >= block) break;
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
}
