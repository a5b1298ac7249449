/**
 * Analytics data for the local stack (src/tools/local-stack.ts, seeded by src/tools/demo.ts after the demo): on the demo's
 * own deployment and cast, four weeks of customer orders at the demo's retailer (the sales the forecasts are fitted
 * on), then the small fixed history of the analytics tests (seed 12: 8 catches of cod and haddock, a quarter of
 * the legs and processings given an injected anomaly) written through the contracts by `writeHistoryOnChain`, the
 * last two distributor → retailer legs of each species left out so their product lots wait at the demo's
 * distributor (the dispatch list), and one open haddock order from the retailer at the distributor. The sellers
 * withdraw what the acknowledged orders paid them, so the demo's accounts are left with nothing owed.
 *
 * The anomaly detector the trace API serves is trained here on a larger generated history (seed 1) and written as
 * a model file: the stack's trace API is started with `--model` on it. The chain has no product catalogue, so the
 * served history keys yields by GTIN; the training history's product keys are renamed to the GTINs the writer gave
 * them, so impossible yields are scored too. Intake weighings are not on chain and the stack's trace API has no
 * relay stream of them: weight shrinks are labelled here but not found by the served detector.
 */
import { writeFile } from "node:fs/promises";

import type { Signer } from "ethers";

import { defined } from "./checked.js";

import { OrderBook__factory } from "../../typechain-types/index.js";
import type { FishTrace } from "../node/system.js";
import { OrderPayments } from "../node/order-payment.js";
import { mined } from "../node/tx.js";
import { speciesCode } from "../core/units.js";
import { generateHistory } from "../analytics/generate.js";
import { ITEM_OF_KIND, type AnomalyKind, type ChainHistory } from "../core/chain-history.js";
import { writeHistoryOnChain } from "../analytics/onchain.js";
import { trainedDetectorFile } from "../analytics/service.js";

/** The small fixed data set of the analytics tests (test/analytics/serve.test.ts). */
export const STACK_HISTORY = { seed: 12, catches: 8, species: ["COD", "HAD"], anomalyRate: 0.25 } as const;
/** What the served detector is trained on. */
export const STACK_TRAINING = { seed: 1, catches: 200, species: ["COD", "HAD"] } as const;

const DAY = 86_400;
/** kg a customer orders per weekday (Monday first), per species. */
const WEEK: Record<(typeof STACK_HISTORY.species)[number], readonly number[]> = {
  COD: [18, 16, 18, 20, 28, 26, 11],
  HAD: [9, 8, 9, 10, 14, 13, 6],
};
const SALES_DAYS = 28;

/** The demo's accounts the seed acts as. */
export interface StackSeedCast {
  /** The registry admin (Hardhat account #0): registers the writer's devices and relays its scans. */
  admin: Signer;
  vessel: Signer;
  supplier: Signer;
  manufacturer: Signer;
  distributor: Signer;
  retailer: Signer;
  customer: Signer;
}

/** How the seed moves the chain's clock and funds new device keys (Hardhat's network helpers). */
export interface StackSeedChain {
  setNextBlockTimestamp(time: number): Promise<void>;
  latestTime(): Promise<number>;
  fund(address: string): Promise<void>;
}

/** An injected anomaly, in chain ids. */
export interface SeededAnomaly {
  kind: AnomalyKind;
  item: "leg" | "process";
  /** "<stage>:<order id>" for a leg, the process id for a processing (as /v1/analytics/anomalies names it). */
  itemId: string;
  /** The chain lot ids it touches. */
  lotIds: string[];
}

/** What the seed made: `<stack dir>/analytics.json`, and `LocalStack.analytics`. */
export interface StackAnalytics {
  /** The hub holding the lots to dispatch: the demo's distributor (its account). */
  hub: string;
  /** The chain lot ids left at the hub. */
  heldLots: string[];
  /** The retailer the hub's lots may go to (its account). */
  retailer: string;
  anomalies: SeededAnomaly[];
  /** The detector's model file the trace API serves. */
  modelFile: string;
  /** The receiving stations' intake weighings by leg (`--intake` of the trace API): weight shrinks show there. */
  intakeFile: string;
  /** Days of customer orders per species at the retailer. */
  salesDays: number;
  transactions: number;
  /** Seconds the seed took. */
  seconds: number;
}

/** The history without the last two distributor legs of each species: their product lots stay at the hub. */
export function withLotsAtHub(
  history: ChainHistory,
  species: readonly string[],
): { history: ChainHistory; held: string[] } {
  const last = species.flatMap((s) =>
    history.legs
      .filter((l) => l.stage === 4 && l.species === s)
      .sort((a, b) => b.departedAt - a.departedAt)
      .slice(0, 2),
  );
  const dropped = new Set(last.map((l) => l.legId));
  const leaves = new Map(last.flatMap((l) => l.lotIds.map((id): [string, number] => [id, l.departedAt])));
  return {
    history: {
      ...history,
      legs: history.legs.filter((l) => !dropped.has(l.legId)),
      scans: history.scans.filter((s) => s.scannedAt <= (leaves.get(s.lotId) ?? Infinity)),
    },
    held: last.flatMap((l) => l.lotIds),
  };
}

/**
 * Seeds the analytics data (module comment), writes the detector's model file to `files.model` and the intake
 * weighings of the seeded legs to `files.intake`.
 */
export async function seedStackAnalytics(
  system: FishTrace,
  cast: StackSeedCast,
  chain: StackSeedChain,
  files: { model: string; intake: string },
): Promise<StackAnalytics> {
  const started = performance.now();
  let transactions = 0;
  const [retailer, distributor] = await Promise.all([cast.retailer.getAddress(), cast.distributor.getAddress()]);

  // Four weeks of customer orders at the retailer, from a Monday on.
  const book = OrderBook__factory.connect(await system.retailer.getAddress(), cast.customer);
  // Orders are paid in the deployment's money: the least unit of it (with the buyer's permit in a token).
  const payments = await OrderPayments.of(system);
  const monday = Math.ceil(((await chain.latestTime()) + DAY) / (7 * DAY)) * 7 * DAY + 4 * DAY;
  for (let d = 0; d < SALES_DAYS; d++) {
    for (const species of STACK_HISTORY.species) {
      const kg = defined(WEEK[species][d % 7], `the ${species} orders of weekday ${d % 7}`) + (d % 3);
      await chain.setNextBlockTimestamp(monday + d * DAY + 10 * 3_600 + (species === "COD" ? 0 : 60));
      const order = { seller: retailer, species: speciesCode(species), weightGrams: kg * 1_000 };
      await payments.place(book, cast.customer, { ...order, shipBy: monday + (d + 2) * DAY, ackWindow: 3_600 }, 1n);
      transactions++;
    }
  }

  const small = generateHistory({ ...STACK_HISTORY, species: [...STACK_HISTORY.species] });
  const { history, held } = withLotsAtHub(small.history, STACK_HISTORY.species);
  const written = await writeHistoryOnChain(system, history, {
    admin: cast.admin,
    actors: [cast.vessel, cast.supplier, cast.manufacturer, cast.distributor, cast.retailer],
    relayer: cast.admin,
    setNextBlockTimestamp: (t) => chain.setNextBlockTimestamp(t),
    latestTime: () => chain.latestTime(),
    fund: (address) => chain.fund(address),
    label: `fishtrace stack analytics ${distributor}`,
  });
  transactions += written.transactions;
  // Every seller takes its payments, so the demo's accounts owe nothing the dApp would offer to withdraw.
  const sellers = [
    { book: system.harvester, seller: cast.vessel },
    { book: system.supplier, seller: cast.supplier },
    { book: system.manufacturer, seller: cast.manufacturer },
    { book: system.distributor, seller: cast.distributor },
  ];
  for (const leg of written.legs.values()) {
    const [stage, orderId] = leg.split(":").map(Number);
    const { book: stageBook, seller } = defined(sellers[Number(stage) - 1], `the selling stage of leg ${leg}`);
    await mined(stageBook.connect(seller).withdraw(Number(orderId)));
    transactions++;
  }

  // An open order for haddock at the distributor, from the retailer.
  const hub = OrderBook__factory.connect(await system.distributor.getAddress(), cast.retailer);
  const shipBy = (await chain.latestTime()) + 7 * DAY;
  await payments.place(
    hub,
    cast.retailer,
    { seller: distributor, species: speciesCode("HAD"), weightGrams: 50_000, shipBy, ackWindow: 3_600 },
    1n,
  );
  transactions++;

  // The detector: trained on a larger generated history whose products carry the GTINs the chain knows them by.
  const gtinOf = new Map([...written.products].map(([gtin, product]) => [product, gtin]));
  const training = generateHistory({ ...STACK_TRAINING, species: [...STACK_TRAINING.species] }).history;
  const renamed: ChainHistory = {
    ...training,
    processes: training.processes.map((p) => ({ ...p, product: gtinOf.get(p.product) ?? p.product })),
  };
  await writeFile(files.model, trainedDetectorFile(renamed, new Date()).text);
  await writeFile(files.intake, JSON.stringify(Object.fromEntries(written.intake), null, 2) + "\n");

  const kept = new Set(history.legs.map((l) => l.legId));
  const anomalies: SeededAnomaly[] = [];
  for (const label of small.labels) {
    const item = ITEM_OF_KIND[label.kind];
    const itemId = item === "leg" ? written.legs.get(label.itemId) : written.processes.get(label.itemId);
    if (itemId === undefined || (item === "leg" && !kept.has(label.itemId))) continue;
    anomalies.push({
      kind: label.kind,
      item,
      itemId,
      lotIds: label.lotIds.map((id) => written.lots.get(id)?.toString() ?? "").filter((id) => id !== ""),
    });
  }
  return {
    hub: distributor,
    heldLots: held.map((id) => defined(written.lots.get(id), `the chain lot of held lot ${id}`).toString()),
    retailer,
    anomalies,
    modelFile: files.model,
    intakeFile: files.intake,
    salesDays: SALES_DAYS,
    transactions,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
