/**
 * What a person typed or a QR code held, checked with the shared `lotRef` before anything is fetched, as the app
 * path of its journey: `/01/{gtin14}/10/{lot}` for a product lot, `/lot/{id}` for a lot id.
 */
import { gtin14, parseLotRef } from "@core/digital-link.js";
import { InputError } from "@core/input-error.js";

import { journeyPath, lotPath } from "../router.js";

/** The journey path of `text` (Digital Link on any host, element string, `GTIN:LOT` or lot id); throws `InputError`. */
export function lookupPath(text: string): string {
  const value = text.trim();
  if (value === "") throw new InputError("Type the code under the QR code: a Digital Link, GTIN:LOT or a lot id.");
  const ref = parseLotRef(value, "code");
  return ref.kind === "product" ? journeyPath(gtin14(ref.key.gtin), ref.key.lot) : lotPath(value);
}
