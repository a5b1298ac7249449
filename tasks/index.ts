import { deployTasks } from "./deploy.js";
import { gasTasks } from "./gas.js";
import { harvesterTasks } from "./harvester.js";
import { orderTasks } from "./order.js";
import { registryTasks } from "./registry.js";

export const fishTraceTasks = [...deployTasks, ...registryTasks, ...harvesterTasks, ...orderTasks, ...gasTasks];
