import { task } from "hardhat/config";

import { opt, withContracts } from "./options.js";

export const relayTasks = [
  withContracts(
    task(
      "relay",
      "Runs the QAT and sensor relay: devices POST readings, it stores them durably and puts them on chain in batches",
    ),
  )
    .addOption(
      opt(
        "db",
        "The relay's store: a SQLite file (default: relay-data/relay.sqlite) or postgres://… (several relays, one queue)",
      ),
    )
    .addOption(opt("host", "Address to listen on (default: 127.0.0.1)"))
    .addOption(opt("port", "Port to listen on (default: 8600; 0 for any free port)"))
    .addOption(
      opt(
        "key",
        "The relay account's private key (default: $FISHTRACE_RELAY_KEY; on a local chain Hardhat's account #19)",
      ),
    )
    .addOption(opt("qatBatch", "QAT readings per transaction (default: 100)"))
    .addOption(opt("sensorBatch", "Sensor readings per anchored root (default: 2048)"))
    .addOption(opt("maxAge", "Seconds a smaller batch waits before it is sent anyway (default: 2)"))
    .addFlag({
      name: "initStore",
      description: "Create the store (--db) if it is missing or empty (PostgreSQL: its schema); else it must exist",
    })
    .addOption(opt("sync", "full: every acknowledgement survives a power cut (default); normal: a crash only"))
    .addOption(
      opt("forwarder", "The deployment's ERC2771Forwarder: take sponsored actions (POST /v1/actions) through it"),
    )
    .addOption(opt("forwarderName", "The forwarder's EIP-712 domain name (default: FishTrace)"))
    .addOption(opt("sponsorRequests", "Sponsored requests one signer may send a day (default: 500)"))
    .addOption(opt("sponsorGas", "Gas one signer's sponsored requests may ask for a day (default: 5000000)"))
    .addOption(opt("actionBatch", "Sponsored actions per executeBatch transaction (default: 20)"))
    .addOption(opt("actionTargets", "Contracts sponsored calls may go to, comma-separated (default: the deployment's)"))
    .setAction(() => import("./actions/relay-run.js"))
    .build(),
];
