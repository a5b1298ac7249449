/**
 * Bulk cold-chain readings anchored as Merkle roots: the leaf type (`IQualityLedger.SensorReading`), the standard
 * `@openzeppelin/merkle-tree` tree over them, the summary a gateway anchors with the root, and proofs for one
 * reading. The leaf hashing matches `QualityLedger.verifyReading` (double-hashed, so no inner node passes as a leaf).
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getBytes, keccak256, toBeHex, toTwos } from "ethers";

import { InputError } from "./input-error.js";
import { standardMerkle, type MerkleProofs } from "./merkle.js";

/** One sensor reading, as the tree stores it. */
export interface SensorReading {
  sensor: string;
  /** Unix seconds. */
  readAt: number;
  /** Hundredths of °C. */
  temperature: number;
  /** Percent. */
  humidity: number;
}

/** What a gateway anchors with the root (`IQualityLedger.SensorSummary`). */
export interface SensorSummary {
  from: number;
  to: number;
  count: number;
  /** Hundredths of °C. */
  minimum: number;
  maximum: number;
  mean: number;
}

/** The Solidity types of a leaf, in order. */
export const SENSOR_LEAF_TYPES = ["address", "uint40", "int16", "uint8"];

type Leaf = [string, number, number, number];

function leafOf(r: SensorReading): Leaf {
  return [r.sensor, r.readAt, r.temperature, r.humidity];
}

/** The standard Merkle tree over `readings` (in the order given). */
export function sensorTree(readings: readonly SensorReading[]): StandardMerkleTree<Leaf> {
  if (readings.length === 0) throw new InputError("a sensor batch needs at least one reading");
  return StandardMerkleTree.of(readings.map(leafOf), SENSOR_LEAF_TYPES);
}

/** The proof of `reading` in `tree` (found by value). */
export function proofOf(tree: StandardMerkleTree<Leaf>, reading: SensorReading): string[] {
  const wanted = leafOf(reading);
  for (const [i, value] of tree.entries()) {
    if (
      value[0].toLowerCase() === wanted[0].toLowerCase() &&
      Number(value[1]) === wanted[1] &&
      Number(value[2]) === wanted[2] &&
      Number(value[3]) === wanted[3]
    ) {
      return tree.getProof(i);
    }
  }
  throw new InputError(`the reading of ${reading.sensor} at ${reading.readAt} is not in this batch`);
}

/** The summary of `readings`: window, count, minimum, maximum and mean temperature (rounded half up). */
export function summarize(readings: readonly SensorReading[]): SensorSummary {
  if (readings.length === 0) throw new InputError("a sensor batch needs at least one reading");
  let from = Infinity;
  let to = -Infinity;
  let minimum = Infinity;
  let maximum = -Infinity;
  let sum = 0;
  for (const r of readings) {
    from = Math.min(from, r.readAt);
    to = Math.max(to, r.readAt);
    minimum = Math.min(minimum, r.temperature);
    maximum = Math.max(maximum, r.temperature);
    sum += r.temperature;
  }
  const mean = Math.min(maximum, Math.max(minimum, Math.round(sum / readings.length)));
  return { from, to, count: readings.length, minimum, maximum, mean };
}

/** The leaf of `r` as the standard tree and `QualityLedger.verifyReading` hash it: keccak256(keccak256(abi.encode)). */
export function sensorLeafHash(r: SensorReading): string {
  const encoded = new Uint8Array(128);
  encoded.set(getBytes(toBeHex(BigInt(r.sensor), 32)), 0);
  encoded.set(getBytes(toBeHex(r.readAt, 32)), 32);
  encoded.set(getBytes(toBeHex(toTwos(r.temperature, 256), 32)), 64);
  encoded.set(getBytes(toBeHex(r.humidity, 32)), 96);
  return keccak256(keccak256(encoded));
}

/** A batch's Merkle root and every reading's proof (in the readings' order), as `sensorMerkle` computes them. */
export type SensorMerkle = MerkleProofs;

/**
 * The root of `sensorTree(readings)` and each reading's proof, computed without holding the event loop
 * (src/core/merkle.ts). The relay computes it once when it anchors a batch and keeps the proofs; a test holds root
 * and proofs equal to the library's.
 */
export async function sensorMerkle(readings: readonly SensorReading[], chunk = 256): Promise<SensorMerkle> {
  if (readings.length === 0) throw new InputError("a sensor batch needs at least one reading");
  const hashes: string[] = [];
  for (const [i, reading] of readings.entries()) {
    hashes.push(sensorLeafHash(reading));
    if (i % chunk === chunk - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return standardMerkle(hashes, chunk, "a sensor batch");
}

/** `sensorTree(readings).root` (see `sensorMerkle`). */
export async function sensorRoot(readings: readonly SensorReading[], chunk = 256): Promise<string> {
  return (await sensorMerkle(readings, chunk)).root;
}
