import { emptyTask, task } from "hardhat/config";

import { opt, sellerStageOption, stageOption, withContracts, withDeployment } from "./options.js";

export const qatTasks = [
  emptyTask("qat", "QAT scans: devices sign what they scan (EIP-712), anyone relays the signed readings").build(),
  withContracts(
    task(["qat", "sign"], "Device simulator: signs the scans of a readings file for the deployment's quality ledger"),
  )
    .addOption(
      opt(
        "in",
        "Readings file, JSON or CSV with columns readingId,lot,species,speciesConfidence,grade,gradeConfidence,scannedAt",
      ),
    )
    .addOption(opt("out", "Where to write the signed readings (JSON)"))
    .addOption(opt("key", "The device's private key (hex): a device key outside the node's accounts"))
    .addOption(opt("device", "Or the device as one of the node's accounts: an address or an account index"))
    .setAction(() => import("./actions/qat-sign.js"))
    .build(),
  withDeployment(
    task(["qat", "relay"], "Submits signed readings to the quality ledger, skipping those already on chain"),
    "account 0; anyone may submit",
  )
    .addOption(opt("in", "Signed readings, as qat sign writes them (JSON)"))
    .addOption(stageOption("The stage that holds every lot of the file (default: found per lot)"))
    .addOption(opt("batch", "Readings per transaction (default: 20)"))
    .setAction(() => import("./actions/qat-relay.js"))
    .build(),
  withDeployment(
    task(["qat", "receive"], "Submits a buyer's receiving scans of a shipment on its way (before acknowledging)"),
    "account 0; anyone may submit",
  )
    .addOption(opt("in", "Signed readings by the buyer's QAT devices, as qat sign writes them (JSON)"))
    .addOption(sellerStageOption())
    .addOption(opt("order", "Order number (in the seller stage's order book) the lots are shipped under"))
    .setAction(() => import("./actions/qat-receive.js"))
    .build(),
];
