import { Wallet, type Signer } from "ethers";

import { isoTime } from "../../src/core/format.js";
import { required } from "../../src/core/inputs.js";
import { deviceLabel, lotLabel } from "../../src/core/labels.js";
import { readScans, signedReadingsJson } from "../../src/node/qat-files.js";
import { ledgerDomain, signReading, type QatReading, type SignedReading } from "../../src/core/qat.js";
import { writeText } from "../../src/node/record-files.js";
import { roleBit } from "../../src/core/roles.js";
import { stageHolding } from "../../src/core/stages.js";
import { InputError } from "../../src/core/input-error.js";
import { speciesText } from "../../src/core/units.js";
import { fishTraceAction } from "../run.js";
import { accountOf, chainNow, connectFishTrace } from "../session.js";

interface Args {
  in?: string;
  out?: string;
  key?: string;
  device?: string;
  registry?: string;
  harvester?: string;
}

/** The device key `--key` names; the key itself never appears in a message. */
function deviceKey(value: string): Wallet {
  const text = value.trim();
  const hex = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new InputError("--key is not a private key (64 hex digits, 0x optional)");
  try {
    return new Wallet(`0x${hex}`);
  } catch {
    throw new InputError("--key is not a valid secp256k1 private key");
  }
}

export default fishTraceAction(async (args: Args, hre) => {
  const input = required(args.in, "in");
  const output = required(args.out, "out");
  if (args.key !== undefined && args.device !== undefined) throw new InputError("give --key or --device, not both");
  if (args.key === undefined && args.device === undefined) {
    throw new InputError("--key or --device is required: the device that signs");
  }
  const wallet = args.key === undefined ? undefined : deviceKey(args.key);
  const { session, fishTrace } = await connectFishTrace(hre, { registry: args.registry, harvester: args.harvester }, 0);
  // "2h ago" in the file is two hours before the chain's clock.
  const scans = await readScans(input, await chainNow(session));
  const device: Signer = wallet ?? accountOf(session, args.device ?? "", "--device");
  const deviceAddress = await device.getAddress();
  const domain = await ledgerDomain(fishTrace.qualityLedger, session.chainId);

  // Every lot must exist somewhere; a reading of a lot no stage holds could never be accepted.
  const checked = new Set<bigint>();
  for (const { where, scan } of scans) {
    if (checked.has(scan.lotId)) continue;
    await stageHolding(fishTrace, scan.lotId).catch((err: unknown) => {
      throw err instanceof InputError ? new InputError(`${input} ${where}: ${err.message}`) : err;
    });
    checked.add(scan.lotId);
  }

  const signed: SignedReading[] = [];
  for (const { scan } of scans) {
    const reading: QatReading = { ...scan, device: deviceAddress };
    signed.push({ reading, signature: await signReading(device, domain, reading) });
  }
  await writeText(output, signedReadingsJson(signed));

  const { registry, manufacturer } = fishTrace;
  const ledger = String(domain.verifyingContract);
  console.log(
    `signed ${signed.length} reading${signed.length === 1 ? "" : "s"} of ${input} as ` +
      `${await deviceLabel(registry, deviceAddress)} for the quality ledger ${ledger} on chain ${session.chainId}`,
  );
  for (const { reading: r } of signed) {
    console.log(
      `  reading ${r.readingId}: lot ${await lotLabel(manufacturer, r.lotId)}, ${speciesText(r.species)} ` +
        `(${r.speciesConfidence} %), grade ${r.grade} (${r.gradeConfidence} %), scanned ${isoTime(r.scannedAt)}`,
    );
  }
  const { roles } = await registry.authorization(deviceAddress);
  if ((roles & BigInt(roleBit("QAT_DEVICE"))) === 0n) {
    console.log(
      `  note: ${deviceAddress} is not a QAT_DEVICE in the registry; the ledger refuses its readings until the ` +
        `admin binds it (npx hardhat device add --address ${deviceAddress} --role qat-device --operator …)`,
    );
  }
  console.log(`wrote ${output}`);
  return { device: deviceAddress, readings: signed };
});
