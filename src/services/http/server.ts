/**
 * Small facts about a running server and a request that the HTTP services (the relay, the trace API, the dApp's
 * server) each need.
 */
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The TCP address `server` listens on (once its `listen` callback has run). */
export function listeningAddress(server: Server): AddressInfo {
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error(`the server is not listening on a TCP port (its address is ${String(address)})`);
  }
  return address;
}

/** The request's media type (`content-type` without its parameters), lowercase; "" when there is none. */
export function mediaType(req: IncomingMessage): string {
  const [type = ""] = (req.headers["content-type"] ?? "").split(";");
  return type.trim().toLowerCase();
}
