// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {RegistryReplica} from "./base/RegistryReplica.sol";
import {IOrderBook} from "./interfaces/IOrderBook.sol";
import {IQualityLedger} from "./interfaces/IQualityLedger.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {IRegistryReplica} from "./interfaces/IRegistryReplica.sol";
import {IStage} from "./interfaces/IStage.sol";
import {ColdChain} from "./libraries/ColdChain.sol";
import {Freshness} from "./libraries/Freshness.sol";
import {LotWord} from "./libraries/LotCodec.sol";
import {LotFlags} from "./libraries/LotFlags.sol";
import {Probe} from "./libraries/Probe.sol";
import {QualityWord, QualityWordLibrary} from "./libraries/QualityWord.sol";
import {Roles} from "./libraries/Roles.sol";
import {Shipments} from "./libraries/Shipments.sol";

/// @title QualityLedger
/// @notice The IoT layer of FishTrace on chain: device-signed QAT scans with species and freshness checks, and
/// Merkle-anchored batches of cold-chain sensor readings. See `IQualityLedger`.
/// @dev The six stage contracts are fixed at construction (immutables, so locating a lot costs no storage read);
/// each stage accepts lot flags from this ledger only. A device's readings are deduplicated in a bitmap per device
/// (Permit2-style unordered nonces): a device numbering its readings in sequence pays for a fresh storage word once
/// per 256 readings.
contract QualityLedger is IQualityLedger, RegistryReplica, EIP712 {
    bytes32 private constant _READING_TYPEHASH = keccak256(
        "QatReading(uint64 readingId,uint256 lotId,bytes3 species,uint8 speciesConfidence,uint8 grade,"
        "uint8 gradeConfidence,uint40 scannedAt,address device)"
    );

    address private immutable _HARVESTER;
    address private immutable _SUPPLIER;
    address private immutable _MANUFACTURER;
    address private immutable _DISTRIBUTOR;
    address private immutable _RETAILER;
    address private immutable _CUSTOMER;

    /// @dev Each lot's `LotQuality`, packed in one word by `QualityWordLibrary`.
    mapping(uint256 lotId => QualityWord word) private _quality;
    mapping(address device => mapping(uint256 wordIndex => uint256 bits)) private _accepted;
    mapping(bytes3 species => FreshnessRule) private _rules;
    /// @dev Each root is bound to the gateway that anchored it (audit F4).
    mapping(address gateway => mapping(bytes32 root => Anchor)) private _anchors;
    /// @dev Each lot's `Freshness.Reference`, packed by `Freshness.encode`.
    mapping(uint256 lotId => uint256 word) private _references;
    /// @dev Set by a PAUSER: scans and sensor batches wait. No slot a scan reads is shared by every lot and device,
    /// so this one costs a scan or a batch one cold read (2,100 gas); a batch checks it once.
    bool private _paused;

    /// @notice The oldest a scan may be when submitted: older scans (a device whose clock was reset, an upload too
    /// late) would stretch the interval the freshness rule allows a drop over.
    uint40 public constant MAX_UPLOAD_DELAY = 30 days;

    /// @notice Deploys the ledger for the six stage contracts of `registry_`.
    /// @param registry_ the FishTrace registry (this ledger must then be attached to it as a replica)
    /// @param stages_ the six stage contracts, Harvester first
    constructor(IRegistry registry_, address[6] memory stages_) RegistryReplica(registry_) EIP712("FishTrace", "1") {
        for (uint256 i; i < 6; ++i) {
            address s = stages_[i];
            if (
                Probe.word(s, IStage.stage.selector) != i + 1 ||
                Probe.word(s, IRegistryReplica.registry.selector) != uint256(uint160(address(registry_)))
            ) revert QualityInvalidStage(uint8(i + 1), s);
        }
        _HARVESTER = stages_[0];
        _SUPPLIER = stages_[1];
        _MANUFACTURER = stages_[2];
        _DISTRIBUTOR = stages_[3];
        _RETAILER = stages_[4];
        _CUSTOMER = stages_[5];
    }

    // ------------------------------------------------------------------ QAT scans

    /// @inheritdoc IQualityLedger
    function submitScan(uint8 stage, QatReading calldata reading, bytes calldata signature) external {
        _requireNotPaused(stage);
        _scan(_stageAt(stage), stage, reading, signature, false, 0);
    }

    /// @inheritdoc IQualityLedger
    function submitScans(uint8 stage, SignedReading[] calldata readings) external returns (uint256 accepted) {
        _requireNotPaused(stage);
        address stageContract = _stageAt(stage);
        for (uint256 i; i < readings.length; ++i) {
            if (_scan(stageContract, stage, readings[i].reading, readings[i].signature, true, 0)) ++accepted;
        }
    }

    /// @inheritdoc IQualityLedger
    function submitReceivingScan(
        uint8 stage,
        uint256 orderId,
        uint64 shipmentNo,
        uint256[] calldata lotIds,
        QatReading calldata reading,
        bytes calldata signature
    ) external {
        _requireNotPaused(stage);
        address stageContract = _stageAt(stage);
        if (stage == 6) revert QualityNoOrderBook(stage);
        IOrderBook.Order memory o = IOrderBook(stageContract).getOrder(orderId);
        if (o.state != IOrderBook.OrderState.Shipped && o.state != IOrderBook.OrderState.Delivered) {
            revert QualityOrderNotInTransit(stage, orderId, o.state);
        }
        if (o.cargo != Shipments.commitment(shipmentNo, lotIds)) revert QualityShipmentMismatch(stage, orderId);
        uint256 i;
        while (i < lotIds.length && lotIds[i] != reading.lotId) ++i;
        if (i == lotIds.length) revert QualityLotNotInShipment(stage, orderId, reading.lotId);
        _scan(stageContract, stage, reading, signature, false, o.buyerId);
    }

    // ------------------------------------------------------------------ sensor batches

    /// @inheritdoc IQualityLedger
    function anchorReadings(
        uint8 stage,
        uint256[] calldata lotIds,
        bytes32 root,
        SensorSummary calldata summary
    ) external {
        _requireNotPaused(stage);
        (IRegistry.Authorization memory auth, uint16 operatorRoles) = _deviceAuthorization(msg.sender);
        if (auth.roles & Roles.SENSOR_GATEWAY_BIT == 0) revert SensorGatewayUnauthorized(msg.sender);
        if (root == bytes32(0) || _anchors[msg.sender][root].anchoredAt != 0) revert SensorRootInvalid(root);
        if (
            summary.count == 0 ||
            summary.from > summary.to ||
            summary.to > block.timestamp ||
            summary.minimum > summary.mean ||
            summary.mean > summary.maximum
        ) {
            revert SensorInvalidSummary(
                summary.from,
                summary.to,
                summary.count,
                summary.minimum,
                summary.mean,
                summary.maximum
            );
        }
        if (lotIds.length == 0) revert SensorNoLots();
        address stageContract = _stageAt(stage);

        _anchors[msg.sender][root] = Anchor({
            anchoredAt: uint40(block.timestamp),
            gatewayId: auth.id,
            from: summary.from,
            to: summary.to,
            count: summary.count,
            minimum: summary.minimum,
            maximum: summary.maximum,
            mean: summary.mean
        });
        uint256 window = summary.to - summary.from;
        uint256[] memory excursions = new uint256[](lotIds.length);
        for (uint256 i; i < lotIds.length; ++i) {
            uint256 lotId = lotIds[i];
            LotWord word = _locate(stageContract, stage, lotId, auth, operatorRoles);
            FreshnessRule memory rule = _ruleOf(word.species());
            // Without a rule there is no model to convert the window by: it counts for nothing.
            if (rule.maxGrade != 0) {
                QualityWord q = _quality[lotId];
                uint256 covered = Math.min(q.coveredSeconds() + window, type(uint32).max);
                uint256 equivalent = Math.min(
                    q.equivalentSeconds() + Freshness.equivalentSeconds(window, summary.mean, rule.minimumTemperature),
                    type(uint48).max
                );
                _quality[lotId] = q.withExposure(covered, equivalent);
            }
            uint8 flags = word.flags();
            (int16 bandMinimum, int16 bandMaximum) = ColdChain.band(flags);
            if (summary.minimum < bandMinimum || summary.maximum > bandMaximum) {
                emit SensorExcursion(root, lotId, summary.minimum, summary.maximum, bandMinimum, bandMaximum);
                if (flags & LotFlags.EXCURSION == 0) excursions[i] = lotId;
            }
        }
        emit SensorBatchAnchored(root, auth.id, stage, lotIds, summary);

        for (uint256 i; i < excursions.length; ++i) {
            if (excursions[i] != 0) IStage(stageContract).flagLot(excursions[i], LotFlags.EXCURSION);
        }
    }

    /// @inheritdoc IQualityLedger
    function verifyReading(
        address gateway,
        bytes32 root,
        SensorReading calldata reading,
        bytes32[] calldata proof
    ) external view returns (bool) {
        if (_anchors[gateway][root].anchoredAt == 0) revert SensorRootNotFound(root);
        // The standard tree's leaf: a hash of the hash of the values, so no inner node (a hash of 64 bytes) can
        // pass for a leaf.
        bytes32 leaf = keccak256(
            bytes.concat(keccak256(abi.encode(reading.sensor, reading.readAt, reading.temperature, reading.humidity)))
        );
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    // ------------------------------------------------------------------ administration

    /// @inheritdoc IQualityLedger
    function setFreshnessRule(bytes3 species, FreshnessRule calldata rule) external {
        if (_authorization(msg.sender).roles & Roles.ADMIN_BIT == 0) revert QualityUnauthorized(msg.sender);
        if (rule.minimumTemperature >= 0 || rule.defaultTemperature <= rule.minimumTemperature || rule.maxGrade == 0)
            revert FreshnessInvalidRule(rule.minimumTemperature, rule.defaultTemperature, rule.maxGrade);
        _rules[species] = rule;
        emit FreshnessRuleSet(species, rule);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IQualityLedger
    function anchorOf(address gateway, bytes32 root) external view returns (Anchor memory) {
        return _anchors[gateway][root];
    }

    /// @inheritdoc IQualityLedger
    function inspectionOf(uint256 lotId) external view returns (IStage.Inspection memory inspection) {
        QualityWord q = _quality[lotId];
        inspection = IStage.Inspection({
            scannedAt: q.scannedAt(),
            species: q.species(),
            speciesConfidence: q.speciesConfidence(),
            grade: q.grade(),
            gradeConfidence: q.gradeConfidence(),
            deviceId: q.deviceId()
        });
    }

    /// @inheritdoc IQualityLedger
    function qualityOf(uint256 lotId) external view returns (LotQuality memory) {
        return _quality[lotId].decode();
    }

    /// @inheritdoc IQualityLedger
    function isAccepted(address device, uint64 readingId) external view returns (bool) {
        return _accepted[device][readingId >> 8] & (uint256(1) << (readingId & 0xff)) != 0;
    }

    /// @inheritdoc IQualityLedger
    function freshnessRuleOf(bytes3 species) external view returns (FreshnessRule memory) {
        return _ruleOf(species);
    }

    /// @inheritdoc IQualityLedger
    function evaluateFreshness(
        FreshnessRule calldata rule,
        FreshnessInput calldata input
    ) external pure returns (FreshnessVerdict memory) {
        return Freshness.evaluate(rule, input);
    }

    /// @inheritdoc IQualityLedger
    function evaluateFreshnessSequence(
        FreshnessRule calldata rule,
        FreshnessScan[] calldata scans
    ) external pure returns (bool[] memory warnings) {
        warnings = new bool[](scans.length);
        if (scans.length == 0) return warnings;
        Freshness.Reference memory ref = Freshness.start(scans[0].scannedAt, scans[0].grade, scans[0].confidence);
        for (uint256 i = 1; i < scans.length; ++i) {
            FreshnessScan calldata previous = scans[i - 1];
            FreshnessScan calldata scan = scans[i];
            FreshnessVerdict memory verdict;
            (verdict, , , ref) = Freshness.step(
                rule,
                ref,
                FreshnessInput({
                    previousGrade: previous.grade,
                    previousConfidence: previous.confidence,
                    grade: scan.grade,
                    confidence: scan.confidence,
                    elapsed: scan.scannedAt - previous.scannedAt,
                    coveredSeconds: scan.coveredSeconds,
                    equivalentSeconds: scan.equivalentSeconds
                }),
                scan.scannedAt
            );
            warnings[i] = verdict.warning;
        }
    }

    /// @inheritdoc IQualityLedger
    function readingDigest(QatReading calldata reading) external view returns (bytes32) {
        return _digest(reading);
    }

    /// @inheritdoc IQualityLedger
    function stageAt(uint8 stage) external view returns (address) {
        return _stageAt(stage);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Records `reading` of a lot held at `stageContract`; returns false when `skipAccepted` and the reading
    /// is on chain already. `buyerId` is zero for a scan by the lot's holder (or a regulator); otherwise the
    /// lot is in a shipment to participant `buyerId` (`submitReceivingScan` checked the order), whose device scans.
    function _scan(
        address stageContract,
        uint8 stage,
        QatReading calldata reading,
        bytes calldata signature,
        bool skipAccepted,
        uint32 buyerId
    ) private returns (bool) {
        address device = reading.device;
        uint256 wordIndex = reading.readingId >> 8;
        uint256 bit = uint256(1) << (reading.readingId & 0xff);
        uint256 bits = _accepted[device][wordIndex];
        if (bits & bit != 0) {
            if (skipAccepted) return false;
            revert QatReadingAlreadyAccepted(device, reading.readingId);
        }
        if (reading.scannedAt > block.timestamp) revert QatScanInFuture(reading.scannedAt, uint40(block.timestamp));
        if (reading.scannedAt + MAX_UPLOAD_DELAY < block.timestamp) {
            revert QatScanTooOld(reading.scannedAt, uint40(block.timestamp) - MAX_UPLOAD_DELAY);
        }
        if (reading.speciesConfidence > 100) revert QatInvalidConfidence(reading.speciesConfidence);
        if (reading.gradeConfidence > 100) revert QatInvalidConfidence(reading.gradeConfidence);

        (address signer, ECDSA.RecoverError failure, ) = ECDSA.tryRecoverCalldata(_digest(reading), signature);
        if (failure != ECDSA.RecoverError.NoError) revert QatMalformedSignature(reading.readingId);
        if (signer != device) revert QatWrongSigner(reading.readingId, device, signer);
        (IRegistry.Authorization memory auth, uint16 operatorRoles) = _deviceAuthorization(device);
        if (auth.roles & Roles.QAT_DEVICE_BIT == 0) revert QatDeviceUnauthorized(device);

        uint256 lotId = reading.lotId;
        LotWord word =
            buyerId == 0
                ? _locate(stageContract, stage, lotId, auth, operatorRoles)
                : _locateShipped(stageContract, lotId, auth, buyerId);
        // A scan older than the lot (a device whose clock was reset) would stretch the freshness allowance.
        uint40 createdAt = word.createdAt();
        if (reading.scannedAt < createdAt) revert QatScanBeforeLot(lotId, reading.scannedAt, createdAt);
        FreshnessRule memory rule = _ruleOf(word.species());
        if (rule.maxGrade != 0 && reading.grade > rule.maxGrade)
            revert QatGradeOutOfScale(reading.grade, rule.maxGrade);

        _accepted[device][wordIndex] = bits | bit;
        QualityWord q = _quality[lotId];
        uint256 scans = q.scans();
        uint8 raise;
        {
            bytes3 registered = word.species();
            bytes3 previous = scans == 0 ? bytes3(0) : q.species();
            if (reading.species != registered || (scans != 0 && reading.species != previous)) {
                raise = LotFlags.SPECIES_MISMATCH;
                emit SpeciesMismatch(lotId, auth.id, registered, previous, reading.species, reading.speciesConfidence);
            }
        }
        uint40 lastScannedAt = q.scannedAt();
        if (reading.scannedAt >= lastScannedAt) {
            if (scans != 0 && rule.maxGrade != 0) {
                if (_freshnessWarning(lotId, auth.id, reading, q, rule)) raise |= LotFlags.FRESHNESS_WARNING;
            } else {
                _references[lotId] = Freshness.encode(
                    Freshness.start(reading.scannedAt, reading.grade, reading.gradeConfidence)
                );
            }
            _quality[lotId] = QualityWordLibrary.inspected(
                reading,
                auth.id,
                scans == type(uint16).max ? scans : scans + 1
            );
        }
        emit QatScanned(
            lotId,
            auth.id,
            reading.readingId,
            reading.species,
            reading.speciesConfidence,
            reading.grade,
            reading.gradeConfidence,
            reading.scannedAt
        );
        raise &= ~word.flags();
        if (raise != 0) IStage(stageContract).flagLot(lotId, raise);
        return true;
    }

    /// @dev Applies the freshness rule between the latest inspection packed in `q` (and the lot's reference scan)
    /// and `reading`; emits `FreshnessWarning` and returns true when the grade dropped more than allowed.
    function _freshnessWarning(
        uint256 lotId,
        uint32 deviceId,
        QatReading calldata reading,
        QualityWord q,
        FreshnessRule memory rule
    ) private returns (bool) {
        (
            FreshnessVerdict memory verdict,
            uint8 previousGrade,
            uint40 elapsed,
            Freshness.Reference memory next
        ) = Freshness.step(
                rule,
                Freshness.decode(_references[lotId]),
                FreshnessInput({
                    previousGrade: q.grade(),
                    previousConfidence: q.gradeConfidence(),
                    grade: reading.grade,
                    confidence: reading.gradeConfidence,
                    elapsed: reading.scannedAt - q.scannedAt(),
                    coveredSeconds: q.coveredSeconds(),
                    equivalentSeconds: q.equivalentSeconds()
                }),
                reading.scannedAt
            );
        _references[lotId] = Freshness.encode(next);
        if (!verdict.warning) return false;
        emit FreshnessWarning(
            lotId,
            deviceId,
            previousGrade,
            reading.grade,
            elapsed,
            verdict.equivalentSeconds,
            verdict.allowedDrop,
            verdict.drop
        );
        return true;
    }

    /// @dev The lot word of `lotId` at `stageContract`, after checking that the operator of `device` (whose own roles
    /// are `operatorRoles`) is a regulator, or holds this stage's actor role (audit F5) and the lot.
    function _locate(
        address stageContract,
        uint8 stage,
        uint256 lotId,
        IRegistry.Authorization memory device,
        uint16 operatorRoles
    ) private view returns (LotWord word) {
        word = IStage(stageContract).lotWord(lotId);
        IStage.LotStatus status = word.status();
        if (status != IStage.LotStatus.Created && status != IStage.LotStatus.Shipped) {
            revert QualityLotNotHere(lotId, stage, status);
        }
        if (operatorRoles & Roles.REGULATOR_BIT != 0) return word;
        if (operatorRoles & Roles.actorBit(stage) == 0) revert QualityOperatorNotAtStage(device.operator, stage);
        uint32 custodianId = word.custodianId();
        if (custodianId != device.operatorId) revert QualityNotCustodian(lotId, custodianId, device.operatorId);
    }

    /// @dev The word of `lotId`, shipped to participant `buyerId` under an order `submitReceivingScan` checked, scanned
    /// by `device`, which must be the buyer's. The lot is Shipped: a Shipped or Delivered order's lots stay Shipped
    /// until they are acknowledged, claimed or rejected, and a lot is in one open shipment at a time (only a Created
    /// lot ships). A revoked buyer's devices hold no role (`_scan` refused them already).
    function _locateShipped(
        address stageContract,
        uint256 lotId,
        IRegistry.Authorization memory device,
        uint32 buyerId
    ) private view returns (LotWord word) {
        if (device.operatorId != buyerId) revert QualityNotBuyer(lotId, device.operatorId, buyerId);
        word = IStage(stageContract).lotWord(lotId);
    }

    /// @dev Reverts with `QualityLedgerPaused` while a PAUSER has paused the ledger.
    function _requireNotPaused(uint8 stage) private view {
        if (_paused) revert QualityLedgerPaused(stage);
    }

    function _isPaused() internal view override returns (bool) {
        return _paused;
    }

    function _storePaused(bool value) internal override {
        _paused = value;
    }

    /// @dev The ledger checks no lot's species against the list (a scan checks the species the lot already has): the
    /// registry's push is acknowledged by `SpeciesSynced` and nothing is stored.
    function _storeSpeciesListed(bytes3, bool) internal pure override {}

    function _ruleOf(bytes3 species) private view returns (FreshnessRule memory rule) {
        rule = _rules[species];
        if (rule.maxGrade == 0) rule = _rules[bytes3(0)];
    }

    function _digest(QatReading calldata r) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        _READING_TYPEHASH,
                        r.readingId,
                        r.lotId,
                        r.species,
                        r.speciesConfidence,
                        r.grade,
                        r.gradeConfidence,
                        r.scannedAt,
                        r.device
                    )
                )
            );
    }

    function _stageAt(uint8 stage) private view returns (address) {
        if (stage == 1) return _HARVESTER;
        if (stage == 2) return _SUPPLIER;
        if (stage == 3) return _MANUFACTURER;
        if (stage == 4) return _DISTRIBUTOR;
        if (stage == 5) return _RETAILER;
        if (stage == 6) return _CUSTOMER;
        revert QualityUnknownStage(stage);
    }
}
