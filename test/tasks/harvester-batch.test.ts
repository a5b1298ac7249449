/**
 * `harvester register --file`, run in-process through `hre.tasks` like test/tasks/qat-receive.test.ts: a vessel's
 * catches, one a row of a CSV (or JSON) file, registered in one `registerFishBatch`. Every check reads the chain:
 * the lots, their words, the totals, and that a bad file sent nothing.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import { speciesCode } from "../../src/core/units.js";
import { Harvester__factory } from "../../typechain-types/index.js";
import { CATCH, enrolDemoCast, fails, ok } from "../helpers/task-run.js";

const HEADER = "species,weight,caughtAt,lat,lon,area,vessel,gear,farmed,frozen";

describe("harvester register --file: a vessel's catches in one transaction", function () {
  let dir: string;
  let addresses: Record<string, string>;

  const write = async (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    await writeFile(file, `${lines.join("\n")}\n`);
    return file;
  };

  async function harvester() {
    const { ethers } = await hre.network.getOrCreate();
    return Harvester__factory.connect(addresses.harvester!, ethers.provider);
  }

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "fishtrace-batch-"));
    await cp(path.join(process.cwd(), "examples"), path.join(dir, "examples"), { recursive: true });
    addresses = (await ok<Record<string, string>>(["deploy"])).value;
    await enrolDemoCast();
    await ok(["species", "add"], { code: "COD", name: "Atlantic cod" });
    await ok(["species", "add"], { code: "HAD", name: "Haddock" });
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("registers the example file's catches as consecutive lots and prints each lot id", async function () {
    const run = await ok<{ lotIds: bigint[] }>(["harvester", "register"], {
      file: path.join(dir, "examples", "catches.csv"),
    });
    expect(run.value.lotIds).to.deep.equal([1n, 2n, 3n, 4n]);
    const lines = run.text.split("\n");
    expect(lines[0]).to.match(
      /^lot 1 registered: COD \(Atlantic cod\), 320 kg, fresh, wild-caught \(.*catches\.csv line 5\)$/,
    );
    expect(lines[3]).to.match(/^lot 4 registered: COD \(Atlantic cod\), 410 kg, frozen, wild-caught \(.*line 8\)$/);
    expect(run.text).to.include("custodian MV Nordkapp (#2, ");
    expect(run.text).to.match(/4 lots in one transaction; tx 0x[0-9a-f]{64}, block \d+, gas [\d,]+$/);

    const stage = await harvester();
    const totals = await stage.totalAvailableFish(speciesCode("COD"));
    expect(totals.lots).to.equal(4n);
    expect(totals.grams).to.equal(1_145_000n);
    expect((await stage.getLot(4n)).latitude).to.equal(6_896_002n);
  });

  it("takes times, forms, hemisphere letters and a JSON file, as the single catch's options do", async function () {
    const csv = await write("mixed.csv", [
      HEADER,
      "HAD,90kg,2026-01-02T03:04:05Z,33.9S,5.5W,,,,yes,",
      "COD,1.2t,1767323045,68.9,15.1,27.2.a,IMO9241061,OTB,no,true",
    ]);
    const run = await ok<{ lotIds: bigint[] }>(["harvester", "register"], { file: csv });
    expect(run.value.lotIds).to.deep.equal([5n, 6n]);
    expect(run.text).to.include("lot 5 registered: HAD (Haddock), 90 kg, fresh, farmed");
    const stage = await harvester();
    const lot5 = await stage.getLot(5n);
    expect([lot5.latitude, lot5.longitude]).to.deep.equal([-3_390_000n, -550_000n]);

    const json = path.join(dir, "catches.json");
    await writeFile(json, JSON.stringify([{ species: "COD", weight: "2kg", lat: 60, lon: 5 }]));
    expect((await ok<{ lotIds: bigint[] }>(["harvester", "register"], { file: json })).value.lotIds).to.deep.equal([
      7n,
    ]);
  });

  it("names the file, line and field of a bad row, and sends nothing", async function () {
    const stage = await harvester();
    const before = await stage.totalAvailableFish(speciesCode("COD"));
    const bad = async (row: string) =>
      fails(["harvester", "register"], {
        file: await write("bad.csv", [HEADER, `${CATCH.species},1kg,,60,5,,,,,`, row]),
      });

    expect(await bad("COD,12,,60,5,,,,,")).to.match(
      /^error: .*bad\.csv line 3: weight "12" has no unit: write 12g, 12kg or 12t$/,
    );
    expect(await bad("COD,1kg,,95,5,,,,,")).to.match(
      /^error: .*bad\.csv line 3: latitude 95 is outside -90\.\.90 degrees$/,
    );
    expect(await bad("CODX,1kg,,60,5,,,,,")).to.match(/bad\.csv line 3: species "CODX" is not an FAO 3-alpha code/);
    expect(await bad("COD,1kg,,60,5,,,,maybe,")).to.match(/bad\.csv line 3: farmed "maybe" must be yes or no/);
    expect(await bad("COD,1kg,,60,5,27.2.a.too.long,,,,")).to.match(
      /bad\.csv line 3: catch area ".*" is longer than 8 bytes/,
    );
    const header = await write("header.csv", ["species,weight,lat,lon", "COD,1kg,60,5"]);
    expect(await fails(["harvester", "register"], { file: header })).to.match(
      /header\.csv line 1: no "caughtAt" column/,
    );
    expect(await fails(["harvester", "register"], { file: path.join(dir, "nothing.csv") })).to.match(
      /nothing\.csv: no such file$/,
    );
    expect(
      await fails(["harvester", "register"], { file: path.join(dir, "examples", "catches.csv"), species: "COD" }),
    ).to.equal("error: --file takes every catch from the file: leave out --species");

    const after = await stage.totalAvailableFish(speciesCode("COD"));
    expect(after.lots).to.equal(before.lots);
  });

  it("reports a catch the contract refuses by its index in the batch, and registers none of them", async function () {
    const csv = await write("unlisted.csv", [HEADER, "COD,1kg,,60,5,,,,,", "POK,1kg,,60,5,,,,,"]);
    expect(await fails(["harvester", "register"], { file: csv })).to.equal(
      "error: HarvesterCatchSpeciesNotListed: catch at index 1 of the batch: species POK is not on the registry's species list",
    );
    expect((await (await harvester()).getLot(8n)).status).to.equal(0n);
  });

  it("records lots transshipped at sea onto a carrier, and refuses another harvester's lots in one line", async function () {
    const run = await ok<{ lotIds: bigint[] }>(["harvester", "transship"], {
      lots: "1,2",
      carrier: "IMO9876543",
      lat: "70.5",
      lon: "10.25W",
    });
    expect(run.text).to.match(/^lots 1, 2 .*transshipped onto IMO9876543 at 70\.5.*10\.25.*\(2 lots\)\n {2}tx 0x/);
    const stage = await harvester();
    const moved = await stage.queryFilter(stage.filters.FishTransshipped());
    expect(moved.map((e) => e.args.lotId)).to.deep.equal([1n, 2n]);
    expect(moved[1]!.args.longitude).to.equal(-1_025_000n);
    expect((await stage.getLot(1n)).status).to.equal(1n); // still Created, still the harvester's

    // Indexed and exported as GDST's transshipment event (the export task validates the document with epcis2.js).
    const out = path.join(dir, "lot-1.jsonld");
    await ok(["export", "epcis"], { lot: "1", out });
    const doc = JSON.parse(await readFile(out, "utf8")) as { epcisBody: { eventList: Record<string, unknown>[] } };
    const events = doc.epcisBody.eventList.filter((e) => e.bizStep === "urn:gdst:bizStep:transshipment");
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ action: "OBSERVE", "fishtrace:carrierVessel": "IMO9876543" });
    expect(events[0]!.readPoint).to.deep.equal({ id: "geo:70.5,-10.25" });

    expect(await fails(["harvester", "transship"], { lots: "1", lat: "70", lon: "10" })).to.equal(
      "error: --carrier is required",
    );
    expect(
      await fails(["harvester", "transship"], { lots: "1", carrier: "IMO9876543", lat: "70", lon: "10", from: "2" }),
    ).to.match(/^error: StageUnauthorized: account 0x[0-9a-fA-F]{40} is not HARVESTER in the registry/);
    expect(
      await fails(["harvester", "transship"], {
        lots: "1",
        carrier: "IMO9876543",
        lat: "70",
        lon: "10",
        at: "2020-01-01",
      }),
    ).to.match(/HarvesterTransshippedBeforeCatch: lot 1 cannot have been transshipped at 2020-01-01T00:00:00\.000Z/);
  });
});
