/**
 * What the actor views read: the connected account's participant record and roles (the registry), its orders as
 * buyer or seller at every order book (OrderPlaced events filtered by participant id, with the stored state), the
 * lots it holds (the trace API's participant list joined with the stage contracts' own events), the sellers it may
 * order from, and the latest block's time. Reads go through the same-origin `/rpc` proxy, never the wallet.
 */
import { JsonRpcProvider } from "ethers";

import type { OrderBook } from "@chain/index.js";
import { elementString, gtin14, lotIdText, parseDigitalLink } from "@core/digital-link.js";
import { productLotOf } from "@core/labels.js";
import { shipmentOf, type Shipment } from "@core/orders.js";
import { ACTOR_ROLES, rolesOf, type ActorRole, type RoleName } from "@core/roles.js";
import { stageNumber, stageOfNumber, stageRole } from "@core/stages.js";
import type { FishTrace } from "@core/deployment.js";
import type { ParticipantJson } from "@core/api/journey-json.js";
import { speciesText } from "@core/units.js";
import {
  LOT_STATUS,
  ORDER_STATE,
  SELLING_STAGES,
  STAGE_NAMES,
  type SellingStageName,
  type StageName,
} from "@core/vocabulary.js";
import type { WebConfig } from "@core/api/web-config.js";

import { fetchParticipant } from "../api.js";
import { oneLine } from "../one-line.js";

/** The provider for reads: the node through the app's same-origin proxy. */
export function readProvider(config: WebConfig): JsonRpcProvider {
  const url = new URL(config.rpcUrl, location.href).href;
  // No response cache: ethers otherwise answers an identical call made within 250 ms from the earlier answer, and a
  // list re-read right after a transaction would show the state before it.
  return new JsonRpcProvider(url, config.chainId, { staticNetwork: true, pollingInterval: 500, cacheTimeout: -1 });
}

export interface PartyView {
  id: bigint;
  account: string;
  name: string;
  location: string;
}

export interface Participant extends PartyView {
  roles: RoleName[];
  /** The supply-chain roles among `roles`, in stage order. */
  actorRoles: ActorRole[];
  /** A device bound to an operator: not a participant in its own right. */
  device: boolean;
}

/** A participant's name, or "participant #7" when the registry holds none. */
function partyName(name: string, id: bigint): string {
  return name === "" ? `participant #${id}` : name;
}

/** The registry's record of `account`: its id (0 when not enrolled), profile and roles. */
export async function participantOf(fishTrace: FishTrace, account: string): Promise<Participant> {
  const [auth, profile] = await Promise.all([
    fishTrace.registry.authorization(account),
    fishTrace.registry.profileOf(account),
  ]);
  const roles = rolesOf(auth.roles);
  return {
    id: auth.id,
    account,
    name: profile[0],
    location: profile[1],
    roles,
    actorRoles: ACTOR_ROLES.filter((r) => roles.includes(r)),
    device: auth.operatorId !== 0n,
  };
}

/** Participant names by id, read once per view. */
export class Parties {
  private readonly cache = new Map<bigint, Promise<PartyView>>();
  constructor(private readonly fishTrace: FishTrace) {}

  get(id: bigint): Promise<PartyView> {
    let party = this.cache.get(id);
    if (party === undefined) {
      party = (async () => {
        const account = await this.fishTrace.registry.accountOf(id);
        const [name, location] = await this.fishTrace.registry.profileOf(account);
        return { id, account, name: partyName(name, id), location };
      })();
      this.cache.set(id, party);
    }
    return party;
  }
}

export interface OrderView {
  /** The seller's stage: whose order book holds the order. */
  stage: SellingStageName;
  orderId: bigint;
  side: "buyer" | "seller";
  /** `ORDER_STATE` name. */
  state: string;
  seller: PartyView;
  buyer: PartyView;
  /** FAO 3-alpha code. */
  species: string;
  weightGrams: bigint;
  price: bigint;
  shipBy: bigint;
  ackWindow: bigint;
  /** Ship-by while Ordered; acknowledge-by once Delivered. */
  deadline: bigint;
  shipment?: Shipment;
  /** The shipped lots for people ("lot 7", a product lot's element string), in the order of `shipment.lotIds`. */
  shipmentNames?: string[];
}

/** A lot for people: "lot 7", or a product lot's GS1 element string "(01)…(10)…". */
export async function lotNameOf(fishTrace: FishTrace, lotId: bigint): Promise<string> {
  const product = lotId < 1n << 64n ? undefined : await productLotOf(fishTrace.manufacturer, lotId);
  return product === undefined ? `lot ${lotIdText(lotId)}` : elementString(product);
}

/** Whether an order still asks something of `side`: settled orders and ones the other party must finish drop out. */
function openFor(state: string, side: "buyer" | "seller"): boolean {
  if (state === "Ordered" || state === "Shipped" || state === "Delivered") return true;
  if (state === "Acknowledged") return side === "seller";
  if (state === "Cancelled" || state === "Rejected") return side === "buyer";
  return false;
}

/** What `order` owes its viewer now (pull payment): the price to a seller, a refund to a buyer. */
export function owedOf(order: OrderView): bigint {
  if (order.side === "seller" && order.state === "Acknowledged") return order.price;
  if (order.side === "buyer" && (order.state === "Cancelled" || order.state === "Rejected")) return order.price;
  return 0n;
}

/** Every order where participant `id` is buyer or seller that is still open for it, newest first. */
export async function ordersOf(fishTrace: FishTrace, parties: Parties, id: bigint): Promise<OrderView[]> {
  const perStage = await Promise.all(
    SELLING_STAGES.map(async (stage) => {
      const book: OrderBook = fishTrace[stage];
      const [sold, bought] = await Promise.all([
        book.queryFilter(book.filters.OrderPlaced(undefined, id)),
        book.queryFilter(book.filters.OrderPlaced(undefined, undefined, id)),
      ]);
      const placed = [
        ...sold.map((log) => ({ log, side: "seller" as const })),
        ...bought.map((log) => ({ log, side: "buyer" as const })),
      ];
      return Promise.all(
        placed.map(async ({ log, side }): Promise<OrderView | undefined> => {
          const { orderId, sellerId, buyerId, species, weightGrams, price, shipBy, ackWindow } = log.args;
          const stored = await book.getOrder(orderId);
          const state = ORDER_STATE[Number(stored.state)] ?? String(stored.state);
          if (!openFor(state, side)) return undefined;
          const [seller, buyer, shipment] = await Promise.all([
            parties.get(sellerId),
            parties.get(buyerId),
            Number(stored.state) >= 2 ? shipmentOf(book, orderId) : Promise.resolve(undefined),
          ]);
          return {
            stage,
            orderId,
            side,
            state,
            seller,
            buyer,
            species: speciesText(species),
            weightGrams,
            price,
            shipBy,
            ackWindow,
            deadline: stored.deadline,
            shipment,
            shipmentNames:
              shipment === undefined
                ? undefined
                : await Promise.all(shipment.lotIds.map((lotId) => lotNameOf(fishTrace, lotId))),
          };
        }),
      );
    }),
  );
  const orders = perStage.flat().filter((o): o is OrderView => o !== undefined);
  // Newest first; an order where the participant is both buyer and seller shows once per side.
  return orders.sort((a, b) =>
    a.orderId === b.orderId
      ? STAGE_NAMES.indexOf(a.stage) - STAGE_NAMES.indexOf(b.stage)
      : Number(b.orderId - a.orderId),
  );
}

export interface LotView {
  stage: StageName;
  lotId: bigint;
  /** `LOT_STATUS` name: Created (available) or Shipped (in an order). */
  status: string;
  species: string;
  weightGrams: bigint;
  flags: number;
  /** A product lot's GS1 keys. */
  product?: { gtin14: string; lot: string };
}

/** The lot ids participant `id` ever registered, received or produced at `stage`. */
async function lotIdsAt(fishTrace: FishTrace, stage: StageName, id: bigint): Promise<bigint[]> {
  if (stage === "harvester") {
    const { harvester } = fishTrace;
    return (await harvester.queryFilter(harvester.filters.FishRegistered(undefined, id))).map((l) => l.args.lotId);
  }
  const contract = fishTrace[stage];
  const received = (await contract.queryFilter(contract.filters.LotReceived(undefined, id))).map((l) => l.args.lotId);
  if (stage !== "manufacturer") return received;
  const { manufacturer } = fishTrace;
  const processed = await manufacturer.queryFilter(manufacturer.filters.LotsProcessed(undefined, id));
  return [...received, ...processed.flatMap((l) => [...l.args.productLotIds])];
}

/** The lots participant `id` holds now at the stages of its actor roles, plus those the trace API lists. */
export async function lotsOf(
  fishTrace: FishTrace,
  participant: Participant,
  fromApi: ParticipantJson | undefined,
): Promise<LotView[]> {
  const candidates = new Map<string, { stage: StageName; lotId: bigint; link?: string }>();
  const add = (stage: StageName, lotId: bigint, link?: string) => {
    const key = `${stage}:${lotId}`;
    if (!candidates.has(key) || link !== undefined) candidates.set(key, { stage, lotId, link });
  };
  const stages = STAGE_NAMES.filter((stage) => participant.actorRoles.includes(stageRole(stage)));
  const held = await Promise.all(
    stages.map(async (stage) => ({ stage, lotIds: await lotIdsAt(fishTrace, stage, participant.id) })),
  );
  for (const { stage, lotIds } of held) lotIds.forEach((lotId) => add(stage, lotId));
  for (const lot of fromApi?.lots ?? []) {
    try {
      add(stageOfNumber(lot.stage), BigInt(lot.lotId), lot.digitalLink);
    } catch {
      // an entry this view cannot read is left out
    }
  }
  const views = await Promise.all(
    [...candidates.values()].map(async ({ stage, lotId, link }): Promise<LotView | undefined> => {
      const lot = await fishTrace[stage].getLot(lotId);
      if (lot.custodianId !== participant.id || (lot.status !== 1n && lot.status !== 2n)) return undefined;
      return {
        stage,
        lotId,
        status: LOT_STATUS[Number(lot.status)] ?? String(lot.status),
        species: speciesText(lot.species),
        weightGrams: lot.weightGrams,
        flags: Number(lot.flags),
        product: await productKeyOf(fishTrace, lotId, link),
      };
    }),
  );
  return views
    .filter((v): v is LotView => v !== undefined)
    .sort((a, b) => stageNumber(a.stage) - stageNumber(b.stage) || (a.lotId < b.lotId ? 1 : -1));
}

async function productKeyOf(
  fishTrace: FishTrace,
  lotId: bigint,
  link: string | undefined,
): Promise<{ gtin14: string; lot: string } | undefined> {
  if (link !== undefined) {
    try {
      const key = parseDigitalLink(link);
      return { gtin14: gtin14(key.gtin), lot: key.lot };
    } catch {
      // fall through to the chain
    }
  }
  const made = await productLotOf(fishTrace.manufacturer, lotId);
  return made === undefined ? undefined : { gtin14: gtin14(made.gtin), lot: made.lot };
}

/** The accounts enrolled with the actor role of `stage`, as parties (who a buyer may order from). */
export async function participantsWithRole(fishTrace: FishTrace, stage: SellingStageName): Promise<PartyView[]> {
  const { registry } = fishTrace;
  const enrolled = await registry.queryFilter(registry.filters.ParticipantEnrolled());
  const role = stageRole(stage);
  const parties = await Promise.all(
    enrolled.map(async (log): Promise<PartyView | undefined> => {
      const { id, account } = log.args;
      const auth = await registry.authorization(account);
      if (auth.operatorId !== 0n || !rolesOf(auth.roles).includes(role)) return undefined;
      const [name, location] = await registry.profileOf(account);
      return { id: BigInt(id), account, name: partyName(name, BigInt(id)), location };
    }),
  );
  return parties.filter((p): p is PartyView => p !== undefined);
}

/** The species codes the registry lists now (for the forms' suggestions), with their names. */
export async function speciesList(fishTrace: FishTrace): Promise<Array<{ code: string; name: string }>> {
  const { registry } = fishTrace;
  const events = await registry.queryFilter(registry.filters.SpeciesListed());
  const codes = [...new Set(events.map((e) => e.args.code))];
  const listed = await Promise.all(codes.map(async (code) => ({ code, listed: await registry.isSpeciesListed(code) })));
  const kept = listed.filter((c) => c.listed).map((c) => c.code);
  return Promise.all(kept.map(async (code) => ({ code: speciesText(code), name: await registry.speciesName(code) })));
}

/** The latest block's time: the chain's "now" (ahead of the wall clock after the demo moved time). */
export async function chainNow(provider: JsonRpcProvider): Promise<number> {
  const block = await provider.getBlock("latest");
  if (block === null) throw new Error("the node returned no latest block");
  return block.timestamp;
}

/** The trace API's list for `account`; undefined (with the reason, one line) when the API cannot answer. */
export async function participantListOf(account: string): Promise<{ json?: ParticipantJson; error?: string }> {
  try {
    return { json: await fetchParticipant(account) };
  } catch (err) {
    return { error: oneLine(err) };
  }
}
