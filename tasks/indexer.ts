import { task } from "hardhat/config";

import { opt, withContracts } from "./options.js";

export const indexerTasks = [
  withContracts(
    task(
      "indexer",
      "Indexes the deployment's events for trace, recall and exports (PGlite in --db, or PostgreSQL at DATABASE_URL)",
    ),
  )
    .addOption(opt("fromBlock", "First block of a new index (default: the block the registry was deployed in)"))
    .addOption(opt("confirmations", "Blocks left unread below the latest (default: 0 on a local chain, else 12)"))
    .addOption(opt("chunk", "Blocks per getLogs call and per transaction (default: 2000)"))
    .addOption(opt("db", "PGlite directory of the index (default: indexer-data/pglite; ignored with DATABASE_URL)"))
    .addOption(opt("interval", "With --follow: seconds between polls (default: 2)"))
    .addFlag({ name: "follow", description: "Keep polling for new blocks until interrupted (Ctrl-C)" })
    .addFlag({ name: "reset", description: "Drop the index and build it again from the start" })
    .setAction(() => import("./actions/indexer-run.js"))
    .build(),
];
