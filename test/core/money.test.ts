/** The one parser and formatter of amounts (src/core/money.ts) the tasks, the demo and the dApp share. */
import { expect } from "chai";

import { InputError } from "../../src/core/input-error.js";
import { amountText, ETHER, parseAmount, type Money } from "../../src/core/money.js";

const FUSD: Money = { symbol: "fUSD", decimals: 6 };

/** The one-line message `parseAmount` refuses `value` with. */
function refusal(value: string, money: Money = FUSD): string {
  try {
    parseAmount(value, money, "price");
  } catch (err) {
    expect(err).to.be.instanceOf(InputError);
    const message = (err as Error).message;
    expect(message).to.not.include("\n");
    return message;
  }
  throw new Error(`"${value}" was taken`);
}

describe("core/money: amounts in the settlement money", function () {
  it("parses whole and fractional amounts in the token's units", function () {
    expect(parseAmount("1250.50", FUSD, "price")).to.equal(1_250_500_000n);
    expect(parseAmount(" 0.000001 ", FUSD, "price")).to.equal(1n);
    expect(parseAmount(".5", FUSD, "price")).to.equal(500_000n);
    expect(parseAmount("7.", FUSD, "price")).to.equal(7_000_000n);
    expect(parseAmount("1,250.5", FUSD, "price")).to.equal(1_250_500_000n);
    expect(parseAmount("12 fUSD", FUSD, "price")).to.equal(12_000_000n);
    expect(parseAmount("3FUSD", FUSD, "price")).to.equal(3_000_000n);
  });

  it("parses Ether in wei with the same rules", function () {
    expect(parseAmount("1.5", ETHER, "price")).to.equal(1_500_000_000_000_000_000n);
    expect(parseAmount("0.25 ETH", ETHER, "price")).to.equal(250_000_000_000_000_000n);
    expect(parseAmount("0.000000000000000001", ETHER, "price")).to.equal(1n);
  });

  it("refuses a wrong amount in one line naming it", function () {
    expect(refusal("1.1234567")).to.equal('price "1.1234567" has more than the 6 decimals fUSD has');
    expect(refusal("-5")).to.equal('price "-5" is negative: give an amount of fUSD');
    expect(refusal("- 0.5")).to.equal('price "- 0.5" is negative: give an amount of fUSD');
    expect(refusal("two")).to.equal('price "two" is not an amount of fUSD (e.g. 1250.50)');
    expect(refusal("two", ETHER)).to.equal('price "two" is not an amount of ETH (e.g. 1.5)');
    for (const bad of ["", ".", "1e6", "1.2.3", "0x10", "12,34", "1 ETH", "$5"]) {
      expect(refusal(bad)).to.equal(`price "${bad}" is not an amount of fUSD (e.g. 1250.50)`);
    }
    expect(refusal("0.000")).to.equal('price "0.000" must be more than 0 fUSD');
    expect(refusal("1".repeat(80))).to.match(/is more fUSD than a contract can hold$/);
  });

  it("formats units with the symbol, thousands grouped, trailing zeros dropped", function () {
    expect(amountText(1_250_500_000n, FUSD)).to.equal("1,250.5 fUSD");
    expect(amountText(1n, FUSD)).to.equal("0.000001 fUSD");
    expect(amountText(0n, FUSD)).to.equal("0 fUSD");
    expect(amountText(12_000_000n, FUSD)).to.equal("12 fUSD");
    expect(amountText(-2_500_000n, FUSD)).to.equal("-2.5 fUSD");
    expect(amountText(1_500_000_000_000_000_000n, ETHER)).to.equal("1.5 ETH");
  });

  it("rounds for display to at most maxDecimals", function () {
    const wei = 10_002_499_549_999_999_999_999n; // 10,002.499549999… ETH
    expect(amountText(wei, ETHER, 4)).to.equal("10,002.4995 ETH");
    expect(amountText(wei, ETHER, 2)).to.equal("10,002.5 ETH");
    expect(amountText(-wei, ETHER, 0)).to.equal("-10,002 ETH");
    expect(amountText(1_999_999n, FUSD, 8)).to.equal("1.999999 fUSD");
  });

  it("reads back what it writes", function () {
    for (const units of [1n, 999_999n, 1_000_000n, 1_234_567_890_123n]) {
      expect(parseAmount(amountText(units, FUSD), FUSD, "price")).to.equal(units);
    }
  });
});
