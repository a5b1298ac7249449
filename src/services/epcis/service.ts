/**
 * The EPCIS service as it runs, whoever starts it — the `epcis serve` task (tasks/actions/epcis-serve.ts), the
 * service without Hardhat (src/services/epcis/main.ts) and so the local stack: the store brought up to date with the
 * index, the query interface, capture and the resolver listening (http.ts), the subscriptions' deliveries in the
 * background (deliveries.ts), and — when the index is synced — every `interval` seconds a sync, a refresh of the
 * store, and the deliveries of what it added (not awaited: a slow receiver never holds the next sync).
 */
import type { Sql } from "../../index/db.js";
import { InputError } from "../../core/input-error.js";
import { everyInterval } from "../http/serve-loop.js";
import type { CaptureAnchorer } from "./anchor.js";
import { CaptureService } from "./capture.js";
import { Deliveries } from "./deliveries.js";
import { listenEpcis, type EpcisServerOptions, type EpcisService } from "./http.js";
import type { ResolverOptions } from "./resolver.js";
import { refreshEpcisStore, type RefreshOptions, type RefreshResult } from "./store.js";
import { webhookHosts, type WebhookPolicy } from "./webhook.js";

export interface EpcisRunOptions extends Omit<EpcisServerOptions, "capture"> {
  host: string;
  port: number;
  /** What the store is rendered from (the chain, master data). */
  refresh: RefreshOptions;
  /** Anchors captured events' Merkle roots on chain; none: they stay unanchored. */
  anchorer?: CaptureAnchorer | undefined;
  /** Brings the index up to date with the chain; none: the index is served as it is. */
  sync?: (() => Promise<unknown>) | undefined;
  /** Seconds between syncs (0: none). */
  interval: number;
}

export interface EpcisRun {
  service: EpcisService;
  /** The first refresh of the store. */
  stored: RefreshResult;
  /** Stops the syncs, the deliveries and the server (the capture job in hand finishes first). */
  stop(): Promise<void>;
}

/** Starts the EPCIS service over the index in `sql` (already synced once by the caller when it syncs). */
export async function runEpcis(sql: Sql, options: EpcisRunOptions): Promise<EpcisRun> {
  const { refresh, anchorer, sync, interval, ...server } = options;
  const deliveries = new Deliveries(sql, { policy: options.webhooks ?? {} });
  const stored = await refreshEpcisStore(sql, refresh);
  await deliveries.init();
  const service = await listenEpcis(sql, {
    ...server,
    capture: new CaptureService(sql, anchorer === undefined ? {} : { anchorer }),
  });
  // Subscriptions' reports go out in the background: schedules and retries each second, streams after a refresh.
  deliveries.start();
  const stopSyncs =
    sync === undefined
      ? () => undefined
      : everyInterval(interval, () =>
          sync()
            .then(() => refreshEpcisStore(sql, refresh))
            .then(() => void deliveries.kick()),
        );
  return {
    service,
    stored,
    async stop() {
      stopSyncs();
      await deliveries.stop();
      await service.close();
    },
  };
}

/** `value` as an origin (`https://epcis.example.com`, no path), or `fallback` when absent; one line naming `option`. */
function originOf(value: string | undefined, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (!/^https?:\/\/[^\s/]+\/?$/.test(value)) {
    throw new InputError(`${option} "${value}" is not an origin such as https://epcis.example.com`);
  }
  return value.replace(/\/+$/, "");
}

/**
 * Where the resolver's links point, from the service's options: its own public origin (`--public-url`, else
 * http://host:port), the dApp's (`--web-url`, default the stack's 5173) and the trace API's (`--trace-url`, 8547).
 */
export function resolverOrigins(options: {
  host: string;
  port: number;
  publicUrl?: string | undefined;
  webUrl?: string | undefined;
  traceUrl?: string | undefined;
}): ResolverOptions {
  const shown = options.host.includes(":") ? `[${options.host}]` : options.host;
  const self = originOf(options.publicUrl, "--public-url", `http://${shown}:${options.port}`);
  return {
    root: self,
    epcis: self,
    web: originOf(options.webUrl, "--web-url", "http://127.0.0.1:5173"),
    trace: originOf(options.traceUrl, "--trace-url", "http://127.0.0.1:8547"),
  };
}

/** Where subscriptions' webhooks may go: `--webhook-hosts` (a comma-separated list) and `--allow-loopback-webhooks`. */
export function webhookPolicy(hosts: string | undefined, allowLoopback: boolean): WebhookPolicy {
  return { ...(hosts === undefined ? {} : { allowedHosts: webhookHosts(hosts) }), allowLoopback };
}

/** The lines a started service prints: where it answers and how captured events are anchored. */
export function startedLines(run: EpcisRun, anchorer: CaptureAnchorer | undefined): string[] {
  const { url } = run.service;
  return [
    `EPCIS 2.0 query interface on ${url}/epcis/events (${run.stored.total} events; /epcis/queries, ` +
      "/epcis/queries/{name}/subscriptions, /epcis/eventTypes, /epcis/epcs, /epcis/bizSteps, …; resolver " +
      "/01/{gtin}/10/{lot}); Ctrl-C stops",
    `capture: POST ${url}/epcis/capture; ` +
      (anchorer === undefined
        ? "captured events stay unanchored (no signer)"
        : `Merkle roots anchored by ${anchorer.chain.signer} on Registry ${anchorer.chain.registryAddress}`),
  ];
}
