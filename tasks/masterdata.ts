import { emptyTask, task } from "hardhat/config";

import { opt, withContracts, withDeployment } from "./options.js";

const dbOption = opt(
  "db",
  "PGlite directory of the index (default: indexer-data/pglite, or in memory on the in-process network; ignored " +
    "with DATABASE_URL)",
);

export const masterDataTasks = [
  emptyTask("masterdata", "Master data the chain does not hold: kept in the index, anchored on chain").build(),
  withDeployment(
    task(
      ["masterdata", "import"],
      "Imports vessels, parties, locations and certificates into the index and anchors each record's SHA-256",
    ),
    "account 0, the registry admin",
  )
    .addOption(opt("file", "JSON or CSV files, comma-separated, e.g. examples/master-data.json (README, Exports)"))
    .addOption(dbOption)
    .addFlag({ name: "noAnchor", description: "Keep the records in the index without anchoring them on chain" })
    .setAction(() => import("./actions/masterdata-import.js"))
    .build(),
  withContracts(
    task(
      ["masterdata", "show"],
      "Lists the index's master data with each record's SHA-256 and who anchored it on chain, and when",
    ),
  )
    .addOption(opt("section", "Only this section: vessel, party, location or certificate"))
    .addOption(opt("key", "One record (a vessel registration, GLN, name or certificate id): prints its canonical JSON"))
    .addOption(dbOption)
    .setAction(() => import("./actions/masterdata-show.js"))
    .build(),
];
