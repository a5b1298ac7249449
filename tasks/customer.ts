import { emptyTask, task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

const LOT = "Pack: its GS1 Digital Link (https://id.gs1.org/01/{GTIN}/10/{lot}), GTIN:LOT or lot id";

export const customerTasks = [
  emptyTask("customer", "Stage 6: verify where a pack came from, report problems with it").build(),
  withDeployment(task(["customer", "report"], "Reports a problem with a pack in the caller's custody"), "its custodian")
    .addOption(opt("lot", LOT))
    .addOption(opt("reason", "spoiled, wrong-species, illness, packaging or other"))
    .addOption(opt("detail", "What happened, up to 32 bytes of text"))
    .setAction(() => import("./actions/customer-report.js"))
    .build(),
  withDeployment(
    task(["customer", "verify"], "Prints a pack's provenance back to every catch it came from"),
    "account 0",
  )
    .addOption(opt("lot", LOT))
    .setAction(() => import("./actions/customer-verify.js"))
    .build(),
];
