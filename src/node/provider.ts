/**
 * A JSON-RPC provider for a service that runs for days against a node (the EPCIS service without Hardhat): no
 * kept-alive connections. A node closes an idle keep-alive socket after a few seconds (Hardhat's and anvil's after
 * five), and a sync every five seconds would otherwise now and then send its request on a socket the node had just
 * closed ("socket hang up"); a connection per request costs nothing beside a sync's reads.
 */
import http from "node:http";
import https from "node:https";

import { FetchRequest, JsonRpcProvider } from "ethers";

export function serviceProvider(url: string): JsonRpcProvider {
  const request = new FetchRequest(url);
  const agent = url.startsWith("https:") ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
  request.getUrlFunc = FetchRequest.createGetUrlFunc({ agent });
  return new JsonRpcProvider(request, undefined, { staticNetwork: true, polling: true });
}
