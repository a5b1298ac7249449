// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotCodec} from "../../contracts/libraries/LotCodec.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {StageWorld} from "./StageBehaviour.t.sol";

/// @notice The escrowed order machine, run against each of the five stages that sell (Harvester … Retailer): order
/// 1 of the `StageWorld` (`buyer` orders 400 kg of COD from `holder`) through placing, shipping, confirming,
/// acknowledging or claiming (the hand-over of the lots to the next stage), rejecting, cancelling and withdrawing.
/// (Formerly test/contracts/stage-behaviour.test.ts, run in mocha.)
abstract contract OrderBookBehaviour is StageWorld {
    // ------------------------------------------------------------------ helpers

    function _bookHere() internal view returns (IOrderBook) {
        return _book(_s());
    }

    function _next() internal view returns (IStage) {
        return _stage(_s() + 1);
    }

    function _sellerBit() internal pure returns (uint16) {
        return Roles.actorBit(_s());
    }

    function _buyerBit() internal pure returns (uint16) {
        return Roles.actorBit(_s() + 1);
    }

    /// @dev Ships order 1 with the two COD lots.
    function _ship() internal {
        vm.prank(holder);
        _bookHere().initiateShipment(orderId, SHIPMENT_NO, cod);
    }

    /// @dev Ships and confirms (by the buyer) order 1; returns the acknowledgement deadline.
    function _deliver() internal returns (uint40) {
        _ship();
        vm.prank(buyer);
        _bookHere().confirmDelivery(orderId);
        return _bookHere().getOrder(orderId).deadline;
    }

    /// @dev `by` places an order from `seller` on the terms given (the price dealt to `by` first).
    function _placeAs(
        address by,
        address seller,
        bytes3 species,
        uint40 grams,
        uint256 price,
        uint40 shipBy_,
        uint32 ackWindow
    ) internal {
        vm.deal(by, by.balance + price);
        vm.prank(by);
        _bookHere().placeOrder{value: price}(seller, species, grams, shipBy_, ackWindow);
    }

    /// @dev A second order of `buyer`, for one new 100 kg COD lot of `holder`, shipped.
    function _shipSecond() internal returns (uint256 secondId, uint64 secondNo, uint256[] memory lotIds) {
        lotIds = _ids(_lotAt(_s(), COD, 100_000));
        secondId = _placeAt(_s(), buyer, holder, COD, 100_000, PRICE, uint40(_now() + 1 days), ACK_WINDOW);
        secondNo = SHIPMENT_NO + 1;
        vm.prank(holder);
        _bookHere().initiateShipment(secondId, secondNo, lotIds);
    }

    function _state(uint256 id) internal view returns (uint256) {
        return uint256(_bookHere().getOrder(id).state);
    }

    function _invalidState(
        uint256 id,
        IOrderBook.OrderState current,
        IOrderBook.OrderState expected
    ) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IOrderBook.OrderInvalidState.selector, id, current, expected);
    }

    function _notParty(uint256 id, address account) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IOrderBook.OrderNotParty.selector, id, account);
    }

    function _orderNotFound(uint256 id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IOrderBook.OrderNotFound.selector, id);
    }

    function _mismatch(uint256 id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IOrderBook.OrderShipmentMismatch.selector, id);
    }

    /// @dev The events of a hand-over of order 1's COD lots, in the order they are emitted.
    function _expectHandOver(bool byDeadline) internal {
        address book = address(_bookHere());
        for (uint256 i; i < cod.length; ++i) {
            vm.expectEmit(true, true, true, true, book);
            emit IStage.CustodyTransferred(cod[i], holderId, buyerId, orderId);
        }
        vm.expectEmit(true, true, true, true, book);
        emit IOrderBook.OrderAcknowledged(orderId, byDeadline);
        for (uint256 i; i < cod.length; ++i) {
            vm.expectEmit(true, true, true, true, address(_next()));
            emit IStage.LotReceived(cod[i], buyerId, orderId);
        }
    }

    // ------------------------------------------------------------------ placeOrder

    function test_placeOrder_escrowsPriceAndEmitsOrderPlaced() public {
        IOrderBook book = _bookHere();
        uint256 escrow = book.escrowBalance();
        uint256 bookBalance = address(book).balance;
        vm.deal(buyer2, PRICE);
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.OrderPlaced(2, otherId, buyer2Id, HER, 1_000_000, PRICE, shipBy, ACK_WINDOW);
        vm.prank(buyer2);
        book.placeOrder{value: PRICE}(other, HER, 1_000_000, shipBy, ACK_WINDOW);

        assertEq(buyer2.balance, 0, "buyer paid");
        assertEq(address(book).balance, bookBalance + PRICE, "book holds the price");
        IOrderBook.Order memory stored = book.getOrder(2);
        assertEq(stored.sellerId, otherId, "seller");
        assertEq(stored.buyerId, buyer2Id, "buyer");
        assertEq(uint256(stored.state), uint256(IOrderBook.OrderState.Ordered), "state");
        assertEq(stored.deadline, shipBy, "deadline");
        assertEq(stored.price, PRICE, "price");
        assertEq(book.orderCount(), 2, "order count");
        assertEq(book.escrowBalance(), escrow + PRICE, "escrow");
    }

    function test_placeOrder_RevertWhen_BuyerOfAnotherRole() public {
        uint8 s = _s();
        address[] memory buyers = new address[](5);
        uint256 n;
        buyers[n++] = holder;
        if (s > 1) buyers[n++] = _actor(s - 1, 0);
        if (s + 2 <= 6) buyers[n++] = _actor(s + 2, 0);
        buyers[n++] = regulator;
        buyers[n++] = stranger;
        for (uint256 i; i < n; ++i) {
            vm.deal(buyers[i], PRICE);
            vm.expectRevert(_unauthorized(buyers[i], _buyerBit()));
            vm.prank(buyers[i]);
            _bookHere().placeOrder{value: PRICE}(holder, COD, ORDER_GRAMS, shipBy, ACK_WINDOW);
        }
    }

    function test_placeOrder_RevertWhen_SellerOfAnotherRole() public {
        address[3] memory sellers = [buyer2, regulator, stranger];
        for (uint256 i; i < sellers.length; ++i) {
            vm.deal(buyer, PRICE);
            vm.expectRevert(_unauthorized(sellers[i], _sellerBit()));
            vm.prank(buyer);
            _bookHere().placeOrder{value: PRICE}(sellers[i], COD, ORDER_GRAMS, shipBy, ACK_WINDOW);
        }
    }

    function test_placeOrder_RevertWhen_InvalidTerms() public {
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, POK));
        _placeAs(buyer, holder, POK, ORDER_GRAMS, PRICE, shipBy, ACK_WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidWeight.selector, 0));
        _placeAs(buyer, holder, COD, 0, PRICE, shipBy, ACK_WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderInvalidPrice.selector, 0));
        _placeAs(buyer, holder, COD, ORDER_GRAMS, 0, shipBy, ACK_WINDOW);

        uint40 t = uint40(_now() + 10);
        vm.warp(t);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderInvalidShipBy.selector, t, t));
        _placeAs(buyer, holder, COD, ORDER_GRAMS, PRICE, t, ACK_WINDOW);
        uint32[2] memory windows = [uint32(1 hours - 1), 90 days + 1];
        for (uint256 i; i < windows.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderInvalidAckWindow.selector, windows[i], 1 hours, 90 days)
            );
            _placeAs(buyer, holder, COD, ORDER_GRAMS, PRICE, shipBy, windows[i]);
        }
    }

    // ------------------------------------------------------------------ initiateShipment

    function test_initiateShipment_shipsLots() public {
        IOrderBook book = _bookHere();
        IStage stage = _here();
        IStage.Totals memory before = stage.totalAvailableFish(COD);
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.ShipmentInitiated(orderId, SHIPMENT_NO, cod, 2 * uint256(LOT_GRAMS));
        _ship();
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Shipped), "order state");
        for (uint256 i; i < cod.length; ++i) {
            assertEq(_status(stage, cod[i]), uint256(IStage.LotStatus.Shipped), "lot status");
        }
        _assertTotals(stage.totalAvailableFish(COD), before.lots - 2, before.grams - 2 * LOT_GRAMS, "available");
    }

    function test_initiateShipment_atShipByButNotASecondLater() public {
        uint256 second = _placeAt(_s(), buyer, holder, HER, 1, PRICE, shipBy, ACK_WINDOW);
        vm.warp(shipBy);
        _ship();
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Shipped), "shipped at the ship-by time");
        vm.warp(uint256(shipBy) + 1);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, second, shipBy, shipBy + 1));
        vm.prank(holder);
        _bookHere().initiateShipment(second, SHIPMENT_NO + 1, _ids(had));
    }

    function test_initiateShipment_RevertWhen_WrongCallerOrderOrLots() public {
        IOrderBook book = _bookHere();
        vm.expectRevert(_unauthorized(buyer, _sellerBit()));
        vm.prank(buyer);
        book.initiateShipment(orderId, SHIPMENT_NO, cod);
        vm.expectRevert(_orderNotFound(99));
        vm.prank(holder);
        book.initiateShipment(99, SHIPMENT_NO, cod);
        vm.expectRevert(_notParty(orderId, other));
        vm.prank(other);
        book.initiateShipment(orderId, SHIPMENT_NO, _ids(othersLot));
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderEmptyShipment.selector, orderId));
        vm.prank(holder);
        book.initiateShipment(orderId, SHIPMENT_NO, new uint256[](0));
    }

    function test_initiateShipment_RevertWhen_LotsDoNotFill() public {
        IOrderBook book = _bookHere();
        bytes[5] memory errors = [
            _lotNotFound(UNKNOWN_LOT),
            _notInCustody(othersLot, otherId, holderId),
            _invalidStatus(cod[0], IStage.LotStatus.Shipped, IStage.LotStatus.Created),
            abi.encodeWithSelector(IOrderBook.OrderSpeciesMismatch.selector, orderId, had, COD, HER),
            abi.encodeWithSelector(IOrderBook.OrderUnderweight.selector, orderId, LOT_GRAMS, ORDER_GRAMS)
        ];
        uint256[][5] memory shipments = [
            _ids(cod[0], UNKNOWN_LOT),
            _ids(cod[0], othersLot),
            _ids(cod[0], cod[0]),
            _ids(cod[0], had),
            _ids(cod[0])
        ];
        for (uint256 i; i < errors.length; ++i) {
            vm.expectRevert(errors[i]);
            vm.prank(holder);
            book.initiateShipment(orderId, SHIPMENT_NO, shipments[i]);
        }
        _remove(holder, cod[1], IStage.RemovalReason.Discarded);
        vm.expectRevert(_invalidStatus(cod[1], IStage.LotStatus.Removed, IStage.LotStatus.Created));
        _ship();
    }

    function test_initiateShipment_RevertWhen_LotRecalledOrShippedAlready() public {
        _recall(_s(), _ids(cod[1]));
        vm.expectRevert(_isRecalled(cod[1]));
        _ship();
        assertEq(_status(_here(), cod[0]), uint256(IStage.LotStatus.Created), "nothing shipped");

        uint256 fresh = _lotAt(_s(), COD, ORDER_GRAMS);
        vm.prank(holder);
        _bookHere().initiateShipment(orderId, SHIPMENT_NO, _ids(fresh));
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Ordered));
        vm.prank(holder);
        _bookHere().initiateShipment(orderId, SHIPMENT_NO, _ids(cod[0]));
    }

    // ------------------------------------------------------------------ confirmDelivery

    function _confirmDeliveryBy(address by, uint32 id, uint256 disputeWindow) private {
        IOrderBook book = _bookHere();
        _ship();
        uint256 t = _now() + 100;
        uint40 deadline = uint40(t + ACK_WINDOW + disputeWindow);
        vm.warp(t);
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.DeliveryConfirmed(orderId, id, deadline);
        vm.prank(by);
        book.confirmDelivery(orderId);
        IOrderBook.Order memory stored = book.getOrder(orderId);
        assertEq(uint256(stored.state), uint256(IOrderBook.OrderState.Delivered), "state");
        assertEq(stored.deadline, deadline, "deadline");
    }

    function test_confirmDelivery_byBuyer_startsAckWindow() public {
        _confirmDeliveryBy(buyer, buyerId, 0);
    }

    function test_confirmDelivery_bySeller_addsArrivalDisputeWindow() public {
        // The seller's word adds the arrival dispute window: it cannot start the buyer's clock alone (audit F6).
        _confirmDeliveryBy(holder, holderId, 7 days);
    }

    function test_confirmDelivery_RevertWhen_WrongCallerOrderOrState() public {
        IOrderBook book = _bookHere();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Ordered, IOrderBook.OrderState.Shipped));
        vm.prank(buyer);
        book.confirmDelivery(orderId);
        _ship();
        address[3] memory strangers = [regulator, gateway, stranger];
        for (uint256 i; i < strangers.length; ++i) {
            vm.expectRevert(_unauthorized(strangers[i], _sellerBit() | _buyerBit()));
            vm.prank(strangers[i]);
            book.confirmDelivery(orderId);
        }
        address[2] memory others = [other, buyer2];
        for (uint256 i; i < others.length; ++i) {
            vm.expectRevert(_notParty(orderId, others[i]));
            vm.prank(others[i]);
            book.confirmDelivery(orderId);
        }
        vm.expectRevert(_orderNotFound(7));
        vm.prank(buyer);
        book.confirmDelivery(7);
    }

    // ------------------------------------------------------------------ acknowledge

    function test_acknowledge_handsLotsOverToNextStage() public {
        IOrderBook book = _bookHere();
        IStage stage = _here();
        _deliver();
        uint256 escrow = book.escrowBalance();
        uint256[3] memory balances = [address(book).balance, buyer.balance, holder.balance];
        _expectHandOver(false);
        vm.prank(buyer);
        book.acknowledge(orderId, SHIPMENT_NO, cod);

        assertEq(address(book).balance, balances[0], "book balance");
        assertEq(buyer.balance, balances[1], "buyer balance");
        assertEq(holder.balance, balances[2], "seller balance");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Acknowledged), "order state");
        for (uint256 i; i < cod.length; ++i) {
            IStage.Lot memory here = stage.getLot(cod[i]);
            assertEq(uint256(here.status), uint256(IStage.LotStatus.Supplied), "here: status");
            assertEq(here.custodianId, holderId, "here: custodian");
            IStage.Lot memory there = _next().getLot(cod[i]);
            assertEq(uint256(there.status), uint256(IStage.LotStatus.Created), "there: status");
            assertEq(there.custodianId, buyerId, "there: custodian");
            assertEq(there.weightGrams, here.weightGrams, "there: weight");
        }
        _assertTotals(stage.totalSuppliedFish(COD), 2, 2 * uint256(LOT_GRAMS), "supplied");
        assertEq(book.escrowBalance(), escrow, "escrow");
    }

    function test_acknowledge_stillOpenAfterDeadlineWhileUnclaimed() public {
        vm.warp(uint256(_deliver()) + 1 days);
        vm.expectEmit(true, true, true, true, address(_bookHere()));
        emit IOrderBook.OrderAcknowledged(orderId, false);
        vm.prank(buyer);
        _bookHere().acknowledge(orderId, SHIPMENT_NO, cod);
    }

    function test_acknowledge_RevertWhen_WrongCallerOrderOrState() public {
        IOrderBook book = _bookHere();
        _ship();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Delivered));
        vm.prank(buyer);
        book.acknowledge(orderId, SHIPMENT_NO, cod);
        vm.prank(buyer);
        book.confirmDelivery(orderId);
        vm.expectRevert(_unauthorized(holder, _buyerBit()));
        vm.prank(holder);
        book.acknowledge(orderId, SHIPMENT_NO, cod);
        vm.expectRevert(_orderNotFound(5));
        vm.prank(buyer);
        book.acknowledge(5, SHIPMENT_NO, cod);
        vm.expectRevert(_notParty(orderId, buyer2));
        vm.prank(buyer2);
        book.acknowledge(orderId, SHIPMENT_NO, cod);
        vm.prank(buyer);
        book.acknowledge(orderId, SHIPMENT_NO, cod);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Acknowledged, IOrderBook.OrderState.Delivered));
        vm.prank(buyer);
        book.acknowledge(orderId, SHIPMENT_NO, cod);
    }

    function test_acknowledge_RevertWhen_NotExactlyTheShipment() public {
        _deliver();
        uint64[4] memory numbers = [SHIPMENT_NO + 1, SHIPMENT_NO, SHIPMENT_NO, SHIPMENT_NO];
        uint256[][4] memory shipments = [
            _ids(cod[0], cod[1]),
            _ids(cod[1], cod[0]),
            _ids(cod[0]),
            _ids(cod[0], cod[1], had)
        ];
        for (uint256 i; i < numbers.length; ++i) {
            vm.expectRevert(_mismatch(orderId));
            vm.prank(buyer);
            _bookHere().acknowledge(orderId, numbers[i], shipments[i]);
        }
    }

    function test_acknowledge_RevertWhen_LotRecalledInTransit() public {
        _deliver();
        _recall(_s(), _ids(cod[1]));
        vm.expectRevert(_isRecalled(cod[1]));
        vm.prank(buyer);
        _bookHere().acknowledge(orderId, SHIPMENT_NO, cod);
        assertEq(_status(_next(), cod[0]), uint256(IStage.LotStatus.None), "nothing handed over");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Delivered), "order state");
    }

    function test_acknowledgeAndClaimPayment_RevertWhen_NextNotSet() public {
        uint8 s = _s();
        // The new stage's "previous stage" is an account, to feed it lots.
        address previousAccount = stranger;
        IOrderBook book = IOrderBook(address(_newStage(s, registry, previousAccount)));
        IStage fresh = IStage(address(book));
        uint256 lotId;
        if (s == 1) {
            vm.prank(holder);
            lotId = IHarvester(address(fresh)).registerFish(_catch(COD, ORDER_GRAMS));
        } else {
            lotId = 9_000;
            IStage.Lot memory lot = _here().getLot(cod[0]);
            lot.weightGrams = ORDER_GRAMS;
            vm.prank(previousAccount);
            fresh.receiveLots(1, holderId, _ids(lotId), _words(LotCodec.encode(lot)));
        }
        vm.deal(buyer, PRICE);
        vm.prank(buyer);
        book.placeOrder{value: PRICE}(holder, COD, ORDER_GRAMS, uint40(_now() + 1 days), 1 hours);
        vm.prank(holder);
        book.initiateShipment(1, 1, _ids(lotId));
        vm.prank(buyer);
        book.confirmDelivery(1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageNextNotSet.selector));
        vm.prank(buyer);
        book.acknowledge(1, 1, _ids(lotId));
        vm.warp(_now() + 1 hours + 1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageNextNotSet.selector));
        vm.prank(holder);
        book.claimPayment(1, 1, _ids(lotId));
        assertEq(uint256(book.getOrder(1).state), uint256(IOrderBook.OrderState.Delivered), "order state");
    }

    // ------------------------------------------------------------------ claimPayment

    function test_claimPayment_settlesAfterDeadline() public {
        vm.warp(uint256(_deliver()) + 1);
        _expectHandOver(true);
        vm.prank(holder);
        _bookHere().claimPayment(orderId, SHIPMENT_NO, cod);
        assertEq(_next().getLot(cod[0]).custodianId, buyerId, "custodian there");
        assertEq(_status(_here(), cod[0]), uint256(IStage.LotStatus.Supplied), "status here");
    }

    function test_claimPayment_RevertWhen_UpToDeadline() public {
        uint40 deadline = _deliver();
        vm.warp(deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IOrderBook.OrderDeadlineNotReached.selector, orderId, deadline, deadline)
        );
        vm.prank(holder);
        _bookHere().claimPayment(orderId, SHIPMENT_NO, cod);
    }

    function test_claimPayment_RevertWhen_WrongCallerOrderStateOrShipment() public {
        IOrderBook book = _bookHere();
        _ship();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Delivered));
        vm.prank(holder);
        book.claimPayment(orderId, SHIPMENT_NO, cod);
        vm.prank(buyer);
        book.confirmDelivery(orderId);
        vm.warp(uint256(book.getOrder(orderId).deadline) + 1);
        address[2] memory callers = [buyer, other];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(_notParty(orderId, callers[i]));
            vm.prank(callers[i]);
            book.claimPayment(orderId, SHIPMENT_NO, cod);
        }
        vm.expectRevert(_orderNotFound(3));
        vm.prank(holder);
        book.claimPayment(3, SHIPMENT_NO, cod);
        vm.expectRevert(_mismatch(orderId));
        vm.prank(holder);
        book.claimPayment(orderId, SHIPMENT_NO, _ids(cod[0]));
    }

    function test_claimPayment_RevertWhen_RevokedSellersLotRecalled() public {
        vm.warp(uint256(_deliver()) + 1);
        vm.prank(admin);
        registry.revokeParticipant(holder);
        _recall(_s(), _ids(cod[0]));
        vm.expectRevert(_isRecalled(cod[0]));
        vm.prank(holder);
        _bookHere().claimPayment(orderId, SHIPMENT_NO, cod);
    }

    function test_claimPayment_byRevokedSeller() public {
        vm.warp(uint256(_deliver()) + 1);
        vm.prank(admin);
        registry.revokeParticipant(holder);
        vm.expectEmit(true, true, true, true, address(_bookHere()));
        emit IOrderBook.OrderAcknowledged(orderId, true);
        vm.prank(holder);
        _bookHere().claimPayment(orderId, SHIPMENT_NO, cod);
    }

    // ------------------------------------------------------------------ rejectDelivery

    function test_rejectDelivery_returnsLotsToSeller() public {
        IOrderBook book = _bookHere();
        IStage stage = _here();
        IStage.Totals memory available = stage.totalAvailableFish(COD);
        _ship();
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.DeliveryRejected(orderId, REJECTION);
        vm.prank(buyer);
        book.rejectDelivery(orderId, SHIPMENT_NO, cod, REJECTION);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Rejected), "order state");
        for (uint256 i; i < cod.length; ++i) {
            IStage.Lot memory lot = stage.getLot(cod[i]);
            assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "status");
            assertEq(lot.custodianId, holderId, "custodian");
        }
        _assertTotals(stage.totalAvailableFish(COD), available.lots, available.grams, "available");
    }

    function test_rejectDelivery_upToDeadlineNotAfter() public {
        IOrderBook book = _bookHere();
        uint40 deadline = _deliver();
        vm.warp(uint256(deadline) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, orderId, deadline, deadline + 1)
        );
        vm.prank(buyer);
        book.rejectDelivery(orderId, SHIPMENT_NO, cod, REJECTION);

        (uint256 secondId, uint64 secondNo, uint256[] memory lotIds) = _shipSecond();
        vm.prank(buyer);
        book.confirmDelivery(secondId);
        vm.warp(book.getOrder(secondId).deadline);
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.DeliveryRejected(secondId, REJECTION);
        vm.prank(buyer);
        book.rejectDelivery(secondId, secondNo, lotIds, REJECTION);
    }

    function test_rejectDelivery_withRecalledLotAfterDeadline_refundsBuyer() public {
        IOrderBook book = _bookHere();
        uint40 deadline = _deliver();
        _recall(_s(), _ids(cod[0]));
        vm.warp(uint256(deadline) + 1 days);
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.DeliveryRejected(orderId, REJECTION);
        vm.prank(buyer);
        book.rejectDelivery(orderId, SHIPMENT_NO, cod, REJECTION);
        IStage.Lot memory lot = _here().getLot(cod[0]);
        assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "status");
        assertEq(lot.flags, LotFlags.RECALLED, "flags");

        uint256 bookBalance = address(book).balance;
        uint256 buyerBalance = buyer.balance;
        vm.prank(buyer);
        book.withdraw(orderId);
        assertEq(address(book).balance, bookBalance - PRICE, "book balance");
        assertEq(buyer.balance, buyerBalance + PRICE, "buyer refunded");
    }

    function test_rejectDelivery_RevertWhen_WrongCallerOrderStateOrShipment() public {
        IOrderBook book = _bookHere();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Ordered, IOrderBook.OrderState.Delivered));
        vm.prank(buyer);
        book.rejectDelivery(orderId, SHIPMENT_NO, cod, REJECTION);
        _ship();
        vm.expectRevert(_unauthorized(holder, _buyerBit()));
        vm.prank(holder);
        book.rejectDelivery(orderId, SHIPMENT_NO, cod, REJECTION);
        vm.expectRevert(_orderNotFound(8));
        vm.prank(buyer);
        book.rejectDelivery(8, SHIPMENT_NO, cod, REJECTION);
        vm.expectRevert(_notParty(orderId, buyer2));
        vm.prank(buyer2);
        book.rejectDelivery(orderId, SHIPMENT_NO, cod, REJECTION);
        vm.expectRevert(_mismatch(orderId));
        vm.prank(buyer);
        book.rejectDelivery(orderId, SHIPMENT_NO, _ids(had), REJECTION);
        assertEq(_status(_here(), cod[0]), uint256(IStage.LotStatus.Shipped), "still shipped");
    }

    function test_rejectDelivery_lotsShipAgainUnderAnotherOrder() public {
        IOrderBook book = _bookHere();
        _ship();
        vm.prank(buyer);
        book.rejectDelivery(orderId, SHIPMENT_NO, cod, REJECTION);
        uint256 second = _placeAt(_s(), buyer2, holder, COD, ORDER_GRAMS, PRICE, shipBy, ACK_WINDOW);
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.ShipmentInitiated(second, SHIPMENT_NO + 1, cod, 2 * uint256(LOT_GRAMS));
        vm.prank(holder);
        book.initiateShipment(second, SHIPMENT_NO + 1, cod);
    }

    // ------------------------------------------------------------------ cancelOrder

    function test_cancelOrder_bySellerAnyTimeBeforeShipping() public {
        IOrderBook book = _bookHere();
        uint256 escrow = book.escrowBalance();
        vm.warp(uint256(shipBy) + 1 days);
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.OrderCancelled(orderId, holderId);
        vm.prank(holder);
        book.cancelOrder(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Cancelled), "order state");
        assertEq(book.escrowBalance(), escrow, "price stays in escrow");
    }

    function test_cancelOrder_byBuyerOnlyAfterShipBy() public {
        IOrderBook book = _bookHere();
        vm.warp(shipBy);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderDeadlineNotReached.selector, orderId, shipBy, shipBy));
        vm.prank(buyer);
        book.cancelOrder(orderId);
        vm.warp(uint256(shipBy) + 1);
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.OrderCancelled(orderId, buyerId);
        vm.prank(buyer);
        book.cancelOrder(orderId);
    }

    function test_cancelOrder_RevertWhen_NotPartyNotFoundOrShipped() public {
        IOrderBook book = _bookHere();
        address[4] memory callers = [other, buyer2, regulator, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(_notParty(orderId, callers[i]));
            vm.prank(callers[i]);
            book.cancelOrder(orderId);
        }
        vm.expectRevert(_orderNotFound(0));
        vm.prank(holder);
        book.cancelOrder(0);
        _ship();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Ordered));
        vm.prank(holder);
        book.cancelOrder(orderId);
    }

    // ------------------------------------------------------------------ withdraw

    function test_withdraw_paysSellerOnce() public {
        IOrderBook book = _bookHere();
        _deliver();
        vm.prank(buyer);
        book.acknowledge(orderId, SHIPMENT_NO, cod);
        vm.expectRevert(_notParty(orderId, buyer));
        vm.prank(buyer);
        book.withdraw(orderId);

        uint256 bookBalance = address(book).balance;
        uint256 holderBalance = holder.balance;
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.OrderPaid(orderId, holderId, PRICE);
        vm.prank(holder);
        book.withdraw(orderId);
        assertEq(address(book).balance, bookBalance - PRICE, "book balance");
        assertEq(holder.balance, holderBalance + PRICE, "seller paid");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Paid), "order state");

        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Paid, IOrderBook.OrderState.Acknowledged));
        vm.prank(holder);
        book.withdraw(orderId);
    }

    function test_withdraw_refundsBuyerOfCancelledOrder() public {
        IOrderBook book = _bookHere();
        vm.prank(holder);
        book.cancelOrder(orderId);
        vm.expectRevert(_notParty(orderId, holder));
        vm.prank(holder);
        book.withdraw(orderId);

        uint256 bookBalance = address(book).balance;
        uint256 buyerBalance = buyer.balance;
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.OrderRefunded(orderId, buyerId, PRICE);
        vm.prank(buyer);
        book.withdraw(orderId);
        assertEq(address(book).balance, bookBalance - PRICE, "book balance");
        assertEq(buyer.balance, buyerBalance + PRICE, "buyer refunded");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Refunded), "order state");
    }

    function test_withdraw_RevertWhen_NothingOwedOrNoOrder() public {
        IOrderBook book = _bookHere();
        IOrderBook.OrderState[3] memory states = [
            IOrderBook.OrderState.Ordered,
            IOrderBook.OrderState.Shipped,
            IOrderBook.OrderState.Delivered
        ];
        address[2] memory callers = [holder, buyer];
        for (uint256 i; i < states.length; ++i) {
            if (states[i] == IOrderBook.OrderState.Shipped) _ship();
            if (states[i] == IOrderBook.OrderState.Delivered) {
                vm.prank(buyer);
                book.confirmDelivery(orderId);
            }
            for (uint256 j; j < callers.length; ++j) {
                vm.expectRevert(_invalidState(orderId, states[i], IOrderBook.OrderState.Acknowledged));
                vm.prank(callers[j]);
                book.withdraw(orderId);
            }
        }
        vm.expectRevert(_orderNotFound(9));
        vm.prank(buyer);
        book.withdraw(9);
    }

    function test_escrowBalance_equalsEtherHeldThroughEveryWayOut() public {
        IOrderBook book = _bookHere();
        _assertSolvent(book);
        uint256 cancelled = _placeAt(_s(), buyer2, holder, COD, 1, 0.3 ether, shipBy, ACK_WINDOW);
        (uint256 rejected, uint64 rejectedNo, uint256[] memory rejectedLots) = _shipSecond();
        _assertSolvent(book);
        _deliver();
        vm.prank(buyer);
        book.acknowledge(orderId, SHIPMENT_NO, cod);
        vm.prank(holder);
        book.withdraw(orderId);
        _assertSolvent(book);
        vm.prank(holder);
        book.cancelOrder(cancelled);
        vm.prank(buyer2);
        book.withdraw(cancelled);
        _assertSolvent(book);
        vm.prank(buyer);
        book.rejectDelivery(rejected, rejectedNo, rejectedLots, REJECTION);
        _assertSolvent(book);
        vm.prank(buyer);
        book.withdraw(rejected);
        _assertSolvent(book);
        assertEq(book.escrowBalance(), 0, "escrow emptied");
        assertEq(book.orderCount(), 3, "order count");
    }

    function _assertSolvent(IOrderBook book) private view {
        assertEq(book.escrowBalance(), address(book).balance, "escrow balance is the Ether held");
    }
}

contract HarvesterOrderBookBehaviourTest is OrderBookBehaviour {
    function _s() internal pure override returns (uint8) {
        return 1;
    }
}

contract SupplierOrderBookBehaviourTest is OrderBookBehaviour {
    function _s() internal pure override returns (uint8) {
        return 2;
    }
}

contract ManufacturerOrderBookBehaviourTest is OrderBookBehaviour {
    function _s() internal pure override returns (uint8) {
        return 3;
    }
}

contract DistributorOrderBookBehaviourTest is OrderBookBehaviour {
    function _s() internal pure override returns (uint8) {
        return 4;
    }
}

contract RetailerOrderBookBehaviourTest is OrderBookBehaviour {
    function _s() internal pure override returns (uint8) {
        return 5;
    }
}
