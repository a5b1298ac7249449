// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {IRegistryReplica} from "../../contracts/interfaces/IRegistryReplica.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotCodec, LotWord} from "../../contracts/libraries/LotCodec.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {Vm} from "./utils/Vm.sol";

/// @notice The world every stage's behaviour suite starts from, stage `_s()` being the one under test: two 250 kg COD
/// lots and a 300 kg HER lot in the custody of its first actor (`holder`), a 250 kg COD lot of its second (`other`),
/// and, at the five stages that sell, order 1: the next stage's first actor (`buyer`) ordered 400 kg of COD from
/// `holder` for 1 ETH, to ship within a day, with two days to acknowledge. Besides the fixture's participants: a
/// SENSOR_GATEWAY operated by `harvester1`, a QAT_DEVICE operated by `supplier1` and a RELAYER.
abstract contract StageWorld is FishTraceTest {
    uint40 internal constant LOT_GRAMS = 250_000;
    uint40 internal constant HER_GRAMS = 300_000;
    uint40 internal constant ORDER_GRAMS = 400_000;
    uint256 internal constant PRICE = 1 ether;
    uint32 internal constant ACK_WINDOW = 2 days;
    uint64 internal constant SHIPMENT_NO = 77;
    /// @dev Never listed.
    bytes3 internal constant POK = "POK";
    bytes32 internal constant RECALL = "Listeria, batch 7";
    bytes32 internal constant REJECTION = "QAT: species mismatch";
    uint256 internal constant UNKNOWN_LOT = 999;

    address internal holder;
    address internal other;
    uint32 internal holderId;
    uint32 internal otherId;
    uint32 internal regulatorId;
    /// @dev A SENSOR_GATEWAY operated by `harvester1`.
    address internal gateway;
    /// @dev A QAT_DEVICE operated by `supplier1`.
    address internal qat;
    address internal relayer;
    uint256[] internal cod;
    uint256 internal had;
    uint256 internal othersLot;

    // At the selling stages (1-5):
    address internal buyer;
    address internal buyer2;
    uint32 internal buyerId;
    uint32 internal buyer2Id;
    uint256 internal orderId;
    uint40 internal shipBy;

    /// @dev The stage under test: 1 = Harvester … 6 = Customer.
    function _s() internal pure virtual returns (uint8);

    function setUp() public {
        uint8 s = _s();
        _deployWithParticipants();
        gateway = makeAddr("gateway");
        qat = makeAddr("qat");
        relayer = makeAddr("relayer");
        _registerDevice(gateway, Roles.SENSOR_GATEWAY, harvester1);
        _registerDevice(qat, Roles.QAT_DEVICE, supplier1);
        _register(relayer, Roles.RELAYER);

        holder = _actor(s, 0);
        other = _actor(s, 1);
        holderId = _idOf(holder);
        otherId = _idOf(other);
        regulatorId = _idOf(regulator);
        cod = _lotsAt(s, COD, LOT_GRAMS, LOT_GRAMS);
        had = _lotAt(s, HER, HER_GRAMS);
        othersLot = _lotHeldBy(s, other, COD, LOT_GRAMS);
        if (s == 6) return;

        buyer = _actor(s + 1, 0);
        buyer2 = _actor(s + 1, 1);
        buyerId = _idOf(buyer);
        buyer2Id = _idOf(buyer2);
        shipBy = uint40(_now() + 1 days);
        orderId = _placeAt(s, buyer, holder, COD, ORDER_GRAMS, PRICE, shipBy, ACK_WINDOW);
    }

    // ------------------------------------------------------------------ helpers

    function _here() internal view returns (IStage) {
        return _stage(_s());
    }

    /// @dev The actor role bit of stage `s`.
    function _bit(uint8 s) internal pure returns (uint16) {
        return Roles.actorBit(s);
    }

    function _unauthorized(address account, uint16 bits) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IStage.StageUnauthorized.selector, account, bits);
    }

    function _lotNotFound(uint256 lotId) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IStage.LotNotFound.selector, lotId);
    }

    function _notInCustody(uint256 lotId, uint32 custodianId, uint32 callerId) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IStage.LotNotInCustody.selector, lotId, custodianId, callerId);
    }

    function _invalidStatus(
        uint256 lotId,
        IStage.LotStatus current,
        IStage.LotStatus expected
    ) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IStage.LotInvalidStatus.selector, lotId, current, expected);
    }

    function _notPrevious(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IStage.StageCallerNotPrevious.selector, caller);
    }

    function _invalidNext(address next) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IStage.StageInvalidNext.selector, next);
    }

    function _isRecalled(uint256 lotId) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IStage.LotIsRecalled.selector, lotId);
    }

    function _recall(uint8 s, uint256[] memory lotIds) internal {
        vm.prank(regulator);
        _stage(s).recallLots(lotIds, RECALL);
    }

    function _remove(address by, uint256 lotId, IStage.RemovalReason reason) internal {
        vm.prank(by);
        _here().removeFish(lotId, reason);
    }

    /// @dev A reading as the suites take one: 2 °C, 85 %, in Oslo, a minute before the current block.
    function _reading() internal view returns (Reading memory) {
        return
            Reading({
                temperature: 200,
                humidity: 85,
                latitude: 59_91390,
                longitude: 10_75220,
                readAt: uint40(_now() - 60)
            });
    }

    function _update(IStage on, address by, uint256 lotId, Reading memory r) internal {
        vm.prank(by);
        on.updateFish(lotId, r.temperature, r.humidity, r.latitude, r.longitude, r.readAt);
    }

    /// @dev A new SENSOR_GATEWAY operated by `operator`.
    function _gatewayOf(address operator, string memory name) internal returns (address device) {
        device = makeAddr(name);
        _registerDevice(device, Roles.SENSOR_GATEWAY, operator);
    }

    /// @dev Accounts with no role that lets them act on this stage's lots: the first actors of the neighbouring
    /// stages, the regulator, the admin and an unregistered account.
    function _strangers() internal view returns (address[] memory callers) {
        uint8 s = _s();
        callers = new address[](s == 1 || s == 6 ? 4 : 5);
        uint256 i;
        if (s > 1) callers[i++] = _actor(s - 1, 0);
        if (s < 6) callers[i++] = _actor(s + 1, 0);
        callers[i++] = regulator;
        callers[i++] = admin;
        callers[i++] = stranger;
    }

    /// @dev How many of `logs` are `topic0` events emitted by `emitter`.
    function _count(Vm.Log[] memory logs, address emitter, bytes32 topic0) internal pure returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics.length != 0 && logs[i].topics[0] == topic0) ++n;
        }
    }

    function _one(Vm.Log memory log) internal pure returns (Vm.Log[] memory logs) {
        logs = new Vm.Log[](1);
        logs[0] = log;
    }

    function _assertLot(IStage.Lot memory actual, IStage.Lot memory expected, string memory what) internal pure {
        assertEq(actual.custodianId, expected.custodianId, string.concat(what, ": custodian"));
        assertEq(actual.weightGrams, expected.weightGrams, string.concat(what, ": weight"));
        assertEq(bytes32(actual.species), bytes32(expected.species), string.concat(what, ": species"));
        assertEq(uint256(actual.status), uint256(expected.status), string.concat(what, ": status"));
        assertEq(actual.flags, expected.flags, string.concat(what, ": flags"));
        assertEq(actual.readAt, expected.readAt, string.concat(what, ": readAt"));
        assertEq(actual.temperature, expected.temperature, string.concat(what, ": temperature"));
        assertEq(actual.humidity, expected.humidity, string.concat(what, ": humidity"));
        assertEq(actual.latitude, expected.latitude, string.concat(what, ": latitude"));
        assertEq(actual.longitude, expected.longitude, string.concat(what, ": longitude"));
    }

    function _assertTotals(IStage.Totals memory t, uint256 lots, uint256 grams, string memory what) internal pure {
        assertEq(t.lots, lots, string.concat(what, ": lots"));
        assertEq(t.grams, grams, string.concat(what, ": grams"));
    }

    function _status(IStage on, uint256 lotId) internal view returns (uint256) {
        return uint256(on.getLot(lotId).status);
    }
}

/// @notice What every stage shares, run against each of the six actor contracts: lots entering only the way the
/// stage allows, custody, readings, removal, queries, totals, recall, the hand-over from the previous stage and the
/// once-only link to the next. (Formerly test/contracts/stage-behaviour.test.ts, run in mocha.)
abstract contract StageBehaviour is StageWorld {
    function test_isItsStageOfTheRegistry() public view {
        uint8 s = _s();
        IStage stage = _here();
        assertEq(stage.stage(), s, "stage number");
        assertEq(IRegistryReplica(address(stage)).registry(), address(registry), "registry");
        assertEq(stage.previousStage(), s == 1 ? address(0) : address(_stage(s - 1)), "previous stage");
        assertEq(stage.nextStage(), s == 6 ? address(0) : address(_stage(s + 1)), "next stage");
    }

    // ------------------------------------------------------------------ how lots enter

    function test_receiveLots_RevertWhen_CallerNotPrevious() public {
        uint8 s = _s();
        address[] memory callers = new address[](13);
        uint256 n;
        callers[n++] = admin;
        callers[n++] = holder;
        callers[n++] = regulator;
        callers[n++] = relayer;
        callers[n++] = stranger;
        for (uint8 t = 1; t <= 6; ++t) {
            if (t + 1 != s) callers[n++] = address(_stage(t));
        }
        callers[n++] = address(registry);
        callers[n++] = address(ledger);
        for (uint256 i; i < n; ++i) {
            vm.expectRevert(_notPrevious(callers[i]));
            vm.prank(callers[i]);
            _here().receiveLots(1, holderId, _ids(9_000), _words(LotWord.wrap(1)));
        }
    }

    // ------------------------------------------------------------------ updateFish

    function test_updateFish_byCustodian() public {
        Reading memory r = _reading();
        vm.expectEmit(true, true, true, true, address(_here()));
        emit IStage.FishUpdated(cod[0], holderId, r.readAt, r.temperature, r.humidity, r.latitude, r.longitude);
        _update(_here(), holder, cod[0], r);
        (uint40 readAt, int16 temperature, uint8 humidity, int32 latitude, int32 longitude, uint8 flags) = _here()
            .queryStatus(cod[0]);
        assertEq(readAt, r.readAt, "readAt");
        assertEq(temperature, r.temperature, "temperature");
        assertEq(humidity, r.humidity, "humidity");
        assertEq(latitude, r.latitude, "latitude");
        assertEq(longitude, r.longitude, "longitude");
        assertEq(flags, 0, "flags");
    }

    function test_updateFish_byCustodiansGateway_flagsExcursion() public {
        address device = _gatewayOf(holder, "holder's gateway");
        uint32 deviceId = _idOf(device);
        Reading memory r = _reading();
        r.temperature = 800;
        vm.expectEmit(true, true, true, true, address(_here()));
        emit IStage.FishUpdated(cod[0], deviceId, r.readAt, r.temperature, r.humidity, r.latitude, r.longitude);
        vm.expectEmit(true, true, true, true, address(_here()));
        emit IStage.ColdChainExcursion(cod[0], r.readAt, r.temperature, 0, 400);
        _update(_here(), device, cod[0], r);
        assertEq(_here().getLot(cod[0]).flags, LotFlags.EXCURSION, "flags");
    }

    function test_updateFish_RevertWhen_OtherParticipantOrItsGateway() public {
        address[2] memory callers = [other, _gatewayOf(other, "other's gateway")];
        Reading memory r = _reading();
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(_notInCustody(cod[0], holderId, otherId));
            _update(_here(), callers[i], cod[0], r);
        }
    }

    function test_updateFish_RevertWhen_Unauthorized() public {
        address[] memory strangers = _strangers();
        Reading memory r = _reading();
        uint16 bits = _bit(_s()) | Roles.SENSOR_GATEWAY_BIT;
        for (uint256 i; i <= strangers.length; ++i) {
            address caller = i < strangers.length ? strangers[i] : qat;
            vm.expectRevert(_unauthorized(caller, bits));
            _update(_here(), caller, cod[0], r);
        }
    }

    function test_updateFish_RevertWhen_LotNotFound() public {
        Reading memory r = _reading();
        vm.expectRevert(_lotNotFound(UNKNOWN_LOT));
        _update(_here(), holder, UNKNOWN_LOT, r);
    }

    function test_updateFish_RevertWhen_LotRemoved() public {
        _remove(holder, cod[0], IStage.RemovalReason.Discarded);
        Reading memory r = _reading();
        vm.expectRevert(_invalidStatus(cod[0], IStage.LotStatus.Removed, IStage.LotStatus.Created));
        _update(_here(), holder, cod[0], r);
    }

    function test_updateFish_RevertWhen_BadReading() public {
        Reading memory r = _reading();
        r.humidity = 101;
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidHumidity.selector, uint8(101)));
        _update(_here(), holder, cod[0], r);

        r = _reading();
        r.latitude = 90_00001;
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidPosition.selector, int32(90_00001), r.longitude));
        _update(_here(), holder, cod[0], r);

        uint40 t = uint40(_now() + 10);
        vm.warp(t);
        r = _reading();
        r.readAt = t + 1;
        vm.expectRevert(abi.encodeWithSelector(IStage.StageTimeInFuture.selector, t + 1, t));
        _update(_here(), holder, cod[0], r);
    }

    // ------------------------------------------------------------------ removeFish

    function test_removeFish_takesLotOutOfInventory() public {
        IStage stage = _here();
        IStage.Totals memory before = stage.totalAvailableFish(COD);
        vm.expectEmit(true, true, true, true, address(stage));
        emit IStage.FishRemoved(cod[0], holderId, IStage.RemovalReason.Consumed);
        _remove(holder, cod[0], IStage.RemovalReason.Consumed);
        IStage.Lot memory lot = stage.getLot(cod[0]);
        assertEq(uint256(lot.status), uint256(IStage.LotStatus.Removed), "status");
        assertEq(lot.custodianId, holderId, "custodian");
        IStage.Totals memory afterwards = stage.totalAvailableFish(COD);
        _assertTotals(afterwards, before.lots - 1, before.grams - lot.weightGrams, "available");
        assertEq(afterwards.updatedAt, _now(), "updated at");
    }

    function test_removeFish_RevertWhen_AlreadyRemoved() public {
        _remove(holder, cod[0], IStage.RemovalReason.Sold);
        vm.expectRevert(_invalidStatus(cod[0], IStage.LotStatus.Removed, IStage.LotStatus.Created));
        _remove(holder, cod[0], IStage.RemovalReason.Sold);
    }

    function test_removeFish_RevertWhen_OtherParticipant() public {
        vm.expectRevert(_notInCustody(cod[0], holderId, otherId));
        _remove(other, cod[0], IStage.RemovalReason.Lost);
    }

    function test_removeFish_RevertWhen_GatewayOrUnauthorized() public {
        address[] memory strangers = _strangers();
        address device = _gatewayOf(holder, "holder's gateway");
        for (uint256 i; i <= strangers.length; ++i) {
            address caller = i < strangers.length ? strangers[i] : device;
            vm.expectRevert(_unauthorized(caller, _bit(_s())));
            _remove(caller, cod[0], IStage.RemovalReason.Lost);
        }
    }

    function test_removeFish_RevertWhen_LotNotFound() public {
        vm.expectRevert(_lotNotFound(UNKNOWN_LOT));
        _remove(holder, UNKNOWN_LOT, IStage.RemovalReason.Lost);
    }

    // ------------------------------------------------------------------ queries and totals

    function test_totals_countLotsHereBySpecies() public view {
        IStage stage = _here();
        _assertTotals(stage.totalAvailableFish(COD), 3, 3 * uint256(LOT_GRAMS), "available COD");
        _assertTotals(stage.totalAvailableFish(HER), 1, HER_GRAMS, "available HER");
        bytes3[3] memory species = [COD, HER, POK];
        for (uint256 i; i < species.length; ++i) {
            IStage.Totals memory supplied = stage.totalSuppliedFish(species[i]);
            _assertTotals(supplied, 0, 0, "supplied");
            assertEq(supplied.updatedAt, 0, "supplied: updated at");
        }
    }

    function test_queries_unknownLot() public {
        IStage stage = _here();
        vm.expectRevert(_lotNotFound(UNKNOWN_LOT));
        stage.queryStatus(UNKNOWN_LOT);
        IStage.Lot memory none;
        _assertLot(stage.getLot(UNKNOWN_LOT), none, "getLot");
        (IStage.Inspection memory inspection, uint8 flags) = stage.queryQAT(UNKNOWN_LOT);
        assertEq(inspection.scannedAt, 0, "scannedAt");
        assertEq(bytes32(inspection.species), bytes32(0), "species");
        assertEq(inspection.speciesConfidence, 0, "species confidence");
        assertEq(inspection.grade, 0, "grade");
        assertEq(inspection.gradeConfidence, 0, "grade confidence");
        assertEq(inspection.deviceId, 0, "device");
        assertEq(flags, 0, "flags");
    }

    function test_queryQAT_flags_parentsOfEmpty() public {
        Reading memory r = _reading();
        r.temperature = 900;
        _update(_here(), holder, cod[0], r);
        (, uint8 flags) = _here().queryQAT(cod[0]);
        assertEq(flags, LotFlags.EXCURSION, "flags");
        assertEq(_here().parentsOf(cod[0]).length, 0, "no parents");
    }

    // ------------------------------------------------------------------ recallLots

    function test_recallLots_flagsOncePerLot() public {
        IStage stage = _here();
        IStage.Lot memory before = stage.getLot(cod[0]);
        vm.expectEmit(true, true, true, true, address(stage));
        emit IStage.LotRecalled(cod[0], regulatorId, RECALL);
        _recall(_s(), _ids(cod[0]));
        before.flags = LotFlags.RECALLED;
        _assertLot(stage.getLot(cod[0]), before, "recalled");
        (, , , , , uint8 flags) = stage.queryStatus(cod[0]);
        assertEq(flags, LotFlags.RECALLED, "queryStatus flags");

        vm.recordLogs();
        _recall(_s(), _ids(cod[0]));
        assertEq(_count(vm.getRecordedLogs(), address(stage), IStage.LotRecalled.selector), 0, "again: a no-op");

        vm.recordLogs();
        vm.expectEmit(true, true, true, true, address(stage));
        emit IStage.LotRecalled(cod[1], regulatorId, RECALL);
        _recall(_s(), _ids(cod[0], cod[1], cod[1]));
        assertEq(_count(vm.getRecordedLogs(), address(stage), IStage.LotRecalled.selector), 1, "once per lot");
        assertEq(stage.getLot(cod[1]).flags, LotFlags.RECALLED, "second lot flagged");
    }

    function test_recallLots_emptyBatch() public {
        vm.recordLogs();
        _recall(_s(), new uint256[](0));
        assertEq(_count(vm.getRecordedLogs(), address(_here()), IStage.LotRecalled.selector), 0, "nothing recalled");
    }

    function test_recallLots_RevertWhen_LotNotFound() public {
        vm.expectRevert(_lotNotFound(UNKNOWN_LOT));
        _recall(_s(), _ids(cod[0], UNKNOWN_LOT));
        assertEq(_here().getLot(cod[0]).flags, 0, "none of the batch recalled");
    }

    function test_recallLots_RevertWhen_NotRegulator() public {
        address[6] memory callers = [holder, admin, qat, gateway, relayer, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(_unauthorized(callers[i], Roles.REGULATOR_BIT));
            vm.prank(callers[i]);
            _here().recallLots(_ids(cod[0]), RECALL);
        }
    }

    function test_recallLots_custodianStillRecordsAndDiscards() public {
        IStage stage = _here();
        _recall(_s(), _ids(cod[0]));
        Reading memory r = _reading();
        vm.expectEmit(true, true, true, true, address(stage));
        emit IStage.FishUpdated(cod[0], holderId, r.readAt, r.temperature, r.humidity, r.latitude, r.longitude);
        _update(stage, holder, cod[0], r);
        vm.expectEmit(true, true, true, true, address(stage));
        emit IStage.FishRemoved(cod[0], holderId, IStage.RemovalReason.Discarded);
        _remove(holder, cod[0], IStage.RemovalReason.Discarded);
        assertEq(stage.getLot(cod[0]).flags, LotFlags.RECALLED, "still recalled");
    }

    // ------------------------------------------------------------------ setNextStage

    function test_setNextStage_RevertWhen_NotAdmin() public {
        address[4] memory callers = [holder, regulator, relayer, stranger];
        address next = makeAddr("somewhere");
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(_unauthorized(callers[i], Roles.ADMIN_BIT));
            vm.prank(callers[i]);
            _here().setNextStage(next);
        }
    }
}

/// @notice What the five stages after the Harvester share: lots enter only from the previous stage, and a recall
/// there follows them here.
abstract contract ReceivingStageBehaviour is StageBehaviour {
    function _previous() internal view returns (IStage) {
        return _stage(_s() - 1);
    }

    /// @dev `holder` orders exactly `lotId` (a COD lot at the previous stage, held by its first actor) at the
    /// default price, two days to acknowledge, and the seller ships it (`initiateShipment`, at every stage).
    function _shipFromPrevious(uint256 lotId) internal returns (uint256 saleId) {
        uint8 p = _s() - 1;
        uint40 grams = _previous().getLot(lotId).weightGrams;
        saleId = _placeAt(p, holder, _actor(p, 0), COD, grams, PRICE, uint40(_now() + 1 days), ACK_WINDOW);
        vm.prank(_actor(p, 0));
        _book(p).initiateShipment(saleId, SHIPMENT_NO, _ids(lotId));
    }

    function test_receiveLots_onAcknowledgementAtPreviousStage() public {
        IStage stage = _here();
        IStage previous = _previous();
        uint8 p = _s() - 1;
        address seller = _actor(p, 0);
        uint32 sellerId = _idOf(seller);
        uint256 lotId = _lotAt(p, COD, LOT_GRAMS);
        IStage.Totals memory available = stage.totalAvailableFish(COD);
        IStage.Totals memory supplied = previous.totalSuppliedFish(COD);
        uint256 saleId = _shipFromPrevious(lotId);
        vm.prank(holder);
        _book(p).confirmDelivery(saleId);

        vm.expectEmit(true, true, true, true, address(previous));
        emit IStage.CustodyTransferred(lotId, sellerId, holderId, saleId);
        vm.expectEmit(true, true, true, true, address(stage));
        emit IStage.LotReceived(lotId, holderId, saleId);
        vm.prank(holder);
        _book(p).acknowledge(saleId, SHIPMENT_NO, _ids(lotId));

        IStage.Lot memory here = stage.getLot(lotId);
        assertEq(uint256(here.status), uint256(IStage.LotStatus.Created), "here: status");
        assertEq(here.custodianId, holderId, "here: custodian");
        IStage.Lot memory there = previous.getLot(lotId);
        assertEq(uint256(there.status), uint256(IStage.LotStatus.Supplied), "there: status");
        assertEq(there.custodianId, sellerId, "there: custodian");
        _assertTotals(
            stage.totalAvailableFish(COD),
            available.lots + 1,
            available.grams + here.weightGrams,
            "available here"
        );
        _assertTotals(
            previous.totalSuppliedFish(COD),
            supplied.lots + 1,
            supplied.grams + here.weightGrams,
            "supplied there"
        );
    }

    function test_receiveLots_takesOverWeightSpeciesFlagsAndReading() public {
        uint8 p = _s() - 1;
        address seller = _actor(p, 0);
        IHarvester.Catch memory c = _catch(COD, 123_456);
        c.frozen = true;
        c.farmed = true;
        vm.prank(harvester1);
        uint256 lotId = harvester.registerFish(c);
        _carry(_ids(lotId), p);
        Reading memory r = _reading();
        r.temperature = -2150;
        r.humidity = 40;
        _update(_previous(), seller, lotId, r);
        IStage.Lot memory before = _previous().getLot(lotId);
        _handOver(p, seller, holder, _ids(lotId));

        IStage.Lot memory expected = before;
        expected.custodianId = holderId;
        expected.status = IStage.LotStatus.Created;
        _assertLot(_here().getLot(lotId), expected, "taken over");
        assertEq(before.flags, LotFlags.FROZEN | LotFlags.FARMED, "flags");
        assertEq(before.readAt, r.readAt, "readAt");
    }

    function test_receiveLots_whenSellerClaimsPaymentAfterDeadline() public {
        uint8 p = _s() - 1;
        address seller = _actor(p, 0);
        uint256 lotId = _lotAt(p, COD, LOT_GRAMS);
        uint256 saleId = _shipFromPrevious(lotId);
        vm.prank(seller);
        _book(p).confirmDelivery(saleId);
        vm.warp(_book(p).getOrder(saleId).deadline + 1);
        vm.expectEmit(true, true, true, true, address(_here()));
        emit IStage.LotReceived(lotId, holderId, saleId);
        vm.prank(seller);
        _book(p).claimPayment(saleId, SHIPMENT_NO, _ids(lotId));
        assertEq(_here().getLot(lotId).custodianId, holderId, "custodian");
    }

    function test_receiveLots_fromPreviousCreatesLotsInBuyersCustody() public {
        IStage stage = _here();
        IStage.Lot memory carried = IStage.Lot({
            custodianId: 999,
            weightGrams: 5_000,
            species: HER,
            status: IStage.LotStatus.Supplied,
            flags: LotFlags.FROZEN,
            readAt: 1_700_000_000,
            temperature: -2_000,
            humidity: 60,
            latitude: -1_234_567,
            longitude: 7_654_321
        });
        LotWord word = LotCodec.encode(carried);
        LotWord[] memory words = new LotWord[](2);
        words[0] = word;
        words[1] = word;
        IStage.Totals memory available = stage.totalAvailableFish(HER);
        vm.expectEmit(true, true, true, true, address(stage));
        emit IStage.LotReceived(9_001, holderId, 42);
        vm.expectEmit(true, true, true, true, address(stage));
        emit IStage.LotReceived(9_002, holderId, 42);
        vm.prank(address(_previous()));
        stage.receiveLots(42, holderId, _ids(9_001, 9_002), words);

        IStage.Lot memory expected = carried;
        expected.custodianId = holderId;
        expected.status = IStage.LotStatus.Created;
        _assertLot(stage.getLot(9_002), expected, "received");
        _assertTotals(stage.totalAvailableFish(HER), available.lots + 2, available.grams + 10_000, "available");
    }

    function test_receiveLots_RevertWhen_LotAlreadyExists() public {
        IStage stage = _here();
        LotWord word = LotCodec.encode(stage.getLot(cod[0]));
        LotWord[] memory words = new LotWord[](2);
        words[0] = word;
        words[1] = word;
        vm.expectRevert(abi.encodeWithSelector(IStage.LotAlreadyExists.selector, cod[1]));
        vm.prank(address(_previous()));
        stage.receiveLots(1, holderId, _ids(9_003, cod[1]), words);
        assertEq(_status(stage, 9_003), uint256(IStage.LotStatus.None), "none of the batch received");
    }

    function test_recallLots_atPreviousStageFollowsTheLotHere() public {
        IStage stage = _here();
        IStage previous = _previous();
        uint256 lotId = _lotAt(_s(), COD, LOT_GRAMS);
        vm.expectEmit(true, true, true, true, address(previous));
        emit IStage.LotRecalled(lotId, regulatorId, RECALL);
        vm.expectEmit(true, true, true, true, address(stage));
        emit IStage.LotRecalled(lotId, regulatorId, RECALL);
        _recall(_s() - 1, _ids(lotId));
        IStage.Lot memory there = previous.getLot(lotId);
        assertEq(uint256(there.status), uint256(IStage.LotStatus.Supplied), "there: status");
        assertEq(there.flags, LotFlags.RECALLED, "there: flags");
        IStage.Lot memory here = stage.getLot(lotId);
        assertEq(uint256(here.status), uint256(IStage.LotStatus.Created), "here: status");
        assertEq(here.flags & LotFlags.RECALLED, LotFlags.RECALLED, "here: recalled");
    }

    function test_forwardRecall_RevertWhen_CallerNotPrevious() public {
        uint256 lotId = _lotAt(_s(), COD, LOT_GRAMS);
        vm.expectRevert(_notPrevious(regulator));
        vm.prank(regulator);
        _here().forwardRecall(_ids(lotId), regulatorId, RECALL);
    }
}

/// @notice What the five stages before the Customer share: a next stage, set once.
abstract contract LinkedStageBehaviour is StageBehaviour {
    function test_setNextStage_setOnceByDeployment() public {
        // Deploy the world again, recording: the stage announced its next stage once, when it was wired.
        vm.recordLogs();
        _deployWithParticipants();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        address stage = address(_here());
        address next = address(_stage(_s() + 1));
        uint256 announced;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != stage || _count(_one(logs[i]), stage, IStage.NextStageSet.selector) == 0) continue;
            ++announced;
            assertEq(logs[i].topics[1], bytes32(uint256(uint160(next))), "announced next");
        }
        assertEq(announced, 1, "NextStageSet events");

        vm.expectRevert(abi.encodeWithSelector(IStage.StageNextAlreadySet.selector, next));
        vm.prank(admin);
        _here().setNextStage(next);
    }

    function test_setNextStage_linksNewStageOnceToValidNext() public {
        uint8 s = _s();
        address previous = s == 1 ? address(0) : address(_stage(s - 1));
        IStage fresh = _newStage(s, registry, previous);
        IRegistry otherRegistry = _newRegistry(admin);
        address[5] memory invalid = [
            makeAddr("no code"),
            address(_newStage(s + 1, registry, address(_here()))), // another previous stage
            address(_newStage(s + 1, otherRegistry, address(fresh))), // another registry
            address(_newStage(s + 2 <= 6 ? s + 2 : s, registry, address(fresh))), // another stage number
            address(_here()) // a stage of its own number
        ];
        for (uint256 i; i < invalid.length; ++i) {
            vm.expectRevert(_invalidNext(invalid[i]));
            vm.prank(admin);
            fresh.setNextStage(invalid[i]);
        }
        address next = address(_newStage(s + 1, registry, address(fresh)));
        vm.expectEmit(true, true, true, true, address(fresh));
        emit IStage.NextStageSet(next);
        vm.prank(admin);
        fresh.setNextStage(next);
        assertEq(fresh.nextStage(), next, "next stage");

        address again = address(_newStage(s + 1, registry, address(fresh)));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageNextAlreadySet.selector, next));
        vm.prank(admin);
        fresh.setNextStage(again);
    }
}

contract HarvesterBehaviourTest is LinkedStageBehaviour {
    function _s() internal pure override returns (uint8) {
        return 1;
    }

    function test_registerFish_createsLotInHarvestersCustody() public {
        uint256 lotId = _registerLot(holder, COD, LOT_GRAMS);
        IStage.Lot memory lot = harvester.getLot(lotId);
        assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "status");
        assertEq(lot.custodianId, holderId, "custodian");
        assertEq(lot.weightGrams, LOT_GRAMS, "weight");
    }

    function test_receiveLots_RevertWhen_CallerIsZeroAddress() public {
        // The Harvester's previous stage is the zero address, which still may not hand lots over.
        vm.expectRevert(_notPrevious(address(0)));
        vm.prank(address(0));
        harvester.receiveLots(1, holderId, _ids(9_000), _words(LotWord.wrap(1)));
    }

    /// @dev Regression: the candidate used to be queried with plain high-level calls, so a contract without those
    /// functions made setNextStage revert with empty data instead of the documented StageInvalidNext.
    function test_setNextStage_RevertWhen_NextIsNoStage() public {
        IStage fresh = _newStage(1, registry, address(0));
        vm.expectRevert(_invalidNext(address(registry)));
        vm.prank(admin);
        fresh.setNextStage(address(registry));
    }
}

contract SupplierBehaviourTest is ReceivingStageBehaviour, LinkedStageBehaviour {
    function _s() internal pure override returns (uint8) {
        return 2;
    }
}

contract ManufacturerBehaviourTest is ReceivingStageBehaviour, LinkedStageBehaviour {
    function _s() internal pure override returns (uint8) {
        return 3;
    }
}

contract DistributorBehaviourTest is ReceivingStageBehaviour, LinkedStageBehaviour {
    function _s() internal pure override returns (uint8) {
        return 4;
    }
}

contract RetailerBehaviourTest is ReceivingStageBehaviour, LinkedStageBehaviour {
    function _s() internal pure override returns (uint8) {
        return 5;
    }
}

contract CustomerBehaviourTest is ReceivingStageBehaviour {
    function _s() internal pure override returns (uint8) {
        return 6;
    }

    function test_setNextStage_RevertWhen_EndOfTheChain() public {
        address another = address(_newStage(6, registry, address(customer)));
        address[4] memory candidates = [makeAddr("no code"), address(retailer), address(customer), another];
        for (uint256 i; i < candidates.length; ++i) {
            vm.expectRevert(_invalidNext(candidates[i]));
            vm.prank(admin);
            customer.setNextStage(candidates[i]);
        }
        assertEq(customer.nextStage(), address(0), "no next stage");
    }
}
