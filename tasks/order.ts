import { emptyTask, task } from "hardhat/config";

import { opt, sellerStageOption, withDeployment } from "./options.js";

const BUYER = "the order's buyer";
const SELLER = "the order's seller";
const ORDER = "Order number (in the seller stage's order book)";

export const orderTasks = [
  emptyTask("order", "Orders between a stage (--stage, the seller) and the next, with the price in escrow").build(),
  withDeployment(
    task(["order", "place"], "Orders fish from the seller's stage, paying the price into escrow"),
    "the first account holding the buying stage's role",
  )
    .addOption(sellerStageOption())
    .addOption(opt("seller", "The seller: an address or an account index (default: the first holding its role)"))
    .addOption(opt("species", "FAO 3-alpha species code, e.g. COD"))
    .addOption(opt("weight", "Minimum weight, e.g. 400kg"))
    .addOption(opt("price", "Price in ETH, or in the deployment's settlement token, held in escrow, e.g. 2.5"))
    .addOption(opt("shipBy", "Ship-by time: ISO 8601, unix seconds, or a delay such as 3d (default: 7d)"))
    .addOption(opt("ackWindow", "Time the buyer has to acknowledge once delivered, 1h..90d, e.g. 36h (default: 2d)"))
    .addFlag({
      name: "permit",
      description: "Token deployments: pay with an EIP-2612 permit signature instead of an approve transaction",
    })
    .setAction(() => import("./actions/order-place.js"))
    .build(),
  withDeployment(task(["order", "ship"], "Seller: ships lots against an order (Initiate_shipment)"), SELLER)
    .addOption(sellerStageOption())
    .addOption(opt("order", ORDER))
    .addOption(opt("shipment", "Shipment number (default: the order number)"))
    .addOption(opt("lots", "Lots, comma-separated: ids, GS1 Digital Links or GTIN:LOT"))
    .setAction(() => import("./actions/order-ship.js"))
    .build(),
  withDeployment(task(["order", "confirm"], "Confirms a shipment was delivered (Confirm_delivery)"), SELLER)
    .addOption(sellerStageOption())
    .addOption(opt("order", ORDER))
    .setAction(() => import("./actions/order-confirm.js"))
    .build(),
  withDeployment(task(["order", "acknowledge"], "Buyer: accepts the delivery; the lots pass to the next stage"), BUYER)
    .addOption(sellerStageOption())
    .addOption(opt("order", ORDER))
    .setAction(() => import("./actions/order-acknowledge.js"))
    .build(),
  withDeployment(
    task(["order", "reject"], "Buyer: rejects the delivery; the lots go back, the price is refundable"),
    BUYER,
  )
    .addOption(sellerStageOption())
    .addOption(opt("order", ORDER))
    .addOption(opt("reason", "Why, up to 32 bytes of text"))
    .setAction(() => import("./actions/order-reject.js"))
    .build(),
  withDeployment(task(["order", "cancel"], "Cancels an order before shipping (buyer: after the ship-by time)"), BUYER)
    .addOption(sellerStageOption())
    .addOption(opt("order", ORDER))
    .setAction(() => import("./actions/order-cancel.js"))
    .build(),
  withDeployment(task(["order", "claim"], "Seller: acknowledges for a buyer who let the deadline pass"), SELLER)
    .addOption(sellerStageOption())
    .addOption(opt("order", ORDER))
    .setAction(() => import("./actions/order-claim.js"))
    .build(),
  withDeployment(
    task(["order", "withdraw"], "Pays out the escrow: the price to the seller, or the refund to the buyer"),
    "the party the order owes",
  )
    .addOption(sellerStageOption())
    .addOption(opt("order", ORDER))
    .setAction(() => import("./actions/order-withdraw.js"))
    .build(),
  withDeployment(task(["order", "show"], "Shows an order: parties, terms, shipment, deadline, escrow"), "account 0")
    .addOption(sellerStageOption())
    .addOption(opt("order", ORDER))
    .setAction(() => import("./actions/order-show.js"))
    .build(),
];
