/**
 * EIP-2612 permits for a settlement token, as `placeOrderWithPermit` takes them: the token's own EIP-712 domain
 * (ERC-5267's `eip712Domain()` when it has one, else its name, version "1", the chain and its address), the owner's
 * nonce from `nonces(owner)`, and the signature from any ethers `Signer` (a Hardhat account, a browser wallet).
 * Browser-safe: the CLI task (tasks/actions/order-place.ts), the gas rows and the dApp use the same rules.
 */
import { Signature, ZeroHash, type Signer, type TypedDataDomain } from "ethers";

import type { FishTraceUSD } from "../../typechain-types/index.js";

/** EIP-2612's `Permit` type, as a token's `permit` checks it. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The order's terms as `placeOrderWithPermit` takes them (before the permit). */
export interface TokenOrder {
  seller: string;
  species: string;
  weightGrams: number;
  shipBy: number;
  ackWindow: number;
  price: bigint;
}

/** A permit's part of `placeOrderWithPermit`; a zero deadline: none (the allowance pays). */
export interface PermitArgs {
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

/** No permit: `placeOrderWithPermit` takes the price from the buyer's allowance. */
export const NO_PERMIT: PermitArgs = { deadline: 0n, v: 0, r: ZeroHash, s: ZeroHash };

/** `placeOrderWithPermit`'s arguments, in its order, for `order` paid with `permit` (the CLI and the dApp). */
export function permitOrderArgs(order: TokenOrder, permit: PermitArgs) {
  const { seller, species, weightGrams, shipBy, ackWindow, price } = order;
  return [
    seller,
    species,
    weightGrams,
    shipBy,
    ackWindow,
    price,
    permit.deadline,
    permit.v,
    permit.r,
    permit.s,
  ] as const;
}

/** How long a permit the CLI or the dApp signs stays valid (seconds): it is used in the transaction sent right after. */
export const PERMIT_LIFETIME = 3_600;

/**
 * An ERC-20 with permit, connected to a runner that reads (the dApp's node provider, a Hardhat signer). Any such
 * token will do: FishTraceUSD's ABI is the standard one (name, nonces, permit, eip712Domain).
 */
export type PermitToken = FishTraceUSD;

/** Whether `token` takes permits: it answers `nonces(owner)` (a plain ERC-20 does not). */
export async function hasPermit(token: PermitToken, owner: string): Promise<boolean> {
  try {
    await token.nonces(owner);
    return true;
  } catch {
    return false;
  }
}

/** The EIP-712 domain `token` checks permits against. */
export async function permitDomain(token: PermitToken): Promise<TypedDataDomain> {
  try {
    const [, name, version, chainId, verifyingContract] = await token.eip712Domain();
    return { name, version, chainId, verifyingContract };
  } catch {
    // A token without ERC-5267: OpenZeppelin's (and most) EIP-2612 domains are the name, "1", chain, address.
    const network = await token.runner?.provider?.getNetwork();
    if (network === undefined) throw new Error("the token is not connected to a network");
    const [name, verifyingContract] = await Promise.all([token.name(), token.getAddress()]);
    return { name, version: "1", chainId: network.chainId, verifyingContract };
  }
}

/**
 * The permit signed by `owner` letting `spender` take `value` of its `token` until `deadline` (unix seconds). The
 * domain and the nonce are read from the token first, so the wallet is asked only once the request is complete.
 */
export async function signPermit(
  owner: Signer,
  token: PermitToken,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<Signature> {
  const address = await owner.getAddress();
  const [domain, nonce] = await Promise.all([permitDomain(token), token.nonces(address)]);
  const message = { owner: address, spender, value, nonce, deadline };
  return Signature.from(await owner.signTypedData(domain, PERMIT_TYPES, message));
}
