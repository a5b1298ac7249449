// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IOrderBook} from "./IOrderBook.sol";
import {IStage} from "./IStage.sol";

/// @title IQualityLedger
/// @notice The IoT layer on chain: QAT scans signed by the hand-held device itself (EIP-712), checked for species
/// and freshness against the lot's history, and bulk cold-chain sensor readings anchored as Merkle roots with a
/// summary, any single reading of which anyone can prove against its root.
/// @dev One ledger serves the six stage contracts of a deployment. A lot id names the same lot at every stage, so the
/// ledger keeps one quality history per lot however often it changes hands; lot flags (species mismatch, freshness
/// warning, excursion) are set at the stage that currently holds the lot.
interface IQualityLedger {
    /// @notice One QAT scan, exactly as the device signs it (EIP-712 type `QatReading`).
    struct QatReading {
        uint64 readingId; // the device's own sequence number: (device, readingId) is accepted once
        uint256 lotId;
        bytes3 species; // FAO ASFIS 3-alpha code the device identified
        uint8 speciesConfidence; // percent
        uint8 grade; // freshness grade on the scale of the lot's freshness rule (Torry: 10 = just caught)
        uint8 gradeConfidence; // percent
        uint40 scannedAt; // unix seconds, not after the block that records it
        address device; // the QAT device that signed
    }

    /// @notice A reading with the device's 65-byte ECDSA signature over its EIP-712 digest.
    struct SignedReading {
        QatReading reading;
        bytes signature;
    }

    /// @notice The freshness rule of one species (or the default rule, species 0x000000). See docs/freshness.md.
    /// @dev Allowed drop in hundredths of a grade = decayPerDay · t0 / 86,400 + margin + uncertainty · (100 − c) / 100,
    /// where t0 is seconds at 0 °C equivalent (square-root model, RRS(T) = ((T − Tmin) / −Tmin)²) and c the lower
    /// of the two scans' grade confidences. 1 slot.
    struct FreshnessRule {
        uint16 decayPerDay; // hundredths of a grade lost per day at 0 °C (k)
        int16 minimumTemperature; // Tmin of the square-root model, hundredths of °C, below zero (−1000: −10 °C)
        int16 defaultTemperature; // hundredths of °C assumed for time no anchored sensor batch covers
        uint16 margin; // hundredths of a grade tolerated at 100 % confidence (ε at full confidence)
        uint16 uncertainty; // hundredths of a grade added as confidence falls to 0 %
        uint8 maxGrade; // top of the device's grade scale; 0 = no rule
    }

    /// @notice The numbers the freshness rule looks at between two scans.
    struct FreshnessInput {
        uint8 previousGrade;
        uint8 previousConfidence; // percent
        uint8 grade;
        uint8 confidence; // percent
        uint40 elapsed; // seconds between the two scans
        uint32 coveredSeconds; // seconds covered by sensor batches anchored in between
        uint48 equivalentSeconds; // those seconds converted to seconds at 0 °C
    }

    /// @notice What the freshness rule concluded.
    struct FreshnessVerdict {
        bool warning; // the grade dropped more than allowed
        uint256 equivalentSeconds; // t0: the whole interval in seconds at 0 °C
        uint256 allowedDrop; // hundredths of a grade
        uint256 drop; // hundredths of a grade (0 when the grade did not drop)
    }

    /// @notice One scan of a sequence `evaluateFreshnessSequence` judges: its grade, confidence and time, and the
    /// sensor exposure anchored since the scan before it.
    struct FreshnessScan {
        uint8 grade;
        uint8 confidence; // percent
        uint40 scannedAt;
        uint32 coveredSeconds;
        uint48 equivalentSeconds;
    }

    /// @notice A lot's quality record: the latest inspection and the sensor exposure anchored since it. 1 slot.
    struct LotQuality {
        uint40 scannedAt;
        bytes3 species;
        uint8 speciesConfidence;
        uint8 grade;
        uint8 gradeConfidence;
        uint32 deviceId;
        uint32 coveredSeconds; // seconds of sensor batches anchored since the latest scan
        uint48 equivalentSeconds; // the same, in seconds at 0 °C
        uint16 scans; // scans recorded as the latest so far (saturates)
    }

    /// @notice A summary of a batch of sensor readings, computed by the gateway that anchors their Merkle root.
    struct SensorSummary {
        uint40 from; // first reading's time
        uint40 to; // last reading's time
        uint32 count;
        int16 minimum; // hundredths of °C
        int16 maximum;
        int16 mean;
    }

    /// @notice An anchored batch. 1 slot.
    struct Anchor {
        uint40 anchoredAt;
        uint32 gatewayId;
        uint40 from;
        uint40 to;
        uint32 count;
        int16 minimum;
        int16 maximum;
        int16 mean;
    }

    /// @notice One sensor reading: a leaf of an anchored tree (`@openzeppelin/merkle-tree` standard tree of
    /// `(address sensor, uint40 readAt, int16 temperature, uint8 humidity)`).
    struct SensorReading {
        address sensor;
        uint40 readAt;
        int16 temperature; // hundredths of °C
        uint8 humidity; // percent
    }

    /// @notice Device `deviceId` scanned `lotId` (reading `readingId`); species and grade as the device reported.
    /// @param lotId the lot
    /// @param deviceId participant id of the QAT device
    /// @param readingId the device's number for the reading
    /// @param species the species the scan reported
    /// @param speciesConfidence the device's confidence in the species, percent
    /// @param grade the freshness grade on the device's scale
    /// @param gradeConfidence the device's confidence in the grade, percent
    /// @param scannedAt when the device scanned (unix seconds)
    event QatScanned(
        uint256 indexed lotId,
        uint32 indexed deviceId,
        uint64 readingId,
        bytes3 species,
        uint8 speciesConfidence,
        uint8 grade,
        uint8 gradeConfidence,
        uint40 scannedAt
    );
    /// @notice A scan of `lotId` found `scanned`, but the lot was registered as `registered` and last scanned as
    /// `previous` (0x000000 when never); the lot is flagged SPECIES_MISMATCH.
    /// @param lotId the lot
    /// @param deviceId participant id of the QAT device
    /// @param registered the species the lot was registered with
    /// @param previous the species of the previous scan (zero for the first)
    /// @param scanned the species the scan reported
    /// @param confidence the device's confidence in the species, percent
    event SpeciesMismatch(
        uint256 indexed lotId,
        uint32 indexed deviceId,
        bytes3 registered,
        bytes3 previous,
        bytes3 scanned,
        uint8 confidence
    );
    /// @notice `lotId` dropped from `previousGrade` to `grade` in `elapsed` seconds (`equivalentSeconds` at 0 °C):
    /// `drop` hundredths of a grade where `allowedDrop` were allowed; the lot is flagged FRESHNESS_WARNING. The
    /// earlier grade is the previous scan's, or that of the lot's reference scan when the drop since the reference
    /// is the one too large (see `Freshness.step`).
    /// @param lotId the lot
    /// @param deviceId participant id of the QAT device
    /// @param previousGrade the earlier grade compared with
    /// @param grade the new grade
    /// @param elapsed seconds between the two scans
    /// @param equivalentSeconds the exposure between the two scans, in seconds at 0 °C
    /// @param allowedDrop the grade drop the rule allows over that exposure
    /// @param drop the grade drop measured
    event FreshnessWarning(
        uint256 indexed lotId,
        uint32 indexed deviceId,
        uint8 previousGrade,
        uint8 grade,
        uint40 elapsed,
        uint256 equivalentSeconds,
        uint256 allowedDrop,
        uint256 drop
    );
    /// @notice The freshness rule of `species` (0x000000: the default rule) was set to `rule`.
    /// @param species the species (zero: the default rule)
    /// @param rule the freshness rule
    event FreshnessRuleSet(bytes3 indexed species, FreshnessRule rule);
    /// @notice Gateway `gatewayId` anchored the readings under `root` for `lotIds` held at stage `stage`.
    /// @param root the Merkle root of the batch's readings
    /// @param gatewayId participant id of the sensor gateway
    /// @param stage the stage where the lots are
    /// @param lotIds the lots the batch covers
    /// @param summary the batch's time span, count and temperature minimum, mean and maximum
    event SensorBatchAnchored(
        bytes32 indexed root,
        uint32 indexed gatewayId,
        uint8 stage,
        uint256[] lotIds,
        SensorSummary summary
    );
    /// @notice The batch under `root` went outside `lotId`'s cold-chain band [`bandMinimum`, `bandMaximum`]; the lot
    /// is flagged EXCURSION.
    /// @param root the batch's root
    /// @param lotId the lot
    /// @param minimum the batch's lowest temperature, hundredths of a degree
    /// @param maximum the batch's highest temperature, hundredths of a degree
    /// @param bandMinimum the lower end of the lot's cold-chain band, hundredths of a degree
    /// @param bandMaximum the upper end of the lot's cold-chain band, hundredths of a degree
    event SensorExcursion(
        bytes32 indexed root,
        uint256 indexed lotId,
        int16 minimum,
        int16 maximum,
        int16 bandMinimum,
        int16 bandMaximum
    );

    /// @notice `account` is not the registry administrator.
    error QualityUnauthorized(address account);
    /// @notice The quality ledger is paused: the scan or sensor batch for stage `stage` waits for a PAUSER to
    /// unpause it.
    error QualityLedgerPaused(uint8 stage);
    /// @notice `stage` is not a stage number of this chain (1 = Harvester … 6 = Customer).
    error QualityUnknownStage(uint8 stage);
    /// @notice The stage contract given for stage `stage` at deployment, `stageContract`, is not that stage of this
    /// registry.
    error QualityInvalidStage(uint8 stage, address stageContract);
    /// @notice `device` does not hold QAT_DEVICE (unknown, revoked, or its operator is no longer an actor).
    error QatDeviceUnauthorized(address device);
    /// @notice The signature of reading `readingId` is malformed (wrong length or a high-s value).
    error QatMalformedSignature(uint64 readingId);
    /// @notice Reading `readingId` names `device` but was signed by `signer`.
    error QatWrongSigner(uint64 readingId, address device, address signer);
    /// @notice `device` already submitted reading `readingId`.
    error QatReadingAlreadyAccepted(address device, uint64 readingId);
    /// @notice A scan time `scannedAt` lies after the current block time `nowTime`.
    error QatScanInFuture(uint40 scannedAt, uint40 nowTime);
    /// @notice A confidence of `confidence` percent is above 100.
    error QatInvalidConfidence(uint8 confidence);
    /// @notice Grade `grade` is above `maxGrade`, the top of the lot's grading scale.
    error QatGradeOutOfScale(uint8 grade, uint8 maxGrade);
    /// @notice `lotId` is not held at stage `stage` (`status` there), so it cannot be scanned or anchored there.
    error QualityLotNotHere(uint256 lotId, uint8 stage, IStage.LotStatus status);
    /// @notice The device or gateway's operator `operatorId` neither holds `lotId` (its custodian is
    /// `custodianId`) nor is a regulator.
    error QualityNotCustodian(uint256 lotId, uint32 custodianId, uint32 operatorId);
    /// @notice `operator`, which operates the device or gateway, holds neither stage `stage`'s actor role nor
    /// REGULATOR, so its devices cannot act on lots at that stage.
    error QualityOperatorNotAtStage(address operator, uint8 stage);
    /// @notice A scan time `scannedAt` is older than `oldest`: more than `MAX_UPLOAD_DELAY` before the block (a device
    /// with a reset clock, or an upload too late to judge freshness by).
    error QatScanTooOld(uint40 scannedAt, uint40 oldest);
    /// @notice A scan of lot `lotId` at `scannedAt` predates the lot: it came into being on the UTC day starting at
    /// `createdAt` (its catch, or its processing into a product).
    error QatScanBeforeLot(uint256 lotId, uint40 scannedAt, uint40 createdAt);
    /// @notice Stage `stage` (the Customer) sells nothing, so no lot of it is on its way to a buyer.
    error QualityNoOrderBook(uint8 stage);
    /// @notice Order `orderId` at stage `stage` is `state`: only a Shipped or Delivered order's lots are on their way
    /// to the buyer.
    error QualityOrderNotInTransit(uint8 stage, uint256 orderId, IOrderBook.OrderState state);
    /// @notice The shipment number and lots given are not those order `orderId` at stage `stage` was shipped with.
    error QualityShipmentMismatch(uint8 stage, uint256 orderId);
    /// @notice Lot `lotId` is not in the shipment of order `orderId` at stage `stage`.
    error QualityLotNotInShipment(uint8 stage, uint256 orderId, uint256 lotId);
    /// @notice The device's operator `operatorId` is not `buyerId`, the buyer of the order the lot `lotId` is
    /// shipped under.
    error QualityNotBuyer(uint256 lotId, uint32 operatorId, uint32 buyerId);
    /// @notice `gateway` does not hold SENSOR_GATEWAY.
    error SensorGatewayUnauthorized(address gateway);
    /// @notice `root` is zero, or was anchored already by this gateway.
    error SensorRootInvalid(bytes32 root);
    /// @notice The summary is inconsistent: it needs count ≥ 1, from ≤ to ≤ now and minimum ≤ mean ≤ maximum.
    error SensorInvalidSummary(uint40 from, uint40 to, uint32 count, int16 minimum, int16 mean, int16 maximum);
    /// @notice An anchor needs at least one lot.
    error SensorNoLots();
    /// @notice No batch was anchored under `root` (by the gateway asked about).
    error SensorRootNotFound(bytes32 root);
    /// @notice The rule is unusable: it needs minimumTemperature < 0, minimumTemperature < defaultTemperature and a
    /// maxGrade of at least 1.
    error FreshnessInvalidRule(int16 minimumTemperature, int16 defaultTemperature, uint8 maxGrade);

    /// @notice Records one device-signed QAT scan of `reading.lotId`, held at stage `stage`. Anyone may submit it.
    /// @dev The device must hold QAT_DEVICE and be operated by the lot's custodian or by a regulator; the lot must be
    /// `Created` or `Shipped` at `stage`. A scan at least as recent as the latest becomes the latest inspection and
    /// is checked for species and freshness; an older one (a late upload) is recorded as an event and checked for
    /// species only. Emits `QatScanned`, and `SpeciesMismatch` / `FreshnessWarning` (with `IStage.LotFlagged` at the
    /// stage) when a check fails. Reverts with `QualityLedgerPaused`, `QualityUnknownStage`, `QatDeviceUnauthorized`,
    /// `QatMalformedSignature`, `QatWrongSigner`, `QatReadingAlreadyAccepted`, `QatScanInFuture`,
    /// `QatScanTooOld`, `QatScanBeforeLot`, `QatInvalidConfidence`, `QatGradeOutOfScale`, `QualityLotNotHere`,
    /// `QualityOperatorNotAtStage`, `QualityNotCustodian`.
    /// @param stage where the lot is now: 1 = Harvester … 6 = Customer
    /// @param reading the QAT reading, as the device signed it
    /// @param signature the device's 65-byte signature over the reading's EIP-712 digest
    function submitScan(uint8 stage, QatReading calldata reading, bytes calldata signature) external;

    /// @notice Records many signed scans of lots held at `stage` in one transaction; readings already accepted are
    /// skipped, so a batch can be retried safely.
    /// @dev As `submitScan` for each reading; any other invalid reading reverts the whole batch.
    /// @return accepted the number of readings recorded (the rest were already on chain)
    /// @param stage where the lots are now: 1 = Harvester … 6 = Customer
    /// @param readings the signed readings
    function submitScans(uint8 stage, SignedReading[] calldata readings) external returns (uint256 accepted);

    /// @notice Records a receiving scan: a QAT device of the buyer of order `orderId` at `stage`'s order book scans
    /// a lot of the shipment on its way (the order Shipped or Delivered), before the buyer acknowledges or rejects
    /// it, so the species and freshness checks can inform that decision.
    /// @dev As `submitScan`, with the buyer's device in place of the custodian's: the lot is still the seller's, at
    /// `stage`, and any flag raised is raised there (and travels with the lot if acknowledged). Also reverts with
    /// `QualityNoOrderBook`, `QualityOrderNotInTransit`, `QualityShipmentMismatch`, `QualityLotNotInShipment` and
    /// `QualityNotBuyer` (a revoked buyer's devices hold no role: `QatDeviceUnauthorized`).
    /// @param stage the seller's stage, where the lot is: 1 = Harvester … 5 = Retailer
    /// @param orderId the order the lot is shipped under
    /// @param shipmentNo the shipment number the seller gave
    /// @param lotIds the shipment's lots, exactly as shipped
    /// @param reading the QAT reading, as the buyer's device signed it
    /// @param signature the device's 65-byte signature over the reading's EIP-712 digest
    function submitReceivingScan(
        uint8 stage,
        uint256 orderId,
        uint64 shipmentNo,
        uint256[] calldata lotIds,
        QatReading calldata reading,
        bytes calldata signature
    ) external;

    /// @notice Anchors the Merkle `root` of a batch of sensor readings taken around `lotIds` (one lot, or the lots
    /// that travel together in a shipment), all held at `stage`, with the gateway's `summary` of the batch.
    /// @dev Callable by a SENSOR_GATEWAY operated by the custodian of every lot (holding that stage's role). A root
    /// is bound to the gateway that anchors it: another gateway anchoring the same root makes an anchor of its own
    /// and cannot block or take over this one (audit F4). A summary outside a lot's cold-chain
    /// band (fresh 0–4 °C, frozen at most −18 °C) flags it EXCURSION. The batch's window counts towards the
    /// freshness rule at each lot's next scan, at the summary's mean temperature. Emits `SensorBatchAnchored` and
    /// `SensorExcursion` per lot outside its band. Reverts with `QualityLedgerPaused`, `SensorGatewayUnauthorized`,
    /// `SensorRootInvalid`,
    /// `SensorInvalidSummary`, `SensorNoLots`, `QualityUnknownStage`, `QualityLotNotHere`,
    /// `QualityOperatorNotAtStage`, `QualityNotCustodian`. Without a freshness rule for a lot's species (nor a
    /// default), the batch counts for nothing towards freshness.
    /// @param stage the stage where the lots are
    /// @param lotIds the lots the batch covers
    /// @param root the Merkle root of the batch's readings (standard tree)
    /// @param summary the batch's time span, count and temperature minimum, mean and maximum
    function anchorReadings(
        uint8 stage,
        uint256[] calldata lotIds,
        bytes32 root,
        SensorSummary calldata summary
    ) external;

    /// @notice Sets the freshness rule of `species` (0x000000: the default for species without one).
    /// @dev Only the registry administrator. Emits `FreshnessRuleSet`. Reverts with `QualityUnauthorized`,
    /// `FreshnessInvalidRule`.
    /// @param species the species (zero: the default rule)
    /// @param rule the rule
    function setFreshnessRule(bytes3 species, FreshnessRule calldata rule) external;

    /// @notice Whether `reading` is a leaf of the batch `gateway` anchored under `root`, by `proof`.
    /// @dev Reverts with `SensorRootNotFound` when `gateway` anchored nothing under `root`.
    /// @param gateway the gateway that anchored the root
    /// @param root the root it was anchored under
    /// @param reading the sensor reading
    /// @param proof the Merkle proof of the reading under the root
    function verifyReading(
        address gateway,
        bytes32 root,
        SensorReading calldata reading,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The batch `gateway` anchored under `root` (zeroed when none).
    /// @param gateway the gateway
    /// @param root the root
    function anchorOf(address gateway, bytes32 root) external view returns (Anchor memory);

    /// @notice The latest inspection of `lotId` (zeroed until the lot is scanned), as `IStage.queryQAT` returns it.
    /// @param lotId the lot
    function inspectionOf(uint256 lotId) external view returns (IStage.Inspection memory);

    /// @notice The whole quality record of `lotId`.
    /// @param lotId the lot
    function qualityOf(uint256 lotId) external view returns (LotQuality memory);

    /// @notice Whether `device` has submitted reading `readingId`.
    /// @param device the QAT device
    /// @param readingId the device's number for the reading
    function isAccepted(address device, uint64 readingId) external view returns (bool);

    /// @notice The rule that applies to `species`: its own, or else the default.
    /// @param species the species
    function freshnessRuleOf(bytes3 species) external view returns (FreshnessRule memory);

    /// @notice The freshness rule's verdict on `input` under `rule`; the exact arithmetic every scan uses, for tools
    /// that want the chain's answer.
    /// @param rule the freshness rule
    /// @param input the two scans and the exposure between them
    function evaluateFreshness(
        FreshnessRule calldata rule,
        FreshnessInput calldata input
    ) external pure returns (FreshnessVerdict memory);

    /// @notice Whether each scan of `scans` (in time order; the sensor exposure of each counted since the one
    /// before) would raise a freshness warning: the judgement every scan of a lot gets, against the previous scan and
    /// the lot's reference scan, so that no sequence of scans avoids a warning a single pair over the same interval
    /// would give. The first scan is never warned about.
    /// @dev Reverts with an arithmetic panic when the scans are not in time order.
    /// @param rule the freshness rule
    /// @param scans the scans in time order
    /// @return warnings for each scan, whether it raised a freshness warning (the first never does)
    function evaluateFreshnessSequence(
        FreshnessRule calldata rule,
        FreshnessScan[] calldata scans
    ) external pure returns (bool[] memory warnings);

    /// @notice The EIP-712 digest a device signs for `reading`.
    /// @param reading the QAT reading
    function readingDigest(QatReading calldata reading) external view returns (bytes32);

    /// @notice The stage contract of stage number `stage` (1 = Harvester … 6 = Customer).
    /// @param stage 1 = Harvester … 6 = Customer
    function stageAt(uint8 stage) external view returns (address);
}
