// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OrderBook} from "../base/OrderBook.sol";
import {Stage} from "../base/Stage.sol";
import {IHarvester} from "../interfaces/IHarvester.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {LotFlags} from "../libraries/LotFlags.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title Harvester
/// @notice Smart contract 1: catches enter the chain here and are sold to Suppliers.
contract Harvester is IHarvester, OrderBook {
    /// @param registry_ the FishTrace registry
    constructor(IRegistry registry_) Stage(registry_, 1, address(0)) {}

    /// @inheritdoc IHarvester
    function registerFish(Catch calldata catchData) external returns (uint256 lotId) {
        uint32 harvesterId = _requireRole(Roles.HARVESTER_BIT).id;
        if (!_REGISTRY.isSpeciesListed(catchData.species)) revert StageSpeciesNotListed(catchData.species);
        if (catchData.weightGrams == 0) revert StageInvalidWeight(0);
        _requirePosition(catchData.latitude, catchData.longitude);
        if (catchData.caughtAt > block.timestamp) {
            revert StageTimeInFuture(catchData.caughtAt, uint40(block.timestamp));
        }

        lotId = ++_lotCount;
        uint8 flags = (catchData.frozen ? LotFlags.FROZEN : 0) | (catchData.farmed ? LotFlags.FARMED : 0);
        _createLot(
            lotId,
            Lot({
                custodianId: harvesterId,
                weightGrams: catchData.weightGrams,
                species: catchData.species,
                status: LotStatus.Created,
                flags: flags,
                readAt: 0,
                temperature: 0,
                humidity: 0,
                latitude: catchData.latitude,
                longitude: catchData.longitude
            })
        );
        emit FishRegistered(lotId, harvesterId, catchData);
    }
}
