import { required, roleName } from "../../src/core/inputs.js";
import { accountLabel } from "../../src/core/labels.js";
import { addDevice, type DeviceRole } from "../../src/node/seed.js";
import { txText } from "../../src/core/format.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { addressOf, connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  address?: string;
  role?: string;
  operator?: string;
}

const DEVICE_ROLES: readonly DeviceRole[] = ["SENSOR_GATEWAY", "QAT_DEVICE"];

export default fishTraceAction(async (args: Args, hre) => {
  const givenDevice = required(args.address, "address");
  const role = roleName(required(args.role, "role"), DEVICE_ROLES);
  const givenOperator = required(args.operator, "operator");

  const { session, fishTrace } = await connectFishTrace(hre, args, 0);
  const device = addressOf(session, givenDevice, "--address");
  const operator = addressOf(session, givenOperator, "--operator");
  const receipt = await addDevice(fishTrace.registry, { device, role, operator });
  const { id } = await fishTrace.registry.authorization(device);
  console.log(`device #${id} ${device} is a ${role} of ${await accountLabel(fishTrace.registry, operator)}`);
  console.log(`  ${txText(receipt)}`);
  return { device, role, operator };
});
