/**
 * A pack's provenance as a tree: `Customer.verifyProvenance` returns the hops of its breadth-first walk (the pack
 * at each stage back to the Manufacturer, then every lot it was made from back to its catch) as a flat list; the
 * tree is rebuilt here the way the walk grew it, and printed one hop a line, indented under the hop it came from.
 */
import type { ICustomer } from "../../typechain-types/index.js";
import { flagsText } from "../core/format.js";
import { lotLabel, participantName } from "../core/labels.js";
import { stageOfNumber } from "../core/stages.js";
import type { FishTrace } from "./system.js";
import { formatGrams } from "../core/units.js";
import { LOT_STATUS } from "../core/vocabulary.js";

export type Hop = ICustomer.HopStructOutput;

export interface ProvenanceNode {
  hop: Hop;
  /** The hops this one leads back to: its parent lots at the same stage, or the same lot one stage earlier. */
  children: ProvenanceNode[];
}

/**
 * The tree of `hops` (as `verifyProvenance` returned them). Each hop's children are worked out as the walk did
 * (`parentsOf` at its stage, else the previous stage unless it is the Harvester's or the lot is unknown there) and
 * checked against the hops that follow in breadth-first order.
 */
export async function provenanceTree(fishTrace: FishTrace, hops: readonly Hop[]): Promise<ProvenanceNode> {
  const nodes = hops.map((hop): ProvenanceNode => ({ hop, children: [] }));
  const root = nodes[0];
  if (root === undefined) throw new Error("verifyProvenance returned no hops");
  let next = 1;
  for (const node of nodes) {
    const { stage, lotId, status } = node.hop;
    const parents = await fishTrace[stageOfNumber(stage)].parentsOf(lotId);
    const expected =
      parents.length > 0
        ? parents.map((id) => ({ stage, lotId: id }))
        : stage > 1n && status !== 0n
          ? [{ stage: stage - 1n, lotId }]
          : [];
    for (const want of expected) {
      const child = nodes[next++];
      if (child === undefined) break;
      if (child.hop.stage !== want.stage || child.hop.lotId !== want.lotId) {
        throw new Error(`provenance hop ${next - 1} is not the one hop ${nodes.indexOf(node)} leads to`);
      }
      node.children.push(child);
    }
  }
  return root;
}

/** One hop as a line: "retailer  lot (01)…(10)…: Coop Tromsø, Supplied, 400 g, flags none". */
export async function hopText(fishTrace: FishTrace, hop: Hop): Promise<string> {
  const custodian = hop.custodianId === 0n ? "nobody" : await participantName(fishTrace.registry, hop.custodianId);
  const status = LOT_STATUS[Number(hop.status)] ?? String(hop.status);
  const lot = await lotLabel(fishTrace.manufacturer, hop.lotId);
  const known = hop.status === 0n ? "not known here" : `${custodian}, ${status}, ${formatGrams(hop.weightGrams)}`;
  return `${stageOfNumber(hop.stage)} lot ${lot}: ${known}, flags ${flagsText(hop.flags)}`;
}

/** The tree as indented lines, each child under its hop with "├─ " / "└─ " connectors. */
export async function provenanceLines(fishTrace: FishTrace, root: ProvenanceNode): Promise<string[]> {
  const lines: string[] = [];
  const visit = async (node: ProvenanceNode, lead: string, branch: string) => {
    lines.push(`${lead}${branch}${await hopText(fishTrace, node.hop)}`);
    const childLead = lead + (branch === "" ? "" : branch === "└─ " ? "   " : "│  ");
    for (const [i, child] of node.children.entries()) {
      await visit(child, childLead, i === node.children.length - 1 ? "└─ " : "├─ ");
    }
  };
  await visit(root, "", "");
  return lines;
}

/** The catches a pack was made from: the Harvester's hops (stage 1) of its tree. */
export function catchesOf(root: ProvenanceNode): Hop[] {
  const found: Hop[] = [];
  const visit = (node: ProvenanceNode) => {
    if (node.hop.stage === 1n) found.push(node.hop);
    node.children.forEach(visit);
  };
  visit(root);
  return found;
}
