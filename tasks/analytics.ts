import { emptyTask, task } from "hardhat/config";

import { opt, withContracts } from "./options.js";

const dbOption = () =>
  opt(
    "db",
    "PGlite directory of the index (default: indexer-data/pglite, or in memory on the in-process network; ignored " +
      "with DATABASE_URL)",
  );
const noSync = {
  name: "noSync" as const,
  description: "Read the index as it is, without bringing it up to date first",
};
const intakeOption = () =>
  opt("intake", 'Intake weighings by leg: a JSON file {"<stage>:<order id>": grams, …} from the receiving stations');
const modelOption = () =>
  opt("model", "The anomaly detector's model file (default: trained in memory on the indexed history)");

export const analyticsTasks = [
  emptyTask("analytics", "Anomalies, demand forecasts and shelf-life-first dispatch over the trace index").build(),
  withContracts(
    task(["analytics", "train"], "Trains the anomaly detector on the indexed history; writes its model file"),
  )
    .addOption(opt("out", "The model file to write (default: models/anomaly-detector.json)"))
    .addOption(intakeOption())
    .addOption(dbOption())
    .addFlag(noSync)
    .setAction(() => import("./actions/analytics-train.js"))
    .build(),
  withContracts(
    task(["analytics", "anomalies"], "Lists the anomalies the detector finds in the indexed history, with why"),
  )
    .addOption(modelOption())
    .addOption(opt("lot", "Only the anomalies touching this lot: an id, GTIN:LOT or a GS1 Digital Link"))
    .addOption(opt("json", "Also write the findings as JSON to this file"))
    .addOption(intakeOption())
    .addOption(dbOption())
    .addFlag(noSync)
    .setAction(() => import("./actions/analytics-anomalies.js"))
    .build(),
  withContracts(
    task(
      ["analytics", "forecast"],
      "Forecasts daily retail sales per species and retailer (SARIMA beside seasonal naive)",
    ),
  )
    .addOption(opt("species", "FAO 3-alpha code (default: every species sold)"))
    .addOption(opt("retailer", "The retailer: participant id or account (default: every retailer)"))
    .addOption(opt("days", "Days to forecast, 1..60 (default: 7)"))
    .addOption(opt("json", "Also write the forecasts as JSON to this file"))
    .addOption(dbOption())
    .addFlag(noSync)
    .setAction(() => import("./actions/analytics-forecast.js"))
    .build(),
  withContracts(
    task(
      ["analytics", "dispatch"],
      "Ranks the lots held at distributors, shortest shelf life first, with where and why",
    ),
  )
    .addOption(opt("hub", "The distributor: participant id or account (default: every distributor holding lots)"))
    .addOption(opt("json", "Also write the advice as JSON to this file"))
    .addOption(dbOption())
    .addFlag(noSync)
    .setAction(() => import("./actions/analytics-dispatch.js"))
    .build(),
];
