import { bandText, celsius, isoTime, position, txText } from "../../src/format.js";
import { required, signedDegrees } from "../../src/inputs.js";
import { eventsIn, mined } from "../../src/tx.js";
import { centiCelsius, humidityPercent, positiveId, unixSeconds } from "../../src/units.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { chainNow, connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  lot?: string;
  temp?: string;
  humidity?: string;
  lat?: string;
  lon?: string;
  at?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const lotId = positiveId(required(args.lot, "lot"), "lot");
  const temperature = centiCelsius(required(args.temp, "temp"));
  const humidity = humidityPercent(required(args.humidity, "humidity"));
  const lat = args.lat === undefined ? undefined : signedDegrees(args.lat, "latitude");
  const lon = args.lon === undefined ? undefined : signedDegrees(args.lon, "longitude");
  const at = args.at === undefined ? undefined : unixSeconds(args.at, "reading time");

  const { session, fishTrace } = await connectFishTrace(hre, args, 1);
  const { harvester } = fishTrace;
  const lot = await harvester.getLot(lotId);
  const latitude = lat ?? lot.latitude;
  const longitude = lon ?? lot.longitude;
  const readAt = at ?? (await chainNow(session));

  const receipt = await mined(harvester.updateFish(lotId, temperature, humidity, latitude, longitude, readAt));
  console.log(
    `lot ${lotId} reading at ${isoTime(readAt)}: ${celsius(temperature)}, ${humidity} %, ${position(latitude, longitude)}`,
  );
  if (BigInt(readAt) < lot.readAt) {
    console.log(`  older than the stored reading of ${isoTime(lot.readAt)}: recorded, the latest status is unchanged`);
  }
  const excursions = await eventsIn(harvester, harvester.filters.ColdChainExcursion(lotId), receipt);
  for (const e of excursions) {
    console.log(
      `  cold-chain excursion: ${celsius(e.args.temperature)} is outside the cold-chain band ${bandText(lot.flags)}; lot ${lotId} is flagged EXCURSION`,
    );
  }
  console.log(`  ${txText(receipt)}`);
  return { lotId, excursion: excursions.length > 0 };
});
