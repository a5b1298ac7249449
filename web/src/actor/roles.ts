/**
 * Role detection for the views: which order books a participant buys from, how its roles read in the wallet bar,
 * and the calm notice for an account that is no participant or holds no supply-chain role.
 */
import type { RoleName } from "@core/roles.js";
import { buyerRole } from "@core/stages.js";

import type { Participant } from "./chain.js";
import { SELLING_STAGES, type SellingStageName } from "@core/vocabulary.js";

const ROLE_WORDS: Partial<Record<RoleName, string>> = {
  DEFAULT_ADMIN: "Administrator",
  QAT_DEVICE: "QAT device",
  SENSOR_GATEWAY: "Sensor gateway",
};

/** "HARVESTER" → "Harvester". */
export function roleWord(role: RoleName): string {
  return ROLE_WORDS[role] ?? role.charAt(0) + role.slice(1).toLowerCase();
}

/** The stages whose order books a participant buys from (one per buyer role it holds), in stage order. */
export function buyStages(p: Participant): SellingStageName[] {
  return SELLING_STAGES.filter((stage) => p.actorRoles.includes(buyerRole(stage)));
}

/** "Harvester · Nordhav AS": the participant's roles (devices and relayers left out) and name, for `role`. */
export function roleText(p: Participant | undefined): string | undefined {
  if (p === undefined || p.id === 0n || p.device) return undefined;
  return `${p.roles
    .filter((r) => r !== "QAT_DEVICE" && r !== "SENSOR_GATEWAY" && r !== "RELAYER")
    .map(roleWord)
    .join(", ")} · ${p.name === "" ? `participant #${p.id}` : p.name}`;
}

/** Why there is nothing to sign for this participant, or undefined when it holds a supply-chain role. */
export function participantNotice(p: Participant): string | undefined {
  if (p.id === 0n || p.device || p.roles.length === 0) {
    return (
      "This account is not a FishTrace participant. Ask the registry's administrator to enrol it, or choose an " +
      "enrolled account in your wallet."
    );
  }
  if (p.actorRoles.length === 0) {
    return `This participant holds no supply-chain role (${p.roles.map(roleWord).join(", ")}): there is nothing to sign here.`;
  }
  return undefined;
}

/** Whether the participant runs a distribution hub (gets the shelf-life-first dispatch list). */
export function isDistributor(p: Participant): boolean {
  return p.actorRoles.includes("DISTRIBUTOR");
}
