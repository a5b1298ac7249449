import { lotRef } from "../../src/core/digital-link.js";
import { bandText, celsius, isoTime, position, txText } from "../../src/core/format.js";
import { required, signedDegrees } from "../../src/core/inputs.js";
import { lotLabel } from "../../src/core/labels.js";
import { lotStage, stageContract } from "../../src/core/stages.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import { centiCelsius, humidityPercent, unixSeconds } from "../../src/core/units.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { chainNow, connectFishTrace, custodianOf } from "../session.js";

interface Args extends StageArgs {
  lot?: string;
  temp?: string;
  humidity?: string;
  lat?: string;
  lon?: string;
  at?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const stage = lotStage(args.stage);
  const lotId = lotRef(required(args.lot, "lot"));
  const temperature = centiCelsius(required(args.temp, "temp"));
  const humidity = humidityPercent(required(args.humidity, "humidity"));
  const lat = args.lat === undefined ? undefined : signedDegrees(args.lat, "latitude");
  const lon = args.lon === undefined ? undefined : signedDegrees(args.lon, "longitude");
  const at = args.at === undefined ? undefined : unixSeconds(args.at, "reading time");

  const { session, fishTrace } = await connectFishTrace(hre, args, custodianOf(stage, lotId));
  const contract = stageContract(fishTrace, stage);
  const lot = await contract.getLot(lotId);
  const latitude = lat ?? lot.latitude;
  const longitude = lon ?? lot.longitude;
  const readAt = at ?? (await chainNow(session));

  const receipt = await mined(contract.updateFish(lotId, temperature, humidity, latitude, longitude, readAt));
  const label = await lotLabel(fishTrace.manufacturer, lotId);
  console.log(
    `lot ${label} at the ${stage} stage, reading at ${isoTime(readAt)}: ${celsius(temperature)}, ${humidity} %, ` +
      position(latitude, longitude),
  );
  if (BigInt(readAt) < lot.readAt) {
    console.log(`  older than the stored reading of ${isoTime(lot.readAt)}: recorded, the latest status is unchanged`);
  }
  const excursions = await eventsIn(contract, contract.filters.ColdChainExcursion(lotId), receipt);
  for (const e of excursions) {
    console.log(
      `  cold-chain excursion: ${celsius(e.args.temperature)} is outside the cold-chain band ${bandText(lot.flags)}; ` +
        `lot ${label} is flagged EXCURSION`,
    );
  }
  console.log(`  ${txText(receipt)}`);
  return { stage, lotId, excursion: excursions.length > 0 };
});
