import { analyticsTasks } from "./analytics.js";
import { apiKeyTasks } from "./apikey.js";
import { customerTasks } from "./customer.js";
import { deployTasks } from "./deploy.js";
import { distributorTasks } from "./distributor.js";
import { epcisTasks } from "./epcis.js";
import { exportTasks } from "./export.js";
import { gasTasks } from "./gas.js";
import { harvesterTasks } from "./harvester.js";
import { indexerTasks } from "./indexer.js";
import { lotTasks } from "./lot.js";
import { manufacturerTasks } from "./manufacturer.js";
import { masterDataTasks } from "./masterdata.js";
import { orderTasks } from "./order.js";
import { packTasks } from "./pack.js";
import { qatTasks } from "./qat.js";
import { recallTasks } from "./recall.js";
import { registryTasks } from "./registry.js";
import { relayTasks } from "./relay.js";
import { sensorTasks } from "./sensor.js";
import { traceTasks } from "./trace.js";

export const fishTraceTasks = [
  ...deployTasks,
  ...registryTasks,
  ...harvesterTasks,
  ...lotTasks,
  ...orderTasks,
  ...manufacturerTasks,
  ...packTasks,
  ...distributorTasks,
  ...customerTasks,
  ...qatTasks,
  ...sensorTasks,
  ...relayTasks,
  ...indexerTasks,
  ...traceTasks,
  ...epcisTasks,
  ...apiKeyTasks,
  ...recallTasks,
  ...exportTasks,
  ...masterDataTasks,
  ...gasTasks,
  ...analyticsTasks,
];
