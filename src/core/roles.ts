import { id } from "ethers";

/** The roles of the FishTrace registry, in the order of their membership bits (see contracts/libraries/Roles.sol). */
export const ROLE_NAMES = [
  "DEFAULT_ADMIN",
  "HARVESTER",
  "SUPPLIER",
  "MANUFACTURER",
  "DISTRIBUTOR",
  "RETAILER",
  "CUSTOMER",
  "REGULATOR",
  "QAT_DEVICE",
  "SENSOR_GATEWAY",
  "RELAYER",
  "PAUSER",
] as const;

export type RoleName = (typeof ROLE_NAMES)[number];

/** The six supply-chain actors; the stage number of an actor is its index + 1. */
export const ACTOR_ROLES = ["HARVESTER", "SUPPLIER", "MANUFACTURER", "DISTRIBUTOR", "RETAILER", "CUSTOMER"] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

/** The `bytes32` role id `AccessControl` uses: zero for the admin, keccak256 of the name otherwise. */
export function roleId(name: RoleName): string {
  return name === "DEFAULT_ADMIN" ? "0x" + "00".repeat(32) : id(name);
}

/** The membership bit of a role in `IRegistry.Authorization.roles`. */
export function roleBit(name: RoleName): number {
  return 1 << ROLE_NAMES.indexOf(name);
}

/** The role names whose bits are set in `bits`. */
export function rolesOf(bits: number | bigint): RoleName[] {
  const n = Number(bits);
  return ROLE_NAMES.filter((_, i) => (n & (1 << i)) !== 0);
}

export function isRoleName(name: string): name is RoleName {
  return ROLE_NAMES.some((role) => role === name);
}
