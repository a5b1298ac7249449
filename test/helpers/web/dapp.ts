/**
 * The dApp for a browser test of its own: built into a directory of the test process's own (web/dist, which the
 * local stack's tests build and serve, is left alone) and served by the dApp's own server (src/services/web/server.ts) on a free port, for a deployment that
 * takes sponsored actions through a relay. No trace API runs beside it: the pages go on with what the chain says.
 */
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import type { FishTraceAddresses } from "../../../src/core/deployment.js";
import { startStaticServer, type StaticServer } from "../../../src/services/web/server.js";
import { PROJECT_ROOT } from "../../../src/tools/local-stack.js";

let built: Promise<string> | undefined;

/**
 * The dApp built into a temporary directory, once per test process (the browser tests that serve it share the build;
 * each serves it on its own origin). The directory is removed when the process exits.
 */
export function builtDapp(): Promise<string> {
  built ??= (async () => {
    const dist = await mkdtemp(path.join(os.tmpdir(), "fishtrace-web-build-"));
    process.once("exit", () => rmSync(dist, { recursive: true, force: true }));
    const { build } = await import("vite");
    await build({
      configFile: path.join(PROJECT_ROOT, "web", "vite.config.ts"),
      logLevel: "warn",
      build: { outDir: dist, emptyOutDir: true },
    });
    return dist;
  })();
  return built;
}

export interface SponsoringDapp {
  /** The built dApp. */
  dist: string;
  /** The node's JSON-RPC (also what a wallet is told). */
  nodeUrl: string;
  relayUrl: string;
  chainId: number;
  addresses: FishTraceAddresses;
  /** The deployment's ERC2771Forwarder (EIP-712 name "FishTrace"). */
  forwarder: string;
}

/** The dApp's server over `o.dist`, its `/config.json` naming the forwarder and the relay at `/relay`. */
export function serveSponsoringDapp(o: SponsoringDapp): Promise<StaticServer> {
  return startStaticServer({
    root: o.dist,
    port: 0,
    nodeUrl: o.nodeUrl,
    traceUrl: "http://127.0.0.1:9",
    relayUrl: o.relayUrl,
    config: (origin) => ({
      chainId: o.chainId,
      chainName: "FishTrace test",
      rpcUrl: "/rpc",
      walletRpcUrl: o.nodeUrl,
      traceApi: "/api",
      addresses: o.addresses,
      linkBase: origin,
      sponsorship: { forwarder: o.forwarder, forwarderName: "FishTrace", relayPath: "/relay" },
    }),
  });
}
