/**
 * OpenZeppelin's standard Merkle tree (`@openzeppelin/merkle-tree`, verified on chain by `MerkleProof.verify`)
 * built from leaf hashes already computed, without holding the event loop: the library's ABI encoder is most of its
 * cost, so callers hash their leaves by hand (`bytes32Leaf`, `sensorLeafHash`) and the tree is built here `chunk`
 * hashes at a time. Root and proofs equal the library's (`StandardMerkleTree.of(…).root`, `.getProof(i)`).
 */
import { concat, keccak256 } from "ethers";

import { defined } from "./checks.js";
import { InputError } from "./input-error.js";

/** A tree's root and every leaf's proof (in the leaves' order). */
export interface MerkleProofs {
  root: string;
  proofs: string[][];
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The leaf of a `bytes32` value as the standard tree hashes it (leaf encoding `["bytes32"]`):
 * keccak256(keccak256(abi.encode(value))), double-hashed so no inner node passes as a leaf.
 */
export function bytes32Leaf(value: string): string {
  return keccak256(keccak256(value));
}

/** A standard tree as an array (root at 0, children of i at 2i+1 and 2i+2) and where each leaf stands in it. */
export interface StandardTree {
  tree: string[];
  /** The tree index of each leaf, in the leaves' order. */
  at: number[];
}

/** The standard tree over `leaves` (leaf hashes); `what` names the batch in errors. */
export async function standardTree(leaves: readonly string[], chunk = 256, what = "a batch"): Promise<StandardTree> {
  if (leaves.length === 0) throw new InputError(`${what} needs at least one leaf`);
  // @openzeppelin/merkle-tree: leaves sorted, stored from the end of the array; each node hashes its sorted pair.
  const order = leaves
    .map((hash, leaf) => ({ hash, leaf }))
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const tree = new Array<string>(2 * leaves.length - 1);
  const node = (j: number) => defined(tree[j], `node ${j} of the Merkle tree`);
  const at = new Array<number>(leaves.length);
  order.forEach(({ hash, leaf }, i) => {
    at[leaf] = tree.length - 1 - i;
    tree[tree.length - 1 - i] = hash;
  });
  for (let i = tree.length - 1 - leaves.length, n = 0; i >= 0; i--, n++) {
    const left = node(2 * i + 1);
    const right = node(2 * i + 2);
    tree[i] = keccak256(concat(left <= right ? [left, right] : [right, left]));
    if (n % chunk === chunk - 1) await yieldToEventLoop();
  }
  return { tree, at };
}

/** The proof of the leaf at tree index `start`: its sibling, then each ancestor's sibling up to the root. */
export function proofAt(tree: readonly string[], start: number): string[] {
  const proof: string[] = [];
  for (let j = start; j > 0; j = Math.floor((j - 1) / 2)) {
    proof.push(defined(tree[j % 2 === 1 ? j + 1 : j - 1], `node ${j} of the Merkle tree`));
  }
  return proof;
}

/** Root and proofs of the standard tree over `leaves` (leaf hashes); `what` names the batch in errors. */
export async function standardMerkle(leaves: readonly string[], chunk = 256, what = "a batch"): Promise<MerkleProofs> {
  const { tree, at } = await standardTree(leaves, chunk, what);
  return { root: defined(tree[0], "the Merkle root"), proofs: at.map((start) => proofAt(tree, start)) };
}
