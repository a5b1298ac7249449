/**
 * Names for what the contracts identify by number: species codes and participants (read from the registry),
 * and product lots (read from the Manufacturer's events).
 */
import type { BytesLike } from "ethers";

import type { Manufacturer, Registry } from "../../typechain-types/index.js";
import { elementString, lotIdText, lotNumberText, type ProductKey } from "./digital-link.js";
import { rolesOf } from "./roles.js";
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

/** A product lot as the Manufacturer made it (its `ProductLotCreated` event). */
export interface ProductLot extends ProductKey {
  lotId: bigint;
  species: string;
  weightGrams: bigint;
  processId: bigint;
}

/** The product lot `lotId`, or undefined when the Manufacturer did not make it (a raw lot, or unknown). */
export async function productLotOf(manufacturer: Manufacturer, lotId: bigint): Promise<ProductLot | undefined> {
  if (lotId < 1n << 64n) return undefined; // counted lots are catches; product lots are hashes
  const [made] = await manufacturer.queryFilter(manufacturer.filters.ProductLotCreated(lotId));
  if (made === undefined) return undefined;
  const { gtin, lotNumber, species, weightGrams, processId } = made.args;
  return { lotId, gtin, lot: lotNumberText(lotNumber), species, weightGrams, processId };
}

/** A lot as a person reads it: its id for a catch, "(01)…(10)…" for a product lot, else its id in hex. */
export async function lotLabel(manufacturer: Manufacturer, lotId: bigint): Promise<string> {
  const product = await productLotOf(manufacturer, lotId);
  return product === undefined ? lotIdText(lotId) : elementString(product);
}

/** Lots as "lot 3", "lots 1, 2" or "lot (01)07038010123450(10)L2026-001". */
export async function lotsLabel(manufacturer: Manufacturer, lotIds: readonly bigint[]): Promise<string> {
  const labels = await Promise.all(lotIds.map((id) => lotLabel(manufacturer, id)));
  return `lot${labels.length === 1 ? "" : "s"} ${labels.join(", ")}`;
}

/** A device as "device #12 0xab… (QAT_DEVICE of MV Nordkapp)", or "0xab… (not a registered device)". */
export async function deviceLabel(registry: Registry, device: string): Promise<string> {
  const { id, roles, operatorId } = await registry.authorization(device);
  if (id === 0n || operatorId === 0n) return `${device} (not a registered device)`;
  const held = rolesOf(roles).filter((r) => r === "QAT_DEVICE" || r === "SENSOR_GATEWAY");
  const role = held.length === 0 ? "revoked device" : held.join(" and ");
  return `device #${id} ${device} (${role} of ${await participantName(registry, operatorId)})`;
}
