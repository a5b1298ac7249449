import { celsius, isoTime } from "../../src/core/format.js";
import { address, required } from "../../src/core/inputs.js";
import { lotsLabel } from "../../src/core/labels.js";
import { readProofsFile, type ReadingProof } from "../../src/node/sensor-files.js";
import { InputError } from "../../src/core/input-error.js";
import { unixSeconds, wholeNumber } from "../../src/core/units.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args {
  proofs?: string;
  index?: string;
  sensor?: string;
  at?: string;
  registry?: string;
  harvester?: string;
}

/** The reading `--index` or `--sensor` with `--at` selects from `proofs`. */
function select(args: Args, file: string, proofs: readonly ReadingProof[]): ReadingProof {
  const bySensor = args.sensor !== undefined || args.at !== undefined;
  if (args.index !== undefined && bySensor) throw new InputError("give --index, or --sensor with --at, not both");
  if (args.index !== undefined) {
    const last = proofs.length - 1;
    const index = wholeNumber(args.index, "--index", Number.MAX_SAFE_INTEGER);
    const chosen = proofs[index];
    if (chosen === undefined)
      throw new InputError(`--index ${index} is not in ${file}, which lists readings 0..${last}`);
    return chosen;
  }
  if (!bySensor) throw new InputError("--index, or --sensor with --at, is required: the reading to prove");
  const sensor = address(required(args.sensor, "sensor"), "--sensor");
  const at = unixSeconds(required(args.at, "at"), "--at");
  const chosen = proofs.find((p) => p.reading.sensor === sensor && p.reading.readAt === at);
  if (chosen === undefined) throw new InputError(`${file} has no reading of sensor ${sensor} at ${isoTime(at)}`);
  return chosen;
}

export default fishTraceAction(async (args: Args, hre) => {
  const file = required(args.proofs, "proofs");
  const { root, stage, lotIds, proofs } = await readProofsFile(file);
  const { reading, proof } = select(args, file, proofs);

  const { session, fishTrace } = await connectFishTrace(hre, { registry: args.registry, harvester: args.harvester }, 0);
  const ledger = fishTrace.qualityLedger;
  // A root is bound to the gateway that anchored it: the gateways that did are in the anchoring events.
  const anchoredBy = await ledger.queryFilter(ledger.filters.SensorBatchAnchored(root));
  if (anchoredBy.length === 0) {
    throw new InputError(
      `root ${root} of ${file} is not anchored: no batch was anchored under it on ${session.networkName}`,
    );
  }
  const gateways = [
    ...new Set(await Promise.all(anchoredBy.map((e) => fishTrace.registry.accountOf(e.args.gatewayId)))),
  ];
  const what =
    `the reading of sensor ${reading.sensor} at ${isoTime(reading.readAt)} ` +
    `(${celsius(reading.temperature)}, ${reading.humidity} %)`;
  let gateway: string | undefined;
  for (const candidate of gateways) {
    if (await ledger.verifyReading(candidate, root, reading, proof)) {
      gateway = candidate;
      break;
    }
  }
  if (gateway === undefined) {
    throw new InputError(`${what} is not in the anchored batch: its proof does not lead to root ${root}`);
  }
  const anchor = await ledger.anchorOf(gateway, root);
  console.log(`proved: ${what} is in the batch anchored under root ${root}`);
  console.log(
    `  anchored ${isoTime(anchor.anchoredAt)} by gateway #${anchor.gatewayId}: ${anchor.count} readings from ` +
      `${isoTime(anchor.from)} to ${isoTime(anchor.to)}, minimum ${celsius(anchor.minimum)}, maximum ` +
      `${celsius(anchor.maximum)}, mean ${celsius(anchor.mean)}`,
  );
  if (lotIds.length > 0) {
    const where = stage === undefined ? "" : ` at the ${stage} stage`;
    console.log(`  for ${await lotsLabel(fishTrace.manufacturer, lotIds)}${where}`);
  }
  console.log(`  proof of ${proof.length} hash${proof.length === 1 ? "" : "es"}, checked by the quality ledger`);
  return { root, reading, proved: true };
});
