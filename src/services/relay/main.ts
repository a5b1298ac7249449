/**
 * The relay without Hardhat: `node --import tsx src/services/relay/main.ts --rpc http://127.0.0.1:8545 [--deployment <dir>]`
 * (what a service manager runs, and what the crash test kills and restarts). The deployment's addresses come from
 * the Ignition journal of the chain (`ignition/deployments/chain-<id>`, or --deployment <id>) or --addresses
 * <file.json> (keys registry, harvester … customer, qualityLedger). The store (--db) must exist unless --init is
 * given. Stops cleanly on SIGINT / SIGTERM.
 */
import { parseArgs } from "node:util";

import { JsonRpcProvider } from "ethers";

import { describeError } from "../../core/errors.js";
import { deploymentAddresses } from "../../node/system.js";
import { InputError } from "../../core/input-error.js";
import { relaySettings, relayWallet } from "./options.js";
import { startRelay } from "./relay.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rpc: { type: "string", default: "http://127.0.0.1:8545" },
      deployment: { type: "string" },
      addresses: { type: "string" },
      db: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      key: { type: "string" },
      "qat-batch": { type: "string" },
      "sensor-batch": { type: "string" },
      "max-age": { type: "string" },
      sync: { type: "string" },
      init: { type: "boolean", default: false },
      forwarder: { type: "string" },
      "forwarder-name": { type: "string" },
      "sponsor-requests": { type: "string" },
      "sponsor-gas": { type: "string" },
      "action-batch": { type: "string" },
      "action-targets": { type: "string" },
    },
    strict: true,
  });
  const settings = relaySettings({
    db: values.db,
    host: values.host,
    port: values.port,
    qatBatch: values["qat-batch"],
    sensorBatch: values["sensor-batch"],
    maxAge: values["max-age"],
    sync: values.sync,
    init: values.init,
    forwarder: values.forwarder,
    forwarderName: values["forwarder-name"],
    sponsorRequests: values["sponsor-requests"],
    sponsorGas: values["sponsor-gas"],
    actionBatch: values["action-batch"],
    actionTargets: values["action-targets"],
  });
  const provider = new JsonRpcProvider(values.rpc, undefined, { staticNetwork: true, polling: true });
  const chainId = await provider
    .getNetwork()
    .then((n) => n.chainId)
    .catch(() => {
      throw new InputError(`no chain answers at --rpc ${values.rpc}`);
    });
  const addresses = await deploymentAddresses(chainId, values);
  const wallet = relayWallet(values.key, chainId, provider, (line) => console.log(line));
  const relay = await startRelay({ ...settings, provider, wallet, addresses, log: (line) => console.log(line) });
  const stop = () => {
    console.log("stopping: finishing the current round");
    relay.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`error: ${describeError(err)}`);
  process.exit(1);
});
