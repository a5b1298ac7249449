/**
 * What the serving tasks (`trace serve`, `epcis serve`) and the EPCIS service without Hardhat share: `work` (an index sync, and what follows it) every
 * `interval` seconds, never two at once, its failure reported once as a warning line (and its recovery once), and
 * the wait for Ctrl-C (SIGINT) or SIGTERM.
 */
import { InputError } from "../../core/input-error.js";
import { wholeNumber } from "../../core/units.js";

/** The options every serving task takes. */
export interface ServeArgs {
  port?: string;
  host?: string;
  interval?: string;
  noSync: boolean;
}

/** `--port` (default `defaultPort`), `--host` (default 127.0.0.1) and `--interval` (default 5 s), checked. */
export function serveOptions(args: ServeArgs, defaultPort: number): { port: number; host: string; interval: number } {
  const port = args.port === undefined ? defaultPort : wholeNumber(args.port, "--port", 65_535);
  const interval = args.interval === undefined ? 5 : wholeNumber(args.interval, "--interval", 86_400);
  if (args.noSync && args.interval !== undefined) throw new InputError("--interval needs syncing: drop --no-sync");
  return { port, host: args.host ?? "127.0.0.1", interval };
}

/** Runs `work` every `seconds` (none when 0); returns what stops it. */
export function everyInterval(seconds: number, work: () => Promise<unknown>): () => void {
  if (seconds === 0) return () => undefined;
  let busy = false;
  let failed = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    work()
      .then(() => {
        if (failed) console.log("index sync works again");
        failed = false;
      })
      .catch((err: unknown) => {
        if (!failed) console.error(`warning: index sync failed: ${err instanceof Error ? err.message : err}`);
        failed = true;
      })
      .finally(() => {
        busy = false;
      });
  }, seconds * 1000);
  return () => clearInterval(timer);
}

/** Resolves on Ctrl-C (SIGINT) or SIGTERM. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}
