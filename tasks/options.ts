/**
 * Option builders shared by the FishTrace tasks. Every value is taken as text and parsed by src/core/units.ts and
 * src/core/inputs.ts, so that a bad value is reported by FishTrace's one-line errors rather than Hardhat's.
 */
import { ArgumentType } from "hardhat/types/arguments";
import type { NewTaskDefinitionBuilder, TaskArguments } from "hardhat/types/tasks";

/** An optional text option (`undefined` when not given). */
export function opt<NameT extends string>(name: NameT, description: string) {
  return { name, description, type: ArgumentType.STRING_WITHOUT_DEFAULT as const, defaultValue: undefined };
}

/** The options every task acting on a deployment has: the signer and the contract addresses. */
export interface DeploymentArgs {
  from?: string;
  registry?: string;
  harvester?: string;
}

/** A deployment task's options plus `--stage`. */
export interface StageArgs extends DeploymentArgs {
  stage?: string;
}

/** Adds `--from`, `--registry` and `--harvester`; `fromDefault` says who signs when `--from` is not given. */
export function withDeployment<ArgsT extends TaskArguments>(
  builder: NewTaskDefinitionBuilder<ArgsT>,
  fromDefault: string,
) {
  return withContracts(
    builder.addOption(
      opt("from", `Signer: an address or an index into the network's accounts (default: ${fromDefault})`),
    ),
  );
}

/** Adds `--registry` and `--harvester` only, for a task that sends nothing from the node's accounts. */
export function withContracts<ArgsT extends TaskArguments>(builder: NewTaskDefinitionBuilder<ArgsT>) {
  return builder
    .addOption(opt("registry", "Registry address (default: the deployment recorded for this network)"))
    .addOption(
      opt("harvester", "Harvester address; the other stages follow from it (default: the deployment recorded)"),
    );
}

/** `--stage` of the lot tasks: the stage contract whose lots they act on. */
export const stageOption = (what = "The stage whose lot this is") =>
  opt("stage", `${what}: harvester, supplier, manufacturer, distributor, retailer or customer (default: harvester)`);

/** `--stage` of the order tasks: the seller's stage, whose order book holds the order. */
export const sellerStageOption = () =>
  opt(
    "stage",
    "The seller's stage, whose order book holds the order: harvester, supplier, manufacturer, distributor or " +
      "retailer (default: harvester)",
  );
