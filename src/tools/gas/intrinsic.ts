import { getBytes } from "ethers";

/** Base cost of every transaction. */
export const TX_BASE_GAS = 21_000;

/** The calldata part of a transaction's intrinsic gas: 4 per zero byte, 16 per non-zero byte (EIP-2028). */
export function calldataGas(data: string): number {
  let gas = 0;
  for (const byte of getBytes(data)) gas += byte === 0 ? 4 : 16;
  return gas;
}

/** Intrinsic gas of a call (no contract creation, no access list): what is paid before any opcode runs. */
export function intrinsicGas(data: string): number {
  return TX_BASE_GAS + calldataGas(data);
}
