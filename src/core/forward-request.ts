/**
 * Sponsored actions: an actor's call signed as an OpenZeppelin `ERC2771Forwarder` ForwardRequest (EIP-712), which a
 * relay submits and pays for. The typed data is the forwarder's own (`ForwardRequest(address from,address to,
 * uint256 value,uint256 gas,uint256 nonce,uint48 deadline,bytes data)`, domain `{name, version "1", chainId,
 * verifyingContract}`), written once here for the offline app that signs (web/src/vessel/) and the relay that checks.
 * Browser-safe: ethers only.
 */
import { Interface, getAddress, isHexString, verifyTypedData, type TypedDataDomain, type TypedDataField } from "ethers";

/** The name FishTrace's forwarder (contracts: FishTraceForwarder) builds its EIP-712 domain with. */
export const FORWARDER_NAME = "FishTrace";

/** The forwarder's EIP-712 types. */
export const FORWARD_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};

/** Where a deployment's forwarder is, and the name its EIP-712 domain was built with. */
export interface ForwarderDomain {
  chainId: number | bigint;
  forwarder: string;
  /** The `name` given to the forwarder's constructor (`ERC2771Forwarder(name)`). */
  name: string;
}

/** What the actor signs: the call (`to`, `data`), its gas, the signer's forwarder nonce and a deadline (unix s). */
export interface ForwardRequest {
  from: string;
  to: string;
  value: bigint;
  gas: bigint;
  nonce: bigint;
  deadline: number;
  data: string;
}

/** A ForwardRequest with its signature, as a relay takes it (numbers as decimal strings, JSON-safe). */
export interface SignedForwardRequest {
  from: string;
  to: string;
  value: string;
  gas: string;
  nonce: string;
  deadline: number;
  data: string;
  signature: string;
}

/** The forwarder's EIP-712 domain. */
export function forwarderDomain(domain: ForwarderDomain): TypedDataDomain {
  return { name: domain.name, version: "1", chainId: domain.chainId, verifyingContract: getAddress(domain.forwarder) };
}

/** The longest a request signed at sea may wait for the network: 30 days (the relay refuses a later deadline). */
export const MAX_FORWARD_DEADLINE_S = 30 * 86_400;

/**
 * The deadline the offline app signs with: a day less than the relay takes, since the phone only estimates the
 * chain's clock (from the last block it saw; no block, no tick).
 */
export const SIGNED_DEADLINE_S = MAX_FORWARD_DEADLINE_S - 86_400;

/** The gas a sponsored call may use, at most: a catch registration needs about 45,000 of execution. */
export const MAX_FORWARD_GAS = 500_000n;

/** `request` as JSON-safe fields with `signature`. */
export function signedRequest(request: ForwardRequest, signature: string): SignedForwardRequest {
  return {
    from: getAddress(request.from),
    to: getAddress(request.to),
    value: request.value.toString(),
    gas: request.gas.toString(),
    nonce: request.nonce.toString(),
    deadline: request.deadline,
    data: request.data,
    signature,
  };
}

const DECIMAL = /^(0|[1-9]\d{0,77})$/;

/**
 * A signed request read back from JSON, checked field by field; throws one line naming the first wrong field.
 * The signature is checked against `from` for `domain`.
 */
export function readSignedRequest(
  value: unknown,
  domain: ForwarderDomain,
): SignedForwardRequest & { request: ForwardRequest } {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error("the request is not an object");
  const field = (name: string): unknown => (name in value ? Reflect.get(value, name) : undefined);
  const address = (name: string): string => {
    const text = field(name);
    if (typeof text !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(text)) throw new Error(`${name} is not an address`);
    return getAddress(text);
  };
  const decimal = (name: string): bigint => {
    const text = field(name);
    if (typeof text !== "string" || !DECIMAL.test(text)) throw new Error(`${name} is not a whole number in a string`);
    return BigInt(text);
  };
  const hex = (name: string): string => {
    const text = field(name);
    if (typeof text !== "string" || !isHexString(text) || text.length % 2 !== 0)
      throw new Error(`${name} is not hex bytes`);
    return text.toLowerCase();
  };
  const deadline = field("deadline");
  if (typeof deadline !== "number" || !Number.isSafeInteger(deadline) || deadline <= 0 || deadline >= 2 ** 48) {
    throw new Error("deadline is not a unix time in seconds");
  }
  const request: ForwardRequest = {
    from: address("from"),
    to: address("to"),
    value: decimal("value"),
    gas: decimal("gas"),
    nonce: decimal("nonce"),
    deadline,
    data: hex("data"),
  };
  const signature = hex("signature");
  if (signature.length !== 132) throw new Error("signature is not 65 bytes");
  let signer: string;
  try {
    signer = verifyTypedData(forwarderDomain(domain), FORWARD_REQUEST_TYPES, request, signature);
  } catch {
    throw new Error("signature is not a valid signature");
  }
  if (signer !== request.from) throw new Error(`signature is by ${signer}, not by from ${request.from}`);
  return { ...signedRequest(request, signature), request };
}

/** The forwarder's events and views the app and the relay use (OpenZeppelin ERC2771Forwarder). */
export const FORWARDER_ABI = [
  "event ExecutedForwardRequest(address indexed signer, uint256 nonce, bool success)",
  "function nonces(address owner) view returns (uint256)",
] as const;

/** A log as a receipt lists it. */
export interface ReceiptLog {
  address: string;
  topics: readonly string[];
  data: string;
}

/**
 * The logs one forwarded call emitted in a transaction that executed several (`executeBatch`): those after the
 * previous `ExecutedForwardRequest` of `forwarder` and before the one of (`signer`, `nonce`); undefined when the
 * transaction did not execute that request, `success: false` with no logs when its call failed.
 */
export function forwardedLogs(
  logs: readonly ReceiptLog[],
  forwarder: string,
  signer: string,
  nonce: bigint,
): { success: boolean; logs: ReceiptLog[] } | undefined {
  const iface = new Interface(FORWARDER_ABI);
  const executed = iface.getEvent("ExecutedForwardRequest");
  if (executed === null) return undefined;
  const from = getAddress(forwarder);
  let start = 0;
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i];
    if (log === undefined || getAddress(log.address) !== from || log.topics[0] !== executed.topicHash) continue;
    const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) continue;
    const [who, n, success] = parsed.args;
    if (typeof who === "string" && getAddress(who) === getAddress(signer) && n === nonce) {
      return { success: success === true, logs: success === true ? logs.slice(start, i) : [] };
    }
    start = i + 1;
  }
  return undefined;
}
