/**
 * QAT readings as the device signs them: the EIP-712 type, the domain of a deployment's quality ledger, signing,
 * the digest and signer recovery. The one definition the signing task, the relay and the tests share; the digest
 * equals `QualityLedger.readingDigest` (a test holds them together against the contract's `eip712Domain()`).
 */
import {
  getBytes,
  id,
  keccak256,
  toBeHex,
  TypedDataEncoder,
  verifyTypedData,
  type Signer,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

import { InputError } from "./input-error.js";

/** One QAT scan (`IQualityLedger.QatReading`). */
export interface QatReading {
  /** The device's own sequence number: (device, readingId) is accepted once. */
  readingId: bigint;
  lotId: bigint;
  /** FAO 3-alpha code as bytes3 hex ("0x434f44" for COD). */
  species: string;
  /** Percent. */
  speciesConfidence: number;
  /** Grade on the lot's freshness scale (Torry: 10 = just caught). */
  grade: number;
  /** Percent. */
  gradeConfidence: number;
  /** Unix seconds. */
  scannedAt: number;
  /** The device that signs. */
  device: string;
}

/** A reading with the device's 65-byte signature (`IQualityLedger.SignedReading`). */
export interface SignedReading {
  reading: QatReading;
  signature: string;
}

/** The EIP-712 type the device signs; field order and types as in `QualityLedger._READING_TYPEHASH`. */
export const QAT_READING_TYPES = {
  QatReading: [
    { name: "readingId", type: "uint64" },
    { name: "lotId", type: "uint256" },
    { name: "species", type: "bytes3" },
    { name: "speciesConfidence", type: "uint8" },
    { name: "grade", type: "uint8" },
    { name: "gradeConfidence", type: "uint8" },
    { name: "scannedAt", type: "uint40" },
    { name: "device", type: "address" },
  ],
} as const;

/** The EIP-712 domain name and version `QualityLedger` is constructed with. */
export const QAT_DOMAIN_NAME = "FishTrace";
export const QAT_DOMAIN_VERSION = "1";

/** The signing domain of the quality ledger at `ledger` on chain `chainId`. */
export function qatDomain(chainId: bigint | number, ledger: string): TypedDataDomain {
  return { name: QAT_DOMAIN_NAME, version: QAT_DOMAIN_VERSION, chainId, verifyingContract: ledger };
}

/** The domain a ledger reports through ERC-5267 `eip712Domain()`, for checking `qatDomain` against the chain. */
export async function domainOf(ledger: {
  eip712Domain(): Promise<[string, string, string, bigint, string, string, bigint[]]>;
}): Promise<TypedDataDomain> {
  const [, name, version, chainId, verifyingContract] = await ledger.eip712Domain();
  return { name, version, chainId, verifyingContract };
}

/** `QAT_READING_TYPES` as ethers takes EIP-712 types (mutable arrays). */
const types: Record<string, TypedDataField[]> = { QatReading: [...QAT_READING_TYPES.QatReading] };

/** The EIP-712 digest of `reading` under `domain`: what the device's key signs. */
export function readingDigest(domain: TypedDataDomain, reading: QatReading): string {
  return TypedDataEncoder.hash(domain, types, reading);
}

/** `device` signs `reading` under `domain`. */
export async function signReading(device: Signer, domain: TypedDataDomain, reading: QatReading): Promise<string> {
  return device.signTypedData(domain, types, reading);
}

/** The address that signed `reading` with `signature` under `domain`. */
export function signerOf(domain: TypedDataDomain, reading: QatReading, signature: string): string {
  return verifyTypedData(domain, types, reading, signature);
}

/** A reading as the contract's tuple type takes it (ethers accepts the object as is; this fixes the key order). */
export function readingTuple(r: QatReading): QatReading {
  return {
    readingId: r.readingId,
    lotId: r.lotId,
    species: r.species,
    speciesConfidence: r.speciesConfidence,
    grade: r.grade,
    gradeConfidence: r.gradeConfidence,
    scannedAt: r.scannedAt,
    device: r.device,
  };
}

/**
 * The signing domain of the quality ledger `ledger` on chain `chainId`, as `qatDomain` builds it, after checking it
 * against the domain the ledger itself reports (ERC-5267): a device must sign exactly what the ledger will hash.
 */
export async function ledgerDomain(
  ledger: Parameters<typeof domainOf>[0] & { getAddress(): Promise<string> },
  chainId: bigint,
): Promise<TypedDataDomain> {
  const expected = qatDomain(chainId, await ledger.getAddress());
  const actual = await domainOf(ledger);
  const text = (d: TypedDataDomain) => `${d.name} v${d.version}, chain ${d.chainId}, contract ${d.verifyingContract}`;
  const same =
    actual.name === expected.name &&
    actual.version === expected.version &&
    BigInt(actual.chainId ?? -1) === BigInt(expected.chainId ?? -2) &&
    String(actual.verifyingContract).toLowerCase() === String(expected.verifyingContract).toLowerCase();
  if (!same) {
    throw new InputError(
      `the quality ledger signs under the EIP-712 domain ${text(actual)}, not the FishTrace domain ${text(expected)}`,
    );
  }
  return expected;
}

const READING_TYPEHASH = getBytes(id(TypedDataEncoder.from(types).encodeType("QatReading")));

/**
 * A fast `readingDigest` for one domain: the EIP-712 struct hash written out word by word (the relay verifies a
 * thousand readings a second; ethers' generic encoder spends ~0.3 ms a reading). Equal to `readingDigest` — a test
 * holds the two together on fuzzed readings.
 */
export function readingDigester(domain: TypedDataDomain): (reading: QatReading) => Uint8Array {
  const separator = getBytes(TypedDataEncoder.hashDomain(domain));
  const struct = new Uint8Array(9 * 32);
  struct.set(READING_TYPEHASH, 0);
  const envelope = new Uint8Array(66);
  envelope.set([0x19, 0x01], 0);
  envelope.set(separator, 2);
  const word = (i: number, value: bigint | number) => struct.set(getBytes(toBeHex(value, 32)), i * 32);
  return (r) => {
    word(1, r.readingId);
    word(2, r.lotId);
    const species = getBytes(r.species);
    if (species.length !== 3) throw new InputError(`species ${r.species} is not 3 bytes`);
    struct.fill(0, 96, 128);
    struct.set(species, 96);
    word(4, r.speciesConfidence);
    word(5, r.grade);
    word(6, r.gradeConfidence);
    word(7, r.scannedAt);
    word(8, BigInt(r.device));
    envelope.set(getBytes(keccak256(struct)), 34);
    return getBytes(keccak256(envelope));
  };
}
