import { emptyTask, task } from "hardhat/config";

import { opt, withContracts, withDeployment } from "./options.js";

export const sensorTasks = [
  emptyTask("sensor", "Cold-chain sensor batches: Merkle roots anchored on chain, any reading provable").build(),
  withDeployment(
    task(["sensor", "anchor"], "Gateway: anchors the Merkle root and summary of a sensor log for lots or a shipment"),
    "a SENSOR_GATEWAY among the accounts operated by the lots' custodian",
  )
    .addOption(opt("in", "Sensor log, CSV (or JSON) with columns sensor,readAt,temperature,humidity (°C, %)"))
    .addOption(opt("out", "Where to write the root, summary, tree and per-reading proofs (JSON)"))
    .addOption(opt("lots", "Lots, comma-separated: ids, GS1 Digital Links or GTIN:LOT"))
    .addOption(opt("order", "Or an order: the lots shipped against it"))
    .addOption(
      opt(
        "stage",
        "With --lots: the stage holding them (default: found); with --order: the seller's stage, whose order book " +
          "holds it (default: harvester)",
      ),
    )
    .setAction(() => import("./actions/sensor-anchor.js"))
    .build(),
  withContracts(task(["sensor", "prove"], "Proves one reading of a proofs file against its root on chain"))
    .addOption(opt("proofs", "Proofs file, as sensor anchor wrote it"))
    .addOption(opt("index", "The reading's position in the file's proofs list, from 0"))
    .addOption(opt("sensor", "Or the reading's sensor address (with --at)"))
    .addOption(opt("at", "The reading's time: ISO 8601 or unix seconds (with --sensor)"))
    .setAction(() => import("./actions/sensor-prove.js"))
    .build(),
];
