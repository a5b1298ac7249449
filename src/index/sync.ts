/**
 * The trace indexer: reads the logs of one FishTrace deployment's eight contracts (nine with packing) with
 * `getLogs`, in chunks of blocks from where it stopped up to `latest − confirmations`, decodes them with the
 * contracts' ABIs and writes them into the index (src/index/schema.ts).
 *
 * The chunk (default 2,000 blocks) adapts to the node: halved whenever `getLogs` fails on it, for any reason, and
 * doubled back after a few chunks that work. Each chunk — its rows, its blocks and the cursor — is written in one transaction, so a crash leaves the index
 * at the end of the last whole chunk and the next run goes on from there. Inserts are idempotent. The index
 * remembers which deployment (`<chainId>:<registry>`) and schema version it was built for and refuses any other;
 * it also remembers the hash of the last block it read, and notices a chain that was reset or reorganised below it.
 */
import { toQuantity, type Provider } from "ethers";

import type { FishTraceAddresses } from "../node/system.js";
import { InputError } from "../core/input-error.js";
import { applyEvents, insertEvents } from "./apply.js";
import type { Sql } from "./db.js";
import { Decoder, type DecodedEvent, type RawLog } from "./decode.js";
import { SCHEMA, SCHEMA_VERSION } from "./schema.js";

/**
 * What the indexer needs of a provider (an ethers `Provider` has it all). One that speaks JSON-RPC (`send`: ethers'
 * JsonRpcProvider, Hardhat's) is asked for logs raw, skipping ethers' formatting of every log (checksumming its
 * address, wrapping it in objects): a tenth of the catch-up's time.
 */
export type IndexProvider = Pick<Provider, "getBlockNumber" | "getBlock" | "getLogs" | "getNetwork" | "getCode"> & {
  send?: (method: string, params: unknown[]) => Promise<unknown>;
};

export interface SyncProgress {
  from: number;
  to: number;
  head: number;
  /** Events in this chunk. */
  events: number;
}

export interface SyncOptions {
  /** The first block to read on a new index (default: the block the registry was deployed in; 0 on chain 31337). */
  fromBlock?: number;
  /** Read no further than this block (default: the latest block − `confirmations`). */
  toBlock?: number;
  /** Blocks left unread below the latest (default 0 on chain 31337, else 12). */
  confirmations?: number;
  /** Blocks per `getLogs` call and per transaction (default 2,000; halved whenever the node fails on one, grown back after a few that work). */
  chunk?: number;
  /** Drop every table first and index again from the start. */
  reset?: boolean;
  /** When the chain no longer has the block the index stopped at: fail (default) or rebuild from the start. */
  onMismatch?: "fail" | "reset";
  onProgress?: (p: SyncProgress) => void;
  /**
   * Runs in each chunk's transaction after its rows are written, before the cursor moves: throwing rolls the
   * whole chunk back (a test's stand-in for a crash).
   */
  beforeCommit?: (p: SyncProgress, tx: Sql) => Promise<void> | void;
  /**
   * Rows written many to a statement (default), or `false`: a statement per row in event order (the reference the
   * tests compare the bulk path with).
   */
  bulk?: boolean;
}

export interface SyncResult {
  /** Events written by this run. */
  events: number;
  /** The last block indexed (the index's position). */
  toBlock: number;
  /** The first block this run read (`toBlock + 1` when it had nothing to read). */
  fromBlock: number;
  /** Blocks read by this run. */
  blocks: number;
}

const LOCAL_CHAIN_ID = 31337n;
const DEFAULT_CHUNK = 2_000;
const REMOTE_CONFIRMATIONS = 12;

/** `<chainId>:<registry address>`, the key an index is built for. */
export function deploymentKey(chainId: bigint, addresses: FishTraceAddresses): string {
  return `${chainId}:${addresses.registry.toLowerCase()}`;
}

/** The tables SCHEMA creates. */
const TABLES = [...SCHEMA.matchAll(/CREATE TABLE IF NOT EXISTS (?<table>\w+)/g)].flatMap((m) => m.groups?.table ?? []);

/** Drops every table of the index (then `syncIndex` builds it again). */
export async function resetIndex(sql: Sql): Promise<void> {
  await sql.exec(TABLES.map((t) => `DROP TABLE IF EXISTS ${t} CASCADE;`).join("\n"));
}

/** Where the index stands: its deployment, the last block indexed and that block's hash; undefined when empty. */
export async function indexPosition(
  sql: Sql,
): Promise<{ deployment: string; block: number; hash: string | null } | undefined> {
  const rows = await sql
    .query<{ deployment: string; next_block: string | number; last_hash: string | null }>(
      `SELECT deployment, next_block, last_hash FROM cursor LIMIT 1`,
    )
    .catch(() => []);
  const row = rows[0];
  if (row === undefined) return undefined;
  return { deployment: row.deployment, block: Number(row.next_block) - 1, hash: row.last_hash };
}

async function metaOf(sql: Sql): Promise<Map<string, string>> {
  const rows = await sql.query<{ key: string; value: string }>(`SELECT key, value FROM meta`);
  return new Map(rows.map((r) => [r.key, r.value]));
}

/** The first block in which `registry` has code (binary search on `getCode`). */
async function deploymentBlock(provider: IndexProvider, registry: string, head: number): Promise<number> {
  try {
    if ((await provider.getCode(registry, head)) === "0x") {
      throw new InputError(`the registry ${registry} has no code at block ${head}`);
    }
    let lo = 0;
    let hi = head;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await provider.getCode(registry, mid)) !== "0x") hi = mid;
      else lo = mid + 1;
    }
    return lo;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      `cannot find the block the registry was deployed in (the node keeps no old state?): pass --from-block`,
    );
  }
}

/** A chunk of blocks read: its events decoded, and the blocks they are in (and its last). */
interface ReadChunk {
  from: number;
  to: number;
  decoded: DecodedEvent[];
  blocks: Map<number, { hash: string; time: number }>;
}

/** Chunks that work in a row before a halved chunk is doubled again. */
const GROW_AFTER = 4;

/** Tries of a one-block range before its error is final (a dropped connection, a node restarting). */
const SINGLE_BLOCK_TRIES = 3;

/**
 * The logs of `addresses` in [from, to], or undefined when the node failed on a range wider than one block (whatever
 * the error: a range limit, a timeout, a connection the node closed on a large answer) — the caller halves its
 * chunk. A one-block range is tried `SINGLE_BLOCK_TRIES` times before its error is thrown.
 */
async function logsOf(
  provider: IndexProvider,
  address: string[],
  from: number,
  to: number,
): Promise<RawLog[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (provider.send === undefined) return await provider.getLogs({ address, fromBlock: from, toBlock: to });
      const answer = await provider.send("eth_getLogs", [
        { address, fromBlock: toQuantity(from), toBlock: toQuantity(to) },
      ]);
      return rawLogs(answer);
    } catch (err) {
      if (to > from) return undefined;
      if (attempt >= SINGLE_BLOCK_TRIES) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/** The logs of an `eth_getLogs` answer, checked and with their numbers read. */
function rawLogs(answer: unknown): RawLog[] {
  if (!Array.isArray(answer)) throw new Error("the node answered eth_getLogs with no list");
  return answer.map((item: unknown): RawLog => {
    const text = (key: string): string => {
      const value: unknown = typeof item === "object" && item !== null ? Reflect.get(item, key) : undefined;
      if (typeof value !== "string") throw new Error(`the node answered eth_getLogs with a log without ${key}`);
      return value;
    };
    const topics: unknown = typeof item === "object" && item !== null ? Reflect.get(item, "topics") : undefined;
    if (!Array.isArray(topics) || !topics.every((t: unknown): t is string => typeof t === "string")) {
      throw new Error("the node answered eth_getLogs with a log without topics");
    }
    return {
      address: text("address"),
      topics,
      data: text("data"),
      blockNumber: Number(text("blockNumber")),
      index: Number(text("logIndex")),
      blockHash: text("blockHash"),
      transactionHash: text("transactionHash"),
    };
  });
}

/** Timestamps and hashes of `numbers`, a few requests at a time. */
async function blocksOf(
  provider: IndexProvider,
  numbers: readonly number[],
): Promise<Map<number, { hash: string; time: number }>> {
  const blocks = new Map<number, { hash: string; time: number }>();
  for (let i = 0; i < numbers.length; i += 16) {
    const batch = numbers.slice(i, i + 16);
    const got = await Promise.all(batch.map(async (n) => ({ n, block: await provider.getBlock(n) })));
    for (const { n, block } of got) {
      if (block === null || block.hash === null) throw new Error(`the node returned no block ${n}`);
      blocks.set(n, { hash: block.hash, time: block.timestamp });
    }
  }
  return blocks;
}

/**
 * Brings the index `sql` up to date with the deployment at `addresses` (see the file's comment); returns how many
 * events it wrote and the last block indexed.
 */
export async function syncIndex(
  sql: Sql,
  provider: IndexProvider,
  addresses: FishTraceAddresses,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const { chainId } = await provider.getNetwork();
  const key = deploymentKey(chainId, addresses);
  if (options.reset === true) await resetIndex(sql);
  await sql.exec(SCHEMA);

  const meta = await metaOf(sql);
  const version = meta.get("schema_version");
  if (version !== undefined && version !== String(SCHEMA_VERSION)) {
    throw new InputError(
      `the index was built with schema version ${version}, this indexer writes version ${SCHEMA_VERSION}: rebuild it with --reset`,
    );
  }
  const built = meta.get("deployment");
  if (built !== undefined && built !== key) {
    throw new InputError(
      `the index belongs to deployment ${built}, not ${key} (another chain or deployment): use another --db, or --reset`,
    );
  }

  const confirmations = options.confirmations ?? (chainId === LOCAL_CHAIN_ID ? 0 : REMOTE_CONFIRMATIONS);
  if (!Number.isInteger(confirmations) || confirmations < 0) {
    throw new InputError(`confirmations ${confirmations} is not a whole number ≥ 0`);
  }
  const chunk = options.chunk ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunk) || chunk < 1) throw new InputError(`chunk ${chunk} is not a whole number ≥ 1`);
  const latest = await provider.getBlockNumber();
  const head = Math.min(latest - confirmations, options.toBlock ?? Infinity);

  let position = await indexPosition(sql);
  if (position === undefined) {
    const start =
      options.fromBlock ??
      (chainId === LOCAL_CHAIN_ID ? 0 : await deploymentBlock(provider, addresses.registry, latest));
    if (!Number.isInteger(start) || start < 0) throw new InputError(`from block ${start} is not a whole number ≥ 0`);
    await sql.transaction(async (tx) => {
      const entries: [string, string][] = [
        ["schema_version", String(SCHEMA_VERSION)],
        ["deployment", key],
        ["chain_id", chainId.toString()],
        ["addresses", JSON.stringify(addresses)],
        ["start_block", String(start)],
      ];
      for (const [k, v] of entries) {
        await tx.query(
          `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [k, v],
        );
      }
      await tx.query(`INSERT INTO cursor (deployment, next_block, last_hash) VALUES ($1, $2, NULL)`, [key, start]);
    });
    position = { deployment: key, block: start - 1, hash: null };
  } else if (position.hash !== null) {
    const block = position.block <= latest ? await provider.getBlock(position.block) : null;
    if (block?.hash !== position.hash) {
      if (options.onMismatch === "reset") {
        const start = Number(meta.get("start_block") ?? options.fromBlock ?? 0);
        return syncIndex(sql, provider, addresses, {
          ...options,
          reset: true,
          onMismatch: "fail",
          fromBlock: options.fromBlock ?? start,
        });
      }
      throw new InputError(
        `the chain no longer has block ${position.block} the index stopped at (the node was reset, or the chain ` +
          `reorganised deeper than the confirmations): rebuild the index with --reset`,
      );
    }
  }

  const decoder = new Decoder(addresses);
  const addressList = decoder.addressList;
  const firstBlock = position.block + 1;
  /** The logs of [from, to] decoded, with their blocks; undefined when the node failed on the range. */
  const read = async (from: number, to: number): Promise<ReadChunk | undefined> => {
    const logs = await logsOf(provider, addressList, from, to);
    if (logs === undefined) return undefined;
    const decoded: DecodedEvent[] = decoder.decodeAll(logs);
    const numbers = [...new Set([...decoded.map((e) => e.block), to])].sort((x, y) => x - y);
    const blocks = await blocksOf(provider, numbers);
    for (const e of decoded) {
      if (blocks.get(e.block)?.hash !== e.blockHash) {
        throw new Error(`block ${e.block} changed while it was read (a reorganisation): run the indexer again`);
      }
    }
    return { from, to, decoded, blocks };
  };
  /** Starts reading [from, from + size − 1]; the range read is fixed now, the answer awaited later. */
  const start = (from: number, size: number) => {
    const to = Math.min(from + size - 1, head);
    const reading = read(from, to);
    reading.catch(() => undefined); // awaited, and so reported, when its turn comes
    return { from, to, reading };
  };
  let events = 0;
  // The chunk adapts: halved when the node fails on one, doubled back (up to `chunk`) after GROW_AFTER that work.
  let size = chunk;
  let streak = 0;
  // The next chunk is read (logs, decoding, blocks) while the one before it is written.
  let next = firstBlock <= head ? start(firstBlock, size) : undefined;
  while (next !== undefined) {
    const { from, to } = next;
    const got = await next.reading;
    if (got === undefined) {
      size = Math.max(1, Math.floor((to - from + 1) / 2));
      streak = 0;
      next = start(from, size);
      continue;
    }
    if (++streak >= GROW_AFTER && size < chunk) {
      size = Math.min(chunk, size * 2);
      streak = 0;
    }
    next = to < head ? start(to + 1, size) : undefined;
    const { decoded, blocks } = got;
    const blockOf = (n: number) => {
      const block = blocks.get(n);
      if (block === undefined) throw new Error(`block ${n} was not read with its chunk`);
      return block;
    };
    const progress: SyncProgress = { from, to, head, events: decoded.length };
    await sql.transaction(async (tx) => {
      await insertEvents(tx, decoded);
      await applyEvents(tx, decoded, (n) => blockOf(n).time, options.bulk ?? true);
      // The blocks that have events (the chunk's last block is only read for the cursor's hash), so that an
      // index built in any chunks holds the same rows.
      const numbers = [...new Set(decoded.map((e) => e.block))];
      if (numbers.length > 0) {
        await tx.query(
          `INSERT INTO blocks (number, hash, time) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
           ON CONFLICT DO NOTHING`,
          [numbers, numbers.map((n) => blockOf(n).hash), numbers.map((n) => blockOf(n).time)],
        );
      }
      await options.beforeCommit?.(progress, tx);
      await tx.query(`UPDATE cursor SET next_block = $2, last_hash = $3, updated_at = now() WHERE deployment = $1`, [
        key,
        to + 1,
        blockOf(to).hash,
      ]);
    });
    events += decoded.length;
    options.onProgress?.(progress);
  }
  const end = Math.max(position.block, head);
  return { events, toBlock: end, fromBlock: firstBlock, blocks: Math.max(0, head - firstBlock + 1) };
}
