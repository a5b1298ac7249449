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

/** A server listening, its URL, and how to close it (dropping open connections). */
export interface Listening {
  /** "http://127.0.0.1:8548" */
  url: string;
  close(): Promise<void>;
}

/** Starts `server` on `host:port` (port 0: any free port). */
export async function listenOn(server: Server, host: string, port: number): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${listeningAddress(server).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        server.closeAllConnections();
      }),
  };
}
