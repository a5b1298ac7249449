/**
 * The registry's admin work: enrolling participants and devices and listing species, one transaction each, and
 * the demo cast (one participant per stage — vessel, receiving station, processor, carrier, fish shop, customer —
 * a regulator, the vessel's sensor gateway, cod and haddock) that the demo and the task tests share.
 */
import type { ContractTransactionReceipt } from "ethers";

import type { Registry } from "../../typechain-types/index.js";
import { roleId, type RoleName } from "../core/roles.js";
import { mined } from "./tx.js";
import { speciesCode } from "../core/units.js";

export interface ParticipantSeed {
  account: string;
  role: RoleName;
  name: string;
  /** GS1 GLN or another location code. */
  location: string;
}

export type DeviceRole = "SENSOR_GATEWAY" | "QAT_DEVICE";

export interface DeviceSeed {
  device: string;
  role: DeviceRole;
  operator: string;
}

export interface SpeciesSeed {
  /** FAO ASFIS 3-alpha code. */
  code: string;
  name: string;
}

/** Enrols `p.account` in `p.role` with its profile. */
export function addParticipant(registry: Registry, p: ParticipantSeed): Promise<ContractTransactionReceipt> {
  return mined(registry.registerParticipant(p.account, roleId(p.role), p.name, p.location));
}

/** Binds `d.device` to its operator in `d.role`. */
export function addDevice(registry: Registry, d: DeviceSeed): Promise<ContractTransactionReceipt> {
  return mined(registry.registerDevice(d.device, roleId(d.role), d.operator));
}

/** Lists species `s.code` under `s.name`. */
export function addSpecies(registry: Registry, s: SpeciesSeed): Promise<ContractTransactionReceipt> {
  return mined(registry.listSpecies(speciesCode(s.code), s.name));
}

/** The species of the demo. */
export const DEMO_SPECIES: readonly SpeciesSeed[] = [
  { code: "COD", name: "Atlantic cod" },
  { code: "HAD", name: "Haddock" },
];

/** The demo's accounts by part: one participant per stage, a regulator, and the gateway of the vessel's sensors. */
export interface DemoCast {
  vessel: string;
  supplier: string;
  manufacturer: string;
  distributor: string;
  retailer: string;
  customer: string;
  regulator: string;
  gateway: string;
}

/** The demo's participants, one per stage in supply-chain order, then the regulator (GLNs with check digits). */
export function demoParticipants(cast: DemoCast): ParticipantSeed[] {
  return [
    { account: cast.vessel, role: "HARVESTER", name: "MV Nordkapp", location: "7080003000002" },
    { account: cast.supplier, role: "SUPPLIER", name: "Bodø Fish Receiving", location: "7080003000019" },
    { account: cast.manufacturer, role: "MANUFACTURER", name: "Lofoten Fillet AS", location: "7080003000026" },
    { account: cast.distributor, role: "DISTRIBUTOR", name: "Nordic Cold Logistics", location: "7080003000033" },
    { account: cast.retailer, role: "RETAILER", name: "Tromsø Fiskehall", location: "7080003000040" },
    { account: cast.customer, role: "CUSTOMER", name: "Kari Nordmann", location: "" },
    { account: cast.regulator, role: "REGULATOR", name: "Food Safety Authority", location: "7080003000057" },
  ];
}

export function demoDevices(cast: DemoCast): DeviceSeed[] {
  return [{ device: cast.gateway, role: "SENSOR_GATEWAY", operator: cast.vessel }];
}

export interface SeedStep {
  what: string;
  receipt: ContractTransactionReceipt;
}

/** Enrols the demo cast and lists the demo species; returns one step per transaction, in order. */
export async function seedDemo(registry: Registry, cast: DemoCast): Promise<SeedStep[]> {
  const steps: SeedStep[] = [];
  for (const p of demoParticipants(cast)) {
    steps.push({
      what: `enrol ${p.name} as ${p.role}${p.location === "" ? "" : ` (GLN ${p.location})`}`,
      receipt: await addParticipant(registry, p),
    });
  }
  const names = new Map(demoParticipants(cast).map((p) => [p.account, p.name]));
  for (const d of demoDevices(cast)) {
    const operator = names.get(d.operator) ?? d.operator;
    steps.push({ what: `bind ${d.device} as ${operator}'s ${d.role}`, receipt: await addDevice(registry, d) });
  }
  for (const s of DEMO_SPECIES) {
    steps.push({ what: `list species ${s.code} (${s.name})`, receipt: await addSpecies(registry, s) });
  }
  return steps;
}
