/**
 * `npm run stack`: FishTrace on this machine in one command (src/tools/local-stack.ts) — a hardhat node seeded by the
 * demo, the relay, the trace API, the EPCIS service, the dApp and, when installed, Prometheus — then a table of its URLs and the demo's
 * accounts with their (test) keys. Ctrl-C or SIGTERM stops everything and exits 0; if a process of the stack dies,
 * the rest is stopped and it exits 1 with one line saying which.
 *
 *   npm run stack -- [--port-node 8545] [--port-web 5173] [--port-relay 8600] [--port-trace 8547]
 *                    [--port-epcis 8548] [--port-prometheus 9090] [--seed demo|none] [--no-prometheus] [--dir .stack/<node port>]
 *                    [--web-dist web/dist] [--settlement fusd|eth]
 *
 * Orders settle in the test stablecoin FishTraceUSD (fUSD) unless `--settlement eth`.
 *
 * The dApp must be built (`npm run stack` builds it; `npm run web:build` alone).
 */
import { parseArgs } from "node:util";

import { HDNodeWallet, JsonRpcProvider } from "ethers";

import { DEV_ACCOUNT_INDEX } from "../services/relay/options.js";
import {
  DEFAULT_PORTS,
  startLocalStack,
  TEST_MNEMONIC,
  testKey,
  type LocalStack,
  type LocalStackOptions,
  type StackService,
} from "./local-stack.js";
import { attachFishTrace, settlementOf } from "../core/deployment.js";
import { InputError } from "../core/input-error.js";
import { demoSettlement } from "./demo/seeding.js";
import { wholeNumber } from "../core/units.js";

const SERVICES: StackService[] = ["node", "web", "relay", "trace", "epcis", "prometheus"];

const USAGE =
  "usage: npm run stack -- [--port-node N] [--port-web N] [--port-relay N] [--port-trace N] [--port-epcis N] " +
  "[--port-prometheus N] " +
  "[--seed demo|none] [--no-prometheus] [--dir DIR] [--web-dist web/dist] [--settlement fusd|eth]";

/** The stack's options from the command line; a one-line InputError for anything wrong. */
export function stackOptions(argv: string[]): LocalStackOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "port-node": { type: "string" },
        "port-web": { type: "string" },
        "port-relay": { type: "string" },
        "port-trace": { type: "string" },
        "port-epcis": { type: "string" },
        "port-prometheus": { type: "string" },
        seed: { type: "string" },
        "no-prometheus": { type: "boolean" },
        dir: { type: "string" },
        "web-dist": { type: "string" },
        settlement: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new InputError(`${err instanceof Error ? err.message.split("\n")[0] : String(err)}; ${USAGE}`);
  }
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const ports: NonNullable<LocalStackOptions["ports"]> = {};
  for (const service of SERVICES) {
    const value = values[`port-${service}`];
    if (value !== undefined) ports[service] = wholeNumber(value, `--port-${service}`, 65_535);
  }
  const seed = values.seed?.trim() ?? "demo";
  if (seed !== "demo" && seed !== "none") throw new InputError(`--seed "${values.seed}" is not demo or none`);
  const settlement = demoSettlement(values.settlement ?? "fusd", "--settlement");
  return {
    ports,
    seed,
    settlement,
    ...(values["no-prometheus"] === true ? { prometheus: false } : {}),
    ...(values.dir === undefined ? {} : { dir: values.dir }),
    ...(values["web-dist"] === undefined ? {} : { webDist: values["web-dist"] }),
  };
}

/** The demo's accounts by role, with their Hardhat test keys, and the relay's. */
function accountLines(stack: LocalStack): string[] {
  const rows = Object.entries(stack.facts.accounts).map(([role, { address, index }]) => {
    return { role, index: `#${index}`, address, key: testKey(index) };
  });
  const relay = HDNodeWallet.fromPhrase(TEST_MNEMONIC, "", `m/44'/60'/0'/0/${DEV_ACCOUNT_INDEX}`);
  rows.push({ role: "relay", index: `#${DEV_ACCOUNT_INDEX}`, address: relay.address, key: relay.privateKey });
  const width = Math.max(...rows.map((r) => r.role.length));
  return rows.map(
    ({ role, index, address, key }) => `  ${role.padEnd(width)}  ${index.padStart(3)}  ${address}  ${key}`,
  );
}

/** What the stack's orders settle in, read from its registry: "fUSD (6 decimals) at 0x…", or "ETH". */
async function settlementLine(stack: LocalStack): Promise<string> {
  const provider = new JsonRpcProvider(stack.urls.node, undefined, { staticNetwork: true });
  try {
    const { token, symbol, decimals } = await settlementOf(attachFishTrace(stack.config.addresses, provider), provider);
    return token === undefined
      ? "ETH (--settlement eth)"
      : `${symbol} (${decimals} decimals) at ${token}, the test token`;
  } finally {
    provider.destroy();
  }
}

function table(stack: LocalStack, settlement: string): string {
  const urls: [string, string][] = [
    ["dApp", stack.urls.web],
    ["node (JSON-RPC, chain 31337)", stack.urls.node],
    ["trace API", `${stack.urls.trace}/v1/journey/:lot`],
    ["analytics", `${stack.urls.trace}/v1/analytics/anomalies (/forecast, /dispatch, /model, /metrics)`],
    ["relay", `${stack.urls.relay}/healthz`],
    ["EPCIS 2.0 query interface", `${stack.urls.epcis}/epcis/events`],
    ["GS1 resolver", `${stack.urls.epcis}/.well-known/gs1resolver`],
  ];
  if (stack.urls.prometheus !== undefined) urls.push(["Prometheus", stack.urls.prometheus]);
  const width = Math.max(...urls.map(([name]) => name.length));
  const pack = stack.facts.packs.find((p) => !p.recalled);
  const recalled = stack.facts.packs.find((p) => p.recalled);
  const link = (p: { gtin: string; lotNumber: string }) =>
    `${stack.urls.web}/01/${p.gtin}/10/${encodeURIComponent(p.lotNumber)}`;
  return [
    "",
    "FishTrace local stack",
    ...urls.map(([name, url]) => `  ${name.padEnd(width)}  ${url}`),
    ...(pack === undefined ? [] : [`  ${"a demo pack".padEnd(width)}  ${link(pack)}`]),
    ...(recalled === undefined ? [] : [`  ${"a recalled pack".padEnd(width)}  ${link(recalled)}`]),
    `  ${"orders settle in".padEnd(width)}  ${settlement}`,
    "",
    "Demo accounts (Hardhat's test mnemonic — test keys, never use with real funds):",
    ...accountLines(stack),
    "",
    `A wallet: add network ${stack.config.chainName}, RPC ${stack.config.walletRpcUrl}, chain id ${stack.config.chainId}; ` +
      "import a key above; after a restart, reset the account's activity (nonces).",
    "Ctrl-C stops everything.",
    "",
  ].join("\n");
}

async function main(): Promise<number> {
  const options = stackOptions(process.argv.slice(2));
  const interrupted = new AbortController();
  let stack: LocalStack | undefined;
  let signalled: (() => void) | undefined;
  const stopRequested = new Promise<"signal">((resolve) => {
    signalled = () => resolve("signal");
  });
  const onSignal = () => {
    interrupted.abort();
    signalled?.();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const log = (line: string) => console.log(`stack: ${line}`);
  const shown = SERVICES.filter((s) => s !== "prometheus" || options.prometheus !== false);
  console.log(
    `stack: starting (ports ${shown.map((s) => `${s} ${options.ports?.[s] ?? DEFAULT_PORTS[s]}`).join(", ")})`,
  );
  try {
    stack = await startLocalStack({ ...options, log, signal: interrupted.signal });
  } catch (err) {
    if (interrupted.signal.aborted) {
      console.log("stack: stopped before it was up");
      return 0;
    }
    throw err;
  }
  console.log(table(stack, await settlementLine(stack)));
  const outcome = await Promise.race([stopRequested, stack.died]);
  if (outcome === "signal") {
    console.log("stack: stopping");
    await stack.stop();
    console.log("stack: stopped");
    return 0;
  }
  console.error(`error: ${outcome}`);
  await stack.stop();
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`error: ${message.split("\n")[0]}`);
    process.exit(1);
  },
);
