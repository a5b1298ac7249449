/**
 * The EPCIS service without Hardhat (what a service manager runs, and what `npm run stack` starts):
 *
 *   node --import tsx src/services/epcis/main.ts --rpc http://127.0.0.1:8545 [--addresses addresses.json |
 *     --deployment <id>] [--db <PGlite folder>] [--port 8548] [--host 127.0.0.1] [--interval 5] [--key 0x…]
 *     [--public-url …] [--web-url …] [--trace-url …] [--webhook-hosts a.com,*.b.org] [--allow-loopback-webhooks]
 *
 * The same service as `npx hardhat epcis serve` (service.ts): the index (PGlite in --db, default
 * indexer-data/epcis-pglite, or PostgreSQL at DATABASE_URL) synced from the node every --interval seconds, the
 * EPCIS 2.0 query interface, capture, subscriptions and the resolver. Captured events' Merkle roots are anchored by
 * --key (or FISHTRACE_EPCIS_KEY), a registered participant's private key; without one they stay unanchored. The
 * deployment's addresses come from --addresses <file.json> or the Ignition journal of the chain. Stops on SIGINT /
 * SIGTERM; a bad flag is one line and exit 2.
 */
import { parseArgs } from "node:util";

import { Wallet } from "ethers";

import { describeError } from "../../core/errors.js";
import { InputError } from "../../core/input-error.js";
import { openIndex } from "../../index/db.js";
import { SCHEMA } from "../../index/schema.js";
import { syncIndex } from "../../index/sync.js";
import { serviceProvider } from "../../node/provider.js";
import { deploymentAddresses } from "../../node/system.js";
import { Registry__factory } from "../../../typechain-types/index.js";
import { serveOptions, untilStopped } from "../http/serve-loop.js";
import { CaptureAnchorer } from "./anchor.js";
import { resolverOrigins, runEpcis, startedLines, webhookPolicy } from "./service.js";

/** Where the service keeps its PGlite index unless --db says otherwise (apart from the tasks' indexer-data/pglite). */
const DEFAULT_DB = "indexer-data/epcis-pglite";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rpc: { type: "string", default: "http://127.0.0.1:8545" },
      addresses: { type: "string" },
      deployment: { type: "string" },
      db: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      interval: { type: "string" },
      key: { type: "string" },
      "public-url": { type: "string" },
      "web-url": { type: "string" },
      "trace-url": { type: "string" },
      "webhook-hosts": { type: "string" },
      "allow-loopback-webhooks": { type: "boolean", default: false },
    },
    strict: true,
  });
  const { port, host, interval } = serveOptions({ ...values, noSync: false }, 8548);
  const resolver = resolverOrigins({
    host,
    port,
    publicUrl: values["public-url"],
    webUrl: values["web-url"],
    traceUrl: values["trace-url"],
  });
  const webhooks = webhookPolicy(values["webhook-hosts"], values["allow-loopback-webhooks"]);
  const key = values.key ?? process.env.FISHTRACE_EPCIS_KEY;
  const provider = serviceProvider(values.rpc);
  const chainId = await provider
    .getNetwork()
    .then((n) => n.chainId)
    .catch(() => {
      throw new InputError(`no chain answers at --rpc ${values.rpc}`);
    });
  const addresses = await deploymentAddresses(chainId, values);
  let signer: Wallet | undefined;
  if (key !== undefined && key.trim() !== "") {
    try {
      signer = new Wallet(key.trim(), provider);
    } catch {
      throw new InputError("--key is not a private key (0x and 64 hex digits)");
    }
  }

  const sql = await openIndex({ dir: values.db ?? DEFAULT_DB });
  let run;
  let anchorer;
  try {
    await sql.exec(SCHEMA);
    const sync = () => syncIndex(sql, provider, addresses);
    await sync();
    anchorer =
      signer === undefined
        ? undefined
        : new CaptureAnchorer(sql, {
            registry: Registry__factory.connect(addresses.registry, signer),
            signer: signer.address,
            chainId,
            registryAddress: addresses.registry,
          });
    run = await runEpcis(sql, {
      host,
      port,
      resolver,
      webhooks,
      ...(values["public-url"] === undefined ? {} : { publicUrl: values["public-url"] }),
      refresh: { chainId },
      anchorer,
      sync,
      interval,
    });
  } catch (err) {
    await sql.close();
    throw err;
  }
  for (const line of startedLines(run, anchorer)) console.log(line);
  await untilStopped();
  await run.stop();
  await sql.close();
  provider.destroy();
  console.log("stopped");
}

/** A refusal of what the command line gave (a bad or unknown flag): exit 2, as the tasks' usage errors. */
const isUsageError = (err: unknown): boolean =>
  err instanceof InputError ||
  (err instanceof Error && "code" in err && typeof err.code === "string" && err.code.startsWith("ERR_PARSE_ARGS"));

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error && isUsageError(err) ? err.message : describeError(err)}`);
  process.exit(isUsageError(err) ? 2 : 1);
});
