/**
 * Logs of one FishTrace deployment, decoded with the contracts' own ABIs (src/core/abis.ts) and put in chain order.
 * Each log carries the key of the contract that emitted it and, for the six stage contracts, the stage number
 * (position in `STAGE_NAMES` + 1), so a `LotReceived` of the Distributor is told from one of the Retailer.
 */
import { Interface, ParamType, type InterfaceAbi } from "ethers";

import { CONTRACT_ABIS } from "../core/abis.js";
import { abiJsonDecoder } from "./abi-json.js";
import { CONTRACT_NAMES, DEPLOYMENT_KEYS, PACKING_NAME, type FishTraceAddresses } from "../node/system.js";
import { STAGE_NAMES } from "../core/vocabulary.js";

export type ContractKey = keyof FishTraceAddresses;

/** One decoded event, with where it happened. */
export interface DecodedEvent {
  block: number;
  logIndex: number;
  blockHash: string;
  txHash: string;
  contract: ContractKey;
  /** 1 … 6 for an event of a stage contract, undefined for the registry, the quality ledger and packing. */
  stage: number | undefined;
  name: string;
  args: EventArgs;
  /** The arguments as JSON (bigints as decimal strings, structs as objects). */
  json: Record<string, unknown>;
}

/** What decoding needs of a log (an ethers `Log` has it; so has a JSON-RPC log with its numbers read). */
export interface RawLog {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: number;
  index: number;
  blockHash: string;
  transactionHash: string;
}

/** Typed reads of an event's arguments as JSON (`DecodedEvent.json`: integers as decimal text, structs as objects). */
export class EventArgs {
  constructor(private readonly values: Readonly<Record<string, unknown>>) {}

  private value(name: string): unknown {
    if (!Object.hasOwn(this.values, name)) throw new Error(`the event has no argument ${name}`);
    return this.values[name];
  }

  /** An integer's decimal text (what numeric columns take). */
  dec(name: string): string {
    const v = this.value(name);
    if (typeof v !== "string" || !DECIMAL.test(v)) throw new Error(`event argument ${name} is not an integer`);
    return v;
  }

  big(name: string): bigint {
    return BigInt(this.dec(name));
  }

  num(name: string): number {
    return Number(this.dec(name));
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
      if (typeof x !== "string" || !DECIMAL.test(x)) throw new Error(`event argument ${name} holds a non-integer`);
      return BigInt(x);
    });
  }

  sub(name: string): EventArgs {
    const v = this.value(name);
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new Error(`event argument ${name} is not a struct`);
    return new EventArgs(Object.fromEntries(Object.entries(v)));
  }
}

const DECIMAL = /^-?[0-9]+$/;

/** The ABIs by contract name. */
const ABIS: Readonly<Record<string, InterfaceAbi | undefined>> = CONTRACT_ABIS;

/** An event of an ABI, ready to decode: its topic hashed once (ethers hashes the signature on every parse). */
interface EventShape {
  name: string;
  /** Argument names (`""` → position), indexed or not. */
  keys: string[];
  indexedAt: boolean[];
  /** A dynamic indexed argument (string, bytes, tuple, array) has only its hash in its topic. */
  hashOnly: boolean[];
  readTopics: (data: string) => unknown[];
  readData: (data: string) => unknown[];
}

function shapesOf(iface: Interface): Map<string, EventShape> {
  const shapes = new Map<string, EventShape>();
  iface.forEachEvent((fragment) => {
    if (fragment.anonymous) return;
    const indexed: ParamType[] = [];
    const hashOnly: boolean[] = [];
    const data: ParamType[] = [];
    for (const param of fragment.inputs) {
      const dynamic =
        param.indexed === true &&
        (param.type === "string" || param.type === "bytes" || param.baseType === "tuple" || param.baseType === "array");
      hashOnly.push(dynamic);
      if (param.indexed !== true) data.push(param);
      else indexed.push(dynamic ? ParamType.from({ type: "bytes32", name: param.name }) : param);
    }
    shapes.set(fragment.topicHash, {
      name: fragment.name,
      keys: fragment.inputs.map((input, i) => input.name || String(i)),
      indexedAt: fragment.inputs.map((input) => input.indexed === true),
      hashOnly,
      readTopics: abiJsonDecoder(indexed),
      readData: abiJsonDecoder(data),
    });
  });
  return shapes;
}

/** Decodes the logs of a deployment's eight contracts, and of packing when the deployment has it. */
export class Decoder {
  private readonly byAddress = new Map<
    string,
    { key: ContractKey; events: Map<string, EventShape>; stage: number | undefined }
  >();

  constructor(readonly addresses: FishTraceAddresses) {
    const shapes = new Map<string, Map<string, EventShape>>();
    const contracts: [ContractKey, string, string][] = DEPLOYMENT_KEYS.map((key) => [
      key,
      CONTRACT_NAMES[key],
      addresses[key],
    ]);
    if (addresses.packing !== undefined) contracts.push(["packing", PACKING_NAME, addresses.packing]);
    for (const [key, name, address] of contracts) {
      let events = shapes.get(name);
      if (events === undefined) {
        const abi = ABIS[name];
        if (abi === undefined) throw new Error(`no ABI for the ${name} contract`);
        events = shapesOf(new Interface(abi));
        shapes.set(name, events);
      }
      const stageIndex = STAGE_NAMES.findIndex((stage) => stage === key);
      this.byAddress.set(address.toLowerCase(), {
        key,
        events,
        stage: stageIndex === -1 ? undefined : stageIndex + 1,
      });
    }
  }

  /** The eight addresses (nine with packing), for `getLogs`. */
  get addressList(): string[] {
    const list = DEPLOYMENT_KEYS.map((key) => this.addresses[key]);
    return this.addresses.packing === undefined ? list : [...list, this.addresses.packing];
  }

  /** The log decoded, or undefined when no ABI of its contract knows it. */
  decode(log: RawLog): DecodedEvent | undefined {
    const source = this.byAddress.get(log.address.toLowerCase());
    if (source === undefined) return undefined;
    const [topic, ...topics] = log.topics;
    const shape = topic === undefined ? undefined : source.events.get(topic.toLowerCase());
    if (shape === undefined) return undefined;
    // What ethers' Interface.decodeEventLog gives, as JSON.
    const indexed = shape.readTopics(topics.map((t) => t.slice(2)).join(""));
    const data = shape.readData(log.data);
    const json: Record<string, unknown> = {};
    let i = 0;
    let d = 0;
    for (const [n, key] of shape.keys.entries()) {
      if (shape.indexedAt[n] !== true) json[key] = data[d++];
      else if (shape.hashOnly[n] === true) json[key] = { hash: indexed[i++], _isIndexed: true };
      else json[key] = indexed[i++];
    }
    return {
      block: log.blockNumber,
      logIndex: log.index,
      blockHash: log.blockHash,
      txHash: log.transactionHash,
      contract: source.key,
      stage: source.stage,
      name: shape.name,
      args: new EventArgs(json),
      json,
    };
  }

  /** `logs` decoded, in (block, log index) order; logs no ABI knows are left out. */
  decodeAll(logs: readonly RawLog[]): DecodedEvent[] {
    const events: DecodedEvent[] = [];
    for (const log of logs) {
      const event = this.decode(log);
      if (event !== undefined) events.push(event);
    }
    return events.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
  }
}
