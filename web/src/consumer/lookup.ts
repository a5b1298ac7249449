/**
 * What a person typed or a QR code held, checked with the shared `lotRef` before anything is fetched, as the app
 * path of its journey: `/01/{gtin14}/10/{lot}` for a product lot, `/lot/{id}` for a lot id.
 */
import { gtin14, lotRef, parseDigitalLink, parseProductKey } from "@shared/digital-link.js";
import { InputError } from "@shared/units.js";

import { journeyPath, lotPath } from "../router.js";

const ELEMENT_STRING = /^\(01\)(\d{14})\(10\)([^()]*)$/;

/** The journey path of `text` (Digital Link on any host, element string, `GTIN:LOT` or lot id); throws `InputError`. */
export function lookupPath(text: string): string {
  const value = text.trim();
  if (value === "") throw new InputError("Type the code under the QR code: a Digital Link, GTIN:LOT or a lot id.");
  lotRef(value, "code");
  if (/^https?:\/\//i.test(value)) {
    const key = parseDigitalLink(value, "code");
    return journeyPath(gtin14(key.gtin), key.lot);
  }
  const hri = ELEMENT_STRING.exec(value);
  if (hri !== null) return journeyPath(hri[1]!, hri[2]!);
  if (value.includes(":")) {
    const key = parseProductKey(value, "code");
    return journeyPath(gtin14(key.gtin), key.lot);
  }
  return lotPath(value);
}
