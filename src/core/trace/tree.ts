/**
 * A trace as a person reads it in a terminal, one line per lot: backward from the lot through each processing to
 * every catch (vessel, area, gear, date, position), forward from it to every pack made of it and who holds or
 * bought each one; alarms in capitals (RECALLED, SPECIES MISMATCH, …). And the stable JSON form of a trace.
 */
import { lotIdText } from "../digital-link.js";
import { formText, isoTime, position } from "../format.js";
import { formatGrams } from "../units.js";
import { alarmNames } from "../vocabulary.js";
import type { Holding, LineageEdge, LotNode, OrderRef, Party, StageHolding, TraceGraph } from "./types.js";

/** A participant as printed: its registered name, else "participant N". */
export function partyText(party: Party): string {
  return party.name !== "" ? party.name : `participant ${party.id}`;
}

/** How a lot is named: "catch 1", or a pack by its GTIN:LOT ("pack 07038010123450:L1"). */
export function lotText(lot: LotNode | undefined, lotId: bigint): string {
  if (lot === undefined) return `lot ${lotIdText(lotId)}`;
  if (lot.kind === "catch") return `catch ${lotIdText(lot.lotId)}`;
  if (lot.gtin !== undefined && lot.lotNumber !== undefined) return `pack ${lot.gtin}:${lot.lotNumber}`;
  return `pack ${lotIdText(lot.lotId)}`;
}

/** The alarms of a lot as "RECALLED, SPECIES MISMATCH" (empty when none). */
export function alarmsText(lot: LotNode): string[] {
  const names = alarmNames(lot.flags).map((n) => n.replace(/_/g, " "));
  if (lot.recalled && !names.includes("RECALLED")) names.unshift("RECALLED");
  return names.sort((a, b) => (a === "RECALLED" ? -1 : b === "RECALLED" ? 1 : a.localeCompare(b)));
}

function catchDetails(lot: LotNode): string[] {
  const c = lot.catch;
  if (c === undefined) return [];
  const parts: string[] = [];
  if (c.vessel !== "") parts.push(`vessel ${c.vessel}`);
  if (c.catchArea !== "") parts.push(`area ${c.catchArea}`);
  if (c.gear !== "") parts.push(`gear ${c.gear}`);
  parts.push(`caught ${isoTime(c.caughtAt)}`);
  parts.push(position(Math.round(c.latitude * 1e5), Math.round(c.longitude * 1e5)));
  parts.push(formText(c.frozen, c.farmed));
  parts.push(`by ${partyText(c.harvester)}`);
  return parts;
}

/** One lot on one line: name, species and weight, catch data or Digital Link, alarms. */
export function lotLine(lot: LotNode): string {
  const parts = [lotText(lot, lot.lotId), `${lot.species} ${formatGrams(lot.weightGrams)}`];
  if (lot.kind === "catch") parts.push(...catchDetails(lot));
  else if (lot.digitalLink !== undefined) parts.push(lot.digitalLink);
  const alarms = alarmsText(lot);
  return parts.join(" · ") + (alarms.length > 0 ? ` [${alarms.join(", ")}]` : "");
}

/** Where a lot is now: held, shipped on an open order, bought, or removed (undefined when passed on). */
function whereLine(graph: TraceGraph, lot: LotNode): string | undefined {
  const latest: StageHolding | undefined = lot.stages.at(-1);
  if (latest === undefined) return undefined;
  const who = partyText(latest.custodian);
  if (latest.stage === "customer") return `bought by ${who}`;
  if (latest.status === "Created") return `held by ${who} at the ${latest.stage}`;
  if (latest.status === "Removed") return `removed by ${who} at the ${latest.stage}`;
  if (latest.status === "Shipped") {
    const order = graph.openOrders.find((o) => o.stage === latest.stage && o.lotIds.includes(lot.lotId));
    return order === undefined
      ? `shipped by ${who} at the ${latest.stage}`
      : `shipped by ${who} on ${orderText(order)}`;
  }
  return undefined;
}

function orderText(order: OrderRef): string {
  return `${order.stage} order ${order.orderId} to ${partyText(order.buyer)} (${order.state})`;
}

type Step = (lot: bigint) => { edge: LineageEdge; next: bigint }[];

function walk(
  graph: TraceGraph,
  lines: string[],
  lotId: bigint,
  prefix: string,
  arrow: string,
  step: Step,
  seen: Set<bigint>,
  via: (edge: LineageEdge) => string,
): void {
  const children = step(lotId);
  const lot = graph.lots.get(lotId);
  const where = lot === undefined ? undefined : whereLine(graph, lot);
  const items: { text: string; edge?: LineageEdge; next?: bigint }[] = [];
  if (where !== undefined) items.push({ text: where });
  for (const c of children) items.push({ text: "", edge: c.edge, next: c.next });
  items.forEach((item, i) => {
    const last = i === items.length - 1;
    const branch = prefix + (last ? "└─ " : "├─ ");
    const below = prefix + (last ? "   " : "│  ");
    if (item.edge === undefined || item.next === undefined) {
      lines.push(branch + item.text);
      return;
    }
    const next = graph.lots.get(item.next);
    const again = seen.has(item.next);
    const text = next === undefined ? lotText(undefined, item.next) : again ? lotText(next, item.next) : lotLine(next);
    lines.push(`${branch}${arrow} ${text} (${via(item.edge)})${again ? " (shown above)" : ""}`);
    if (!again) {
      seen.add(item.next);
      walk(graph, lines, item.next, below, arrow, step, seen, via);
    }
  });
}

function sortedBy(graph: TraceGraph, ids: bigint[]): bigint[] {
  const key = (id: bigint) => lotText(graph.lots.get(id), id);
  return [...ids].sort((a, b) => {
    const ka = graph.lots.get(a)?.kind === "catch" ? 0 : 1;
    const kb = graph.lots.get(b)?.kind === "catch" ? 0 : 1;
    if (ka !== kb) return ka - kb;
    if (ka === 0) return a < b ? -1 : a > b ? 1 : 0;
    return key(a).localeCompare(key(b));
  });
}

/** The trace as text lines: the lot, what it was made from, what was made from it, who has it, open orders. */
export function traceTree(graph: TraceGraph): string[] {
  const root = graph.lots.get(graph.root);
  const lines: string[] = [];
  const name = lotText(root, graph.root);
  lines.push(`trace of ${name} (${graph.direction}), index at block ${graph.indexedTo.block}`);
  const parents: Step = (id) =>
    sortedBy(
      graph,
      graph.edges.filter((e) => e.child === id).map((e) => e.parent),
    ).map((next) => ({ edge: graph.edges.find((e) => e.child === id && e.parent === next)!, next }));
  const children: Step = (id) =>
    sortedBy(
      graph,
      graph.edges.filter((e) => e.parent === id).map((e) => e.child),
    ).map((next) => ({ edge: graph.edges.find((e) => e.parent === id && e.child === next)!, next }));

  if (graph.direction !== "forward") {
    lines.push("");
    lines.push(`made from (backward to ${graph.catches.length} catch${graph.catches.length === 1 ? "" : "es"}):`);
    lines.push(root === undefined ? name : lotLine(root));
    walk(graph, lines, graph.root, "", "←", parents, new Set([graph.root]), (e) => {
      return `${formatGrams(e.consumedGrams)} used in process ${lotIdText(e.processId)}`;
    });
  }
  if (graph.direction !== "backward") {
    const made = graph.products.filter((p) => p !== graph.root).length;
    lines.push("");
    if (made === 0 && graph.direction === "both") {
      lines.push("made into: nothing (no lot was made from it)");
    } else {
      lines.push(`made into (forward to ${made} pack${made === 1 ? "" : "s"}):`);
      lines.push(root === undefined ? name : lotLine(root));
    }
    if (made > 0 || graph.direction === "forward")
      walk(graph, lines, graph.root, "", "→", children, new Set([graph.root]), (e) => {
        const parent = graph.lots.get(e.parent);
        return `${formatGrams(e.consumedGrams)} of ${lotText(parent, e.parent)}, process ${lotIdText(e.processId)}`;
      });
  }

  lines.push("");
  lines.push(`holders now: ${holdersText(graph, graph.holders)}`);
  lines.push(
    `customers: ${graph.customers.length === 0 ? "none" : graph.customers.map((c) => customerText(c)).join(", ")}`,
  );
  if (graph.openOrders.length === 0) lines.push("open orders: none");
  else {
    lines.push("open orders:");
    for (const order of graph.openOrders) {
      const lots = order.lotIds.map((id) => lotText(graph.lots.get(id), id)).join(", ");
      lines.push(
        `  ${order.stage} order ${order.orderId} (${order.state}) ${partyText(order.seller)} → ` +
          `${partyText(order.buyer)}: ${lots}`,
      );
    }
  }
  const recalled = [...graph.lots.values()].filter((l) => l.recalled);
  if (recalled.length > 0) lines.push(`recalled: ${recalled.map((l) => lotText(l, l.lotId)).join(", ")}`);
  return lines;
}

function customerText(c: Party): string {
  return c.location !== "" ? `${partyText(c)} (${c.location})` : partyText(c);
}

function holdersText(graph: TraceGraph, holders: Holding[]): string {
  if (holders.length === 0) return "none";
  const byParty = new Map<string, string[]>();
  for (const h of holders) {
    const key = `${partyText(h.custodian)} at the ${h.stage}`;
    const list = byParty.get(key) ?? [];
    list.push(lotText(graph.lots.get(h.lotId), h.lotId) + (h.status === "Shipped" ? " (shipped)" : ""));
    byParty.set(key, list);
  }
  return [...byParty.entries()].map(([who, lots]) => `${who}: ${lots.join(", ")}`).join("; ");
}

/** JSON-ready values: bigints as decimal strings, Maps as arrays of their values. */
export type Jsonified<T> = T extends bigint
  ? string
  : T extends Map<unknown, infer V>
    ? Jsonified<V>[]
    : T extends (infer E)[]
      ? Jsonified<E>[]
      : T extends object
        ? { [K in keyof T]: Jsonified<T[K]> }
        : T;

export type TraceJson = Jsonified<TraceGraph>;

/** `value` as JSON values: bigints as decimal strings, Maps as arrays of their values, undefined fields dropped. */
export function jsonify<T>(value: T): Jsonified<T>;
export function jsonify(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Map) return [...value.values()].map(jsonify);
  if (Array.isArray(value)) return value.map(jsonify);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = jsonify(v);
    return out;
  }
  return value;
}

/**
 * The trace as JSON values, stable: bigints as decimal strings, `lots` an array sorted by lot id, edges by
 * (parent, child), catches and products by id.
 */
export function traceJson(graph: TraceGraph): TraceJson {
  const byId = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted: TraceGraph = {
    ...graph,
    lots: new Map([...graph.lots.entries()].sort(([a], [b]) => byId(a, b))),
    edges: [...graph.edges].sort((x, y) => byId(x.parent, y.parent) || byId(x.child, y.child)),
    catches: [...graph.catches].sort(byId),
    products: [...graph.products].sort(byId),
    holders: [...graph.holders].sort((x, y) => byId(x.lotId, y.lotId)),
  };
  return jsonify(sorted) as TraceJson;
}

/** `traceJson` as text, indented, ending in a newline. */
export function traceJsonText(graph: TraceGraph): string {
  return JSON.stringify(traceJson(graph), null, 2) + "\n";
}
