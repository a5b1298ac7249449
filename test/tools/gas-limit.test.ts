/**
 * The paper's Figure 7 checked on a node with a queue (issue 22): a gas limit below the node's estimate fails and is
 * charged all of it; at and above the estimate the call succeeds in the same block, with the same gas used and the
 * same charge — a higher limit buys no speed; the priority fee is what moves a transaction ahead of or behind the
 * queue. A smaller queue than `npm run bench:gas-limit`'s, the same claims.
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  figure7Scenarios,
  gasLimitScenarios,
  PAPER_CUSTOMISED_RATIO,
  type GasLimitReport,
  type ScenarioResult,
} from "../../src/tools/gas/gas-limit.js";

describe("gas limit scenarios (the paper's Figure 7)", function () {
  this.timeout(120_000);
  let report: GasLimitReport;
  const row = (label: string): ScenarioResult => {
    const found = report.results.find((r) => r.label.startsWith(label));
    if (found === undefined) throw new Error(`no scenario "${label}"`);
    return found;
  };

  before(async function () {
    const options = {
      competitors: 3,
      backlogEach: 10,
      arrivingPerBlock: 6,
      blockGasLimit: 800_000,
      competitorTipGwei: 2,
      maxBlocks: 30,
    };
    const connection = await network.create();
    try {
      report = await gasLimitScenarios(connection, options, figure7Scenarios(options.competitorTipGwei));
    } finally {
      await connection.close();
    }
  });

  it("fails below the estimate and charges the whole limit", function () {
    for (const label of ["below the estimate (estimate − 1)", "below the estimate (90 %)"]) {
      const r = row(label);
      expect(r.block, label).to.not.equal(null);
      expect(r.succeeded, label).to.equal(false);
      expect(r.gasLimit, label).to.be.lessThan(report.estimate);
      expect(r.gasUsed, label).to.equal(r.gasLimit);
      expect(r.chargedWei, label)
        .to.equal(BigInt(r.gasLimit) * r.gasPriceWei)
        .and.be.greaterThan(0n);
    }
  });

  it("succeeds at the estimate and above it, using and charging the same gas", function () {
    const at = row("at the estimate (the paper's recommended)");
    expect(at.succeeded).to.equal(true);
    expect(at.gasLimit).to.equal(report.estimate);
    expect(at.gasUsed).to.equal(report.estimate);
    // The backlog is several blocks long, so ours waits behind it: the "delay" is the queue's, not the limit's.
    expect(at.block).to.be.greaterThan(1);
    for (const label of ["above: 2 × the estimate", "above: 11.2 ×"]) {
      const r = row(label);
      expect(r.succeeded, label).to.equal(true);
      expect(r.gasLimit, label).to.be.greaterThan(report.estimate);
      expect(r.gasUsed, label).to.equal(at.gasUsed);
      expect(r.chargedWei, label).to.equal(BigInt(at.gasUsed) * r.gasPriceWei);
    }
    expect(row("above: 2 × the estimate").block).to.equal(at.block);
    expect(row("above: 2 × the estimate").chargedWei).to.equal(at.chargedWei);
    expect(row("above: 11.2 ×").gasLimit).to.equal(Math.round(report.estimate * PAPER_CUSTOMISED_RATIO));
  });

  it("is never faster with a higher limit: a limit most of a block long waits for a block with that much room", function () {
    // About 723,000 gas of limit in blocks of 800,000: the block ours would have joined has less room left than that.
    const at = row("at the estimate (the paper's recommended)");
    const customised = row("above: 11.2 ×");
    expect(customised.block).to.equal((at.block ?? Infinity) + 1);
    expect(customised.gasUsed).to.equal(at.gasUsed);
  });

  it("is included earlier with a higher priority fee and later with a lower one", function () {
    const at = row("at the estimate (the paper's recommended)");
    const higher = row("at the estimate, 1.5 × the competitors' fee");
    const lower = row("at the estimate, half the competitors' fee");
    expect(higher.block).to.equal(1);
    expect(higher.succeeded).to.equal(true);
    expect(lower.succeeded).to.equal(true);
    expect(lower.block).to.be.greaterThan(at.block ?? Infinity);
    expect(higher.gasUsed).to.equal(at.gasUsed);
    expect(lower.gasUsed).to.equal(at.gasUsed);
  });
});
