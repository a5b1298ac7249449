import { emptyTask, task } from "hardhat/config";

import { opt, withContracts } from "./options.js";

const scopeOptions = <T extends ReturnType<typeof withContracts>>(builder: T) =>
  builder
    .addOption(opt("lot", "A lot's history (its catches and packs): an id, GTIN:LOT, (01)…(10)… or a Digital Link"))
    .addOption(opt("link", "Or the lot's GS1 Digital Link (https://id.gs1.org/01/{GTIN}/10/{lot})"))
    .addOption(opt("from", 'Or a time range from: ISO 8601, unix seconds or a time ago such as "30d ago"'))
    .addOption(opt("to", 'Time range to, included: ISO 8601, unix seconds or "1h ago" (default: now)'))
    .addOption(
      opt(
        "db",
        "PGlite directory of the index (default: indexer-data/pglite, or in memory on the in-process network; " +
          "ignored with DATABASE_URL)",
      ),
    )
    .addFlag({ name: "noSync", description: "Read the index as it is, without bringing it up to date first" });

const masterDataOption = opt(
  "masterData",
  "Master data the chain does not hold (vessels, parties, locations, certificates): JSON or CSV files, " +
    "comma-separated, e.g. examples/master-data.json (README, Exports)",
);

export const exportTasks = [
  emptyTask(
    "export",
    "Exports what the index knows as GS1 EPCIS 2.0 (with GDST 1.2) or an FSMA 204 spreadsheet",
  ).build(),
  scopeOptions(
    withContracts(
      task(
        ["export", "epcis"],
        "Writes an EPCIS 2.0 JSON-LD document (GDST 1.2 KDEs) for a lot, an actor or a time range",
      ),
    ),
  )
    .addOption(opt("actor", "Or an actor's events: a participant id or account address"))
    .addOption(opt("out", "The document to write, e.g. lot.jsonld"))
    .addOption(masterDataOption)
    .setAction(() => import("./actions/export-epcis.js"))
    .build(),
  scopeOptions(
    withContracts(
      task(
        ["export", "fsma"],
        "Writes the FSMA 204 sortable spreadsheet (one row per CTE per lot code) as XLSX or CSV",
      ),
    ),
  )
    .addOption(opt("out", "The file to write: .xlsx (a sheet per CTE and All) or .csv"))
    .addOption(masterDataOption)
    .setAction(() => import("./actions/export-fsma.js"))
    .build(),
];
