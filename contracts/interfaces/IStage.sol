// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LotWord} from "../libraries/LotCodec.sol";

/// @title IStage
/// @notice The vocabulary every FishTrace actor contract shares: lots, custody, environmental readings and the
/// paper's query functions (Update_fish, Remove_fish, Query_status, Query_QAT, Total_available_fish,
/// Total_supplied_fish), generalised to any stage of the chain.
interface IStage {
    /// @notice Where a lot stands at this stage.
    /// @dev `Created` is the paper's "Created": registered (stage 1) or received (stages 2-6) and available.
    enum LotStatus {
        None,
        Created,
        Shipped,
        Supplied,
        Removed
    }

    /// @notice Why a lot left this stage's inventory through `removeFish`.
    enum RemovalReason {
        Discarded,
        Consumed,
        Sold,
        Lost,
        Other
    }

    /// @notice A lot as this stage stores it: everything read on chain, in one storage slot.
    /// @dev Layout (1 slot): custodianId 32 | weightGrams 40 | species 24 | status 8 | flags 8 | readAt 40 |
    /// temperature 16 | humidity 8 | latitude 32 | longitude 32 | 16 spare. Catch details nobody reads on chain
    /// (vessel, gear, catch area, time) live in the `FishRegistered` event only.
    struct Lot {
        uint32 custodianId; // participant id (Registry) of the lot's one custodian
        uint40 weightGrams;
        bytes3 species; // FAO ASFIS 3-alpha code, e.g. "COD"
        LotStatus status;
        uint8 flags; // one bit per `LotFlags` constant (FROZEN, FARMED, EXCURSION, RECALLED, …)
        uint40 readAt; // time of the latest environmental reading (0: none yet)
        int16 temperature; // latest temperature, hundredths of a degree Celsius
        uint8 humidity; // latest relative humidity, percent
        int32 latitude; // latest position, 1e-5 degrees (at registration: the catch position)
        int32 longitude; // latest position, 1e-5 degrees
    }

    /// @notice The latest QAT inspection of a lot (filled by the IoT layer's signed scans).
    struct Inspection {
        uint40 scannedAt;
        bytes3 species;
        uint8 speciesConfidence; // percent
        uint8 grade; // freshness grade on the device's scale
        uint8 gradeConfidence; // percent
        uint32 deviceId; // participant id of the QAT device
    }

    /// @notice Lots and grams of one species, with the time of the last change.
    struct Totals {
        uint64 lots;
        uint96 grams;
        uint40 updatedAt;
    }

    /// @notice A reading was attached to `lotId` by `reporterId` (its custodian or a sensor gateway it operates).
    /// @param lotId the lot
    /// @param reporterId participant id of the caller that reported it: the custodian, or the sensor gateway itself
    /// (a device is a participant of its own; its operator is the custodian)
    /// @param readAt the time the reading was taken (unix seconds)
    /// @param temperature hundredths of a degree Celsius
    /// @param humidity relative humidity, percent
    /// @param latitude 1e-5 degrees
    /// @param longitude 1e-5 degrees
    event FishUpdated(
        uint256 indexed lotId,
        uint32 reporterId,
        uint40 readAt,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude
    );
    /// @notice A reading of `lotId` lay outside its product form's cold-chain band [`minimum`, `maximum`].
    /// @param lotId the lot
    /// @param readAt the time the reading was taken (unix seconds)
    /// @param temperature the reading, hundredths of a degree Celsius
    /// @param minimum the lower end of the lot's band, hundredths of a degree
    /// @param maximum the upper end of the lot's band, hundredths of a degree
    event ColdChainExcursion(uint256 indexed lotId, uint40 readAt, int16 temperature, int16 minimum, int16 maximum);
    /// @notice `lotId` left this stage's inventory for `reason`; its history stays.
    /// @param lotId the lot
    /// @param custodianId participant id of the custodian
    /// @param reason why it left the inventory
    event FishRemoved(uint256 indexed lotId, uint32 indexed custodianId, RemovalReason reason);
    /// @notice Custody of `lotId` passed from `fromId` to `toId` under order `orderId`.
    /// @param lotId the lot
    /// @param fromId participant id of the seller who held the lot
    /// @param toId participant id of the buyer who holds it now
    /// @param orderId the order that transferred it
    event CustodyTransferred(uint256 indexed lotId, uint32 indexed fromId, uint32 indexed toId, uint256 orderId);

    /// @notice `lotId` arrived at this stage in `custodianId`'s custody, acknowledged under order `orderId` of the
    /// previous stage.
    /// @param lotId the lot
    /// @param custodianId participant id of the buyer who holds it now
    /// @param orderId the order acknowledged at the previous stage
    event LotReceived(uint256 indexed lotId, uint32 indexed custodianId, uint256 orderId);
    /// @notice Regulator `regulatorId` recalled `lotId` for `reason`; it can no longer be shipped, sold or processed.
    /// @param lotId the lot
    /// @param regulatorId participant id of the regulator
    /// @param reason the regulator's reference for the recall
    event LotRecalled(uint256 indexed lotId, uint32 indexed regulatorId, bytes32 reason);
    /// @notice Acknowledged lots are handed to `next`, the stage contract of the buyers.
    /// @param next the next stage contract
    event NextStageSet(address indexed next);
    /// @notice QAT scans and sensor batches of lots held here are recorded by `ledger`.
    /// @param ledger the quality ledger contract
    event QualityLedgerSet(address indexed ledger);
    /// @notice The quality ledger raised `flags` (`LotFlags`: excursion, species mismatch, freshness warning) on
    /// `lotId`; the event at the ledger says why.
    /// @param lotId the lot
    /// @param flags the flags raised
    event LotFlagged(uint256 indexed lotId, uint8 flags);

    /// @notice `account` holds none of the roles in `requiredRoles` (role bits, see `Roles`).
    error StageUnauthorized(address account, uint16 requiredRoles);
    /// @notice No lot `lotId` exists at this stage.
    error LotNotFound(uint256 lotId);
    /// @notice `lotId` is held by participant `custodianId`, not by the caller's participant `callerId`.
    error LotNotInCustody(uint256 lotId, uint32 custodianId, uint32 callerId);
    /// @notice `lotId` is `current`, but the call needs it `expected`.
    error LotInvalidStatus(uint256 lotId, LotStatus current, LotStatus expected);
    /// @notice Species `species` is not on the registry's species list.
    error StageSpeciesNotListed(bytes3 species);
    /// @notice A lot cannot weigh `weightGrams` (zero, or more than a uint40 of grams).
    error StageInvalidWeight(uint256 weightGrams);
    /// @notice Only the previous stage contract hands lots over; `caller` is not it.
    error StageCallerNotPrevious(address caller);
    /// @notice This stage has no next stage to hand acknowledged lots to yet.
    error StageNextNotSet();
    /// @notice The next stage is set already, to `next`.
    error StageNextAlreadySet(address next);
    /// @notice `next` is not the following stage of this one (its stage number, previous stage or registry differ).
    error StageInvalidNext(address next);
    /// @notice `lotId` exists at this stage already.
    error LotAlreadyExists(uint256 lotId);
    /// @notice `lotId` was recalled by a regulator and cannot move.
    error LotIsRecalled(uint256 lotId);
    /// @notice Humidity `humidity` is above 100 percent.
    error StageInvalidHumidity(uint8 humidity);
    /// @notice (`latitude`, `longitude`) in 1e-5 degrees is not a position on Earth.
    error StageInvalidPosition(int32 latitude, int32 longitude);
    /// @notice A reading or event time `time` lies after the current block time `nowTime`.
    error StageTimeInFuture(uint40 time, uint40 nowTime);
    /// @notice Only the quality ledger flags lots; `caller` is not it.
    error StageCallerNotLedger(address caller);
    /// @notice The quality ledger is set already, to `ledger`.
    error StageLedgerAlreadySet(address ledger);
    /// @notice `ledger` is not a quality ledger of this registry that names this contract as its stage.
    error StageInvalidLedger(address ledger);
    /// @notice `flags` include bits the quality ledger may not raise (only excursion, species mismatch, freshness
    /// warning).
    error StageInvalidFlags(uint8 flags);
    /// @notice Stage `stage` (1 = Harvester … 6 = Customer) is paused: its business functions wait for a PAUSER to
    /// unpause it (settlement, recalls and hand-overs from the previous stage still work).
    error StagePaused(uint8 stage);

    /// @notice Attaches an environmental reading to `lotId` (the paper's Update_fish) and stores it as the lot's
    /// latest status unless a newer one is already stored. A reading outside the cold-chain band of the lot's
    /// product form (fresh 0-4 °C, frozen at most -18 °C) flags the lot.
    /// @dev Callable by the lot's custodian (with this stage's actor role) or a SENSOR_GATEWAY it operates, while
    /// the lot is `Created` or `Shipped`. Emits `FishUpdated`, and `ColdChainExcursion` when outside the band.
    /// Reverts with `StagePaused`, `StageUnauthorized`, `LotNotFound`, `LotNotInCustody`, `LotInvalidStatus`,
    /// `StageInvalidHumidity`, `StageInvalidPosition`, `StageTimeInFuture`.
    /// @param lotId the lot
    /// @param temperature hundredths of a degree Celsius
    /// @param humidity relative humidity, percent
    /// @param latitude 1e-5 degrees
    /// @param longitude 1e-5 degrees
    /// @param readAt the time the reading was taken (unix seconds, not after the current block)
    function updateFish(
        uint256 lotId,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude,
        uint40 readAt
    ) external;

    /// @notice Takes an available lot out of this stage's inventory for `reason` (the paper's Remove_fish).
    /// @dev Callable by the lot's custodian with this stage's actor role; the lot must be `Created`.
    /// Emits `FishRemoved`. Reverts with `StagePaused`, `StageUnauthorized`, `LotNotFound`, `LotNotInCustody`,
    /// `LotInvalidStatus`.
    /// @param lotId the lot
    /// @param reason why it leaves the inventory
    function removeFish(uint256 lotId, RemovalReason reason) external;

    /// @notice Takes over `lotIds` (their records packed as in `LotCodec`) into `buyerId`'s custody, as acknowledged
    /// under `orderId` at the previous stage.
    /// @dev Only the previous stage contract; works while this stage is paused (a seller's claim hands lots over).
    /// Emits `LotReceived` per lot. Reverts with `StageCallerNotPrevious`, `LotAlreadyExists`.
    /// @param orderId the order acknowledged at the previous stage
    /// @param buyerId participant id of the buyer, the lots' custodian here
    /// @param lotIds the lots handed over
    /// @param words the lots' words at the previous stage, in the same order as `lotIds`
    function receiveLots(uint256 orderId, uint32 buyerId, uint256[] calldata lotIds, LotWord[] calldata words) external;

    /// @notice Recalls `lotIds` held or recorded at this stage, for `reason`. A lot that has already left this stage
    /// is recalled at every later stage it reached too, so the recall sticks wherever the lot is now. Recalling a
    /// recalled lot again is a no-op, so a recall can be repeated safely.
    /// @dev Callable by a REGULATOR. Emits `LotRecalled` per newly recalled lot, here and at the later stages.
    /// Reverts with `StageUnauthorized`, `LotNotFound`.
    /// @param lotIds the lots to recall
    /// @param reason the regulator's reference for the recall
    function recallLots(uint256[] calldata lotIds, bytes32 reason) external;

    /// @notice Carries a recall by regulator `regulatorId` on to this stage for lots the previous stage supplied.
    /// @dev Only the previous stage contract. Emits `LotRecalled` per newly recalled lot. Reverts with
    /// `StageCallerNotPrevious`, `LotNotFound`.
    /// @param lotIds the lots recalled
    /// @param regulatorId participant id of the regulator who recalled them
    /// @param reason the regulator's reference for the recall
    function forwardRecall(uint256[] calldata lotIds, uint32 regulatorId, bytes32 reason) external;

    /// @notice Sets the stage contract acknowledged lots are handed to (once).
    /// @dev Callable by the registry admin. Emits `NextStageSet`. Reverts with `StageUnauthorized`,
    /// `StageNextAlreadySet`, `StageInvalidNext`.
    /// @param next the next stage contract (stage + 1, same registry, this as its previous)
    function setNextStage(address next) external;

    /// @notice Sets the quality ledger that records QAT scans and sensor batches of lots held here (once).
    /// @dev Callable by the registry admin. Emits `QualityLedgerSet`. Reverts with `StageUnauthorized`,
    /// `StageLedgerAlreadySet`, `StageInvalidLedger`.
    /// @param ledger the quality ledger (its stage at this stage's number is this contract, same registry)
    function setQualityLedger(address ledger) external;

    /// @notice Raises quality `flags` on `lotId` (excursion, species mismatch, freshness warning).
    /// @dev Only the quality ledger, which checked the scan or batch behind them. Emits `LotFlagged`. Reverts with
    /// `StageCallerNotLedger`, `StageInvalidFlags`, `LotNotFound`.
    /// @param lotId the lot
    /// @param flags the quality flags to raise (EXCURSION, SPECIES_MISMATCH, FRESHNESS_WARNING)
    function flagLot(uint256 lotId, uint8 flags) external;

    /// @notice The quality ledger of this stage (zero until set).
    function qualityLedger() external view returns (address);

    /// @notice The stored record of `lotId` as the one word `LotCodec` packs (zero when unknown): what the quality
    /// ledger reads to locate a lot and its custodian in one call.
    /// @param lotId the lot
    function lotWord(uint256 lotId) external view returns (LotWord);

    /// @notice The whole stored record of `lotId` (zeroed when unknown). At a stage the lot has left (`Supplied`),
    /// `custodianId` still names who held it here.
    /// @param lotId the lot
    function getLot(uint256 lotId) external view returns (Lot memory);

    /// @notice The latest environmental status of `lotId` (the paper's Query_status).
    /// @return readAt time of the latest reading, 0 when none
    /// @return temperature hundredths of a degree Celsius
    /// @return humidity percent
    /// @return latitude 1e-5 degrees
    /// @return longitude 1e-5 degrees
    /// @return flags the lot's flags (`LotFlags`)
    /// @param lotId the lot
    function queryStatus(
        uint256 lotId
    )
        external
        view
        returns (uint40 readAt, int16 temperature, uint8 humidity, int32 latitude, int32 longitude, uint8 flags);

    /// @notice The latest QAT inspection of `lotId` (from the quality ledger, wherever it was scanned) and the lot's
    /// flags here (the paper's Query_QAT); the inspection is zeroed until the lot is scanned.
    /// @param lotId the lot
    /// @return inspection the latest QAT inspection (zero when none)
    /// @return flags the lot's flags here
    function queryQAT(uint256 lotId) external view returns (Inspection memory inspection, uint8 flags);

    /// @notice Lots and grams of `species` available at this stage (the paper's Total_available_fish).
    /// @param species the species
    function totalAvailableFish(bytes3 species) external view returns (Totals memory);

    /// @notice Lots and grams of `species` this stage has supplied onward (the paper's Total_supplied_fish).
    /// @param species the species
    function totalSuppliedFish(bytes3 species) external view returns (Totals memory);

    /// @notice This contract's stage: 1 = Harvester … 6 = Customer.
    function stage() external view returns (uint8);

    /// @notice The stage contract lots come from (zero for the Harvester).
    function previousStage() external view returns (address);

    /// @notice The stage contract acknowledged lots go to (zero until set; always zero for the Customer).
    function nextStage() external view returns (address);

    /// @notice The lots `lotId` was made from at this stage (empty unless a Manufacturer processed them into it).
    /// @param lotId the lot
    function parentsOf(uint256 lotId) external view returns (uint256[] memory);
}
