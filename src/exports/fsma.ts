/**
 * The FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455(c)(3)(ii)): one row per Critical Tracking Event per
 * traceability lot code, sorted by TLC then date, from a journey (src/index/journey.ts), with the key data elements
 * of 21 CFR 1.1325–1.1350 the chain and the master data hold.
 *
 * - Harvesting (§1.1325(a)) and cooling (§1.1325(b)): farmed lots only — a wild catch aboard a fishing vessel has no
 *   harvesting CTE, and icing seafood is not cooling. Cooling is the first reading at the harvester. Both name the
 *   immediate subsequent recipient: the buyer of the harvester's shipment.
 * - Initial packing (§1.1330): a farmed lot packed by the business that receives it from the farm (stage 2); the
 *   harvester's shipment and that receipt come before initial packing and are no CTEs (§1.1340(c), §1.1345(c)).
 * - First land-based receiving (§1.1335): a wild catch received from the vessel (stage 2), with the trip's harvest
 *   date range (master data) and the landing date.
 * - Shipping (§1.1340): shipments after initial packing or landing, to the retailer; a sale to a consumer is none.
 * - Receiving (§1.1345): at the manufacturer, distributor and retailer.
 * - Transformation (§1.1350): one row per new product lot per input, with the input's TLC, product description,
 *   quantity and unit.
 *
 * A location description is the business name, address and phone (§1.1310), from master data; a KDE the rule asks
 * for that master data does not give is left empty and named in a one-line warning (`fsmaExport`).
 *
 * TLCs: a product lot's is its GS1 element string `(01){gtin14}(10){lot}`; a catch's is `FT-{chainId}-{lotId}`.
 */
import ExcelJS from "exceljs";

import { gtin14 } from "../core/digital-link.js";
import { isoTime } from "../core/format.js";
import { writeText } from "../node/record-files.js";
import { InputError } from "../core/input-error.js";
import { partyUri } from "./gs1.js";
import { partyOf, type Journey, type JourneyEvent, type LotFacts } from "../index/journey.js";
import { locationData, NO_MASTER_DATA, partyData, type MasterData } from "./master-data.js";

/** The columns: the rule's key data elements (§§1.1325–1.1350), one row per CTE per lot code. */
export const FSMA_COLUMNS = [
  "CTE",
  "Traceability Lot Code",
  "Product Description",
  "Quantity",
  "Unit of Measure",
  "Event Date",
  "Location Description",
  "Traceability Lot Code Source",
  "Traceability Lot Code Source Reference",
  "Immediate Previous Source Location Description",
  "Immediate Subsequent Recipient Location Description",
  "Harvest Location Description",
  "Harvest Date Range Start",
  "Harvest Date Range End",
  "Harvester Business Name",
  "Harvester Phone Number",
  "Cooling Location Description",
  "Cooling Date",
  "Date Received",
  "Quantity Received",
  "Landing Date",
  "Input Traceability Lot Code",
  "Input Product Description",
  "Input Quantity",
  "Input Unit of Measure",
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
  "Initial Packing",
  "First Land-Based Receiving",
  "Shipping",
  "Receiving",
  "Transformation",
] as const;
export type Cte = (typeof CTES)[number];

/** The columns each CTE must fill (beyond CTE, lot code, date), as the rule lists its KDEs; checked for warnings. */
export const CTE_KDES: Record<Cte, readonly FsmaColumn[]> = {
  Harvesting: [
    "Product Description",
    "Quantity",
    "Unit of Measure",
    "Location Description",
    "Immediate Subsequent Recipient Location Description",
    "Harvest Location Description",
    "Harvest Date Range Start",
    "Reference Document Type",
    "Reference Document Number",
  ],
  Cooling: [
    "Product Description",
    "Quantity",
    "Unit of Measure",
    "Location Description",
    "Harvest Location Description",
    "Immediate Subsequent Recipient Location Description",
    "Reference Document Type",
    "Reference Document Number",
  ],
  "Initial Packing": [
    "Product Description",
    "Quantity",
    "Unit of Measure",
    "Location Description",
    "Traceability Lot Code Source",
    "Date Received",
    "Quantity Received",
    "Harvest Location Description",
    "Harvester Business Name",
    "Harvester Phone Number",
    "Harvest Date Range Start",
    "Reference Document Type",
    "Reference Document Number",
  ],
  "First Land-Based Receiving": [
    "Product Description",
    "Quantity",
    "Unit of Measure",
    "Location Description",
    "Traceability Lot Code Source",
    "Harvest Location Description",
    "Harvest Date Range Start",
    "Harvest Date Range End",
    "Landing Date",
    "Reference Document Type",
    "Reference Document Number",
  ],
  Shipping: [
    "Product Description",
    "Quantity",
    "Unit of Measure",
    "Location Description",
    "Immediate Subsequent Recipient Location Description",
    "Traceability Lot Code Source",
    "Reference Document Type",
    "Reference Document Number",
  ],
  Receiving: [
    "Product Description",
    "Quantity",
    "Unit of Measure",
    "Location Description",
    "Immediate Previous Source Location Description",
    "Traceability Lot Code Source",
    "Reference Document Type",
    "Reference Document Number",
  ],
  Transformation: [
    "Product Description",
    "Quantity",
    "Unit of Measure",
    "Location Description",
    "Traceability Lot Code Source",
    "Input Traceability Lot Code",
    "Input Product Description",
    "Input Quantity",
    "Input Unit of Measure",
    "Reference Document Type",
    "Reference Document Number",
  ],
};

const NUMERIC = ["Quantity", "Quantity Received", "Input Quantity"] as const;
type NumericColumn = (typeof NUMERIC)[number];

/** A row: text, except the quantities (kilograms; "" when the CTE has none). */
export type FsmaRow = { [K in FsmaColumn]: K extends NumericColumn ? number | "" : string } & { CTE: Cte };

/** A lot's traceability lot code. */
export function tlc(journey: Journey, lotId: bigint): string {
  const lot = journey.lots.get(lotId);
  if (lot?.kind === "product" && lot.gtin !== undefined && lot.gtin !== "" && lot.lotNumber !== undefined) {
    return `(01)${gtin14(BigInt(lot.gtin))}(10)${lot.lotNumber}`;
  }
  return `FT-${journey.chainId}-${lotId}`;
}

interface Context {
  journey: Journey;
  masterData: MasterData;
  /** "lot …: CTE Column: what is missing" lines. */
  warnings: Set<string>;
}

/**
 * A location description (§1.1310): business name, address and phone of the party at `id` — master data's, else
 * the registered name and location — and its GLN. Each missing part is a warning naming the lot, CTE and column.
 */
function describe(ctx: Context, id: number | undefined, lot: string, cte: Cte, column: FsmaColumn, place?: string) {
  if (id === undefined) return "";
  const party = partyOf(ctx.journey, id);
  const data = partyData(ctx.masterData, party);
  const at = place === undefined ? {} : locationData(ctx.masterData, place);
  const name = at.name ?? data.name ?? party.name;
  const address = at.address ?? data.address;
  const phone = at.phone ?? data.phone;
  const gln = at.gln ?? data.gln ?? (/^\d{13}$/.test(party.location) ? party.location : undefined);
  for (const [what, value] of [
    ["address", address],
    ["phone", phone],
  ] as const) {
    if (value === undefined) {
      ctx.warnings.add(`lot ${lot}: ${cte} ${column}: no ${what} for ${party.name} in master data`);
    }
  }
  const registered = party.location.trim() !== "" && gln === undefined ? party.location : undefined;
  const spot = place === undefined || place === address || place === gln ? undefined : place;
  return [name, address ?? registered, phone, spot, gln && `GLN ${gln}`]
    .filter((part): part is string => part !== undefined && part !== "")
    .join("; ");
}

function description(lot: LotFacts | undefined): string {
  if (lot === undefined) return "";
  const species = lot.speciesName === undefined ? lot.species : `${lot.species} (${lot.speciesName})`;
  if (lot.kind === "product") return `${species}, GTIN ${lot.gtin ?? ""} lot ${lot.lotNumber ?? ""}`;
  const c = lot.catch;
  return `${species}, ${c?.farmed === true ? "farmed" : "wild"} ${c?.frozen === true ? "frozen" : "fresh"} catch`;
}

const kg = (grams: number): number => grams / 1000;

/**
 * Who assigned a lot's TLC (§1.1320): for a farmed catch, its initial packer (the business that received it from the
 * farm); otherwise the index's TLC source (the first land-based receiver of a wild catch, a pack's manufacturer).
 */
function tlcSource(journey: Journey, lot: LotFacts | undefined): number | undefined {
  if (lot?.catch?.farmed === true) {
    for (const e of journey.events)
      if (e.kind === "receive" && e.stage === 2 && e.lotIds.includes(lot.lotId)) return e.toId;
  }
  return lot?.tlcSourceId;
}

function emptyRow(ctx: Context, cte: Cte, lotId: bigint, event: JourneyEvent): FsmaRow {
  const { journey } = ctx;
  const lot = journey.lots.get(lotId);
  const source = tlcSource(journey, lot);
  const c = lot?.catch;
  const code = tlc(journey, lotId);
  const sourceParty = source === undefined ? undefined : partyOf(journey, source);
  return {
    CTE: cte,
    "Traceability Lot Code": code,
    "Product Description": description(lot),
    Quantity: kg(lot?.weightGrams ?? 0),
    "Unit of Measure": "kg",
    "Event Date": isoTime(event.time),
    "Location Description": "",
    "Traceability Lot Code Source": describe(ctx, source, code, cte, "Traceability Lot Code Source"),
    "Traceability Lot Code Source Reference":
      sourceParty === undefined
        ? ""
        : partyUri(journey.chainId, sourceParty, partyData(ctx.masterData, sourceParty).companyPrefixLength),
    "Immediate Previous Source Location Description": "",
    "Immediate Subsequent Recipient Location Description": "",
    "Harvest Location Description": "",
    "Harvest Date Range Start": "",
    "Harvest Date Range End": "",
    "Harvester Business Name": "",
    "Harvester Phone Number": "",
    "Cooling Location Description": "",
    "Cooling Date": "",
    "Date Received": "",
    "Quantity Received": "",
    "Landing Date": "",
    "Input Traceability Lot Code": "",
    "Input Product Description": "",
    "Input Quantity": "",
    "Input Unit of Measure": "",
    "Reference Document Type": "",
    "Reference Document Number": "",
    Vessel: c === undefined || c.farmed ? "" : c.vessel,
    "Tx Hash": event.txHash,
  };
}

/** Where and when a catch was harvested: the farm or catch area with its position; the trip's dates when known. */
function harvest(ctx: Context, lot: LotFacts | undefined, cte: Cte): Partial<FsmaRow> {
  const c = lot?.catch;
  if (lot === undefined || c === undefined) return {};
  const code = tlc(ctx.journey, lot.lotId);
  const position = `${c.latitude}, ${c.longitude}`;
  const area = c.catchArea === "" ? position : `FAO ${c.catchArea} (${position})`;
  const trip = c.farmed ? undefined : ctx.masterData.vessels.get(c.vessel);
  const onTrip =
    trip?.tripStart !== undefined &&
    trip.tripEnd !== undefined &&
    trip.tripStart <= c.caughtAt &&
    c.caughtAt <= trip.tripEnd;
  if (!c.farmed && !onTrip) {
    ctx.warnings.add(
      `lot ${code}: ${cte} Harvest Date Range: no trip of vessel ${c.vessel} in master data holds the catch time`,
    );
  }
  return {
    "Harvest Location Description": c.farmed
      ? `${describe(ctx, c.harvesterId, code, cte, "Harvest Location Description")}; ${area}`
      : `${area}, vessel ${c.vessel}`,
    "Harvest Date Range Start": isoTime(onTrip && trip?.tripStart !== undefined ? trip.tripStart : c.caughtAt),
    "Harvest Date Range End": isoTime(onTrip && trip?.tripEnd !== undefined ? trip.tripEnd : c.caughtAt),
  };
}

/** The first shipment of `lotId` by its harvester (stage 1): whom the farm's harvest goes to. */
function firstShipment(journey: Journey, lotId: bigint): (JourneyEvent & { kind: "ship" }) | undefined {
  for (const e of journey.events) if (e.kind === "ship" && e.stage === 1 && e.lotIds.includes(lotId)) return e;
  return undefined;
}

/** The first reading of `lotId` at the harvester: its cooling. */
function cooling(journey: Journey, lotId: bigint): (JourneyEvent & { kind: "reading" }) | undefined {
  for (const e of journey.events) if (e.kind === "reading" && e.stage === 1 && e.lotId === lotId) return e;
  return undefined;
}

/** The CTE rows of one journey event. */
function rowsOf(ctx: Context, event: JourneyEvent): FsmaRow[] {
  const { journey } = ctx;
  const farmed = (id: bigint) => journey.lots.get(id)?.catch?.farmed === true;
  const isCatch = (id: bigint) => journey.lots.get(id)?.catch !== undefined;
  const recipient = (id: bigint, cte: Cte) => {
    const ship = firstShipment(journey, id);
    return describe(ctx, ship?.toId, tlc(journey, id), cte, "Immediate Subsequent Recipient Location Description");
  };
  switch (event.kind) {
    case "catch": {
      if (!farmed(event.lotId)) return [];
      const lot = journey.lots.get(event.lotId);
      const code = tlc(journey, event.lotId);
      return [
        {
          ...emptyRow(ctx, "Harvesting", event.lotId, event),
          ...harvest(ctx, lot, "Harvesting"),
          "Event Date": isoTime(lot?.catch?.caughtAt ?? event.time),
          "Location Description": describe(ctx, event.harvesterId, code, "Harvesting", "Location Description"),
          "Immediate Subsequent Recipient Location Description": recipient(event.lotId, "Harvesting"),
          "Reference Document Type": "Catch registration",
          "Reference Document Number": `lot ${event.lotId}`,
        },
      ];
    }
    case "reading": {
      if (event.stage !== 1 || !farmed(event.lotId) || cooling(journey, event.lotId) !== event) return [];
      const lot = journey.lots.get(event.lotId);
      const code = tlc(journey, event.lotId);
      return [
        {
          ...emptyRow(ctx, "Cooling", event.lotId, event),
          "Location Description": describe(ctx, event.reporterId, code, "Cooling", "Location Description"),
          "Harvest Location Description": harvest(ctx, lot, "Cooling")["Harvest Location Description"] ?? "",
          "Immediate Subsequent Recipient Location Description": recipient(event.lotId, "Cooling"),
          "Reference Document Type": "Temperature record",
          "Reference Document Number": `${(event.temperature / 100).toString()} °C at block ${event.block}`,
        },
      ];
    }
    case "ship": {
      // The harvester's shipments precede initial packing or landing (§1.1340(c)); a sale to a consumer is no CTE.
      if (event.stage <= 1 || event.stage >= 5) return [];
      const destination = event.route?.destination;
      return event.lotIds.map((id) => {
        const code = tlc(journey, id);
        return {
          ...emptyRow(ctx, "Shipping", id, event),
          "Location Description": describe(
            ctx,
            event.fromId,
            code,
            "Shipping",
            "Location Description",
            event.route?.origin,
          ),
          "Immediate Subsequent Recipient Location Description": describe(
            ctx,
            event.toId,
            code,
            "Shipping",
            "Immediate Subsequent Recipient Location Description",
            destination === undefined || destination === "" ? undefined : destination,
          ),
          "Reference Document Type": "Bill of lading",
          "Reference Document Number": `${event.stage}-${event.orderId}-${event.shipmentNo}`,
        };
      });
    }
    case "receive": {
      if (event.stage >= 6) return [];
      return event.lotIds.flatMap((id): FsmaRow[] => {
        const code = tlc(journey, id);
        const lot = journey.lots.get(id);
        const reference = {
          "Reference Document Type": "Purchase order",
          "Reference Document Number": `${event.stage - 1}-${event.orderId}`,
        };
        /** A catch's row where it came ashore (First Land-Based Receiving, Initial Packing): harvest and place. */
        const landed = (cte: Cte): FsmaRow => ({
          ...emptyRow(ctx, cte, id, event),
          ...harvest(ctx, lot, cte),
          "Location Description": describe(ctx, event.toId, code, cte, "Location Description", event.arrivedLocation),
        });
        if (event.stage === 2 && isCatch(id) && farmed(id)) {
          // Initial packing by the business that buys the farm's harvest (§1.1330).
          const cte = "Initial Packing";
          const c = lot?.catch;
          const cooled = cooling(journey, id);
          const harvester = c === undefined ? undefined : partyOf(journey, c.harvesterId);
          const harvesterData = harvester === undefined ? {} : partyData(ctx.masterData, harvester);
          if (harvesterData.phone === undefined) {
            ctx.warnings.add(`lot ${code}: ${cte} Harvester Phone Number: none in master data`);
          }
          return [
            {
              ...landed(cte),
              "Date Received": isoTime(event.time),
              "Quantity Received": kg(lot?.weightGrams ?? 0),
              "Harvester Business Name": harvesterData.name ?? harvester?.name ?? "",
              "Harvester Phone Number": harvesterData.phone ?? "",
              "Cooling Location Description":
                cooled === undefined ? "" : describe(ctx, cooled.reporterId, code, cte, "Cooling Location Description"),
              "Cooling Date": cooled === undefined ? "" : isoTime(cooled.time),
              ...reference,
            },
          ];
        }
        if (event.stage === 2 && isCatch(id)) {
          const cte = "First Land-Based Receiving";
          return [
            {
              ...landed(cte),
              "Landing Date": isoTime(event.time),
              ...reference,
            },
          ];
        }
        if (event.stage === 2) return [];
        return [
          {
            ...emptyRow(ctx, "Receiving", id, event),
            "Location Description": describe(
              ctx,
              event.toId,
              code,
              "Receiving",
              "Location Description",
              event.arrivedLocation,
            ),
            "Immediate Previous Source Location Description": describe(
              ctx,
              event.fromId,
              code,
              "Receiving",
              "Immediate Previous Source Location Description",
            ),
            ...reference,
          },
        ];
      });
    }
    case "transform": {
      return event.outputs.flatMap((o) => {
        const code = tlc(journey, o.lotId);
        const place = describe(ctx, event.manufacturerId, code, "Transformation", "Location Description");
        return event.inputs.map((i) => ({
          ...emptyRow(ctx, "Transformation", o.lotId, event),
          Quantity: kg(o.grams),
          "Location Description": place,
          "Input Traceability Lot Code": tlc(journey, i.lotId),
          "Input Product Description": description(journey.lots.get(i.lotId)),
          "Input Quantity": kg(i.consumedGrams),
          "Input Unit of Measure": "kg",
          "Reference Document Type": "Production record",
          "Reference Document Number": `process ${event.processId}`,
        }));
      });
    }
    default:
      return [];
  }
}

/**
 * The journey's CTE rows (of a lot's history: only its own lots'), sorted by TLC, then date, then CTE, and a warning
 * for each KDE the rule asks for that the chain and master data leave empty: "lot FT-31337-2: Initial Packing
 * Harvester Phone Number: none in master data".
 */
export function fsmaExport(
  journey: Journey,
  masterData: MasterData = NO_MASTER_DATA,
): { rows: FsmaRow[]; warnings: string[] } {
  const ctx: Context = { journey, masterData, warnings: new Set() };
  const { closure } = journey;
  const codes = closure === undefined ? undefined : new Set([...closure].map((id) => tlc(journey, id)));
  const rows = journey.events
    .flatMap((e) => rowsOf(ctx, e))
    .filter((r) => codes === undefined || codes.has(r["Traceability Lot Code"]));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = rows
    .map((row, i) => ({ row, i }))
    .sort(
      (a, b) =>
        cmp(a.row["Traceability Lot Code"], b.row["Traceability Lot Code"]) ||
        cmp(a.row["Event Date"], b.row["Event Date"]) ||
        CTES.indexOf(a.row.CTE) - CTES.indexOf(b.row.CTE) ||
        a.i - b.i,
    )
    .map(({ row }) => row);
  const inScope = (w: string) => codes === undefined || [...codes].some((code) => w.startsWith(`lot ${code}:`));
  const warnings = [...ctx.warnings].filter(inScope);
  for (const row of sorted) {
    for (const column of CTE_KDES[row.CTE]) {
      if (row[column] === "") warnings.push(`lot ${row["Traceability Lot Code"]}: ${row.CTE} ${column}: empty`);
    }
  }
  return { rows: sorted, warnings: [...new Set(warnings)] };
}

/** The journey's CTE rows without master data (see `fsmaExport`). */
export function fsmaRows(journey: Journey, masterData: MasterData = NO_MASTER_DATA): FsmaRow[] {
  return fsmaExport(journey, masterData).rows;
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

/** Writes the rows to `file`: XLSX for `.xlsx`, CSV for `.csv`. */
export async function writeFsma(rows: readonly FsmaRow[], file: string): Promise<"xlsx" | "csv"> {
  if (/\.xlsx$/i.test(file)) {
    await writeText(file, new Uint8Array(await fsmaWorkbook(rows).xlsx.writeBuffer()));
    return "xlsx";
  }
  if (/\.csv$/i.test(file)) {
    await writeText(file, fsmaCsv(rows));
    return "csv";
  }
  throw new InputError(`--out ${file} must end in .xlsx or .csv`);
}
