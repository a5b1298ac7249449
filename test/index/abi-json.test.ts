/**
 * The indexer's ABI decoder (src/index/abi-json.ts) gives, for every type an event may carry and for every log of
 * the trace journey, the JSON of what ethers decodes: integers as decimal text, checksummed addresses, hex bytes,
 * tuples by component name.
 */
import { expect } from "chai";
import { AbiCoder, Interface, ParamType, Result } from "ethers";

import { abiJsonDecoder } from "../../src/index/abi-json.js";
import { Decoder } from "../../src/index/decode.js";
import { CONTRACT_ABIS } from "../../src/core/abis.js";
import { CONTRACT_NAMES, DEPLOYMENT_KEYS } from "../../src/node/system.js";
import { ethers } from "../helpers/fixtures.js";
import { loadTraceWorld } from "../helpers/trace-world.js";

/** JSON of a value ethers decoded as `type`. */
function ethersJson(value: unknown, type: ParamType): unknown {
  if (type.isTuple()) {
    const r = value as Result;
    return Object.fromEntries(type.components.map((c, i) => [c.name || String(i), ethersJson(r[i], c)]));
  }
  if (type.isArray()) return (value as Result).map((v: unknown) => ethersJson(v, type.arrayChildren));
  return typeof value === "bigint" ? value.toString() : value;
}

describe("indexer: ABI values into JSON", function () {
  it("decodes every kind of value as ethers does", () => {
    const types = [
      "uint8",
      "uint256",
      "int16",
      "int256",
      "address",
      "bool",
      "bytes3",
      "bytes32",
      "string",
      "bytes",
      "uint256[]",
      "uint64[2]",
      "string[]",
      "tuple(uint32 a, bytes16 b, bool c)",
      "tuple(uint256 id, string name, uint256[] ids)[]",
      "tuple(address who, int8[3] deltas)[2]",
    ].map((t) => ParamType.from(t));
    const values = [
      255n,
      2n ** 256n - 1n,
      -300n,
      -(2n ** 255n),
      "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      true,
      "0x434f44",
      `0x${"ab".repeat(32)}`,
      "Torsk på Lofoten ✓",
      "0x00ff10",
      [1n, 2n, 3n],
      [7n, 8n],
      ["", "x", "a longer text that takes more than one word of thirty-two bytes"],
      [9n, `0x${"01".repeat(16)}`, false],
      [
        [1n, "one", []],
        [2n, "two", [5n, 6n]],
      ],
      [
        ["0x0000000000000000000000000000000000000001", [-1n, 0n, 127n]],
        ["0xA51c1fc2f0D1a1b8494Ed1FE312d7C3a78Ed91C0", [1n, -128n, 2n]],
      ],
    ];
    const coder = AbiCoder.defaultAbiCoder();
    const data = coder.encode(types, values);
    const reference = coder.decode(types, data).map((v: unknown, i) => ethersJson(v, types[i]!));
    expect(abiJsonDecoder(types)(data)).to.deep.equal(reference);
  });

  it("fails on data shorter than its types", () => {
    const types = ["uint256", "uint256[]"].map((t) => ParamType.from(t));
    expect(() => abiJsonDecoder(types)("0x" + "00".repeat(32))).to.throw(/too short/);
  });

  it("every log of the journey decodes to what ethers parses", async () => {
    const { world } = await loadTraceWorld();
    const decoder = new Decoder(world.addresses);
    const logs = await ethers.provider.getLogs({ address: decoder.addressList, fromBlock: 0 });
    const ifaceOf = new Map(
      DEPLOYMENT_KEYS.map((key) => [
        world.addresses[key].toLowerCase(),
        new Interface(CONTRACT_ABIS[CONTRACT_NAMES[key]]),
      ]),
    );
    const names = new Set<string>();
    for (const log of logs) {
      const parsed = ifaceOf.get(log.address.toLowerCase())!.parseLog(log)!;
      const reference = Object.fromEntries(
        parsed.fragment.inputs.map((input, i) => [input.name || String(i), ethersJson(parsed.args[i], input)]),
      );
      const decoded = decoder.decode(log)!;
      expect(decoded.name).to.equal(parsed.name);
      expect(decoded.json, parsed.name).to.deep.equal(reference);
      names.add(parsed.name);
    }
    expect(names.size).to.be.greaterThan(15);
  });
});
