/**
 * The files of the sensor pipeline: a gateway's log of cold-chain readings (CSV or JSON: sensor, readAt,
 * temperature in °C, humidity in %), and the proofs file `sensor anchor` writes once the batch's Merkle root is on
 * chain (the root, the summary, the lots, the tree's dump and each reading's proof), from which anyone can prove one
 * reading later. Shared by `sensor anchor`, `sensor prove` and the relay service.
 */
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { z } from "zod";
import { isHexString } from "ethers";

import { timeOrAgo } from "../core/inputs.js";
import { checksummed } from "./checksums.js";
import { field, list, parseJson, parseRecord, readText, record, recordsOf, toJson } from "./record-files.js";
import type { SensorReading, SensorSummary } from "../core/sensors.js";
import { CALLDATA_FIELDS } from "../core/calldata.js";
import { InputError } from "../core/input-error.js";
import { positiveId, wholeNumber } from "../core/units.js";

/** The columns (CSV) or fields (JSON) of a sensor log, in order. */
export const SENSOR_COLUMNS = ["sensor", "readAt", "temperature", "humidity"] as const;

const MAX_UINT40 = 2 ** 40 - 1;

function sensorAddress(value: string | number): string {
  const address = checksummed(String(value).trim());
  if (address === undefined) throw new InputError(`sensor "${value}" is not an address (0x and 40 hex digits)`);
  return address;
}

/** A reading of a gateway's log; times may be written "2h ago", before `now` (the chain's clock, as a rule). */
const logSchema = (now?: number) =>
  record(
    {
      sensor: field("sensor", sensorAddress),
      readAt: field("readAt", (v) => timeOrAgo(v, "readAt", now)),
      temperature: field("temperature", (v) => CALLDATA_FIELDS.temperature(v)),
      humidity: field("humidity", (v) => CALLDATA_FIELDS.humidity(v)),
    },
    "a reading",
  );

/**
 * The readings of a sensor log, in file order (the order of the tree's leaves). Temperatures are °C (decimals, a
 * leading "-" or "−"), stored as hundredths; a sensor reads once at a time.
 */
export async function readSensorLog(file: string, now?: number): Promise<SensorReading[]> {
  const raws = recordsOf(file, await readText(file), SENSOR_COLUMNS);
  const schema = logSchema(now);
  const seen = new Map<string, string>();
  return raws.map((raw) => {
    const reading = parseRecord(schema, file, raw);
    const key = `${reading.sensor}@${reading.readAt}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new InputError(
        `${file} ${raw.where}: sensor ${reading.sensor} read at ${reading.readAt} already (${earlier})`,
      );
    }
    seen.set(key, raw.where);
    return reading;
  });
}

/**
 * One reading as a gateway posts it to the relay (the fields of a sensor log: temperature in °C, humidity in %,
 * readAt in unix seconds or ISO 8601); a problem is an `InputError` starting with `where`.
 */
export function parseSensorReading(value: unknown, where: string): SensorReading {
  return parseRecord(postSchema, where, { where: "", value });
}

/** Built once: a schema is costly to build (the relay parses thousands of readings a second); "ago" reads the clock. */
const postSchema = logSchema();

/** One reading with its proof against the anchored root. */
export interface ReadingProof {
  reading: SensorReading;
  proof: string[];
}

/** What `sensor anchor` writes: enough to prove any reading of the batch later. */
export interface ProofsFile {
  chainId: bigint;
  ledger: string;
  root: string;
  stage: string;
  lotIds: bigint[];
  summary: SensorSummary;
  tree: unknown;
  proofs: ReadingProof[];
}

/** The proofs file of an anchored batch, as JSON. */
export function proofsFileJson(
  anchored: Omit<ProofsFile, "tree" | "proofs">,
  tree: StandardMerkleTree<[string, number, number, number]>,
  proofs: ReadingProof[],
): string {
  return toJson({ ...anchored, tree: tree.dump(), proofs });
}

function integer(min: number, max: number, what: string) {
  return (value: string | number): number => {
    const text = String(value).trim();
    if (!/^-?\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new InputError(`${what} "${value}" is not a whole number ${min}..${max}`);
    }
    return Number(text);
  };
}

function bytes32(what: string) {
  return (value: string | number): string => {
    const text = String(value).trim();
    if (!isHexString(text, 32))
      throw new InputError(`${what} "${value}" is not 32 bytes of hex (0x and 64 hex digits)`);
    return text.toLowerCase();
  };
}

const proofSchema = record(
  {
    reading: record(
      {
        sensor: field("sensor", sensorAddress),
        readAt: field("readAt", (v) => wholeNumber(v, "readAt", MAX_UINT40)),
        temperature: field("temperature", integer(-32768, 32767, "temperature (hundredths of °C)")),
        humidity: field("humidity", (v) => wholeNumber(v, "humidity", 255)),
      },
      "reading",
    ),
    proof: list("proof", field("proof", bytes32("proof element"))),
  },
  "a proof",
);

const headerSchema = z.object(
  {
    root: field("root", bytes32("root")),
    stage: z.string({ error: "stage must be a stage name" }).optional(),
    lotIds: list(
      "lotIds",
      field("lotIds", (v) => positiveId(v, "lot id")),
    ).optional(),
    proofs: z.array(z.unknown(), { error: "proofs must be a list of {reading, proof}" }),
  },
  { error: "must be an object with root and proofs (a file sensor anchor wrote)" },
);

/** The root and proofs of a file `sensor anchor` wrote. */
export async function readProofsFile(
  file: string,
): Promise<{ root: string; stage: string | undefined; lotIds: bigint[]; proofs: ReadingProof[] }> {
  const header = parseRecord(headerSchema, file, { where: "", value: parseJson(file, await readText(file)) });
  if (header.proofs.length === 0) throw new InputError(`${file} lists no proofs`);
  const proofs = header.proofs.map((value, i) => parseRecord(proofSchema, file, { where: `proofs[${i}]`, value }));
  return { root: header.root, stage: header.stage, lotIds: header.lotIds ?? [], proofs };
}
