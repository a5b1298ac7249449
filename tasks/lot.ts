import { emptyTask, task } from "hardhat/config";

import { opt, stageOption, withDeployment } from "./options.js";

const CUSTODIAN = "the lot's custodian at that stage";
const LOT = "Lot: its id, a GS1 Digital Link (https://id.gs1.org/01/{GTIN}/10/{lot}) or GTIN:LOT";

export const lotTasks = [
  emptyTask("lot", "Any stage (--stage): readings, removal, queries and recalls of the lots held there").build(),
  withDeployment(task(["lot", "update"], "Records a temperature/humidity/position reading (Update_fish)"), CUSTODIAN)
    .addOption(stageOption())
    .addOption(opt("lot", LOT))
    .addOption(opt("temp", 'Temperature, °C; below zero as --temp=−18 (typographic minus) or --temp " -18"'))
    .addOption(opt("humidity", "Relative humidity, whole percent 0..100"))
    .addOption(opt("lat", "Latitude, degrees: 69.1 or 33.9S (default: the lot's latest position)"))
    .addOption(opt("lon", "Longitude, degrees: 18.6 or 5.5W (default: the lot's latest position)"))
    .addOption(opt("at", "Reading time: ISO 8601 or unix seconds (default: the latest block's time)"))
    .setAction(() => import("./actions/lot-update.js"))
    .build(),
  withDeployment(task(["lot", "remove"], "Takes an available lot out of a stage's inventory (Remove_fish)"), CUSTODIAN)
    .addOption(stageOption())
    .addOption(opt("lot", LOT))
    .addOption(opt("reason", "discarded, consumed, sold, lost or other"))
    .setAction(() => import("./actions/lot-remove.js"))
    .build(),
  withDeployment(task(["lot", "query"], "Shows a lot at a stage, its latest status and QAT inspection"), "account 0")
    .addOption(stageOption())
    .addOption(opt("lot", LOT))
    .setAction(() => import("./actions/lot-query.js"))
    .build(),
  withDeployment(task(["lot", "totals"], "Lots and weight available and supplied at a stage, per species"), "account 0")
    .addOption(stageOption("The stage to count"))
    .addOption(opt("species", "FAO 3-alpha species code (default: every listed species)"))
    .setAction(() => import("./actions/lot-totals.js"))
    .build(),
  withDeployment(
    task(["lot", "recall"], "Regulator: recalls lots at a stage; they can no longer be shipped, sold or processed"),
    "the first account holding REGULATOR",
  )
    .addOption(stageOption("The stage whose lots are recalled"))
    .addOption(opt("lots", "Lots, comma-separated: ids, GS1 Digital Links or GTIN:LOT"))
    .addOption(opt("reason", "Why, up to 32 bytes of text"))
    .setAction(() => import("./actions/lot-recall.js"))
    .build(),
];
