/** What `pack create` and `pack open` share: the deployment's Packing contract, and whom to sign with. */
import type { Packing } from "../../typechain-types/index.js";
import { ssccText, UNIT_KIND, UNIT_STATUS } from "../../src/core/sscc.js";
import { lotIdText } from "../../src/core/digital-link.js";
import { InputError } from "../../src/core/input-error.js";
import type { FishTrace } from "../../src/node/system.js";
import { STAGE_NAMES, type StageName } from "../../src/core/vocabulary.js";

/** The deployment's Packing contract; a deployment made before packing existed has none. */
export function packingOf(fishTrace: FishTrace): Packing {
  if (fishTrace.packing === undefined) {
    throw new InputError(
      "this deployment has no Packing contract (it was deployed before packing existed): deploy again to pack lots",
    );
  }
  return fishTrace.packing;
}

/** The stage name of stage number `stage` (1 = harvester … 6 = customer). */
export function stageName(stage: number | bigint): StageName | string {
  return STAGE_NAMES[Number(stage) - 1] ?? `stage ${stage}`;
}

/**
 * A `SignerDefault`: the account holding `lotId` available (Created) at a stage, the one that can pack or unpack
 * it. A lot available nowhere has no such account: say so, and that `--from` names the signer.
 */
export function holderOf(lotId: bigint): (view: FishTrace) => Promise<string> {
  return async (view) => {
    for (const name of STAGE_NAMES) {
      const lot = await view[name].getLot(lotId);
      if (lot.status === 1n) return view.registry.accountOf(lot.custodianId);
    }
    throw new InputError(`lot ${lotIdText(lotId)} is not available (Created) at any stage: pass --from to sign`);
  };
}

/**
 * The first lot under the packed logistic unit `sscc` (for a pallet, its first case's first lot): its holder is the
 * default signer. A unit not packed now has none: say so in one line.
 */
export async function firstLotUnder(packing: Packing, sscc: bigint, action: string): Promise<bigint> {
  const unit = await packing.unitOf(sscc);
  const status = UNIT_STATUS[Number(unit.status)] ?? "None";
  if (status !== "Packed") {
    throw new InputError(`SSCC ${ssccText(sscc)} is not a packed logistic unit (${status}): ${action}`);
  }
  const [first] = await packing.contentsOf(sscc);
  if (first === undefined) throw new Error(`internal: packed unit ${ssccText(sscc)} holds nothing`);
  return UNIT_KIND[Number(unit.kind)] === "Units" ? firstLotUnder(packing, first, action) : first;
}
