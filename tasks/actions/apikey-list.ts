import type { ApiKeyInfo } from "../../src/services/auth/api-keys.js";
import { fishTraceAction } from "../run.js";
import { withApiKeys } from "./apikey-keys.js";

interface Args {
  db?: string;
}

export default fishTraceAction(async (args: Args, hre): Promise<ApiKeyInfo[]> => {
  const list = await withApiKeys(hre, args.db, (keys) => keys.list());
  if (list.length === 0) console.log("no API keys: make one with npx hardhat apikey create --party <GLN> --scope …");
  for (const k of list) {
    const state = k.revoked === null ? "active" : `revoked ${k.revoked}`;
    console.log(`${k.id}  ${k.party}  ${k.scope.padEnd(9)}  created ${k.created}  ${state}  ${k.label}`.trimEnd());
  }
  return list;
});
