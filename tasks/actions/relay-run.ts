import { BrowserProvider } from "ethers";

import { startRelay } from "../../src/services/relay/relay.js";
import { relaySettings, relayWallet, type RelayArgs } from "../../src/services/relay/options.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { deploymentOf, openSession } from "../session.js";

type Args = Omit<RelayArgs, "init"> & Omit<DeploymentArgs, "from"> & { initStore?: boolean };

export default fishTraceAction(async (args: Args, hre): Promise<void> => {
  const settings = relaySettings({ ...args, init: args.initStore === true });
  const session = await openSession(hre);
  const addresses = await deploymentOf(session, args);
  const provider = new BrowserProvider(session.connection.provider, undefined, { polling: true });
  const wallet = relayWallet(args.key, session.chainId, provider, (line) => console.log(line));
  const relay = await startRelay({ ...settings, provider, wallet, addresses, log: (line) => console.log(line) });
  console.log(
    `POST ${relay.url}/v1/qat/readings, ${relay.url}/v1/sensor/readings` +
      `${relay.forwarder === undefined ? "" : `, ${relay.url}/v1/actions`}; GET ${relay.url}/metrics, /healthz`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log("stopping: finishing the current round");
  await relay.close();
});
