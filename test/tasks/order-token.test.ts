/**
 * `deploy --test-token` and `order place` on a deployment that settles in the test stablecoin (fUSD, 6 decimals):
 * the price in the token's units, paid with a permit signature (`--permit`) or an approve, and a price with more
 * decimals than the token refused in one line.
 */
import { expect } from "chai";
import hre from "hardhat";

import { FishTraceUSD__factory, Registry__factory } from "../../typechain-types/index.js";
import { ACCOUNTS, CATCH, enrolDemoCast, fails, ok } from "../helpers/task-run.js";

describe("order place in a settlement token", function () {
  let token: string;

  before(async function () {
    const deployed = await ok<Record<string, string>>(["deploy"], { testToken: true });
    expect(deployed.text).to.match(/Settlement {3}fUSD \(6 decimals\) at 0x[0-9a-fA-F]{40}/);
    expect(deployed.text).to.match(/Forwarder {4}0x[0-9a-fA-F]{40} \(ERC-2771, domain "FishTrace"\)/);
    expect(deployed.text).to.match(/deploy FishTraceUSD at 0x/);
    const { ethers } = await hre.network.getOrCreate();
    const [admin] = await ethers.getSigners();
    token = await Registry__factory.connect(deployed.value.registry!, admin).settlementToken();
    await enrolDemoCast();
    await ok(["species", "add"], { code: "COD", name: "Atlantic cod" });
    await ok(["harvester", "register"], { ...CATCH, weight: "250kg" });
    const supplier = (await ethers.getSigners())[ACCOUNTS.supplier]!;
    await (await FishTraceUSD__factory.connect(token, admin).mint(supplier, 10_000_000_000n)).wait();
  });

  it("pays with a permit signature", async function () {
    const placed = await ok(["order", "place"], { species: "COD", weight: "10kg", price: "1250.5", permit: true });
    expect(placed.text).to.include("1,250.5 fUSD in escrow");
    expect(placed.text).to.not.include("approving");
  });

  it("shows, refunds and withdraws the order in the token", async function () {
    const shown = await ok(["order", "show"], { order: "1" });
    expect(shown.text).to.include("for 1,250.5 fUSD, ship by");
    expect(shown.text).to.match(/escrow {4}1,250\.5 fUSD held for this order/);
    // The seller declines the order: the price becomes the buyer's refund, paid out in the token.
    expect((await ok(["order", "cancel"], { order: "1" })).text).to.include("may now withdraw the 1,250.5 fUSD refund");
    const paid = await ok(["order", "withdraw"], { order: "1", from: String(ACCOUNTS.supplier) });
    expect(paid.text).to.match(/^harvester order 1: refund of 1,250\.5 fUSD paid to Bodø/);
    expect(paid.text).to.include("balance now 10,000 fUSD; escrow left in the harvester contract 0 fUSD");
  });

  it("pays by approve without --permit", async function () {
    const placed = await ok(["order", "place"], { species: "COD", weight: "10kg", price: "0.25" });
    expect(placed.text).to.include("approving 0.25 fUSD to the harvester order book (or use --permit)");
    expect(placed.text).to.include("0.25 fUSD in escrow");
  });

  it("refuses a price finer than the token's decimals", async function () {
    expect(await fails(["order", "place"], { species: "COD", weight: "10kg", price: "1.1234567" })).to.equal(
      'error: price "1.1234567" has more than the 6 decimals fUSD has',
    );
  });
});
