/**
 * The FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455(c)(3)(ii)): one row per Critical Tracking Event per
 * traceability lot code, sorted by TLC then date, from a journey (src/export/journey.ts).
 *
 * - Harvesting (1.1325) and cooling (1.1330): farmed lots only — a wild catch aboard a fishing vessel has no
 *   harvesting CTE, and icing seafood is not cooling. Cooling is the first reading at the harvester.
 * - First land-based receiving (1.1335): a wild catch received by the supplier (stage 2). A farmed lot received
 *   there is ordinary receiving.
 * - Shipping (1.1340): shipments from the harvester (farmed lots only) to the distributor; the retailer's sale to
 *   a consumer is not a CTE.
 * - Receiving (1.1345): at the supplier (farmed lots), manufacturer, distributor and retailer.
 * - Transformation (1.1350): one row per new product lot, with the input TLCs and the kilograms each gave.
 *
 * TLCs: a product lot's is its GS1 element string `(01){gtin14}(10){lot}`; a catch's is `FT-{chainId}-{lotId}`.
 */
import { writeFile } from "node:fs/promises";

import ExcelJS from "exceljs";

import { gtin14 } from "../digital-link.js";
import { isoTime } from "../format.js";
import { InputError } from "../units.js";
import { partyUri } from "./gs1.js";
import { partyOf, type Journey, type JourneyEvent, type LotFacts } from "./journey.js";
import type { MasterData } from "./master-data.js";

export const FSMA_COLUMNS = [
  "CTE",
  "Traceability Lot Code",
  "TLC Source",
  "TLC Source Reference",
  "Product Description",
  "Quantity",
  "Unit of Measure",
  "Event Date",
  "Event Location",
  "Immediate Previous Source Location",
  "Immediate Subsequent Recipient Location",
  "Harvest Date Range Start",
  "Harvest Date Range End",
  "Harvest Location",
  "Landing Date",
  "Input TLCs",
  "Reference Document Type",
  "Reference Document Number",
  "Vessel",
  "Tx Hash",
] as const;
export type FsmaColumn = (typeof FSMA_COLUMNS)[number];

/** The Critical Tracking Events, in the order a lot meets them (the sheets' order). */
export const CTES = [
  "Harvesting",
  "Cooling",
  "First land-based receiving",
  "Shipping",
  "Receiving",
  "Transformation",
] as const;
export type Cte = (typeof CTES)[number];

/** A row: text, except Quantity (kilograms). */
export type FsmaRow = { [K in FsmaColumn]: K extends "Quantity" ? number : string } & { CTE: Cte };

/** A lot's traceability lot code. */
export function tlc(journey: Journey, lotId: bigint): string {
  const lot = journey.lots.get(lotId);
  if (lot?.kind === "product" && lot.gtin !== undefined && lot.gtin !== "" && lot.lotNumber !== undefined) {
    return `(01)${gtin14(BigInt(lot.gtin))}(10)${lot.lotNumber}`;
  }
  return `FT-${journey.chainId}-${lotId}`;
}

/** A party's place as a person reads it: "supplier1, Supplier quay" (name and registered location). */
function place(journey: Journey, id: number | undefined): string {
  if (id === undefined) return "";
  const party = partyOf(journey, id);
  return party.location === "" ? party.name : `${party.name}, ${party.location}`;
}

function description(lot: LotFacts | undefined): string {
  if (lot === undefined) return "";
  const species = lot.speciesName === undefined ? lot.species : `${lot.species} (${lot.speciesName})`;
  if (lot.kind === "product") return `${species}, GTIN ${lot.gtin ?? ""} lot ${lot.lotNumber ?? ""}`;
  const c = lot.catch;
  return `${species}, ${c?.farmed === true ? "farmed" : "wild"} ${c?.frozen === true ? "frozen" : "fresh"} catch`;
}

const kg = (grams: number): number => grams / 1000;

function emptyRow(journey: Journey, cte: Cte, lotId: bigint, event: JourneyEvent): FsmaRow {
  const lot = journey.lots.get(lotId);
  const source = lot?.tlcSourceId;
  const c = lot?.catch;
  return {
    CTE: cte,
    "Traceability Lot Code": tlc(journey, lotId),
    "TLC Source": place(journey, source),
    "TLC Source Reference": source === undefined ? "" : partyUri(journey.chainId, partyOf(journey, source)),
    "Product Description": description(lot),
    Quantity: kg(lot?.weightGrams ?? 0),
    "Unit of Measure": "kg",
    "Event Date": isoTime(event.time),
    "Event Location": "",
    "Immediate Previous Source Location": "",
    "Immediate Subsequent Recipient Location": "",
    "Harvest Date Range Start": "",
    "Harvest Date Range End": "",
    "Harvest Location": "",
    "Landing Date": "",
    "Input TLCs": "",
    "Reference Document Type": "",
    "Reference Document Number": "",
    Vessel: c === undefined || c.farmed ? "" : c.vessel,
    "Tx Hash": event.txHash,
  };
}

function harvest(lot: LotFacts | undefined): Partial<FsmaRow> {
  const c = lot?.catch;
  if (c === undefined) return {};
  const position = `${c.latitude}, ${c.longitude}`;
  return {
    "Harvest Date Range Start": isoTime(c.caughtAt),
    "Harvest Date Range End": isoTime(c.caughtAt),
    "Harvest Location": c.catchArea === "" ? position : `FAO ${c.catchArea} (${position})`,
  };
}

/** The CTE rows of one journey event. */
function rowsOf(journey: Journey, event: JourneyEvent, cooled: Set<bigint>): FsmaRow[] {
  const farmed = (id: bigint) => journey.lots.get(id)?.catch?.farmed === true;
  const isWildCatch = (id: bigint) => journey.lots.get(id)?.catch?.farmed === false;
  switch (event.kind) {
    case "catch": {
      if (!farmed(event.lotId)) return [];
      const lot = journey.lots.get(event.lotId);
      return [
        {
          ...emptyRow(journey, "Harvesting", event.lotId, event),
          ...harvest(lot),
          "Event Date": isoTime(lot?.catch?.caughtAt ?? event.time),
          "Event Location": place(journey, event.harvesterId),
          "Reference Document Type": "Catch registration",
          "Reference Document Number": `lot ${event.lotId}`,
        },
      ];
    }
    case "reading": {
      if (event.stage !== 1 || !farmed(event.lotId) || cooled.has(event.lotId)) return [];
      cooled.add(event.lotId);
      return [
        {
          ...emptyRow(journey, "Cooling", event.lotId, event),
          "Event Location": place(journey, event.reporterId),
          "Reference Document Type": "Temperature record",
          "Reference Document Number": `${(event.temperature / 100).toString()} °C at block ${event.block}`,
        },
      ];
    }
    case "ship": {
      if (event.stage >= 5) return [];
      const recipient =
        event.route?.destination !== undefined && event.route.destination !== ""
          ? event.route.destination
          : place(journey, event.toId);
      return event.lotIds
        .filter((id) => event.stage > 1 || farmed(id))
        .map((id) => ({
          ...emptyRow(journey, "Shipping", id, event),
          "Event Location": place(journey, event.fromId),
          "Immediate Subsequent Recipient Location": recipient,
          "Reference Document Type": "Bill of lading",
          "Reference Document Number": `${event.stage}-${event.orderId}-${event.shipmentNo}`,
        }));
    }
    case "receive": {
      if (event.stage >= 6) return [];
      return event.lotIds.map((id) => {
        const first = event.stage === 2 && isWildCatch(id);
        return {
          ...emptyRow(journey, first ? "First land-based receiving" : "Receiving", id, event),
          ...(first ? { ...harvest(journey.lots.get(id)), "Landing Date": isoTime(event.time) } : {}),
          "Event Location": event.arrivedLocation ?? place(journey, event.toId),
          "Immediate Previous Source Location": place(journey, event.fromId),
          "Reference Document Type": "Purchase order",
          "Reference Document Number": `${event.stage - 1}-${event.orderId}`,
        };
      });
    }
    case "transform": {
      const inputs = event.inputs.map((i) => `${tlc(journey, i.lotId)} (${kg(i.consumedGrams)} kg)`).join("; ");
      return event.outputs.map((o) => ({
        ...emptyRow(journey, "Transformation", o.lotId, event),
        Quantity: kg(o.grams),
        "Event Location": place(journey, event.manufacturerId),
        "Input TLCs": inputs,
        "Reference Document Type": "Production record",
        "Reference Document Number": `process ${event.processId}`,
      }));
    }
    default:
      return [];
  }
}

/** The journey's CTE rows (of a lot's history: only its own lots'), sorted by TLC, then date, then CTE. */
export function fsmaRows(journey: Journey): FsmaRow[] {
  const cooled = new Set<bigint>();
  const { closure } = journey;
  const codes = closure === undefined ? undefined : new Set([...closure].map((id) => tlc(journey, id)));
  const rows = journey.events
    .flatMap((e) => rowsOf(journey, e, cooled))
    .filter((r) => codes === undefined || codes.has(r["Traceability Lot Code"]));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows
    .map((row, i) => ({ row, i }))
    .sort(
      (a, b) =>
        cmp(a.row["Traceability Lot Code"], b.row["Traceability Lot Code"]) ||
        cmp(a.row["Event Date"], b.row["Event Date"]) ||
        CTES.indexOf(a.row.CTE) - CTES.indexOf(b.row.CTE) ||
        a.i - b.i,
    )
    .map(({ row }) => row);
}

/** A row's cells in column order, as text (what the CSV holds). */
export function rowText(row: FsmaRow): string[] {
  return FSMA_COLUMNS.map((c) => String(row[c]));
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The rows as CSV (RFC 4180, CRLF line ends), header first. */
export function fsmaCsv(rows: readonly FsmaRow[]): string {
  const lines = [[...FSMA_COLUMNS], ...rows.map(rowText)].map((cells) => cells.map(csvField).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function addSheet(book: ExcelJS.Workbook, name: string, rows: readonly FsmaRow[]): void {
  const sheet = book.addWorksheet(name, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = FSMA_COLUMNS.map((c) => ({
    header: c,
    key: c,
    width: Math.min(60, Math.max(c.length, ...rows.map((r) => String(r[c]).length)) + 2),
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow(FSMA_COLUMNS.map((c) => row[c]));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: FSMA_COLUMNS.length } };
}

/** The workbook: an "All" sheet, then one sheet per CTE (each with its header frozen and an autofilter). */
export function fsmaWorkbook(rows: readonly FsmaRow[]): ExcelJS.Workbook {
  const book = new ExcelJS.Workbook();
  book.creator = "FishTrace";
  addSheet(book, "All", rows);
  for (const cte of CTES)
    addSheet(
      book,
      cte,
      rows.filter((r) => r.CTE === cte),
    );
  return book;
}

async function write(file: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === "ENOENT") throw new InputError(`${file} cannot be written: no such directory`);
    if (code === "EISDIR") throw new InputError(`${file} is a directory, not a file`);
    throw err;
  }
}

/** Writes the rows to `file`: XLSX for `.xlsx`, CSV for `.csv`. */
export async function writeFsma(rows: readonly FsmaRow[], file: string): Promise<"xlsx" | "csv"> {
  if (/\.xlsx$/i.test(file)) {
    await write(file, new Uint8Array(await fsmaWorkbook(rows).xlsx.writeBuffer()));
    return "xlsx";
  }
  if (/\.csv$/i.test(file)) {
    await write(file, fsmaCsv(rows));
    return "csv";
  }
  throw new InputError(`--out ${file} must end in .xlsx or .csv`);
}

/** The journey's rows and the warnings of master data it lacks. */
export function fsmaExport(journey: Journey, _masterData?: MasterData): { rows: FsmaRow[]; warnings: string[] } {
  return { rows: fsmaRows(journey), warnings: [] };
}
