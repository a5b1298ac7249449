import { expect } from "chai";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Sql } from "../indexer/db.js";
import { elementString } from "../src/digital-link.js";
import { CTES, FSMA_COLUMNS, fsmaRows, rowText, tlc, writeFsma, type FsmaRow } from "../src/export/fsma.js";
import { loadJourney } from "../src/export/journey.js";
import { CHAIN_ID, exportWorld, GLN, GTIN, LOT_NUMBER, LOTS, T } from "./export-rows.js";
import { fails, ok } from "./task-run.js";
import { loadTraceWorld } from "./trace-world.js";

const LOINS = `(01)${GTIN.loins}(10)${LOT_NUMBER.loins}`;
const FILLETS = `(01)${GTIN.fillets}(10)${LOT_NUMBER.fillets}`;
const WILD = "FT-31337-1";
const FARMED = "FT-31337-2";
const at = (offset: number) => new Date((T + offset) * 1000).toISOString().replace(".000Z", "Z");

const MANUFACTURER = `manufacturer1, ${GLN.manufacturer}`;
const DISTRIBUTOR = `distributor1, ${GLN.distributor}`;
const SUPPLIER = "supplier1, Supplier quay, Tromsø";
const HARVESTER = `harvester1, ${GLN.harvester}`;

/** CTE, TLC, quantity (kg), date, location, previous source, next recipient, input TLCs, reference document. */
type Expected = [string, string, number, string, string, string, string, string, string];
const pack = (code: string, kg: number): Expected[] => [
  ["Transformation", code, kg, at(700), MANUFACTURER, "", "", `${WILD} (450 kg); ${FARMED} (270 kg)`, "process 77"],
  ["Shipping", code, kg, at(900), MANUFACTURER, "", DISTRIBUTOR, "", "3-1-1"],
  ["Receiving", code, kg, at(1000), DISTRIBUTOR, MANUFACTURER, "", "", "3-1"],
  ["Shipping", code, kg, at(1200), DISTRIBUTOR, "", "Retailer Oslo", "", "4-1-1"],
  ["Receiving", code, kg, at(1400), "Retailer Oslo, dock 3", DISTRIBUTOR, "", "", "4-1"],
];
/** The fixture journey's rows, sorted by TLC then date ("(" sorts before "F"). */
const EXPECTED: Expected[] = (
  [
    ...pack(LOINS, 400),
    ...pack(FILLETS, 200),
    ["First land-based receiving", WILD, 500, at(300), SUPPLIER, HARVESTER, "", "", "1-1"],
    ["Shipping", WILD, 500, at(500), SUPPLIER, "", MANUFACTURER, "", "2-1-1"],
    ["Receiving", WILD, 500, at(600), MANUFACTURER, SUPPLIER, "", "", "2-1"],
    ["Harvesting", FARMED, 300, at(30), HARVESTER, "", "", "", "lot 2"],
    ["Cooling", FARMED, 300, at(120), HARVESTER, "", "", "", "1.5 °C at block 12"],
    ["Shipping", FARMED, 300, at(200), HARVESTER, "", SUPPLIER, "", "1-1-1"],
    ["Receiving", FARMED, 300, at(300), SUPPLIER, HARVESTER, "", "", "1-1"],
    ["Shipping", FARMED, 300, at(500), SUPPLIER, "", MANUFACTURER, "", "2-1-1"],
    ["Receiving", FARMED, 300, at(600), MANUFACTURER, SUPPLIER, "", "", "2-1"],
  ] as Expected[]
).sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));

const summary = (row: Record<string, unknown>): Expected => [
  String(row.CTE),
  String(row["Traceability Lot Code"]),
  Number(row.Quantity),
  String(row["Event Date"]),
  String(row["Event Location"]),
  String(row["Immediate Previous Source Location"]),
  String(row["Immediate Subsequent Recipient Location"]),
  String(row["Input TLCs"]),
  String(row["Reference Document Number"]),
];

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

const asRecord = (cells: string[]): Record<string, string> =>
  Object.fromEntries(FSMA_COLUMNS.map((c, i) => [c, cells[i] ?? ""]));

describe("FSMA 204 sortable spreadsheet", function () {
  let index: Sql;
  let dir: string;
  let rows: FsmaRow[];

  before(async function () {
    ({ index } = await exportWorld());
    dir = await mkdtemp(join(tmpdir(), "fishtrace-fsma-"));
    rows = fsmaRows(await loadJourney(index, { kind: "range", from: 0, to: T + 10_000 }, CHAIN_ID));
  });
  after(async function () {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("one row per CTE per TLC, sorted by TLC then date, with the CTE's key data", function () {
    expect(rows.map(summary)).to.deep.equal(EXPECTED);
    // Harvesting and cooling only for the farmed lot; the wild catch is first received on land by the supplier.
    const wild = rows.filter((r) => r["Traceability Lot Code"] === WILD);
    expect(wild.map((r) => r.CTE)).to.not.include.members(["Harvesting", "Cooling"]);
    const flbr = wild[0]!;
    expect(flbr).to.include({
      "TLC Source": SUPPLIER,
      "TLC Source Reference": `urn:fishtrace:${CHAIN_ID}:party:2`,
      "Harvest Date Range Start": at(-3600),
      "Harvest Date Range End": at(-3600),
      "Harvest Location": "FAO 27.2.a (70.1, 20.5)",
      "Landing Date": at(300),
      Vessel: "NO-123-TR",
      "Unit of Measure": "kg",
      "Reference Document Type": "Purchase order",
    });
    const transformation = rows.find((r) => r.CTE === "Transformation")!;
    expect(transformation).to.include({
      "TLC Source": MANUFACTURER,
      "TLC Source Reference": `https://id.gs1.org/417/${GLN.manufacturer}`,
      "Product Description": `COD, GTIN ${GTIN.loins} lot ${LOT_NUMBER.loins}`,
    });
    // No row for the retailer's sale to the consumer, nor for the customer's receipt.
    expect(rows.filter((r) => r["Reference Document Number"].startsWith("5-"))).to.deep.equal([]);
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
    expect(body.map((cells) => summary(asRecord(cells)))).to.deep.equal(EXPECTED);
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
    expect(parsed.slice(1)).to.deep.equal(rows.map(rowText));
  });

  describe("npx hardhat export fsma", function () {
    let db: string;
    before(async function () {
      db = join(dir, "index");
      const world = await exportWorld(db);
      await world.index.close();
    });

    it("writes a lot's rows as XLSX and a time range's as CSV", async function () {
      const xlsx = join(dir, "loins.xlsx");
      const { text, value } = await ok<FsmaRow[]>(["export", "fsma"], {
        link: `https://id.gs1.org/01/${GTIN.loins}/10/${LOT_NUMBER.loins}`,
        out: xlsx,
        db,
        noSync: true,
      });
      expect(text).to.match(/wrote .*loins\.xlsx: 14 CTE rows for 3 traceability lot codes/);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(xlsx);
      expect(sheetText(book.getWorksheet("All")!).slice(1)).to.deep.equal(value.map(rowText).map((r) => r.map(String)));

      const csv = join(dir, "range.csv");
      await ok(["export", "fsma"], { from: at(0), to: at(650), out: csv, db, noSync: true });
      const parsed = parse(await readFile(csv, "utf8")) as string[][];
      expect(parsed.slice(1).map((cells) => summary(asRecord(cells)))).to.deep.equal(
        EXPECTED.filter((e) => e[3] >= at(0) && e[3] <= at(650)),
      );
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
      expect(
        await fails(["export", "fsma"], { lot: "1", out: join(dir, "missing", "x.csv"), db, noSync: true }),
      ).to.match(/no such directory/);
    });
  });

  it("the indexed trace world: the loins' rows, from both catches' first receiving to the retailer", async function () {
    this.timeout(120_000);
    const tw = await loadTraceWorld();
    const journey = await loadJourney(tw.index, { kind: "lot", lotId: tw.packs.loins }, 31337n);
    const real = fsmaRows(journey);
    const loins = elementString({ gtin: tw.gtins.loins, lot: tw.lotNumber });
    const byCode = (code: string) => real.filter((r) => r["Traceability Lot Code"] === code).map((r) => r.CTE);
    expect(byCode(loins)).to.deep.equal(["Transformation", "Shipping", "Receiving", "Shipping", "Receiving"]);
    for (const lot of [tw.catches.a, tw.catches.b]) {
      expect(byCode(`FT-31337-${lot}`)).to.deep.equal(["First land-based receiving", "Shipping", "Receiving"]);
    }
    const transformation = real.find((r) => r.CTE === "Transformation")!;
    expect(transformation["Input TLCs"]).to.equal(
      `FT-31337-${tw.catches.a} (300 kg); FT-31337-${tw.catches.b} (50 kg)`,
    );
    const codes = real.map((r) => r["Traceability Lot Code"]);
    expect(codes).to.deep.equal([...codes].sort());
  });
});
