import { rm } from "node:fs/promises";
import path from "node:path";

import { isAddress } from "ethers";

import { settlementOf } from "../../src/core/deployment.js";
import { deployWithReport } from "../../src/node/deploy.js";
import { deploymentIdOf, recordedAddresses } from "../../src/node/system.js";
import { txText } from "../../src/core/format.js";
import { InputError } from "../../src/core/input-error.js";
import { fishTraceAction } from "../run.js";
import { openSession, rememberDeployment, signerFor } from "../session.js";

/** The chain id of Hardhat's own networks, whose nodes start empty on every restart. */
const HARDHAT_CHAIN_ID = 31337n;

interface Args {
  from?: string;
  reset: boolean;
  token?: string;
  testToken: boolean;
}

/** The `settlementToken` deploy option from `--token` / `--test-token` (Ether when neither). */
function settlementChoice(token: string | undefined, testToken: boolean): { settlementToken?: string } {
  if (token !== undefined && testToken) throw new InputError("give --token or --test-token, not both");
  if (testToken) return { settlementToken: "test" };
  if (token === undefined) return {};
  if (!isAddress(token)) throw new InputError(`--token ${token} is not an address`);
  return { settlementToken: token };
}

export default fishTraceAction(async ({ from, reset, token, testToken }: Args, hre) => {
  const settlement = settlementChoice(token, testToken);
  const session = await openSession(hre);
  const deployer = signerFor(session, from, 0);
  if (deployer.address !== session.accounts[0]?.address) {
    throw new InputError(
      `--from must be account 0 (${session.accounts[0]?.address}): the Ignition module makes it the admin`,
    );
  }
  const deploymentId = deploymentIdOf(session.chainId);
  const journal = path.join(hre.config.paths.ignition, "deployments", deploymentId);
  if (!session.inProcess) {
    // A Hardhat node forgets its chain when restarted, Ignition's journal does not: start afresh on one.
    const recorded = await recordedAddresses(session.chainId, session.ignitionDir).catch(() => undefined);
    const stale = recorded !== undefined && (await session.ethers.provider.getCode(recorded.registry)) === "0x";
    if (stale && !reset && session.chainId !== HARDHAT_CHAIN_ID) {
      throw new InputError(
        `Ignition's journal ${path.relative(process.cwd(), journal)} lists a registry at ${recorded.registry}, ` +
          `but ${session.networkName} has no code there; run deploy again with --reset to deploy afresh`,
      );
    }
    if (stale)
      console.log(`the deployment recorded for chain ${session.chainId} is not on this node: deploying afresh`);
    if (stale || reset) await rm(journal, { recursive: true, force: true });
  }

  const { fishTrace, addresses, transactions } = await deployWithReport(session.connection, {
    ...(session.inProcess ? {} : { deploymentId }),
    ...settlement,
  });
  rememberDeployment(session, addresses);

  console.log(`FishTrace on ${session.networkName} (chain ${session.chainId}), admin ${deployer.address}:`);
  for (const [key, address] of Object.entries(addresses)) {
    console.log(`  ${(key.charAt(0).toUpperCase() + key.slice(1)).padEnd(13)}${address}`);
  }
  const { token: settledIn, symbol, decimals, forwarder } = await settlementOf(fishTrace, session.ethers.provider);
  console.log(`  Settlement   ${settledIn === undefined ? "ETH" : `${symbol} (${decimals} decimals) at ${settledIn}`}`);
  if (forwarder !== undefined) console.log(`  Forwarder    ${forwarder} (ERC-2771, domain "FishTrace")`);
  if (transactions.length === 0)
    console.log("  already deployed: Ignition found this module in its journal, nothing sent");
  for (const { what, receipt } of transactions) console.log(`  ${what}: ${txText(receipt)}`);
  if (session.inProcess) {
    console.log(
      "note: this is Hardhat's in-process network, gone when the command exits; for the other tasks start a node " +
        "(npx hardhat node --hostname 127.0.0.1) and deploy with --network localhost",
    );
  } else {
    console.log(`Ignition recorded the addresses in ${path.relative(process.cwd(), journal)}/deployed_addresses.json`);
  }
  return addresses;
});
