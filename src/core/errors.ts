/**
 * Turns anything a FishTrace call can throw into one readable line: custom errors are decoded from the
 * revert data with the contracts' ABIs and phrased from their values; user mistakes keep their own message.
 */
import { Interface, type ErrorDescription, type Result } from "ethers";

import { CONTRACT_ABIS } from "./abis.js";
import { firstLine, propertyOf } from "./checks.js";
import { lotIdText } from "./digital-link.js";
import { rolesOf } from "./roles.js";
import { InputError } from "./input-error.js";
import { ssccText, UNIT_STATUS } from "./sscc.js";
import { speciesText } from "./units.js";
import { LOT_STATUS, ORDER_STATE } from "./vocabulary.js";

/** Every error any FishTrace contract can revert with (the ABIs are merged, duplicates dropped). */
const fishTraceErrors = new Interface(
  Object.values(CONTRACT_ABIS)
    .flat()
    .filter(
      (fragment, i, all) =>
        fragment.type === "error" &&
        all.findIndex((other) => other.type === "error" && other.name === fragment.name) === i,
    ),
);

type Phrase = (a: Result) => string;

const when = (t: unknown) => new Date(Number(t) * 1000).toISOString();

/** How each custom error reads to a person. Errors without an entry are printed as Name(arg=value, …). */
const PHRASES: Record<string, Phrase> = {
  StageUnauthorized: (a) => `account ${a[0]} is not ${rolesOf(a[1]).join(" or ")} in the registry`,
  LotNotFound: (a) => `lot ${lotIdText(a[0])} does not exist at this stage`,
  LotNotInCustody: (a) =>
    `lot ${lotIdText(a[0])} is held by participant ${a[1]}, not by the caller (participant ${a[2]})`,
  LotInvalidStatus: (a) =>
    `lot ${lotIdText(a[0])} is ${LOT_STATUS[Number(a[1])]}, but this needs it ${LOT_STATUS[Number(a[2])]}`,
  StageSpeciesNotListed: (a) => `species ${speciesText(a[0])} is not on the registry's species list`,
  StageInvalidWeight: (a) => `weight ${a[0]} g is not allowed (must be more than 0 and fit in 40 bits)`,
  StageInvalidHumidity: (a) => `humidity ${a[0]} % is above 100 %`,
  StageInvalidPosition: (a) => `position (${Number(a[0]) / 1e5}, ${Number(a[1]) / 1e5}) is not on Earth`,
  StageTimeInFuture: (a) => `time ${when(a[0])} is after the current block time ${when(a[1])}`,
  HarvesterEmptyBatch: () => `a batch of catches (or of lots to transship) needs at least one`,
  HarvesterNoCarrier: () => `a transshipment needs the carrier vessel's registration or IMO number`,
  HarvesterTransshippedBeforeCatch: (a) =>
    `lot ${lotIdText(a[0])} cannot have been transshipped at ${when(a[1])}, before the day it was caught (${when(a[2])})`,
  HarvesterCatchSpeciesNotListed: (a) =>
    `catch at index ${a[0]} of the batch: species ${speciesText(a[1])} is not on the registry's species list`,
  HarvesterCatchInvalidWeight: (a) => `catch at index ${a[0]} of the batch weighs 0 g (must be more than 0)`,
  HarvesterCatchInvalidPosition: (a) =>
    `catch at index ${a[0]} of the batch: position (${Number(a[1]) / 1e5}, ${Number(a[2]) / 1e5}) is not on Earth`,
  HarvesterCatchTimeInFuture: (a) =>
    `catch at index ${a[0]} of the batch: time ${when(a[1])} is after the current block time ${when(a[2])}`,
  StageCallerNotPrevious: (a) => `only the previous stage contract hands lots over, not ${a[0]}`,
  StageNextNotSet: () => `this stage has no next stage to hand acknowledged lots to yet`,
  StageNextAlreadySet: (a) => `the next stage is set already, to ${a[0]}`,
  StageInvalidNext: (a) => `${a[0]} is not the following stage of this one (stage, previous stage or registry differ)`,
  LotAlreadyExists: (a) => `lot ${lotIdText(a[0])} exists at this stage already`,
  LotIsRecalled: (a) => `lot ${lotIdText(a[0])} was recalled by a regulator and cannot move`,
  StageCallerNotLedger: (a) => `only the quality ledger flags lots, not ${a[0]}`,
  StageLedgerAlreadySet: (a) => `the quality ledger is set already, to ${a[0]}`,
  StageInvalidLedger: (a) => `${a[0]} is not a quality ledger of this registry that names this contract as its stage`,
  StageInvalidFlags: (a) =>
    `flags 0x${Number(a[0]).toString(16)} include bits the quality ledger may not raise (only excursion, species mismatch, freshness warning)`,
  QualityUnauthorized: (a) => `account ${a[0]} is not the registry administrator`,
  QualityUnknownStage: (a) => `there is no stage ${a[0]} (1 = harvester … 6 = customer)`,
  QualityInvalidStage: (a) => `${a[1]} is not stage ${a[0]} of this registry`,
  QatDeviceUnauthorized: (a) =>
    `device ${a[0]} is not a QAT device in the registry (unknown, revoked, or its operator is no longer an actor)`,
  QatMalformedSignature: (a) => `the signature of reading ${a[0]} is malformed (wrong length or a high-s value)`,
  QatWrongSigner: (a) => `reading ${a[0]} names device ${a[1]} but was signed by ${a[2]}`,
  QatReadingAlreadyAccepted: (a) => `device ${a[0]} already submitted reading ${a[1]}`,
  QatScanInFuture: (a) => `scan time ${when(a[0])} is after the current block time ${when(a[1])}`,
  QatScanTooOld: (a) =>
    `scan time ${when(a[0])} is older than ${when(a[1])}, the oldest the ledger accepts (30 days before the block: a device clock reset, or an upload too late)`,
  QatInvalidConfidence: (a) => `a confidence of ${a[0]} % is above 100 %`,
  QatGradeOutOfScale: (a) => `grade ${a[0]} is above ${a[1]}, the top of the lot's grading scale`,
  QualityLotNotHere: (a) =>
    `lot ${lotIdText(a[0])} is not held at stage ${a[1]} (it is ${LOT_STATUS[Number(a[2])] ?? a[2]} there)`,
  QualityNotCustodian: (a) =>
    `the device's operator (participant ${a[2]}) neither holds lot ${lotIdText(a[0])} (participant ${a[1]} does) nor is a regulator`,
  QualityOperatorNotAtStage: (a) =>
    `the device's operator ${a[0]} holds neither stage ${a[1]}'s actor role nor REGULATOR, so its devices cannot act on lots there`,
  QualityNoOrderBook: (a) => `stage ${a[0]} (the customer) sells nothing: no lot of it is on its way to a buyer`,
  QualityOrderNotInTransit: (a) =>
    `order ${a[1]} at stage ${a[0]} is ${ORDER_STATE[Number(a[2])] ?? a[2]}: only a Shipped or Delivered order's lots can be scanned by the buyer`,
  QualityShipmentMismatch: (a) =>
    `the shipment number and lots given are not those order ${a[1]} at stage ${a[0]} was shipped with`,
  QualityLotNotInShipment: (a) => `lot ${lotIdText(a[2])} is not in the shipment of order ${a[1]} at stage ${a[0]}`,
  QualityNotBuyer: (a) =>
    `the device's operator (participant ${a[1]}) is not the buyer (participant ${a[2]}) of the order lot ${lotIdText(a[0])} is shipped under`,
  SensorGatewayUnauthorized: (a) => `account ${a[0]} is not a SENSOR_GATEWAY in the registry`,
  SensorRootInvalid: (a) => `root ${a[0]} is zero or was anchored already by this gateway`,
  SensorInvalidSummary: (a) =>
    `the sensor summary is inconsistent (from ${when(a[0])} to ${when(a[1])}, ${a[2]} readings, minimum ${Number(a[3]) / 100} °C, mean ${Number(a[4]) / 100} °C, maximum ${Number(a[5]) / 100} °C): it needs at least one reading, from ≤ to ≤ now and minimum ≤ mean ≤ maximum`,
  SensorNoLots: () => `a sensor batch must be anchored for at least one lot`,
  SensorRootNotFound: (a) => `no sensor batch was anchored under root ${a[0]} by the gateway asked about`,
  FreshnessInvalidRule: (a) =>
    `the freshness rule is unusable (minimum temperature ${Number(a[0]) / 100} °C, default temperature ${Number(a[1]) / 100} °C, top grade ${a[2]}): it needs a minimum below 0 °C, a default above the minimum and a top grade of at least 1`,
  ProcessEmpty: (a) => `a process needs at least one input and one output (got ${a[0]} inputs, ${a[1]} outputs)`,
  ProcessMixedSpecies: (a) =>
    `lot ${lotIdText(a[0])} is ${speciesText(a[2])}, but this process is of ${speciesText(a[1])} (the first input's species)`,
  ProcessDuplicateInput: (a) => `lot ${lotIdText(a[0])} is listed twice among the inputs`,
  ProcessOverdrawn: (a) => `${a[1]} g were asked of lot ${lotIdText(a[0])}, which has ${a[2]} g left`,
  ProcessMassBalance: (a) => `the outputs weigh ${a[1]} g, more than the ${a[0]} g consumed`,
  ProcessInvalidGtin: (a) => `GTIN ${a[0]} is not a GTIN-14 with a valid check digit`,
  ProcessInvalidOutput: (a) => `a product lot of GTIN ${a[0]} needs a lot number and a weight (got ${a[2]} g)`,
  ProcessGtinNotOwned: (a) =>
    `GTIN ${a[0]} carries a GS1 company prefix registered to manufacturer participant ${a[1]}, not to you`,
  ManufacturerInvalidPrefix: (a) => `${a[0]} is not a GS1 company prefix of ${a[1]} digits (6 to 12 digits)`,
  ManufacturerNotAProduct: (a) => `lot ${lotIdText(a[1])} was not made at the manufacturer from lot ${lotIdText(a[0])}`,
  ManufacturerLotNotRecalled: (a) =>
    `lot ${lotIdText(a[0])} is not recalled at the manufacturer, so there is no recall to carry on to its products`,
  ProvenanceTooLong: (a) =>
    `the provenance of lot ${lotIdText(a[0])} needs more than ${a[1]} hops: read it in pages (verifyProvenancePage)`,
  PackingUnauthorized: (a) =>
    `account ${a[0]} holds no actor role in the registry (harvester … customer), so it cannot pack or unpack lots`,
  PackingInvalidSscc: (a) =>
    `${a[0]} is not an SSCC: it needs 18 digits (leading zeros allowed, not all zero) ending in a valid GS1 check digit`,
  PackingSsccUsed: (a) =>
    `SSCC ${ssccText(a[0])} was used already (${UNIT_STATUS[Number(a[1])] ?? a[1]}): an SSCC names one logistic unit, never reused`,
  PackingSsccNotPacked: (a) =>
    `SSCC ${ssccText(a[0])} is not a packed logistic unit (${UNIT_STATUS[Number(a[1])] ?? a[1]}), so it cannot be unpacked or put onto a pallet`,
  PackingInvalidLotCount: (a) => `a logistic unit holds 1 to ${a[1]} lots, not ${a[0]}`,
  PackingInvalidUnitCount: (a) => `a pallet holds 1 to ${a[1]} logistic units, not ${a[0]}`,
  PackingUnitInItself: (a) => `SSCC ${ssccText(a[0])} is listed among its own units: a pallet cannot contain itself`,
  PackingUnitHoldsUnits: (a) =>
    `SSCC ${ssccText(a[0])} is a pallet (it holds logistic units): only units of lots (cases) go onto a pallet`,
  PackingUnitAlreadyPacked: (a) =>
    `SSCC ${ssccText(a[0])} is on pallet ${ssccText(a[1])} already (or listed twice): unpack that pallet first`,
  PackingUnitOnPallet: (a) =>
    `SSCC ${ssccText(a[0])} is on pallet ${ssccText(a[1])}: unpack the pallet before the units on it`,
  PackingUnitLotRecalled: (a) =>
    `lot ${lotIdText(a[1])} in SSCC ${ssccText(a[0])} was recalled by a regulator: the unit cannot go onto a pallet`,
  PackingLotNotFound: (a) => `lot ${lotIdText(a[0])} is not at stage ${a[1]}, the stage you act at`,
  PackingNotHolder: (a) =>
    `lot ${lotIdText(a[0])} is held by participant ${a[1]}, not by the caller (participant ${a[2]})`,
  PackingLotNotAvailable: (a) =>
    `lot ${lotIdText(a[0])} is ${LOT_STATUS[Number(a[1])] ?? a[1]} at your stage: only an available (Created) lot is packed or unpacked`,
  PackingLotRecalled: (a) => `lot ${lotIdText(a[0])} was recalled by a regulator and cannot be packed`,
  PackingLotAlreadyPacked: (a) =>
    `lot ${lotIdText(a[0])} is packed in SSCC ${ssccText(a[1])} already (or listed twice): unpack that unit first`,
  PackingStagePaused: (a) => `stage ${a[0]} is paused: packing and unpacking there wait until a PAUSER unpauses it`,
  PackingInvalidStage: (a) => `${a[1]} is not stage ${a[0]} of this registry`,
  ReplicaCallerNotRegistry: (a) => `only the registry may push authorizations, not ${a[0]}`,
  OrderNotFound: (a) => `order ${a[0]} does not exist`,
  OrderInvalidState: (a) =>
    `order ${a[0]} is ${ORDER_STATE[Number(a[1])]}, but this needs it ${ORDER_STATE[Number(a[2])]}`,
  OrderNotParty: (a) => `account ${a[1]} is not the party of order ${a[0]} that may do this`,
  OrderDeadlineNotReached: (a) => `order ${a[0]}: allowed only after ${when(a[1])} (now ${when(a[2])})`,
  OrderDeadlinePassed: (a) => `order ${a[0]}: the deadline ${when(a[1])} has passed (now ${when(a[2])})`,
  OrderInvalidPrice: (a) =>
    `price ${a[0]} (wei, or the settlement token's units) cannot be escrowed (must be more than 0 and fit in 96 bits)`,
  OrderPaymentKind: (a) =>
    BigInt(a[0]) === 0n
      ? `this deployment settles orders in Ether: place them with placeOrder and the price as the value`
      : `this deployment settles orders in the token ${a[0]}, not Ether (${a[1]} wei sent): place them with placeOrderWithPermit`,
  OrderTokenAmountMismatch: (a) =>
    `pulling ${a[1]} units of ${a[0]} into escrow added ${a[2]}: fee-on-transfer and other non-standard tokens are refused`,
  SafeERC20FailedOperation: (a) => `the token ${a[0]} refused or failed the transfer`,
  OrderInvalidShipBy: (a) => `ship-by time ${when(a[0])} is not in the future (now ${when(a[1])})`,
  OrderInvalidAckWindow: (a) => `acknowledgement window ${a[0]} s is outside ${a[1]}..${a[2]} s`,
  OrderEmptyShipment: (a) => `order ${a[0]}: a shipment needs at least one lot`,
  OrderShipmentMismatch: (a) => `order ${a[0]}: the shipment number and lots do not match what was shipped`,
  OrderSpeciesMismatch: (a) =>
    `order ${a[0]} is for ${speciesText(a[2])}, but lot ${lotIdText(a[1])} is ${speciesText(a[3])}`,
  OrderUnderweight: (a) => `order ${a[0]}: the shipment weighs ${a[1]} g, less than the ${a[2]} g ordered`,
  RegistryUnknownRole: (a) => `role ${a[0]} is not a FishTrace role`,
  RegistryZeroAccount: () => `the zero address cannot take part`,
  RegistryInvalidSpeciesCode: (a) => `species code ${a[0]} is not three letters A-Z`,
  RegistrySpeciesAlreadyListed: (a) => `species ${speciesText(a[0])} is listed already`,
  RegistrySpeciesNotListed: (a) => `species ${speciesText(a[0])} is not listed`,
  RegistryNotDeviceRole: (a) => `role ${a[0]} cannot be given to a device`,
  RegistryOperatorNotActor: (a) => `${a[0]} holds neither an actor role nor REGULATOR, so it cannot operate a device`,
  RegistryDeviceConflict: (a) => `${a[0]} cannot be (re)bound as a device (current operator ${a[1]})`,
  RegistryInvalidToken: (a) => `${a[0]} holds no code, so it cannot be the settlement token`,
  RegistryNotReplica: (a) => `${a[0]} is not a stage contract of this registry`,
  RegistryNotParticipant: (a) =>
    `${a[0]} holds no actor, regulator or admin role in the registry, so it cannot anchor documents`,
  RegistryDocumentAlreadyAnchored: (a) => `${a[1]} anchored document ${a[0]} already, at ${when(a[2])}`,
  RegistryStageAlreadyAttached: (a) => `stage ${a[0]} is attached already`,
  RegistryTooManyStages: (a) => `no more than ${a[0]} stages can be attached`,
  RegistryNotAttached: (a) => `${a[0]} is not a stage contract or quality ledger attached to the registry`,
  StagePaused: (a) =>
    `stage ${a[0]} is paused: only settlement, recalls and hand-overs work until a pauser unpauses it`,
  QualityLedgerPaused: (a) =>
    `the quality ledger is paused: the scan or sensor batch for stage ${a[0]} waits for an unpause`,
  QatScanBeforeLot: (a) =>
    `the scan of lot ${lotIdText(a[0])} at ${when(a[1])} predates the lot, which came into being on the day of ${when(a[2])}`,
  PauseUnchanged: (a) => (a[0] ? "the contract is paused already" : "the contract is not paused"),
  AccessControlUnauthorizedAccount: (a) => `account ${a[0]} lacks role ${a[1]}`,
  AccessControlBadConfirmation: () => `an account can renounce only its own roles`,
  AccessControlEnforcedDefaultAdminRules: () =>
    `the admin role moves only by a two-step transfer (beginDefaultAdminTransfer, then acceptDefaultAdminTransfer)`,
  AccessControlEnforcedDefaultAdminDelay: (a) =>
    Number(a[0]) === 0 ? `no admin transfer is scheduled` : `the admin transfer can complete only after ${when(a[0])}`,
  SafeCastOverflowedUintDowncast: (a) => `${a[1]} does not fit in ${a[0]} bits`,
  AccessControlInvalidDefaultAdmin: (a) => `${a[0]} is not the pending admin of a begun transfer`,
  ReentrancyGuardReentrantCall: () => `reentrant call refused`,
  InvalidShortString: () => `a short string of the EIP-712 domain is malformed`,
  StringTooLong: (a) => `"${a[0]}" is too long for a short string (EIP-712 domain name or version)`,
  FailedCall: () => `the Ether transfer failed`,
  InsufficientBalance: (a) => `the contract holds ${a[0]} wei, less than the ${a[1]} wei to send`,
};

/** A decoded custom error, or undefined when `data` is not one of FishTrace's. */
export function decodeCustomError(data: string): ErrorDescription | undefined {
  try {
    return fishTraceErrors.parseError(data) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The revert data carried by an ethers / Hardhat error, searched through nested causes. */
function revertData(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (typeof e === "object" && e !== null && !seen.has(e)) {
    seen.add(e);
    const data = propertyOf(e, "data");
    if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) return data;
    const infoData = propertyOf(propertyOf(propertyOf(e, "info"), "error"), "data");
    if (typeof infoData === "string" && infoData.startsWith("0x") && infoData.length >= 10) return infoData;
    e = propertyOf(e, "error") ?? propertyOf(e, "cause");
  }
  return undefined;
}

/** The FishTrace custom error an ethers / Hardhat error carries, if any (the relay sorts reverts by name). */
export function customErrorOf(err: unknown): ErrorDescription | undefined {
  const data = revertData(err);
  return data === undefined ? undefined : decodeCustomError(data);
}

/** One line naming what went wrong, for a task, the relay or the dApp to print. */
export function describeError(err: unknown): string {
  if (err instanceof InputError) return err.message;
  const data = revertData(err);
  if (data !== undefined) {
    const decoded = decodeCustomError(data);
    if (decoded !== undefined) {
      const phrase = PHRASES[decoded.name];
      const values = decoded.fragment.inputs.map((input, i) => `${input.name}=${String(decoded.args[i])}`).join(", ");
      return phrase !== undefined ? `${decoded.name}: ${phrase(decoded.args)}` : `${decoded.name}(${values})`;
    }
  }
  for (const key of ["reason", "shortMessage", "message"]) {
    const text = propertyOf(err, key);
    if (typeof text === "string" && text !== "") return firstLine(text);
  }
  return firstLine(String(err));
}
