/**
 * `masterdata import` and `masterdata show` (issue 18): master data kept in the index and each record's SHA-256
 * anchored on chain (`Registry.anchorDocuments`), read back by the exports without `--master-data`. Every check
 * reads the chain or the index: the digests the chain holds are recomputed from the records, a record edited in the
 * index is caught, and an import of an unchanged file sends nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import { openIndex } from "../../src/index/db.js";
import { readMasterData } from "../../src/exports/master-data.js";
import { canonicalRecord, masterRecords, recordDigest } from "../../src/exports/master-data-records.js";
import { Registry__factory } from "../../typechain-types/index.js";
import { exportWorld, LOTS } from "../helpers/export-rows.js";
import { enrolDemoCast, fails, ok } from "../helpers/task-run.js";

const EXAMPLES = ["examples/master-data.json", "examples/master-data-customers.csv"];

describe("masterdata import and show: master data in the index, anchored on chain", function () {
  let dir: string;
  let db: string;
  let registryAddress: string;
  let admin: string;

  async function registry() {
    const { ethers } = await hre.network.getOrCreate();
    return Registry__factory.connect(registryAddress, ethers.provider);
  }

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "fishtrace-masterdata-"));
    db = path.join(dir, "index");
    // The export tests' journey, so that an export can read the imported master data from the same index.
    await (await exportWorld(db)).index.close();
    const deployed = await ok<Record<string, string>>(["deploy"]);
    registryAddress = deployed.value.registry ?? "";
    await enrolDemoCast();
    const { ethers } = await hre.network.getOrCreate();
    admin = await (await ethers.getSigners())[0]!.getAddress();
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("imports the example files and anchors the SHA-256 of each record's canonical JSON", async function () {
    const run = await ok<{ records: number; changed: number; anchored: string[] }>(["masterdata", "import"], {
      file: EXAMPLES.join(","),
      db,
    });
    expect(run.text).to.match(/^imported 11 records \(1 vessel, 6 party, 1 location, 3 certificate\): 11 new/);
    expect(run.text).to.match(
      /anchored 11 SHA-256 digests as 0x[0-9a-fA-F]{40}\n {2}tx 0x[0-9a-f]{64}, block \d+, gas/,
    );

    // What the chain holds is what anyone recomputes from the files.
    const expected = masterRecords(await readMasterData(EXAMPLES)).map(recordDigest);
    expect(run.value.anchored).to.have.members(expected);
    const reg = await registry();
    for (const digest of expected) expect(await reg.documentAnchoredAt(admin, digest)).to.be.greaterThan(0n);

    // About one new storage slot and one event a digest (gas is deterministic: this is a budget, not a timing).
    const gas = Number(/gas ([\d,]+)/.exec(run.text)?.[1]?.replaceAll(",", ""));
    expect(gas).to.be.lessThan(30_000 + 11 * 25_000);
  });

  it("sends nothing for an unchanged file, and anchors only the record that changed", async function () {
    const again = await ok<{ anchored: string[] }>(["masterdata", "import"], { file: EXAMPLES.join(","), db });
    expect(again.text).to.include(": 0 new or changed").and.include("every record's digest is anchored already");
    expect(again.value.anchored).to.deep.equal([]);

    const data = JSON.parse(await readFile(EXAMPLES[0]!, "utf8")) as { certificates: { validTo: string }[] };
    data.certificates[0]!.validTo = "2028-06-30";
    const changed = path.join(dir, "renewed.json");
    await writeFile(changed, JSON.stringify(data));
    const renewed = await ok<{ anchored: string[] }>(["masterdata", "import"], { file: changed, db });
    expect(renewed.text).to.include(": 1 new or changed");
    expect(renewed.value.anchored).to.have.length(1);
  });

  it("shows a record's canonical JSON, its digest and who anchored it, from the chain", async function () {
    const { value, text } = await ok<{ digest: string; anchoredAt: number | null; anchoredBy: string | null }[]>(
      ["masterdata", "show"],
      { key: "NO-FA-2026-0412", db },
    );
    expect(value).to.have.length(1);
    const [shown] = value;
    expect(shown!.anchoredBy).to.equal(admin);
    expect(shown!.anchoredAt).to.be.a("number");
    const canonical = text.split("\n")[1]!.trim();
    expect(canonical).to.match(
      /^\{"data":\{.*"validTo":1845936000\},"key":"NO-FA-2026-0412","section":"certificate"\}$/,
    );
    const records = masterRecords(await readMasterData(path.join(dir, "renewed.json")));
    const record = records.find((r) => r.key === "NO-FA-2026-0412")!;
    expect(canonicalRecord(record)).to.equal(canonical);
    expect(text).to.include(`sha256 ${recordDigest(record)}  anchored by ${admin} at 20`);

    const list = await ok<unknown[]>(["masterdata", "show"], { section: "party", db });
    expect(list.value).to.have.length(6);
  });

  it("gives the exports the index's master data when --master-data is not given", async function () {
    const vessels = path.join(dir, "vessels.json");
    await writeFile(vessels, JSON.stringify({ vessels: { "NO-123-TR": { flag: "NO", imo: "9241061" } } }));
    await ok(["masterdata", "import"], { file: vessels, db, noAnchor: true });
    const out = path.join(dir, "loins.jsonld");
    await ok(["export", "epcis"], { lot: String(LOTS.loins), out, db, noSync: true });
    const doc = await readFile(out, "utf8");
    expect(doc).to.include('"cbvmda:vesselFlagState": "NO"').and.include('"gdst:imoNumber": "IMO9241061"');
  });
  it("refuses a record edited in the index, a bad section and a file with no records, each in one line", async function () {
    expect(await fails(["masterdata", "show"], { section: "boat", db })).to.equal(
      "error: --section boat: must be one of vessel, party, location, certificate",
    );
    const empty = path.join(dir, "empty.json");
    await writeFile(empty, "{}");
    expect(await fails(["masterdata", "import"], { file: empty, db })).to.match(/empty\.json: holds no vessel/);
    expect(await fails(["masterdata", "import"], { db })).to.equal("error: --file is required");
    expect(await fails(["masterdata", "show"], { key: "nobody", db })).to.match(/holds no master data for "nobody"/);

    const sql = await openIndex({ dir: db, databaseUrl: "" });
    try {
      await sql.query(`UPDATE master_data SET record = replace(record, 'Bodø', 'Oslo') WHERE key = $1`, [
        "7080003000019",
      ]);
    } finally {
      await sql.close();
    }
    expect(await fails(["masterdata", "show"], { section: "party", db })).to.match(
      /master data party "7080003000019": the record does not match its digest/,
    );
  });
});
