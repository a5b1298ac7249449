import { access, constants, mkdir } from "node:fs/promises";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { lotRefList } from "../../src/core/digital-link.js";
import { celsius, isoTime, thousands, txText } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { deviceLabel, lotLabel, lotsLabel, participantLabel } from "../../src/core/labels.js";
import { requireShipment } from "../../src/core/orders.js";
import { roleBit } from "../../src/core/roles.js";
import { readSensorLog, proofsFileJson, type ReadingProof } from "../../src/node/sensor-files.js";
import { sensorTree, summarize, type SensorSummary } from "../../src/core/sensors.js";
import { orderBook, sellingStage, stageHolding, stageName, stageNumber } from "../../src/core/stages.js";
import { attachFishTrace, type FishTrace } from "../../src/node/system.js";
import { writeText } from "../../src/node/record-files.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import { InputError } from "../../src/core/input-error.js";
import { positiveId } from "../../src/core/units.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { accountOf, chainNow, connectFishTrace, type Session } from "../session.js";
import type { StageName } from "../../src/core/vocabulary.js";

interface Args extends StageArgs {
  in?: string;
  out?: string;
  lots?: string;
  order?: string;
}

const INT16_MIN = -32768;

/** A cold-chain band as "0..4 °C" or "≤ -18 °C". */
function band(minimum: bigint, maximum: bigint): string {
  return Number(minimum) === INT16_MIN ? `≤ ${celsius(maximum)}` : `${Number(minimum) / 100}..${celsius(maximum)}`;
}

/** The summary as one line: window, count, minimum, maximum, mean. */
function summaryText(s: SensorSummary): string {
  return (
    `${s.count} reading${s.count === 1 ? "" : "s"} from ${isoTime(s.from)} to ${isoTime(s.to)}: ` +
    `minimum ${celsius(s.minimum)}, maximum ${celsius(s.maximum)}, mean ${celsius(s.mean)}`
  );
}

const NO_LOTS = "no lots to anchor the readings around";

/** The stage holding every lot of `lotIds`; they must all be at one stage. */
async function commonStage(view: FishTrace, lotIds: readonly bigint[]): Promise<StageName> {
  const held = await Promise.all(lotIds.map(async (id) => ({ id, stage: await stageHolding(view, id) })));
  const [first] = held;
  if (first === undefined) throw new InputError(NO_LOTS);
  const other = held.find((h) => h.stage !== first.stage);
  if (other !== undefined) {
    throw new InputError(
      `the lots are held at different stages (lot ${await lotLabel(view.manufacturer, first.id)} at the ` +
        `${first.stage}, lot ${await lotLabel(view.manufacturer, other.id)} at the ${other.stage}); anchor a batch ` +
        "per stage",
    );
  }
  return first.stage;
}

/** A SENSOR_GATEWAY among the node's accounts, bound to the one custodian of `lotIds` at `stage`. */
async function custodianGateway(
  view: FishTrace,
  session: Session,
  stage: StageName,
  lotIds: readonly bigint[],
): Promise<HardhatEthersSigner> {
  const { registry } = view;
  const custodians = [
    ...new Set(await Promise.all(lotIds.map(async (id) => (await view[stage].getLot(id)).custodianId))),
  ];
  if (custodians.length > 1) {
    throw new InputError(
      `the lots have ${custodians.length} different custodians; pass --from with a gateway a regulator operates`,
    );
  }
  const [custodianId] = custodians;
  if (custodianId === undefined) throw new InputError(NO_LOTS);
  const operator = await registry.accountOf(custodianId);
  const bound = await registry.queryFilter(registry.filters.DeviceBound(undefined, operator));
  const bit = BigInt(roleBit("SENSOR_GATEWAY"));
  for (const { args } of bound.reverse()) {
    const signer = session.accounts.find((a) => a.address === args.device);
    if (signer === undefined) continue;
    const { roles } = await registry.authorization(args.device);
    if ((roles & bit) !== 0n) return signer;
  }
  throw new InputError(
    `no SENSOR_GATEWAY operated by ${await participantLabel(registry, custodianId)} is among the accounts ` +
      `${session.networkName} can sign with; pass --from`,
  );
}

/** Makes the folder of `file` (a fresh clone has none) and checks it can be written, before anything is sent. */
async function writableDirectory(file: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await mkdir(dir, { recursive: true }).catch(() => undefined);
  await access(dir, constants.W_OK).catch(() => {
    throw new InputError(`--out ${file} cannot be written: ${dir} is not a writable directory`);
  });
}

export default fishTraceAction(async (args: Args, hre) => {
  const input = required(args.in, "in");
  const output = required(args.out, "out");
  if (args.lots !== undefined && args.order !== undefined) throw new InputError("give --lots or --order, not both");
  if (args.lots === undefined && args.order === undefined) {
    throw new InputError("--lots or --order is required: the lots the readings were taken around");
  }
  const givenLots = args.lots === undefined ? undefined : lotRefList(args.lots);
  const orderId = args.order === undefined ? undefined : positiveId(args.order, "order");
  const seller = orderId === undefined ? undefined : sellingStage(args.stage);
  const forced = givenLots !== undefined && args.stage !== undefined ? stageName(args.stage) : undefined;
  await writableDirectory(output);

  const {
    session,
    addresses,
    fishTrace: view,
  } = await connectFishTrace(hre, { registry: args.registry, harvester: args.harvester }, 0);
  const now = await chainNow(session);
  // "2h ago" in the log is two hours before the chain's clock.
  const readings = await readSensorLog(input, now);
  const tree = sensorTree(readings);
  const summary = summarize(readings);
  const root = tree.root;
  const lotIds = givenLots ?? (await requireShipment(orderBook(view, seller ?? "harvester"), orderId ?? 0n)).lotIds;
  const stage = forced ?? (await commonStage(view, lotIds));

  if (summary.to > now) {
    throw new InputError(
      `${input}: the readings run to ${isoTime(summary.to)}, after the chain's latest block (${isoTime(now)})`,
    );
  }

  const gateway =
    args.from !== undefined ? accountOf(session, args.from) : await custodianGateway(view, session, stage, lotIds);
  // A root is bound to the gateway that anchored it: only this gateway's own anchor of it is a repeat.
  const anchored = await view.qualityLedger.anchorOf(gateway.address, root);
  if (anchored.anchoredAt !== 0n) {
    throw new InputError(
      `${input} was anchored already: root ${root} at ${isoTime(anchored.anchoredAt)} by gateway #${anchored.gatewayId}`,
    );
  }
  const { qualityLedger: ledger, registry, manufacturer } = attachFishTrace(addresses, gateway);
  const receipt = await mined(ledger.anchorReadings(stageNumber(stage), lotIds, root, summary));
  const proofs: ReadingProof[] = readings.map((reading, i) => ({ reading, proof: tree.getProof(i) }));
  const anchoredBatch = { chainId: session.chainId, ledger: addresses.qualityLedger, root, stage, lotIds, summary };
  await writeText(output, proofsFileJson(anchoredBatch, tree, proofs));

  const shipped = orderId === undefined ? "" : ` (shipped against ${seller} order ${orderId})`;
  console.log(
    `anchored ${input} for ${await lotsLabel(manufacturer, lotIds)}${shipped} at the ${stage} stage, by ` +
      (await deviceLabel(registry, gateway.address)),
  );
  console.log(`  root     ${root}`);
  console.log(`  summary  ${summaryText(summary)}`);
  const excursions = await eventsIn(ledger, ledger.filters.SensorExcursion(root), receipt);
  for (const e of excursions) {
    const { lotId, minimum, maximum, bandMinimum, bandMaximum } = e.args;
    console.log(
      `  lot ${await lotLabel(manufacturer, lotId)} flagged EXCURSION: minimum ${celsius(minimum)}, maximum ` +
        `${celsius(maximum)} outside the cold-chain band ${band(bandMinimum, bandMaximum)}`,
    );
  }
  console.log(`  ${txText(receipt)} (${thousands(receipt.gasUsed / BigInt(summary.count))} per reading)`);
  console.log(`wrote ${output} (the tree and ${proofs.length} proofs)`);
  return {
    root,
    stage,
    lotIds,
    summary,
    excursions: excursions.map((e) => e.args.lotId),
    gasUsed: receipt.gasUsed,
  };
});
