import { analyticsRoutes } from "../../src/services/analytics/http.js";
import { listenTrace } from "../../src/services/trace/http.js";
import { fishTraceAction } from "../run.js";
import { everyInterval, serveOptions, untilStopped, type ServeArgs } from "../../src/services/http/serve-loop.js";
import { readIntake } from "./analytics-open.js";
import { openTraceIndex, type TraceIndexArgs } from "./trace-index.js";

interface Args extends TraceIndexArgs, ServeArgs {
  model?: string;
  intake?: string;
}

export default fishTraceAction(async (args: Args, hre): Promise<{ url: string }> => {
  const { port, host, interval } = serveOptions(args, 8547);
  const intake = args.intake === undefined ? undefined : await readIntake(args.intake);
  const index = await openTraceIndex(hre, args, !args.noSync);
  let service;
  try {
    // The session's chain; an index read as it is (--no-sync) names the chain it was built from.
    const analytics = analyticsRoutes(index.sql, {
      ...(args.model === undefined ? {} : { modelFile: args.model }),
      ...(intake === undefined ? {} : { intake }),
    });
    await analytics.service.model(); // a bad --model fails here, in one line
    service = await listenTrace(index.sql, {
      host,
      port,
      analytics,
      ...(index.session === undefined ? {} : { chainId: index.session.chainId }),
    });
  } catch (err) {
    await index.sql.close();
    throw err;
  }
  console.log(
    `trace API on ${service.url} (GET /v1/trace/:lot, /v1/journey/:lot, /v1/participants/:account, /v1/analytics/…, /healthz); ` +
      "Ctrl-C stops",
  );

  const stop = everyInterval(args.noSync ? 0 : interval, () => index.sync());
  await untilStopped();
  stop();
  await service.close();
  await index.sql.close();
  console.log("stopped");
  return { url: service.url };
});
