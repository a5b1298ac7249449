import { task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

export const recallTasks = [
  withDeployment(
    task("recall", "Recalls a lot and every lot made from it, at the stage that created each, and lists whom to tell"),
    "the first account holding REGULATOR",
  )
    .addOption(opt("lot", "The lot: an id, a GS1 Digital Link, GTIN:LOT or (01)…(10)…"))
    .addOption(opt("reason", "Why (up to 32 bytes of text, recorded on chain)"))
    .addOption(opt("batch", "Lots per recallLots transaction (default: 200; halved when a batch would not fit)"))
    .addOption(
      opt("out", "The recall notice CSV: each lot, its holder, customers, open orders (default: recall-notice.csv)"),
    )
    .addOption(
      opt(
        "db",
        "PGlite directory of the index (default: indexer-data/pglite, or in memory on the in-process network; " +
          "ignored with DATABASE_URL)",
      ),
    )
    .addFlag({ name: "dryRun", description: "Plan the recall and list whom it reaches, without sending anything" })
    .setAction(() => import("./actions/recall.js"))
    .build(),
];
