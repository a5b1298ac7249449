/**
 * The app key as an ethers signer, for the actor views' transactions with no wallet and no ETH: a contract call
 * (`contract.connect(signer).fn(…)`) becomes an OpenZeppelin `ERC2771Forwarder` ForwardRequest signed with the key
 * (src/core/forward-request.ts), posted to the sponsor's relay and followed until it is on chain. What
 * `sendTransaction` resolves with is the relay's `executeBatch` transaction — the forwarded call's events are in its
 * receipt, so tx.ts and each plan's `outcome(receipt)` read it as they read a wallet's transaction. Typed data
 * (permits) and messages are signed with the key itself.
 */
import {
  AbstractSigner,
  Contract,
  getAddress,
  getBigInt,
  hexlify,
  resolveAddress,
  type BaseWallet,
  type Provider,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

import { ether, thousands } from "@core/format.js";
import {
  FORWARD_REQUEST_TYPES,
  FORWARDER_ABI,
  MAX_FORWARD_GAS,
  forwarderDomain,
  signedRequest,
  type ForwardRequest,
} from "@core/forward-request.js";
import { InputError } from "@core/input-error.js";

import { actionReport, forwardedCall, postAction } from "./sponsored-relay.js";

/** Where sponsored calls go: the deployment's forwarder (and its EIP-712 name), the relay, the chain. */
export interface Sponsorship {
  chainId: number;
  forwarder: string;
  forwarderName: string;
  /** The same-origin path of the relay (`/relay`). */
  relayPath: string;
}

export interface SponsoredOptions {
  /** How often the relay is asked about a request it took (ms, default 500). */
  pollMs?: number;
  /** How long a request may take to reach the chain before the page stops waiting (ms, default 120 s). */
  timeoutMs?: number;
  /** The nonce to sign with, given the forwarder's (default: the forwarder's); may throw one line to stop. */
  nonce?(onChain: bigint): Promise<bigint>;
  /** Told of each nonce once its request is on chain. */
  used?(nonce: bigint): Promise<void>;
}

/** How long a signed request stays good: long enough for a busy relay, short enough not to run days later. */
export const SPONSORED_DEADLINE_S = 3_600;

/** A request the relay took whose call then failed on chain: the transaction is known. */
export class ForwardedCallFailed extends Error {
  constructor(
    message: string,
    readonly hash: string,
  ) {
    super(message);
  }
}

/** A signer whose transactions the sponsor's relay sends and pays for, through the forwarder. */
export class SponsoredSigner extends AbstractSigner<Provider> {
  constructor(
    private readonly key: BaseWallet,
    provider: Provider,
    readonly sponsorship: Sponsorship,
    private readonly options: SponsoredOptions = {},
  ) {
    super(provider);
  }

  getAddress(): Promise<string> {
    return Promise.resolve(this.key.address);
  }

  connect(provider: Provider | null): SponsoredSigner {
    if (provider === null) throw new Error("a sponsored signer needs a provider to read the chain");
    return new SponsoredSigner(this.key, provider, this.sponsorship, this.options);
  }

  signTransaction(): Promise<string> {
    return Promise.reject(new Error("the app key signs no transactions of its own: the sponsor's relay sends them"));
  }

  signMessage(message: string | Uint8Array): Promise<string> {
    return this.key.signMessage(message);
  }

  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    return this.key.signTypedData(domain, types, value);
  }

  /** The call as a signed ForwardRequest, through the relay, to the chain: the relay's transaction. */
  override async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const provider = this.provider;
    const { forwarder, relayPath } = this.sponsorship;
    const from = this.key.address;
    const value = tx.value == null ? 0n : getBigInt(tx.value);
    if (value !== 0n) {
      throw new InputError(`this call carries ${ether(value)}: the sponsor pays gas, never ETH — use a wallet`);
    }
    if (tx.to == null) throw new InputError("a sponsored call must name the contract it calls");
    const to = getAddress(await resolveAddress(tx.to, provider));
    if (tx.from != null && getAddress(await resolveAddress(tx.from, provider)) !== from) {
      throw new InputError(`the call is from another account than the app key ${from}`);
    }
    const data = hexlify(tx.data ?? "0x");
    const gas = await this.callGas(to, data, tx.gasLimit);
    const counted: unknown = await new Contract(forwarder, FORWARDER_ABI, provider).getFunction("nonces")(from);
    if (typeof counted !== "bigint") throw new Error("the forwarder did not answer its nonce");
    const nonce = this.options.nonce === undefined ? counted : await this.options.nonce(counted);
    const latest = await provider.getBlock("latest");
    const now = latest?.timestamp ?? Math.floor(Date.now() / 1000);
    const request: ForwardRequest = { from, to, value: 0n, gas, nonce, deadline: now + SPONSORED_DEADLINE_S, data };
    const domain = forwarderDomain({
      chainId: this.sponsorship.chainId,
      forwarder,
      name: this.sponsorship.forwarderName,
    });
    const signed = signedRequest(request, await this.key.signTypedData(domain, FORWARD_REQUEST_TYPES, request));
    let posted;
    try {
      posted = await postAction(relayPath, signed);
    } catch {
      throw new Error("the sponsor's relay cannot be reached (offline?); nothing was sent");
    }
    if (posted.kind === "later") throw new Error(`the sponsor's relay cannot take it now: ${posted.reason}`);
    if (posted.kind === "refused") throw new Error(`the sponsor's relay refused it: ${posted.reason}`);
    const hash = await this.follow(posted.id);
    const call = await this.ranIn(hash, nonce);
    if (!call.carried) throw new ForwardedCallFailed(`the relay's transaction ${hash} did not carry the call`, hash);
    if (!call.success) {
      throw new ForwardedCallFailed(`the call failed on chain when the relay sent it · tx ${hash}`, hash);
    }
    await this.options.used?.(nonce);
    const response = await provider.getTransaction(hash);
    if (response === null) throw new ForwardedCallFailed(`the node does not know transaction ${hash}`, hash);
    return response;
  }

  /**
   * The gas the forwarder gives the call: `gasLimit` when the caller set one, else the node's estimate of the call
   * made directly from the key (an upper bound: a forwarded call pays no 21,000 base and no calldata) with a quarter
   * more; never above MAX_FORWARD_GAS, what the relay takes.
   */
  private async callGas(to: string, data: string, gasLimit: TransactionRequest["gasLimit"]): Promise<bigint> {
    const most = MAX_FORWARD_GAS;
    const needed =
      gasLimit == null ? await this.provider.estimateGas({ from: this.key.address, to, data }) : getBigInt(gasLimit);
    if (needed > most) {
      throw new InputError(
        `the call needs about ${thousands(needed)} gas, more than the ${thousands(most)} the sponsor pays for — use a wallet`,
      );
    }
    const gas = gasLimit == null ? needed + needed / 4n : needed;
    return gas > most ? most : gas;
  }

  /** Asks the relay about request `id` until it is on chain (its transaction's hash) or refused (throws one line). */
  private async follow(id: string): Promise<string> {
    const pollMs = this.options.pollMs ?? 500;
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    const started = Date.now();
    for (;;) {
      let report;
      try {
        report = await actionReport(this.sponsorship.relayPath, id);
      } catch {
        report = undefined; // the relay away for a moment: ask again
      }
      if (report?.state === "refused") {
        throw new Error(`the sponsor's relay refused it: ${report.reason ?? "no reason given"}`);
      }
      if (report?.state === "done" && report.txHash !== undefined) return report.txHash;
      if (Date.now() - started > timeoutMs) {
        throw new Error(
          `the relay took it but it is not on chain after ${Math.round(timeoutMs / 1000)} s (request ${id})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** How transaction `hash` ran this key's request `nonce` (waiting for its receipt, which "done" promises). */
  private async ranIn(hash: string, nonce: bigint): Promise<{ carried: boolean; success: boolean }> {
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    const started = Date.now();
    for (;;) {
      const call = await forwardedCall(this.provider, this.sponsorship.forwarder, hash, this.key.address, nonce);
      if (call !== undefined) return call;
      if (Date.now() - started > timeoutMs) throw new Error(`transaction ${hash} has no receipt`);
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 500));
    }
  }
}
