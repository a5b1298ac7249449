import { emptyTask, task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

const ORDER = "Order number (in the Distributor's order book)";

export const distributorTasks = [
  emptyTask("distributor", "Stage 4: cold-chain transport to Retailers, with routes and arrivals").build(),
  withDeployment(task(["distributor", "dispatch"], "Ships lots against an order along a route"), "the order's seller")
    .addOption(opt("order", ORDER))
    .addOption(opt("shipment", "Shipment number (default: the order number)"))
    .addOption(opt("lots", "Lots, comma-separated: ids, GS1 Digital Links or GTIN:LOT"))
    .addOption(opt("origin", "Dispatch point: GS1 GLN or location code, up to 32 bytes"))
    .addOption(opt("destination", "Receiving point: GS1 GLN or location code, up to 32 bytes"))
    .addOption(opt("mode", "road, rail, sea or air"))
    .addOption(opt("vehicle", "Registration of the truck, wagon, vessel or flight, up to 16 bytes"))
    .setAction(() => import("./actions/distributor-dispatch.js"))
    .build(),
  withDeployment(task(["distributor", "arrive"], "Confirms a shipment arrived, and where"), "the order's buyer")
    .addOption(opt("order", ORDER))
    .addOption(opt("location", "Where it arrived: GS1 GLN or location code, up to 32 bytes"))
    .setAction(() => import("./actions/distributor-arrive.js"))
    .build(),
];
