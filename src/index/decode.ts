/**
 * Logs of one FishTrace deployment, decoded with the contracts' own ABIs (src/core/abis.ts) and put in chain order.
 * Each log carries the key of the contract that emitted it and, for the six stage contracts, the stage number
 * (position in `STAGE_NAMES` + 1), so a `LotReceived` of the Distributor is told from one of the Retailer.
 */
import { Interface, Result, type InterfaceAbi, type Log, type ParamType } from "ethers";

import { CONTRACT_ABIS } from "../core/abis.js";
import { CONTRACT_NAMES, DEPLOYMENT_KEYS, type FishTraceAddresses } from "../node/system.js";
import { STAGE_NAMES } from "../core/vocabulary.js";

export type ContractKey = keyof FishTraceAddresses;

/** One decoded event, with where it happened. */
export interface DecodedEvent {
  block: number;
  logIndex: number;
  blockHash: string;
  txHash: string;
  contract: ContractKey;
  /** 1 … 6 for an event of a stage contract, undefined for the registry and the quality ledger. */
  stage: number | undefined;
  name: string;
  args: EventArgs;
  /** The arguments as JSON (bigints as decimal strings, structs as objects). */
  json: Record<string, unknown>;
}

/** Typed reads of a decoded `Result` (every integer decodes as a bigint in ethers v6). */
export class EventArgs {
  constructor(private readonly result: Result) {}

  private value(name: string): unknown {
    return this.result.getValue(name);
  }

  big(name: string): bigint {
    const v = this.value(name);
    if (typeof v !== "bigint") throw new Error(`event argument ${name} is not an integer`);
    return v;
  }

  num(name: string): number {
    return Number(this.big(name));
  }

  /** A bigint as the decimal text numeric columns take. */
  dec(name: string): string {
    return this.big(name).toString();
  }

  str(name: string): string {
    const v = this.value(name);
    if (typeof v !== "string") throw new Error(`event argument ${name} is not text`);
    return v;
  }

  bool(name: string): boolean {
    const v = this.value(name);
    if (typeof v !== "boolean") throw new Error(`event argument ${name} is not a boolean`);
    return v;
  }

  bigs(name: string): bigint[] {
    const v = this.value(name);
    if (!Array.isArray(v)) throw new Error(`event argument ${name} is not a list`);
    return v.map((x: unknown) => {
      if (typeof x !== "bigint") throw new Error(`event argument ${name} holds a non-integer`);
      return x;
    });
  }

  sub(name: string): EventArgs {
    const v = this.value(name);
    if (!(v instanceof Result)) throw new Error(`event argument ${name} is not a struct`);
    return new EventArgs(v);
  }
}

/** A decoded tuple or array (ethers decodes both as a `Result`). */
function decodedList(value: unknown, type: ParamType): Result {
  if (!(value instanceof Result)) throw new Error(`a decoded ${type.format()} is not a list of values`);
  return value;
}

/** JSON of a decoded value of type `type`: bigints as decimal strings, tuples as objects by component name. */
function jsonOf(value: unknown, type: ParamType): unknown {
  if (type.isTuple()) {
    const r = decodedList(value, type);
    return Object.fromEntries(type.components.map((c, i) => [c.name || String(i), jsonOf(r[i], c)]));
  }
  if (type.isArray()) return decodedList(value, type).map((v: unknown) => jsonOf(v, type.arrayChildren));
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** The ABIs by contract name. */
const ABIS: Readonly<Record<string, InterfaceAbi | undefined>> = CONTRACT_ABIS;

/** Decodes the logs of a deployment's eight contracts. */
export class Decoder {
  private readonly byAddress = new Map<string, { key: ContractKey; iface: Interface; stage: number | undefined }>();

  constructor(readonly addresses: FishTraceAddresses) {
    const interfaces = new Map<string, Interface>();
    for (const key of DEPLOYMENT_KEYS) {
      const name = CONTRACT_NAMES[key];
      let iface = interfaces.get(name);
      if (iface === undefined) {
        const abi = ABIS[name];
        if (abi === undefined) throw new Error(`no ABI for the ${name} contract`);
        iface = new Interface(abi);
        interfaces.set(name, iface);
      }
      const stageIndex = STAGE_NAMES.findIndex((stage) => stage === key);
      this.byAddress.set(addresses[key].toLowerCase(), {
        key,
        iface,
        stage: stageIndex === -1 ? undefined : stageIndex + 1,
      });
    }
  }

  /** The eight addresses, for `getLogs`. */
  get addressList(): string[] {
    return DEPLOYMENT_KEYS.map((key) => this.addresses[key]);
  }

  /** The log decoded, or undefined when no ABI of its contract knows it. */
  decode(log: Log): DecodedEvent | undefined {
    const source = this.byAddress.get(log.address.toLowerCase());
    if (source === undefined) return undefined;
    const parsed = source.iface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) return undefined;
    const json = Object.fromEntries(
      parsed.fragment.inputs.map((input, i) => [input.name || String(i), jsonOf(parsed.args[i], input)]),
    );
    return {
      block: log.blockNumber,
      logIndex: log.index,
      blockHash: log.blockHash,
      txHash: log.transactionHash,
      contract: source.key,
      stage: source.stage,
      name: parsed.name,
      args: new EventArgs(parsed.args),
      json,
    };
  }

  /** `logs` decoded, in (block, log index) order; logs no ABI knows are left out. */
  decodeAll(logs: readonly Log[]): DecodedEvent[] {
    const events: DecodedEvent[] = [];
    for (const log of logs) {
      const event = this.decode(log);
      if (event !== undefined) events.push(event);
    }
    return events.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
  }
}
