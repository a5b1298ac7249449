/**
 * FishTrace from catch to a customer's plate on Hardhat's in-process network, told one line per step with the gas
 * used: deploy the registry and the six stage contracts, enrol one participant per stage and a regulator, register
 * three catches and record cold-chain readings (one excursion), then pass cod through every stage — vessel →
 * supplier → manufacturer (one lot processed into two GS1-labelled packs) → distributor (dispatched with its route,
 * arrival confirmed) → retailer → a customer, who verifies the pack's provenance back to the catch. Along the way
 * a delivery is rejected (haddock warmed up at sea), QAT devices scan lots at four stages (device-signed, relayed),
 * a sensor batch of a warm leg is anchored as a Merkle root (an excursion, one reading proved against the root), a
 * freshness warning follows that leg, a substituted fillet is caught as a species mismatch and recalled, its sale
 * is blocked, and that order is cancelled and refunded. Orders are priced, escrowed and paid in the test stablecoin
 * FishTraceUSD (fUSD, 6 decimals; each buyer signs an EIP-2612 permit, no approve), or in Ether with
 * FISHTRACE_SETTLEMENT=eth.
 *
 *   npm run demo                            (hardhat run src/tools/demo.ts)
 *   FISHTRACE_SETTLEMENT=eth npm run demo   (in Ether)
 *
 * It runs against a node too (`hardhat run --no-compile --network localhost src/tools/demo.ts`, LOCALHOST_URL naming
 * the node), as the local stack seeds its chain (src/tools/local-stack.ts): the environment that turns the demo into
 * the stack's seed (FISHTRACE_DEPLOYMENT_ID, FISHTRACE_DEMO_OUT, FISHTRACE_DEMO_SEED, FISHTRACE_DEMO_ANALYTICS) and
 * what it writes (facts.json, the analytics data) are in src/tools/demo/seeding.ts; the verbs of the story (scan,
 * order, ship and deliver, settle) in src/tools/demo/steps.ts.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { Wallet, id } from "ethers";
import { network } from "hardhat";

import { defined } from "./checked.js";
import {
  bindRelay,
  DEMO_FUNDS,
  demoSeedingOrExit,
  exportDir,
  finishStackSeed,
  writeFacts,
  type MadePack,
} from "./demo/seeding.js";
import { demoSteps, HOUR } from "./demo/steps.js";
import { story } from "./story.js";
import type { DemoCast } from "../node/seed.js";
import { openIndex } from "../index/db.js";
import { syncIndex } from "../index/sync.js";
import { catchData } from "../core/catch.js";
import { epcisDocument, gdstGaps, validateEpcis, type EpcisDocument } from "../exports/epcis.js";
import { fsmaExport, writeFsma } from "../exports/fsma.js";
import { readMasterData } from "../exports/master-data.js";
import { loadJourney, participantRef } from "../index/journey.js";
import { noticeCsv, planRecall, recallNotice } from "../index/recall.js";
import { traceLot } from "../index/trace.js";
import { traceTree } from "../core/trace/tree.js";
import { deployWithReport } from "../node/deploy.js";
import { digitalLink, elementString } from "../core/digital-link.js";
import { describeError } from "../core/errors.js";
import { bandText, celsius, ether, flagsText, isoTime, position, thousands } from "../core/format.js";
import { amountText } from "../core/money.js";
import { OrderPayments } from "../node/order-payment.js";
import { FishTraceUSD__factory } from "../../typechain-types/index.js";
import { transportMode } from "../core/inputs.js";
import { participantName, speciesLabel } from "../core/labels.js";
import { DEFAULT_FRESHNESS_RULE } from "../core/freshness.js";
import { parseInputs, parseOutputs } from "../core/process.js";
import { catchesOf, provenanceLines, provenanceTree } from "../node/provenance.js";
import { DEMO_SPECIES, demoParticipants, seedDemo } from "../node/seed.js";
import { addressesOf } from "../node/system.js";
import { qatDomain } from "../core/qat.js";
import { roleId } from "../core/roles.js";
import { proofOf, sensorTree, summarize, type SensorReading } from "../core/sensors.js";
import { centiCelsius, fixedText, formatGrams, speciesCode } from "../core/units.js";
import { LOT_STATUS, SELLING_STAGES, STAGE_NAMES } from "../core/vocabulary.js";
import { eventIn, eventsIn, mined } from "../node/tx.js";

const started = performance.now();
const seeding = demoSeedingOrExit();

const connection = await network.getOrCreate();
const { ethers, networkHelpers } = connection;
const signers = await ethers.getSigners();
const [admin, vessel, supplier, gateway, manufacturer, distributor, retailer, customer, regulator] = signers;
if (
  admin === undefined ||
  vessel === undefined ||
  supplier === undefined ||
  gateway === undefined ||
  manufacturer === undefined ||
  distributor === undefined ||
  retailer === undefined ||
  customer === undefined ||
  regulator === undefined
) {
  throw new Error("the demo needs nine accounts");
}
/** Each role's account, in the order of their Hardhat account indices. */
const roles = { admin, vessel, supplier, gateway, manufacturer, distributor, retailer, customer, regulator };
const parties = [vessel, supplier, manufacturer, distributor, retailer, customer];
const startBalances = await Promise.all(
  parties.map(async (account) => ({ account, balance: await ethers.provider.getBalance(account) })),
);

const tell = story();
const where =
  connection.networkConfig.type === "edr-simulated" ? "Hardhat's in-process network" : connection.networkName;
console.log(`FishTrace demo on ${where} (chain ${(await ethers.provider.getNetwork()).chainId})`);

// ------------------------------------------------------------------------------------------ deployment
tell.section("Deployment of the registry, the six stage contracts and the quality ledger, through the Ignition module");
const { fishTrace, transactions } = await deployWithReport(connection, {
  ...(seeding.deploymentId === undefined ? {} : { deploymentId: seeding.deploymentId }),
  ...(seeding.settlement === "fusd" ? { settlementToken: "test" } : {}),
});
const { registry, harvester, qualityLedger } = fishTrace;
for (const { what, receipt } of transactions) tell.step(what, receipt);
const payments = await OrderPayments.of(fishTrace);
const { settlement } = payments;
/** Each party's balance of the settlement token once funded (none in Ether). */
const startTokens = new Map<string, bigint>();
if (settlement.token === undefined) {
  tell.detail("orders settle in ETH (FISHTRACE_SETTLEMENT=eth)");
} else {
  tell.detail(
    `orders settle in ${settlement.symbol} (${settlement.decimals} decimals) at ${settlement.token}, the test ` +
      "stablecoin; FISHTRACE_SETTLEMENT=eth runs the demo in ETH",
  );
  const fusd = FishTraceUSD__factory.connect(settlement.token, admin);
  const grant = payments.amount(DEMO_FUNDS);
  for (const [role, account] of Object.entries({ vessel, supplier, manufacturer, distributor, retailer, customer })) {
    tell.step(
      `mint ${amountText(grant, settlement)} to the ${role} ${account.address}`,
      await mined(fusd.mint(account, grant)),
    );
    startTokens.set(account.address, await fusd.balanceOf(account));
  }
}
const rule = DEFAULT_FRESHNESS_RULE;
tell.detail(
  `default freshness rule: Torry scale to ${rule.maxGrade}, ${rule.decayPerDay / 100} grade a day at 0 °C, ` +
    `RRS(T) = (1 + T/${-rule.minimumTemperature / 100})², unmonitored time counted at ${rule.defaultTemperature / 100} °C, ` +
    `margin ${rule.margin / 100} grade + up to ${rule.uncertainty / 100} as confidence falls (docs/freshness.md)`,
);

// ------------------------------------------------------------------------------------------ registry
tell.section(`Registry: participants, devices and species, by the admin ${admin.address}`);
const cast: DemoCast = {
  vessel: vessel.address,
  supplier: supplier.address,
  manufacturer: manufacturer.address,
  distributor: distributor.address,
  retailer: retailer.address,
  customer: customer.address,
  regulator: regulator.address,
  gateway: gateway.address,
};
for (const { what, receipt } of await seedDemo(registry, cast)) tell.step(what, receipt);
/** The registered name of the participant `part` of the cast. */
const nameOf = (part: Exclude<keyof DemoCast, "gateway">): string =>
  defined(
    demoParticipants(cast).find((p) => p.account === cast[part]),
    `the demo's participant for the ${part}`,
  ).name;
const vesselName = nameOf("vessel");
const supplierName = nameOf("supplier");
const manufacturerName = nameOf("manufacturer");
const distributorName = nameOf("distributor");
const retailerName = nameOf("retailer");
const customerName = nameOf("customer");
const regulatorName = nameOf("regulator");

if (seeding.stack !== undefined) {
  const relay = await bindRelay(registry, vessel.address);
  tell.step(
    `bind the relay's account ${relay.address} (#${relay.index}) as ${vesselName}'s SENSOR_GATEWAY`,
    relay.receipt,
  );
  if (seeding.stack.registryOnly) {
    // The local stack's `seed: "none"`: the deployment and the registry's cast only.
    await writeFacts(seeding.stack.dir, { fishTrace, cast: roles, signers, packs: [], catches: [] });
    console.log(`Deployed and enrolled in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    process.exit(0);
  }
}

// QAT hand-held devices: each signs its readings with its own key (no wallet, no ether); the admin account relays
// them, as anyone may, since the ledger checks the device's signature, not the sender.
const qatDevices = {
  vessel: new Wallet(id("fishtrace demo QAT device: vessel")),
  supplier: new Wallet(id("fishtrace demo QAT device: supplier")),
  manufacturer: new Wallet(id("fishtrace demo QAT device: manufacturer")),
  retailer: new Wallet(id("fishtrace demo QAT device: retailer")),
};
for (const owner of ["vessel", "supplier", "manufacturer", "retailer"] as const) {
  const device = qatDevices[owner];
  const receipt = await mined(registry.registerDevice(device.address, roleId("QAT_DEVICE"), cast[owner]));
  tell.step(`QAT device ${device.address} operated by the ${owner}`, receipt);
}
const { now, lotName, namePack, scan, order, shipAndDeliver, settle } = demoSteps({
  tell,
  provider: ethers.provider,
  registry,
  qualityLedger,
  qatDomain: qatDomain((await ethers.provider.getNetwork()).chainId, await qualityLedger.getAddress()),
  payments,
});

// ------------------------------------------------------------------------------------------ stage 1: catch
tell.section(`Stage 1, harvester — at sea off Lofoten: ${vesselName} registers three lots`);
const asVessel = harvester.connect(vessel);
const landing = await now();
/** The lots registered, in order, with their species. */
const caught: { lotId: bigint; species: string }[] = [];
/** The vessel registers a catch of `hoursAgo` before landing; tells it; returns its lot id. */
async function registerCatch(declared: {
  species: string;
  weight: string;
  hoursAgo: number;
  latitude: string;
  longitude: string;
}): Promise<bigint> {
  const { hoursAgo, ...rest } = declared;
  const data = catchData({
    ...rest,
    caughtAt: landing - hoursAgo * HOUR,
    area: "27.2.a",
    vessel: "IMO9241061",
    gear: "OTB",
  });
  const receipt = await mined(asVessel.registerFish(data));
  const { lotId, catchData: c } = (await eventIn(harvester, harvester.filters.FishRegistered(), receipt)).args;
  caught.push({ lotId, species: declared.species });
  tell.step(
    `lot ${lotId}: ${await speciesLabel(registry, c.species)}, ${formatGrams(c.weightGrams)}, ` +
      `caught ${isoTime(c.caughtAt)} at ${position(c.latitude, c.longitude)}`,
    receipt,
  );
  return lotId;
}
const cod1 = await registerCatch({
  species: "COD",
  weight: "250kg",
  hoursAgo: 9,
  latitude: "68.93512N",
  longitude: "15.02210E",
});
const cod2 = await registerCatch({
  species: "COD",
  weight: "180kg",
  hoursAgo: 7,
  latitude: "68.88004N",
  longitude: "14.87311E",
});
const haddock = await registerCatch({
  species: "HAD",
  weight: "120kg",
  hoursAgo: 6,
  latitude: "68.81420N",
  longitude: "14.70166E",
});

tell.section("Cold chain: the vessel's sensor gateway reports (fresh fish belongs at 0..4 °C)");
const asGateway = harvester.connect(gateway);
const readings = [
  { lotId: cod1, celsius: 1.2, humidity: 88, hoursAgo: 5 },
  { lotId: cod2, celsius: 1.6, humidity: 87, hoursAgo: 5 },
  { lotId: haddock, celsius: 5.8, humidity: 84, hoursAgo: 4 },
  { lotId: cod1, celsius: 2.0, humidity: 86, hoursAgo: 1 },
];
for (const r of readings) {
  const lot = await harvester.getLot(r.lotId);
  const readAt = landing - r.hoursAgo * HOUR;
  const temperature = centiCelsius(r.celsius);
  const receipt = await mined(
    asGateway.updateFish(r.lotId, temperature, r.humidity, lot.latitude, lot.longitude, readAt),
  );
  tell.step(`lot ${r.lotId}: ${celsius(temperature)}, ${r.humidity} % humidity at ${isoTime(readAt)}`, receipt);
  for (const e of await eventsIn(harvester, harvester.filters.ColdChainExcursion(r.lotId), receipt)) {
    const flags = flagsText((await harvester.getLot(r.lotId)).flags);
    tell.detail(
      `cold-chain excursion: ${celsius(e.args.temperature)} is outside ${bandText(lot.flags)}; flags now ${flags}`,
    );
  }
}

tell.section("Quality at landing: the vessel's QAT device scans every lot (EIP-712 readings signed on the device)");
await scan(1, qatDevices.vessel, vesselName, [
  { lotId: cod1, species: "COD", speciesConfidence: 98, grade: 10, gradeConfidence: 94 },
  { lotId: cod2, species: "COD", speciesConfidence: 97, grade: 10, gradeConfidence: 93 },
  { lotId: haddock, species: "HAD", speciesConfidence: 96, grade: 10, gradeConfidence: 92 },
]);

tell.section(`Sale 1 → 2: ${supplierName} buys from ${vesselName}, the price held in escrow`);
const codOrder = await order(
  harvester,
  supplier,
  vessel,
  { species: "COD", weight: "400kg", price: { eth: "2.5", usd: "1640" }, shipWithinHours: 48, ackWindowHours: 36 },
  "at least 400 kg of cod",
);
const shippedAt = await now();
await shipAndDeliver(harvester, codOrder, 1001n, [cod1, cod2], vessel, supplier, {
  ship: `${vesselName} ships lots ${cod1} and ${cod2}`,
  deliver: `landed at Bodø: ${supplierName} confirms delivery`,
});

// Six hours of transport; the chiller of lot 2's tote fails. The gateway logged a reading every five minutes.
await networkHelpers.time.increase(6 * HOUR);
const hold: SensorReading[] = Array.from({ length: 72 }, (_, i) => ({
  sensor: gateway.address,
  readAt: shippedAt + 300 * (i + 1),
  temperature: i < 12 ? 180 + i * 10 : Math.min(930, 300 + i * 10), // 1.8 °C, warming to 9.3 °C
  humidity: 86,
}));
const holdTree = sensorTree(hold);
const holdSummary = summarize(hold);
const anchored = await mined(qualityLedger.connect(gateway).anchorReadings(1, [cod2], holdTree.root, holdSummary));
tell.step(
  `the vessel's gateway anchors ${hold.length} hold readings of lot ${cod2} as one Merkle root ${holdTree.root.slice(0, 10)}…`,
  anchored,
);
tell.detail(
  `summary: ${isoTime(holdSummary.from)} to ${isoTime(holdSummary.to)}, min ${celsius(holdSummary.minimum)}, ` +
    `mean ${celsius(holdSummary.mean)}, max ${celsius(holdSummary.maximum)}; ${thousands(Math.round(Number(anchored.gasUsed) / hold.length))} gas a reading`,
);
for (const e of await eventsIn(qualityLedger, qualityLedger.filters.SensorExcursion(holdTree.root), anchored)) {
  tell.detail(
    `excursion in the batch: up to ${celsius(e.args.maximum)}, outside ${celsius(e.args.bandMinimum)}..${celsius(e.args.bandMaximum)}; ` +
      `lot ${e.args.lotId} flagged ${flagsText((await harvester.getLot(e.args.lotId)).flags)}`,
  );
}
const warmest = hold.reduce((a, b) => (b.temperature > a.temperature ? b : a));
const proved = await qualityLedger.verifyReading(gateway.address, holdTree.root, warmest, proofOf(holdTree, warmest));
tell.step(
  `anyone proves one reading against the root: ${celsius(warmest.temperature)} at ${isoTime(warmest.readAt)} is in the ` +
    `batch (${proved ? "proved" : "NOT proved"} by a free view call, ${proofOf(holdTree, warmest).length} hashes)`,
);
if (!proved) throw new Error("the anchored reading did not verify");
await settle(harvester, codOrder, 1001n, [cod1, cod2], {
  seller: vessel,
  buyer: supplier,
  sellerName: vesselName,
  buyerName: supplierName,
});

const haddockOrder = await order(
  harvester,
  supplier,
  vessel,
  { species: "HAD", weight: "100kg", price: { eth: "0.6", usd: "310" }, shipWithinHours: 48, ackWindowHours: 36 },
  "at least 100 kg of haddock",
);
await shipAndDeliver(harvester, haddockOrder, 1002n, [haddock], vessel, supplier, {
  ship: `${vesselName} ships lot ${haddock}`,
  deliver: `${supplierName} confirms delivery`,
});
const rejected = await mined(
  harvester
    .connect(supplier)
    .rejectDelivery(haddockOrder, 1002n, [haddock], fixedText("cold-chain excursion at sea", 32, "reason")),
);
tell.step(`${supplierName} rejects it: lot ${haddock} had a cold-chain excursion at sea`, rejected);
tell.detail(
  `lot ${haddock} is back in ${vesselName}'s inventory (${LOT_STATUS[Number((await harvester.getLot(haddock)).status)]})`,
);
const refunded = await mined(harvester.connect(supplier).withdraw(haddockOrder));
const { amount: refund } = (await eventIn(harvester, harvester.filters.OrderRefunded(haddockOrder), refunded)).args;
tell.step(`${supplierName} withdraws the refund, ${amountText(refund, settlement)}`, refunded);

// ------------------------------------------------------------------------------------------ stage 2: supplier
tell.section(`Stage 2, supplier — ${supplierName} cools and stores, then sells to ${manufacturerName}`);
const { supplier: supplierStage } = fishTrace;
await networkHelpers.time.increase(2 * HOUR);
await scan(2, qatDevices.supplier, supplierName, [
  { lotId: cod1, species: "COD", speciesConfidence: 98, grade: 9, gradeConfidence: 95 },
  { lotId: cod2, species: "COD", speciesConfidence: 97, grade: 6, gradeConfidence: 93 },
]);
for (const lotId of [cod1, cod2]) {
  const receipt = await mined(
    supplierStage.connect(supplier).updateFish(lotId, centiCelsius("0.8"), 92, 6728370, 1440450, await now()),
  );
  tell.step(`cold store reading of lot ${lotId}: 0.8 °C, 92 % at Bodø`, receipt);
}
const supplierOrder = await order(
  supplierStage,
  manufacturer,
  supplier,
  { species: "COD", weight: "400kg", price: { eth: "3.2", usd: "2080" }, shipWithinHours: 24, ackWindowHours: 24 },
  `${manufacturerName} orders at least 400 kg of cod`,
);
await shipAndDeliver(supplierStage, supplierOrder, 2001n, [cod1, cod2], supplier, manufacturer, {
  ship: `${supplierName} ships lots ${cod1} and ${cod2}`,
  deliver: `${manufacturerName} confirms delivery at Svolvær`,
});
await settle(supplierStage, supplierOrder, 2001n, [cod1, cod2], {
  seller: supplier,
  buyer: manufacturer,
  sellerName: supplierName,
  buyerName: manufacturerName,
});

// ------------------------------------------------------------------------------------------ stage 3: manufacturer
tell.section(`Stage 3, manufacturer — ${manufacturerName} fillets 2 kg of lot ${cod1} into two GS1-labelled packs`);
const { manufacturer: manufacturerStage } = fishTrace;
const inputs = parseInputs(`${cod1}:2kg`);
const outputs = parseOutputs("07038010123450:L2026-11-001:400g,07038010123467:L2026-11-002:400g:frozen");
const processed = await mined(
  manufacturerStage.connect(manufacturer).processLots(
    inputs.map(({ lotId, grams: g }) => ({ lotId, grams: g })),
    outputs.map(({ gtin, lotNumber, weightGrams, frozen }) => ({ gtin, lotNumber, weightGrams, frozen })),
  ),
);
const made = (await eventIn(manufacturerStage, manufacturerStage.filters.LotsProcessed(), processed)).args;
const consumed = defined(made.consumedGrams[0], `the grams of lot ${cod1} process ${made.processId} consumed`);
tell.step(
  `process ${made.processId}: ${formatGrams(consumed)} of lot ${cod1} → ` +
    `${formatGrams(made.producedGrams)} in ${made.productLotIds.length} packs (yield ${Number(made.yieldBps) / 100} %)`,
  processed,
);
for (const out of outputs) {
  tell.detail(
    `${elementString(out)} ${formatGrams(out.weightGrams)} ${out.frozen ? "frozen" : "fresh"}: ${digitalLink(out.gtin, out.lot)}`,
  );
}
tell.detail(`lot ${cod1} keeps ${formatGrams((await manufacturerStage.getLot(cod1)).weightGrams)} for later runs`);
const packs: MadePack[] = outputs.map((output, i) => ({
  lotId: defined(made.productLotIds[i], `the lot of pack ${output.lot} (process ${made.processId})`),
  output,
}));
for (const { lotId, output } of packs) namePack(lotId, `pack ${output.lot}`);
const [packA, packB] = packs.map((p) => p.lotId);
if (packA === undefined || packB === undefined) throw new Error(`process ${made.processId} made fewer than two packs`);
const [labelA, labelB] = [lotName(packA), lotName(packB)];
await scan(3, qatDevices.manufacturer, manufacturerName, [
  { lotId: packA, species: "COD", speciesConfidence: 99, grade: 9, gradeConfidence: 94 },
  { lotId: packB, species: "COD", speciesConfidence: 98, grade: 9, gradeConfidence: 94 },
]);

const manufacturerOrder = await order(
  manufacturerStage,
  distributor,
  manufacturer,
  { species: "COD", weight: "800g", price: { eth: "0.05", usd: "14.40" }, shipWithinHours: 24, ackWindowHours: 12 },
  `${distributorName} orders at least 800 g of cod`,
);
await shipAndDeliver(manufacturerStage, manufacturerOrder, 3001n, [packA, packB], manufacturer, distributor, {
  ship: `${manufacturerName} ships both packs`,
  deliver: `${distributorName} confirms pick-up`,
});
await settle(manufacturerStage, manufacturerOrder, 3001n, [packA, packB], {
  seller: manufacturer,
  buyer: distributor,
  sellerName: manufacturerName,
  buyerName: distributorName,
});

// ------------------------------------------------------------------------------------------ stage 4: distributor
tell.section(`Stage 4, distributor — ${distributorName} trucks the packs to ${retailerName}`);
const { distributor: distributorStage } = fishTrace;
const distributorOrder = await order(
  distributorStage,
  retailer,
  distributor,
  { species: "COD", weight: "800g", price: { eth: "0.08", usd: "17.60" }, shipWithinHours: 24, ackWindowHours: 12 },
  `${retailerName} orders at least 800 g of cod`,
);
const route = {
  origin: fixedText("7080003000033", 32, "origin"),
  destination: fixedText("7080003000040", 32, "destination"),
  mode: transportMode("road"),
  vehicle: fixedText("EL 12345", 16, "vehicle"),
};
const dispatched = await mined(
  distributorStage.connect(distributor).dispatch(distributorOrder, 4001n, [packA, packB], route),
);
tell.step(`dispatch shipment 4001 by road, truck EL 12345, GLN 7080003000033 → 7080003000040`, dispatched);
const inTransit = await mined(
  distributorStage.connect(distributor).updateFish(packB, centiCelsius("−20.5"), 70, 6852000, 1700000, await now()),
);
tell.step(`in transit: the frozen ${labelB} reads −20.5 °C`, inTransit);
const arrived = await mined(
  distributorStage.connect(retailer).confirmArrival(distributorOrder, fixedText("7080003000040", 32, "location")),
);
tell.step(`${retailerName} confirms arrival at GLN 7080003000040`, arrived);
await settle(distributorStage, distributorOrder, 4001n, [packA, packB], {
  seller: distributor,
  buyer: retailer,
  sellerName: distributorName,
  buyerName: retailerName,
});

// ------------------------------------------------------------------------------------------ stage 5: retailer
tell.section(`Stage 5, retailer — receiving inspection, then ${customerName} buys a pack at ${retailerName}`);
const { retailer: retailerStage, customer: customerStage } = fishTrace;
await scan(5, qatDevices.retailer, retailerName, [
  { lotId: packA, species: "COD", speciesConfidence: 98, grade: 8, gradeConfidence: 94 },
  { lotId: packB, species: "POK", speciesConfidence: 91, grade: 8, gradeConfidence: 90 },
]);
const [inspection, packAFlags] = await retailerStage.queryQAT(packA);
tell.detail(
  `queryQAT(${labelA}) at the retailer: grade ${inspection.grade} (${inspection.gradeConfidence} %) scanned ` +
    `${isoTime(inspection.scannedAt)} by device ${inspection.deviceId}; flags ${flagsText(packAFlags)}`,
);
const retailOrder = await order(
  retailerStage,
  customer,
  retailer,
  { species: "COD", weight: "400g", price: { eth: "0.012", usd: "9.95" }, shipWithinHours: 2, ackWindowHours: 1 },
  `${customerName} orders a 400 g pack of cod`,
);
await shipAndDeliver(retailerStage, retailOrder, 5001n, [packA], retailer, customer, {
  ship: `${retailerName} hands over ${labelA}`,
  deliver: `${customerName} confirms she has it`,
});
await settle(retailerStage, retailOrder, 5001n, [packA], {
  seller: retailer,
  buyer: customer,
  sellerName: retailerName,
  buyerName: customerName,
});

// ------------------------------------------------------------------------------------------ stage 6: customer
tell.section(`Stage 6, customer — ${customerName} scans the pack's GS1 Digital Link and verifies its provenance`);
const hops = await customerStage.verifyProvenance(packA);
const tree = await provenanceTree(fishTrace, hops);
const viewGas = await customerStage.verifyProvenance.estimateGas(packA);
tell.step(
  `verifyProvenance of ${labelA}: ${hops.length} hops back to ${catchesOf(tree).length} catch ` +
    `(a free view; ${thousands(viewGas)} gas on chain)`,
);
for (const line of await provenanceLines(fishTrace, tree)) tell.detail(line);

// ------------------------------------------------------------------------------------------ recall
tell.section(`Recall — ${regulatorName} recalls the substituted ${labelB} at the retailer`);
const recalled = await mined(
  retailerStage.connect(regulator).recallLots([packB], fixedText("species substitution (QAT)", 32, "reason")),
);
tell.step(`recall ${labelB}: "species substitution (QAT)"`, recalled);
tell.detail(`flags now ${flagsText((await retailerStage.getLot(packB)).flags)}`);
const blockedOrder = await order(
  retailerStage,
  customer,
  retailer,
  { species: "COD", weight: "400g", price: { eth: "0.012", usd: "9.95" }, shipWithinHours: 2, ackWindowHours: 1 },
  `${customerName} orders another 400 g pack`,
);
try {
  await mined(retailerStage.connect(retailer).initiateShipment(blockedOrder, 5002n, [packB]));
  throw new Error("the recalled pack was shipped");
} catch (err) {
  const line = describeError(err);
  if (!line.startsWith("LotIsRecalled")) throw err;
  tell.step(`${retailerName} tries to ship the recalled ${labelB}: the Retailer contract refuses`);
  tell.detail(`error: ${line}`);
}
const cancelled = await mined(retailerStage.connect(retailer).cancelOrder(blockedOrder));
tell.step(`${retailerName} cancels order ${blockedOrder}, having nothing else to sell`, cancelled);
const refundedCustomer = await mined(retailerStage.connect(customer).withdraw(blockedOrder));
const { amount: customerRefund } = (
  await eventIn(retailerStage, retailerStage.filters.OrderRefunded(blockedOrder), refundedCustomer)
).args;
tell.step(`${customerName} withdraws the refund, ${amountText(customerRefund, settlement)}`, refundedCustomer);

// ------------------------------------------------------------------------------------------ trace and exports
tell.section("Trace and regulatory exports — every event indexed into embedded PostgreSQL (PGlite)");
const index = await openIndex({ dir: "memory://" });
const indexStarted = performance.now();
const synced = await syncIndex(index, ethers.provider, await addressesOf(fishTrace));
tell.step(
  `indexed ${thousands(synced.events)} events of ${thousands(synced.blocks)} blocks in ` +
    `${((performance.now() - indexStarted) / 1000).toFixed(1)} s`,
);
tell.step(`trace of ${labelA} (npx hardhat trace --lot …), backward to the catch and forward to its holders:`);
for (const line of traceTree(await traceLot(index, packA, "both"))) tell.detail(line);
const outDir = exportDir(seeding);
await mkdir(outDir, { recursive: true });
// The recall at the retailer flagged the pack there; the recall planner works from the index and recalls every lot
// at the stage that made it, which the chain forwards to each later stage (a second plan finds nothing to do).
const plan = await planRecall(index, packB);
for (const batch of plan.batches) {
  const receipt = await mined(
    fishTrace[batch.stage]
      .connect(regulator)
      .recallLots(batch.lotIds, fixedText("species substitution (QAT)", 32, "reason")),
  );
  tell.step(
    `recall planner: ${batch.lotIds.length} lot of the ${labelB} closure recalled where it was made, the ${batch.stage}`,
    receipt,
  );
}
await syncIndex(index, ethers.provider, await addressesOf(fishTrace));
const again = await planRecall(index, packB);
const notice = await recallNotice(
  index,
  again.lots.map((l) => l.lotId),
);
const noticeFile = path.join(outDir, "recall-notice.csv");
await writeFile(noticeFile, noticeCsv(notice));
tell.step(
  `recall of ${labelB} again (npx hardhat recall --lot …): ${again.lots.length} lot reached, ` +
    `${again.alreadyRecalled.length} already recalled, nothing to send; notice → ${noticeFile}`,
);
for (const row of notice) {
  const holder = row.holder === undefined ? "held by nobody" : `held by ${row.holder.name} at the ${row.holder.stage}`;
  tell.detail(`${row.digitalLink ?? `lot ${row.lotId}`}: ${holder}; recalled in ${row.recallTx ?? "—"}`);
}
const chainId = (await ethers.provider.getNetwork()).chainId;
// Master data the chain does not hold (examples/master-data.json and a CSV of the customer), read once; the trip
// is this demo's: the vessel left port a day before its first catch and landed when it registered them.
const masterData = await readMasterData(["examples/master-data.json", "examples/master-data-customers.csv"]);
const trip = masterData.vessels.get("IMO9241061") ?? {};
masterData.vessels.set("IMO9241061", { ...trip, tripStart: landing - 33 * HOUR, tripEnd: landing });
tell.step(
  `master data: ${masterData.vessels.size} vessel, ${masterData.parties.size} parties, ` +
    `${masterData.certificates.length} certificates (examples/master-data.json, examples/master-data-customers.csv)`,
);
const history = await loadJourney(index, { kind: "lot", lotId: packA }, chainId);
const exports: [string, EpcisDocument][] = [
  ["epcis-pack.jsonld", epcisDocument(history, { masterData })],
  [
    "epcis-manufacturer.jsonld",
    epcisDocument(
      await loadJourney(
        index,
        { kind: "actor", participantId: await participantRef(index, manufacturer.address) },
        chainId,
      ),
      { masterData },
    ),
  ],
  [
    "epcis-all.jsonld",
    epcisDocument(await loadJourney(index, { kind: "range", from: 0, to: await now() }, chainId), { masterData }),
  ],
];
for (const [name, document] of exports) {
  validateEpcis(document);
  for (const gap of gdstGaps(document)) tell.detail(`warning: ${gap}`);
  const epcisFile = path.join(outDir, name);
  await writeFile(epcisFile, JSON.stringify(document, null, 2) + "\n");
  tell.step(
    `EPCIS 2.0 + GDST 1.2 document: ${document.epcisBody.eventList.length} events, valid (epcis2.js) → ${epcisFile}`,
  );
}
const everything = await loadJourney(index, { kind: "range", from: 0, to: await now() }, chainId);
const { rows, warnings } = fsmaExport(everything, masterData);
for (const warning of warnings) tell.detail(`warning: ${warning}`);
const fsmaFile = path.join(outDir, "fsma-204.xlsx");
await writeFsma(rows, fsmaFile);
await writeFsma(rows, fsmaFile.replace(/\.xlsx$/, ".csv"));
tell.step(
  `FSMA 204 sortable spreadsheet: ${rows.length} Critical Tracking Events of ` +
    `${new Set(rows.map((r) => r["Traceability Lot Code"])).size} traceability lots → ${fsmaFile} (and .csv)`,
);
await index.close();

// ------------------------------------------------------------------------------------------ summary
tell.section("Summary per stage (all species)");
for (const name of STAGE_NAMES) {
  const stage = fishTrace[name];
  let available = { lots: 0n, grams: 0n };
  let supplied = { lots: 0n, grams: 0n };
  for (const s of DEMO_SPECIES) {
    const a = await stage.totalAvailableFish(speciesCode(s.code));
    const b = await stage.totalSuppliedFish(speciesCode(s.code));
    available = { lots: available.lots + a.lots, grams: available.grams + a.grams };
    supplied = { lots: supplied.lots + b.lots, grams: supplied.grams + b.grams };
  }
  const selling = SELLING_STAGES.find((s) => s === name);
  const book = selling === undefined ? undefined : fishTrace[selling];
  const orders =
    book === undefined
      ? ""
      : `  ${await book.orderCount()} order(s), escrow ${amountText(await book.escrowBalance(), settlement)}`;
  console.log(
    `  ${name.padEnd(13)} available ${available.lots} lot(s) ${formatGrams(available.grams).padEnd(8)} ` +
      `supplied ${supplied.lots} lot(s) ${formatGrams(supplied.grams).padEnd(8)}${orders}`.trimEnd(),
  );
}
const recalledFlags = flagsText((await retailerStage.getLot(packB)).flags);
console.log(`  ${labelB} at the retailer: ${recalledFlags}`);
for (const { account, balance: startBalance } of startBalances) {
  const balance = await ethers.provider.getBalance(account);
  const change = balance - startBalance;
  const name = await participantName(registry, (await registry.authorization(account)).id);
  const funded = startTokens.get(account.address);
  const token =
    settlement.token === undefined || funded === undefined
      ? undefined
      : await FishTraceUSD__factory.connect(settlement.token, ethers.provider).balanceOf(account);
  const tokens =
    token === undefined || funded === undefined
      ? ""
      : `; ${amountText(token, settlement)} (${token >= funded ? "+" : ""}${amountText(token - funded, settlement)} since funded)`;
  console.log(
    `  ${name.padEnd(22)} balance ${ether(balance, 4)} ` +
      `(${change >= 0n ? "+" : ""}${ether(change, 6)} since the start, gas paid)${tokens}`,
  );
}
if (seeding.stack !== undefined) {
  await finishStackSeed(seeding.stack, { fishTrace, cast: roles, signers, packs, catches: caught }, networkHelpers);
}
const { gas, transactions: count } = tell.totals();
console.log(`  ${count} transactions, ${thousands(gas)} gas in all`);
console.log("");
console.log("Time per part of the story:");
for (const { title, seconds } of tell.phases()) {
  const short = title.length > 72 ? `${title.slice(0, 71)}…` : title;
  console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${short}`);
}
console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
