/**
 * What the chain says that intake needs — who may post (QAT devices and sensor gateways are registered devices,
 * `IRegistry.Authorization.roles`) and each species' grade scale — kept so that intake never waits for the node
 * once it has asked: every answer is kept in memory and durably in the relay store, and served from there while it
 * is refreshed in the background (a known device's record after a minute, an unknown one's after a few seconds, so
 * a device registered a moment ago is let in almost at once). Only a question never answered before waits for the
 * node, for a few seconds at most; when the node does not answer it is refused with 503 and `retry-after`.
 */
import { z } from "zod";

import type { Registry } from "../../../typechain-types/index.js";
import { describeError } from "../../core/errors.js";
import { roleBit, type RoleName } from "../../core/roles.js";
import { Refusal } from "./refusal.js";

/** Where chain answers are kept durably: the relay store (or, in the submitter's thread, its bridge). */
export interface AnswerStore {
  chainAnswer(
    key: string,
  ): { value: string; checkedAt: number } | undefined | Promise<{ value: string; checkedAt: number } | undefined>;
  keepChainAnswer(key: string, value: string, checkedAt?: number): void | Promise<void>;
}

export interface DeviceInfo {
  /** Registry participant id (what events name the device by). */
  id: number;
  roles: number;
  operatorId: number;
}

/** How long a question never answered before waits for the node before it is answered 503. */
export const NODE_WAIT_MS = 3_000;

/** Seconds a client is told to wait (`retry-after`) when the node does not answer. */
export const RETRY_AFTER_SECONDS = 10;

/** Answers kept in memory at most (the oldest go first; known devices come back from the store). */
const MEMORY_ENTRIES = 10_000;

/** After a background refresh fails, how long the others wait before asking the node again. */
const REFRESH_PAUSE_MS = 2_000;

/** Resolves like `promise`, or rejects after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer from the node in ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * Answers of one kind from the chain, by key: fresh ones from memory, stale ones from memory or the store while a
 * refresh runs, unknown ones from the node (concurrent questions share one call).
 */
export class ChainAnswers<T> {
  private readonly memory = new Map<string, { value: T; checkedAt: number }>();
  private readonly inFlight = new Map<string, Promise<T>>();
  /** Background refreshes wait until then after one failed. */
  private quietUntil = 0;

  constructor(
    private readonly prefix: string,
    private readonly store: AnswerStore,
    private readonly ask: (key: string) => Promise<T>,
    private readonly freshMs: (value: T) => number,
    private readonly encode: (value: T) => string,
    private readonly decode: (text: string) => T,
    private readonly waitMs = NODE_WAIT_MS,
    /** Whether an answer is worth keeping durably (a stranger's "nobody" is not, unless it replaces a record). */
    private readonly keep: (value: T) => boolean = () => true,
  ) {}

  /** The chain's answer for `key`: at once when it was ever answered, else from the node. */
  async get(key: string): Promise<T> {
    const known = await this.known(key);
    if (known !== undefined) {
      const now = Date.now();
      if (now - known.checkedAt >= this.freshMs(known.value) && now >= this.quietUntil) {
        // A node that fails is asked again after a pause, not once per request.
        this.refresh(key).catch(() => (this.quietUntil = Date.now() + REFRESH_PAUSE_MS));
      }
      return known.value;
    }
    try {
      return await withTimeout(this.refresh(key), this.waitMs, `${this.prefix} ${key}`);
    } catch (err) {
      throw new Refusal(
        503,
        "node_unavailable",
        `the relay cannot check ${key} now (${describeError(err)}); try again in ${RETRY_AFTER_SECONDS} s`,
      );
    }
  }

  private async known(key: string): Promise<{ value: T; checkedAt: number } | undefined> {
    const inMemory = this.memory.get(key);
    if (inMemory !== undefined) return inMemory;
    const stored = await this.store.chainAnswer(`${this.prefix}:${key}`);
    if (stored === undefined) return undefined;
    let value: T;
    try {
      value = this.decode(stored.value);
    } catch {
      return undefined;
    }
    const entry = { value, checkedAt: stored.checkedAt };
    this.memory.set(key, entry);
    return entry;
  }

  private refresh(key: string): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const call = this.ask(key)
      .then(async (value) => {
        const checkedAt = Date.now();
        this.memory.delete(key);
        this.memory.set(key, { value, checkedAt });
        if (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value ?? key);
        const stored = `${this.prefix}:${key}`;
        if (this.keep(value) || (await this.store.chainAnswer(stored)) !== undefined) {
          await this.store.keepChainAnswer(stored, this.encode(value), checkedAt);
        }
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }
}

/** A device's record as the store keeps it (JSON of a `DeviceInfo`). */
const DEVICE_RECORD = z.object({ id: z.number(), roles: z.number(), operatorId: z.number() });

export class DeviceDirectory {
  private readonly answers: ChainAnswers<DeviceInfo>;

  constructor(registry: Registry, store: AnswerStore, knownMs = 60_000, unknownMs = 3_000, waitMs = NODE_WAIT_MS) {
    this.answers = new ChainAnswers<DeviceInfo>(
      "device",
      store,
      async (address) => {
        const { id, roles, operatorId } = await registry.authorization(address);
        return { id: Number(id), roles: Number(roles), operatorId: Number(operatorId) };
      },
      (info) => (info.roles !== 0 ? knownMs : unknownMs),
      (info) => JSON.stringify(info),
      (text) => {
        const record = DEVICE_RECORD.safeParse(JSON.parse(text));
        if (!record.success) throw new Error("not a device record");
        return record.data;
      },
      waitMs,
      (info) => info.roles !== 0,
    );
  }

  /** The registry's record of `address` (zero id when it is nobody). */
  lookup(address: string): Promise<DeviceInfo> {
    return this.answers.get(address);
  }

  /** Whether `address` holds `role` (by the registry's last answer). */
  async has(address: string, role: RoleName): Promise<boolean> {
    return ((await this.lookup(address)).roles & roleBit(role)) !== 0;
  }
}
