// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OrderBook} from "../base/OrderBook.sol";
import {Stage} from "../base/Stage.sol";
import {IHarvester} from "../interfaces/IHarvester.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {LotCodec} from "../libraries/LotCodec.sol";
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
        if (!_REGISTRY.isSpeciesListed(catchData.species)) revert StageSpeciesNotListed(catchData.species);
        if (catchData.weightGrams == 0) revert StageInvalidWeight(0);
        _requirePosition(catchData.latitude, catchData.longitude);
        if (catchData.caughtAt > block.timestamp) {
            revert StageTimeInFuture(catchData.caughtAt, uint40(block.timestamp));
        }

        uint8 flags = (catchData.frozen ? LotFlags.FROZEN : 0) | (catchData.farmed ? LotFlags.FARMED : 0);
        // The catch is when the lot came into being: scans taken at sea before it was registered are not "before
        // the lot" (QualityLedger refuses scans older than the lot's creation day).
        _createLot(
            lotId,
            LotCodec.created(
                harvesterId,
                catchData.weightGrams,
                catchData.species,
                flags,
                catchData.latitude,
                catchData.longitude,
                catchData.caughtAt
            )
        );
        emit FishRegistered(lotId, harvesterId, catchData);
    }
}
