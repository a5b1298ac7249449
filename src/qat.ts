/**
 * QAT readings as the device signs them: the EIP-712 type, the domain of a deployment's quality ledger, signing,
 * the digest and signer recovery. The one definition the signing task, the relay and the tests share; the digest
 * equals `QualityLedger.readingDigest` (a test holds them together against the contract's `eip712Domain()`).
 */
import { TypedDataEncoder, verifyTypedData, type Signer, type TypedDataDomain } from "ethers";

import { InputError } from "./units.js";

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

const types = QAT_READING_TYPES as unknown as Record<string, { name: string; type: string }[]>;

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
