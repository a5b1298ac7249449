/**
 * EIP-2612 permits as the CLI and the dApp sign them (src/core/permit.ts): the token's own domain and nonce, a
 * signature the token accepts on chain, and a token without permit told apart.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { hasPermit, permitDomain, signPermit } from "../../src/core/permit.js";
import { FishTraceUSD__factory } from "../../typechain-types/index.js";

const { ethers } = await network.create();

describe("core/permit: EIP-2612 permits for the settlement token", function () {
  it("reads the token's EIP-712 domain (ERC-5267) and signs a permit the token accepts", async function () {
    const [owner, spender, relayer] = await ethers.getSigners();
    const deployed = await ethers.deployContract("FishTraceUSD");
    // Read through one account, signed by another runner: as the dApp reads through its node and signs in the wallet.
    const token = FishTraceUSD__factory.connect(await deployed.getAddress(), relayer);
    expect(await permitDomain(token)).to.deep.equal({
      name: "FishTrace USD",
      version: "1",
      chainId: 31337n,
      verifyingContract: await token.getAddress(),
    });
    expect(await hasPermit(token, owner!.address)).to.equal(true);

    const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3_600);
    for (const [round, value] of [1_250_500_000n, 7n].entries()) {
      const { v, r, s } = await signPermit(owner!, token, spender!.address, value, deadline);
      // Anyone may submit the permit: the token checks the owner's signature, not the sender.
      await (await token.permit(owner!.address, spender!.address, value, deadline, v, r, s)).wait();
      expect(await token.allowance(owner!.address, spender!.address)).to.equal(value);
      expect(await token.nonces(owner!.address)).to.equal(BigInt(round + 1));
    }
    // A signature for other terms is refused.
    const { v, r, s } = await signPermit(owner!, token, spender!.address, 5n, deadline);
    await expect(token.permit(owner!.address, spender!.address, 6n, deadline, v, r, s)).to.be.revertedWithCustomError(
      token,
      "ERC2612InvalidSigner",
    );
  });

  it("tells an account without permit from a token with one", async function () {
    const [admin, plain] = await ethers.getSigners();
    const notAToken = FishTraceUSD__factory.connect(plain!.address, admin);
    expect(await hasPermit(notAToken, admin!.address)).to.equal(false);
  });
});
