// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPacking} from "./interfaces/IPacking.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {IRegistryReplica} from "./interfaces/IRegistryReplica.sol";
import {IStage} from "./interfaces/IStage.sol";
import {LotWord} from "./libraries/LotCodec.sol";
import {LotFlags} from "./libraries/LotFlags.sol";
import {Probe} from "./libraries/Probe.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title Packing
/// @notice Logistic units (GS1 SSCCs) packed with lots held at a stage — cases — or with such cases — pallets — and
/// unpacked again: EPCIS AggregationEvents.
/// @dev Reads, never writes, the stage contracts: a lot's custodian and status come from `IStage.lotWord` at the
/// caller's stage. Not a registry replica (attaching it would add a push to every role change): the caller's roles
/// are read from the registry itself, once per call. An SSCC is 18 digits, so below 10^18 < 2^64: stored as uint64,
/// a pallet's units four to a slot. Checks–effects–interactions: the only calls are static (view) calls to the
/// registry and the six stage contracts fixed at deployment, which cannot re-enter; the event comes last.
contract Packing is IPacking {
    /// @notice The most lots one logistic unit holds (`LogisticUnit.count` is a uint16).
    uint256 public constant MAX_LOTS = 200;

    /// @notice The most logistic units one pallet holds (`LogisticUnit.count` is a uint16).
    uint256 public constant MAX_UNITS = 200;

    /// @dev 10^18: every SSCC is below it.
    uint256 private constant _SSCC_LIMIT = 1e18;

    IRegistry private immutable _REGISTRY;
    address private immutable _HARVESTER;
    address private immutable _SUPPLIER;
    address private immutable _MANUFACTURER;
    address private immutable _DISTRIBUTOR;
    address private immutable _RETAILER;
    address private immutable _CUSTOMER;

    mapping(uint64 sscc => LogisticUnit) private _units;
    mapping(uint64 sscc => uint256[] lotIds) private _contents;
    mapping(uint256 lotId => uint64 sscc) private _packs;
    mapping(uint64 sscc => uint64[] ssccs) private _unitContents;

    /// @notice Deploys packing for the six stage contracts of `registry_`.
    /// @param registry_ the FishTrace registry
    /// @param stages_ the six stage contracts, Harvester first
    constructor(IRegistry registry_, address[6] memory stages_) {
        for (uint256 i; i < 6; ++i) {
            address s = stages_[i];
            if (
                Probe.word(s, IStage.stage.selector) != i + 1 ||
                Probe.word(s, IRegistryReplica.registry.selector) != uint256(uint160(address(registry_)))
            ) revert PackingInvalidStage(uint8(i + 1), s);
        }
        _REGISTRY = registry_;
        _HARVESTER = stages_[0];
        _SUPPLIER = stages_[1];
        _MANUFACTURER = stages_[2];
        _DISTRIBUTOR = stages_[3];
        _RETAILER = stages_[4];
        _CUSTOMER = stages_[5];
    }

    /// @inheritdoc IPacking
    function pack(uint256 sscc, uint256[] calldata lotIds) external {
        IRegistry.Authorization memory auth = _requireActor();
        uint64 key = _unusedKey(sscc);
        uint256 count = lotIds.length;
        if (count == 0 || count > MAX_LOTS) revert PackingInvalidLotCount(count, MAX_LOTS);
        uint32 callerId = auth.id;
        (uint8 stage, IStage stageContract) = _stageOf(auth, lotIds[0]);

        uint40[] memory weights = new uint40[](count);
        for (uint256 i; i < count; ++i) {
            uint256 lotId = lotIds[i];
            LotWord word = _heldLot(stageContract, stage, lotId, callerId);
            if (word.flags() & LotFlags.RECALLED != 0) revert PackingLotRecalled(lotId);
            uint64 packedIn = _packs[lotId];
            if (packedIn != 0) revert PackingLotAlreadyPacked(lotId, packedIn);
            _packs[lotId] = key;
            weights[i] = word.weightGrams();
        }
        _storeNewUnit(key, stage, callerId, count, UnitKind.Lots);
        _contents[key] = lotIds;
        emit Packed(sscc, callerId, stage, lotIds, weights);
    }

    /// @inheritdoc IPacking
    function packUnits(uint256 sscc, uint256[] calldata ssccs) external {
        IRegistry.Authorization memory auth = _requireActor();
        uint64 key = _unusedKey(sscc);
        uint256 count = ssccs.length;
        if (count == 0 || count > MAX_UNITS) revert PackingInvalidUnitCount(count, MAX_UNITS);
        uint32 callerId = auth.id;
        uint8 stage;
        IStage stageContract;

        uint64[] memory children = new uint64[](count);
        for (uint256 i; i < count; ++i) {
            uint256 child = ssccs[i];
            if (child == sscc) revert PackingUnitInItself(sscc);
            uint64 childKey = _keyOf(child);
            LogisticUnit storage unit = _units[childKey];
            if (childKey == 0 || unit.status != UnitStatus.Packed) revert PackingSsccNotPacked(child, unit.status);
            if (unit.kind != UnitKind.Lots) revert PackingUnitHoldsUnits(child);
            if (unit.parent != 0) revert PackingUnitAlreadyPacked(child, unit.parent);
            uint256[] storage lotIds = _contents[childKey];
            if (i == 0) (stage, stageContract) = _stageOf(auth, lotIds[0]);
            uint256 lots = lotIds.length;
            for (uint256 j; j < lots; ++j) {
                uint256 lotId = lotIds[j];
                if (_heldLot(stageContract, stage, lotId, callerId).flags() & LotFlags.RECALLED != 0) {
                    revert PackingUnitLotRecalled(child, lotId);
                }
            }
            unit.parent = key;
            children[i] = childKey;
        }
        _storeNewUnit(key, stage, callerId, count, UnitKind.Units);
        _unitContents[key] = children;
        emit UnitsPacked(sscc, callerId, stage, ssccs);
    }

    /// @inheritdoc IPacking
    function unpack(uint256 sscc) external {
        IRegistry.Authorization memory auth = _requireActor();
        uint64 key = _keyOf(sscc);
        LogisticUnit storage unit = _units[key];
        if (key == 0 || unit.status != UnitStatus.Packed) revert PackingSsccNotPacked(sscc, unit.status);
        if (unit.parent != 0) revert PackingUnitOnPallet(sscc, unit.parent);
        if (unit.kind == UnitKind.Units) {
            _unpackUnits(sscc, key, auth);
            return;
        }
        uint32 callerId = auth.id;
        uint256[] memory lotIds = _contents[key];
        (uint8 stage, IStage stageContract) = _stageOf(auth, lotIds[0]);
        for (uint256 i; i < lotIds.length; ++i) {
            uint256 lotId = lotIds[i];
            _heldLot(stageContract, stage, lotId, callerId);
            delete _packs[lotId];
        }
        _storeUnpacked(key, callerId);
        emit Unpacked(sscc, callerId, stage, lotIds);
    }

    /// @inheritdoc IPacking
    function unitOf(uint256 sscc) external view returns (LogisticUnit memory unit) {
        if (sscc < _SSCC_LIMIT) unit = _units[uint64(sscc)];
    }

    /// @inheritdoc IPacking
    function contentsOf(uint256 sscc) external view returns (uint256[] memory contents) {
        uint64 key = _keyOf(sscc);
        if (_units[key].kind == UnitKind.Lots) return _contents[key];
        uint64[] storage ssccs = _unitContents[key];
        contents = new uint256[](ssccs.length);
        for (uint256 i; i < contents.length; ++i) contents[i] = ssccs[i];
    }

    /// @inheritdoc IPacking
    function packOf(uint256 lotId) external view returns (uint256) {
        return _packs[lotId];
    }

    /// @inheritdoc IPacking
    function isValidSscc(uint256 sscc) external pure returns (bool) {
        return _isValidSscc(sscc);
    }

    /// @inheritdoc IPacking
    function stageAt(uint8 stage) external view returns (address) {
        return address(_stageContract(stage));
    }

    /// @inheritdoc IPacking
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Unpacks the pallet `sscc` (key `key`): checks that the caller holds every lot of every case
    /// on it, then takes each case off it.
    function _unpackUnits(uint256 sscc, uint64 key, IRegistry.Authorization memory auth) private {
        uint64[] memory children = _unitContents[key];
        uint256 count = children.length;
        uint32 callerId = auth.id;
        (uint8 stage, IStage stageContract) = _stageOf(auth, _contents[children[0]][0]);
        uint256[] memory ssccs = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            uint64 childKey = children[i];
            uint256[] storage lotIds = _contents[childKey];
            uint256 lots = lotIds.length;
            for (uint256 j; j < lots; ++j) _heldLot(stageContract, stage, lotIds[j], callerId);
            _units[childKey].parent = 0;
            ssccs[i] = childKey;
        }
        _storeUnpacked(key, callerId);
        emit UnitsUnpacked(sscc, callerId, stage, ssccs);
    }

    /// @dev Stores the unit `key` as packed now by participant `packerId` at stage `stage`, holding `count` items of
    /// kind `kind`, on no pallet (its slot written once).
    function _storeNewUnit(uint64 key, uint8 stage, uint32 packerId, uint256 count, UnitKind kind) private {
        _units[key] = LogisticUnit({
            status: UnitStatus.Packed,
            stage: stage,
            packerId: packerId,
            packedAt: uint40(block.timestamp),
            count: uint16(count),
            unpackerId: 0,
            unpackedAt: 0,
            kind: kind,
            parent: 0
        });
    }

    /// @dev Records the unit `key` as unpacked now by participant `unpackerId` (its slot written once).
    function _storeUnpacked(uint64 key, uint32 unpackerId) private {
        LogisticUnit storage unit = _units[key];
        unit.status = UnitStatus.Unpacked;
        unit.unpackerId = unpackerId;
        unit.unpackedAt = uint40(block.timestamp);
    }

    /// @dev The storage key of `sscc`, after checking that it is an SSCC never used.
    function _unusedKey(uint256 sscc) private view returns (uint64 key) {
        if (!_isValidSscc(sscc)) revert PackingInvalidSscc(sscc);
        key = uint64(sscc);
        UnitStatus status = _units[key].status;
        if (status != UnitStatus.None) revert PackingSsccUsed(sscc, status);
    }

    /// @dev The storage key of `sscc`: itself when below 10^18, else 0 (no unit).
    function _keyOf(uint256 sscc) private pure returns (uint64) {
        return sscc < _SSCC_LIMIT ? uint64(sscc) : 0;
    }

    /// @dev The caller's registry record, after checking that it holds an actor role (any of the six stages').
    function _requireActor() private view returns (IRegistry.Authorization memory auth) {
        auth = _REGISTRY.authorization(msg.sender);
        if (auth.roles & Roles.ACTOR_BITS == 0) revert PackingUnauthorized(msg.sender);
    }

    /// @dev The stage (number and contract) the actor `auth` acts at: the stage of its actor role; for a participant
    /// with several actor roles, the first of them where it holds `firstLot`, else the lowest. Reverts with
    /// `PackingStagePaused` while that stage is paused.
    function _stageOf(
        IRegistry.Authorization memory auth,
        uint256 firstLot
    ) private view returns (uint8 stage, IStage stageContract) {
        uint16 bits = auth.roles & Roles.ACTOR_BITS;
        for (uint8 s = 1; s <= 6; ++s) {
            if (bits & Roles.actorBit(s) == 0) continue;
            IStage candidate = _stageContract(s);
            if (stage == 0) (stage, stageContract) = (s, candidate);
            // One actor role (the usual case): no lot to look at here.
            if (bits & (bits - 1) == 0) break;
            LotWord word = candidate.lotWord(firstLot);
            if (word.custodianId() == auth.id && word.status() == IStage.LotStatus.Created) {
                (stage, stageContract) = (s, candidate);
                break;
            }
        }
        if (IRegistryReplica(address(stageContract)).paused()) revert PackingStagePaused(stage);
    }

    /// @dev The word of `lotId` at `stageContract` (stage `stage`), after checking that participant `callerId` holds
    /// it there and it is available.
    function _heldLot(
        IStage stageContract,
        uint8 stage,
        uint256 lotId,
        uint32 callerId
    ) private view returns (LotWord word) {
        word = stageContract.lotWord(lotId);
        IStage.LotStatus status = word.status();
        if (status == IStage.LotStatus.None) revert PackingLotNotFound(lotId, stage);
        uint32 custodianId = word.custodianId();
        if (custodianId != callerId) revert PackingNotHolder(lotId, custodianId, callerId);
        if (status != IStage.LotStatus.Created) revert PackingLotNotAvailable(lotId, status);
    }

    /// @dev The stage contract of stage `stage`.
    function _stageContract(uint8 stage) private view returns (IStage) {
        if (stage == 1) return IStage(_HARVESTER);
        if (stage == 2) return IStage(_SUPPLIER);
        if (stage == 3) return IStage(_MANUFACTURER);
        if (stage == 4) return IStage(_DISTRIBUTOR);
        if (stage == 5) return IStage(_RETAILER);
        if (stage == 6) return IStage(_CUSTOMER);
        revert PackingInvalidStage(stage, address(0));
    }

    /// @dev Whether `sscc` is an SSCC: 1 … 10^18 - 1 (18 digits with leading zeros) whose last digit is the GS1
    /// mod-10 check digit of the 17 before it (weights 3, 1, 3, … from the right). Read two digits a step (the lower
    /// weighs 3, the upper 1), then the 17th (weight 3): half the steps of a digit-by-digit loop.
    function _isValidSscc(uint256 sscc) private pure returns (bool) {
        if (sscc == 0 || sscc >= _SSCC_LIMIT) return false;
        unchecked {
            uint256 rest = sscc / 10;
            uint256 sum;
            for (uint256 i; i < 8; ++i) {
                uint256 pair = rest % 100;
                rest /= 100;
                sum += 3 * (pair % 10) + pair / 10;
            }
            sum += 3 * rest; // rest < 10: the 17th digit from the right
            return (10 - (sum % 10)) % 10 == sscc % 10;
        }
    }
}
