import { emptyTask, task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

export const packTasks = [
  emptyTask("pack", "Logistic units (GS1 SSCCs): pack lots into a case or onto a pallet, open it again").build(),
  withDeployment(
    task(
      ["pack", "create"],
      "Packs lots you hold into a new logistic unit, or cases onto a new pallet (EPCIS AggregationEvent ADD)",
    ),
    "the account holding the first lot (of the first case)",
  )
    .addOption(opt("sscc", "The unit's SSCC: 18 digits with a valid GS1 check digit, e.g. 376104250021234569"))
    .addOption(opt("lots", "The lots, comma-separated: ids, GS1 Digital Links or GTIN:LOT, held by you at your stage"))
    .addOption(opt("units", "Instead of --lots: the cases' SSCCs, comma-separated, to put onto the pallet --sscc"))
    .setAction(() => import("./actions/pack-create.js"))
    .build(),
  withDeployment(
    task(["pack", "open"], "Unpacks a logistic unit or a pallet whose lots you hold (EPCIS AggregationEvent DELETE)"),
    "the account holding the unit's lots",
  )
    .addOption(opt("sscc", "The unit's SSCC: 18 digits"))
    .setAction(() => import("./actions/pack-open.js"))
    .build(),
];
