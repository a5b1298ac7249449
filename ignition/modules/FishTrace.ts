import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { DEFAULT_FRESHNESS_RULE, DEFAULT_RULE_SPECIES } from "../../src/core/freshness.js";

/**
 * The whole FishTrace system: the registry, the six stage contracts (each built on the one before it and handing
 * acknowledged lots to the next) and the quality ledger that records QAT scans and sensor batches for all six. Every
 * contract is attached to the registry so that it receives every authorization change; packing (logistic units under
 * SSCCs) reads the registry and the stages and needs no attaching. The deploying account
 * becomes the registry's admin; the ledger starts with the default freshness rule (docs/freshness.md).
 *
 * Parameter `adminDelay` (seconds, default 3 days): how long a begun admin transfer waits before the new admin may
 * accept it (OpenZeppelin `AccessControlDefaultAdminRules`); see the README's "Handing the admin" section.
 *
 * Parameter `settlementToken` (an address, default zero): the ERC-20 the order books escrow, zero for Ether (a
 * standard token: fee-on-transfer tokens are refused when an order pulls them, rebasing ones are not supported).
 * Every deployment gets its own ERC-2771 forwarder (FishTraceForwarder, EIP-712 domain "FishTrace"), which the
 * registry and the stages trust, so that a sponsor can submit participants' signed requests and pay their gas.
 */
export const DEFAULT_ADMIN_DELAY = 3 * 24 * 60 * 60;

/** The `settlementToken` parameter's default: orders settle in Ether. */
export const ETHER_SETTLEMENT = "0x0000000000000000000000000000000000000000";

export default buildModule("FishTrace", (m) => {
  const admin = m.getAccount(0);
  const adminDelay = m.getParameter("adminDelay", DEFAULT_ADMIN_DELAY);
  const settlementToken = m.getParameter("settlementToken", ETHER_SETTLEMENT);
  const forwarder = m.contract("FishTraceForwarder", []);
  const registry = m.contract("Registry", [admin, adminDelay, forwarder, settlementToken]);
  const harvester = m.contract("Harvester", [registry]);
  const supplier = m.contract("Supplier", [registry, harvester]);
  const manufacturer = m.contract("Manufacturer", [registry, supplier]);
  const distributor = m.contract("Distributor", [registry, manufacturer]);
  const retailer = m.contract("Retailer", [registry, distributor]);
  const customer = m.contract("Customer", [registry, retailer]);
  const chain = [harvester, supplier, manufacturer, distributor, retailer, customer];
  const qualityLedger = m.contract("QualityLedger", [registry, chain]);
  // Logistic units (SSCCs): reads the stages and the registry, is attached to nothing (not a replica). Deployed after
  // the ledger, so that the ledger's address (in every signed QAT scan's domain) stays what it was without packing.
  const packing = m.contract("Packing", [registry, chain], { after: [qualityLedger] });

  const stages = { harvester, supplier, manufacturer, distributor, retailer, customer };
  const attached = Object.entries({ ...stages, qualityLedger }).map(([name, replica]) =>
    m.call(registry, "attachStage", [replica], { id: `attach_${name}` }),
  );
  // setNextStage, setQualityLedger and setFreshnessRule check the caller is the registry admin through the
  // contract's replica: attach first.
  let previous: (typeof chain)[number] | undefined;
  for (const [i, stage] of chain.entries()) {
    if (previous !== undefined) {
      m.call(previous, "setNextStage", [stage], { id: `link_${i}_${i + 1}`, after: attached });
    }
    previous = stage;
  }
  for (const [name, stage] of Object.entries(stages)) {
    m.call(stage, "setQualityLedger", [qualityLedger], { id: `ledger_${name}`, after: attached });
  }
  m.call(qualityLedger, "setFreshnessRule", [DEFAULT_RULE_SPECIES, { ...DEFAULT_FRESHNESS_RULE }], {
    id: "default_freshness_rule",
    after: attached,
  });
  return { registry, ...stages, qualityLedger, packing, forwarder };
});
