import { readMasterData } from "../../src/exports/master-data.js";
import { masterRecords, MASTER_SECTIONS } from "../../src/exports/master-data-records.js";
import { markAnchored, saveMasterRecords, storedRecords } from "../../src/exports/master-data-store.js";
import { txText } from "../../src/core/format.js";
import { InputError } from "../../src/core/input-error.js";
import { required } from "../../src/core/inputs.js";
import { mined } from "../../src/node/tx.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { chainNow, connectFishTrace } from "../session.js";
import { openMasterDataIndex } from "./masterdata-index.js";

interface Args extends DeploymentArgs {
  file?: string;
  db?: string;
  noAnchor: boolean;
}

/** Digests per `anchorDocuments` transaction: about 25,000 gas each, so 200 stay far below a block. */
const PER_TRANSACTION = 200;

export interface ImportResult {
  records: number;
  changed: number;
  anchored: string[];
}

export default fishTraceAction(async (args: Args, hre): Promise<ImportResult> => {
  const masterData = await readMasterData(required(args.file, "file"));
  const records = masterRecords(masterData);
  if (records.length === 0)
    throw new InputError(`--file ${args.file}: holds no vessel, party, location or certificate`);
  const counts = MASTER_SECTIONS.map((s) => `${records.filter((r) => r.section === s).length} ${s}`).join(", ");

  const sql = await openMasterDataIndex(hre, args.db);
  try {
    const connected = args.noAnchor ? undefined : await connectFishTrace(hre, args, 0);
    const now = connected === undefined ? Math.floor(Date.now() / 1000) : await chainNow(connected.session);
    const saved = await saveMasterRecords(sql, records, now);
    console.log(`imported ${records.length} records (${counts}): ${saved.changed.length} new or changed`);
    if (connected === undefined) return { records: records.length, changed: saved.changed.length, anchored: [] };

    const { signer, fishTrace } = connected;
    const by = await signer.getAddress();
    const pending = (await storedRecords(sql)).filter((s) => s.anchoredBy === null);
    const fresh: string[] = [];
    for (const stored of pending) {
      const at = await fishTrace.registry.documentAnchoredAt(by, stored.digest);
      if (at === 0n) fresh.push(stored.digest);
      else await markAnchored(sql, [stored.digest], by, null);
    }
    for (let i = 0; i < fresh.length; i += PER_TRANSACTION) {
      const chunk = fresh.slice(i, i + PER_TRANSACTION);
      const receipt = await mined(fishTrace.registry.anchorDocuments(chunk));
      await markAnchored(sql, chunk, by, receipt.hash);
      console.log(`anchored ${chunk.length} SHA-256 digest${chunk.length === 1 ? "" : "s"} as ${by}`);
      console.log(`  ${txText(receipt)}`);
    }
    if (fresh.length === 0) console.log(`every record's digest is anchored already`);
    return { records: records.length, changed: saved.changed.length, anchored: fresh };
  } finally {
    await sql.close();
  }
});
