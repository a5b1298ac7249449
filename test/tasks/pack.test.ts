/**
 * `pack create` and `pack open`, run in-process through `hre.tasks`: lots packed under an SSCC by their holder (the
 * default signer), exported as an EPCIS AggregationEvent, opened again; a bad SSCC, an unknown lot, another
 * holder's lots and a used SSCC each refused in one line. Cases put onto a pallet (`--units`) and taken off again. Participant 1 is the admin; the vessel (account 1) is 2.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { CATCH, enrolDemoCast, fails, ok } from "../helpers/task-run.js";

/** GS1's example SSCCs (General Specifications), check digits valid. */
const SSCC = "376104250021234569";
const OTHER_SSCC = "106141411234567897";
/** SSCCs of GS1 Company Prefix 0614141 (check digits valid): a case, a pallet, an SSCC never used. */
const CASE = "006141417777777772";
const PALLET = "006141419999999994";
const UNUSED = "006141418888888883";
/** An account outside the demo cast, enrolled as a second harvester. */
const SECOND_HARVESTER = "9";

describe("pack create / pack open: logistic units from the command line", function () {
  let dir: string;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "fishtrace-pack-"));
    await ok(["deploy"]);
    await enrolDemoCast();
    await ok(["participant", "add"], {
      address: SECOND_HARVESTER,
      role: "harvester",
      name: "MV Senja",
      location: "",
    });
    await ok(["species", "add"], { code: "COD", name: "Atlantic cod" });
    for (const weight of ["120kg", "80kg"]) await ok(["harvester", "register"], { ...CATCH, weight });
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("packs the holder's lots under an SSCC, exported as an AggregationEvent ADD", async function () {
    const run = await ok<{ sscc: string; lotIds: bigint[]; stage: number }>(["pack", "create"], {
      sscc: SSCC,
      lots: "1,2",
    });
    expect(run.value).to.deep.equal({ sscc: SSCC, lotIds: [1n, 2n], stage: 1 });
    expect(run.text).to.match(
      /^SSCC 376104250021234569 packed with lots 1, 2 \(200 kg\) at the harvester by participant 2\n {2}tx 0x/,
    );

    const out = path.join(dir, "lot-1.jsonld");
    await ok(["export", "epcis"], { lot: "1", out });
    const doc = JSON.parse(await readFile(out, "utf8")) as { epcisBody: { eventList: Record<string, unknown>[] } };
    const packed = doc.epcisBody.eventList.filter((e) => e.type === "AggregationEvent");
    expect(packed).to.have.length(1);
    expect(packed[0]).to.include({
      action: "ADD",
      bizStep: "packing",
      parentID: `https://id.gs1.org/00/${SSCC}`,
    });
    expect(packed[0]!.childQuantityList).to.have.length(2);
  });

  it("refuses a bad SSCC, an unknown lot, another holder's lots and a used SSCC, each in one line", async function () {
    expect(await fails(["pack", "create"], { sscc: "376104250021234568", lots: "1" })).to.equal(
      'error: --sscc "376104250021234568" has check digit 8, but its other digits give 9',
    );
    expect(await fails(["pack", "create"], { sscc: "37610425002123456", lots: "1" })).to.equal(
      'error: --sscc "37610425002123456" is not 18 digits',
    );
    expect(await fails(["pack", "create"], { sscc: OTHER_SSCC, lots: "99" })).to.equal(
      "error: lot 99 is not available (Created) at any stage: pass --from to sign",
    );
    expect(await fails(["pack", "create"], { sscc: OTHER_SSCC, lots: "99", from: "1" })).to.equal(
      "error: PackingLotNotFound: lot 99 is not at stage 1, the stage you act at",
    );
    expect(await fails(["pack", "create"], { sscc: OTHER_SSCC, lots: "1", from: SECOND_HARVESTER })).to.match(
      /^error: PackingNotHolder: lot 1 is held by participant 2, not by the caller \(participant 9\)$/,
    );
    expect(await fails(["pack", "create"], { sscc: OTHER_SSCC, lots: "1", from: "8" })).to.match(
      /^error: PackingUnauthorized: account 0x[0-9a-fA-F]{40} holds no actor role/,
    );
    expect(await fails(["pack", "create"], { sscc: SSCC, lots: "1", from: "1" })).to.equal(
      `error: PackingSsccUsed: SSCC ${SSCC} was used already (Packed): an SSCC names one logistic unit, never reused`,
    );
    expect(await fails(["pack", "create"], { sscc: OTHER_SSCC, lots: "2" })).to.equal(
      `error: PackingLotAlreadyPacked: lot 2 is packed in SSCC ${SSCC} already (or listed twice): unpack that unit first`,
    );
  });

  it("opens the unit by its lots' holder only; an unpacked SSCC cannot be opened again", async function () {
    expect(await fails(["pack", "open"], { sscc: SSCC, from: SECOND_HARVESTER })).to.match(
      /^error: PackingNotHolder: lot 1 is held by participant 2/,
    );
    const run = await ok<{ lotIds: bigint[]; stage: number }>(["pack", "open"], { sscc: SSCC });
    expect(run.value).to.deep.include({ lotIds: [1n, 2n], stage: 1 });
    expect(run.text).to.match(/^SSCC 376104250021234569 opened at the harvester by participant 2: lots 1, 2 loose/);
    expect(await fails(["pack", "open"], { sscc: SSCC })).to.equal(
      `error: SSCC ${SSCC} is not a packed logistic unit (Unpacked): nothing to open`,
    );
    expect(await fails(["pack", "open"], { sscc: OTHER_SSCC })).to.equal(
      `error: SSCC ${OTHER_SSCC} is not a packed logistic unit (None): nothing to open`,
    );
    // Loose again: packed anew under another SSCC.
    await ok(["pack", "create"], { sscc: OTHER_SSCC, lots: "2" });
  });

  it("puts cases onto a pallet (--units), exported with the cases as childEPCs, and takes them off again", async function () {
    // Lot 1 is loose and lot 2 in OTHER_SSCC since the test before.
    await ok(["pack", "create"], { sscc: CASE, lots: "1" });
    const run = await ok<{ sscc: string; units: string[]; stage: number }>(["pack", "create"], {
      sscc: PALLET,
      units: `${CASE},${OTHER_SSCC}`,
    });
    expect(run.value).to.deep.equal({ sscc: PALLET, units: [CASE, OTHER_SSCC], stage: 1 });
    expect(run.text).to.match(
      new RegExp(
        `^SSCC ${PALLET} \\(a pallet\\) packed with SSCCs ${CASE}, ${OTHER_SSCC} at the harvester by participant 2\n {2}tx 0x`,
      ),
    );

    const out = path.join(dir, "lot-1-pallet.jsonld");
    await ok(["export", "epcis"], { lot: "1", out });
    const doc = JSON.parse(await readFile(out, "utf8")) as { epcisBody: { eventList: Record<string, unknown>[] } };
    const onPallet = doc.epcisBody.eventList.filter((e) => e.parentID === `https://id.gs1.org/00/${PALLET}`);
    expect(onPallet.map((e) => [e.type, e.action, e.bizStep])).to.deep.equal([["AggregationEvent", "ADD", "packing"]]);
    expect(onPallet[0]!.childEPCs).to.deep.equal([CASE, OTHER_SSCC].map((c) => `https://id.gs1.org/00/${c}`));

    expect(await fails(["pack", "create"], { sscc: UNUSED, units: CASE })).to.equal(
      `error: PackingUnitAlreadyPacked: SSCC ${CASE} is on pallet ${PALLET} already (or listed twice): unpack that pallet first`,
    );
    expect(await fails(["pack", "create"], { sscc: UNUSED, units: PALLET })).to.equal(
      `error: PackingUnitHoldsUnits: SSCC ${PALLET} is a pallet (it holds logistic units): only units of lots (cases) go onto a pallet`,
    );
    expect(await fails(["pack", "create"], { sscc: UNUSED, units: UNUSED })).to.equal(
      `error: SSCC ${UNUSED} is not a packed logistic unit (None): only a packed case goes onto a pallet`,
    );
    expect(await fails(["pack", "create"], { sscc: UNUSED, units: "12345" })).to.equal(
      'error: --units "12345" is not 18 digits',
    );
    expect(await fails(["pack", "create"], { sscc: UNUSED, lots: "1", units: CASE })).to.equal(
      "error: give --lots (lots into a case) or --units (cases onto a pallet), one of the two",
    );
    expect(await fails(["pack", "open"], { sscc: CASE })).to.equal(
      `error: PackingUnitOnPallet: SSCC ${CASE} is on pallet ${PALLET}: unpack the pallet before the units on it`,
    );

    const opened = await ok<{ sscc: string; units: string[]; stage: number }>(["pack", "open"], { sscc: PALLET });
    expect(opened.value).to.deep.equal({ sscc: PALLET, units: [CASE, OTHER_SSCC], stage: 1 });
    expect(opened.text).to.match(
      new RegExp(
        `^SSCC ${PALLET} \\(a pallet\\) opened at the harvester by participant 2: SSCCs ${CASE}, ${OTHER_SSCC} off it, still packed`,
      ),
    );
    // Off the pallet, the case opens.
    await ok(["pack", "open"], { sscc: CASE });
  });
});
