import { Registry__factory } from "../../typechain-types/index.js";
import { readMasterData } from "../../src/exports/master-data.js";
import { CaptureAnchorer } from "../../src/services/epcis/anchor.js";
import { resolverOrigins, runEpcis, startedLines, webhookPolicy } from "../../src/services/epcis/service.js";
import { fishTraceAction } from "../run.js";
import { serveOptions, untilStopped, type ServeArgs } from "../../src/services/http/serve-loop.js";
import { signerFor } from "../session.js";
import { openTraceIndex, type TraceIndex, type TraceIndexArgs } from "./trace-index.js";

interface Args extends TraceIndexArgs, ServeArgs {
  from?: string;
  noAnchor: boolean;
  masterData?: string;
  publicUrl?: string;
  webUrl?: string;
  traceUrl?: string;
  webhookHosts?: string;
  allowLoopbackWebhooks: boolean;
}

export default fishTraceAction(async (args: Args, hre): Promise<{ url: string }> => {
  const { port, host, interval } = serveOptions(args, 8548);
  const resolver = resolverOrigins({
    publicUrl: args.publicUrl,
    webUrl: args.webUrl,
    traceUrl: args.traceUrl,
    host,
    port,
  });
  const webhooks = webhookPolicy(args.webhookHosts, args.allowLoopbackWebhooks);
  const masterData = args.masterData === undefined ? undefined : await readMasterData(args.masterData);
  const index = await openTraceIndex(hre, args, !args.noSync);
  let run;
  let anchorer;
  try {
    anchorer = args.noAnchor ? undefined : anchorerOf(index, args.from);
    run = await runEpcis(index.sql, {
      host,
      port,
      resolver,
      webhooks,
      ...(args.publicUrl === undefined ? {} : { publicUrl: args.publicUrl }),
      refresh: {
        ...(index.session === undefined ? {} : { chainId: index.session.chainId }),
        ...(masterData === undefined ? {} : { masterData }),
      },
      anchorer,
      sync: args.noSync ? undefined : () => index.sync(),
      interval,
    });
  } catch (err) {
    await index.sql.close();
    throw err;
  }
  for (const line of startedLines(run, anchorer)) console.log(line);
  await untilStopped();
  await run.stop();
  await index.sql.close();
  console.log("stopped");
  return { url: run.service.url };
});

/** The anchorer of captured events' roots: the signer on the synced deployment's Registry (none with --no-sync). */
function anchorerOf(index: TraceIndex, from: string | undefined): CaptureAnchorer | undefined {
  const { session, addresses } = index;
  if (session === undefined || addresses === undefined) return undefined;
  const signer = signerFor(session, from, 0);
  return new CaptureAnchorer(index.sql, {
    registry: Registry__factory.connect(addresses.registry, signer),
    signer: signer.address,
    chainId: session.chainId,
    registryAddress: addresses.registry,
  });
}
