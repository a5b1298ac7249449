/**
 * The Manufacturer's process as typed on the command line: `--inputs 12:50kg,13` (lot 12, 50 kg of it, and all
 * that is left of lot 13) and `--outputs 07038010123450:L2026-001:20kg[:frozen],…` (a product lot per item), turned
 * into `IManufacturer.Input[]` and `Output[]`. Parsing is strict: every item is checked (GTIN check digit, lot
 * number, weight), lots and product keys may appear once, and errors name the item in one line.
 */
import { gtin, lotNumber, lotNumberBytes, lotRef, productLotId } from "./digital-link.js";
import { InputError } from "./input-error.js";
import { grams } from "./units.js";

export interface ProcessInput {
  lotId: bigint;
  /** Grams taken from the lot; 0: all that is left of it. */
  grams: number;
}

export interface ProcessOutput {
  gtin: bigint;
  /** The lot number as text (GS1 AI 10). */
  lot: string;
  /** The lot number as the `bytes20` the contract takes. */
  lotNumber: string;
  weightGrams: number;
  frozen: boolean;
  /** The id the product lot will have. */
  lotId: bigint;
}

function items(value: string, option: string, example: string): string[] {
  const parts = value.split(",").map((p) => p.trim());
  if (parts.every((p) => p === "")) throw new InputError(`--${option} is empty (e.g. ${example})`);
  const blank = parts.findIndex((p) => p === "");
  if (blank >= 0) throw new InputError(`--${option} item ${blank + 1} is empty (items are separated by single commas)`);
  return parts;
}

/** A weight with its unit; in `--inputs` a bare number could be a lot number, so the unit is required. */
const WEIGHT_WITH_UNIT = /^\d+(?:\.\d+)?\s*(?:g|kg|t)$/i;
const GTIN_DIGITS = /^(\d{8}|\d{12,14})$/;

const INPUTS_EXAMPLE = "12:50kg,13";

/**
 * `LOT[:WEIGHT]` items: LOT is a lot id, a GS1 Digital Link or `GTIN:LOT`; WEIGHT (with its unit: g, kg or t) is
 * what to take of it, all that is left when omitted. A product lot whose lot number reads as a weight is given by
 * its Digital Link.
 */
export function parseInputs(value: string): ProcessInput[] {
  const inputs = items(value, "inputs", INPUTS_EXAMPLE).map((item, i): ProcessInput => {
    const where = `--inputs item ${i + 1} "${item}"`;
    const colon = item.lastIndexOf(":");
    const head = colon < 0 ? item : item.slice(0, colon).trim();
    const tail = colon < 0 ? undefined : item.slice(colon + 1).trim();
    try {
      if (tail !== undefined && WEIGHT_WITH_UNIT.test(tail)) return { lotId: lotRef(head, "lot"), grams: grams(tail) };
      // "12:50": a lot id (too short to be a GTIN) followed by something that should have been a weight.
      if (tail !== undefined && /^\d+$/.test(head) && !GTIN_DIGITS.test(head)) {
        throw new InputError(`"${tail}" is not a weight with its unit (e.g. 50kg, 800g, 1.2t)`);
      }
      return { lotId: lotRef(item, "lot"), grams: 0 };
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${where}: ${err.message}`);
      throw err;
    }
  });
  inputs.forEach((input, i) => {
    const first = inputs.findIndex((other) => other.lotId === input.lotId);
    if (first !== i) throw new InputError(`--inputs items ${first + 1} and ${i + 1} are the same lot`);
  });
  return inputs;
}

const OUTPUTS_EXAMPLE = "07038010123450:L2026-001:20kg:frozen";

/** `GTIN:LOT:WEIGHT[:frozen|:fresh]` items, one product lot each (fresh unless marked frozen). */
export function parseOutputs(value: string): ProcessOutput[] {
  const outputs = items(value, "outputs", OUTPUTS_EXAMPLE).map((item, i): ProcessOutput => {
    const where = `--outputs item ${i + 1} "${item}"`;
    const [gtinText, lot, weightText, form, ...more] = item.split(":");
    if (gtinText === undefined || lot === undefined || weightText === undefined || more.length > 0) {
      throw new InputError(`${where} is not GTIN:LOT:WEIGHT[:frozen] (e.g. ${OUTPUTS_EXAMPLE})`);
    }
    try {
      const frozen = form === undefined ? false : productForm(form);
      const g = gtin(gtinText);
      const weightGrams = grams(weightText);
      return {
        gtin: g,
        lot: lotNumber(lot),
        lotNumber: lotNumberBytes(lot),
        weightGrams,
        frozen,
        lotId: productLotId(g, lot),
      };
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${where}: ${err.message}`);
      throw err;
    }
  });
  outputs.forEach((output, i) => {
    const first = outputs.findIndex((other) => other.lotId === output.lotId);
    if (first !== i) throw new InputError(`--outputs items ${first + 1} and ${i + 1} are the same product lot`);
  });
  return outputs;
}

function productForm(text: string): boolean {
  const form = text.trim().toLowerCase();
  if (form === "frozen") return true;
  if (form === "fresh") return false;
  throw new InputError(`product form "${text}" is not frozen or fresh`);
}
