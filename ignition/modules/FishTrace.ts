import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The whole FishTrace system: the registry, and each stage contract attached to it so that the registry pushes
 * every authorization change to the stage's replica. The deploying account becomes the registry's admin.
 */
export default buildModule("FishTrace", (m) => {
  const admin = m.getAccount(0);
  const registry = m.contract("Registry", [admin]);
  const harvester = m.contract("Harvester", [registry]);
  m.call(registry, "attachStage", [harvester], { id: "attachHarvester" });
  return { registry, harvester };
});
