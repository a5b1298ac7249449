// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OrderBookInterface as OrderBook} from "./utils/Contracts.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotWord} from "../../contracts/libraries/LotCodec.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";

/// @notice The escrowed order machine of every consecutive pair of stages (Harvester→Supplier, Supplier→Manufacturer,
/// Manufacturer→Distributor, Distributor→Retailer, Retailer→Customer), driven through one shared routine per
/// property, parameterised by the selling stage: refunds and payouts of exactly the price, deadlines both ways, the
/// hand-over of custody to the next stage, and what happens while the next stage is not wired.
contract OrderPairsTest is FishTraceTest {
    uint64 private constant SHIPMENT_NO = 7;
    uint40 private constant W1 = 6_000;
    uint40 private constant W2 = 4_000;
    uint40 private constant GRAMS = W1 + W2;
    uint256 private constant PRICE = 1 ether;
    uint32 private constant ACK_WINDOW = 1 days;

    /// @dev One pair: the seller's stage and the next, the first actor of each, and two COD lots (`W1`, `W2`) in the
    /// seller's custody at the seller's stage.
    struct Pair {
        uint8 s;
        IOrderBook book;
        IStage here;
        IStage next;
        address seller;
        address buyer;
        uint32 sellerId;
        uint32 buyerId;
        uint256[] lotIds;
    }

    function setUp() public virtual {
        _deployWithParticipants();
    }

    // ------------------------------------------------------------------ per pair: refunds

    function testFuzz_refund_harvesterToSupplier(uint256 price, uint256 path, uint256 warpBy) public {
        _refund(1, price, path, warpBy);
    }

    function testFuzz_refund_supplierToManufacturer(uint256 price, uint256 path, uint256 warpBy) public {
        _refund(2, price, path, warpBy);
    }

    function testFuzz_refund_manufacturerToDistributor(uint256 price, uint256 path, uint256 warpBy) public {
        _refund(3, price, path, warpBy);
    }

    function testFuzz_refund_distributorToRetailer(uint256 price, uint256 path, uint256 warpBy) public {
        _refund(4, price, path, warpBy);
    }

    function testFuzz_refund_retailerToCustomer(uint256 price, uint256 path, uint256 warpBy) public {
        _refund(5, price, path, warpBy);
    }

    // ------------------------------------------------------------------ per pair: payouts

    function testFuzz_payout_harvesterToSupplier(uint256 price, bool claimed, uint256 warpBy) public {
        _payout(1, price, claimed, warpBy);
    }

    function testFuzz_payout_supplierToManufacturer(uint256 price, bool claimed, uint256 warpBy) public {
        _payout(2, price, claimed, warpBy);
    }

    function testFuzz_payout_manufacturerToDistributor(uint256 price, bool claimed, uint256 warpBy) public {
        _payout(3, price, claimed, warpBy);
    }

    function testFuzz_payout_distributorToRetailer(uint256 price, bool claimed, uint256 warpBy) public {
        _payout(4, price, claimed, warpBy);
    }

    function testFuzz_payout_retailerToCustomer(uint256 price, bool claimed, uint256 warpBy) public {
        _payout(5, price, claimed, warpBy);
    }

    // ------------------------------------------------------------------ per pair: ship-by deadline

    function testFuzz_shipByDeadline_harvesterToSupplier(uint256 shipByDelta, uint256 warpBy) public {
        _shipByDeadline(1, shipByDelta, warpBy);
    }

    function testFuzz_shipByDeadline_supplierToManufacturer(uint256 shipByDelta, uint256 warpBy) public {
        _shipByDeadline(2, shipByDelta, warpBy);
    }

    function testFuzz_shipByDeadline_manufacturerToDistributor(uint256 shipByDelta, uint256 warpBy) public {
        _shipByDeadline(3, shipByDelta, warpBy);
    }

    function testFuzz_shipByDeadline_distributorToRetailer(uint256 shipByDelta, uint256 warpBy) public {
        _shipByDeadline(4, shipByDelta, warpBy);
    }

    function testFuzz_shipByDeadline_retailerToCustomer(uint256 shipByDelta, uint256 warpBy) public {
        _shipByDeadline(5, shipByDelta, warpBy);
    }

    // ------------------------------------------------------------------ per pair: acknowledgement deadline

    function testFuzz_ackDeadline_harvesterToSupplier(uint256 ackWindow, uint256 warpBy) public {
        _ackDeadline(1, ackWindow, warpBy);
    }

    function testFuzz_ackDeadline_supplierToManufacturer(uint256 ackWindow, uint256 warpBy) public {
        _ackDeadline(2, ackWindow, warpBy);
    }

    function testFuzz_ackDeadline_manufacturerToDistributor(uint256 ackWindow, uint256 warpBy) public {
        _ackDeadline(3, ackWindow, warpBy);
    }

    function testFuzz_ackDeadline_distributorToRetailer(uint256 ackWindow, uint256 warpBy) public {
        _ackDeadline(4, ackWindow, warpBy);
    }

    function testFuzz_ackDeadline_retailerToCustomer(uint256 ackWindow, uint256 warpBy) public {
        _ackDeadline(5, ackWindow, warpBy);
    }

    // ------------------------------------------------------------------ per pair: next stage not wired

    function test_settle_RevertWhen_NextNotSet_harvesterToSupplier() public {
        _nextNotSet(1);
    }

    function test_settle_RevertWhen_NextNotSet_supplierToManufacturer() public {
        _nextNotSet(2);
    }

    function test_settle_RevertWhen_NextNotSet_manufacturerToDistributor() public {
        _nextNotSet(3);
    }

    function test_settle_RevertWhen_NextNotSet_distributorToRetailer() public {
        _nextNotSet(4);
    }

    function test_settle_RevertWhen_NextNotSet_retailerToCustomer() public {
        _nextNotSet(5);
    }

    // ------------------------------------------------------------------ wiring

    function test_wiring_asTheIgnitionModule() public view {
        address[] memory stages = registry.stages();
        // The six stages in chain order, then the quality ledger.
        assertEq(stages.length, 7, "attached stages");
        assertEq(stages[6], address(ledger), "the quality ledger attached last");
        for (uint8 s = 1; s <= 6; ++s) {
            IStage stage = _stage(s);
            assertEq(stages[s - 1], address(stage), "attached in chain order");
            assertEq(stage.stage(), s, "stage number");
            assertEq(stage.previousStage(), s == 1 ? address(0) : address(_stage(s - 1)), "previous stage");
            assertEq(stage.nextStage(), s == 6 ? address(0) : address(_stage(s + 1)), "next stage");
            assertEq(stage.qualityLedger(), address(ledger), "quality ledger");
            assertEq(ledger.stageAt(s), address(stage), "the ledger's stage");
        }
    }

    function test_setNextStage_RevertWhen_AlreadySet() public {
        for (uint8 s = 1; s <= 5; ++s) {
            address next = address(_stage(s + 1));
            vm.expectRevert(abi.encodeWithSelector(IStage.StageNextAlreadySet.selector, next));
            vm.prank(admin);
            _stage(s).setNextStage(next);
        }
    }

    function test_setNextStage_RevertWhen_NotAdmin() public {
        _deployWithParticipants(3);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, manufacturer1, Roles.ADMIN_BIT));
        vm.prank(manufacturer1);
        manufacturer.setNextStage(address(distributor));
    }

    function test_setNextStage_RevertWhen_NotTheFollowingStage() public {
        _deployWithParticipants(3);
        // Skipping a stage, going backwards, linking to itself or to an account, a Distributor built on another
        // Manufacturer or for another registry: each is refused.
        address[6] memory wrong = [
            address(retailer),
            address(supplier),
            address(manufacturer),
            stranger,
            address(_newDistributor(registry, address(supplier))),
            address(_newDistributor(_newRegistry(admin), address(manufacturer)))
        ];
        for (uint256 i; i < wrong.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidNext.selector, wrong[i]));
            vm.prank(admin);
            manufacturer.setNextStage(wrong[i]);
        }
        assertEq(manufacturer.nextStage(), address(0), "still unlinked");
    }

    function test_receiveLots_RevertWhen_CallerNotPrevious() public {
        uint256[] memory lotIds = _ids(1);
        LotWord[] memory words = _words(LotWord.wrap(1));
        for (uint8 s = 1; s <= 6; ++s) {
            // Only the previous stage contract hands lots over: not an actor, not the admin, not another stage.
            address[3] memory callers = [_actor(s, 0), admin, address(_stage(s == 6 ? 1 : s + 1))];
            uint32 buyerId = _idOf(_actor(s, 0));
            for (uint256 i; i < callers.length; ++i) {
                vm.expectRevert(abi.encodeWithSelector(IStage.StageCallerNotPrevious.selector, callers[i]));
                vm.prank(callers[i]);
                _stage(s).receiveLots(1, buyerId, lotIds, words);
            }
        }
        // The Harvester has no previous stage: lots enter it only by registration.
        vm.expectRevert(abi.encodeWithSelector(IStage.StageCallerNotPrevious.selector, address(0)));
        vm.prank(address(0));
        harvester.receiveLots(1, 1, lotIds, words);
    }

    // ------------------------------------------------------------------ the shared routines

    /// @dev Whatever the price and whichever way the order fails (seller declines, buyer cancels after ship-by,
    /// buyer rejects the shipment before or after delivery, or after the acknowledgement deadline because a lot was
    /// recalled), the buyer gets back exactly the price, the seller nothing, and the lots are back in the seller's
    /// inventory without ever reaching the next stage.
    function _refund(uint8 s, uint256 price, uint256 path, uint256 warpBy) private {
        Pair memory p = _pair(s);
        price = bound(price, 1, type(uint96).max);
        path = bound(path, 0, 4);
        uint256 buyerBefore = _money(p.buyer);
        uint256 sellerBefore = _money(p.seller);
        uint256 orderId = _order(p, price, uint40(_now() + 1 days), ACK_WINDOW);
        assertEq(p.book.escrowBalance(), price, "escrowed");
        assertEq(_money(address(p.book)), price, "held");

        if (path == 0) {
            vm.warp(_now() + bound(warpBy, 0, 30 days));
            vm.prank(p.seller);
            p.book.cancelOrder(orderId);
        } else if (path == 1) {
            vm.warp(uint256(p.book.getOrder(orderId).deadline) + bound(warpBy, 1, 30 days));
            vm.prank(p.buyer);
            p.book.cancelOrder(orderId);
        } else {
            _ship(p, orderId);
            if (path == 2) {
                vm.warp(_now() + bound(warpBy, 0, 30 days));
            } else {
                _confirmAt(s, p.buyer, orderId);
                if (path == 3) {
                    vm.warp(_now() + bound(warpBy, 0, ACK_WINDOW));
                } else {
                    vm.prank(regulator);
                    p.here.recallLots(_ids(p.lotIds[1]), "LISTERIA");
                    vm.warp(uint256(p.book.getOrder(orderId).deadline) + bound(warpBy, 1, 365 days));
                }
            }
            vm.prank(p.buyer);
            p.book.rejectDelivery(orderId, SHIPMENT_NO, p.lotIds, "quality");
        }
        assertEq(p.book.escrowBalance(), price, "escrow held until the refund is withdrawn");

        vm.prank(p.buyer);
        p.book.withdraw(orderId);
        assertEq(_money(p.buyer), buyerBefore + price, "refund of exactly the price");
        assertEq(_money(p.seller), sellerBefore, "seller unchanged");
        assertEq(p.book.escrowBalance(), 0, "escrow");
        assertEq(_money(address(p.book)), 0, "balance");
        assertEq(uint256(p.book.getOrder(orderId).state), uint256(IOrderBook.OrderState.Refunded), "state");
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Refunded, IOrderBook.OrderState.Acknowledged));
        vm.prank(p.buyer);
        p.book.withdraw(orderId);

        for (uint256 i; i < p.lotIds.length; ++i) {
            IStage.Lot memory lot = p.here.getLot(p.lotIds[i]);
            assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "lot back in stock");
            assertEq(lot.custodianId, p.sellerId, "custodian unchanged");
            assertEq(uint256(p.next.getLot(p.lotIds[i]).status), uint256(IStage.LotStatus.None), "never handed over");
        }
        _assertTotals(p.here.totalAvailableFish(COD), 2, GRAMS, "available at the seller's stage");
        _assertTotals(p.here.totalSuppliedFish(COD), 0, 0, "supplied by the seller's stage");
        _assertTotals(p.next.totalAvailableFish(COD), 0, 0, "available at the next stage");
    }

    /// @dev Whatever the price, and whether the buyer acknowledges (at any time) or the seller claims after the
    /// deadline, the lots pass to the buyer at the next stage (supplied at the seller's, keeping the seller as their
    /// custodian there) and the seller withdraws exactly the price, once.
    function _payout(uint8 s, uint256 price, bool claimed, uint256 warpBy) private {
        Pair memory p = _pair(s);
        price = bound(price, 1, type(uint96).max);
        uint256 buyerBefore = _money(p.buyer);
        uint256 orderId = _order(p, price, uint40(_now() + 1 days), ACK_WINDOW);
        _ship(p, orderId);
        _confirmAt(s, p.buyer, orderId);
        if (claimed) {
            vm.warp(uint256(p.book.getOrder(orderId).deadline) + bound(warpBy, 1, 365 days));
            vm.expectEmit(true, false, false, true, address(p.book));
            emit IOrderBook.OrderAcknowledged(orderId, true);
            vm.prank(p.seller);
            p.book.claimPayment(orderId, SHIPMENT_NO, p.lotIds);
        } else {
            vm.warp(_now() + bound(warpBy, 0, 365 days));
            vm.expectEmit(true, false, false, true, address(p.book));
            emit IOrderBook.OrderAcknowledged(orderId, false);
            _ackAt(s, p.buyer, orderId, SHIPMENT_NO, p.lotIds);
        }
        assertEq(uint256(p.book.getOrder(orderId).state), uint256(IOrderBook.OrderState.Acknowledged), "state");
        _assertHandedOver(p);

        uint256 sellerBefore = _money(p.seller);
        vm.prank(p.seller);
        p.book.withdraw(orderId);
        assertEq(_money(p.seller) - sellerBefore, price, "payout of exactly the price");
        assertEq(_money(p.buyer), buyerBefore, "buyer gets nothing back");
        assertEq(p.book.escrowBalance(), 0, "escrow");
        assertEq(_money(address(p.book)), 0, "balance");
        assertEq(uint256(p.book.getOrder(orderId).state), uint256(IOrderBook.OrderState.Paid), "paid");
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Paid, IOrderBook.OrderState.Acknowledged));
        vm.prank(p.seller);
        p.book.withdraw(orderId);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Paid, IOrderBook.OrderState.Acknowledged));
        vm.prank(p.buyer);
        p.book.withdraw(orderId);
    }

    /// @dev The seller ships only until the ship-by time; the buyer cancels only after it.
    function _shipByDeadline(uint8 s, uint256 shipByDelta, uint256 warpBy) private {
        Pair memory p = _pair(s);
        shipByDelta = bound(shipByDelta, 1, 30 days);
        warpBy = bound(warpBy, 0, 60 days);
        uint40 shipBy = uint40(_now() + shipByDelta);
        uint256 orderId = _order(p, PRICE, shipBy, ACK_WINDOW);
        uint256 nowTime = _now() + warpBy;
        vm.warp(nowTime);

        if (nowTime > shipBy) {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, orderId, shipBy, uint40(nowTime))
            );
            _ship(p, orderId);
            assertEq(uint256(p.here.getLot(p.lotIds[0]).status), uint256(IStage.LotStatus.Created), "not shipped");
            vm.prank(p.buyer);
            p.book.cancelOrder(orderId);
            assertEq(uint256(p.book.getOrder(orderId).state), uint256(IOrderBook.OrderState.Cancelled), "cancelled");
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderDeadlineNotReached.selector, orderId, shipBy, uint40(nowTime))
            );
            vm.prank(p.buyer);
            p.book.cancelOrder(orderId);
            _ship(p, orderId);
            assertEq(uint256(p.book.getOrder(orderId).state), uint256(IOrderBook.OrderState.Shipped), "shipped");
            assertEq(uint256(p.here.getLot(p.lotIds[0]).status), uint256(IStage.LotStatus.Shipped), "lot shipped");
        }
    }

    /// @dev Once delivered, the buyer has `ackWindow` seconds: until then it may reject and the seller may not claim;
    /// after it the seller may claim (and the lots pass to the buyer) and the buyer may no longer reject.
    function _ackDeadline(uint8 s, uint256 ackWindow, uint256 warpBy) private {
        Pair memory p = _pair(s);
        OrderBook book = OrderBook(address(p.book));
        ackWindow = bound(ackWindow, book.MIN_ACK_WINDOW(), book.MAX_ACK_WINDOW());
        warpBy = bound(warpBy, 0, 2 * uint256(book.MAX_ACK_WINDOW()));
        uint256 orderId = _order(p, PRICE, uint40(_now() + 1 days), uint32(ackWindow));
        _ship(p, orderId);
        vm.warp(_now() + 1 hours);
        _confirmAt(s, p.buyer, orderId);
        uint40 deadline = p.book.getOrder(orderId).deadline;
        assertEq(deadline, _now() + ackWindow, "acknowledgement deadline");
        uint256 nowTime = _now() + warpBy;
        vm.warp(nowTime);

        if (nowTime <= deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderDeadlineNotReached.selector, orderId, deadline, uint40(nowTime))
            );
            vm.prank(p.seller);
            p.book.claimPayment(orderId, SHIPMENT_NO, p.lotIds);
            vm.prank(p.buyer);
            p.book.rejectDelivery(orderId, SHIPMENT_NO, p.lotIds, "late");
            assertEq(uint256(p.book.getOrder(orderId).state), uint256(IOrderBook.OrderState.Rejected), "rejected");
            assertEq(uint256(p.here.getLot(p.lotIds[0]).status), uint256(IStage.LotStatus.Created), "back in stock");
            assertEq(uint256(p.next.getLot(p.lotIds[0]).status), uint256(IStage.LotStatus.None), "not handed over");
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, orderId, deadline, uint40(nowTime))
            );
            vm.prank(p.buyer);
            p.book.rejectDelivery(orderId, SHIPMENT_NO, p.lotIds, "late");
            vm.prank(p.seller);
            p.book.claimPayment(orderId, SHIPMENT_NO, p.lotIds);
            assertEq(uint256(p.book.getOrder(orderId).state), uint256(IOrderBook.OrderState.Acknowledged), "claimed");
            _assertHandedOver(p);
        }
    }

    /// @dev With the next stage not wired, neither the buyer's acknowledgement nor the seller's claim can pass the
    /// lots on: both revert and nothing moves. Once the admin wires the stage, the claim goes through.
    function _nextNotSet(uint8 s) private {
        _deployWithParticipants(s);
        assertEq(_stage(s).nextStage(), address(0), "unlinked");
        Pair memory p = _pair(s);
        uint256 orderId = _order(p, PRICE, uint40(_now() + 1 days), ACK_WINDOW);
        _ship(p, orderId);
        _confirmAt(s, p.buyer, orderId);

        vm.expectRevert(abi.encodeWithSelector(IStage.StageNextNotSet.selector));
        _ackAt(s, p.buyer, orderId, SHIPMENT_NO, p.lotIds);
        vm.warp(uint256(p.book.getOrder(orderId).deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageNextNotSet.selector));
        vm.prank(p.seller);
        p.book.claimPayment(orderId, SHIPMENT_NO, p.lotIds);
        assertEq(uint256(p.book.getOrder(orderId).state), uint256(IOrderBook.OrderState.Delivered), "still delivered");
        assertEq(uint256(p.here.getLot(p.lotIds[0]).status), uint256(IStage.LotStatus.Shipped), "still shipped");
        assertEq(uint256(p.next.getLot(p.lotIds[0]).status), uint256(IStage.LotStatus.None), "not handed over");

        vm.prank(admin);
        p.here.setNextStage(address(p.next));
        vm.prank(p.seller);
        p.book.claimPayment(orderId, SHIPMENT_NO, p.lotIds);
        _assertHandedOver(p);
    }

    // ------------------------------------------------------------------ helpers

    function _pair(uint8 s) private returns (Pair memory p) {
        p.s = s;
        p.book = _book(s);
        p.here = _stage(s);
        p.next = _stage(s + 1);
        p.seller = _actor(s, 0);
        p.buyer = _actor(s + 1, 0);
        p.sellerId = _idOf(p.seller);
        p.buyerId = _idOf(p.buyer);
        p.lotIds = _lotsAt(s, COD, W1, W2);
        // Only this pair's order will ever be in the seller's book.
        assertEq(p.book.orderCount(), 0, "fresh book");
        assertEq(p.book.escrowBalance(), 0, "fresh escrow");
    }

    function _order(Pair memory p, uint256 price, uint40 shipBy, uint32 ackWindow) private returns (uint256) {
        return _placeAt(p.s, p.buyer, p.seller, COD, GRAMS, price, shipBy, ackWindow);
    }

    function _ship(Pair memory p, uint256 orderId) private {
        _shipAt(p.s, p.seller, orderId, SHIPMENT_NO, p.lotIds);
    }

    /// @dev The lots are supplied at the seller's stage (custodian there: still the seller) and available at the next
    /// stage in the buyer's custody, with the same weight and species; the totals of both stages moved with them.
    function _assertHandedOver(Pair memory p) private view {
        for (uint256 i; i < p.lotIds.length; ++i) {
            IStage.Lot memory here = p.here.getLot(p.lotIds[i]);
            IStage.Lot memory next = p.next.getLot(p.lotIds[i]);
            assertEq(uint256(here.status), uint256(IStage.LotStatus.Supplied), "supplied at the seller's stage");
            assertEq(here.custodianId, p.sellerId, "seller stays the custodian of record there");
            assertEq(uint256(next.status), uint256(IStage.LotStatus.Created), "created at the next stage");
            assertEq(next.custodianId, p.buyerId, "buyer holds it at the next stage");
            assertEq(next.weightGrams, here.weightGrams, "weight carried over");
            assertEq(bytes32(next.species), bytes32(here.species), "species carried over");
            assertEq(next.flags & LotFlags.RECALLED, 0, "not recalled");
        }
        _assertTotals(p.here.totalAvailableFish(COD), 0, 0, "available at the seller's stage");
        _assertTotals(p.here.totalSuppliedFish(COD), 2, GRAMS, "supplied by the seller's stage");
        _assertTotals(p.next.totalAvailableFish(COD), 2, GRAMS, "available at the next stage");
    }

    function _assertTotals(IStage.Totals memory t, uint256 lots, uint256 grams, string memory what) private pure {
        assertEq(t.lots, lots, string.concat(what, ": lots"));
        assertEq(t.grams, grams, string.concat(what, ": grams"));
    }

    function _invalidState(
        uint256 orderId,
        IOrderBook.OrderState current,
        IOrderBook.OrderState expected
    ) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IOrderBook.OrderInvalidState.selector, orderId, current, expected);
    }
}

/// @notice `OrderPairsTest` again on a deployment that settles in the test stablecoin (FishTraceUSD): every pair's
/// refunds, payouts and deadlines in the token, placed by allowance through `placeOrderWithPermit`.
contract TokenOrderPairsTest is OrderPairsTest {
    function setUp() public override {
        _useTestToken();
        _deployWithParticipants();
    }

    function test_settlementToken_everyBookSettlesInTheToken() public {
        assertEq(registry.settlementToken(), settlementToken, "registry");
        // Every book copied the token: each refuses Ether.
        vm.deal(stranger, 1);
        for (uint8 s = 1; s <= 5; ++s) {
            vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderPaymentKind.selector, settlementToken, 1));
            vm.prank(stranger);
            _book(s).placeOrder{value: 1}(_actor(s, 0), COD, 10_000, uint40(_now() + 1 days), 1 days);
        }
    }
}
