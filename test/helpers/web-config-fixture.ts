/**
 * A dApp `/config.json` for tests of the web server that need no chain: placeholder addresses, the same-origin
 * proxies, and links on `origin`.
 */
import type { WebConfig } from "../../src/core/api/web-config.js";

export function testWebConfig(origin: string): WebConfig {
  return {
    chainId: 31337,
    chainName: "FishTrace local",
    rpcUrl: "/rpc",
    walletRpcUrl: "http://127.0.0.1:1",
    traceApi: "/api",
    addresses: {
      registry: "0x1",
      harvester: "0x2",
      supplier: "0x3",
      manufacturer: "0x4",
      distributor: "0x5",
      retailer: "0x6",
      customer: "0x7",
      qualityLedger: "0x8",
    },
    linkBase: origin,
  };
}
