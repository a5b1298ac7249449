/**
 * The figures of Ismail et al. (2024), "A Blockchain-Based Fish Supply Chain Framework for Maintaining Fish
 * Quality and Authenticity", Tables 2 and 3 (smart contract 1, Remix + Ganache), and this project's budgets.
 */

/** The paper's Table 2 row of a payable function ("Recommended" gas price column). */
export interface PaperPayable {
  paperName: string;
  transactionGas: number;
  executionGas: number;
  usd: number;
}

export const PAPER_TABLE_2: Record<string, PaperPayable> = {
  registerFish: { paperName: "Register_fish()", transactionGas: 204_051, executionGas: 173_351, usd: 5.9 },
  updateFish: { paperName: "Update_fish_status()", transactionGas: 35_477, executionGas: 30_243, usd: 1.03 },
  removeFish: { paperName: "Remove_fish()", transactionGas: 84_717, executionGas: 156_848, usd: 5.34 },
  initiateShipment: { paperName: "Initiate_shipment()", transactionGas: 157_692, executionGas: 148_266, usd: 5.05 },
  confirmDelivery: { paperName: "Confirm_delivery()", transactionGas: 36_751, executionGas: 37_251, usd: 1.27 },
};

/**
 * The paper's Table 2 "Fast" (customised) execution column. Each is the recommended figure with a zero appended and
 * its second digit raised by two (173,351 → 1,933,510): a gas limit set about ten times higher, priced in the ETH
 * and USD columns as if all of it were spent.
 */
export const PAPER_TABLE_2_CUSTOMISED: Record<string, number> = {
  registerFish: 1_933_510,
  updateFish: 322_430,
  removeFish: 1_768_480,
  initiateShipment: 1_682_660,
  confirmDelivery: 392_510,
};

/** The paper's Table 3: execution gas of the view functions. */
export const PAPER_TABLE_3: Record<string, { paperName: string; executionGas: number }> = {
  queryStatus: { paperName: "Query_status()", executionGas: 971 },
  queryQAT: { paperName: "Query_QAT()", executionGas: 10_411 },
  totalAvailableFish: { paperName: "Total_available_fish()", executionGas: 2_322 },
  totalSuppliedFish: { paperName: "Total_supply_fish()", executionGas: 2_755 },
};

/** The paper prices gas at 20 gwei ("Recommended"): 173,351 gas → 0.00346702 ETH. */
export const GAS_PRICE_GWEI = 20;

/** The USD/ETH rate the paper's figures imply: 5.9 USD for 0.00346702 ETH ≈ 1,702 USD/ETH. */
export const USD_PER_ETH = 1_702;

/**
 * Transaction-gas budgets (one lot, realistic state). The five paper functions' budgets come from the foundation
 * issue; the others are ours, set from the measured figure plus headroom and justified in the README.
 */
export const BUDGETS: Record<string, number> = {
  // Issue 22's goal was 65,000; ERC-2771 (issue 20) adds 181: the forwarder check and three selectors (README, Gas).
  registerFish: 65_250,
  // A batch's budget bounds its whole transaction; at 50 catches it is issue 22's goal of 30,000 gas a lot.
  "registerFishBatch ×1": 67_000,
  "registerFishBatch ×10": 335_000,
  "registerFishBatch ×50": 1_500_000,
  // A transshipment is a read of each lot's word and an event per lot (about 5,500 gas a lot): nothing is stored.
  "transship ×1": 36_000,
  "transship ×10": 90_000,
  // Packing writes two slots a lot (the unit's contents, and the lot's unit, which keeps a lot in one unit at a time)
  // plus the unit's record: about 49,000 gas a lot. Unpacking reads the contents and clears each lot's unit (refunds).
  "pack ×1": 140_000,
  "pack ×10": 600_000,
  "unpack ×1": 55_000,
  "unpack ×10": 135_000,
  // A pallet reads every lot of every case (custody, status, recall: about 5,000 gas a lot), rewrites each case's
  // slot (its pallet) and stores the cases' SSCCs four to a slot; unpacking it reads the lots again and clears each
  // case's pallet. Measured with cases of one lot.
  "packUnits ×1": 130_000,
  "packUnits ×10": 310_000,
  "unpack (pallet) ×1": 65_000,
  "unpack (pallet) ×10": 200_000,
  updateFish: 37_500,
  removeFish: 41_500,
  initiateShipment: 75_000,
  confirmDelivery: 38_000,
  placeOrder: 95_000,
  acknowledge: 90_000,
  withdraw: 50_000,
  rejectDelivery: 50_000,
  cancelOrder: 36_000,
  claimPayment: 90_000,
  processLots: 135_000,
  dispatch: 60_000,
  confirmArrival: 40_000,
  reportProblem: 36_000,
  recallLots: 35_000,
  // Issue 20: a stablecoin deployment and sponsored actions (src/tools/gas/sponsored.ts; README, Gas).
  placeOrderWithPermit: 125_000,
  "withdraw (token)": 57_500,
  "registerFish via forwarder": 87_500,
  // The whole batch of ten requests: 50,000 gas a catch.
  "registerFish via forwarder ×10": 500_000,
};
