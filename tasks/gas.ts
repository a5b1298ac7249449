import { task } from "hardhat/config";

export const gasTasks = [
  task("gas-tables", "Measures every function's gas and prints the paper's Tables 2 and 3 with ours beside them")
    .addFlag({
      name: "check",
      description: "Do not write gas/tables.*; fail if the committed figures differ from the measured ones",
    })
    .setAction(() => import("./actions/gas-tables.js"))
    .build(),
];
