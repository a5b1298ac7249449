import { expect } from "chai";

import { coldChainBandText, degreesText } from "../../src/core/cold-chain.js";
import { bandText } from "../../src/core/format.js";
import { LOT_FLAGS } from "../../src/core/vocabulary.js";

describe("src/core/cold-chain", () => {
  describe("cold-chain band text", () => {
    it("words a band tersely for task output", () => {
      expect(coldChainBandText({ min: 0, max: 400 })).to.equal("0..4 °C");
      expect(coldChainBandText({ max: -1800 })).to.equal("≤ -18 °C");
      expect(bandText(0)).to.equal("0..4 °C");
      expect(bandText(LOT_FLAGS.FROZEN)).to.equal("≤ -18 °C");
    });

    it("words a band for the journey API's alarm lines", () => {
      expect(coldChainBandText({ min: 0, max: 400 }, "alarm")).to.equal("0..4 °C");
      expect(coldChainBandText({ max: -1800 }, "alarm")).to.equal("at most -18 °C");
    });

    it("words a band in prose for the dApp, with a typographic minus", () => {
      expect(coldChainBandText({ min: 0, max: 400 }, "prose")).to.equal("0 to 4 °C");
      expect(coldChainBandText({ min: -250, max: 425 }, "prose")).to.equal("−2.5 to 4.25 °C");
      expect(coldChainBandText({ max: -1800 }, "prose")).to.equal("−18 °C or colder");
      expect(degreesText(-1234)).to.equal("−12.34 °C");
    });
  });
});
