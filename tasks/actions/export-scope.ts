/**
 * What the export tasks share: reading `--lot | --link | --actor | --from --to` into a scope, and opening the
 * index (synced with the connected network's deployment first, unless `--no-sync`).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { Sql } from "../../src/index/db.js";
import { lotRef } from "../../src/core/digital-link.js";
import { loadJourney, participantRef, type Journey, type JourneyScope } from "../../src/index/journey.js";
import { timeOrAgo } from "../../src/core/inputs.js";
import { InputError } from "../../src/core/input-error.js";
import { readMasterData, type MasterData } from "../../src/exports/master-data.js";
import { storedMasterData } from "../../src/exports/master-data-store.js";
import { openTraceIndex, type TraceIndexArgs } from "./trace-index.js";

export interface ExportArgs extends TraceIndexArgs {
  lot?: string;
  link?: string;
  actor?: string;
  from?: string;
  to?: string;
  out?: string;
  noSync: boolean;
}

/** The scope the options name, before the index is opened (an actor is resolved against the index later). */
type ScopeRequest = JourneyScope | { kind: "actorRef"; ref: string };

/** Checks the options: exactly one of a lot, an actor or a time range, and `--out` with one of `extensions`. */
export function scopeRequest(args: ExportArgs, extensions: readonly string[]): ScopeRequest & { out: string } {
  const given = [
    args.lot !== undefined || args.link !== undefined ? "lot" : undefined,
    args.actor !== undefined ? "actor" : undefined,
    args.from !== undefined || args.to !== undefined ? "range" : undefined,
  ].filter((g) => g !== undefined);
  if (given.length === 0) {
    throw new InputError(
      `give what to export: --lot <id|GTIN:LOT|Digital Link>, --link <Digital Link>${extensions.includes(".jsonld") ? ", --actor <participant>" : ""} or --from <date> [--to <date>]`,
    );
  }
  if (given.length > 1) throw new InputError(`give one of --lot, --actor or --from/--to, not ${given.join(" and ")}`);
  if (args.out === undefined || args.out.trim() === "") {
    throw new InputError(`--out is required: the file to write (${extensions.join(" or ")})`);
  }
  const out = args.out.trim();
  if (!extensions.some((e) => out.toLowerCase().endsWith(e))) {
    throw new InputError(`--out ${out} must end in ${extensions.join(" or ")}`);
  }
  if (args.lot !== undefined && args.link !== undefined) throw new InputError("give --lot or --link, not both");
  if (args.link !== undefined && !/^https?:\/\//i.test(args.link.trim())) {
    throw new InputError(`--link "${args.link}" is not a GS1 Digital Link (https://id.gs1.org/01/{GTIN}/10/{lot})`);
  }
  if (args.lot !== undefined) return { kind: "lot", lotId: lotRef(args.lot, "--lot"), out };
  if (args.link !== undefined) return { kind: "lot", lotId: lotRef(args.link, "--link"), out };
  if (args.actor !== undefined) return { kind: "actorRef", ref: args.actor, out };
  if (args.from === undefined) throw new InputError("give --from with --to (--to defaults to now)");
  const now = Math.floor(Date.now() / 1000);
  const from = timeOrAgo(args.from, "--from", now);
  const to = args.to === undefined ? now : timeOrAgo(args.to, "--to", now);
  if (to < from) {
    throw new InputError(
      args.to === undefined ? `--from ${args.from} is after now` : `--to ${args.to} is before --from ${args.from}`,
    );
  }
  return { kind: "range", from, to, out };
}

/** The chain the index was built from (its `meta.chain_id`), when it has one. */
async function indexedChainId(sql: Sql): Promise<bigint | undefined> {
  const rows = await sql.query<{ value: string }>("SELECT value FROM meta WHERE key = 'chain_id'");
  return rows[0] === undefined ? undefined : BigInt(rows[0].value);
}

/** Opens (and syncs) the index, reads the journey of `request`, closes the index. */
export async function exportJourney(
  hre: HardhatRuntimeEnvironment,
  args: ExportArgs & { masterData?: string },
  request: ScopeRequest,
): Promise<{ journey: Journey; masterData: MasterData }> {
  // Files named on the command line are read first: a bad one fails before the index is opened.
  const fromFiles = args.masterData === undefined ? undefined : await readMasterData(args.masterData);
  const index = await openTraceIndex(hre, args, !args.noSync);
  try {
    const chainId = index.session?.chainId ?? (await indexedChainId(index.sql)) ?? 31337n;
    const scope: JourneyScope =
      request.kind === "actorRef"
        ? { kind: "actor", participantId: await participantRef(index.sql, request.ref) }
        : request;
    const journey = await loadJourney(index.sql, scope, chainId);
    // Without --master-data, what `masterdata import` kept in the index.
    const masterData = fromFiles ?? (await storedMasterData(index.sql));
    return { journey, masterData };
  } finally {
    await index.sql.close();
  }
}
