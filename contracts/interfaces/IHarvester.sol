// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IHarvester
/// @notice Stage 1, smart contract 1 of the paper: the vessel or farm registers raw fish lots and sells them to
/// Suppliers through the order book.
interface IHarvester {
    /// @notice What a harvester declares about a catch. Only species, weight, position, form and origin are
    /// stored; the rest (the GDST key data elements) is kept in the `FishRegistered` event.
    struct Catch {
        bytes3 species; // FAO ASFIS 3-alpha, must be listed in the registry
        uint40 weightGrams;
        uint40 caughtAt; // unix seconds
        int32 latitude; // 1e-5 degrees
        int32 longitude; // 1e-5 degrees
        bytes8 catchArea; // FAO major fishing area, e.g. "27.2.a"
        bytes16 vessel; // vessel registration or IMO number, e.g. "IMO9241061"
        bytes8 gear; // FAO ISSCFG gear code, e.g. "OTB"
        bool farmed; // aquaculture instead of wild-caught
        bool frozen; // frozen at sea instead of fresh
    }

    /// @notice Lot `lotId` was caught and registered by harvester `harvesterId` (the paper's Register_fish).
    /// @param lotId the lot
    /// @param harvesterId participant id of the harvester
    /// @param catchData the catch: species, weight, position, time, vessel, gear, area, form, origin
    event FishRegistered(uint256 indexed lotId, uint32 indexed harvesterId, Catch catchData);

    /// @notice Lot `lotId` was moved at sea from the harvester's vessel onto the carrier vessel `carrier` (GDST's
    /// transshipment event). Custody stays with the harvester: the lot is its until it is sold.
    /// @param lotId the lot
    /// @param harvesterId participant id of the harvester, the lot's custodian
    /// @param carrier the carrier vessel's registration or IMO number, e.g. "IMO9876543"
    /// @param latitude where, 1e-5 degrees
    /// @param longitude where, 1e-5 degrees
    /// @param transshippedAt when (unix seconds)
    event FishTransshipped(
        uint256 indexed lotId,
        uint32 indexed harvesterId,
        bytes16 carrier,
        int32 latitude,
        int32 longitude,
        uint40 transshippedAt
    );

    /// @notice A batch of catches (or of lots to transship) must hold at least one.
    error HarvesterEmptyBatch();
    /// @notice Catch `index` of the batch has species `species`, which the registry does not list.
    error HarvesterCatchSpeciesNotListed(uint256 index, bytes3 species);
    /// @notice Catch `index` of the batch weighs nothing.
    error HarvesterCatchInvalidWeight(uint256 index);
    /// @notice Catch `index` of the batch was made at a position that is not on Earth (1e-5 degrees).
    error HarvesterCatchInvalidPosition(uint256 index, int32 latitude, int32 longitude);
    /// @notice Catch `index` of the batch was made at `caughtAt`, after the block's time `blockTime`.
    error HarvesterCatchTimeInFuture(uint256 index, uint40 caughtAt, uint40 blockTime);
    /// @notice A transshipment names no carrier vessel.
    error HarvesterNoCarrier();
    /// @notice Lot `lotId` cannot have been transshipped at `transshippedAt`, before the day it was caught (`caughtDay`).
    error HarvesterTransshippedBeforeCatch(uint256 lotId, uint40 transshippedAt, uint40 caughtDay);

    /// @notice Registers a raw fish lot in the caller's custody (the paper's Register_fish).
    /// @dev Callable by a HARVESTER. Emits `FishRegistered`. Reverts with `StagePaused`, `StageUnauthorized`,
    /// `StageSpeciesNotListed`, `StageInvalidWeight`, `StageInvalidPosition`, `StageTimeInFuture`.
    /// @return lotId the new lot's id
    /// @param catchData the catch: species, weight, position, time, vessel, gear, area, form, origin
    function registerFish(Catch calldata catchData) external returns (uint256 lotId);

    /// @notice Registers several raw fish lots in the caller's custody at once (a vessel landing its catch): one lot
    /// per catch, with consecutive ids from `firstLotId` in the order of `catches`, each as `registerFish` would.
    /// @dev Callable by a HARVESTER. Emits one `FishRegistered` per catch. All or nothing: reverts with `StagePaused`,
    /// `StageUnauthorized`, `HarvesterEmptyBatch`, or, naming the first bad catch's index,
    /// `HarvesterCatchSpeciesNotListed`, `HarvesterCatchInvalidWeight`, `HarvesterCatchInvalidPosition`,
    /// `HarvesterCatchTimeInFuture`. Grouping catches of one species together is cheaper: each run of one species
    /// updates its inventory total once.
    /// @param catches the catches, one lot each
    /// @return firstLotId the id of the first catch's lot; catch `i` is lot `firstLotId + i`
    function registerFishBatch(Catch[] calldata catches) external returns (uint256 firstLotId);

    /// @notice Records that the caller's lots `lotIds` were moved at sea onto the carrier vessel `carrier` (a
    /// transshipment), at `transshippedAt` and the position given. Nothing else changes: the harvester keeps custody and sells the
    /// lots as before; the carrier lands them.
    /// @dev Callable by a HARVESTER holding each lot, unsold (status Created). Emits one `FishTransshipped` per lot.
    /// Reverts with `StagePaused`, `StageUnauthorized`, `HarvesterEmptyBatch`, `HarvesterNoCarrier`,
    /// `StageInvalidPosition`, `StageTimeInFuture`, `LotNotFound`, `LotNotInCustody`, `LotInvalidStatus`,
    /// `HarvesterTransshippedBeforeCatch`.
    /// @param lotIds the lots moved
    /// @param carrier the carrier vessel's registration or IMO number
    /// @param latitude where, 1e-5 degrees
    /// @param longitude where, 1e-5 degrees
    /// @param transshippedAt when (unix seconds), not after the block's time
    function transship(
        uint256[] calldata lotIds,
        bytes16 carrier,
        int32 latitude,
        int32 longitude,
        uint40 transshippedAt
    ) external;
}
