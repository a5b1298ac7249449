/**
 * The bounded parsers of every value a device's post turns into calldata, one per field, each refusing what its
 * Solidity type cannot hold with an `InputError` naming the field. The relay's QAT intake (through the signed-reading
 * record of src/node/qat-files.ts), its sensor intake (src/services/relay/intake.ts, src/node/sensor-files.ts) and any later intake path
 * take their fields from here, so a value the ABI encoder would refuse never reaches the relay's queue.
 */
import { lotRef } from "./digital-link.js";
import { centiCelsius, humidityPercent, uint64, wholeNumber } from "./units.js";

/** The largest uint40 (the ledger's timestamps). */
export const MAX_UINT40 = 2 ** 40 - 1;

/** One field's parser: `value` as given (JSON text or number), `what` the name it is refused under. */
export type FieldParser<T> = (value: string | number, what: string) => T;

export const CALLDATA_FIELDS = {
  /** uint256 ≥ 1: a lot id (decimal, 0x-hex, or a product lot's GS1 reference). */
  lotId: ((value, what) => lotRef(String(value), what)) satisfies FieldParser<bigint>,
  /** uint64: a device's reading sequence number. */
  readingId: ((value, what) => uint64(value, what)) satisfies FieldParser<bigint>,
  /** uint40 unix seconds, as a number only (what a device signed). */
  timestamp: ((value, what) => wholeNumber(value, what, MAX_UINT40)) satisfies FieldParser<number>,
  /** uint8. */
  uint8: ((value, what) => wholeNumber(value, what, 255)) satisfies FieldParser<number>,
  /** int16 hundredths of a °C, given in °C. */
  temperature: ((value: string | number) => centiCelsius(value)) satisfies FieldParser<number>,
  /** uint8 whole percent 0..100. */
  humidity: ((value: string | number) => humidityPercent(value)) satisfies FieldParser<number>,
} as const;
