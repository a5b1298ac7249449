import { isoTime } from "../../src/core/format.js";
import { InputError } from "../../src/core/input-error.js";
import { canonicalRecord, MASTER_SECTIONS, type MasterSection } from "../../src/exports/master-data-records.js";
import { storedRecords, type StoredRecord } from "../../src/exports/master-data-store.js";
import { attachFishTrace } from "../../src/node/system.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { deploymentOf, openSession } from "../session.js";
import { openMasterDataIndex } from "./masterdata-index.js";

interface Args extends Omit<DeploymentArgs, "from"> {
  section?: string;
  key?: string;
  db?: string;
}

export interface ShownRecord {
  section: MasterSection;
  key: string;
  digest: string;
  anchoredBy: string | null;
  /** When the chain says `anchoredBy` anchored the digest (unix seconds); null when it has no such anchor. */
  anchoredAt: number | null;
}

const isSection = (v: string): v is MasterSection => MASTER_SECTIONS.some((s) => s === v);

export default fishTraceAction(async (args: Args, hre): Promise<ShownRecord[]> => {
  const section = args.section;
  if (section !== undefined && !isSection(section)) {
    throw new InputError(`--section ${section}: must be one of ${MASTER_SECTIONS.join(", ")}`);
  }
  const sql = await openMasterDataIndex(hre, args.db);
  let records: StoredRecord[];
  try {
    records = (await storedRecords(sql)).filter(
      (s) =>
        (section === undefined || s.record.section === section) &&
        (args.key === undefined || s.record.key === args.key),
    );
  } finally {
    await sql.close();
  }
  if (records.length === 0) {
    const what = [section, args.key === undefined ? undefined : `"${args.key}"`].filter((w) => w !== undefined);
    throw new InputError(
      `the index holds no master data${what.length === 0 ? "" : ` for ${what.join(" ")}`}: import it with npx hardhat masterdata import --file …`,
    );
  }

  const session = await openSession(hre);
  const reader = session.accounts[0] ?? session.ethers.provider;
  const { registry } = attachFishTrace(await deploymentOf(session, args), reader);
  const shown: ShownRecord[] = [];
  for (const stored of records) {
    const { section: s, key } = stored.record;
    const at = stored.anchoredBy === null ? 0n : await registry.documentAnchoredAt(stored.anchoredBy, stored.digest);
    const anchoredAt = at === 0n ? null : Number(at);
    const status =
      stored.anchoredBy === null
        ? "not anchored"
        : anchoredAt === null
          ? `NOT on chain: ${stored.anchoredBy} has no anchor of it on ${session.networkName}`
          : `anchored by ${stored.anchoredBy} at ${isoTime(anchoredAt)}`;
    console.log(`${s} ${key}  sha256 ${stored.digest}  ${status}`);
    if (args.key !== undefined) console.log(`  ${canonicalRecord(stored.record)}`);
    shown.push({ section: s, key, digest: stored.digest, anchoredBy: stored.anchoredBy, anchoredAt });
  }
  return shown;
});
