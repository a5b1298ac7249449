import { emptyTask, task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

export const manufacturerTasks = [
  emptyTask("manufacturer", "Stage 3: process raw lots into product lots (GS1 GTIN + lot number)").build(),
  withDeployment(
    task(["manufacturer", "process"], "Processes input lots into product lots, with their lineage on chain"),
    "the custodian of the first input",
  )
    .addOption(
      opt(
        "inputs",
        "Lots to take, comma-separated LOT[:WEIGHT] (the whole lot without a weight), e.g. 12:50kg,13; " +
          "LOT is an id, a GS1 Digital Link or GTIN:LOT",
      ),
    )
    .addOption(
      opt(
        "outputs",
        "Product lots to create, comma-separated GTIN:LOT:WEIGHT[:frozen], e.g. " +
          "07038010123450:L2026-001:20kg,07038010123467:L2026-002:15kg:frozen",
      ),
    )
    .setAction(() => import("./actions/manufacturer-process.js"))
    .build(),
];
