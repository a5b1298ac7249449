import { expect } from "chai";
import { Interface, ZeroAddress, type ParamType } from "ethers";

import { errorCatalogue } from "../../src/tools/error-catalogue.js";
import { describeError } from "../../src/core/errors.js";
import { CONTRACT_ABIS, type ContractName } from "../../src/core/abis.js";

/** The registry and all six stage contracts. */
const CONTRACTS = Object.fromEntries(
  Object.entries(CONTRACT_ABIS).map(([name, abi]) => [name, new Interface(abi)]),
) as Record<ContractName, Interface>;

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
      it(`${contract}: ${fragment.format("sighash")} has a phrase in src/core/errors.ts`, () => {
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

    it(`${contract}: every custom error is in the README catalogue (src/tools/error-catalogue.ts), raised by ${contract}`, () => {
      const rows = errorCatalogue().split("\n");
      iface.forEachError((fragment) => {
        const row = rows.find((r) => r.startsWith(`| \`${fragment.format("sighash")}\` |`));
        expect(row, fragment.name).to.not.equal(undefined);
        expect(
          row!
            .split("|")[2]!
            .split(",")
            .map((c) => c.trim()),
          fragment.name,
        ).to.include(contract);
      });
    });
  }

  it("phrases the errors only one actor raises: Process* (Manufacturer) and ProvenanceTooLong (Customer)", () => {
    const manufacturer = CONTRACTS.Manufacturer;
    const massBalance = manufacturer.encodeErrorResult("ProcessMassBalance", [1_000n, 1_200n]);
    expect(describeError({ data: massBalance })).to.equal(
      "ProcessMassBalance: the outputs weigh 1200 g, more than the 1000 g consumed",
    );
    const mixed = manufacturer.encodeErrorResult("ProcessMixedSpecies", [7n, "0x434f44", "0x484144"]);
    expect(describeError({ data: mixed })).to.equal(
      "ProcessMixedSpecies: lot 7 is HAD, but this process is of COD (the first input's species)",
    );
    const tooLong = CONTRACTS.Customer.encodeErrorResult("ProvenanceTooLong", [5n, 64n]);
    expect(describeError({ data: tooLong })).to.equal(
      "ProvenanceTooLong: the provenance of lot 5 needs more than 64 hops: read it in pages (verifyProvenancePage)",
    );
  });
});
