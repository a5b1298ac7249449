// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {HarvesterInterface as Harvester} from "./utils/Contracts.sol";
import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {Party} from "./utils/Party.sol";

// A handler/harness: its public functions are not tests.
// solhint-disable foundry-test-function-naming
/// @dev A harvester that is a contract: it re-enters `withdraw` when paid, or refuses Ether.
contract ContractSeller {
    Harvester private immutable _HARVESTER;
    bool private immutable _REENTER;
    uint256 private _orderId;

    constructor(Harvester harvester_, bool reenter) {
        _HARVESTER = harvester_;
        _REENTER = reenter;
    }

    function registerFish(IHarvester.Catch calldata catchData) external returns (uint256) {
        return _HARVESTER.registerFish(catchData);
    }

    function initiateShipment(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds) external {
        _HARVESTER.initiateShipment(orderId, shipmentNo, lotIds);
    }

    function withdraw(uint256 orderId) external {
        _orderId = orderId;
        _HARVESTER.withdraw(orderId);
    }

    // Re-enters withdraw on purpose, to test the guard.
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        if (!_REENTER) revert();
        _HARVESTER.withdraw(_orderId);
    }
}

// solhint-enable foundry-test-function-naming

/// @notice The escrowed order book as the Harvester (seller) and a Supplier (buyer) use it: every transition of the
/// state chart, every revert, and fuzzed prices and deadlines.
contract OrderBookTest is FishTraceTest {
    uint40 private constant GRAMS = 10_000;
    uint256 private constant PRICE = 1 ether;
    uint32 private constant ACK_WINDOW = 1 days;
    uint64 private constant SHIPMENT_NO = 7;

    uint32 private sellerId;
    uint32 private buyerId;
    uint32 private minAckWindow;
    uint32 private maxAckWindow;

    function setUp() public {
        _deployWithParticipants();
        sellerId = _idOf(harvester1);
        buyerId = _idOf(supplier1);
        minAckWindow = harvester.MIN_ACK_WINDOW();
        maxAckWindow = harvester.MAX_ACK_WINDOW();
    }

    // ------------------------------------------------------------------ helpers

    function _shipBy() private view returns (uint40) {
        return uint40(_now() + 1 days);
    }

    function _place(uint256 price, uint40 shipBy, uint32 ackWindow) private returns (uint256 orderId) {
        vm.deal(supplier1, price);
        vm.prank(supplier1);
        orderId = harvester.placeOrder{value: price}(harvester1, COD, GRAMS, shipBy, ackWindow);
    }

    function _place() private returns (uint256) {
        return _place(PRICE, _shipBy(), ACK_WINDOW);
    }

    function _ship(uint256 orderId) private returns (uint256[] memory lotIds) {
        lotIds = _ids(_registerLot(harvester1, COD, GRAMS / 2), _registerLot(harvester1, COD, GRAMS / 2));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
    }

    function _confirm(uint256 orderId) private {
        vm.prank(supplier1);
        harvester.confirmDelivery(orderId);
    }

    function _acknowledge(uint256 orderId, uint256[] memory lotIds) private {
        vm.prank(supplier1);
        harvester.acknowledge(orderId, SHIPMENT_NO, lotIds);
    }

    function _shipped() private returns (uint256 orderId, uint256[] memory lotIds) {
        orderId = _place();
        lotIds = _ship(orderId);
    }

    function _delivered() private returns (uint256 orderId, uint256[] memory lotIds) {
        (orderId, lotIds) = _shipped();
        _confirm(orderId);
    }

    function _acknowledged() private returns (uint256 orderId, uint256[] memory lotIds) {
        (orderId, lotIds) = _delivered();
        _acknowledge(orderId, lotIds);
    }

    function _state(uint256 orderId) private view returns (uint256) {
        return uint256(harvester.getOrder(orderId).state);
    }

    function _invalidState(
        uint256 orderId,
        IOrderBook.OrderState current,
        IOrderBook.OrderState expected
    ) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IOrderBook.OrderInvalidState.selector, orderId, current, expected);
    }

    function _notParty(uint256 orderId, address account) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IOrderBook.OrderNotParty.selector, orderId, account);
    }

    function _mismatch(uint256 orderId) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IOrderBook.OrderShipmentMismatch.selector, orderId);
    }

    function _unauthorized(address account, uint16 bits) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IStage.StageUnauthorized.selector, account, bits);
    }

    uint16 private constant _PARTY_BITS = Roles.HARVESTER_BIT | Roles.SUPPLIER_BIT;

    function _revoke(address account) private {
        vm.prank(admin);
        registry.revokeParticipant(account);
    }

    // ------------------------------------------------------------------ placeOrder

    function test_placeOrder_escrowsPrice() public {
        uint40 shipBy = _shipBy();
        vm.deal(supplier1, PRICE);
        vm.expectEmit(true, true, true, true, address(harvester));
        emit IOrderBook.OrderPlaced(1, sellerId, buyerId, COD, GRAMS, PRICE, shipBy, ACK_WINDOW);
        vm.prank(supplier1);
        uint256 orderId = harvester.placeOrder{value: PRICE}(harvester1, COD, GRAMS, shipBy, ACK_WINDOW);

        assertEq(orderId, 1, "order id");
        assertEq(harvester.orderCount(), 1, "order count");
        assertEq(harvester.escrowBalance(), PRICE, "escrow");
        assertEq(address(harvester).balance, PRICE, "balance");
        IOrderBook.Order memory o = harvester.getOrder(orderId);
        assertEq(o.sellerId, sellerId, "seller");
        assertEq(o.buyerId, buyerId, "buyer");
        assertEq(uint256(o.state), uint256(IOrderBook.OrderState.Ordered), "state");
        assertEq(o.deadline, shipBy, "deadline");
        assertEq(o.ackWindow, ACK_WINDOW, "ack window");
        assertEq(o.price, PRICE, "price");
        assertEq(o.cargo, bytes32(COD) | bytes32(uint256(GRAMS)), "terms");
    }

    function test_placeOrder_RevertWhen_NotBuyer() public {
        vm.deal(harvester2, PRICE);
        vm.expectRevert(_unauthorized(harvester2, Roles.SUPPLIER_BIT));
        vm.prank(harvester2);
        harvester.placeOrder{value: PRICE}(harvester1, COD, GRAMS, _shipBy(), ACK_WINDOW);
    }

    function test_placeOrder_RevertWhen_SellerNotHarvester() public {
        vm.deal(supplier1, PRICE);
        vm.expectRevert(_unauthorized(supplier2, Roles.HARVESTER_BIT));
        vm.prank(supplier1);
        harvester.placeOrder{value: PRICE}(supplier2, COD, GRAMS, _shipBy(), ACK_WINDOW);
    }

    function test_placeOrder_RevertWhen_SellerRevoked() public {
        vm.prank(admin);
        registry.revokeParticipant(harvester1);
        vm.deal(supplier1, PRICE);
        vm.expectRevert(_unauthorized(harvester1, Roles.HARVESTER_BIT));
        vm.prank(supplier1);
        harvester.placeOrder{value: PRICE}(harvester1, COD, GRAMS, _shipBy(), ACK_WINDOW);
    }

    function test_placeOrder_RevertWhen_SpeciesNotListed() public {
        vm.deal(supplier1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, bytes3("SAL")));
        vm.prank(supplier1);
        harvester.placeOrder{value: PRICE}(harvester1, "SAL", GRAMS, _shipBy(), ACK_WINDOW);
    }

    function test_placeOrder_RevertWhen_ZeroWeight() public {
        vm.deal(supplier1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidWeight.selector, 0));
        vm.prank(supplier1);
        harvester.placeOrder{value: PRICE}(harvester1, COD, 0, _shipBy(), ACK_WINDOW);
    }

    function test_placeOrder_RevertWhen_ZeroPrice() public {
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderInvalidPrice.selector, 0));
        vm.prank(supplier1);
        harvester.placeOrder(harvester1, COD, GRAMS, _shipBy(), ACK_WINDOW);
    }

    function test_placeOrder_RevertWhen_PriceAboveUint96() public {
        uint256 price = uint256(type(uint96).max) + 1;
        vm.deal(supplier1, price);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderInvalidPrice.selector, price));
        vm.prank(supplier1);
        harvester.placeOrder{value: price}(harvester1, COD, GRAMS, _shipBy(), ACK_WINDOW);
    }

    function test_placeOrder_RevertWhen_ShipByNotInFuture() public {
        uint40 nowTime = uint40(_now());
        vm.deal(supplier1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderInvalidShipBy.selector, nowTime, nowTime));
        vm.prank(supplier1);
        harvester.placeOrder{value: PRICE}(harvester1, COD, GRAMS, nowTime, ACK_WINDOW);
    }

    function testFuzz_placeOrder_ackWindowBounds(uint32 ackWindow) public {
        vm.deal(supplier1, PRICE);
        bool valid = ackWindow >= minAckWindow && ackWindow <= maxAckWindow;
        if (!valid) {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderInvalidAckWindow.selector, ackWindow, minAckWindow, maxAckWindow)
            );
        }
        vm.prank(supplier1);
        harvester.placeOrder{value: PRICE}(harvester1, COD, GRAMS, _shipBy(), ackWindow);
        assertEq(harvester.orderCount(), valid ? 1 : 0, "order count");
    }

    function testFuzz_placeOrder_escrowsExactPrice(uint256 price, uint256 otherPrice) public {
        price = bound(price, 1, type(uint96).max);
        otherPrice = bound(otherPrice, 1, type(uint96).max);
        _place(price, _shipBy(), ACK_WINDOW);
        _place(otherPrice, _shipBy(), ACK_WINDOW);
        assertEq(harvester.escrowBalance(), price + otherPrice, "escrow");
        assertEq(address(harvester).balance, price + otherPrice, "balance");
    }

    // ------------------------------------------------------------------ initiateShipment

    function test_initiateShipment_shipsLots() public {
        uint256 orderId = _place();
        uint256 a = _registerLot(harvester1, COD, 6_000);
        uint256 b = _registerLot(harvester1, COD, 4_000);
        uint256 spare = _registerLot(harvester1, COD, 1_000);
        uint256[] memory lotIds = _ids(a, b);

        vm.expectEmit(true, true, false, true, address(harvester));
        emit IOrderBook.ShipmentInitiated(orderId, SHIPMENT_NO, lotIds, 10_000);
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);

        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Shipped), "state");
        assertEq(harvester.getOrder(orderId).cargo, keccak256(abi.encode(SHIPMENT_NO, lotIds)), "cargo commitment");
        assertEq(uint256(harvester.getLot(a).status), uint256(IStage.LotStatus.Shipped), "lot a");
        assertEq(uint256(harvester.getLot(b).status), uint256(IStage.LotStatus.Shipped), "lot b");
        assertEq(uint256(harvester.getLot(spare).status), uint256(IStage.LotStatus.Created), "spare lot");
        IStage.Totals memory available = harvester.totalAvailableFish(COD);
        assertEq(available.lots, 1, "available lots");
        assertEq(available.grams, 1_000, "available grams");
        assertEq(harvester.getLot(a).custodianId, sellerId, "custody stays with seller");
    }

    function test_initiateShipment_overweightIsAccepted() public {
        uint256 orderId = _place();
        uint256[] memory lotIds = _ids(_registerLot(harvester1, COD, GRAMS * 3));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Shipped), "state");
    }

    function test_initiateShipment_atShipByDeadline() public {
        uint256 orderId = _place();
        uint256[] memory lotIds = _ids(_registerLot(harvester1, COD, GRAMS));
        vm.warp(harvester.getOrder(orderId).deadline);
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Shipped), "state");
    }

    function test_initiateShipment_RevertWhen_CallerNotHarvester() public {
        uint256 orderId = _place();
        uint256[] memory lotIds = _ids(_registerLot(harvester1, COD, GRAMS));
        vm.expectRevert(_unauthorized(supplier1, Roles.HARVESTER_BIT));
        vm.prank(supplier1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
    }

    function test_initiateShipment_RevertWhen_SellerRevoked() public {
        uint256 orderId = _place();
        uint256[] memory lotIds = _ids(_registerLot(harvester1, COD, GRAMS));
        _revoke(harvester1);
        vm.expectRevert(_unauthorized(harvester1, Roles.HARVESTER_BIT));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
    }

    function test_initiateShipment_RevertWhen_NotSeller() public {
        uint256 orderId = _place();
        uint256[] memory lotIds = _ids(_registerLot(harvester2, COD, GRAMS));
        vm.expectRevert(_notParty(orderId, harvester2));
        vm.prank(harvester2);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
    }

    function test_initiateShipment_RevertWhen_OrderNotFound() public {
        uint256[] memory lotIds = _ids(_registerLot(harvester1, COD, GRAMS));
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderNotFound.selector, 42));
        vm.prank(harvester1);
        harvester.initiateShipment(42, SHIPMENT_NO, lotIds);
    }

    function test_initiateShipment_RevertWhen_AlreadyShipped() public {
        (uint256 orderId, ) = _shipped();
        uint256[] memory more = _ids(_registerLot(harvester1, COD, GRAMS));
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Ordered));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO + 1, more);
    }

    function test_initiateShipment_RevertWhen_Cancelled() public {
        uint256 orderId = _place();
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        uint256[] memory lotIds = _ids(_registerLot(harvester1, COD, GRAMS));
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Cancelled, IOrderBook.OrderState.Ordered));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
    }

    function test_initiateShipment_RevertWhen_DeadlinePassed() public {
        uint256 orderId = _place();
        uint256[] memory lotIds = _ids(_registerLot(harvester1, COD, GRAMS));
        uint40 deadline = harvester.getOrder(orderId).deadline;
        vm.warp(uint256(deadline) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, orderId, deadline, deadline + 1)
        );
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
    }

    function test_initiateShipment_RevertWhen_EmptyShipment() public {
        uint256 orderId = _place();
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderEmptyShipment.selector, orderId));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, new uint256[](0));
    }

    function test_initiateShipment_RevertWhen_LotNotFound() public {
        uint256 orderId = _place();
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, 99));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, _ids(99));
    }

    function test_initiateShipment_RevertWhen_LotNotInCustody() public {
        uint256 orderId = _place();
        uint256 theirs = _registerLot(harvester2, COD, GRAMS);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotInCustody.selector, theirs, _idOf(harvester2), sellerId));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, _ids(theirs));
    }

    function test_initiateShipment_RevertWhen_LotRemoved() public {
        uint256 orderId = _place();
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        vm.prank(harvester1);
        harvester.removeFish(lotId, IStage.RemovalReason.Discarded);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.LotInvalidStatus.selector,
                lotId,
                IStage.LotStatus.Removed,
                IStage.LotStatus.Created
            )
        );
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, _ids(lotId));
    }

    function test_initiateShipment_RevertWhen_LotShippedOnAnotherOrder() public {
        (, uint256[] memory shippedLots) = _shipped();
        uint256 second = _place();
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.LotInvalidStatus.selector,
                shippedLots[0],
                IStage.LotStatus.Shipped,
                IStage.LotStatus.Created
            )
        );
        vm.prank(harvester1);
        harvester.initiateShipment(second, SHIPMENT_NO, shippedLots);
    }

    function test_initiateShipment_RevertWhen_DuplicateLot() public {
        uint256 orderId = _place();
        uint256 lotId = _registerLot(harvester1, COD, GRAMS / 2);
        // The same lot twice would count its weight twice; the second occurrence finds it already Shipped.
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.LotInvalidStatus.selector,
                lotId,
                IStage.LotStatus.Shipped,
                IStage.LotStatus.Created
            )
        );
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, _ids(lotId, lotId));
    }

    function test_initiateShipment_RevertWhen_SpeciesMismatch() public {
        uint256 orderId = _place();
        uint256 cod = _registerLot(harvester1, COD, GRAMS);
        uint256 herring = _registerLot(harvester1, HER, GRAMS);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderSpeciesMismatch.selector, orderId, herring, COD, HER));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, _ids(cod, herring));
    }

    function test_initiateShipment_RevertWhen_Underweight() public {
        uint256 orderId = _place();
        uint256 lotId = _registerLot(harvester1, COD, GRAMS - 1);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderUnderweight.selector, orderId, GRAMS - 1, GRAMS));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, _ids(lotId));
    }

    function testFuzz_initiateShipment_weightCheck(uint256 ordered, uint256 w1, uint256 w2, uint256 w3) public {
        ordered = bound(ordered, 1, 3_000_000_000);
        w1 = bound(w1, 1, 1_000_000_000);
        w2 = bound(w2, 1, 1_000_000_000);
        w3 = bound(w3, 1, 1_000_000_000);
        vm.deal(supplier1, PRICE);
        vm.prank(supplier1);
        uint256 orderId = harvester.placeOrder{value: PRICE}(harvester1, COD, uint40(ordered), _shipBy(), ACK_WINDOW);
        uint256[] memory lotIds = _ids(
            _registerLot(harvester1, COD, uint40(w1)),
            _registerLot(harvester1, COD, uint40(w2)),
            _registerLot(harvester1, COD, uint40(w3))
        );
        uint256 shipped = w1 + w2 + w3;
        if (shipped < ordered) {
            vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderUnderweight.selector, orderId, shipped, ordered));
        }
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
        IStage.Totals memory available = harvester.totalAvailableFish(COD);
        assertEq(available.grams, shipped < ordered ? shipped : 0, "available grams");
        assertEq(available.lots, shipped < ordered ? 3 : 0, "available lots");
    }

    function testFuzz_initiateShipment_speciesCheck(uint256 position) public {
        uint256 orderId = _place();
        uint256[] memory lotIds = _ids(
            _registerLot(harvester1, COD, GRAMS),
            _registerLot(harvester1, COD, GRAMS),
            _registerLot(harvester1, COD, GRAMS)
        );
        position = bound(position, 0, 2);
        uint256 herring = _registerLot(harvester1, HER, GRAMS);
        lotIds[position] = herring;
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderSpeciesMismatch.selector, orderId, herring, COD, HER));
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
    }

    function testFuzz_initiateShipment_onlyUntilShipBy(uint256 shipByDelta, uint256 warpBy) public {
        shipByDelta = bound(shipByDelta, 1, 365 days);
        warpBy = bound(warpBy, 0, 2 * 365 days);
        uint40 shipBy = uint40(_now() + shipByDelta);
        uint256 orderId = _place(PRICE, shipBy, ACK_WINDOW);
        uint256[] memory lotIds = _ids(_registerLot(harvester1, COD, GRAMS));
        uint256 nowTime = _now() + warpBy;
        vm.warp(nowTime);
        if (nowTime > shipBy) {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, orderId, shipBy, uint40(nowTime))
            );
        }
        vm.prank(harvester1);
        harvester.initiateShipment(orderId, SHIPMENT_NO, lotIds);
        assertEq(
            _state(orderId),
            uint256(nowTime > shipBy ? IOrderBook.OrderState.Ordered : IOrderBook.OrderState.Shipped),
            "state"
        );
    }

    // ------------------------------------------------------------------ confirmDelivery

    function test_confirmDelivery_byBuyer() public {
        (uint256 orderId, ) = _shipped();
        vm.warp(_now() + 5 hours);
        uint40 ackDeadline = uint40(_now()) + ACK_WINDOW;
        vm.expectEmit(true, true, false, true, address(harvester));
        emit IOrderBook.DeliveryConfirmed(orderId, buyerId, ackDeadline);
        _confirm(orderId);
        IOrderBook.Order memory o = harvester.getOrder(orderId);
        assertEq(uint256(o.state), uint256(IOrderBook.OrderState.Delivered), "state");
        assertEq(o.deadline, ackDeadline, "ack deadline");
    }

    function test_confirmDelivery_bySeller() public {
        (uint256 orderId, ) = _shipped();
        vm.expectEmit(true, true, false, true, address(harvester));
        // The seller's confirmation leaves the buyer its window plus the time to dispute the arrival (audit F6).
        emit IOrderBook.DeliveryConfirmed(orderId, sellerId, uint40(_now()) + ACK_WINDOW + 7 days);
        vm.prank(harvester1);
        harvester.confirmDelivery(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Delivered), "state");
    }

    function test_confirmDelivery_RevertWhen_NotParty() public {
        (uint256 orderId, ) = _shipped();
        vm.expectRevert(_notParty(orderId, supplier2));
        vm.prank(supplier2);
        harvester.confirmDelivery(orderId);
        vm.expectRevert(_notParty(orderId, harvester2));
        vm.prank(harvester2);
        harvester.confirmDelivery(orderId);
    }

    function test_confirmDelivery_RevertWhen_NoRole() public {
        (uint256 orderId, ) = _shipped();
        vm.expectRevert(_unauthorized(stranger, _PARTY_BITS));
        vm.prank(stranger);
        harvester.confirmDelivery(orderId);
    }

    function test_confirmDelivery_RevertWhen_NotShipped() public {
        uint256 orderId = _place();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Ordered, IOrderBook.OrderState.Shipped));
        _confirm(orderId);
    }

    function test_confirmDelivery_RevertWhen_AlreadyDelivered() public {
        (uint256 orderId, ) = _delivered();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Delivered, IOrderBook.OrderState.Shipped));
        _confirm(orderId);
    }

    function test_confirmDelivery_RevertWhen_OrderNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderNotFound.selector, 1));
        _confirm(1);
    }

    // ------------------------------------------------------------------ acknowledge

    function test_acknowledge_transfersCustody() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.expectEmit(true, true, true, true, address(harvester));
        emit IStage.CustodyTransferred(lotIds[0], sellerId, buyerId, orderId);
        vm.expectEmit(true, true, true, true, address(harvester));
        emit IStage.CustodyTransferred(lotIds[1], sellerId, buyerId, orderId);
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IOrderBook.OrderAcknowledged(orderId, false);
        vm.expectEmit(true, true, false, true, address(supplier));
        emit IStage.LotReceived(lotIds[0], buyerId, orderId);
        vm.expectEmit(true, true, false, true, address(supplier));
        emit IStage.LotReceived(lotIds[1], buyerId, orderId);
        _acknowledge(orderId, lotIds);

        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Acknowledged), "state");
        for (uint256 i; i < lotIds.length; ++i) {
            // At the Harvester the lot is history: supplied, and still naming who held it there.
            IStage.Lot memory here = harvester.getLot(lotIds[i]);
            assertEq(uint256(here.status), uint256(IStage.LotStatus.Supplied), "lot status at the Harvester");
            assertEq(here.custodianId, sellerId, "custodian at the Harvester stays the seller");
            // The buyer holds it at the next stage, as a new available lot with the same record.
            IStage.Lot memory next = supplier.getLot(lotIds[i]);
            assertEq(uint256(next.status), uint256(IStage.LotStatus.Created), "lot status at the Supplier");
            assertEq(next.custodianId, buyerId, "custodian at the Supplier");
            assertEq(next.weightGrams, here.weightGrams, "weight carried over");
            assertEq(bytes32(next.species), bytes32(here.species), "species carried over");
            assertEq(next.flags, here.flags, "flags carried over");
            assertEq(next.latitude, here.latitude, "position carried over");
        }
        IStage.Totals memory supplied = harvester.totalSuppliedFish(COD);
        assertEq(supplied.lots, 2, "supplied lots");
        assertEq(supplied.grams, GRAMS, "supplied grams");
        assertEq(harvester.totalAvailableFish(COD).grams, 0, "available grams");
        IStage.Totals memory received = supplier.totalAvailableFish(COD);
        assertEq(received.lots, 2, "available lots at the Supplier");
        assertEq(received.grams, GRAMS, "available grams at the Supplier");
        assertEq(harvester.escrowBalance(), PRICE, "escrow still held until withdraw");
    }

    function testFuzz_acknowledge_anyTimeOnceDelivered(uint256 warpBy) public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.warp(_now() + bound(warpBy, 0, 10 * 365 days));
        _acknowledge(orderId, lotIds);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Acknowledged), "state");
    }

    function test_acknowledge_RevertWhen_NotBuyer() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.expectRevert(_notParty(orderId, supplier2));
        vm.prank(supplier2);
        harvester.acknowledge(orderId, SHIPMENT_NO, lotIds);
    }

    function test_acknowledge_RevertWhen_CallerIsSeller() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.expectRevert(_unauthorized(harvester1, Roles.SUPPLIER_BIT));
        vm.prank(harvester1);
        harvester.acknowledge(orderId, SHIPMENT_NO, lotIds);
    }

    function test_acknowledge_RevertWhen_BuyerRevoked() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        _revoke(supplier1);
        vm.expectRevert(_unauthorized(supplier1, Roles.SUPPLIER_BIT));
        _acknowledge(orderId, lotIds);
    }

    function test_acknowledge_RevertWhen_NotDelivered() public {
        (uint256 orderId, uint256[] memory lotIds) = _shipped();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Delivered));
        _acknowledge(orderId, lotIds);
    }

    function test_acknowledge_RevertWhen_AlreadyAcknowledged() public {
        (uint256 orderId, uint256[] memory lotIds) = _acknowledged();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Acknowledged, IOrderBook.OrderState.Delivered));
        _acknowledge(orderId, lotIds);
    }

    function test_acknowledge_RevertWhen_OrderNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderNotFound.selector, 3));
        _acknowledge(3, _ids(1));
    }

    function testFuzz_acknowledge_RevertWhen_WrongShipmentNo(uint64 shipmentNo) public {
        vm.assume(shipmentNo != SHIPMENT_NO);
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.expectRevert(_mismatch(orderId));
        vm.prank(supplier1);
        harvester.acknowledge(orderId, shipmentNo, lotIds);
    }

    /// @dev Any list of lots other than the one shipped fails: one dropped, one added, reordered, or one replaced.
    function testFuzz_acknowledge_RevertWhen_WrongLots(uint256 mode, uint256 otherLot) public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        uint256[] memory wrong;
        mode = bound(mode, 0, 3);
        if (mode == 0) {
            wrong = _ids(lotIds[0]);
        } else if (mode == 1) {
            wrong = _ids(lotIds[0], lotIds[1], otherLot);
        } else if (mode == 2) {
            wrong = _ids(lotIds[1], lotIds[0]);
        } else {
            vm.assume(otherLot != lotIds[1]);
            wrong = _ids(lotIds[0], otherLot);
        }
        vm.expectRevert(_mismatch(orderId));
        _acknowledge(orderId, wrong);
        assertEq(uint256(harvester.getLot(lotIds[0]).status), uint256(IStage.LotStatus.Shipped), "lot unchanged");
        assertEq(uint256(supplier.getLot(lotIds[0]).status), uint256(IStage.LotStatus.None), "not handed over");
    }

    /// @dev The commitment binds the lots to their order: lots acknowledged under one order cannot be
    /// acknowledged again under another order of the same buyer with the same shipment number.
    function test_acknowledge_RevertWhen_LotsOfAnotherOrder() public {
        (uint256 first, uint256[] memory firstLots) = _delivered();
        (uint256 second, ) = _delivered();
        _acknowledge(first, firstLots);
        vm.expectRevert(_mismatch(second));
        _acknowledge(second, firstLots);
    }

    // ------------------------------------------------------------------ claimPayment

    function test_claimPayment_afterAckDeadline() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.warp(uint256(harvester.getOrder(orderId).deadline) + 1);
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IOrderBook.OrderAcknowledged(orderId, true);
        vm.prank(harvester1);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Acknowledged), "state");
        assertEq(uint256(harvester.getLot(lotIds[0]).status), uint256(IStage.LotStatus.Supplied), "supplied here");
        assertEq(harvester.getLot(lotIds[0]).custodianId, sellerId, "custodian here stays the seller");
        assertEq(uint256(supplier.getLot(lotIds[0]).status), uint256(IStage.LotStatus.Created), "received next");
        assertEq(supplier.getLot(lotIds[0]).custodianId, buyerId, "custodian at the next stage");
    }

    function test_claimPayment_RevertWhen_AtAckDeadline() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        uint40 deadline = harvester.getOrder(orderId).deadline;
        vm.warp(deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IOrderBook.OrderDeadlineNotReached.selector, orderId, deadline, deadline)
        );
        vm.prank(harvester1);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
    }

    function test_claimPayment_RevertWhen_NotSeller() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.warp(uint256(harvester.getOrder(orderId).deadline) + 1);
        vm.expectRevert(_notParty(orderId, harvester2));
        vm.prank(harvester2);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
        // Claiming needs no role, only being the seller: the buyer is not.
        vm.expectRevert(_notParty(orderId, supplier1));
        vm.prank(supplier1);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
        vm.expectRevert(_notParty(orderId, stranger));
        vm.prank(stranger);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
    }

    function test_claimPayment_revokedSellerStillClaims() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        _revoke(harvester1);
        vm.warp(uint256(harvester.getOrder(orderId).deadline) + 1);
        vm.prank(harvester1);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Acknowledged), "state");
    }

    function test_claimPayment_RevertWhen_NotDelivered() public {
        (uint256 orderId, uint256[] memory lotIds) = _shipped();
        vm.warp(_now() + 365 days);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Delivered));
        vm.prank(harvester1);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
    }

    function test_claimPayment_RevertWhen_AlreadyAcknowledged() public {
        (uint256 orderId, uint256[] memory lotIds) = _acknowledged();
        vm.warp(_now() + 365 days);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Acknowledged, IOrderBook.OrderState.Delivered));
        vm.prank(harvester1);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
    }

    function test_claimPayment_RevertWhen_ShipmentMismatch() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.warp(uint256(harvester.getOrder(orderId).deadline) + 1);
        vm.expectRevert(_mismatch(orderId));
        vm.prank(harvester1);
        harvester.claimPayment(orderId, SHIPMENT_NO + 1, lotIds);
        vm.expectRevert(_mismatch(orderId));
        vm.prank(harvester1);
        harvester.claimPayment(orderId, SHIPMENT_NO, _ids(lotIds[0]));
    }

    function testFuzz_claimPayment_onlyAfterAckDeadline(uint256 ackWindow, uint256 warpBy) public {
        ackWindow = bound(ackWindow, minAckWindow, maxAckWindow);
        warpBy = bound(warpBy, 0, 2 * uint256(maxAckWindow));
        uint256 orderId = _place(PRICE, _shipBy(), uint32(ackWindow));
        uint256[] memory lotIds = _ship(orderId);
        _confirm(orderId);
        uint40 deadline = harvester.getOrder(orderId).deadline;
        assertEq(deadline, _now() + ackWindow, "ack deadline");
        uint256 nowTime = _now() + warpBy;
        vm.warp(nowTime);
        if (nowTime <= deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderDeadlineNotReached.selector, orderId, deadline, uint40(nowTime))
            );
        }
        vm.prank(harvester1);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
        assertEq(
            _state(orderId),
            uint256(nowTime > deadline ? IOrderBook.OrderState.Acknowledged : IOrderBook.OrderState.Delivered),
            "state"
        );
    }

    // ------------------------------------------------------------------ rejectDelivery

    function test_rejectDelivery_whenShipped_returnsLots() public {
        (uint256 orderId, uint256[] memory lotIds) = _shipped();
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IOrderBook.DeliveryRejected(orderId, "spoiled");
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "spoiled");

        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Rejected), "state");
        for (uint256 i; i < lotIds.length; ++i) {
            IStage.Lot memory lot = harvester.getLot(lotIds[i]);
            assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "lot status");
            assertEq(lot.custodianId, sellerId, "custodian");
            assertEq(uint256(supplier.getLot(lotIds[i]).status), uint256(IStage.LotStatus.None), "never handed over");
        }
        IStage.Totals memory available = harvester.totalAvailableFish(COD);
        assertEq(available.lots, 2, "available lots");
        assertEq(available.grams, GRAMS, "available grams");
    }

    function test_rejectDelivery_whenDelivered() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.warp(harvester.getOrder(orderId).deadline);
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "short");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Rejected), "state");
    }

    function test_rejectDelivery_lotsCanBeShippedAgain() public {
        (uint256 orderId, uint256[] memory lotIds) = _shipped();
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "wrong size");
        uint256 second = _place();
        vm.prank(harvester1);
        harvester.initiateShipment(second, SHIPMENT_NO, lotIds);
        assertEq(_state(second), uint256(IOrderBook.OrderState.Shipped), "reshipped");
        // The rejected order cannot be revived with the same lots.
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Rejected, IOrderBook.OrderState.Delivered));
        _acknowledge(orderId, lotIds);
    }

    function test_rejectDelivery_RevertWhen_AfterAckDeadline() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        uint40 deadline = harvester.getOrder(orderId).deadline;
        vm.warp(uint256(deadline) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, orderId, deadline, deadline + 1)
        );
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "late");
    }

    function test_rejectDelivery_RevertWhen_NotBuyer() public {
        (uint256 orderId, uint256[] memory lotIds) = _shipped();
        vm.expectRevert(_notParty(orderId, supplier2));
        vm.prank(supplier2);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "");
        vm.expectRevert(_unauthorized(harvester1, Roles.SUPPLIER_BIT));
        vm.prank(harvester1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "");
    }

    function test_rejectDelivery_RevertWhen_Ordered() public {
        uint256 orderId = _place();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Ordered, IOrderBook.OrderState.Delivered));
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, new uint256[](0), "");
    }

    function test_rejectDelivery_RevertWhen_Acknowledged() public {
        (uint256 orderId, uint256[] memory lotIds) = _acknowledged();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Acknowledged, IOrderBook.OrderState.Delivered));
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "");
    }

    function test_rejectDelivery_RevertWhen_AlreadyRejected() public {
        (uint256 orderId, uint256[] memory lotIds) = _shipped();
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "");
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Rejected, IOrderBook.OrderState.Delivered));
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "");
    }

    function test_rejectDelivery_RevertWhen_ShipmentMismatch() public {
        (uint256 orderId, uint256[] memory lotIds) = _shipped();
        uint256 other = _registerLot(harvester1, COD, GRAMS);
        vm.expectRevert(_mismatch(orderId));
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, _ids(lotIds[0], lotIds[1], other), "");
        vm.expectRevert(_mismatch(orderId));
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO - 1, lotIds, "");
        // A lot the buyer never received must not be pulled back into the seller's inventory twice.
        assertEq(harvester.totalAvailableFish(COD).lots, 1, "available lots");
    }

    function testFuzz_rejectDelivery_onlyUntilAckDeadline(uint256 ackWindow, uint256 warpBy) public {
        ackWindow = bound(ackWindow, minAckWindow, maxAckWindow);
        warpBy = bound(warpBy, 0, 2 * uint256(maxAckWindow));
        uint256 orderId = _place(PRICE, _shipBy(), uint32(ackWindow));
        uint256[] memory lotIds = _ship(orderId);
        _confirm(orderId);
        uint40 deadline = harvester.getOrder(orderId).deadline;
        uint256 nowTime = _now() + warpBy;
        vm.warp(nowTime);
        if (nowTime > deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, orderId, deadline, uint40(nowTime))
            );
        }
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "");
        assertEq(
            _state(orderId),
            uint256(nowTime > deadline ? IOrderBook.OrderState.Delivered : IOrderBook.OrderState.Rejected),
            "state"
        );
    }

    function testFuzz_rejectDelivery_anyTimeWhileShipped(uint256 warpBy) public {
        (uint256 orderId, uint256[] memory lotIds) = _shipped();
        vm.warp(_now() + bound(warpBy, 0, 10 * 365 days));
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Rejected), "state");
    }

    // ------------------------------------------------------------------ cancelOrder

    function test_cancelOrder_bySellerBeforeShipBy() public {
        uint256 orderId = _place();
        vm.expectEmit(true, true, false, true, address(harvester));
        emit IOrderBook.OrderCancelled(orderId, sellerId);
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Cancelled), "state");
        assertEq(harvester.escrowBalance(), PRICE, "escrow held until refund");
    }

    function test_cancelOrder_byBuyerAfterShipBy() public {
        uint256 orderId = _place();
        vm.warp(uint256(harvester.getOrder(orderId).deadline) + 1);
        vm.expectEmit(true, true, false, true, address(harvester));
        emit IOrderBook.OrderCancelled(orderId, buyerId);
        vm.prank(supplier1);
        harvester.cancelOrder(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Cancelled), "state");
    }

    function test_cancelOrder_RevertWhen_BuyerBeforeShipBy() public {
        uint256 orderId = _place();
        uint40 deadline = harvester.getOrder(orderId).deadline;
        vm.warp(deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IOrderBook.OrderDeadlineNotReached.selector, orderId, deadline, deadline)
        );
        vm.prank(supplier1);
        harvester.cancelOrder(orderId);
    }

    function test_cancelOrder_RevertWhen_Shipped() public {
        (uint256 orderId, ) = _shipped();
        vm.warp(_now() + 365 days);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Ordered));
        vm.prank(supplier1);
        harvester.cancelOrder(orderId);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Ordered));
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
    }

    function test_cancelOrder_RevertWhen_AlreadyCancelled() public {
        uint256 orderId = _place();
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Cancelled, IOrderBook.OrderState.Ordered));
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
    }

    function test_cancelOrder_RevertWhen_NotParty() public {
        uint256 orderId = _place();
        vm.warp(_now() + 365 days);
        vm.expectRevert(_notParty(orderId, supplier2));
        vm.prank(supplier2);
        harvester.cancelOrder(orderId);
        vm.expectRevert(_notParty(orderId, harvester2));
        vm.prank(harvester2);
        harvester.cancelOrder(orderId);
        // Cancelling needs no role, only being a party: an unregistered account is none.
        vm.expectRevert(_notParty(orderId, stranger));
        vm.prank(stranger);
        harvester.cancelOrder(orderId);
    }

    function test_cancelOrder_revokedBuyerAfterShipBy() public {
        uint256 orderId = _place();
        _revoke(supplier1);
        vm.warp(uint256(harvester.getOrder(orderId).deadline) + 1);
        vm.prank(supplier1);
        harvester.cancelOrder(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Cancelled), "state");
    }

    function test_cancelOrder_revokedSellerDeclines() public {
        uint256 orderId = _place();
        _revoke(harvester1);
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Cancelled), "state");
    }

    function test_cancelOrder_RevertWhen_OrderNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderNotFound.selector, 5));
        vm.prank(harvester1);
        harvester.cancelOrder(5);
    }

    function testFuzz_cancelOrder_buyerOnlyAfterShipBy(uint256 shipByDelta, uint256 warpBy) public {
        shipByDelta = bound(shipByDelta, 1, 365 days);
        warpBy = bound(warpBy, 0, 2 * 365 days);
        uint40 shipBy = uint40(_now() + shipByDelta);
        uint256 orderId = _place(PRICE, shipBy, ACK_WINDOW);
        uint256 nowTime = _now() + warpBy;
        vm.warp(nowTime);
        if (nowTime <= shipBy) {
            vm.expectRevert(
                abi.encodeWithSelector(IOrderBook.OrderDeadlineNotReached.selector, orderId, shipBy, uint40(nowTime))
            );
        }
        vm.prank(supplier1);
        harvester.cancelOrder(orderId);
        assertEq(
            _state(orderId),
            uint256(nowTime > shipBy ? IOrderBook.OrderState.Cancelled : IOrderBook.OrderState.Ordered),
            "state"
        );
    }

    function testFuzz_cancelOrder_sellerAnyTimeBeforeShipping(uint256 warpBy) public {
        uint256 orderId = _place();
        vm.warp(_now() + bound(warpBy, 0, 10 * 365 days));
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Cancelled), "state");
    }

    // ------------------------------------------------------------------ withdraw

    function test_withdraw_paysSeller() public {
        (uint256 orderId, ) = _acknowledged();
        uint256 before = harvester1.balance;
        vm.expectEmit(true, true, false, true, address(harvester));
        emit IOrderBook.OrderPaid(orderId, sellerId, PRICE);
        vm.prank(harvester1);
        harvester.withdraw(orderId);
        assertEq(harvester1.balance - before, PRICE, "paid");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Paid), "state");
        assertEq(harvester.escrowBalance(), 0, "escrow");
        assertEq(address(harvester).balance, 0, "balance");
    }

    function test_withdraw_refundsBuyerAfterCancel() public {
        uint256 orderId = _place();
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        vm.expectEmit(true, true, false, true, address(harvester));
        emit IOrderBook.OrderRefunded(orderId, buyerId, PRICE);
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        assertEq(supplier1.balance, PRICE, "refunded");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Refunded), "state");
        assertEq(harvester.escrowBalance(), 0, "escrow");
    }

    function test_withdraw_refundsBuyerAfterReject() public {
        (uint256 orderId, uint256[] memory lotIds) = _delivered();
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "");
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        assertEq(supplier1.balance, PRICE, "refunded");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Refunded), "state");
    }

    function test_withdraw_RevertWhen_OrderNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderNotFound.selector, 1));
        vm.prank(harvester1);
        harvester.withdraw(1);
    }

    function test_withdraw_RevertWhen_NothingOwed() public {
        uint256 orderId = _place();
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Ordered, IOrderBook.OrderState.Acknowledged));
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        _ship(orderId);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Shipped, IOrderBook.OrderState.Acknowledged));
        vm.prank(harvester1);
        harvester.withdraw(orderId);
        _confirm(orderId);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Delivered, IOrderBook.OrderState.Acknowledged));
        vm.prank(harvester1);
        harvester.withdraw(orderId);
    }

    function test_withdraw_RevertWhen_BuyerTakesPayment() public {
        (uint256 orderId, ) = _acknowledged();
        vm.expectRevert(_notParty(orderId, supplier1));
        vm.prank(supplier1);
        harvester.withdraw(orderId);
    }

    function test_withdraw_RevertWhen_SellerTakesRefund() public {
        uint256 orderId = _place();
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        vm.expectRevert(_notParty(orderId, harvester1));
        vm.prank(harvester1);
        harvester.withdraw(orderId);
    }

    function test_withdraw_RevertWhen_StrangerWithRole() public {
        (uint256 orderId, ) = _acknowledged();
        vm.expectRevert(_notParty(orderId, harvester2));
        vm.prank(harvester2);
        harvester.withdraw(orderId);
    }

    function test_withdraw_RevertWhen_Unregistered() public {
        (uint256 orderId, ) = _acknowledged();
        vm.expectRevert(_notParty(orderId, stranger));
        vm.prank(stranger);
        harvester.withdraw(orderId);
    }

    /// @dev Regression: withdrawing used to need the caller's current role, so revoking a seller locked the price
    /// it had already earned in escrow for good.
    function test_withdraw_revokedSellerStillCollects() public {
        (uint256 orderId, ) = _acknowledged();
        _revoke(harvester1);
        vm.prank(harvester1);
        harvester.withdraw(orderId);
        assertEq(harvester1.balance, PRICE, "paid");
        assertEq(harvester.escrowBalance(), 0, "escrow");
    }

    /// @dev Regression: the same lock for a revoked buyer's refund.
    function test_withdraw_revokedBuyerStillCollectsRefund() public {
        uint256 orderId = _place();
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        _revoke(supplier1);
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        assertEq(supplier1.balance, PRICE, "refunded");
        assertEq(harvester.escrowBalance(), 0, "escrow");
    }

    function test_withdraw_RevertWhen_AlreadyPaid() public {
        (uint256 orderId, ) = _acknowledged();
        vm.prank(harvester1);
        harvester.withdraw(orderId);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Paid, IOrderBook.OrderState.Acknowledged));
        vm.prank(harvester1);
        harvester.withdraw(orderId);
    }

    function test_withdraw_RevertWhen_AlreadyRefunded() public {
        uint256 orderId = _place();
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Refunded, IOrderBook.OrderState.Acknowledged));
        vm.prank(supplier1);
        harvester.withdraw(orderId);
    }

    function test_withdraw_RevertWhen_Reentered() public {
        ContractSeller seller = new ContractSeller(harvester, true);
        _register(address(seller), Roles.HARVESTER);
        uint256 orderId = _placeFrom(address(seller));
        uint256[] memory lotIds = _ids(seller.registerFish(_catch(COD, GRAMS)));
        seller.initiateShipment(orderId, SHIPMENT_NO, lotIds);
        _confirm(orderId);
        _acknowledge(orderId, lotIds);

        vm.expectRevert(abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        seller.withdraw(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Acknowledged), "state rolled back");
        assertEq(harvester.escrowBalance(), PRICE, "escrow kept");
    }

    function test_withdraw_RevertWhen_RecipientRefusesEther() public {
        ContractSeller seller = new ContractSeller(harvester, false);
        _register(address(seller), Roles.HARVESTER);
        uint256 orderId = _placeFrom(address(seller));
        uint256[] memory lotIds = _ids(seller.registerFish(_catch(COD, GRAMS)));
        seller.initiateShipment(orderId, SHIPMENT_NO, lotIds);
        _confirm(orderId);
        _acknowledge(orderId, lotIds);

        vm.expectRevert(abi.encodeWithSelector(Errors.FailedCall.selector));
        seller.withdraw(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Acknowledged), "state rolled back");
    }

    function _placeFrom(address seller) private returns (uint256 orderId) {
        vm.deal(supplier1, PRICE);
        vm.prank(supplier1);
        orderId = harvester.placeOrder{value: PRICE}(seller, COD, GRAMS, _shipBy(), ACK_WINDOW);
    }

    // ------------------------------------------------------------------ money: fuzzed paths

    /// @dev Whatever the price and whichever way the order fails (seller declines, buyer cancels after ship-by,
    /// buyer rejects the shipment before or after delivery), the buyer gets back exactly the price.
    function testFuzz_escrowRefund(uint256 price, uint256 path, uint256 warpBy) public {
        price = bound(price, 1, type(uint96).max);
        path = bound(path, 0, 3);
        uint256 orderId = _place(price, _shipBy(), ACK_WINDOW);
        uint256 sellerBefore = harvester1.balance;
        assertEq(supplier1.balance, 0, "buyer paid in");

        if (path == 0) {
            vm.warp(_now() + bound(warpBy, 0, 30 days));
            vm.prank(harvester1);
            harvester.cancelOrder(orderId);
        } else if (path == 1) {
            vm.warp(uint256(harvester.getOrder(orderId).deadline) + bound(warpBy, 1, 30 days));
            vm.prank(supplier1);
            harvester.cancelOrder(orderId);
        } else {
            uint256[] memory lotIds = _ship(orderId);
            if (path == 3) {
                _confirm(orderId);
                vm.warp(_now() + bound(warpBy, 0, ACK_WINDOW));
            } else {
                vm.warp(_now() + bound(warpBy, 0, 30 days));
            }
            vm.prank(supplier1);
            harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "");
        }

        vm.prank(supplier1);
        harvester.withdraw(orderId);
        assertEq(supplier1.balance, price, "refund");
        assertEq(harvester1.balance, sellerBefore, "seller unchanged");
        assertEq(harvester.escrowBalance(), 0, "escrow");
        assertEq(address(harvester).balance, 0, "balance");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Refunded), "state");
    }

    /// @dev Whatever the price, and whether the buyer acknowledges or the seller claims after the deadline, the
    /// seller receives exactly the price, once.
    function testFuzz_payout(uint256 price, bool claimed, uint256 warpBy) public {
        price = bound(price, 1, type(uint96).max);
        uint256 orderId = _place(price, _shipBy(), ACK_WINDOW);
        uint256[] memory lotIds = _ship(orderId);
        _confirm(orderId);
        if (claimed) {
            vm.warp(uint256(harvester.getOrder(orderId).deadline) + bound(warpBy, 1, 365 days));
            vm.prank(harvester1);
            harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
        } else {
            vm.warp(_now() + bound(warpBy, 0, 365 days));
            _acknowledge(orderId, lotIds);
        }
        uint256 before = harvester1.balance;
        vm.prank(harvester1);
        harvester.withdraw(orderId);
        assertEq(harvester1.balance - before, price, "payout");
        assertEq(supplier1.balance, 0, "buyer gets nothing back");
        assertEq(harvester.escrowBalance(), 0, "escrow");
        assertEq(address(harvester).balance, 0, "balance");

        vm.expectRevert(_invalidState(orderId, IOrderBook.OrderState.Paid, IOrderBook.OrderState.Acknowledged));
        vm.prank(harvester1);
        harvester.withdraw(orderId);
    }

    /// @dev Two orders with fuzzed prices settled in opposite ways: each party's balance moves by its own order's
    /// price only.
    function testFuzz_escrowIsolatedPerOrder(uint256 priceA, uint256 priceB) public {
        priceA = bound(priceA, 1, type(uint96).max / 2);
        priceB = bound(priceB, 1, type(uint96).max / 2);
        uint256 a = _place(priceA, _shipBy(), ACK_WINDOW);
        vm.deal(supplier2, priceB);
        vm.prank(supplier2);
        uint256 b = harvester.placeOrder{value: priceB}(harvester1, COD, GRAMS, _shipBy(), ACK_WINDOW);

        uint256[] memory lotIds = _ship(a);
        _confirm(a);
        _acknowledge(a, lotIds);
        vm.prank(harvester1);
        harvester.cancelOrder(b);
        assertEq(harvester.escrowBalance(), priceA + priceB, "escrow before payouts");

        vm.prank(supplier2);
        harvester.withdraw(b);
        vm.prank(harvester1);
        harvester.withdraw(a);
        assertEq(supplier2.balance, priceB, "refund b");
        assertEq(harvester1.balance, priceA, "payout a");
        assertEq(address(harvester).balance, 0, "balance");
    }

    // ------------------------------------------------------------------ folded in from the mocha suite

    function test_placeOrder_acceptsLargestPriceAndAckWindowBounds() public {
        assertEq(minAckWindow, 1 hours, "MIN_ACK_WINDOW");
        assertEq(maxAckWindow, 90 days, "MAX_ACK_WINDOW");
        uint256 first = _place(type(uint96).max, _shipBy(), minAckWindow);
        uint256 second = _place(PRICE, _shipBy(), maxAckWindow);
        assertEq(second, first + 1, "ids count up");
        assertEq(harvester.getOrder(first).price, type(uint96).max, "largest price");
        assertEq(harvester.getOrder(second).ackWindow, maxAckWindow, "longest window");
    }

    function test_getOrder_zeroedForUnknownId() public view {
        IOrderBook.Order memory o = harvester.getOrder(42);
        assertEq(o.sellerId, 0, "seller");
        assertEq(o.buyerId, 0, "buyer");
        assertEq(uint256(o.state), uint256(IOrderBook.OrderState.None), "state");
        assertEq(o.deadline, 0, "deadline");
        assertEq(o.ackWindow, 0, "ack window");
        assertEq(o.price, 0, "price");
        assertEq(o.cargo, bytes32(0), "cargo");
    }

    /// @dev The escrow never holds less than it owes; should it ever, the payout reverts rather than underpay.
    function test_withdraw_RevertWhen_BalanceBelowPrice() public {
        uint256 orderId = _place();
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        vm.deal(address(harvester), 0);
        vm.expectRevert(abi.encodeWithSelector(Errors.InsufficientBalance.selector, 0, PRICE));
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Cancelled), "state kept");
    }

    function test_withdraw_refundsContractBuyer() public {
        Party party = new Party();
        _register(address(party), Roles.SUPPLIER);
        vm.deal(address(this), PRICE);
        bytes memory place = abi.encodeCall(harvester.placeOrder, (harvester1, COD, GRAMS, _shipBy(), ACK_WINDOW));
        uint256 orderId = abi.decode(party.execute{value: PRICE}(address(harvester), place), (uint256));
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);

        vm.expectEmit(true, true, false, true, address(harvester));
        emit IOrderBook.OrderRefunded(orderId, _idOf(address(party)), PRICE);
        party.execute(address(harvester), abi.encodeCall(harvester.withdraw, (orderId)));
        assertEq(address(party).balance, PRICE, "refunded");
        assertEq(harvester.escrowBalance(), 0, "escrow");
        assertEq(_state(orderId), uint256(IOrderBook.OrderState.Refunded), "state");
    }
}
