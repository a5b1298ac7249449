import { task } from "hardhat/config";

import { opt } from "./options.js";

export const deployTasks = [
  task("deploy", "Deploys the registry and the six stage contracts through the Ignition module; prints the addresses")
    .addOption(opt("from", "Deployer: must be account 0, which the Ignition module makes the registry admin"))
    .addFlag({
      name: "reset",
      description: "Forget the deployment Ignition recorded for this chain first (after restarting a node)",
    })
    .setAction(() => import("./actions/deploy.js"))
    .build(),
];
