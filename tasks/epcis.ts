import { emptyTask, task } from "hardhat/config";

import { opt, withContracts } from "./options.js";

export const epcisTasks = [
  emptyTask("epcis", "The EPCIS 2.0 query interface (GS1 REST binding) over the trace index").build(),
  withContracts(
    task(
      ["epcis", "serve"],
      "Serves the EPCIS 2.0 query interface over HTTP (GET /epcis/events, /epcis/{eventTypes|epcs|bizSteps|…}, " +
        "/epcis/queries), the capture interface (POST /epcis/capture) and a GS1-Conformant resolver (/01/{gtin}/10/{lot}, /.well-known/gs1resolver)",
    ),
  )
    .addOption(opt("port", "TCP port (default: 8548)"))
    .addOption(opt("host", "Interface to listen on (default: 127.0.0.1)"))
    .addOption(opt("interval", "Seconds between index syncs while serving (default: 5; 0 never syncs again)"))
    .addOption(
      opt(
        "masterData",
        "Master-data files (JSON or CSV) for the GDST KDEs the chain does not hold, comma-separated, as for " +
          "export epcis",
      ),
    )
    .addOption(
      opt(
        "publicUrl",
        "The service's public origin: the Link header's next pages, the resolver's root (default: the request's " +
          "Host; the resolver: http://<host>:<port>)",
      ),
    )
    .addOption(
      opt("webUrl", "The dApp's origin, for the resolver's journey-page links (default: http://127.0.0.1:5173)"),
    )
    .addOption(
      opt("traceUrl", "The trace API's origin, for the resolver's trace links (default: http://127.0.0.1:8547)"),
    )
    .addOption(
      opt(
        "db",
        "PGlite directory of the index (default: indexer-data/pglite, or in memory on the in-process network; " +
          "ignored with DATABASE_URL)",
      ),
    )
    .addOption(
      opt(
        "webhookHosts",
        "The only hosts subscriptions' webhooks may call, comma-separated (partner.example.com, *.example.com; " +
          "default: any host whose addresses are all public)",
      ),
    )
    .addFlag({
      name: "allowLoopbackWebhooks",
      description: "Let webhooks call this machine (127.0.0.1, localhost): a receiver on the same host, tests",
    })
    .addFlag({ name: "noSync", description: "Serve the index as it is (another process keeps it up to date)" })
    .addOption(
      opt(
        "from",
        "Who anchors captured events' Merkle roots (Registry.anchorDocuments; a registered participant): an address " +
          "or an index into the network's accounts (default: 0)",
      ),
    )
    .addFlag({ name: "noAnchor", description: "Keep captured events unanchored (no signer)" })
    .setAction(() => import("./actions/epcis-serve.js"))
    .build(),
];
