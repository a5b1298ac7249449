/**
 * FishTrace from catch to payment on Hardhat's in-process network, told one line per step with the gas used:
 * deploy, enrol a vessel, a receiving station and the vessel's sensor gateway, list cod and haddock, register
 * three lots, record cold-chain readings (one excursion), sell cod to the Supplier with the price in escrow, ship,
 * confirm delivery, acknowledge (custody passes) and pay the seller.
 *
 *   npm run demo        (hardhat run scripts/demo.ts)
 */
import { network } from "hardhat";

import { catchData } from "../src/catch.js";
import { deployWithReport } from "../src/deploy.js";
import { bandText, celsius, duration, ether, flagsText, isoTime, position, thousands } from "../src/format.js";
import { participantName, speciesLabel } from "../src/labels.js";
import { DEMO_SPECIES, seedDemo } from "../src/seed.js";
import { story } from "../src/story.js";
import { eventIn, eventsIn, mined } from "../src/tx.js";
import { centiCelsius, formatGrams, grams, speciesCode } from "../src/units.js";
import { LOT_STATUS } from "../src/vocabulary.js";

const started = performance.now();
const HOUR = 3_600;

const connection = await network.getOrCreate();
const { ethers } = connection;
const [admin, vessel, supplier, gateway] = await ethers.getSigners();
if (admin === undefined || vessel === undefined || supplier === undefined || gateway === undefined) {
  throw new Error("the demo needs four accounts");
}
const startBalances = [vessel, supplier].map((a) => ethers.provider.getBalance(a));
const now = async () => (await ethers.provider.getBlock("latest"))!.timestamp;

const tell = story();
console.log(`FishTrace demo on Hardhat's in-process network (chain ${(await ethers.provider.getNetwork()).chainId})`);

// ------------------------------------------------------------------------------------------ deployment
tell.section("Deployment, through the Ignition module");
const { fishTrace, transactions } = await deployWithReport(connection);
const { registry, harvester } = fishTrace;
for (const { what, receipt } of transactions) tell.step(what, receipt);

// ------------------------------------------------------------------------------------------ registry
tell.section(`Registry: participants, devices and species, by the admin ${admin.address}`);
const cast = { vessel: vessel.address, supplier: supplier.address, gateway: gateway.address };
for (const { what, receipt } of await seedDemo(registry, cast)) tell.step(what, receipt);
const [vesselName, supplierName] = [
  await participantName(registry, (await registry.authorization(vessel)).id),
  await participantName(registry, (await registry.authorization(supplier)).id),
];

// ------------------------------------------------------------------------------------------ catch
tell.section(`At sea off Lofoten: ${vesselName} registers three lots`);
const asVessel = harvester.connect(vessel);
const landing = await now();
const catches = [
  { species: "COD", weight: "250kg", hoursAgo: 9, latitude: "68.93512N", longitude: "15.02210E" },
  { species: "COD", weight: "180kg", hoursAgo: 7, latitude: "68.88004N", longitude: "14.87311E" },
  { species: "HAD", weight: "120kg", hoursAgo: 6, latitude: "68.81420N", longitude: "14.70166E" },
];
const lotIds: bigint[] = [];
for (const { hoursAgo, ...declared } of catches) {
  const data = catchData({
    ...declared,
    caughtAt: landing - hoursAgo * HOUR,
    area: "27.2.a",
    vessel: "IMO9241061",
    gear: "OTB",
  });
  const receipt = await mined(asVessel.registerFish(data));
  const { lotId, catchData: c } = (await eventIn(harvester, harvester.filters.FishRegistered(), receipt)).args;
  lotIds.push(lotId);
  tell.step(
    `lot ${lotId}: ${await speciesLabel(registry, c.species)}, ${formatGrams(c.weightGrams)}, ` +
      `caught ${isoTime(c.caughtAt)} at ${position(c.latitude, c.longitude)}`,
    receipt,
  );
}
const [cod1, cod2, haddock] = lotIds as [bigint, bigint, bigint];

// ------------------------------------------------------------------------------------------ cold chain
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

// ------------------------------------------------------------------------------------------ sale
tell.section(`Sale: ${supplierName} buys cod, the price held in escrow`);
const asSupplier = harvester.connect(supplier);
const price = ethers.parseEther("2.5");
const ackWindow = 36 * HOUR;
const shipBy = (await now()) + 48 * HOUR;
const placed = await mined(
  asSupplier.placeOrder(vessel.address, speciesCode("COD"), grams("400kg"), shipBy, ackWindow, { value: price }),
);
const { orderId } = (await eventIn(harvester, harvester.filters.OrderPlaced(), placed)).args;
tell.step(`order ${orderId}: at least 400 kg of cod for ${ether(price)}, ship by ${isoTime(shipBy)}`, placed);
tell.detail(
  `escrow holds ${ether(await harvester.escrowBalance())}; ${duration(ackWindow)} to acknowledge once delivered`,
);

const shipmentNo = 1001n;
const shipped = await mined(asVessel.initiateShipment(orderId, shipmentNo, [cod1, cod2]));
const { weightGrams } = (await eventIn(harvester, harvester.filters.ShipmentInitiated(orderId), shipped)).args;
tell.step(
  `${vesselName} ships lots ${cod1} and ${cod2} (${formatGrams(weightGrams)}) as shipment ${shipmentNo}`,
  shipped,
);

const delivered = await mined(asSupplier.confirmDelivery(orderId));
const { ackDeadline } = (await eventIn(harvester, harvester.filters.DeliveryConfirmed(orderId), delivered)).args;
tell.step(`landed at Bodø: ${supplierName} confirms delivery`, delivered);
tell.detail(`acknowledge or reject by ${isoTime(ackDeadline)}`);

const acknowledged = await mined(asSupplier.acknowledge(orderId, shipmentNo, [cod1, cod2]));
const moved = await eventsIn(harvester, harvester.filters.CustodyTransferred(), acknowledged);
tell.step(
  `${supplierName} acknowledges: custody of lots ${moved.map((e) => e.args.lotId).join(", ")} passes to it`,
  acknowledged,
);

const withdrawn = await mined(asVessel.withdraw(orderId));
const { amount } = (await eventIn(harvester, harvester.filters.OrderPaid(orderId), withdrawn)).args;
tell.step(`${vesselName} withdraws the price, ${ether(amount)}, from escrow`, withdrawn);

// ------------------------------------------------------------------------------------------ summary
tell.section("Summary");
for (const s of DEMO_SPECIES) {
  const code = speciesCode(s.code);
  const available = await harvester.totalAvailableFish(code);
  const supplied = await harvester.totalSuppliedFish(code);
  console.log(
    `  ${(await speciesLabel(registry, code)).padEnd(20)} available ${available.lots} lot(s) ` +
      `${formatGrams(available.grams).padEnd(8)} supplied ${supplied.lots} lot(s) ${formatGrams(supplied.grams)}`,
  );
}
for (const lotId of lotIds) {
  const lot = await harvester.getLot(lotId);
  console.log(
    `  lot ${lotId}  ${LOT_STATUS[Number(lot.status)]!.padEnd(9)} held by ${(await participantName(registry, lot.custodianId)).padEnd(20)}` +
      ` flags ${flagsText(lot.flags)}`,
  );
}
console.log(`  escrow balance of the Harvester contract: ${ether(await harvester.escrowBalance())}`);
for (const [i, account] of [vessel, supplier].entries()) {
  const balance = await ethers.provider.getBalance(account);
  const change = balance - (await startBalances[i]!);
  console.log(
    `  ${[vesselName, supplierName][i]!.padEnd(20)} balance ${ether(balance, 4)} ` +
      `(${change >= 0n ? "+" : ""}${ether(change, 6)} since the start, gas paid)`,
  );
}
const { gas, transactions: count } = tell.totals();
console.log(`  ${count} transactions, ${thousands(gas)} gas in all`);
console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
