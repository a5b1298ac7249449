import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The test stablecoin FishTraceUSD (fUSD, 6 decimals, EIP-2612 permit, open mint): the settlement token of a
 * deployment made with `deploy --test-token`, for the demo, the local stack and the tests. Never real money.
 */
export default buildModule("TestToken", (m) => {
  const token = m.contract("FishTraceUSD", []);
  return { token };
});
