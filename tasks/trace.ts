import { task } from "hardhat/config";

import { opt, withContracts } from "./options.js";

const dbOption = () =>
  opt(
    "db",
    "PGlite directory of the index (default: indexer-data/pglite, or in memory on the in-process network; ignored " +
      "with DATABASE_URL)",
  );

export const traceTasks = [
  withContracts(
    task("trace", "Traces a lot through the index: back to every catch, forward to every pack, holders and buyers"),
  )
    .addOption(opt("lot", "The lot: an id, a GS1 Digital Link, GTIN:LOT or (01)…(10)…"))
    .addOption(opt("link", "Or the lot's GS1 Digital Link (https://id.gs1.org/01/{GTIN}/10/{lot})"))
    .addOption(opt("direction", "backward (to the catches), forward (to the packs) or both (default: both)"))
    .addOption(opt("json", "Also write the trace as JSON to this file"))
    .addOption(opt("svg", "Also write the trace as an SVG graph to this file"))
    .addOption(dbOption())
    .addFlag({ name: "noSync", description: "Read the index as it is, without bringing it up to date first" })
    .setAction(() => import("./actions/trace.js"))
    .build(),
  withContracts(
    task(
      ["trace", "serve"],
      "Serves the trace API over HTTP (GET /v1/trace/:lot, /v1/journey/:lot, /v1/participants/:account, /v1/analytics/…)",
    ),
  )
    .addOption(opt("port", "TCP port (default: 8547)"))
    .addOption(opt("host", "Interface to listen on (default: 127.0.0.1)"))
    .addOption(opt("interval", "Seconds between index syncs while serving (default: 5; 0 never syncs again)"))
    .addOption(
      opt("model", "Anomaly detector model file for /v1/analytics (default: trained in memory on the indexed history)"),
    )
    .addOption(opt("intake", 'Intake weighings by leg for /v1/analytics: a JSON file {"<stage>:<order id>": grams, …}'))
    .addOption(dbOption())
    .addFlag({ name: "noSync", description: "Serve the index as it is (another process keeps it up to date)" })
    .setAction(() => import("./actions/trace-serve.js"))
    .build(),
];
