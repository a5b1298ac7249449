/**
 * The indexer's reads survive a node closing a keep-alive connection as a request goes out on it (seen as
 * "Failed to make POST request" in README's story on a loaded machine): each read is sent once more on a new
 * connection; a node's own error answer, and a second drop, are passed on.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { network } from "hardhat";

import { isDroppedConnection, reconnecting, type ReadProvider } from "../../src/node/reconnecting-provider.js";

/** Hardhat's HTTP provider's error for a dropped request: a RequestError caused by undici's SocketError. */
const hardhatDrop = () =>
  new Error("Failed to make POST request to http://127.0.0.1:8545", {
    cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
  });

/** A provider whose getBlockNumber fails with `errors` in turn, then answers 7; counts the calls. */
function failing(errors: Error[]): { provider: ReadProvider; calls: () => number } {
  let calls = 0;
  const provider: ReadProvider = {
    getBlockNumber: () => {
      const err = errors[calls++];
      return err === undefined ? Promise.resolve(7) : Promise.reject(err);
    },
    getBlock: () => Promise.resolve(null),
    getLogs: () => Promise.resolve([]),
    getNetwork: () => Promise.reject(new Error("unused")),
    getCode: () => Promise.resolve("0x"),
  };
  return { provider, calls: () => calls };
}

/** The message `promise` is rejected with (the test fails when it resolves). */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error("expected a rejection");
}

describe("reconnecting reads", function () {
  it("tells a dropped connection from an answer", function () {
    expect(isDroppedConnection(hardhatDrop())).to.equal(true);
    expect(isDroppedConnection(Object.assign(new Error("read"), { code: "ECONNRESET" }))).to.equal(true);
    expect(isDroppedConnection(new Error("execution reverted"))).to.equal(false);
    expect(isDroppedConnection(new Error('HHE703: Cannot connect to the network "localhost"'))).to.equal(false);
    expect(isDroppedConnection("Failed to make POST request")).to.equal(false);
  });

  it("sends a read once more after a dropped connection, and only once", async function () {
    const once = failing([hardhatDrop()]);
    expect(await reconnecting(once.provider).getBlockNumber()).to.equal(7);
    expect(once.calls()).to.equal(2);

    const twice = failing([hardhatDrop(), hardhatDrop()]);
    expect(await failure(reconnecting(twice.provider).getBlockNumber())).to.match(/Failed to make POST request/);
    expect(twice.calls()).to.equal(2);

    const answer = failing([new Error("header not found")]);
    expect(await failure(reconnecting(answer.provider).getBlockNumber())).to.equal("header not found");
    expect(answer.calls()).to.equal(1);
  });

  it("gets its answer through Hardhat's HTTP provider from a server that drops the first read's connection", async function () {
    let reads = 0;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        if (method === "eth_getCode" && ++reads === 1) {
          req.socket.destroy();
          return;
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id, result: method === "eth_chainId" ? "0x7a69" : "0x6000" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const connection = await network.create({ network: "localhost", override: { url: `http://127.0.0.1:${port}` } });
    try {
      const code = await reconnecting(connection.ethers.provider).getCode("0x0000000000000000000000000000000000000001");
      expect(code).to.equal("0x6000");
      expect(reads).to.equal(2);
    } finally {
      await connection.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
