import { emptyTask, task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

const VESSEL = "account 1";

export const harvesterTasks = [
  emptyTask("harvester", "Stage 1: register catches, record readings, sell to Suppliers").build(),
  withDeployment(task(["harvester", "register"], "Registers a caught lot (Register_fish)"), VESSEL)
    .addOption(opt("species", "FAO 3-alpha species code, e.g. COD (must be listed)"))
    .addOption(opt("weight", "Weight, e.g. 250kg, 1.2t, 900g"))
    .addOption(opt("caughtAt", "Catch time: ISO 8601 or unix seconds (default: the latest block's time)"))
    .addOption(opt("lat", "Catch latitude, degrees (-90..90)"))
    .addOption(opt("lon", "Catch longitude, degrees (-180..180)"))
    .addOption(opt("area", "FAO major fishing area, e.g. 27.2.a"))
    .addOption(opt("vessel", "Vessel registration or IMO number, e.g. IMO9241061"))
    .addOption(opt("gear", "FAO ISSCFG gear code, e.g. OTB"))
    .addFlag({ name: "farmed", description: "Farmed (aquaculture) instead of wild-caught" })
    .addFlag({ name: "frozen", description: "Frozen at sea (band at most -18 °C) instead of fresh (0..4 °C)" })
    .setAction(() => import("./actions/harvester-register.js"))
    .build(),
  withDeployment(task(["harvester", "update"], "Records a temperature/humidity/position reading (Update_fish)"), VESSEL)
    .addOption(opt("lot", "Lot id"))
    .addOption(opt("temp", "Temperature, °C"))
    .addOption(opt("humidity", "Relative humidity, whole percent 0..100"))
    .addOption(opt("lat", "Latitude, degrees (default: the lot's latest position)"))
    .addOption(opt("lon", "Longitude, degrees (default: the lot's latest position)"))
    .addOption(opt("at", "Reading time: ISO 8601 or unix seconds (default: the latest block's time)"))
    .setAction(() => import("./actions/harvester-update.js"))
    .build(),
  withDeployment(task(["harvester", "remove"], "Takes an available lot out of the inventory (Remove_fish)"), VESSEL)
    .addOption(opt("lot", "Lot id"))
    .addOption(opt("reason", "discarded, consumed, sold, lost or other"))
    .setAction(() => import("./actions/harvester-remove.js"))
    .build(),
  withDeployment(task(["harvester", "query"], "Shows a lot, its latest status and latest QAT inspection"), VESSEL)
    .addOption(opt("lot", "Lot id"))
    .setAction(() => import("./actions/harvester-query.js"))
    .build(),
  withDeployment(task(["harvester", "totals"], "Lots and weight available and supplied, per species"), VESSEL)
    .addOption(opt("species", "FAO 3-alpha species code (default: every listed species)"))
    .setAction(() => import("./actions/harvester-totals.js"))
    .build(),
  withDeployment(task(["harvester", "ship"], "Ships lots against an order (Initiate_shipment)"), VESSEL)
    .addOption(opt("order", "Order number"))
    .addOption(opt("shipment", "Shipment number (default: the order number)"))
    .addOption(opt("lots", "Lot ids, comma-separated, e.g. 1,2,3"))
    .setAction(() => import("./actions/harvester-ship.js"))
    .build(),
  withDeployment(task(["harvester", "confirm"], "Confirms a shipment was delivered (Confirm_delivery)"), VESSEL)
    .addOption(opt("order", "Order number"))
    .setAction(() => import("./actions/harvester-confirm.js"))
    .build(),
];
