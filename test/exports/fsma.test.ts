import { expect } from "chai";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Sql } from "../../src/index/db.js";
import { elementString } from "../../src/core/digital-link.js";
import {
  CTES,
  FSMA_COLUMNS,
  fsmaExport,
  fsmaRows,
  rowText,
  tlc,
  writeFsma,
  type Cte,
  type FsmaRow,
} from "../../src/exports/fsma.js";
import { loadJourney } from "../../src/index/journey.js";
import type { MasterData } from "../../src/exports/master-data.js";
import { CHAIN_ID, exportWorld, GLN, GTIN, LOT_NUMBER, LOTS, MASTER_DATA, T } from "../helpers/export-rows.js";
import { fails, ok } from "../helpers/task-run.js";
import { loadTraceWorld } from "../helpers/trace-world.js";

const LOINS = `(01)${GTIN.loins}(10)${LOT_NUMBER.loins}`;
const FILLETS = `(01)${GTIN.fillets}(10)${LOT_NUMBER.fillets}`;
const WILD = "FT-31337-1";
const FARMED = "FT-31337-2";
const at = (offset: number) => new Date((T + offset) * 1000).toISOString().replace(".000Z", "Z");

/**
 * The key data elements of each CTE, from the rule's text (21 CFR 1.1325–1.1350), as the spreadsheet's columns:
 * each must be a column and be filled for every row of its CTE. (The lot code, CTE and date are in every row.)
 */
const RULE_KDES: Record<Cte, { rule: string; kdes: string[] }> = {
  Harvesting: {
    rule: "§1.1325(a): subsequent recipient, commodity, quantity and unit, farm, container, harvest date, reference document",
    kdes: [
      "Immediate Subsequent Recipient Location Description",
      "Product Description",
      "Quantity",
      "Unit of Measure",
      "Location Description",
      "Harvest Location Description",
      "Harvest Date Range Start",
      "Reference Document Type",
      "Reference Document Number",
    ],
  },
  Cooling: {
    rule: "§1.1325(b): commodity, quantity and unit, where cooled, date cooled, farm, subsequent recipient, reference",
    kdes: [
      "Product Description",
      "Quantity",
      "Unit of Measure",
      "Location Description",
      "Event Date",
      "Harvest Location Description",
      "Immediate Subsequent Recipient Location Description",
      "Reference Document Type",
      "Reference Document Number",
    ],
  },
  "Initial Packing": {
    rule:
      "§1.1330(a): commodity received, date received, quantity received, farm, harvester's business name and phone, " +
      "harvest date, where and when cooled, TLC, packed product, quantity, where packed (TLC source), date, reference",
    kdes: [
      "Date Received",
      "Quantity Received",
      "Harvest Location Description",
      "Harvester Business Name",
      "Harvester Phone Number",
      "Harvest Date Range Start",
      "Cooling Location Description",
      "Cooling Date",
      "Product Description",
      "Quantity",
      "Unit of Measure",
      "Traceability Lot Code Source",
      "Event Date",
      "Reference Document Type",
      "Reference Document Number",
    ],
  },
  "First Land-Based Receiving": {
    rule: "§1.1335: TLC, species, quantity and unit, harvest date range and locations of the trip, TLC source, landing date, reference",
    kdes: [
      "Product Description",
      "Quantity",
      "Unit of Measure",
      "Harvest Date Range Start",
      "Harvest Date Range End",
      "Harvest Location Description",
      "Traceability Lot Code Source",
      "Landing Date",
      "Reference Document Type",
      "Reference Document Number",
    ],
  },
  Shipping: {
    rule: "§1.1340(a): TLC, quantity and unit, product, subsequent recipient, where shipped from, date, TLC source, reference",
    kdes: [
      "Quantity",
      "Unit of Measure",
      "Product Description",
      "Immediate Subsequent Recipient Location Description",
      "Location Description",
      "Event Date",
      "Traceability Lot Code Source",
      "Reference Document Type",
      "Reference Document Number",
    ],
  },
  Receiving: {
    rule: "§1.1345(a): TLC, quantity and unit, product, previous source, where received, date, TLC source, reference",
    kdes: [
      "Quantity",
      "Unit of Measure",
      "Product Description",
      "Immediate Previous Source Location Description",
      "Location Description",
      "Event Date",
      "Traceability Lot Code Source",
      "Reference Document Type",
      "Reference Document Number",
    ],
  },
  Transformation: {
    rule:
      "§1.1350(a): each input's TLC, product description, quantity and unit; the new TLC, where transformed (TLC " +
      "source), date, product, quantity and unit, reference",
    kdes: [
      "Input Traceability Lot Code",
      "Input Product Description",
      "Input Quantity",
      "Input Unit of Measure",
      "Location Description",
      "Traceability Lot Code Source",
      "Event Date",
      "Product Description",
      "Quantity",
      "Unit of Measure",
      "Reference Document Type",
      "Reference Document Number",
    ],
  },
};

/** Each lot code's CTEs in order. */
const ctesByCode = (rows: readonly FsmaRow[]): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r["Traceability Lot Code"]] ??= []).push(r.CTE);
  return out;
};

/** A sheet's rows as text cells (header first). */
function sheetText(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = [];
  sheet.eachRow((row) => {
    rows.push(
      FSMA_COLUMNS.map((_, i) => {
        const value = row.getCell(i + 1).value;
        return value === null || value === undefined ? "" : String(value);
      }),
    );
  });
  return rows;
}

const PACK: string[] = ["Transformation", "Transformation", "Shipping", "Receiving", "Shipping", "Receiving"];

describe("FSMA 204 sortable spreadsheet", function () {
  let index: Sql;
  let dir: string;
  let rows: FsmaRow[];
  let warnings: string[];

  before(async function () {
    ({ index } = await exportWorld());
    dir = await mkdtemp(join(tmpdir(), "fishtrace-fsma-"));
    ({ rows, warnings } = fsmaExport(
      await loadJourney(index, { kind: "range", from: 0, to: T + 10_000 }, CHAIN_ID),
      MASTER_DATA,
    ));
  });
  after(async function () {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("one row per CTE per TLC, sorted by TLC then date; no harvest-stage shipping or receiving before packing", function () {
    expect(ctesByCode(rows)).to.deep.equal({
      [LOINS]: PACK,
      [FILLETS]: PACK,
      [WILD]: ["First Land-Based Receiving", "Shipping", "Receiving"],
      [FARMED]: ["Harvesting", "Cooling", "Initial Packing", "Shipping", "Receiving"],
    });
    const codes = rows.map((r) => r["Traceability Lot Code"]);
    expect(codes).to.deep.equal([...codes].sort());
    // The harvester's shipment (1-1-1) and its receipt (1-1) are no CTE rows but the initial packing / landing.
    expect(rows.filter((r) => r["Reference Document Number"] === "1-1-1")).to.deep.equal([]);
    expect(rows.filter((r) => r["Reference Document Number"] === "1-1").map((r) => r.CTE)).to.have.members([
      "First Land-Based Receiving",
      "Initial Packing",
    ]);
    // No row for the retailer's sale to the consumer, nor for the customer's receipt.
    expect(rows.filter((r) => r["Reference Document Number"].startsWith("5-"))).to.deep.equal([]);
  });

  it("every KDE the rule asks of each CTE is a column, filled for every row (with master data), no warning", function () {
    expect(new Set(rows.map((r) => r.CTE))).to.deep.equal(new Set(CTES));
    for (const [cte, { rule, kdes }] of Object.entries(RULE_KDES)) {
      const cteRows = rows.filter((r) => r.CTE === cte);
      expect(cteRows, cte).to.not.be.empty;
      for (const kde of kdes) {
        expect(FSMA_COLUMNS, `${cte} ${kde} (${rule})`).to.include(kde);
        for (const row of cteRows) {
          expect(String(row[kde as keyof FsmaRow]), `${row["Traceability Lot Code"]} ${cte} ${kde}`).to.not.equal("");
        }
      }
    }
    expect(warnings).to.deep.equal([]);
  });

  it("the KDEs' values: trip dates, recipients, harvest location on cooling, inputs, business name, address, phone", function () {
    const byCte = (code: string, cte: Cte) => rows.find((r) => r["Traceability Lot Code"] === code && r.CTE === cte)!;
    const supplier = "Supplier AS; Kaia 2, Tromsø; +47 77 00 00 02";
    expect(byCte(WILD, "First Land-Based Receiving")).to.include({
      "Harvest Date Range Start": at(-3 * 86_400),
      "Harvest Date Range End": at(-1_800),
      "Harvest Location Description": "FAO 27.2.a (70.1, 20.5), vessel NO-123-TR",
      "Landing Date": at(300),
      "Location Description": supplier,
      "Traceability Lot Code Source": supplier,
    });
    expect(byCte(FARMED, "Harvesting")).to.include({ "Immediate Subsequent Recipient Location Description": supplier });
    const cooling = byCte(FARMED, "Cooling");
    expect(cooling["Immediate Subsequent Recipient Location Description"]).to.equal(supplier);
    expect(cooling["Harvest Location Description"]).to.match(/^Nordkapp Fiskeri AS; .*FAO 27\.2\.b \(69\.5, 18\)$/);
    expect(byCte(FARMED, "Initial Packing")).to.include({
      "Location Description": supplier,
      // The initial packer assigns the farmed lot's TLC (§1.1320).
      "Traceability Lot Code Source": supplier,
      "Harvester Business Name": "Nordkapp Fiskeri AS",
      "Harvester Phone Number": "+47 77 00 00 01",
      "Cooling Date": at(120),
      "Date Received": at(300),
      "Quantity Received": 300,
    });
    const inputs = rows.filter((r) => r["Traceability Lot Code"] === LOINS && r.CTE === "Transformation");
    expect(
      inputs.map((r) => [r["Input Traceability Lot Code"], r["Input Product Description"], r["Input Quantity"]]),
    ).to.deep.equal([
      [WILD, "COD, wild fresh catch", 450],
      [FARMED, "COD, farmed fresh catch", 270],
    ]);
    expect(inputs[0]).to.include({
      "Location Description": `Manufacturer AS; Fabrikkveien 3, Bodø; +47 75 00 00 03; GLN ${GLN.manufacturer}`,
      "Traceability Lot Code Source Reference": `urn:epc:id:pgln:${GLN.manufacturer.slice(0, 7)}.${GLN.manufacturer.slice(7, 12)}`,
    });
  });

  it("missing master data: the KDE is left empty and named in a one-line warning with the lot", async function () {
    const journey = await loadJourney(index, { kind: "range", from: 0, to: T + 10_000 }, CHAIN_ID);
    const harvester = MASTER_DATA.parties.get(GLN.harvester)!;
    const { phone: _, ...noPhone } = harvester;
    const lacking: MasterData = {
      ...MASTER_DATA,
      parties: new Map([...MASTER_DATA.parties, [GLN.harvester, noPhone]]),
    };
    const { rows: partial, warnings: found } = fsmaExport(journey, lacking);
    expect(partial.find((r) => r.CTE === "Initial Packing")!["Harvester Phone Number"]).to.equal("");
    expect(found).to.include(`lot ${FARMED}: Initial Packing Harvester Phone Number: none in master data`);
    expect(found).to.include(`lot ${FARMED}: Initial Packing Harvester Phone Number: empty`);
    expect(found).to.include(`lot ${FARMED}: Harvesting Location Description: no phone for harvester1 in master data`);
    const noTrip: MasterData = { ...MASTER_DATA, vessels: new Map() };
    expect(fsmaExport(journey, noTrip).warnings).to.include(
      `lot ${WILD}: First Land-Based Receiving Harvest Date Range: no trip of vessel NO-123-TR in master data holds the catch time`,
    );
    for (const w of found)
      expect(w)
        .to.match(/^lot \S+: /)
        .and.not.include("\n");
  });

  it("a lot's TLC: the GS1 element string of a pack, FT-chain-id of a catch", async function () {
    const journey = await loadJourney(index, { kind: "lot", lotId: LOTS.loins }, CHAIN_ID);
    expect(tlc(journey, LOTS.loins)).to.equal(elementString({ gtin: BigInt(GTIN.loins), lot: LOT_NUMBER.loins }));
    expect(tlc(journey, LOTS.wild)).to.equal(WILD);
    // The loins' history: both catches (all their rows) and the loins' rows, but not the fillets'.
    const codes = new Set(fsmaRows(journey).map((r) => r["Traceability Lot Code"]));
    expect([...codes]).to.deep.equal([LOINS, WILD, FARMED]);
  });

  it("XLSX: All + a sheet per CTE, exactly the columns, frozen header, autofilter; the CSV has the same rows", async function () {
    const xlsx = join(dir, "fsma.xlsx");
    const csv = join(dir, "fsma.csv");
    expect(await writeFsma(rows, xlsx)).to.equal("xlsx");
    expect(await writeFsma(rows, csv)).to.equal("csv");

    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    expect(book.worksheets.map((s) => s.name)).to.deep.equal(["All", ...CTES]);
    const all = book.getWorksheet("All")!;
    const [header, ...body] = sheetText(all);
    expect(header).to.deep.equal([...FSMA_COLUMNS]);
    expect(all.getRow(1).cellCount).to.equal(FSMA_COLUMNS.length);
    expect(body).to.deep.equal(rows.map(rowText));
    expect(all.views[0]).to.include({ state: "frozen", ySplit: 1 });
    expect(all.autoFilter).to.not.equal(undefined);
    expect(typeof all.getRow(2).getCell(FSMA_COLUMNS.indexOf("Quantity") + 1).value).to.equal("number");
    for (const cte of CTES) {
      const [h, ...cteRows] = sheetText(book.getWorksheet(cte)!);
      expect(h).to.deep.equal([...FSMA_COLUMNS]);
      expect(cteRows).to.deep.equal(body.filter((cells) => cells[0] === cte));
    }

    const parsed = parse(await readFile(csv, "utf8"), { relax_column_count: false }) as string[][];
    expect(parsed).to.deep.equal([header, ...body]);
  });

  describe("npx hardhat export fsma", function () {
    let db: string;
    before(async function () {
      db = join(dir, "index");
      const world = await exportWorld(db);
      await world.index.close();
    });

    it("writes a lot's rows as XLSX and a time range's as CSV, with master data", async function () {
      const xlsx = join(dir, "loins.xlsx");
      const { text, value } = await ok<FsmaRow[]>(["export", "fsma"], {
        link: `https://id.gs1.org/01/${GTIN.loins}/10/${LOT_NUMBER.loins}`,
        out: xlsx,
        db,
        noSync: true,
      });
      expect(text).to.match(/wrote .*loins\.xlsx: 14 CTE rows for 3 traceability lot codes/);
      // Without master data, each missing KDE is a warning line naming the lot.
      expect(text).to.match(/warning: lot FT-31337-2: Initial Packing Harvester Phone Number: none in master data/);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(xlsx);
      expect(sheetText(book.getWorksheet("All")!).slice(1)).to.deep.equal(value.map(rowText).map((r) => r.map(String)));

      const masterData = join(dir, "master.csv");
      await writeFile(masterData, "party,name,address,phone\nharvester1,Farm AS,Merdeveien 1,+47 1\n");
      const csv = join(dir, "range.csv");
      const { text: rangeText } = await ok(["export", "fsma"], {
        from: at(0),
        to: at(650),
        out: csv,
        masterData,
        db,
        noSync: true,
      });
      expect(rangeText).to.not.match(/Harvester Phone Number/);
      const parsed = parse(await readFile(csv, "utf8"), { columns: true }) as Record<string, string>[];
      expect(parsed.map((r) => [r.CTE, r["Traceability Lot Code"]])).to.deep.equal([
        ["First Land-Based Receiving", WILD],
        ["Shipping", WILD],
        ["Receiving", WILD],
        ["Harvesting", FARMED],
        ["Cooling", FARMED],
        ["Initial Packing", FARMED],
        ["Shipping", FARMED],
        ["Receiving", FARMED],
      ]);
      expect(parsed.find((r) => r.CTE === "Initial Packing")!["Harvester Phone Number"]).to.equal("+47 1");
      expect(
        await fails(["export", "fsma"], {
          from: at(0),
          to: at(650),
          out: csv,
          masterData: join(dir, "no.csv"),
          db,
          noSync: true,
        }),
      ).to.match(/no\.csv: no such file/);
    });

    it("fails in one line on bad options", async function () {
      const out = join(dir, "x.xlsx");
      expect(await fails(["export", "fsma"], { out, db, noSync: true })).to.match(/give what to export/);
      expect(await fails(["export", "fsma"], { lot: "1", out: join(dir, "x.pdf"), db, noSync: true })).to.match(
        /must end in \.xlsx or \.csv/,
      );
      expect(await fails(["export", "fsma"], { lot: "1", from: "2027-01-01", out, db, noSync: true })).to.match(
        /not lot and range/,
      );
      expect(await fails(["export", "fsma"], { link: "1", out, db, noSync: true })).to.match(/not a GS1 Digital Link/);
      // A folder that cannot be made: its parent is a file.
      await writeFile(join(dir, "a-file"), "");
      expect(
        await fails(["export", "fsma"], { lot: "1", out: join(dir, "a-file", "x.csv"), db, noSync: true }),
      ).to.match(/a-file\/x\.csv cannot be written: its folder cannot be made/);
    });

    it("makes the folders of --out on first use (a fresh clone has none)", async function () {
      const out = join(dir, "not", "yet", "there", "fsma.csv");
      await ok(["export", "fsma"], { lot: "1", out, db, noSync: true });
      expect((await readFile(out, "utf8")).split("\n")[0]).to.include("Traceability Lot Code");
    });
  });

  it("the indexed trace world: the loins' rows, from both catches' first receiving to the retailer", async function () {
    this.timeout(120_000);
    const tw = await loadTraceWorld();
    const journey = await loadJourney(tw.index, { kind: "lot", lotId: tw.packs.loins }, 31337n);
    const real = fsmaRows(journey);
    const loins = elementString({ gtin: tw.gtins.loins, lot: tw.lotNumber });
    const byCode = ctesByCode(real);
    expect(byCode[loins]).to.deep.equal(PACK);
    for (const lot of [tw.catches.a, tw.catches.b]) {
      expect(byCode[`FT-31337-${lot}`]).to.deep.equal(["First Land-Based Receiving", "Shipping", "Receiving"]);
    }
    const inputs = real.filter((r) => r.CTE === "Transformation" && r["Traceability Lot Code"] === loins);
    expect(inputs.map((r) => [r["Input Traceability Lot Code"], r["Input Quantity"]])).to.have.deep.members([
      [`FT-31337-${tw.catches.a}`, 300],
      [`FT-31337-${tw.catches.b}`, 50],
    ]);
    const codes = real.map((r) => r["Traceability Lot Code"]);
    expect(codes).to.deep.equal([...codes].sort());
  });
});
