/**
 * A FishTrace participant that is a contract, for the escrow's pull-payment paths that an account cannot reach:
 * a payee that refuses Ether and one that re-enters `withdraw` while being paid.
 *
 * contracts/ holds only the product, so this test double is compiled here with the pinned `solc` package
 * (the same compiler Hardhat uses) the first time a test asks for it.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  ContractFactory,
  type BaseContract,
  type BigNumberish,
  type ContractTransactionResponse,
  type JsonFragment,
} from "ethers";
import solc from "solc";

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Forwards calls as itself, and on receiving Ether accepts it, refuses it, or makes one more call first.
contract Party {
    enum OnReceive { Accept, Refuse, CallBack }

    OnReceive private _onReceive;
    address private _callee;
    bytes private _callData;

    function setOnReceive(OnReceive mode, address callee, bytes calldata callData) external {
        _onReceive = mode;
        _callee = callee;
        _callData = callData;
    }

    function execute(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call{value: msg.value}(data);
        if (!ok) _bubble(result);
    }

    receive() external payable {
        if (_onReceive == OnReceive.Refuse) revert();
        if (_onReceive == OnReceive.CallBack) {
            (bool ok, bytes memory result) = _callee.call(_callData);
            if (!ok) _bubble(result);
        }
    }

    function _bubble(bytes memory reason) private pure {
        assembly ("memory-safe") {
            revert(add(reason, 32), mload(reason))
        }
    }
}
`;

/** What `Party` does when Ether arrives. */
export const OnReceive = { Accept: 0, Refuse: 1, CallBack: 2 } as const;

export interface Party extends BaseContract {
  execute(target: string, data: string, overrides?: { value?: BigNumberish }): Promise<ContractTransactionResponse>;
  setOnReceive(mode: number, callee: string, callData: string): Promise<ContractTransactionResponse>;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: JsonFragment[]; evm: { bytecode: { object: string } } }>>;
}

let compiled: { abi: JsonFragment[]; bytecode: string } | undefined;

function compileParty(): { abi: JsonFragment[]; bytecode: string } {
  if (compiled !== undefined) return compiled;
  const input = {
    language: "Solidity",
    sources: { "Party.sol": { content: SOURCE } },
    settings: { evmVersion: "prague", outputSelection: { "*": { Party: ["abi", "evm.bytecode.object"] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)) as string) as SolcOutput;
  const failures = (output.errors ?? []).filter((e) => e.severity === "error");
  if (failures.length > 0) throw new Error(failures.map((e) => e.formattedMessage).join("\n"));
  const party = output.contracts["Party.sol"]?.["Party"];
  if (party === undefined) throw new Error("solc produced no Party contract");
  compiled = { abi: party.abi, bytecode: "0x" + party.evm.bytecode.object };
  return compiled;
}

/** Deploys a fresh `Party` from `deployer`. */
export async function deployParty(deployer: HardhatEthersSigner): Promise<Party> {
  const { abi, bytecode } = compileParty();
  const factory = new ContractFactory(abi, bytecode, deployer);
  const contract = await factory.deploy();
  await contract.waitForDeployment();
  return contract as unknown as Party;
}
