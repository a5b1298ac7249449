import { Registry__factory } from "../../typechain-types/index.js";
import { readMasterData } from "../../src/exports/master-data.js";
import { Deliveries } from "../../src/services/epcis/deliveries.js";
import { CaptureAnchorer } from "../../src/services/epcis/anchor.js";
import { CaptureService } from "../../src/services/epcis/capture.js";
import { listenEpcis } from "../../src/services/epcis/http.js";
import { webhookHosts } from "../../src/services/epcis/webhook.js";
import { refreshEpcisStore, type RefreshOptions } from "../../src/services/epcis/store.js";
import { InputError } from "../../src/core/input-error.js";
import { fishTraceAction } from "../run.js";
import { everyInterval, serveOptions, untilStopped, type ServeArgs } from "./serve-loop.js";
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
  const origin = (value: string | undefined, option: string, fallback: string): string => {
    if (value === undefined) return fallback;
    if (!/^https?:\/\/[^\s/]+\/?$/.test(value)) {
      throw new InputError(`${option} "${value}" is not an origin such as https://epcis.example.com`);
    }
    return value.replace(/\/+$/, "");
  };
  const shown = host.includes(":") ? `[${host}]` : host;
  const self = origin(args.publicUrl, "--public-url", `http://${shown}:${port}`);
  const resolver = {
    root: self,
    epcis: self,
    web: origin(args.webUrl, "--web-url", "http://127.0.0.1:5173"),
    trace: origin(args.traceUrl, "--trace-url", "http://127.0.0.1:8547"),
  };
  // Where subscriptions' webhooks may go (src/services/epcis/webhook.ts).
  const hosts = args.webhookHosts === undefined ? undefined : webhookHosts(args.webhookHosts);
  const webhooks = {
    ...(hosts === undefined ? {} : { allowedHosts: hosts }),
    allowLoopback: args.allowLoopbackWebhooks,
  };
  const masterData = args.masterData === undefined ? undefined : await readMasterData(args.masterData);
  const index = await openTraceIndex(hre, args, !args.noSync);
  const refresh: RefreshOptions = {
    ...(index.session === undefined ? {} : { chainId: index.session.chainId }),
    ...(masterData === undefined ? {} : { masterData }),
  };
  const deliveries = new Deliveries(index.sql, { policy: webhooks });
  let service;
  try {
    const stored = await refreshEpcisStore(index.sql, refresh);
    await deliveries.init();
    const anchorer = args.noAnchor ? undefined : anchorerOf(index, args.from);
    service = await listenEpcis(index.sql, {
      host,
      port,
      resolver,
      webhooks,
      capture: new CaptureService(index.sql, anchorer === undefined ? {} : { anchorer }),
      ...(args.publicUrl === undefined ? {} : { publicUrl: args.publicUrl }),
    });
    console.log(
      `EPCIS 2.0 query interface on ${service.url}/epcis/events (${stored.total} events; /epcis/queries, ` +
        "/epcis/queries/{name}/subscriptions, /epcis/eventTypes, /epcis/epcs, /epcis/bizSteps, …; resolver " +
        "/01/{gtin}/10/{lot}); Ctrl-C stops",
    );
    console.log(
      `capture: POST ${service.url}/epcis/capture; ` +
        (anchorer === undefined
          ? "captured events stay unanchored (no signer)"
          : `Merkle roots anchored by ${anchorer.chain.signer} on Registry ${anchorer.chain.registryAddress}`),
    );
    // Subscriptions' reports go out in the background: schedules and retries each second, streams after a refresh.
    deliveries.start();
  } catch (err) {
    await index.sql.close();
    throw err;
  }

  // Each sync is followed by a refresh of the EPCIS events, so a query sees what the index holds, and the
  // subscriptions' reports of what it added (not awaited: a slow receiver never holds the next sync).
  const stop = everyInterval(args.noSync ? 0 : interval, () =>
    index
      .sync()
      .then(() => refreshEpcisStore(index.sql, refresh))
      .then(() => void deliveries.kick()),
  );
  await untilStopped();
  stop();
  await deliveries.stop();
  await service.close();
  await index.sql.close();
  console.log("stopped");
  return { url: service.url };
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
