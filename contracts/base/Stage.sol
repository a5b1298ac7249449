// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";

import {IQualityLedger} from "../interfaces/IQualityLedger.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {IStage} from "../interfaces/IStage.sol";
import {ColdChain} from "../libraries/ColdChain.sol";
import {LotWord} from "../libraries/LotCodec.sol";
import {LotFlags} from "../libraries/LotFlags.sol";
import {Probe} from "../libraries/Probe.sol";
import {Roles} from "../libraries/Roles.sol";
import {RegistryReplica} from "./RegistryReplica.sol";

/// @title Stage
/// @notice What every FishTrace actor contract shares: the registry check on every state change, the lots held
/// at this stage with their one custodian, environmental readings, inventory totals and the paper's queries.
/// @dev Each lot is one storage slot (see `IStage.Lot`). Lots enter a stage only through `_createLot`: the
/// Harvester registers catches, later stages receive lots from the stage before.
/// Every actor is read through `_msgSender()` (OpenZeppelin `ERC2771Context`): a call relayed by the registry's
/// trusted forwarder acts as the participant that signed it, so a sponsor can pay an actor's gas. Calls only other
/// contracts make (the registry's pushes, the previous stage's hand-overs, the ledger's flags) check `msg.sender`.
abstract contract Stage is IStage, RegistryReplica, ERC2771Context {
    /// @dev The flags the quality ledger may raise.
    uint8 private constant _QUALITY_FLAGS = LotFlags.EXCURSION | LotFlags.SPECIES_MISMATCH | LotFlags.FRESHNESS_WARNING;

    /// @dev A species' listing as the registry last pushed it here; unsynced means ask the registry. Kept in the
    /// species' `_available` slot above its `Totals` (lots 64 | grams 96 | updatedAt 40 | listing 8), so that
    /// registering a lot checks its species with the read of the slot it writes anyway (no cold read of its own).
    uint256 private constant _UNSYNCED = 0;
    uint256 private constant _LISTED = 1;
    uint256 private constant _DELISTED = 2;
    uint256 private constant _LISTING_SHIFT = 200;

    /// @dev Positions are 1e-5 degrees.
    int32 private constant _MAX_LATITUDE = 90_00000;
    int32 private constant _MAX_LONGITUDE = 180_00000;

    uint8 internal immutable _STAGE;
    /// @dev The actor role bit of this stage: the role lot custodians here hold.
    uint16 internal immutable _ACTOR_BIT;
    /// @dev The stage contract lots come from; zero for the Harvester.
    address internal immutable _PREVIOUS;

    /// @dev Each lot is one word packed by `LotCodec`. Written only by the transitions below, so a lot's status and
    /// the totals that count it change together. An `_available` slot also holds its species' listing in the byte
    /// above the `Totals` (`_listing`): totals are only ever written field by field, which keeps that byte.
    mapping(uint256 lotId => LotWord word) private _lots;
    mapping(bytes3 species => Totals) private _available;
    mapping(bytes3 species => Totals) private _supplied;

    /// @dev Layout (1 slot): lotCount 64 | orderCount 64 | escrowed 120 | paused 8. Kept together because
    /// registering a lot and placing an order each touch it once, so their pause check reads a warm slot (100 gas,
    /// not a cold 2,100). 2^120 wei is far above all the Ether there is.
    uint64 private _lotCount;
    uint64 private _orderCount;
    uint120 private _escrowed;
    bool private _paused;

    /// @dev The stage contract acknowledged lots are handed to; set once by the registry admin.
    address private _next;
    /// @dev The quality ledger (QAT scans, sensor batches); set once by the registry admin.
    address private _ledger;

    /// @notice Sets the stage's number, actor role and previous stage, fixed for its lifetime.
    /// @param registry_ the FishTrace registry
    /// @param stage_ 1 = Harvester … 6 = Customer
    /// @param previous_ the stage contract lots come from (zero for the Harvester)
    constructor(
        IRegistry registry_,
        uint8 stage_,
        address previous_
    ) RegistryReplica(registry_) ERC2771Context(registry_.trustedForwarder()) {
        _STAGE = stage_;
        _ACTOR_BIT = Roles.actorBit(stage_);
        _PREVIOUS = previous_;
    }

    // ------------------------------------------------------------------ paper functions

    /// @inheritdoc IStage
    function updateFish(
        uint256 lotId,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude,
        uint40 readAt
    ) external {
        _requireNotPaused();
        address sender = _msgSender();
        (IRegistry.Authorization memory auth, uint16 operatorRoles) = _deviceAuthorization(sender);
        uint32 actorId;
        if (auth.roles & _ACTOR_BIT != 0) actorId = auth.id;
        else if (auth.roles & Roles.SENSOR_GATEWAY_BIT != 0 && operatorRoles & _ACTOR_BIT != 0) {
            // A gateway acts here only while its operator holds this stage's role (audit F5).
            actorId = auth.operatorId;
        } else revert StageUnauthorized(sender, _ACTOR_BIT | Roles.SENSOR_GATEWAY_BIT);

        LotWord word = _lots[lotId];
        _requireCustody(lotId, word, actorId);
        LotStatus status = word.status();
        if (status != LotStatus.Created && status != LotStatus.Shipped) {
            revert LotInvalidStatus(lotId, status, LotStatus.Created);
        }
        if (humidity > 100) revert StageInvalidHumidity(humidity);
        _requirePosition(latitude, longitude);
        if (readAt > block.timestamp) revert StageTimeInFuture(readAt, uint40(block.timestamp));

        uint8 flags = word.flags();
        (int16 minimum, int16 maximum) = ColdChain.band(flags);
        bool excursion = temperature < minimum || temperature > maximum;
        // An older reading (a late upload) is recorded and checked, but does not replace a newer status.
        if (readAt >= word.readAt()) word = word.withReading(readAt, temperature, humidity, latitude, longitude);
        if (excursion) word = word.withFlags(flags | LotFlags.EXCURSION);
        _lots[lotId] = word;

        emit FishUpdated(lotId, auth.id, readAt, temperature, humidity, latitude, longitude);
        if (excursion) emit ColdChainExcursion(lotId, readAt, temperature, minimum, maximum);
    }

    /// @inheritdoc IStage
    function removeFish(uint256 lotId, RemovalReason reason) external {
        _requireNotPaused();
        uint32 actorId = _requireRole(_ACTOR_BIT).id;
        LotWord word = _lots[lotId];
        _requireCustody(lotId, word, actorId);
        _requireStatus(lotId, word.status(), LotStatus.Created);

        _removeLot(lotId, word);

        emit FishRemoved(lotId, actorId, reason);
    }

    /// @inheritdoc IStage
    function receiveLots(
        uint256 orderId,
        uint32 buyerId,
        uint256[] calldata lotIds,
        LotWord[] calldata words
    ) external {
        _requirePrevious();
        for (uint256 i; i < lotIds.length; ++i) {
            uint256 lotId = lotIds[i];
            if (!_lots[lotId].isEmpty()) revert LotAlreadyExists(lotId);
            // `_createLot`, written out: a second call site would stop the optimizer inlining it in registerFish.
            LotWord word = words[i].withCustodian(buyerId).withStatus(LotStatus.Created);
            _lots[lotId] = word;
            _add(_available[word.species()], 1, word.weightGrams());
            emit LotReceived(lotId, buyerId, orderId);
        }
    }

    /// @inheritdoc IStage
    function recallLots(uint256[] calldata lotIds, bytes32 reason) external {
        _recall(lotIds, _requireRole(Roles.REGULATOR_BIT).id, reason);
    }

    /// @inheritdoc IStage
    function forwardRecall(uint256[] calldata lotIds, uint32 regulatorId, bytes32 reason) external {
        _requirePrevious();
        _recall(lotIds, regulatorId, reason);
    }

    /// @inheritdoc IStage
    function setNextStage(address next) external {
        _requireRole(Roles.ADMIN_BIT);
        if (_next != address(0)) revert StageNextAlreadySet(_next);
        if (
            Probe.word(next, IStage.stage.selector) != _STAGE + 1 ||
            Probe.word(next, IStage.previousStage.selector) != uint256(uint160(address(this))) ||
            Probe.word(next, RegistryReplica.registry.selector) != uint256(uint160(address(_REGISTRY)))
        ) revert StageInvalidNext(next);
        _next = next;
        emit NextStageSet(next);
    }

    /// @inheritdoc IStage
    function setQualityLedger(address ledger) external {
        _requireRole(Roles.ADMIN_BIT);
        if (_ledger != address(0)) revert StageLedgerAlreadySet(_ledger);
        if (
            Probe.word(ledger, abi.encodeCall(IQualityLedger.stageAt, (_STAGE))) != uint256(uint160(address(this))) ||
            Probe.word(ledger, RegistryReplica.registry.selector) != uint256(uint160(address(_REGISTRY)))
        ) revert StageInvalidLedger(ledger);
        _ledger = ledger;
        emit QualityLedgerSet(ledger);
    }

    /// @inheritdoc IStage
    function flagLot(uint256 lotId, uint8 flags) external {
        if (msg.sender != _ledger || msg.sender == address(0)) revert StageCallerNotLedger(msg.sender);
        if (flags & ~_QUALITY_FLAGS != 0) revert StageInvalidFlags(flags);
        LotWord word = _lots[lotId];
        if (word.status() == LotStatus.None) revert LotNotFound(lotId);
        _raiseFlags(lotId, word, flags);
        emit LotFlagged(lotId, flags);
    }

    /// @inheritdoc IStage
    function qualityLedger() external view returns (address) {
        return _ledger;
    }

    /// @inheritdoc IStage
    function lotWord(uint256 lotId) external view returns (LotWord) {
        return _lots[lotId];
    }

    /// @inheritdoc IStage
    function previousStage() external view returns (address) {
        return _PREVIOUS;
    }

    /// @inheritdoc IStage
    function nextStage() external view returns (address) {
        return _next;
    }

    /// @inheritdoc IStage
    function parentsOf(uint256) external view virtual returns (uint256[] memory parents) {
        return parents;
    }

    /// @inheritdoc IStage
    function getLot(uint256 lotId) external view returns (Lot memory) {
        return _lot(lotId);
    }

    /// @inheritdoc IStage
    function queryStatus(
        uint256 lotId
    )
        external
        view
        returns (uint40 readAt, int16 temperature, uint8 humidity, int32 latitude, int32 longitude, uint8 flags)
    {
        Lot memory lot = _lot(lotId);
        if (lot.status == LotStatus.None) revert LotNotFound(lotId);
        return (lot.readAt, lot.temperature, lot.humidity, lot.latitude, lot.longitude, lot.flags);
    }

    /// @inheritdoc IStage
    function queryQAT(uint256 lotId) external view returns (Inspection memory inspection, uint8 flags) {
        flags = _lots[lotId].flags();
        address ledger = _ledger;
        if (ledger != address(0)) inspection = IQualityLedger(ledger).inspectionOf(lotId);
    }

    /// @inheritdoc IStage
    function totalAvailableFish(bytes3 species) external view returns (Totals memory) {
        return _available[species];
    }

    /// @inheritdoc IStage
    function totalSuppliedFish(bytes3 species) external view returns (Totals memory) {
        return _supplied[species];
    }

    /// @inheritdoc IStage
    function stage() external view returns (uint8) {
        return _STAGE;
    }

    // ------------------------------------------------------------------ internals for the actors

    /// @dev Reverts with `StagePaused` while a PAUSER has paused this stage. Every business function calls it first;
    /// settlement (`withdraw`, `cancelOrder`, `rejectDelivery`, `claimPayment`), `receiveLots`, recalls, `flagLot`
    /// and the administrator's links do not, so money owed never waits for an unpause.
    function _requireNotPaused() internal view {
        if (_paused) revert StagePaused(_STAGE);
    }

    /// @dev Whether the registry lists `species`: as it last pushed here, or asked of it when it pushed nothing yet
    /// (a species listed before this stage was attached). The registry is only read (a static call).
    function _isSpeciesListed(bytes3 species) internal view returns (bool) {
        uint256 listing = _listing(_available[species]);
        return listing == _LISTED || (listing == _UNSYNCED && _REGISTRY.isSpeciesListed(species));
    }

    /// @dev The caller's (the signer's, when relayed) registry record; reverts with `StageUnauthorized` unless it
    /// holds one of `bits`.
    function _requireRole(uint16 bits) internal view returns (IRegistry.Authorization memory auth) {
        address sender = _msgSender();
        auth = _authorization(sender);
        if (auth.roles & bits == 0) revert StageUnauthorized(sender, bits);
    }

    /// @dev The stored record of `lotId` (all zero when unknown).
    function _lot(uint256 lotId) internal view returns (Lot memory) {
        return _lots[lotId].decode();
    }

    /// @dev The stored word of `lotId` (empty when unknown).
    function _lotWord(uint256 lotId) internal view returns (LotWord) {
        return _lots[lotId];
    }

    /// @dev The next stage contract; reverts with `StageNextNotSet` until the administrator linked one.
    function _requireNext() internal view returns (address next) {
        next = _next;
        if (next == address(0)) revert StageNextNotSet();
    }

    /// @dev How many orders this stage has taken, and the Ether their buyers' escrow holds.
    function _orderTotals() internal view returns (uint256 orders, uint256 escrowed) {
        return (_orderCount, _escrowed);
    }

    // Transitions: each writes a lot's word and the totals that count it together, or an order's count and its
    // escrow together. Callers have checked the lot's custody and status; the word passed is the stored one.

    /// @dev The id of a new lot registered here: one more than the last. Reverts with `StagePaused` while the stage
    /// is paused: the flag shares the counter's slot, so checking it here costs no second read.
    function _newLotId() internal returns (uint256) {
        _requireNotPaused();
        return ++_lotCount;
    }

    /// @dev The first of `count` consecutive new lot ids, with one write of the counter; `_newLotId` for a batch.
    function _newLotIds(uint256 count) internal returns (uint256 first) {
        _requireNotPaused();
        uint64 last = _lotCount;
        first = uint256(last) + 1;
        _lotCount = last + uint64(count);
    }

    /// @dev The id of a new order whose buyer paid `price` into escrow.
    function _newOrder(uint256 price) internal returns (uint256 orderId) {
        orderId = ++_orderCount;
        _escrowed += uint120(price);
    }

    /// @dev `price` leaves escrow (paid to the seller or refunded to the buyer).
    function _releaseEscrow(uint96 price) internal {
        _escrowed -= price;
    }

    /// @dev Puts a new available lot, `word` as `LotCodec.created` packs it, in its custodian's custody here.
    function _createLot(uint256 lotId, LotWord word) internal {
        _lots[lotId] = word;
        _add(_available[word.species()], 1, word.weightGrams());
    }

    /// @dev `_createLot` for a batch: puts the new lot in custody here; the caller adds a run of lots of one species
    /// to the inventory with one `_stockLots`.
    function _putLot(uint256 lotId, LotWord word) internal {
        _lots[lotId] = word;
    }

    /// @dev Adds `lots` new lots put here by `_putLot`, weighing `grams` together, to `species`' inventory.
    function _stockLots(bytes3 species, uint64 lots, uint96 grams) internal {
        _add(_available[species], lots, grams);
    }

    /// @dev An available lot leaves the inventory for good (`removeFish`, consumed whole by processing).
    function _removeLot(uint256 lotId, LotWord word) internal {
        _lots[lotId] = word.withStatus(LotStatus.Removed);
        _subtract(_available[word.species()], 1, word.weightGrams());
    }

    /// @dev `grams`, less than the lot weighs (the caller checked), are taken from an available lot for processing.
    function _drawFromLot(uint256 lotId, LotWord word, uint40 grams) internal {
        uint40 left;
        unchecked {
            left = word.weightGrams() - grams;
        }
        _lots[lotId] = word.withWeight(left);
        _subtract(_available[word.species()], 0, grams);
    }

    /// @dev An available lot is shipped: it leaves the inventory but stays in the seller's custody. Returns its grams.
    function _shipLot(uint256 lotId, LotWord word) internal returns (uint40 grams) {
        grams = word.weightGrams();
        _lots[lotId] = word.withStatus(LotStatus.Shipped);
        _subtract(_available[word.species()], 1, grams);
    }

    /// @dev A shipped lot comes back (a rejected delivery) and is available again.
    function _returnLot(uint256 lotId, LotWord word) internal {
        _lots[lotId] = word.withStatus(LotStatus.Created);
        _add(_available[word.species()], 1, word.weightGrams());
    }

    /// @dev A shipped lot was handed over to the next stage: supplied, with the seller kept as its holder here.
    function _supplyLot(uint256 lotId, LotWord word) internal {
        _lots[lotId] = word.withStatus(LotStatus.Supplied);
        _add(_supplied[word.species()], 1, word.weightGrams());
    }

    /// @dev Raises `flags` on a lot; its status and the totals stay.
    function _raiseFlags(uint256 lotId, LotWord word, uint8 flags) internal {
        _lots[lotId] = word.withFlags(word.flags() | flags);
    }

    /// @dev Flags `lotIds` recalled here and carries the recall on for the newly recalled lots that already left
    /// this stage (their records at the next stage exist: the hand-over created them).
    function _recall(uint256[] calldata lotIds, uint32 regulatorId, bytes32 reason) internal {
        uint256[] memory onward = new uint256[](lotIds.length);
        uint256 forwarded;
        for (uint256 i; i < lotIds.length; ++i) {
            uint256 lotId = lotIds[i];
            LotWord word = _lots[lotId];
            if (word.status() == LotStatus.None) revert LotNotFound(lotId);
            uint8 flags = word.flags();
            if (flags & LotFlags.RECALLED != 0) continue;
            _raiseFlags(lotId, word, LotFlags.RECALLED);
            emit LotRecalled(lotId, regulatorId, reason);
            if (word.status() == LotStatus.Supplied) onward[forwarded++] = lotId;
        }
        if (forwarded != 0) {
            assembly ("memory-safe") {
                mstore(onward, forwarded)
            }
            IStage(_next).forwardRecall(onward, regulatorId, reason);
        }
    }

    /// @dev ERC-2771: the signer a call relayed by the trusted forwarder appends to its calldata, else the caller.
    /// `ERC2771Context._msgSender`, written so that a direct call costs one comparison with the forwarder.
    function _msgSender() internal view override returns (address sender) {
        sender = msg.sender;
        if (sender == trustedForwarder() && msg.data.length >= 20) {
            assembly ("memory-safe") {
                sender := shr(96, calldataload(sub(calldatasize(), 20)))
            }
        }
    }

    function _isPaused() internal view override returns (bool) {
        return _paused;
    }

    function _storePaused(bool value) internal override {
        _paused = value;
    }

    function _storeSpeciesListed(bytes3 code, bool listed) internal override {
        Totals storage totals = _available[code];
        uint256 listing = listed ? _LISTED : _DELISTED;
        uint256 shift = _LISTING_SHIFT;
        assembly ("memory-safe") {
            let slot := totals.slot
            sstore(slot, or(and(sload(slot), sub(shl(shift, 1), 1)), shl(shift, listing)))
        }
    }

    /// @dev The listing byte of a species' `_available` slot.
    function _listing(Totals storage totals) private view returns (uint256 listing) {
        uint256 shift = _LISTING_SHIFT;
        assembly ("memory-safe") {
            listing := shr(shift, sload(totals.slot))
        }
    }

    /// @dev Only the previous stage contract hands lots and recalls on; the Harvester has none.
    function _requirePrevious() private view {
        if (msg.sender != _PREVIOUS || _PREVIOUS == address(0)) revert StageCallerNotPrevious(msg.sender);
    }

    /// @dev Reverts with `LotIsRecalled` when the lot packed in `word` was recalled.
    function _requireNotRecalled(uint256 lotId, LotWord word) internal pure {
        if (word.flags() & LotFlags.RECALLED != 0) revert LotIsRecalled(lotId);
    }

    /// @dev Reverts unless the lot packed in `word` exists and participant `actorId` holds it.
    function _requireCustody(uint256 lotId, LotWord word, uint32 actorId) internal pure {
        if (word.status() == LotStatus.None) revert LotNotFound(lotId);
        if (word.custodianId() != actorId) revert LotNotInCustody(lotId, word.custodianId(), actorId);
    }

    function _requireStatus(uint256 lotId, LotStatus current, LotStatus expected) internal pure {
        if (current != expected) revert LotInvalidStatus(lotId, current, expected);
    }

    function _requirePosition(int32 latitude, int32 longitude) internal pure {
        if (!_isOnEarth(latitude, longitude)) revert StageInvalidPosition(latitude, longitude);
    }

    /// @dev Whether a position in 1e-5 degrees is a latitude and a longitude.
    function _isOnEarth(int32 latitude, int32 longitude) internal pure returns (bool) {
        return
            latitude <= _MAX_LATITUDE &&
            latitude >= -_MAX_LATITUDE &&
            longitude <= _MAX_LONGITUDE &&
            longitude >= -_MAX_LONGITUDE;
    }

    // The three fields share one slot: read once, written once (no copy of the struct in memory).
    function _add(Totals storage totals, uint64 lots, uint96 grams) private {
        (uint64 held, uint96 total) = (totals.lots, totals.grams);
        (totals.lots, totals.grams, totals.updatedAt) = (held + lots, total + grams, uint40(block.timestamp));
    }

    function _subtract(Totals storage totals, uint64 lots, uint40 grams) private {
        (uint64 held, uint96 total) = (totals.lots, totals.grams);
        (totals.lots, totals.grams, totals.updatedAt) = (held - lots, total - grams, uint40(block.timestamp));
    }
}
