/**
 * What the vessel app keeps on the phone, in IndexedDB (database `fishtrace-vessel`), so nothing is lost when the
 * page is closed or the phone restarts at sea:
 *
 * - `keys`: the app's key (one, under "vessel"), only as an encrypted JSON keystore (scrypt, the passphrase);
 * - `catches`: each catch registered on board — what was entered, the signed ForwardRequest, and how far it got
 *   ("signed" on the vessel → "sent" to the relay → "on-chain" with block and lot id, or "refused" with the reason);
 * - `meta`: the registry's species list and the chain's clock offset, kept from the last time the phone was online,
 *   and the next forwarder nonce of the key.
 */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";

import type { SignedForwardRequest } from "@core/forward-request.js";

export interface StoredKey {
  address: string;
  /** ethers' encrypted JSON keystore (scrypt). */
  keystore: string;
  createdAt: number;
}

export type CatchState = "signed" | "sent" | "on-chain" | "refused";

export interface QueuedCatch {
  /** A random id made on the phone. */
  id: string;
  /** When it was signed (ms, the phone's clock). */
  signedAt: number;
  /** One line of what was entered: "COD, 250 kg, 69.12 18.5, caught 2026-12-07 06:10". */
  summary: string;
  signed: SignedForwardRequest;
  state: CatchState;
  /** The relay's id for it, once sent. */
  requestId?: string;
  block?: number;
  txHash?: string;
  lotId?: string;
  /** Why the relay or the chain refused it, one line. */
  reason?: string;
}

export interface SpeciesEntry {
  code: string;
  name: string;
}

interface VesselDb extends DBSchema {
  keys: { key: string; value: StoredKey };
  catches: { key: string; value: QueuedCatch };
  meta: { key: string; value: unknown };
}

const NAME = "fishtrace-vessel";
let opening: Promise<IDBPDatabase<VesselDb>> | undefined;

function db(): Promise<IDBPDatabase<VesselDb>> {
  opening ??= openDB<VesselDb>(NAME, 1, {
    upgrade(database) {
      database.createObjectStore("keys");
      database.createObjectStore("catches", { keyPath: "id" });
      database.createObjectStore("meta");
    },
  });
  return opening;
}

export async function readKey(): Promise<StoredKey | undefined> {
  return (await db()).get("keys", "vessel");
}

export async function writeKey(key: StoredKey): Promise<void> {
  await (await db()).put("keys", key, "vessel");
}

/** Every catch, oldest nonce first (the order the forwarder takes them in). */
export async function readCatches(): Promise<QueuedCatch[]> {
  const all = await (await db()).getAll("catches");
  return all.sort((a, b) => Number(BigInt(a.signed.nonce) - BigInt(b.signed.nonce)) || a.signedAt - b.signedAt);
}

export async function writeCatch(entry: QueuedCatch): Promise<void> {
  await (await db()).put("catches", entry);
}

export async function readMeta(key: string): Promise<unknown> {
  return (await db()).get("meta", key);
}

export async function writeMeta(key: string, value: unknown): Promise<void> {
  await (await db()).put("meta", value, key);
}
