import { required } from "../../src/core/inputs.js";
import { glnOf, keyScopeOf, type ApiKeyInfo } from "../../src/services/auth/api-keys.js";
import { fishTraceAction } from "../run.js";
import { withApiKeys } from "./apikey-keys.js";

interface Args {
  party?: string;
  scope?: string;
  label?: string;
  db?: string;
}

export default fishTraceAction(async (args: Args, hre): Promise<ApiKeyInfo & { key: string }> => {
  const party = glnOf(required(args.party, "party"), "--party");
  const scope = keyScopeOf(required(args.scope, "scope"), "--scope");
  const made = await withApiKeys(hre, args.db, (keys) => keys.create(party, scope, args.label ?? ""));
  console.log(`API key ${made.id} for ${made.party} (${made.scope}${made.label === "" ? "" : `, ${made.label}`}):`);
  console.log(`  ${made.key}`);
  console.log("  shown this once: the index keeps only its SHA-256. Send it as Authorization: Bearer <key>");
  return made;
});
