import { emptyTask, task } from "hardhat/config";

import { opt } from "./options.js";

const dbOption = () =>
  opt("db", "PGlite directory of the index the servers read (default: indexer-data/pglite; ignored with DATABASE_URL)");

export const apiKeyTasks = [
  emptyTask("apikey", "API keys of the trace API and the EPCIS interface: partner and regulator scopes").build(),
  task(["apikey", "create"], "Creates an API key for a party (GLN) with a scope; prints the key once")
    .addOption(opt("party", "The key holder's GLN (13 digits with its GS1 check digit)"))
    .addOption(opt("scope", "partner (its lots and their one-up/one-down) or regulator (everything)"))
    .addOption(opt("label", "A note kept beside the key (who holds it, what for)"))
    .addOption(dbOption())
    .setAction(() => import("./actions/apikey-create.js"))
    .build(),
  task(["apikey", "list"], "Lists the API keys: id, party, scope, label, created, revoked (never the key)")
    .addOption(dbOption())
    .setAction(() => import("./actions/apikey-list.js"))
    .build(),
  task(["apikey", "revoke"], "Revokes an API key: refused (401) from now on")
    .addOption(opt("id", "The key's id, as apikey list shows it"))
    .addOption(dbOption())
    .setAction(() => import("./actions/apikey-revoke.js"))
    .build(),
];
