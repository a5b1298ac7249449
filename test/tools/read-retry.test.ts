/**
 * The read-retry plugin (hardhat.config.ts): a JSON-RPC read the node's connection was dropped under (README's story
 * hit "Failed to make POST request" at its indexer step on a loaded machine) is sent once more, through Hardhat's own
 * HTTP provider; a write is never sent twice, and a second drop is reported.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { network } from "hardhat";

import { isDroppedConnection, isRead } from "../../src/tools/read-retry-plugin.js";

/** A JSON-RPC server that drops the connection of the first `drops` requests of `method`, and counts them. */
async function droppingServer(method: string, drops: number) {
  let seen = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const request = JSON.parse(body) as { id: number; method: string };
      if (request.method === method && ++seen <= drops) {
        req.socket.destroy();
        return;
      }
      const result = request.method === "eth_chainId" ? "0x7a69" : request.method === "eth_getCode" ? "0x6000" : "0x01";
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ jsonrpc: "2.0", id: request.id, result }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const connection = await network.create({ network: "localhost", override: { url: `http://127.0.0.1:${port}` } });
  return {
    provider: connection.provider,
    seen: () => seen,
    close: async () => {
      await connection.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
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

const CODE = { method: "eth_getCode", params: ["0x0000000000000000000000000000000000000001", "latest"] };

describe("read retry: a read the connection was dropped under is sent once more", function () {
  it("tells reads from writes, and a dropped connection from an answer", function () {
    expect(["eth_getLogs", "eth_call", "eth_blockNumber", "eth_chainId"].every(isRead)).to.equal(true);
    expect(["eth_sendRawTransaction", "eth_sendTransaction", "evm_mine", "hardhat_setBalance"].some(isRead)).to.equal(
      false,
    );
    const drop = new Error("Failed to make POST request to http://127.0.0.1:8545", {
      cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
    });
    expect(isDroppedConnection(drop)).to.equal(true);
    expect(isDroppedConnection(Object.assign(new Error("read"), { code: "ECONNRESET" }))).to.equal(true);
    expect(isDroppedConnection(new Error("execution reverted"))).to.equal(false);
    expect(isDroppedConnection(new Error('HHE703: Cannot connect to the network "localhost"'))).to.equal(false);
  });

  it("answers a read whose first connection the node dropped", async function () {
    const node = await droppingServer("eth_getCode", 1);
    try {
      expect(await node.provider.request(CODE)).to.equal("0x6000");
      expect(node.seen()).to.equal(2);
    } finally {
      await node.close();
    }
  });

  it("reports a read dropped twice, and never sends a transaction twice", async function () {
    const twice = await droppingServer("eth_getCode", 2);
    try {
      expect(await failure(twice.provider.request(CODE))).to.match(/Failed to make POST request/);
      expect(twice.seen()).to.equal(2);
    } finally {
      await twice.close();
    }
    const send = await droppingServer("eth_sendRawTransaction", 1);
    try {
      expect(await failure(send.provider.request({ method: "eth_sendRawTransaction", params: ["0x02"] }))).to.match(
        /Failed to make POST request/,
      );
      expect(send.seen()).to.equal(1);
    } finally {
      await send.close();
    }
  });
});
