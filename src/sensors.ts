/**
 * Bulk cold-chain readings anchored as Merkle roots: the leaf type (`IQualityLedger.SensorReading`), the standard
 * `@openzeppelin/merkle-tree` tree over them, the summary a gateway anchors with the root, and proofs for one
 * reading. The leaf hashing matches `QualityLedger.verifyReading` (double-hashed, so no inner node passes as a leaf).
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { InputError } from "./units.js";

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
