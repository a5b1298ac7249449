// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OrderBook} from "../base/OrderBook.sol";
import {Stage} from "../base/Stage.sol";
import {IHarvester} from "../interfaces/IHarvester.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {LotCodec, LotWord} from "../libraries/LotCodec.sol";
import {LotFlags} from "../libraries/LotFlags.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title Harvester
/// @notice Smart contract 1: catches enter the chain here and are sold to Suppliers.
contract Harvester is IHarvester, OrderBook {
    /// @notice Deploys the Harvester stage (stage 1) of `registry_`.
    /// @param registry_ the FishTrace registry
    constructor(IRegistry registry_) Stage(registry_, 1, address(0)) {}

    /// @inheritdoc IHarvester
    function registerFish(Catch calldata catchData) external returns (uint256 lotId) {
        // First, as a pause check: a reverted registration takes its id back.
        lotId = _newLotId();
        uint32 harvesterId = _requireRole(Roles.HARVESTER_BIT).id;
        (bytes3 species, uint40 weightGrams, uint40 caughtAt, int32 latitude, int32 longitude, uint8 flags) = _read(
            catchData
        );
        if (!_isSpeciesListed(species)) revert StageSpeciesNotListed(species);
        if (weightGrams == 0) revert StageInvalidWeight(0);
        _requirePosition(latitude, longitude);
        if (caughtAt > block.timestamp) revert StageTimeInFuture(caughtAt, uint40(block.timestamp));

        // The catch is when the lot came into being: scans taken at sea before it was registered are not "before
        // the lot" (QualityLedger refuses scans older than the lot's creation day).
        _createLot(lotId, LotCodec.created(harvesterId, weightGrams, species, flags, latitude, longitude, caughtAt));
        _emitFishRegistered(lotId, harvesterId, catchData);
    }

    /// @inheritdoc IHarvester
    function registerFishBatch(Catch[] calldata catches) external returns (uint256 firstLotId) {
        uint256 count = catches.length;
        if (count == 0) revert HarvesterEmptyBatch();
        // One write of the counter for the whole batch; it also checks the pause.
        firstLotId = _newLotIds(count);
        uint32 harvesterId = _requireRole(Roles.HARVESTER_BIT).id;

        // Consecutive catches of one species are a run: its species is checked once and its lots are added to the
        // inventory with one write.
        bytes3 runSpecies;
        uint64 runLots;
        uint96 runGrams;
        for (uint256 i; i < count; ++i) {
            Catch calldata catchData = catches[i];
            (bytes3 species, uint40 weightGrams, uint40 caughtAt, int32 latitude, int32 longitude, uint8 flags) = _read(
                catchData
            );
            if (runLots == 0 || species != runSpecies) {
                if (runLots != 0) _stockLots(runSpecies, runLots, runGrams);
                (runSpecies, runLots, runGrams) = (species, 0, 0);
                if (!_isSpeciesListed(species)) revert HarvesterCatchSpeciesNotListed(i, species);
            }
            if (weightGrams == 0) revert HarvesterCatchInvalidWeight(i);
            if (!_isOnEarth(latitude, longitude)) revert HarvesterCatchInvalidPosition(i, latitude, longitude);
            if (caughtAt > block.timestamp) revert HarvesterCatchTimeInFuture(i, caughtAt, uint40(block.timestamp));

            uint256 lotId;
            unchecked {
                // The counter is 64 bits and took the whole batch; a run's grams are 40 bits a lot.
                lotId = firstLotId + i;
                ++runLots;
                runGrams += weightGrams;
            }
            _putLot(lotId, LotCodec.created(harvesterId, weightGrams, species, flags, latitude, longitude, caughtAt));
            _emitFishRegistered(lotId, harvesterId, catchData);
        }
        _stockLots(runSpecies, runLots, runGrams);
    }

    /// @inheritdoc IHarvester
    function transship(
        uint256[] calldata lotIds,
        bytes16 carrier,
        int32 latitude,
        int32 longitude,
        uint40 transshippedAt
    ) external {
        _requireNotPaused();
        uint32 harvesterId = _requireRole(Roles.HARVESTER_BIT).id;
        uint256 count = lotIds.length;
        if (count == 0) revert HarvesterEmptyBatch();
        if (carrier == bytes16(0)) revert HarvesterNoCarrier();
        _requirePosition(latitude, longitude);
        if (transshippedAt > block.timestamp) revert StageTimeInFuture(transshippedAt, uint40(block.timestamp));
        for (uint256 i; i < count; ++i) {
            uint256 lotId = lotIds[i];
            LotWord word = _lotWord(lotId);
            _requireCustody(lotId, word, harvesterId);
            _requireStatus(lotId, word.status(), LotStatus.Created);
            uint40 caughtDay = word.createdAt();
            if (transshippedAt < caughtDay) revert HarvesterTransshippedBeforeCatch(lotId, transshippedAt, caughtDay);
            emit FishTransshipped(lotId, harvesterId, carrier, latitude, longitude, transshippedAt);
        }
    }

    /// @dev The fields of a catch its lot stores (species, weight, time, position, and the `LotFlags` of its form and
    /// origin), read from its calldata in one pass. Every one of the ten words is checked clean as the ABI decoder
    /// checks it (a dirty word reverts with no data); the decoder's own reads, field by field through shared
    /// subroutines, cost about 500 gas a catch more.
    function _read(
        Catch calldata catchData
    )
        private
        pure
        returns (bytes3 species, uint40 weightGrams, uint40 caughtAt, int32 latitude, int32 longitude, uint8 flags)
    {
        (uint256 frozenFlag, uint256 farmedFlag) = (LotFlags.FROZEN, LotFlags.FARMED);
        assembly ("memory-safe") {
            let w0 := calldataload(catchData)
            let w1 := calldataload(add(catchData, 0x20))
            let w2 := calldataload(add(catchData, 0x40))
            let w3 := calldataload(add(catchData, 0x60))
            let w4 := calldataload(add(catchData, 0x80))
            let farmed := calldataload(add(catchData, 0x100))
            let frozen := calldataload(add(catchData, 0x120))
            // bytes3, uint40, uint40, int32, int32, bytes8 catchArea, bytes16 vessel, bytes8 gear, bool, bool
            let dirty := or(
                or(shl(24, w0), or(shr(40, w1), shr(40, w2))),
                or(xor(signextend(3, w3), w3), xor(signextend(3, w4), w4))
            )
            dirty := or(
                dirty,
                or(shl(64, calldataload(add(catchData, 0xa0))), shl(128, calldataload(add(catchData, 0xc0))))
            )
            dirty := or(dirty, or(shl(64, calldataload(add(catchData, 0xe0))), gt(or(farmed, frozen), 1)))
            if dirty {
                revert(0, 0)
            }
            species := w0
            weightGrams := w1
            caughtAt := w2
            latitude := w3
            longitude := w4
            flags := or(mul(frozen, frozenFlag), mul(farmed, farmedFlag))
        }
    }

    /// @dev Emits `FishRegistered(lotId, harvesterId, catchData)` with the catch's calldata, which `_read` checked
    /// clean, as the event's data: a `Catch` holds value types only, so its calldata is its ABI encoding (ten words),
    /// and copying it whole costs a fraction of encoding it field by field.
    function _emitFishRegistered(uint256 lotId, uint32 harvesterId, Catch calldata catchData) private {
        bytes32 topic = FishRegistered.selector;
        assembly ("memory-safe") {
            let data := mload(0x40)
            calldatacopy(data, catchData, 0x140)
            log3(data, 0x140, topic, lotId, harvesterId)
        }
    }
}
