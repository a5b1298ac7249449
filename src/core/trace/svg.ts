/**
 * A trace as an SVG picture (no dependencies, pure string building): lots as boxes in columns by depth (catches on
 * the left, the lot traced marked with a thick border, packs to its right), lineage edges as arrows labelled with
 * the weight used, and the lots' holders and customers as boxes in a last column. Catches blue, packs green,
 * holders amber, customers violet, recalled lots red.
 */
import { defined } from "../checks.js";
import { formatGrams } from "../units.js";
import { alarmsText, lotText, partyText } from "./tree.js";
import type { LotNode, Party, TraceGraph } from "./types.js";

/** Text made safe for XML character data and attribute values. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const BOX_W = 280;
const BOX_H = 62;
const COL_GAP = 110;
const ROW_GAP = 22;
const MARGIN = 24;
const TITLE_H = 36;

const STYLE = {
  catch: { fill: "#e0f2fe", stroke: "#0369a1" },
  product: { fill: "#ecfccb", stroke: "#4d7c0f" },
  holder: { fill: "#fef3c7", stroke: "#b45309" },
  customer: { fill: "#f3e8ff", stroke: "#7e22ce" },
  recalled: { fill: "#fee2e2", stroke: "#dc2626" },
} as const;

/** Each lot's column: ancestors left of the root (by longest path), descendants right of it. */
function depths(graph: TraceGraph): Map<bigint, number> {
  const depth = new Map<bigint, number>([[graph.root, 0]]);
  for (let round = 0; round <= graph.lots.size; round++) {
    let changed = false;
    for (const e of graph.edges) {
      const p = depth.get(e.parent);
      const c = depth.get(e.child);
      // Backward side: a parent sits at least one column left of its child.
      if (c !== undefined && c <= 0 && e.parent !== graph.root && (p === undefined || (p <= 0 && p > c - 1))) {
        depth.set(e.parent, c - 1);
        changed = true;
      }
      // Forward side: a child sits at least one column right of its parent.
      if (p !== undefined && p >= 0 && e.child !== graph.root && (c === undefined || (c >= 0 && c < p + 1))) {
        depth.set(e.child, p + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const id of graph.lots.keys()) if (!depth.has(id)) depth.set(id, 0);
  return depth;
}

interface Box {
  x: number;
  y: number;
  lines: string[];
  style: { fill: string; stroke: string };
  thick: boolean;
  red: boolean;
}

function lotLines(lot: LotNode): string[] {
  const lines = [lotText(lot, lot.lotId), `${lot.species} ${formatGrams(lot.weightGrams)}`];
  if (lot.catch !== undefined) {
    const c = lot.catch;
    lines[1] += ` · ${[c.vessel, c.catchArea, c.gear].filter((t) => t !== "").join(" · ")}`;
  }
  const alarms = alarmsText(lot);
  lines.push(
    alarms.length > 0 || lot.kind !== "catch"
      ? alarms.join(", ")
      : partyText(defined(lot.catch, `the catch data of catch ${lot.lotId}`).harvester),
  );
  return lines;
}

function boxSvg(box: Box): string {
  const text = box.lines
    .filter((l) => l !== "")
    .map((line, i) => {
      const attrs = i === 0 ? ` font-weight="bold"` : box.red && i === 2 ? ` fill="#dc2626" font-weight="bold"` : "";
      return `<text x="${box.x + 10}" y="${box.y + 19 + i * 17}"${attrs}>${xmlEscape(line)}</text>`;
    })
    .join("");
  return (
    `<g><rect x="${box.x}" y="${box.y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${box.style.fill}" ` +
    `stroke="${box.style.stroke}" stroke-width="${box.thick ? 3 : 1.2}"/>${text}</g>`
  );
}

function arrow(x1: number, y1: number, x2: number, y2: number, label: string, dashed: boolean): string {
  const mid = (x1 + x2) / 2;
  const dash = dashed ? ` stroke-dasharray="5 4"` : "";
  const path =
    `<path d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 2},${y2}" fill="none" stroke="#475569" ` +
    `stroke-width="1.3"${dash} marker-end="url(#arrow)"/>`;
  const text =
    label === ""
      ? ""
      : `<text x="${mid}" y="${(y1 + y2) / 2 - 4}" text-anchor="middle" font-size="10" fill="#475569">` +
        `${xmlEscape(label)}</text>`;
  return path + text;
}

/** The trace as an SVG document (starts with `<svg`). */
export function traceSvg(graph: TraceGraph): string {
  const depth = depths(graph);
  const minDepth = Math.min(...depth.values());
  const maxDepth = Math.max(...depth.values());
  const columns = new Map<number, [bigint, LotNode][]>();
  const ordered = [...graph.lots].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const entry of ordered) {
    const d = defined(depth.get(entry[0]), `the depth of lot ${entry[0]}`);
    columns.set(d, [...(columns.get(d) ?? []), entry]);
  }

  const boxes = new Map<string, Box>();
  const colX = (d: number) => MARGIN + (d - minDepth) * (BOX_W + COL_GAP);
  const rowY = (i: number) => MARGIN + TITLE_H + i * (BOX_H + ROW_GAP);
  let rows = 0;
  for (const [d, lots] of columns) {
    lots.forEach(([id, lot], i) => {
      const style = lot.recalled ? STYLE.recalled : STYLE[lot.kind];
      boxes.set(`lot:${id}`, {
        x: colX(d),
        y: rowY(i),
        lines: lotLines(lot),
        style,
        thick: id === graph.root,
        red: lot.recalled,
      });
    });
    rows = Math.max(rows, lots.length);
  }

  // Holders and customers: one box per party and stage, in the column right after the lots it holds, below that
  // column's lots, so its arrow crosses no other lot's box (a catch's holder drawn past the packs made from it read
  // as the packs' holder).
  const parties = new Map<string, { party: Party; stage: string; customer: boolean; lots: bigint[]; col: number }>();
  for (const h of graph.holders) {
    const key = `${h.custodian.id}:${h.stage}`;
    const entry = parties.get(key) ?? {
      party: h.custodian,
      stage: h.stage,
      customer: h.stage === "customer",
      lots: [],
      col: minDepth,
    };
    entry.lots.push(h.lotId);
    entry.col = Math.max(entry.col, (depth.get(h.lotId) ?? minDepth) + 1);
    parties.set(key, entry);
  }
  const nextRow = new Map<number, number>();
  let lastCol = maxDepth;
  const partyBoxes: { box: Box; lots: bigint[] }[] = [];
  for (const [key, p] of parties) {
    const row = nextRow.get(p.col) ?? columns.get(p.col)?.length ?? 0;
    nextRow.set(p.col, row + 1);
    lastCol = Math.max(lastCol, p.col);
    rows = Math.max(rows, row + 1);
    const box: Box = {
      x: colX(p.col),
      y: rowY(row),
      lines: [partyText(p.party), p.customer ? "customer" : `holder at the ${p.stage}`, p.party.location],
      style: p.customer ? STYLE.customer : STYLE.holder,
      thick: false,
      red: false,
    };
    boxes.set(`party:${key}`, box);
    partyBoxes.push({ box, lots: p.lots });
  }

  const edges: string[] = [];
  for (const e of graph.edges) {
    const from = boxes.get(`lot:${e.parent}`);
    const to = boxes.get(`lot:${e.child}`);
    if (from === undefined || to === undefined) continue;
    edges.push(arrow(from.x + BOX_W, from.y + BOX_H / 2, to.x, to.y + BOX_H / 2, formatGrams(e.consumedGrams), false));
  }
  for (const { box: to, lots } of partyBoxes) {
    for (const lotId of lots) {
      const from = boxes.get(`lot:${lotId}`);
      if (from === undefined) continue;
      edges.push(arrow(from.x + BOX_W, from.y + BOX_H / 2, to.x, to.y + BOX_H / 2, "", true));
    }
  }

  const width = colX(lastCol) + BOX_W + MARGIN;
  const height = MARGIN * 2 + TITLE_H + Math.max(rows, 1) * (BOX_H + ROW_GAP) - ROW_GAP;
  const root = graph.lots.get(graph.root);
  const title = `Trace of ${lotText(root, graph.root)} (${graph.direction}), index at block ${graph.indexedTo.block}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="12">\n` +
    `<title>${xmlEscape(title)}</title>\n` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" ` +
    `orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#475569"/></marker></defs>\n` +
    `<rect width="100%" height="100%" fill="#ffffff"/>\n` +
    `<text x="${MARGIN}" y="${MARGIN + 12}" font-size="15" font-weight="bold">${xmlEscape(title)}</text>\n` +
    edges.join("\n") +
    "\n" +
    [...boxes.values()].map(boxSvg).join("\n") +
    "\n</svg>\n"
  );
}
