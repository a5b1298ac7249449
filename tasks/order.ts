import { emptyTask, task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

const BUYER = "the order's buyer";

export const orderTasks = [
  emptyTask("order", "The buyer's side of an order, with the price in escrow").build(),
  withDeployment(task(["order", "place"], "Orders fish from a Harvester, paying the price into escrow"), "account 2")
    .addOption(opt("seller", "The Harvester selling: an address or an account index"))
    .addOption(opt("species", "FAO 3-alpha species code, e.g. COD"))
    .addOption(opt("weight", "Minimum weight, e.g. 400kg"))
    .addOption(opt("price", "Price in ETH, held in escrow, e.g. 2.5"))
    .addOption(opt("shipBy", "Ship-by time: ISO 8601, unix seconds, or a delay such as 3d (default: 7d)"))
    .addOption(opt("ackWindow", "Time the buyer has to acknowledge once delivered, 1h..90d, e.g. 36h (default: 2d)"))
    .setAction(() => import("./actions/order-place.js"))
    .build(),
  withDeployment(task(["order", "acknowledge"], "Accepts the delivery: custody passes to the buyer"), BUYER)
    .addOption(opt("order", "Order number"))
    .setAction(() => import("./actions/order-acknowledge.js"))
    .build(),
  withDeployment(task(["order", "reject"], "Rejects the delivery: the lots go back, the price is refundable"), BUYER)
    .addOption(opt("order", "Order number"))
    .addOption(opt("reason", "Why, up to 32 bytes of text"))
    .setAction(() => import("./actions/order-reject.js"))
    .build(),
  withDeployment(task(["order", "cancel"], "Cancels an order before shipping (buyer: after the ship-by time)"), BUYER)
    .addOption(opt("order", "Order number"))
    .setAction(() => import("./actions/order-cancel.js"))
    .build(),
  withDeployment(
    task(["order", "claim"], "Seller: acknowledges for a buyer who let the deadline pass"),
    "the order's seller",
  )
    .addOption(opt("order", "Order number"))
    .setAction(() => import("./actions/order-claim.js"))
    .build(),
  withDeployment(
    task(["order", "withdraw"], "Pays out the escrow: the price to the seller, or the refund to the buyer"),
    "the party the order owes",
  )
    .addOption(opt("order", "Order number"))
    .setAction(() => import("./actions/order-withdraw.js"))
    .build(),
  withDeployment(task(["order", "show"], "Shows an order: parties, terms, shipment, deadline, escrow"), "account 0")
    .addOption(opt("order", "Order number"))
    .setAction(() => import("./actions/order-show.js"))
    .build(),
];
