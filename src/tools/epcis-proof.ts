/**
 * Checks a captured EPCIS event against the chain, as a partner would, from what the EPCIS interface serves:
 *
 *   node --import tsx src/tools/epcis-proof.ts <epcis-url> <eventID> [rpc-url] [registry]
 *   node --import tsx src/tools/epcis-proof.ts http://127.0.0.1:8548 'ni:///sha-256;…?ver=CBV2.0' http://127.0.0.1:8545
 *
 * Reads the event (`GET /epcis/events/{eventID}`) and its proof (`…/proof`), recomputes the event's CBV 2.0 hash,
 * checks the Merkle proof up to the root, and reads `Registry.documentAnchoredAt(anchoredBy, root)` on the chain at
 * `rpc-url` (default http://127.0.0.1:8545, which must be the chain id the proof names). `registry`: the FishTrace
 * Registry the partner trusts — a proof naming another is refused (default: the one the proof names).
 * Exits 0 when the event is proven unchanged, 1 when not (its hash, proof or anchoring does not hold), 2 when it cannot
 * tell (bad arguments, a server or node out of reach, a proof for another chain or Registry).
 */
import { JsonRpcProvider } from "ethers";

import { Registry__factory } from "../../typechain-types/index.js";
import { isObject } from "../services/epcis/event-leaf.js";
import { verifyEventProof, type EventProof } from "../services/epcis/proof.js";

const [base, eventId, rpc = "http://127.0.0.1:8545", trusted] = process.argv.slice(2);
if (base === undefined || eventId === undefined) {
  console.error("usage: node --import tsx src/tools/epcis-proof.ts <epcis-url> <eventID> [rpc-url] [registry]");
  process.exit(2);
}
const root = base.replace(/\/+$/, "");
const id = encodeURIComponent(eventId);

async function json(url: string): Promise<unknown> {
  const res = await fetch(url);
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

function proofOf(value: unknown): EventProof {
  if (!isObject(value) || typeof value.root !== "string" || !Array.isArray(value.proof)) {
    throw new Error("the proof answer is not a proof");
  }
  const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
  const prefixes = isObject(value.prefixes) ? value.prefixes : {};
  return {
    eventID: text(value.eventID) ?? "",
    hash: text(value.hash) ?? "",
    leaf: text(value.leaf) ?? "",
    prefixes: Object.fromEntries(Object.entries(prefixes).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : []))),
    root: value.root,
    proof: value.proof.filter((p): p is string => typeof p === "string"),
    status: value.status === "anchored" ? "anchored" : "unanchored",
    anchoredBy: text(value.anchoredBy),
    anchoredAt: text(value.anchoredAt),
    transaction: text(value.transaction),
    chainId: text(value.chainId),
    registry: text(value.registry),
    captureID: text(value.captureID) ?? "",
  };
}

try {
  const document = await json(`${root}/epcis/events/${id}`);
  const events =
    isObject(document) && isObject(document.epcisBody) && isObject(document.epcisBody.queryResults)
      ? document.epcisBody.queryResults.resultsBody
      : undefined;
  const [event] = isObject(events) && Array.isArray(events.eventList) ? events.eventList : [];
  if (!isObject(event)) throw new Error(`${root} serves no event ${eventId}`);
  const proof = proofOf(await json(`${root}/epcis/events/${id}/proof`));
  if (proof.registry === null) throw new Error("the proof names no Registry: the event is not anchored");
  if (trusted !== undefined && trusted.toLowerCase() !== proof.registry.toLowerCase()) {
    throw new Error(`the proof names Registry ${proof.registry}, not ${trusted}`);
  }
  const provider = new JsonRpcProvider(rpc);
  const { chainId } = await provider.getNetwork();
  if (proof.chainId !== null && proof.chainId !== chainId.toString()) {
    throw new Error(`${rpc} is chain ${chainId}; the proof is for chain ${proof.chainId}`);
  }
  const verdict = await verifyEventProof(event, proof, Registry__factory.connect(proof.registry, provider));
  provider.destroy();
  if (verdict.valid) {
    const at = new Date((verdict.anchoredAt ?? 0) * 1000).toISOString();
    console.log(`valid: ${eventId} is unchanged; root ${proof.root} anchored by ${proof.anchoredBy} at ${at}`);
  } else {
    console.log(`NOT valid: ${verdict.problems.join("; ")}`);
  }
  process.exit(verdict.valid ? 0 : 1);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
