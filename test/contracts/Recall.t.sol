// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManufacturer} from "../../contracts/interfaces/IManufacturer.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";

/// @notice Recalls at every stage: a REGULATOR flags lots (in batches, idempotently); a recalled lot can be neither
/// shipped, acknowledged, claimed nor processed, but its delivery can always be rejected, even after the
/// acknowledgement deadline, so that its price leaves escrow.
contract RecallTest is FishTraceTest {
    bytes32 private constant REASON = "LISTERIA";
    uint64 private constant SHIPMENT_NO = 3;
    uint40 private constant GRAMS = 5_000;
    uint256 private constant PRICE = 1 ether;
    uint32 private constant ACK_WINDOW = 1 days;

    function setUp() public {
        _deployWithParticipants();
    }

    // ------------------------------------------------------------------ recallLots

    function test_recallLots_flagsAtEveryStage() public {
        uint32 regulatorId = _idOf(regulator);
        for (uint8 s = 1; s <= 6; ++s) {
            uint256 lotId = _lotAt(s, COD, GRAMS);
            IStage.Lot memory before = _stage(s).getLot(lotId);
            assertEq(before.flags & LotFlags.RECALLED, 0, "not recalled yet");

            vm.expectEmit(true, true, false, true, address(_stage(s)));
            emit IStage.LotRecalled(lotId, regulatorId, REASON);
            _recall(s, _ids(lotId));

            IStage.Lot memory lot = _stage(s).getLot(lotId);
            assertEq(lot.flags, before.flags | LotFlags.RECALLED, "flagged");
            assertEq(uint256(lot.status), uint256(before.status), "status unchanged");
            assertEq(lot.custodianId, before.custodianId, "custodian unchanged");
            assertEq(lot.weightGrams, before.weightGrams, "weight unchanged");
            (, uint8 flags) = _stage(s).queryQAT(lotId);
            assertEq(flags & LotFlags.RECALLED, LotFlags.RECALLED, "queryQAT shows the flag");
        }
    }

    function test_recallLots_idempotent() public {
        uint256 a = _lotAt(2, COD, GRAMS);
        _recall(2, _ids(a));
        uint8 flags = supplier.getLot(a).flags;
        vm.recordLogs();
        _recall(2, _ids(a));
        _recall(2, _ids(a, a));
        assertEq(vm.getRecordedLogs().length, 0, "a repeated recall emits nothing");
        assertEq(supplier.getLot(a).flags, flags, "flags unchanged");
    }

    function test_recallLots_batch() public {
        uint256[] memory lotIds = _lotsAt(3, COD, GRAMS, GRAMS);
        uint256 third = _lotAt(3, HER, GRAMS);
        vm.recordLogs();
        _recall(3, _ids(lotIds[0], third, lotIds[1]));
        assertEq(vm.getRecordedLogs().length, 3, "one event per lot");
        assertTrue(_recalled(3, lotIds[0]) && _recalled(3, lotIds[1]) && _recalled(3, third), "all flagged");
    }

    function test_recallLots_RevertWhen_NotRegulator() public {
        uint256 lotId = _lotAt(6, COD, GRAMS);
        for (uint8 s = 1; s <= 6; ++s) {
            address[3] memory callers = [_actor(s, 0), admin, stranger];
            for (uint256 i; i < callers.length; ++i) {
                vm.expectRevert(
                    abi.encodeWithSelector(IStage.StageUnauthorized.selector, callers[i], Roles.REGULATOR_BIT)
                );
                vm.prank(callers[i]);
                _stage(s).recallLots(_ids(lotId), REASON);
            }
        }
    }

    function test_recallLots_RevertWhen_LotNotFound() public {
        uint256 lotId = _lotAt(2, COD, GRAMS);
        // Not at this stage yet, or unknown: the whole batch is refused.
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, lotId));
        vm.prank(regulator);
        manufacturer.recallLots(_ids(lotId), REASON);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, 999));
        vm.prank(regulator);
        supplier.recallLots(_ids(lotId, 999), REASON);
        assertFalse(_recalled(2, lotId), "batch is atomic");
    }

    /// @dev A recall made at a stage the lot has left follows it to every later stage it reached, so it sticks
    /// wherever the lot is now (regression: it used to flag that stage's history only, leaving the lot sellable).
    function test_recallLots_atAStageTheLotLeftFollowsTheLot() public {
        uint256 lotId = _lotAt(3, COD, GRAMS);
        _recall(1, _ids(lotId));
        assertTrue(_recalled(1, lotId) && _recalled(2, lotId) && _recalled(3, lotId), "flagged along its path");
        _recall(2, _ids(lotId)); // a repeat is a no-op
        uint256 orderId = _placeAt(3, distributor1, manufacturer1, COD, GRAMS, PRICE, _shipBy(), ACK_WINDOW);
        vm.expectRevert(_isRecalled(lotId));
        _shipAt(3, manufacturer1, orderId, SHIPMENT_NO, _ids(lotId));
    }

    // ------------------------------------------------------------------ a recalled lot does not move

    /// @dev At every selling stage, a recalled lot cannot be shipped (the Distributor's `dispatch` included), alone
    /// or among other lots; the order can still be declined and refunded.
    function test_recall_blocksShipment_everySellingStage() public {
        for (uint8 s = 1; s <= 5; ++s) {
            uint256[] memory lotIds = _lotsAt(s, COD, GRAMS, GRAMS);
            address seller = _actor(s, 0);
            address buyer = _actor(s + 1, 0);
            uint256 orderId = _placeAt(s, buyer, seller, COD, GRAMS, PRICE, _shipBy(), ACK_WINDOW);
            _recall(s, _ids(lotIds[1]));

            vm.expectRevert(_isRecalled(lotIds[1]));
            _shipAt(s, seller, orderId, SHIPMENT_NO, _ids(lotIds[1]));
            vm.expectRevert(_isRecalled(lotIds[1]));
            _shipAt(s, seller, orderId, SHIPMENT_NO, lotIds);
            assertEq(uint256(_stage(s).getLot(lotIds[0]).status), uint256(IStage.LotStatus.Created), "atomic");
            assertEq(uint256(_book(s).getOrder(orderId).state), uint256(IOrderBook.OrderState.Ordered), "ordered");

            // The lot that was not recalled still ships.
            _shipAt(s, seller, orderId, SHIPMENT_NO, _ids(lotIds[0]));
            assertEq(uint256(_stage(s).getLot(lotIds[1]).status), uint256(IStage.LotStatus.Created), "recalled stays");
        }
    }

    /// @dev At every selling stage, a delivered order carrying a recalled lot can be neither acknowledged nor
    /// claimed: nothing reaches the next stage.
    function test_recall_blocksAcknowledgeAndClaim_everySellingStage() public {
        for (uint8 s = 1; s <= 5; ++s) {
            (uint256 orderId, uint256[] memory lotIds) = _delivered(s);
            _recall(s, _ids(lotIds[1]));

            vm.expectRevert(_isRecalled(lotIds[1]));
            _ackAt(s, _actor(s + 1, 0), orderId, SHIPMENT_NO, lotIds);
            vm.warp(uint256(_book(s).getOrder(orderId).deadline) + 1);
            vm.expectRevert(_isRecalled(lotIds[1]));
            vm.prank(_actor(s, 0));
            _book(s).claimPayment(orderId, SHIPMENT_NO, lotIds);

            assertEq(uint256(_book(s).getOrder(orderId).state), uint256(IOrderBook.OrderState.Delivered), "state");
            for (uint256 i; i < lotIds.length; ++i) {
                assertEq(uint256(_stage(s).getLot(lotIds[i]).status), uint256(IStage.LotStatus.Shipped), "here");
                assertEq(uint256(_stage(s + 1).getLot(lotIds[i]).status), uint256(IStage.LotStatus.None), "next");
            }
        }
    }

    /// @dev A recall made while the lot is on its way (shipped, not yet delivered) blocks the acknowledgement too.
    function test_recall_whileShipped_blocksAcknowledge() public {
        uint256[] memory lotIds = _lotsAt(4, COD, GRAMS, GRAMS);
        uint256 orderId = _placeAt(4, retailer1, distributor1, COD, GRAMS, PRICE, _shipBy(), ACK_WINDOW);
        _shipAt(4, distributor1, orderId, SHIPMENT_NO, lotIds);
        _recall(4, _ids(lotIds[0]));
        _confirmAt(4, retailer1, orderId);
        vm.expectRevert(_isRecalled(lotIds[0]));
        _ackAt(4, retailer1, orderId, SHIPMENT_NO, lotIds);
    }

    /// @dev At every selling stage, the buyer may reject a delivery carrying a recalled lot even after the
    /// acknowledgement deadline, and withdraws exactly the price; the lots go back to the seller, still recalled,
    /// and still cannot be shipped.
    function testFuzz_recall_rejectAfterAckDeadline_everySellingStage(uint256 late) public {
        late = bound(late, 1, 365 days);
        for (uint8 s = 1; s <= 5; ++s) {
            (uint256 orderId, uint256[] memory lotIds) = _delivered(s);
            address seller = _actor(s, 0);
            address buyer = _actor(s + 1, 0);
            _recall(s, _ids(lotIds[0]));
            uint40 deadline = _book(s).getOrder(orderId).deadline;
            vm.warp(uint256(deadline) + late);

            uint256 before = buyer.balance;
            vm.prank(buyer);
            _book(s).rejectDelivery(orderId, SHIPMENT_NO, lotIds, "recalled");
            vm.prank(buyer);
            _book(s).withdraw(orderId);
            assertEq(buyer.balance - before, PRICE, "refund");
            assertEq(_book(s).escrowBalance(), 0, "escrow");
            for (uint256 i; i < lotIds.length; ++i) {
                IStage.Lot memory lot = _stage(s).getLot(lotIds[i]);
                assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "back with the seller");
                assertEq(uint256(_stage(s + 1).getLot(lotIds[i]).status), uint256(IStage.LotStatus.None), "next");
            }
            assertTrue(_recalled(s, lotIds[0]), "still recalled");

            uint256 again = _placeAt(s, buyer, seller, COD, GRAMS, PRICE, _shipBy(), ACK_WINDOW);
            vm.expectRevert(_isRecalled(lotIds[0]));
            _shipAt(s, seller, again, SHIPMENT_NO + 1, lotIds);
        }
    }

    /// @dev Control: without a recalled lot, rejecting after the deadline is refused at every selling stage.
    function test_rejectDelivery_RevertWhen_AfterAckDeadlineWithoutRecall_everySellingStage() public {
        for (uint8 s = 1; s <= 5; ++s) {
            (uint256 orderId, uint256[] memory lotIds) = _delivered(s);
            uint40 deadline = _book(s).getOrder(orderId).deadline;
            vm.warp(uint256(deadline) + 1);
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, orderId, deadline, deadline + 1)
            );
            vm.prank(_actor(s + 1, 0));
            _book(s).rejectDelivery(orderId, SHIPMENT_NO, lotIds, "late");
        }
    }

    /// @dev A recalled lot cannot be processed, whole or by weight, alone or among other inputs.
    function test_recall_blocksProcessing() public {
        uint256[] memory lotIds = _lotsAt(3, COD, GRAMS, GRAMS);
        _recall(3, _ids(lotIds[1]));
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](1);
        outputs[0] = IManufacturer.Output({gtin: GTIN, lotNumber: "L1", weightGrams: 100, frozen: false});
        uint40[2] memory takes = [uint40(0), 1_000];
        for (uint256 t; t < takes.length; ++t) {
            IManufacturer.Input[] memory alone = new IManufacturer.Input[](1);
            alone[0] = IManufacturer.Input({lotId: lotIds[1], grams: takes[t]});
            vm.expectRevert(_isRecalled(lotIds[1]));
            vm.prank(manufacturer1);
            manufacturer.processLots(alone, outputs);

            IManufacturer.Input[] memory mixed = new IManufacturer.Input[](2);
            mixed[0] = IManufacturer.Input({lotId: lotIds[0], grams: takes[t]});
            mixed[1] = IManufacturer.Input({lotId: lotIds[1], grams: takes[t]});
            vm.expectRevert(_isRecalled(lotIds[1]));
            vm.prank(manufacturer1);
            manufacturer.processLots(mixed, outputs);
        }
        assertEq(manufacturer.processCount(), 0, "nothing processed");
        assertEq(manufacturer.getLot(lotIds[0]).weightGrams, GRAMS, "other input untouched");
        assertEq(uint256(manufacturer.getLot(manufacturer.productLotId(GTIN, "L1")).status), 0, "no product");
    }

    /// @dev A recalled product lot does not move either: the pack made from a clean lot is recalled at the
    /// Retailer and its sale to a customer is blocked.
    function test_recall_blocksSaleOfPackToCustomer() public {
        uint256 lotId = _lotAt(3, COD, GRAMS);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: lotId, grams: 0});
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](1);
        outputs[0] = IManufacturer.Output({gtin: GTIN, lotNumber: "PACK1", weightGrams: 2_000, frozen: true});
        vm.prank(manufacturer1);
        (, uint256[] memory packs) = manufacturer.processLots(inputs, outputs);
        _handOver(3, manufacturer1, distributor1, packs);
        _handOver(4, distributor1, retailer1, packs);
        _recall(5, packs);

        uint256 orderId = _placeAt(5, customer1, retailer1, COD, 2_000, PRICE, _shipBy(), ACK_WINDOW);
        vm.expectRevert(_isRecalled(packs[0]));
        _shipAt(5, retailer1, orderId, SHIPMENT_NO, packs);
        assertEq(uint256(customer.getLot(packs[0]).status), uint256(IStage.LotStatus.None), "never sold");
    }

    // ------------------------------------------------------------------ helpers

    function _recall(uint8 s, uint256[] memory lotIds) private {
        vm.prank(regulator);
        _stage(s).recallLots(lotIds, REASON);
    }

    function _recalled(uint8 s, uint256 lotId) private view returns (bool) {
        return _stage(s).getLot(lotId).flags & LotFlags.RECALLED != 0;
    }

    function _isRecalled(uint256 lotId) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IStage.LotIsRecalled.selector, lotId);
    }

    function _shipBy() private view returns (uint40) {
        return uint40(_now() + 1 days);
    }

    /// @dev Two lots (`GRAMS` each) shipped and delivered under one order at stage `s`, first actor to first actor.
    function _delivered(uint8 s) private returns (uint256 orderId, uint256[] memory lotIds) {
        lotIds = _lotsAt(s, COD, GRAMS, GRAMS);
        orderId = _placeAt(s, _actor(s + 1, 0), _actor(s, 0), COD, 2 * GRAMS, PRICE, _shipBy(), ACK_WINDOW);
        _shipAt(s, _actor(s, 0), orderId, SHIPMENT_NO, lotIds);
        _confirmAt(s, _actor(s + 1, 0), orderId);
    }
}
