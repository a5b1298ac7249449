/**
 * The relay store checks itself at start (issue 17): a missing or empty file is created only with `--init` (a 0-byte
 * store once came up as a new empty one, its acknowledged readings silently gone), a damaged one (`PRAGMA
 * quick_check`) or a SQLite file that is not a relay store is refused, each with one line saying what to do.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import { Store } from "../../src/services/relay/store.js";
import { InputError } from "../../src/core/input-error.js";

const { DatabaseSync } = createRequire(import.meta.url)("node:sqlite") as typeof import("node:sqlite");

function refusal(open: () => unknown): string {
  try {
    const store = open();
    if (store instanceof Store) store.close();
  } catch (err) {
    expect(err).to.be.instanceOf(InputError);
    const message = (err as Error).message;
    expect(message).to.not.include("\n");
    return message;
  }
  throw new Error("the store was opened");
}

async function filled(file: string, count: number): Promise<void> {
  const store = new Store(file, { init: true, sync: "normal" });
  store.bind(31337n, "0x" + "1".repeat(40));
  const rows = Array.from({ length: count }, (_, i) => ({
    device: "0x" + "2".repeat(40),
    readingId: String(i + 1),
    lotId: "1",
    signed: JSON.stringify({ padding: "x".repeat(300), i }),
    receivedAt: Date.now(),
  }));
  expect((await store.addQat(rows)).ok).to.equal(true);
  store.close();
}

describe("relay store self-check", function () {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), "fishtrace-store-check-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a missing or empty store unless --init, which creates it", async function () {
    const missing = path.join(dir, "missing.sqlite");
    expect(refusal(() => new Store(missing))).to.match(
      /^the relay store .*missing\.sqlite does not exist: restore it from a backup .* or start the relay with --init/,
    );
    const empty = path.join(dir, "empty.sqlite");
    writeFileSync(empty, "");
    expect(refusal(() => new Store(empty))).to.match(/^the relay store .*empty\.sqlite is empty \(0 bytes\): restore/);
    expect(statSync(empty).size, "the refused file is left as it was").to.equal(0);

    const created = new Store(empty, { init: true });
    created.close();
    // Once created it opens without --init, and --init on a store with readings keeps them.
    await filled(missing, 3);
    const again = new Store(missing);
    expect(again.queueDepth("qat")).to.equal(3);
    again.close();
    const init = new Store(missing, { init: true });
    expect(init.queueDepth("qat")).to.equal(3);
    init.close();
  });

  it("refuses a store with an overwritten page (quick_check) and says to restore it", async function () {
    const file = path.join(dir, "damaged.sqlite");
    await filled(file, 200);
    const pageSize = 4096;
    expect(statSync(file).size).to.be.greaterThan(pageSize * 8);
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, pageSize * 4);
    closeSync(fd);
    expect(refusal(() => new Store(file))).to.match(
      /^the relay store .*damaged\.sqlite (is damaged \(quick_check: .*\)|cannot be read \(.*\)): restore it from a backup/,
    );
  });

  it("refuses a file that is not a SQLite database, or a database that is not a relay store", function () {
    const text = path.join(dir, "notes.sqlite");
    writeFileSync(text, "these are not the readings you are looking for\n".repeat(200));
    expect(refusal(() => new Store(text))).to.match(/^the relay store .*notes\.sqlite cannot be read \(.*\): restore/);

    const other = path.join(dir, "other.sqlite");
    const db = new DatabaseSync(other);
    db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
    db.close();
    expect(refusal(() => new Store(other))).to.match(/other\.sqlite is a SQLite file but not a relay store/);
  });

  it("takes a store written before stores had an identity row (its tables and binding), and marks it", async function () {
    const file = path.join(dir, "older.sqlite");
    await filled(file, 2);
    const db = new DatabaseSync(file);
    db.exec("DELETE FROM meta WHERE key = 'store'");
    db.close();
    const store = new Store(file);
    expect(store.queueDepth("qat")).to.equal(2);
    store.close();
    const check = new DatabaseSync(file);
    expect(check.prepare("SELECT value FROM meta WHERE key = 'store'").get()).to.deep.equal({
      value: "fishtrace-relay-store/1",
    });
    check.close();
  });
});
