/**
 * Sending a transaction and reading what it did: wait for the receipt, then pick the events it emitted.
 */
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";

import type { TypedContractEvent, TypedDeferredTopicFilter, TypedEventLog } from "../../typechain-types/common.js";

/** Waits for `sent` to be mined; throws when it has no receipt or reverted. */
export async function mined(sent: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const tx = await sent;
  const receipt = await tx.wait();
  if (receipt === null) throw new Error(`transaction ${tx.hash} was not mined`);
  return receipt;
}

/** A typechain contract's event query, as `eventsIn` needs it. */
export interface EventSource {
  queryFilter<E extends TypedContractEvent>(
    filter: TypedDeferredTopicFilter<E>,
    fromBlock?: string | number,
    toBlock?: string | number,
  ): Promise<TypedEventLog<E>[]>;
}

/** The `filter` events that the transaction of `receipt` emitted, in log order. */
export async function eventsIn<E extends TypedContractEvent>(
  contract: EventSource,
  filter: TypedDeferredTopicFilter<E>,
  receipt: ContractTransactionReceipt,
): Promise<TypedEventLog<E>[]> {
  const logs = await contract.queryFilter(filter, receipt.blockNumber, receipt.blockNumber);
  return logs.filter((log) => log.transactionHash === receipt.hash);
}

/** The one `filter` event the transaction of `receipt` emitted; throws when there is none. */
export async function eventIn<E extends TypedContractEvent>(
  contract: EventSource,
  filter: TypedDeferredTopicFilter<E>,
  receipt: ContractTransactionReceipt,
): Promise<TypedEventLog<E>> {
  const [log] = await eventsIn(contract, filter, receipt);
  if (log === undefined) throw new Error(`transaction ${receipt.hash} emitted no such event`);
  return log;
}
