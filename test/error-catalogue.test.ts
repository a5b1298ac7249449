import { expect } from "chai";
import { Interface, ZeroAddress, type ParamType } from "ethers";

import { describeError } from "../src/errors.js";
import { Harvester__factory, Registry__factory } from "../typechain-types/index.js";

const CONTRACTS = {
  Registry: Registry__factory.createInterface(),
  Harvester: Harvester__factory.createInterface(),
} satisfies Record<string, Interface>;

/** A zero-ish value of `param`'s type, for encoding an instance of any error. */
function zeroOf(param: ParamType): unknown {
  if (param.isArray()) return [];
  if (param.isTuple()) return param.components.map(zeroOf);
  const type = param.baseType;
  if (type === "address") return ZeroAddress;
  if (type === "bool") return false;
  if (type === "string") return "";
  if (type === "bytes") return "0x";
  if (type.startsWith("bytes")) return "0x" + "00".repeat(Number(type.slice(5)));
  if (type.startsWith("uint") || type.startsWith("int")) return 0n;
  throw new Error(`no zero value for ${param.format()}`);
}

describe("error catalogue", () => {
  for (const [contract, iface] of Object.entries(CONTRACTS)) {
    const errors: string[] = [];
    iface.forEachError((fragment) => {
      errors.push(fragment.name);
      it(`${contract}: ${fragment.format("sighash")} has a phrase in src/errors.ts`, () => {
        const data = iface.encodeErrorResult(fragment, fragment.inputs.map(zeroOf));
        const line = describeError({ data, message: "fallback" });
        expect(line.startsWith(`${fragment.name}: `), line).to.equal(true);
        expect(line.startsWith(`${fragment.name}(`), line).to.equal(false);
        expect(line.length).to.be.greaterThan(`${fragment.name}: `.length);
        expect(line).to.not.include("\n");
      });
    });

    it(`${contract} declares custom errors for the catalogue to check`, () => {
      expect(errors.length).to.be.greaterThan(10);
    });
  }
});
