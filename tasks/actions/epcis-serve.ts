import { Registry__factory } from "../../typechain-types/index.js";
import { readMasterData } from "../../src/exports/master-data.js";
import { CaptureAnchorer } from "../../src/services/epcis/anchor.js";
import { CaptureService } from "../../src/services/epcis/capture.js";
import { listenEpcis } from "../../src/services/epcis/http.js";
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
  const masterData = args.masterData === undefined ? undefined : await readMasterData(args.masterData);
  const index = await openTraceIndex(hre, args, !args.noSync);
  const refresh: RefreshOptions = {
    ...(index.session === undefined ? {} : { chainId: index.session.chainId }),
    ...(masterData === undefined ? {} : { masterData }),
  };
  let service;
  try {
    const stored = await refreshEpcisStore(index.sql, refresh);
    const anchorer = args.noAnchor ? undefined : anchorerOf(index, args.from);
    service = await listenEpcis(index.sql, {
      host,
      port,
      resolver,
      capture: new CaptureService(index.sql, anchorer === undefined ? {} : { anchorer }),
      ...(args.publicUrl === undefined ? {} : { publicUrl: args.publicUrl }),
    });
    console.log(
      `EPCIS 2.0 query interface on ${service.url}/epcis/events (${stored.total} events; /epcis/queries, ` +
        "/epcis/eventTypes, /epcis/epcs, /epcis/bizSteps, …; resolver /01/{gtin}/10/{lot}); Ctrl-C stops",
    );
    console.log(
      `capture: POST ${service.url}/epcis/capture; ` +
        (anchorer === undefined
          ? "captured events stay unanchored (no signer)"
          : `Merkle roots anchored by ${anchorer.chain.signer} on Registry ${anchorer.chain.registryAddress}`),
    );
  } catch (err) {
    await index.sql.close();
    throw err;
  }

  // Each sync is followed by a refresh of the EPCIS events, so a query sees what the index holds.
  const stop = everyInterval(args.noSync ? 0 : interval, () =>
    index.sync().then(() => refreshEpcisStore(index.sql, refresh)),
  );
  await untilStopped();
  stop();
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
