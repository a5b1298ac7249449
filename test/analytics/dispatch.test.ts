/**
 * Shelf-life-first dispatch: grades predicted with the shared freshness model (checked by hand), lots ranked
 * shortest shelf life first and sent to the nearest retailer with open demand, lots past rejection kept back, and a
 * hand-built case where first-in-first-out spoils a lot that shelf-life-first sells.
 */
import { expect } from "chai";

import {
  lotConditions,
  planDispatch,
  planFifo,
  predictGrade,
  remainingShelfLife,
  shelfLifeDays,
  DEFAULT_SHELF_LIFE,
  type LotCondition,
} from "../../src/analytics/dispatch.js";
import { generateDispatchScenario, simulateDispatch, type DispatchScenario } from "../../src/analytics/dispatch-sim.js";
import { generateHistory } from "../../src/analytics/generate.js";
import { InputError } from "../../src/core/input-error.js";

/** `actual` within `tolerance` of `expected` (chai's closeTo is bigint-only once hardhat's chai matchers load). */
function expectNear(actual: number, expected: number, tolerance = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} ≈ ${expected}`).to.be.at.most(tolerance);
}

const HOUR = 3_600;
const NOW = Date.UTC(2026, 10, 20, 6) / 1000;

/** A lot at the hub scanned at `grade` `hoursAgo` hours ago, kept at `temperature` (hundredths of °C) since. */
function lot(lotId: string, arrivedHoursAgo: number, grade: number, hoursAgo: number, temperature = 200): LotCondition {
  const scannedAt = NOW - hoursAgo * HOUR;
  return {
    lotId,
    grams: 20_000,
    arrivedAt: NOW - arrivedHoursAgo * HOUR,
    scans: [{ scannedAt, grade, gradeConfidence: 90 }],
    readings: [
      { readAt: scannedAt, temperature },
      { readAt: NOW, temperature },
    ],
  };
}

describe("analytics: shelf-life-first dispatch", function () {
  it("predicts the grade with the freshness model: RRS(0 °C) = 1, RRS(4 °C) = 1.96, k = 0.5 a day", () => {
    expectNear(predictGrade(lot("a", 24, 9, 24, 0), NOW), 8.5, 1e-9);
    // No reading after the scan: the time counts at the rule's default temperature (4 °C), as the chain counts it.
    const unread: LotCondition = { ...lot("b", 24, 9, 24), readings: [] };
    expectNear(predictGrade(unread, NOW), 9 - 0.5 * 1.96, 1e-9);
    // Kept at 0 °C, 8.5 falls to the rejection grade 6 in 5 days.
    expectNear(shelfLifeDays(8.5, { ...DEFAULT_SHELF_LIFE, storageTemperature: 0 }), 5, 1e-9);
    expect(shelfLifeDays(5.5)).to.equal(0);
    const atZero = { ...DEFAULT_SHELF_LIFE, storageTemperature: 0 };
    expectNear(remainingShelfLife(lot("c", 1, 9, 1, 0), NOW, atZero), (9 - 0.5 / 24 - 6) / 0.5);
  });

  it("ranks lots shortest shelf life first and sends the shortest to the nearest retailer with open demand", () => {
    const lots = [lot("first-in", 30, 10, 30), lot("short", 20, 7, 2), lot("middle", 10, 8, 2), lot("spoilt", 5, 5, 1)];
    const destinations = [
      { retailer: "far", transitHours: 8, demandGrams: 100_000 },
      { retailer: "near", transitHours: 1, demandGrams: 30_000 },
    ];
    const plan = planDispatch(lots, destinations, NOW);
    expect(plan.advice.map((a) => [a.rank, a.lotId, a.retailer])).to.deep.equal([
      [1, "short", "near"],
      [2, "middle", "near"],
      [3, "first-in", "far"],
    ]);
    expect(plan.advice[0]!.remainingDays).to.be.lessThan(plan.advice[1]!.remainingDays);
    expect(plan.advice[0]!.why).to.match(/days left/);
    expect(plan.expired.map((e) => e.lotId)).to.deep.equal(["spoilt"]);
    // FIFO: arrival order, to the nearest retailer with open demand as well.
    expect(planFifo(lots, destinations).advice.map((a) => [a.lotId, a.retailer])).to.deep.equal([
      ["first-in", "near"],
      ["short", "near"],
      ["middle", "far"],
      ["spoilt", "far"],
    ]);
    expect(() => planDispatch([{ ...lots[0]!, scans: [] }], destinations, NOW)).to.throw(InputError, /no scan/);
  });

  it("spoils less than FIFO on a case built by hand", () => {
    // One shop, 20 kg a day for two days. Two 20 kg lots arrive on day 0: X first (grade 9.5), Y later, near its
    // end (scanned 7, truly 6.6). FIFO ships X and Y rots at the hub overnight; shelf-life-first sells Y, then X.
    const start = NOW;
    const arriving = (lotId: string, hoursAgo: number, scan: number, trueGrade: number) => ({
      lotId,
      grams: 20_000,
      arrivedAt: start - hoursAgo * HOUR,
      scans: [{ scannedAt: start - hoursAgo * HOUR, grade: scan, gradeConfidence: 95 }],
      readings: [],
      trueGrade,
    });
    const scenario: DispatchScenario = {
      start,
      retailers: [{ retailer: "shop", transitHours: 1 }],
      demand: [[20_000], [20_000]],
      arrivals: [[arriving("X", 10, 10, 9.5), arriving("Y", 2, 7, 6.6)], []],
    };
    const fifo = simulateDispatch(scenario, "fifo");
    const first = simulateDispatch(scenario, "shelf-life-first");
    expect([fifo.soldKg, fifo.spoiledKg, fifo.unmetKg]).to.deep.equal([20, 20, 20]);
    expect([first.soldKg, first.spoiledKg, first.unmetKg]).to.deep.equal([40, 0, 0]);
    // The scenario is not changed by a run (both policies see the same one).
    expect(scenario.arrivals[0]![0]!.readings).to.deep.equal([]);
  });

  it("spoils less than FIFO on generated data (seed 1, 56 days)", () => {
    const scenario = generateDispatchScenario({ seed: 1 });
    const fifo = simulateDispatch(scenario, "fifo");
    const first = simulateDispatch(scenario, "shelf-life-first");
    expect(first.suppliedKg).to.equal(fifo.suppliedKg);
    expect(first.spoiledKg).to.be.lessThan(fifo.spoiledKg);
  });

  it("reads the lots a hub holds from a chain history and ranks them", () => {
    const { history } = generateHistory({ seed: 4, catches: 12, anomalyRate: 0 });
    // The product lots after their last leg (at the retailer), planned an hour after the last one arrived.
    const products = history.lots.filter((l) => l.kind === "product").map((l) => l.lotId);
    const conditions = lotConditions(history, products);
    expect(conditions.map((c) => c.lotId)).to.deep.equal(products);
    for (const c of conditions) {
      expect(c.scans.length).to.be.greaterThan(0);
      expect(c.readings.length).to.be.greaterThan(0);
    }
    const now = Math.max(...conditions.map((c) => c.arrivedAt)) + HOUR;
    const plan = planDispatch(conditions, [{ retailer: "shop", transitHours: 2, demandGrams: 10_000_000 }], now);
    const days = plan.advice.map((a) => a.remainingDays);
    expect(days).to.deep.equal([...days].sort((a, b) => a - b));
    expect(plan.advice.length + plan.expired.length).to.equal(products.length);
    expect(() => lotConditions(history, ["nope"])).to.throw(InputError, /lot nope is not in the history/);
  });
});
