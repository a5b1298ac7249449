import { emptyTask, task } from "hardhat/config";

import { opt, withDeployment } from "./options.js";

const ADMIN = "account 0, the registry admin";

export const registryTasks = [
  emptyTask("participant", "Registry admin: enrol participants").build(),
  withDeployment(task(["participant", "add"], "Enrols an account in a role with its name and location"), ADMIN)
    .addOption(opt("address", "The participant's account: an address or an account index"))
    .addOption(opt("role", "HARVESTER, SUPPLIER, MANUFACTURER, DISTRIBUTOR, RETAILER, CUSTOMER, REGULATOR or RELAYER"))
    .addOption(opt("name", 'Display name, e.g. "MV Nordkapp"'))
    .addOption(opt("location", "GS1 GLN or another location code"))
    .setAction(() => import("./actions/participant-add.js"))
    .build(),

  emptyTask("device", "Registry admin: bind devices to their operators").build(),
  withDeployment(task(["device", "add"], "Registers a device key acting for the participant that operates it"), ADMIN)
    .addOption(opt("address", "The device's account: an address or an account index"))
    .addOption(opt("role", "SENSOR_GATEWAY or QAT_DEVICE"))
    .addOption(opt("operator", "The operating participant: an address or an account index"))
    .setAction(() => import("./actions/device-add.js"))
    .build(),

  emptyTask("species", "Registry admin: the species list").build(),
  withDeployment(task(["species", "add"], "Lists a species code lots may carry"), ADMIN)
    .addOption(opt("code", "FAO ASFIS 3-alpha code, e.g. COD"))
    .addOption(opt("name", 'Common name, e.g. "Atlantic cod"'))
    .setAction(() => import("./actions/species-add.js"))
    .build(),
];
