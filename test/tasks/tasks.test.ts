/**
 * The FishTrace tasks, run in-process through `hre.tasks` against the network they connect to themselves
 * (`hre.network.getOrCreate()`, the in-process network here), plus one run of the real CLI for the process-level
 * promise: a bad argument prints one `error:` line, no stack trace, and exits with code 1.
 *
 * The tests share one chain and build on each other: a catch is sold to the Supplier, then cod goes through every
 * stage to a customer who verifies its provenance, then recalls block what they must.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import hre from "hardhat";

import { lotNumberBytes, productLotId } from "../../src/core/digital-link.js";
import { Harvester__factory, Manufacturer__factory, Supplier__factory } from "../../typechain-types/index.js";
import { ACCOUNTS, CATCH, enrolDemoCast, ok, runTask, type TaskArgs } from "../helpers/task-run.js";

type Args = TaskArgs;

/**
 * Runs a task that must fail, and checks the one-line error contract; returns that line. Stricter than the shared
 * `fails` of test/helpers/task-run.ts: these tasks' errors name no times, so any "at …:n:n" counts as a stack frame.
 */
async function fails(id: string[], args: Args): Promise<string> {
  const run = await runTask(id, args);
  expect(run.exitCode).to.equal(1);
  expect(run.result).to.have.property("success", false);
  expect(run.err).to.have.length(1);
  expect(run.err[0]).to.match(/^error: /);
  expect(run.err[0]).to.not.match(/\n|\s+at\s.+:\d+:\d+/);
  return run.err[0]!;
}

/** Places, ships, confirms and acknowledges an order in `stage`'s book; returns the order number. */
async function sale(stage: string, terms: Args, lots: string): Promise<string> {
  const placed = await ok(["order", "place"], { stage, species: "COD", ...terms });
  const order = String((placed.value as { orderId: bigint }).orderId);
  await ok(["order", "ship"], { stage, order, lots });
  await ok(["order", "confirm"], { stage, order });
  await ok(["order", "acknowledge"], { stage, order });
  return order;
}

const GTIN_A = "07038010123450";
const GTIN_B = "07038010123467";
const LINK_A = `https://id.gs1.org/01/${GTIN_A}/10/L1`;
const LINK_B = `https://id.gs1.org/01/${GTIN_B}/10/L2`;
const PACK_A = productLotId(BigInt(GTIN_A), "L1");
const PACK_B = productLotId(BigInt(GTIN_B), "L2");

describe("tasks", function () {
  let addresses: Record<string, string>;

  before(async function () {
    const deployed = await ok(["deploy"]);
    expect(deployed.text).to.match(/Registry {5}0x[0-9a-fA-F]{40}/);
    expect(deployed.text).to.match(/Customer {5}0x[0-9a-fA-F]{40}/);
    expect(deployed.text).to.match(
      /deploy Manufacturer at 0x[0-9a-fA-F]{40}: tx 0x[0-9a-f]{64}, block \d+, gas [\d,]+/,
    );
    expect(deployed.text).to.match(/Retailer\.setNextStage\(Customer\): tx 0x/);
    expect(deployed.text).to.match(/Packing {6}0x[0-9a-fA-F]{40}/);
    expect(deployed.text).to.match(/deploy Packing at 0x[0-9a-fA-F]{40}: tx 0x/);
    addresses = deployed.value as Record<string, string>;
    expect(Object.keys(addresses)).to.deep.equal([
      "registry",
      "harvester",
      "supplier",
      "manufacturer",
      "distributor",
      "retailer",
      "customer",
      "qualityLedger",
      "packing",
    ]);

    const { added } = await enrolDemoCast();
    expect(added).to.have.length(7);
    for (const { participant: p, text } of added) {
      expect(text).to.match(new RegExp(`^${p.name} \\(#\\d+, 0x.+\\) now holds ${p.role}`));
    }
    expect((await ok(["device", "add"], { address: "3", role: "sensor-gateway", operator: "1" })).text).to.match(
      /is a SENSOR_GATEWAY of MV Nordkapp/,
    );
    expect((await ok(["species", "add"], { code: "COD", name: "Atlantic cod" })).text).to.match(
      /^species COD \(Atlantic cod\) listed\n {2}tx 0x[0-9a-f]{64}, block \d+, gas [\d,]+$/,
    );
  });

  it("drives a catch from registration to payment", async function () {
    const lot1 = await ok(["harvester", "register"], { ...CATCH, weight: "250kg" });
    expect(lot1.text).to.match(/^lot 1 registered: COD \(Atlantic cod\), 250 kg, fresh, wild-caught\n/);
    expect(lot1.text).to.include("at 68.93512° N, 15.0221° E, area 27.2.a, vessel IMO9241061, gear OTB");
    expect(lot1.text).to.include("custodian MV Nordkapp (#2, ");
    await ok(["harvester", "register"], { ...CATCH, weight: "0.18t", caughtAt: "2026-01-02T03:04:05Z" });

    const reading = await ok(["lot", "update"], { lot: "1", temp: "1.8", humidity: "85" });
    expect(reading.value).to.deep.equal({ stage: "harvester", lotId: 1n, excursion: false });
    const warm = await ok(["lot", "update"], { lot: "2", temp: "6.5", humidity: "80", from: "3" });
    expect(warm.text).to.include("cold-chain excursion: 6.5 °C is outside the cold-chain band 0..4 °C");

    const query = await ok(["lot", "query"], { lot: "2" });
    expect(query.text).to.match(/^lot 2 at the harvester stage: COD \(Atlantic cod\), 180 kg, Created\n/);
    expect(query.text).to.include("caught       2026-01-02T03:04:05Z");
    expect(query.text).to.include("flags        EXCURSION");
    expect(query.text).to.match(/latest status\n {2}.+: 6\.5 °C, 80 %/);
    expect(query.text).to.include("not scanned yet");

    // Seller and buyer default to the first accounts holding HARVESTER and SUPPLIER.
    const order = await ok(["order", "place"], { species: "COD", weight: "400kg", price: "2.5", ackWindow: "36h" });
    expect(order.text).to.match(
      /^harvester order 1 placed by Bodø Fish Receiving .+ at least 400 kg of COD \(Atlantic cod\) from MV Nordkapp/,
    );
    expect(order.text).to.include("2.5 ETH in escrow");
    expect((await ok(["order", "ship"], { order: "1", shipment: "1001", lots: "1,2" })).text).to.match(
      /^harvester order 1 shipped as shipment 1001: lots 1, 2 \(430 kg\) to Bodø Fish Receiving/,
    );
    await ok(["order", "confirm"], { order: "1" });

    // The buyer passes only the order: the shipment number and lots come from the ShipmentInitiated event.
    const ack = await ok(["order", "acknowledge"], { order: "1" });
    expect(ack.text).to.match(
      /^harvester order 1 acknowledged: lots 1, 2 passed to Bodø Fish Receiving .+ at the supplier stage/,
    );
    const paid = await ok(["order", "withdraw"], { order: "1" });
    expect(paid.text).to.match(/^harvester order 1: price of 2\.5 ETH paid to MV Nordkapp/);
    expect(paid.text).to.include("escrow left in the harvester contract 0 ETH");

    const totals = await ok(["lot", "totals"], {});
    expect(totals.text).to.match(
      /^harvester stage\n {2}COD \(Atlantic cod\)\n {4}available {2}0 lots, 0 g.*\n {4}supplied {3}2 lots, 430 kg/,
    );
    const supplierTotals = await ok(["lot", "totals"], { stage: "supplier" });
    expect(supplierTotals.text).to.match(/available {2}2 lots, 430 kg/);
    const shown = await ok(["order", "show"], { order: "1" });
    expect(shown.text).to.match(/^harvester order 1: Paid\n/);
    expect(shown.text).to.include("shipment  1001: lots 1, 2 (430 kg)");

    // At the Harvester the lot is Supplied and still names the vessel; at the Supplier it is the buyer's.
    const atHarvester = await ok(["lot", "query"], { lot: "1" });
    expect(atHarvester.text).to.match(/^lot 1 at the harvester stage: .+, Supplied\n {2}held here by MV Nordkapp/);
    const atSupplier = await ok(["lot", "query"], { stage: "supplier", lot: "1" });
    expect(atSupplier.text).to.match(/^lot 1 at the supplier stage: .+, Created\n {2}custodian {4}Bodø Fish Receiving/);
    expect(atSupplier.text).to.include("received     under harvester order 1");

    // The other stages are found from --registry or --harvester along each stage's nextStage.
    for (const given of [{ registry: addresses.registry! }, { harvester: addresses.harvester! }] as Args[]) {
      expect((await ok(["lot", "totals"], { stage: "customer", ...given })).text).to.match(/^customer stage\n/);
    }
    expect(await fails(["lot", "totals"], { harvester: addresses.supplier! })).to.equal(
      `error: --harvester: ${addresses.supplier} is not a FishTrace harvester contract`,
    );

    const { ethers } = await hre.network.getOrCreate();
    expect((await Harvester__factory.connect(addresses.harvester!, ethers.provider).getLot(1n)).custodianId).to.equal(
      2n,
    );
    expect((await Supplier__factory.connect(addresses.supplier!, ethers.provider).getLot(1n)).custodianId).to.equal(3n);
  });

  it("prints one error line naming a bad argument, before touching the chain", async function () {
    expect(await fails(["harvester", "register"], { ...CATCH, weight: "abc" })).to.equal(
      'error: weight "abc" is not a weight (e.g. 250kg, 1.2t, 900g)',
    );
    expect(await fails(["harvester", "register"], { ...CATCH, species: "CODX", weight: "1kg" })).to.equal(
      'error: species "CODX" is not an FAO 3-alpha code (three letters, e.g. COD)',
    );
    expect(await fails(["harvester", "register"], { ...CATCH, lat: "95", weight: "1kg" })).to.equal(
      "error: latitude 95 is outside -90..90 degrees",
    );
    expect(await fails(["harvester", "register"], { ...CATCH })).to.equal("error: --weight is required");
    expect(await fails(["order", "place"], { species: "COD", weight: "1kg", price: "two" })).to.equal(
      'error: price "two" is not an amount of ETH (e.g. 1.5)',
    );
    expect(await fails(["lot", "remove"], { lot: "1", reason: "stolen" })).to.equal(
      'error: reason "stolen" is not one of discarded, consumed, sold, lost, other',
    );
    expect(await fails(["lot", "query"], { lot: "1", from: "99" })).to.match(
      /^error: --from 99 is not an account index/,
    );
  });

  it("rejects an unknown --stage, and a stage that cannot do what is asked", async function () {
    expect(await fails(["lot", "query"], { stage: "fishmonger", lot: "1" })).to.equal(
      'error: --stage "fishmonger" is not one of harvester, supplier, manufacturer, distributor, retailer, customer',
    );
    expect(await fails(["order", "place"], { stage: "customer", species: "COD", weight: "1kg", price: "1" })).to.equal(
      "error: --stage customer sells nothing on; give the seller's stage: harvester, supplier, manufacturer, " +
        "distributor, retailer",
    );
    expect(await fails(["order", "show"], { stage: "wholesaler", order: "1" })).to.equal(
      'error: --stage "wholesaler" is not one of harvester, supplier, manufacturer, distributor, retailer',
    );
  });

  it("parses --inputs, --outputs and lot references strictly", async function () {
    const processWith = (inputs: string, outputs: string) => fails(["manufacturer", "process"], { inputs, outputs });
    const good = `${GTIN_A}:L1:1kg`;

    // GTINs must carry their GS1 check digit (07312345678903 should end in 9).
    expect(await processWith("1", "07312345678903:L1:1kg")).to.equal(
      'error: --outputs item 1 "07312345678903:L1:1kg": GTIN "07312345678903" has check digit 3, but its other ' +
        "digits give 9",
    );
    expect(await processWith("1", `${good},123:L2:1kg`)).to.equal(
      'error: --outputs item 2 "123:L2:1kg": GTIN "123" is not a GTIN (8, 12, 13 or 14 digits)',
    );
    expect(await processWith("1", `${GTIN_A}:L1`)).to.equal(
      `error: --outputs item 1 "${GTIN_A}:L1" is not GTIN:LOT:WEIGHT[:frozen] (e.g. 07038010123450:L2026-001:20kg:frozen)`,
    );
    expect(await processWith("1", `${GTIN_A}:L1:1kg:chilled`)).to.equal(
      `error: --outputs item 1 "${GTIN_A}:L1:1kg:chilled": product form "chilled" is not frozen or fresh`,
    );
    expect(await processWith("1", `${GTIN_A}:L/1:1kg`)).to.equal(
      `error: --outputs item 1 "${GTIN_A}:L/1:1kg": lot number "L/1" is not 1 to 20 letters, digits, ".", "_" or "-"`,
    );
    expect(await processWith("1", `${GTIN_A}:L1:heavy`)).to.equal(
      `error: --outputs item 1 "${GTIN_A}:L1:heavy": weight "heavy" is not a weight (e.g. 250kg, 1.2t, 900g)`,
    );
    expect(await processWith("1", `${good},${GTIN_A}:L1:2kg`)).to.equal(
      "error: --outputs items 1 and 2 are the same product lot",
    );
    expect(await processWith("1:50", good)).to.equal(
      'error: --inputs item 1 "1:50": "50" is not a weight with its unit (e.g. 50kg, 800g, 1.2t)',
    );
    expect(await processWith("1,,2", good)).to.equal(
      "error: --inputs item 2 is empty (items are separated by single commas)",
    );
    expect(await processWith("cod", good)).to.match(/^error: --inputs item 1 "cod": lot "cod" is not a lot id, a GS1/);
    expect(await processWith("1:5kg,1", good)).to.equal("error: --inputs items 1 and 2 are the same lot");
    expect(await processWith("", good)).to.equal("error: --inputs is required");

    expect(await fails(["customer", "verify"], { lot: "https://id.gs1.org/01/123/10/L1" })).to.equal(
      'error: lot "https://id.gs1.org/01/123/10/L1": the GTIN after /01/ must be 14 digits',
    );
    expect(await fails(["customer", "verify"], { lot: `${LINK_A}/21/serial` })).to.match(
      /^error: lot ".+" is not a GS1 Digital Link of a lot/,
    );
    expect(await fails(["order", "ship"], { order: "1", lots: "1,2,1" })).to.equal(
      "error: --lots lists lot 1 more than once",
    );
    const dispatch = { order: "1", lots: "1", origin: "A", destination: "B", vehicle: "V" };
    expect(await fails(["distributor", "dispatch"], { ...dispatch, mode: "boat" })).to.equal(
      'error: mode "boat" is not one of road, rail, sea, air',
    );
    expect(await fails(["customer", "report"], { lot: LINK_A, reason: "smelly" })).to.equal(
      'error: reason "smelly" is not one of spoiled, wrong-species, illness, packaging, other',
    );
  });

  it("prints a revert as its decoded custom error", async function () {
    await ok(["harvester", "register"], { ...CATCH, weight: "5kg" });
    // Lot 1 left the Harvester: it is Supplied there, still recorded under the vessel.
    expect(await fails(["lot", "remove"], { lot: "1", reason: "sold" })).to.equal(
      "error: LotInvalidStatus: lot 1 is Supplied, but this needs it Created",
    );
    expect(await fails(["harvester", "register"], { ...CATCH, species: "HAD", weight: "1kg" })).to.equal(
      "error: StageSpeciesNotListed: species HAD is not on the registry's species list",
    );
    const supplier = (await (await hre.network.getOrCreate()).ethers.getSigners())[2]!;
    expect(await fails(["lot", "update"], { lot: "3", temp: "2", humidity: "80", from: "2" })).to.equal(
      `error: StageUnauthorized: account ${supplier.address} is not HARVESTER or SENSOR_GATEWAY in the registry`,
    );
    expect(await fails(["order", "acknowledge"], { order: "7" })).to.equal("error: order 7 does not exist");
    expect(await fails(["lot", "query"], { stage: "retailer", lot: "1" })).to.equal(
      "error: LotNotFound: lot 1 does not exist at this stage",
    );
    // A product lot is named as typed, not by its 64-digit hashed id.
    for (const lot of ["07038010123450:L-NOPE", "https://id.gs1.org/01/07038010123450/10/L-NOPE"]) {
      expect(await fails(["lot", "query"], { stage: "retailer", lot })).to.equal(
        `error: LotNotFound: lot ${lot} does not exist at this stage`,
      );
    }
  });

  it("rejects, cancels and claims, taking the shipment from the order's events", async function () {
    const { networkHelpers } = await hre.network.getOrCreate();
    await ok(["order", "place"], { species: "COD", weight: "5kg", price: "0.1", shipBy: "1h" });
    await ok(["order", "ship"], { order: "2", lots: "3" });
    const rejected = await ok(["order", "reject"], { order: "2", reason: "too warm on arrival" });
    expect(rejected.text).to.match(
      /^harvester order 2 rejected \("too warm on arrival"\): lot 3 back in the inventory of MV Nordkapp/,
    );
    expect((await ok(["order", "withdraw"], { order: "2" })).text).to.match(
      /^harvester order 2: refund of 0\.1 ETH paid to Bodø/,
    );

    await ok(["order", "place"], { species: "COD", weight: "5kg", price: "0.1", shipBy: "1h" });
    // The buyer may not walk away before the ship-by time; by default the seller (who may decline) cancels.
    expect(await fails(["order", "cancel"], { order: "3", from: String(ACCOUNTS.supplier) })).to.match(
      /^error: OrderDeadlineNotReached: order 3: allowed only after /,
    );
    expect((await ok(["order", "cancel"], { order: "3" })).text).to.match(
      /^harvester order 3 cancelled by MV Nordkapp/,
    );

    await ok(["order", "place"], { species: "COD", weight: "5kg", price: "0.1", ackWindow: "1h" });
    await ok(["order", "ship"], { order: "4", lots: "3" });
    await ok(["order", "confirm"], { order: "4" });
    expect(await fails(["order", "claim"], { order: "4" })).to.match(/^error: OrderDeadlineNotReached: order 4/);
    // The seller confirmed: the buyer's hour plus 7 days to dispute the arrival (audit F6).
    await networkHelpers.time.increase(7 * 86_400 + 3_601);
    expect((await ok(["order", "claim"], { order: "4" })).text).to.match(
      /^harvester order 4 acknowledged for the buyer, whose deadline passed: lot 3 passed to Bodø .+ at the supplier stage/,
    );
  });

  it("takes cod through all six stages to a customer who verifies its provenance", async function () {
    // Supplier: a cold-store reading by the custodian (the default signer), then a sale to the Manufacturer.
    const cold = await ok(["lot", "update"], { stage: "supplier", lot: "1", temp: "0.8", humidity: "92" });
    expect(cold.text).to.match(/^lot 1 at the supplier stage, reading at .+: 0\.8 °C, 92 %/);
    const supplierOrder = await sale("supplier", { weight: "400kg", price: "1" }, "1,2");
    expect(supplierOrder).to.equal("1");
    const atManufacturer = await ok(["lot", "query"], { stage: "manufacturer", lot: "2" });
    expect(atManufacturer.text).to.match(/custodian {4}Lofoten Fillet AS/);

    // Manufacturer: 2 kg of lot 1 and 500 g of lot 2 become two packs.
    const processed = await ok(["manufacturer", "process"], {
      inputs: "1:2kg,2:500g",
      outputs: `${GTIN_A}:L1:400g,${GTIN_B}:L2:500g:frozen`,
    });
    const { productLotIds, links } = processed.value as { productLotIds: bigint[]; links: string[] };
    expect(productLotIds).to.deep.equal([PACK_A, PACK_B]);
    expect(links).to.deep.equal([LINK_A, LINK_B]);
    const { ethers } = await hre.network.getOrCreate();
    const manufacturer = Manufacturer__factory.connect(addresses.manufacturer!, ethers.provider);
    expect(await manufacturer.productLotId(BigInt(GTIN_A), lotNumberBytes("L1"))).to.equal(PACK_A);
    expect(processed.text).to.match(
      /^process 1 by Lofoten Fillet AS .+: 2\.5 kg of COD \(Atlantic cod\) into 2 product lots, 900 g \(yield 36\.0 %\)\n/,
    );
    expect(processed.text).to.include(
      "  in   lot 1: 2 kg taken, 248 kg left\n  in   lot 2: 500 g taken, 179.5 kg left",
    );
    expect(processed.text).to.include(`  out  (01)${GTIN_A}(10)L1  400 g fresh  lot id 0x`);
    expect(processed.text).to.include(`  out  (01)${GTIN_B}(10)L2  500 g frozen  lot id 0x`);
    expect(processed.text).to.include(`       ${LINK_B}\n`);
    const pack = await ok(["lot", "query"], { stage: "manufacturer", lot: LINK_A });
    expect(pack.text).to.match(
      new RegExp(`^lot \\(01\\)${GTIN_A}\\(10\\)L1 at the manufacturer stage: .+, 400 g, Created`),
    );
    expect(pack.text).to.include("made         in process 1 from lots 1, 2");
    expect(pack.text).to.include(`link         ${LINK_A}`);
    expect(pack.text).to.include("flags        EXCURSION"); // inherited from lot 2

    // Manufacturer → Distributor: the packs named by GTIN:LOT and by Digital Link.
    await sale("manufacturer", { weight: "900g", price: "0.1" }, `${GTIN_A}:L1,${LINK_B}`);

    // Distributor → Retailer: dispatched with a route, arrival confirmed where it happened.
    await ok(["order", "place"], { stage: "distributor", species: "COD", weight: "900g", price: "0.2" });
    const dispatched = await ok(["distributor", "dispatch"], {
      order: "1",
      shipment: "4001",
      lots: `(01)${GTIN_A}(10)L1,${GTIN_B}:L2`,
      origin: "7080003000033",
      destination: "7080003000040",
      mode: "road",
      vehicle: "EL 12345",
    });
    expect(dispatched.text).to.match(
      new RegExp(
        `^distributor order 1 dispatched as shipment 4001: lots \\(01\\)${GTIN_A}\\(10\\)L1, \\(01\\)${GTIN_B}\\(10\\)L2 ` +
          "\\(900 g\\) to Tromsø Fiskehall",
      ),
    );
    expect(dispatched.text).to.include("route 7080003000033 → 7080003000040 by road, vehicle EL 12345");
    const arrived = await ok(["distributor", "arrive"], { order: "1", location: "7080003000040" });
    expect(arrived.text).to.match(/^distributor order 1 arrived at 7080003000040, confirmed by Tromsø Fiskehall/);
    expect((await ok(["order", "acknowledge"], { stage: "distributor", order: "1" })).text).to.match(
      /passed to Tromsø Fiskehall .+ at the retailer stage/,
    );

    // Retailer → Customer: one pack.
    await sale("retailer", { weight: "400g", price: "0.01" }, LINK_A);
    expect((await ok(["order", "withdraw"], { stage: "retailer", order: "1" })).text).to.match(
      /^retailer order 1: price of 0\.01 ETH paid to Tromsø Fiskehall/,
    );

    const verified = await ok(["customer", "verify"], { lot: LINK_A });
    const a = `(01)${GTIN_A}(10)L1`;
    expect(verified.text).to.equal(
      [
        `provenance of lot ${a} (${LINK_A}): 10 hops back to 2 catches`,
        `  customer lot ${a}: Kari Nordmann, Created, 400 g, flags EXCURSION`,
        `  └─ retailer lot ${a}: Tromsø Fiskehall, Supplied, 400 g, flags EXCURSION`,
        `     └─ distributor lot ${a}: Nordic Cold Logistics, Supplied, 400 g, flags EXCURSION`,
        `        └─ manufacturer lot ${a}: Lofoten Fillet AS, Supplied, 400 g, flags EXCURSION`,
        `           ├─ manufacturer lot 1: Lofoten Fillet AS, Created, 248 kg, flags none`,
        `           │  └─ supplier lot 1: Bodø Fish Receiving, Supplied, 250 kg, flags none`,
        `           │     └─ harvester lot 1: MV Nordkapp, Supplied, 250 kg, flags none`,
        `           └─ manufacturer lot 2: Lofoten Fillet AS, Created, 179.5 kg, flags EXCURSION`,
        `              └─ supplier lot 2: Bodø Fish Receiving, Supplied, 180 kg, flags EXCURSION`,
        `                 └─ harvester lot 2: MV Nordkapp, Supplied, 180 kg, flags EXCURSION`,
      ].join("\n"),
    );
    expect((verified.value as { catches: bigint[] }).catches).to.deep.equal([1n, 2n]);

    const reported = await ok(["customer", "report"], {
      lot: `${GTIN_A}:L1`,
      reason: "spoiled",
      detail: "smelled off when opened",
    });
    expect(reported.text).to.match(
      new RegExp(
        `^problem reported with lot \\(01\\)${GTIN_A}\\(10\\)L1 by Kari Nordmann .+: spoiled \\("smelled off when opened"\\)`,
      ),
    );
    expect(reported.text).to.include("flags now EXCURSION, PROBLEM_REPORTED");
    // Named as the user typed it, not as its 64-digit hashed id.
    expect(await fails(["customer", "verify"], { lot: LINK_B })).to.match(
      new RegExp(`^error: lot ${LINK_B.replace(/[.?]/g, "\\$&")} has not reached a customer`),
    );
  });

  it("blocks a recalled lot: no shipment, no acknowledgement, but the delivery can be rejected", async function () {
    // At the retailer: the second pack is recalled, and its sale is refused with the decoded error.
    const recalled = await ok(["lot", "recall"], { stage: "retailer", lots: LINK_B, reason: "Listeria in batch L2" });
    expect(recalled.text).to.match(
      new RegExp(
        `^recalled at the retailer stage by Food Safety Authority .+ \\("Listeria in batch L2"\\): lot \\(01\\)${GTIN_B}\\(10\\)L2`,
      ),
    );
    expect((await ok(["lot", "recall"], { stage: "retailer", lots: LINK_B, reason: "again" })).text).to.include(
      `recalled already: lot (01)${GTIN_B}(10)L2`,
    );
    expect((await ok(["lot", "query"], { stage: "retailer", lot: LINK_B })).text).to.include(
      "flags        FROZEN, EXCURSION, RECALLED",
    );
    await ok(["order", "place"], { stage: "retailer", species: "COD", weight: "500g", price: "0.01" });
    const blocked = await fails(["order", "ship"], { stage: "retailer", order: "2", lots: LINK_B });
    expect(blocked).to.match(/^error: LotIsRecalled: /);
    expect(blocked, "the pack named as typed").to.include(`lot ${LINK_B} `);
    expect(blocked).to.not.include(PACK_B.toString(16));
    // README's example, with the default signer (the seller, before the ship-by time).
    expect((await ok(["order", "cancel"], { stage: "retailer", order: "2" })).text).to.match(
      /^retailer order 2 cancelled by Tromsø Fiskehall/,
    );

    // At the harvester: a lot recalled in transit cannot be acknowledged, but the buyer can send it back.
    await ok(["harvester", "register"], { ...CATCH, weight: "10kg" });
    await ok(["order", "place"], { species: "COD", weight: "10kg", price: "0.3" });
    await ok(["order", "ship"], { order: "5", lots: "4" });
    await ok(["lot", "recall"], { lots: "4", reason: "suspected biotoxin" });
    await ok(["order", "confirm"], { order: "5" });
    expect(await fails(["order", "acknowledge"], { order: "5" })).to.match(/^error: LotIsRecalled: lot 4 /);
    expect((await ok(["order", "reject"], { order: "5", reason: "lot recalled" })).text).to.match(
      /^harvester order 5 rejected \("lot recalled"\): lot 4 back in the inventory of MV Nordkapp/,
    );
  });

  it("exits the CLI with code 1 and one error line, no stack trace", async function () {
    this.timeout(60_000);
    const hardhat = path.join(hre.config.paths.root, "node_modules", "hardhat", "dist", "src", "cli.js");
    const run = promisify(execFile)(
      process.execPath,
      [hardhat, "harvester", "register", "--species", "CODX", "--weight", "1kg", "--lat", "1", "--lon", "1"],
      { cwd: hre.config.paths.root, env: { ...process.env, CI: "true" } },
    );
    const failure: unknown = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).to.include({ code: 1 });
    const { stdout, stderr } = failure as { stdout: string; stderr: string };
    expect(stderr.trim().split("\n")).to.deep.equal([
      'error: species "CODX" is not an FAO 3-alpha code (three letters, e.g. COD)',
    ]);
    expect(stdout).to.equal("");
  });

  it("takes a below-zero value the two ways README gives, each reaching the task whole", async function () {
    this.timeout(60_000);
    const hardhat = path.join(hre.config.paths.root, "node_modules", "hardhat", "dist", "src", "cli.js");
    // After "=" with a typographic minus (no argument starts with a non-ASCII dash, which npx calls an error), or
    // quoted with a leading space. A bad suffix makes the task print the value it was given.
    for (const [args, value] of [
      [["--temp=−18.5x"], "-18.5x"],
      [["--temp", " -18.5x"], " -18.5x"],
    ] as const) {
      const failure: unknown = await promisify(execFile)(
        process.execPath,
        [hardhat, "lot", "update", "--lot", "1", ...args, "--humidity", "80"],
        { cwd: hre.config.paths.root, env: { ...process.env, CI: "true" } },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).to.include({ code: 1 });
      const { stderr } = failure as { stderr: string };
      expect(stderr.trim().split("\n")).to.deep.equal([`error: temperature "${value}" is not a number`]);
    }
  });
});
