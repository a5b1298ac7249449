import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The whole FishTrace system: the registry and the six stage contracts, each built on the one before it, each
 * handing acknowledged lots to the next, and each attached to the registry so that it receives every
 * authorization change. The deploying account becomes the registry's admin.
 */
export default buildModule("FishTrace", (m) => {
  const admin = m.getAccount(0);
  const registry = m.contract("Registry", [admin]);
  const harvester = m.contract("Harvester", [registry]);
  const supplier = m.contract("Supplier", [registry, harvester]);
  const manufacturer = m.contract("Manufacturer", [registry, supplier]);
  const distributor = m.contract("Distributor", [registry, manufacturer]);
  const retailer = m.contract("Retailer", [registry, distributor]);
  const customer = m.contract("Customer", [registry, retailer]);

  const stages = { harvester, supplier, manufacturer, distributor, retailer, customer };
  const attached = Object.entries(stages).map(([name, stage]) =>
    m.call(registry, "attachStage", [stage], { id: `attach_${name}` }),
  );
  // setNextStage checks the caller is the registry admin through the stage's replica: attach first.
  const chain = [harvester, supplier, manufacturer, distributor, retailer, customer];
  for (let i = 0; i < chain.length - 1; i++) {
    m.call(chain[i]!, "setNextStage", [chain[i + 1]!], { id: `link_${i + 1}_${i + 2}`, after: attached });
  }
  return { registry, ...stages };
});
