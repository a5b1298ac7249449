import { lotRef } from "../../src/core/digital-link.js";
import { flagsText, txText } from "../../src/core/format.js";
import { problemReason, required } from "../../src/core/inputs.js";
import { lotLabel, participantLabel } from "../../src/core/labels.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { fixedText } from "../../src/core/units.js";
import { PROBLEM_REASONS } from "../../src/core/vocabulary.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace, custodianOf } from "../session.js";

interface Args extends DeploymentArgs {
  lot?: string;
  reason?: string;
  detail?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const lotId = lotRef(required(args.lot, "lot"));
  const reason = problemReason(required(args.reason, "reason"));
  const detail = args.detail ?? "";
  const detailBytes = fixedText(detail, 32, "detail");

  const { fishTrace } = await connectFishTrace(hre, args, custodianOf("customer", lotId));
  const { customer, registry } = fishTrace;
  const receipt = await mined(customer.reportProblem(lotId, reason, detailBytes));
  const { customerId } = (await eventIn(customer, customer.filters.ProblemReported(lotId), receipt)).args;
  const { flags } = await customer.getLot(lotId);
  console.log(
    `problem reported with lot ${await lotLabel(fishTrace.manufacturer, lotId)} by ` +
      `${await participantLabel(registry, customerId)}: ${PROBLEM_REASONS[reason]}` +
      (detail === "" ? "" : ` ("${detail}")`),
  );
  console.log(`  flags now ${flagsText(flags)}`);
  console.log(`  ${txText(receipt)}`);
  return { lotId, reason: PROBLEM_REASONS[reason] };
});
