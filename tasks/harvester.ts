import { emptyTask, task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

export const harvesterTasks = [
  emptyTask("harvester", "Stage 1: register catches (readings, removal, queries: see the lot tasks)").build(),
  withDeployment(
    task(["harvester", "register"], "Registers a caught lot (Register_fish), or a file of catches in one transaction"),
    "the first account holding HARVESTER",
  )
    .addOption(opt("species", "FAO 3-alpha species code, e.g. COD (must be listed)"))
    .addOption(opt("weight", "Weight, e.g. 250kg, 1.2t, 900g"))
    .addOption(opt("caughtAt", "Catch time: ISO 8601 or unix seconds (default: the latest block's time)"))
    .addOption(opt("lat", "Catch latitude, degrees: 69.1 or 33.9S"))
    .addOption(opt("lon", "Catch longitude, degrees: 18.6 or 5.5W"))
    .addOption(opt("area", "FAO major fishing area, e.g. 27.2.a"))
    .addOption(opt("vessel", "Vessel registration or IMO number, e.g. IMO9241061"))
    .addOption(opt("gear", "FAO ISSCFG gear code, e.g. OTB"))
    .addFlag({ name: "farmed", description: "Farmed (aquaculture) instead of wild-caught" })
    .addFlag({ name: "frozen", description: "Frozen at sea (band at most -18 °C) instead of fresh (0..4 °C)" })
    .addOption(
      opt(
        "file",
        "CSV (header species,weight,caughtAt,lat,lon,area,vessel,gear,farmed,frozen) or JSON of catches, one a " +
          "row, as the options above (farmed/frozen: yes or no): all sent in one registerFishBatch",
      ),
    )
    .setAction(() => import("./actions/harvester-register.js"))
    .build(),
  withDeployment(
    task(["harvester", "transship"], "Records lots moved at sea onto a carrier vessel (GDST transshipment)"),
    "the first account holding HARVESTER",
  )
    .addOption(opt("lots", "The harvester's unsold lots, comma-separated: ids"))
    .addOption(opt("carrier", "The carrier vessel's registration or IMO number, e.g. IMO9876543"))
    .addOption(opt("lat", "Where: latitude, degrees (70.1 or 33.9S)"))
    .addOption(opt("lon", "Where: longitude, degrees (10.5W)"))
    .addOption(opt("at", "When: ISO 8601 or unix seconds (default: the latest block's time)"))
    .setAction(() => import("./actions/harvester-transship.js"))
    .build(),
];
