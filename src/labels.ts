/**
 * Names for what the contracts identify by number, read from the registry: species codes and participants.
 */
import type { BytesLike } from "ethers";

import type { Registry } from "../typechain-types/index.js";
import { speciesText } from "./units.js";

/** A species as "COD (Atlantic cod)"; just the code when the registry has no name for it. */
export async function speciesLabel(registry: Registry, species: string): Promise<string> {
  const code = speciesText(species);
  const name = await registry.speciesName(species);
  return name === "" || name === code ? code : `${code} (${name})`;
}

/** A participant's display name; "participant #5" when it has none. */
export async function participantName(registry: Registry, id: number | bigint): Promise<string> {
  const [name] = await registry.profileOf(await registry.accountOf(id));
  return name === "" ? `participant #${id}` : name;
}

/** A participant as "MV Nordkapp (#2, 0x7099…79C8)"; "nobody (participant #0)" for id 0. */
export async function participantLabel(registry: Registry, id: number | bigint): Promise<string> {
  if (BigInt(id) === 0n) return "nobody (participant #0)";
  const account = await registry.accountOf(id);
  const [name] = await registry.profileOf(account);
  return `${name === "" ? "unnamed" : name} (#${id}, ${account})`;
}

/** An account as "MV Nordkapp (#2, 0x7099…)", or the bare address when it was never registered. */
export async function accountLabel(registry: Registry, account: string): Promise<string> {
  const { id } = await registry.authorization(account);
  return id === 0n ? `${account} (not registered)` : participantLabel(registry, id);
}

/** The species codes ever listed in `registry` and still listed, in order of listing. */
export async function listedSpecies(registry: Registry): Promise<string[]> {
  const events = await registry.queryFilter(registry.filters.SpeciesListed());
  const codes = [...new Set(events.map((e) => e.args.code))];
  const listed = await Promise.all(codes.map((code: BytesLike) => registry.isSpeciesListed(code)));
  return codes.filter((_, i) => listed[i]);
}
