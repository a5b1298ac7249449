/** The analytics tests' way to put a generated history on the test world's chain (test/helpers/fixtures.ts). */
import type { ChainHistory } from "../../src/core/chain-history.js";
import { writeHistoryOnChain, type WrittenHistory } from "../../src/analytics/onchain.js";
import { ethers, networkHelpers, time, type World } from "./fixtures.js";

/** Writes `history` through `w`'s contracts: its first harvester, supplier, … retailer act the five stages. */
export function writeOnWorld(w: World, history: ChainHistory, label: string): Promise<WrittenHistory> {
  const { cast } = w;
  return writeHistoryOnChain(w, history, {
    admin: cast.admin,
    actors: [cast.harvester1, cast.supplier1, cast.manufacturer1, cast.distributor1, cast.retailer1],
    relayer: cast.relayer,
    setNextBlockTimestamp: (t) => time.setNextBlockTimestamp(t),
    latestTime: () => time.latest(),
    fund: (address) => networkHelpers.setBalance(address, ethers.parseEther("10")),
    label,
  });
}
