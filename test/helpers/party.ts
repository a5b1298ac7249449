/**
 * A FishTrace participant that is a contract (test/contracts/utils/Party.sol), for the escrow's pull-payment paths
 * that an account cannot reach: a payee that refuses Ether and one that re-enters `withdraw` while being paid.
 * `npm run test:mocha` compiles it (`hardhat build test/contracts/utils/Party.sol`: the Solidity suites compile in the
 * coverage build, whose artifacts the mocha tests do not read); this deploys it from its artifact.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { BaseContract, BigNumberish, ContractTransactionResponse } from "ethers";

import { ethers } from "./fixtures.js";

/** What `Party` does when Ether arrives (Party.OnReceive). */
export const OnReceive = { Accept: 0, Refuse: 1, CallBack: 2 } as const;

export interface Party extends BaseContract {
  execute(target: string, data: string, overrides?: { value?: BigNumberish }): Promise<ContractTransactionResponse>;
  setOnReceive(mode: number, callee: string, callData: string): Promise<ContractTransactionResponse>;
}

/** Deploys a fresh `Party` from `deployer`. */
export async function deployParty(deployer: HardhatEthersSigner): Promise<Party> {
  const factory = await ethers.getContractFactory("Party", deployer);
  const contract = await factory.deploy();
  await contract.waitForDeployment();
  return contract as unknown as Party;
}
