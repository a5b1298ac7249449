import { task } from "hardhat/config";

import { opt } from "./options.js";

export const deployTasks = [
  task("deploy", "Deploys the registry and the six stage contracts through the Ignition module; prints the addresses")
    .addOption(opt("from", "Deployer: must be account 0, which the Ignition module makes the registry admin"))
    .addOption(opt("token", "Settle orders in this ERC-20 (an address; a standard token, not fee-on-transfer)"))
    .addFlag({
      name: "testToken",
      description: "Deploy the test stablecoin FishTraceUSD (fUSD, 6 decimals) and settle orders in it",
    })
    .addFlag({
      name: "reset",
      description: "Forget the deployment Ignition recorded for this chain first (after restarting a node)",
    })
    .setAction(() => import("./actions/deploy.js"))
    .build(),
];
