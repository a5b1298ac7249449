import { required, roleName } from "../../src/core/inputs.js";
import { accountLabel } from "../../src/core/labels.js";
import { ROLE_NAMES } from "../../src/core/roles.js";
import { addParticipant } from "../../src/node/seed.js";
import { txText } from "../../src/core/format.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { addressOf, connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  address?: string;
  role?: string;
  name?: string;
  location?: string;
}

const PARTICIPANT_ROLES = ROLE_NAMES.filter((r) => r !== "SENSOR_GATEWAY" && r !== "QAT_DEVICE");

export default fishTraceAction(async (args: Args, hre) => {
  const given = required(args.address, "address");
  const role = roleName(required(args.role, "role"), PARTICIPANT_ROLES);
  const name = required(args.name, "name");
  const location = args.location ?? "";

  const { session, fishTrace } = await connectFishTrace(hre, args, 0);
  const account = addressOf(session, given, "--address");
  const receipt = await addParticipant(fishTrace.registry, { account, role, name, location });
  console.log(`${await accountLabel(fishTrace.registry, account)} now holds ${role}, location ${location || "(none)"}`);
  console.log(`  ${txText(receipt)}`);
  return { account, role };
});
