import { expect } from "chai";

import { timeOrAgo } from "../../src/core/inputs.js";

import { InputError } from "../../src/core/input-error.js";
import {
  centiCelsius,
  degrees,
  fixedText,
  fixedTextOf,
  formatGrams,
  fromCentiCelsius,
  fromFixedDegrees,
  grams,
  humidityPercent,
  idList,
  positiveId,
  speciesCode,
  speciesText,
  unixSeconds,
} from "../../src/core/units.js";

const MAX_UINT40 = 2 ** 40 - 1;

/** The InputError `fn` throws; fails the test when it throws nothing or something else. */
function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(InputError);
    return err as InputError;
  }
  expect.fail("expected an InputError");
}

describe("src/units", () => {
  describe("InputError", () => {
    it("is an Error named InputError that keeps its message", () => {
      const err = new InputError("weight is empty");
      expect(err).to.be.instanceOf(Error);
      expect(err.name).to.equal("InputError");
      expect(err.message).to.equal("weight is empty");
    });
  });

  describe("speciesCode / speciesText", () => {
    it("turns an FAO 3-alpha code into its bytes3, trimming and upper-casing", () => {
      expect(speciesCode("COD")).to.equal("0x434f44");
      expect(speciesCode(" had ")).to.equal("0x484144");
    });

    it("reads a bytes3 back as text", () => {
      expect(speciesText("0x434f44")).to.equal("COD");
      expect(speciesText(speciesCode("pok"))).to.equal("POK");
    });

    for (const bad of ["CO", "CODE", "C0D", "", "C D", "ÅSA"]) {
      it(`rejects "${bad}" with an InputError naming it`, () => {
        expect(inputErrorOf(() => speciesCode(bad)).message).to.equal(
          `species "${bad}" is not an FAO 3-alpha code (three letters, e.g. COD)`,
        );
      });
    }
  });

  describe("fixedText / fixedTextOf", () => {
    it("right-pads short text to bytesN and reads it back", () => {
      expect(fixedText("OTB", 8, "gear")).to.equal("0x4f54420000000000");
      expect(fixedTextOf(fixedText("27.2.a", 8, "catch area"))).to.equal("27.2.a");
      expect(fixedTextOf(fixedText("IMO9241061", 16, "vessel"))).to.equal("IMO9241061");
    });

    it("counts UTF-8 bytes, not characters", () => {
      expect(fixedTextOf(fixedText("Hamnøy", 7, "vessel"))).to.equal("Hamnøy");
      expect(inputErrorOf(() => fixedText("Hamnøy", 6, "vessel")).message).to.equal(
        'vessel "Hamnøy" is longer than 6 bytes',
      );
    });

    it("accepts text of exactly N bytes and the empty text", () => {
      expect(fixedText("12345678", 8, "gear")).to.equal("0x3132333435363738");
      expect(fixedText("", 8, "gear")).to.equal("0x0000000000000000");
      expect(fixedTextOf("0x0000000000000000")).to.equal("");
    });
  });

  describe("degrees / fromFixedDegrees", () => {
    it("turns degrees into 1e-5 degree fixed point, rounding to the nearest", () => {
      expect(degrees(69.12345, "latitude")).to.equal(6_912_345);
      expect(degrees("-18.000004", "longitude")).to.equal(-1_800_000);
      expect(degrees(" 0.000005 ", "latitude")).to.equal(1);
    });

    it("accepts the limits ±90 for latitudes and ±180 for longitudes", () => {
      expect(degrees(90, "latitude")).to.equal(9_000_000);
      expect(degrees(-90, "latitude")).to.equal(-9_000_000);
      expect(degrees(180, "longitude")).to.equal(18_000_000);
      expect(degrees(-180, "longitude")).to.equal(-18_000_000);
    });

    it("reads fixed point back as degrees", () => {
      expect(fromFixedDegrees(6_912_345)).to.equal(69.12345);
      expect(fromFixedDegrees(-18_000_000n)).to.equal(-180);
      for (const d of [0, 1.5, -33.86785, 151.20732]) expect(fromFixedDegrees(degrees(d, "longitude"))).to.equal(d);
    });

    it("rejects out-of-range, empty and non-numeric values with InputErrors naming them", () => {
      expect(inputErrorOf(() => degrees(90.00001, "latitude")).message).to.equal(
        "latitude 90.00001 is outside -90..90 degrees",
      );
      expect(inputErrorOf(() => degrees(-180.5, "longitude")).message).to.equal(
        "longitude -180.5 is outside -180..180 degrees",
      );
      expect(inputErrorOf(() => degrees("", "latitude")).message).to.equal("latitude is empty");
      expect(inputErrorOf(() => degrees("  ", "longitude")).message).to.equal("longitude is empty");
      expect(inputErrorOf(() => degrees("north", "latitude")).message).to.equal('latitude "north" is not a number');
      expect(inputErrorOf(() => degrees(Number.NaN, "latitude")).message).to.equal('latitude "NaN" is not a number');
    });
  });

  describe("centiCelsius / fromCentiCelsius", () => {
    it("turns degrees Celsius into hundredths, rounding to the nearest", () => {
      expect(centiCelsius(4)).to.equal(400);
      expect(centiCelsius("-18")).to.equal(-1800);
      expect(centiCelsius(2.345)).to.equal(235);
      expect(centiCelsius(" 0 ")).to.equal(0);
    });

    it("accepts exactly the int16 range -327.68 … 327.67 °C", () => {
      expect(centiCelsius(-327.68)).to.equal(-32_768);
      expect(centiCelsius(327.67)).to.equal(32_767);
      expect(inputErrorOf(() => centiCelsius(-327.69)).message).to.equal(
        "temperature -327.69 °C is outside -327.68..327.67 °C",
      );
      expect(inputErrorOf(() => centiCelsius("327.68")).message).to.equal(
        "temperature 327.68 °C is outside -327.68..327.67 °C",
      );
    });

    it("rejects text that is no number", () => {
      expect(inputErrorOf(() => centiCelsius("2,5")).message).to.equal('temperature "2,5" is not a number');
      expect(inputErrorOf(() => centiCelsius("")).message).to.equal("temperature is empty");
    });

    it("reads hundredths back as degrees", () => {
      expect(fromCentiCelsius(-1800)).to.equal(-18);
      expect(fromCentiCelsius(235n)).to.equal(2.35);
    });
  });

  describe("humidityPercent", () => {
    it("accepts whole percents 0 … 100", () => {
      expect(humidityPercent(0)).to.equal(0);
      expect(humidityPercent("85")).to.equal(85);
      expect(humidityPercent(100)).to.equal(100);
    });

    for (const bad of [101, -1, 85.5, "ninety"]) {
      it(`rejects ${JSON.stringify(bad)} with an InputError`, () => {
        const message = inputErrorOf(() => humidityPercent(bad)).message;
        expect(message).to.include(String(bad));
        expect(message).to.match(/^humidity /);
      });
    }
  });

  describe("grams", () => {
    const cases: [string | number, number][] = [
      ["250kg", 250_000],
      ["1.2t", 1_200_000],
      ["900g", 900],
      [900, 900],
      [" 12.5 KG ", 12_500],
      ["2T", 2_000_000],
      ["0.5g", 1],
      [`${MAX_UINT40}g`, MAX_UINT40],
    ];
    for (const [input, expected] of cases) {
      it(`reads ${JSON.stringify(input)} as ${expected} g`, () => {
        expect(grams(input)).to.equal(expected);
      });
    }

    it("rejects zero, rounding to zero and more than a uint40 of grams", () => {
      const limit = `must be more than 0 g and at most ${MAX_UINT40} g`;
      expect(inputErrorOf(() => grams("0kg")).message).to.equal(`weight "0kg" ${limit}`);
      expect(inputErrorOf(() => grams("0.4g")).message).to.equal(`weight "0.4g" ${limit}`);
      expect(inputErrorOf(() => grams(MAX_UINT40 + 1)).message).to.equal(`weight "${MAX_UINT40 + 1}" ${limit}`);
    });

    it("refuses a text without a unit in one line (250 could be grams or kilograms); a number is grams", () => {
      expect(inputErrorOf(() => grams("250")).message).to.equal(`weight "250" has no unit: write 250g, 250kg or 250t`);
      expect(inputErrorOf(() => grams(" 1.5 ")).message).to.equal(
        `weight "1.5" has no unit: write 1.5g, 1.5kg or 1.5t`,
      );
      expect(grams(250)).to.equal(250);
    });

    for (const bad of ["", "-5kg", "250 lb", "kg", "1,5kg", "1e3"]) {
      it(`rejects ${JSON.stringify(bad)} as not a weight`, () => {
        expect(inputErrorOf(() => grams(bad)).message).to.equal(
          `weight "${bad}" is not a weight (e.g. 250kg, 1.2t, 900g)`,
        );
      });
    }
  });

  describe("formatGrams", () => {
    const cases: [number | bigint, string][] = [
      [0, "0 g"],
      [999, "999 g"],
      [1_000, "1 kg"],
      [250_000, "250 kg"],
      [12_345, "12.345 kg"],
      [999_999, "999.999 kg"],
      [1_000_000, "1 t"],
      [1_234_567, "1.235 t"],
      [1_234_000_000n, "1,234 t"],
    ];
    for (const [input, expected] of cases) {
      it(`formats ${input} g as "${expected}"`, () => {
        expect(formatGrams(input)).to.equal(expected);
      });
    }

    it("formats what grams() parsed back to the same quantity", () => {
      for (const text of ["250 kg", "1.2 t", "900 g"]) expect(formatGrams(grams(text))).to.equal(text);
    });
  });

  describe("timeOrAgo", () => {
    it("reads a duration before now, and a date or unix seconds as unixSeconds does", () => {
      const now = 1_800_000_000;
      expect(timeOrAgo("2h ago", "scannedAt", now)).to.equal(now - 7_200);
      expect(timeOrAgo(" 30d  AGO ", "--from", now)).to.equal(now - 30 * 86_400);
      expect(timeOrAgo("90m ago", "readAt", now)).to.equal(now - 5_400);
      expect(timeOrAgo("2026-11-20T06:00:00Z", "readAt", now)).to.equal(Date.UTC(2026, 10, 20, 6) / 1000);
      expect(timeOrAgo(1_763_600_000, "readAt", now)).to.equal(1_763_600_000);
    });

    it("rejects a duration it cannot read, naming the field", () => {
      expect(inputErrorOf(() => timeOrAgo("soon ago", "scannedAt", 1)).message).to.equal(
        'scannedAt "soon" is not a duration (e.g. 36h, 2d, 90m, 3600)',
      );
    });
  });

  describe("unixSeconds", () => {
    it("takes unix seconds as number or digits", () => {
      expect(unixSeconds(1_763_600_000, "caught at")).to.equal(1_763_600_000);
      expect(unixSeconds(" 1763600000 ", "caught at")).to.equal(1_763_600_000);
      expect(unixSeconds(0, "caught at")).to.equal(0);
      expect(unixSeconds(MAX_UINT40, "caught at")).to.equal(MAX_UINT40);
    });

    it("takes an ISO 8601 date with an offset, rounding down to the second", () => {
      expect(unixSeconds("2026-11-20T06:00:00Z", "caught at")).to.equal(Date.UTC(2026, 10, 20, 6) / 1000);
      expect(unixSeconds("2026-11-20T07:00:00.999+01:00", "caught at")).to.equal(Date.UTC(2026, 10, 20, 6) / 1000);
    });

    it("rejects negative, fractional and too large numbers naming the option", () => {
      for (const bad of [-1, 1.5, MAX_UINT40 + 1]) {
        expect(inputErrorOf(() => unixSeconds(bad, "read at")).message).to.equal(
          `read at ${bad} is not a unix time in seconds`,
        );
      }
    });

    it("rejects text that is no date", () => {
      for (const bad of ["yesterday", "", "2026-13-45"]) {
        expect(inputErrorOf(() => unixSeconds(bad, "ship by")).message).to.equal(
          `ship by "${bad}" is not a date (use ISO 8601, e.g. 2026-11-20T06:00:00Z, or unix seconds)`,
        );
      }
    });

    // Regression: the fallback `Date.parse` is V8's lenient legacy parser and used to read "Nov 20" as 2001-11-20;
    // unixSeconds now accepts only unix seconds or ISO 8601.
    it('regression: unixSeconds rejects non-ISO text such as "Nov 20" instead of reading a date in 2001', () => {
      for (const bad of ["Nov 20", "11/20", "1.5"]) {
        expect(() => unixSeconds(bad, "caught at"), bad).to.throw(InputError);
      }
    });
  });

  describe("positiveId / idList", () => {
    it("reads positive whole numbers from text, numbers and bigints", () => {
      expect(positiveId("12", "lot id")).to.equal(12n);
      expect(positiveId(" 7 ", "lot id")).to.equal(7n);
      expect(positiveId(3, "order id")).to.equal(3n);
      expect(positiveId(2n ** 64n, "order id")).to.equal(2n ** 64n);
      expect(positiveId("007", "shipment number")).to.equal(7n);
    });

    for (const bad of ["0", 0, "-1", "1.5", "abc", "", "0x10"]) {
      it(`rejects ${JSON.stringify(bad)} as an id`, () => {
        expect(inputErrorOf(() => positiveId(bad, "lot id")).message).to.equal(
          `lot id "${bad}" is not a positive whole number`,
        );
      });
    }

    it("splits a comma-separated list, ignoring blanks", () => {
      expect(idList("1, 2,3", "lot ids")).to.deep.equal([1n, 2n, 3n]);
      expect(idList(" 4 ,, 5 ,", "lot ids")).to.deep.equal([4n, 5n]);
    });

    it("rejects an empty list, and a bad element naming it in the singular", () => {
      expect(inputErrorOf(() => idList(" , ", "lot ids")).message).to.equal(
        "lot ids is empty (give ids separated by commas, e.g. 1,2,3)",
      );
      expect(inputErrorOf(() => idList("1,x", "lot ids")).message).to.equal(
        'lot id "x" is not a positive whole number',
      );
    });
  });
});
