import { required } from "../../src/core/inputs.js";
import { wholeNumber } from "../../src/core/units.js";
import type { ApiKeyInfo } from "../../src/services/auth/api-keys.js";
import { fishTraceAction } from "../run.js";
import { withApiKeys } from "./apikey-keys.js";

interface Args {
  id?: string;
  db?: string;
}

export default fishTraceAction(async (args: Args, hre): Promise<ApiKeyInfo> => {
  const id = wholeNumber(required(args.id, "id"), "--id", 2_147_483_647);
  const revoked = await withApiKeys(hre, args.db, (keys) => keys.revoke(id));
  console.log(`revoked API key ${revoked.id} (${revoked.party}, ${revoked.scope}): refused from now on`);
  return revoked;
});
