/**
 * `apikey create | list | revoke`, run in-process through `hre.tasks` on a PGlite index in a temporary folder (the
 * index the servers read): the key is printed once and works, the list never shows it, revoking dates it, and bad
 * arguments are one-line errors. (That a revoked key is refused, on both servers: scoped-access.test.ts.) Each task
 * opens the PGlite folder, seconds each: the runs here are the fewest that show each task.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { openIndex } from "../../src/index/db.js";
import { ApiKeys, type ApiKeyInfo } from "../../src/services/auth/api-keys.js";
import { GLN } from "../helpers/export-rows.js";
import { fails, ok } from "../helpers/task-run.js";

describe("apikey create, list and revoke", function () {
  let dir: string;
  let db: string;

  /** Who `key` authenticates as in the index, read as the servers read it. */
  async function holderOf(key: string) {
    const sql = await openIndex({ dir: db, databaseUrl: "" });
    try {
      return await new ApiKeys(sql).authenticate(key);
    } finally {
      await sql.close();
    }
  }

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "fishtrace-apikey-"));
    db = path.join(dir, "index");
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a key, prints it once, lists it without the key, revokes it", async function () {
    const made = await ok<ApiKeyInfo & { key: string }>(["apikey", "create"], {
      party: GLN.distributor,
      scope: "partner",
      label: "Distributor WMS",
      db,
    });
    expect(made.value.key).to.match(/^ft_[A-Za-z0-9_-]{43}$/);
    expect(made.text).to.equal(
      `API key 1 for ${GLN.distributor} (partner, Distributor WMS):\n  ${made.value.key}\n` +
        "  shown this once: the index keeps only its SHA-256. Send it as Authorization: Bearer <key>",
    );
    expect(await holderOf(made.value.key)).to.deep.equal({ party: GLN.distributor, scope: "partner" });

    const list = await ok<ApiKeyInfo[]>(["apikey", "list"], { db });
    expect(list.value.map((k) => [k.id, k.party, k.scope, k.revoked])).to.deep.equal([
      [1, GLN.distributor, "partner", null],
    ]);
    expect(list.text).to.not.include("ft_");
    expect(list.text.split("\n")[0]).to.match(
      new RegExp(`^1  ${GLN.distributor}  partner    created \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  active  Distributor WMS$`),
    );

    const revoked = await ok<ApiKeyInfo>(["apikey", "revoke"], { id: "1", db });
    expect(revoked.text).to.equal(`revoked API key 1 (${GLN.distributor}, partner): refused from now on`);
    expect(revoked.value.revoked).to.match(/^\d{4}-\d\d-\d\dT/);
  });

  it("refuses bad arguments in one line", async function () {
    const wrong = GLN.distributor.slice(0, 12) + String((Number(GLN.distributor.at(-1)) + 1) % 10);
    expect(await fails(["apikey", "create"], { party: wrong, scope: "partner", db })).to.equal(
      `error: --party "${wrong}" is not a GLN (13 digits ending in a valid GS1 check digit)`,
    );
    expect(await fails(["apikey", "create"], { party: GLN.distributor, scope: "admin", db })).to.equal(
      'error: --scope "admin" is not one of partner, regulator',
    );
    expect(await fails(["apikey", "create"], { scope: "partner", db })).to.equal("error: --party is required");
    expect(await fails(["apikey", "revoke"], { id: "x", db })).to.equal(
      'error: --id "x" is not a whole number 0..2147483647',
    );
    expect(await fails(["apikey", "revoke"], { id: "99", db })).to.equal("error: there is no API key 99");
  });
});
