import { lotRef } from "../../src/digital-link.js";
import { flagsText, txText } from "../../src/format.js";
import { problemReason, required } from "../../src/inputs.js";
import { lotLabel, participantLabel } from "../../src/labels.js";
import { eventIn, mined } from "../../src/tx.js";
import { fixedText } from "../../src/units.js";
import { PROBLEM_REASONS } from "../../src/vocabulary.js";
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
