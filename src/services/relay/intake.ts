/**
 * What a device may post, checked before anything is stored: the request's shape (zod, through the same record
 * parsers as the task files), the signature (a QAT reading's EIP-712 signature by its device; a gateway's EIP-191
 * signature over the exact body it sent) and the registry's word that the signer is a device of the right kind.
 * Every refusal is a `Refusal` (refusal.ts): an HTTP status, a metrics reason and one line naming what is wrong.
 */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

import { CALLDATA_FIELDS } from "../../core/calldata.js";
import { parseSignedReading } from "../../node/qat-files.js";
import type { QatReading, SignedReading } from "../../core/qat.js";
import { parseSensorReading } from "../../node/sensor-files.js";
import { messageSigner, recoverSigner } from "../../node/signature.js";
import { stageName, stageNumber } from "../../core/stages.js";
import { InputError } from "../../core/input-error.js";
import type { DeviceDirectory } from "./devices.js";
import { Refusal } from "./refusal.js";
import type { NewQat, NewSensor } from "./store.js";

/** How far ahead of the relay's clock a device's clock may run. */
export const CLOCK_SKEW_SECONDS = 300;

/** The header a gateway signs its request body in (EIP-191 `personal_sign` over the body's bytes). */
export const GATEWAY_SIGNATURE_HEADER = "x-fishtrace-signature";

export interface IntakeLimits {
  /** Readings one QAT request may carry. */
  qatPerRequest: number;
  /** Readings one sensor request may carry. */
  sensorPerRequest: number;
}

export const DEFAULT_LIMITS: IntakeLimits = { qatPerRequest: 1_000, sensorPerRequest: 10_000 };

/** A signed reading as stored: fixed key order, decimal bigints, lowercase hex — identical posts compare equal. */
export function canonicalSigned({ reading: r, signature }: SignedReading): string {
  return JSON.stringify({
    reading: {
      readingId: r.readingId.toString(),
      lotId: r.lotId.toString(),
      species: r.species.toLowerCase(),
      speciesConfidence: r.speciesConfidence,
      grade: r.grade,
      gradeConfidence: r.gradeConfidence,
      scannedAt: r.scannedAt,
      device: r.device,
    },
    signature: signature.toLowerCase(),
  });
}

const storedSignedSchema = z.object({
  reading: z.object({
    readingId: z.string(),
    lotId: z.string(),
    species: z.string(),
    speciesConfidence: z.number(),
    grade: z.number(),
    gradeConfidence: z.number(),
    scannedAt: z.number(),
    device: z.string(),
  }),
  signature: z.string(),
});

/** A signed reading as `canonicalSigned` stored it, back in the contract's types. */
export function storedSigned(text: string): SignedReading {
  const { reading: r, signature } = storedSignedSchema.parse(JSON.parse(text));
  return { reading: { ...r, readingId: BigInt(r.readingId), lotId: BigInt(r.lotId) }, signature };
}

function malformed(message: string, readings = 1): Refusal {
  return new Refusal(400, "malformed", message, readings);
}

function entries(body: unknown, max: number): { items: unknown[]; where: (i: number) => string } {
  if (Array.isArray(body)) return { items: body, where: (i) => `[${i}]` };
  if (typeof body === "object" && body !== null && "readings" in body) {
    const keys = Object.keys(body).filter((k) => k !== "readings");
    if (keys.length > 0) throw malformed(`unknown field "${keys.join('", "')}" (send {"readings": [...]})`);
    const { readings } = body;
    if (!Array.isArray(readings)) throw malformed("readings must be a list of signed readings");
    if (readings.length > max) {
      throw new Refusal(
        413,
        "too_large",
        `${readings.length} readings in one request; at most ${max}`,
        readings.length,
      );
    }
    return { items: readings, where: (i) => `readings[${i}]` };
  }
  return { items: [body], where: () => "request" };
}

/**
 * Checks a QAT request: `{reading, signature}`, or `{readings: [...]}` of them; returns the rows to store. `digest`
 * is the ledger's `readingDigester` (built once per relay: the domain hash is the expensive part).
 */
export async function qatIntake(
  body: unknown,
  digest: (reading: QatReading) => Uint8Array,
  devices: DeviceDirectory,
  maxGrade: (species: string) => Promise<number>,
  limits: IntakeLimits,
  now = Date.now(),
): Promise<NewQat[]> {
  const { items, where } = entries(body, limits.qatPerRequest);
  if (items.length === 0) throw malformed("readings is empty");
  const latest = Math.floor(now / 1000) + CLOCK_SKEW_SECONDS;
  const rows: NewQat[] = [];
  const seen = new Map<string, NewQat>();
  for (const [i, value] of items.entries()) {
    let signed: SignedReading;
    try {
      signed = parseSignedReading(value, where(i));
    } catch (err) {
      throw malformed(err instanceof Error ? err.message : String(err), items.length);
    }
    const { reading, signature } = signed;
    for (const [name, confidence] of [
      ["speciesConfidence", reading.speciesConfidence],
      ["gradeConfidence", reading.gradeConfidence],
    ] as const) {
      if (confidence > 100) throw malformed(`${where(i)}: ${name} ${confidence} is above 100 %`, items.length);
    }
    if (reading.scannedAt > latest) {
      throw malformed(
        `${where(i)}: scannedAt ${reading.scannedAt} is ${reading.scannedAt - latest + CLOCK_SKEW_SECONDS} s in ` +
          "the future (check the device's clock)",
        items.length,
      );
    }
    const signer = recoverSigner(digest(reading), signature);
    if (signer !== reading.device) {
      throw new Refusal(
        401,
        "bad_signature",
        signer === undefined
          ? `${where(i)}: the signature is malformed (65 bytes, v 27 or 28, low s)`
          : `${where(i)}: signed by ${signer}, not by the device ${reading.device} it names (altered, or signed ` +
              "for another ledger or chain)",
        items.length,
      );
    }
    if (!(await devices.has(reading.device, "QAT_DEVICE"))) {
      throw new Refusal(
        403,
        "unknown_device",
        `${where(i)}: ${reading.device} is not a registered QAT device`,
        items.length,
      );
    }
    const max = await maxGrade(reading.species);
    if (reading.grade > max) {
      throw malformed(`${where(i)}: grade ${reading.grade} is above the scale's ${max}`, items.length);
    }
    const key = `${reading.device}:${reading.readingId}`;
    const canonical = canonicalSigned(signed);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      if (earlier.signed !== canonical) {
        throw new Refusal(
          409,
          "conflict",
          `${where(i)}: reading ${reading.readingId} of ${reading.device} appears twice with different contents`,
          items.length,
        );
      }
      continue;
    }
    const row: NewQat = {
      device: reading.device,
      readingId: reading.readingId.toString(),
      lotId: reading.lotId.toString(),
      signed: canonical,
      receivedAt: now,
    };
    seen.set(key, row);
    rows.push(row);
  }
  return rows;
}

const MAX_LOTS = 64;

const sensorRequest = z.strictObject(
  {
    gateway: z.string({ error: "gateway must be the gateway's address" }),
    stage: z.string({ error: "stage must be a stage name (harvester … customer)" }),
    lots: z.array(z.union([z.string(), z.number()]), { error: "lots must be a list of lot ids" }),
    readings: z.array(z.unknown(), { error: "readings must be a list of readings" }),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field "${issue.keys.join('", "')}"`
        : "the request must be an object with the fields gateway, stage, lots, readings",
  },
);

/**
 * Checks a gateway's request `{gateway, stage, lots, readings}` whose raw bytes are `raw`, signed (EIP-191) in
 * the `X-FishTrace-Signature` header by `gateway`; returns the rows to store.
 */
export async function sensorIntake(
  raw: Uint8Array,
  body: unknown,
  signature: string | undefined,
  devices: DeviceDirectory,
  limits: IntakeLimits,
  now = Date.now(),
): Promise<NewSensor[]> {
  const parsed = sensorRequest.safeParse(body);
  if (!parsed.success) throw malformed(parsed.error.issues[0]?.message ?? "malformed request");
  const request = parsed.data;
  const count = Math.max(1, request.readings.length);
  if (!isAddress(request.gateway)) throw malformed(`gateway "${request.gateway}" is not an address`, count);
  const gateway = getAddress(request.gateway);
  let stage: number;
  let lots: string;
  try {
    stage = stageNumber(stageName(request.stage, "stage"));
    if (request.lots.length === 0 || request.lots.length > MAX_LOTS) {
      throw new InputError(`lots must list 1..${MAX_LOTS} lot ids`);
    }
    const ids = [...new Set(request.lots.map((l) => CALLDATA_FIELDS.lotId(l, "lot id")))].sort((a, b) =>
      a < b ? -1 : 1,
    );
    lots = ids.join(",");
  } catch (err) {
    throw malformed(err instanceof Error ? err.message : String(err), count);
  }
  if (request.readings.length === 0) throw malformed("readings is empty");
  if (request.readings.length > limits.sensorPerRequest) {
    throw new Refusal(
      413,
      "too_large",
      `${request.readings.length} readings in one request; at most ${limits.sensorPerRequest}`,
      count,
    );
  }
  if (signature === undefined) {
    throw new Refusal(
      401,
      "bad_signature",
      `no ${GATEWAY_SIGNATURE_HEADER} header (the gateway signs the request body, EIP-191)`,
      count,
    );
  }
  const signer = messageSigner(raw, signature.trim());
  if (signer !== gateway) {
    throw new Refusal(
      401,
      "bad_signature",
      signer === undefined
        ? `the ${GATEWAY_SIGNATURE_HEADER} header is not a valid signature (65 bytes of hex, v 27 or 28, low s)`
        : `the body is signed by ${signer}, not by the gateway ${gateway} it names (altered in transit?)`,
      count,
    );
  }
  if (!(await devices.has(gateway, "SENSOR_GATEWAY"))) {
    throw new Refusal(403, "unknown_device", `${gateway} is not a registered sensor gateway`, count);
  }
  const latest = Math.floor(now / 1000) + CLOCK_SKEW_SECONDS;
  const rows: NewSensor[] = [];
  const seen = new Map<string, NewSensor>();
  for (const [i, value] of request.readings.entries()) {
    let reading;
    try {
      reading = parseSensorReading(value, `readings[${i}]`);
    } catch (err) {
      throw malformed(err instanceof Error ? err.message : String(err), count);
    }
    if (reading.readAt > latest) {
      throw malformed(`readings[${i}]: readAt ${reading.readAt} is in the future (check the sensor's clock)`, count);
    }
    const key = `${reading.sensor}:${reading.readAt}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      if (earlier.temperature !== reading.temperature || earlier.humidity !== reading.humidity) {
        throw new Refusal(
          409,
          "conflict",
          `readings[${i}]: sensor ${reading.sensor} read twice at ${reading.readAt} with different values`,
          count,
        );
      }
      continue;
    }
    const row: NewSensor = { ...reading, stage, lots, gateway, receivedAt: now };
    seen.set(key, row);
    rows.push(row);
  }
  return rows;
}
