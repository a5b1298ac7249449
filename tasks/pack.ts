import { emptyTask, task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

export const packTasks = [
  emptyTask("pack", "Logistic units (GS1 SSCCs): pack lots into a case or onto a pallet, open it again").build(),
  withDeployment(
    task(["pack", "create"], "Packs lots you hold into a new logistic unit (EPCIS AggregationEvent ADD)"),
    "the account holding the first lot",
  )
    .addOption(opt("sscc", "The unit's SSCC: 18 digits with a valid GS1 check digit, e.g. 376104250021234569"))
    .addOption(opt("lots", "The lots, comma-separated: ids, GS1 Digital Links or GTIN:LOT, held by you at your stage"))
    .setAction(() => import("./actions/pack-create.js"))
    .build(),
  withDeployment(
    task(["pack", "open"], "Unpacks a logistic unit whose lots you hold (EPCIS AggregationEvent DELETE)"),
    "the account holding the unit's lots",
  )
    .addOption(opt("sscc", "The unit's SSCC: 18 digits"))
    .setAction(() => import("./actions/pack-open.js"))
    .build(),
];
