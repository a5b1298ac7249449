// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {TestTokenInterface as TestToken} from "./utils/Contracts.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {FeeOnTransferToken} from "./utils/FeeOnTransferToken.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";

/// @notice Orders settled in a stablecoin (the test token FishTraceUSD, 6 decimals): placed with an EIP-2612 permit
/// in one transaction or by an existing allowance, a front-run permit that does not block the order, shipped,
/// acknowledged and withdrawn in the token at every pair of stages; refunds and claims in the token; a
/// fee-on-transfer token refused; the wrong kind of payment refused on both kinds of deployment.
contract TokenOrdersTest is FishTraceTest {
    uint256 private constant PRICE = 1_250_000_000; // 1,250 fUSD
    uint40 private constant W1 = 6_000;
    uint40 private constant W2 = 4_000;
    uint64 private constant SHIPMENT_NO = 9;

    TestToken private token;

    function setUp() public {
        _useTestToken();
        token = TestToken(settlementToken);
        _deployWithParticipants();
    }

    // ------------------------------------------------------------------ end to end, every pair

    function test_tokenOrder_permit_endToEnd_everyPair() public {
        for (uint8 s = 1; s <= 5; ++s) _endToEnd(s);
    }

    /// @dev At stage `s`, the next stage's first actor orders two lots with a permit, the seller ships, the buyer
    /// confirms and acknowledges, and the seller withdraws exactly the price in the token.
    function _endToEnd(uint8 s) private {
        IOrderBook book = _book(s);
        address seller = _actor(s, 0);
        uint256[] memory lotIds = _lotsAt(s, COD, W1, W2);
        uint256 sellerBefore = token.balanceOf(seller);
        (uint256 orderId, uint256 held) = _placeWithPermitAt(s);

        _shipAt(s, seller, orderId, SHIPMENT_NO, lotIds);
        _confirmAt(s, _actor(s + 1, 0), orderId);
        _ackAt(s, _actor(s + 1, 0), orderId, SHIPMENT_NO, lotIds);
        vm.expectEmit(true, true, false, true, address(book));
        emit IOrderBook.OrderPaid(orderId, _idOf(seller), PRICE);
        vm.prank(seller);
        book.withdraw(orderId);
        assertEq(token.balanceOf(seller) - sellerBefore, PRICE, "seller paid the price in the token");
        assertEq(book.escrowBalance(), held - PRICE, "escrow");
        assertEq(token.balanceOf(address(book)), held - PRICE, "the price left the book");
    }

    /// @dev The next stage's first actor orders 10 kg of COD at stage `s` with a permit; returns the order and the
    /// book's escrow after it.
    function _placeWithPermitAt(uint8 s) private returns (uint256 orderId, uint256 held) {
        IOrderBook book = _book(s);
        address buyer = _actor(s + 1, 0);
        token.mint(buyer, PRICE);
        uint256 expectedId = book.orderCount() + 1; // the chain helpers ordered the lots here already
        (uint8 v, bytes32 r, bytes32 ss) = _permit(_key(s + 1), address(book), PRICE, _now() + 1 hours);
        vm.expectEmit(true, true, true, true, address(book));
        emit IOrderBook.OrderPlaced(
            expectedId,
            _idOf(_actor(s, 0)),
            _idOf(buyer),
            COD,
            W1 + W2,
            PRICE,
            uint40(_now() + 1 days),
            1 days
        );
        vm.prank(buyer);
        orderId = book.placeOrderWithPermit(
            _actor(s, 0),
            COD,
            W1 + W2,
            uint40(_now() + 1 days),
            1 days,
            PRICE,
            _now() + 1 hours,
            v,
            r,
            ss
        );
        assertEq(orderId, expectedId, "the next order of the book");
        held = book.escrowBalance();
        assertEq(token.balanceOf(buyer), 0, "price pulled from the buyer");
        assertEq(token.balanceOf(address(book)), held, "the book holds its escrow");
        assertGe(held, PRICE, "escrowed");
        assertEq(token.allowance(buyer, address(book)), 0, "the permit's allowance used up");
        assertEq(token.nonces(buyer), 1, "permit consumed");
        assertEq(address(book).balance, 0, "no Ether");
    }

    function test_tokenOrder_allowance_withoutPermit() public {
        token.mint(supplier1, PRICE);
        vm.prank(supplier1);
        token.approve(address(harvester), PRICE);
        uint256 orderId = _placeWith(supplier1, 0, 0, 0, 0);
        assertEq(harvester.getOrder(orderId).price, PRICE, "price");
        assertEq(token.balanceOf(address(harvester)), PRICE, "held");
    }

    function test_tokenOrder_allowance_whenPermitInvalid() public {
        // A bad permit (signed by someone else) is ignored when an allowance covers the price.
        token.mint(supplier1, PRICE);
        vm.prank(supplier1);
        token.approve(address(harvester), PRICE);
        (uint8 v, bytes32 r, bytes32 s) = _permit(_key(1), address(harvester), PRICE, _now() + 1 hours);
        uint256 orderId = _placeWith(supplier1, _now() + 1 hours, v, r, s);
        assertEq(token.balanceOf(address(harvester)), PRICE, "held");
        assertEq(harvester.getOrder(orderId).buyerId, _idOf(supplier1), "buyer");
    }

    function test_tokenOrder_frontRunPermit_doesNotBlock() public {
        token.mint(supplier1, PRICE);
        uint256 deadline = _now() + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(_key(2), address(harvester), PRICE, deadline);
        // Someone copies the permit from the mempool and submits it first: the allowance is set, the nonce used.
        vm.prank(stranger);
        token.permit(supplier1, address(harvester), PRICE, deadline, v, r, s);
        uint256 orderId = _placeWith(supplier1, deadline, v, r, s);
        assertEq(token.balanceOf(address(harvester)), PRICE, "the order went through");
        assertEq(uint256(harvester.getOrder(orderId).state), uint256(IOrderBook.OrderState.Ordered), "ordered");
    }

    function test_tokenOrder_RevertWhen_NoPermitNoAllowance() public {
        token.mint(supplier1, PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(harvester), 0, PRICE)
        );
        _placeWith(supplier1, 0, 0, 0, 0);
    }

    function test_tokenOrder_RevertWhen_BalanceShort() public {
        token.mint(supplier1, PRICE - 1);
        vm.prank(supplier1);
        token.approve(address(harvester), PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, supplier1, PRICE - 1, PRICE)
        );
        _placeWith(supplier1, 0, 0, 0, 0);
    }

    function test_tokenOrder_RevertWhen_PriceZeroOrTooLarge() public {
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderInvalidPrice.selector, 0));
        vm.prank(supplier1);
        harvester.placeOrderWithPermit(harvester1, COD, W1, uint40(_now() + 1 days), 1 days, 0, 0, 0, 0, 0);
        uint256 tooLarge = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderInvalidPrice.selector, tooLarge));
        vm.prank(supplier1);
        harvester.placeOrderWithPermit(harvester1, COD, W1, uint40(_now() + 1 days), 1 days, tooLarge, 0, 0, 0, 0);
    }

    // ------------------------------------------------------------------ refunds and claims in the token

    function test_tokenOrder_refund_afterSellerCancels() public {
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, W1, PRICE, uint40(_now() + 1 days), 1 days);
        vm.prank(harvester1);
        harvester.cancelOrder(orderId);
        vm.expectEmit(true, true, false, true, address(harvester));
        emit IOrderBook.OrderRefunded(orderId, _idOf(supplier1), PRICE);
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        assertEq(token.balanceOf(supplier1), PRICE, "refunded in the token");
        assertEq(token.balanceOf(address(harvester)), 0, "book emptied");
    }

    function test_tokenOrder_refund_afterBuyerRejects() public {
        uint256[] memory lotIds = _lotsAt(1, COD, W1, W2);
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, W1 + W2, PRICE, uint40(_now() + 1 days), 1 days);
        _shipAt(1, harvester1, orderId, SHIPMENT_NO, lotIds);
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, SHIPMENT_NO, lotIds, "quality");
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        assertEq(token.balanceOf(supplier1), PRICE, "refunded in the token");
        assertEq(harvester.escrowBalance(), 0, "escrow");
    }

    function test_tokenOrder_claimPayment_thenWithdraw() public {
        uint256[] memory lotIds = _lotsAt(1, COD, W1, W2);
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, W1 + W2, PRICE, uint40(_now() + 1 days), 1 days);
        _shipAt(1, harvester1, orderId, SHIPMENT_NO, lotIds);
        _confirmAt(1, supplier1, orderId);
        vm.warp(uint256(harvester.getOrder(orderId).deadline) + 1);
        vm.prank(harvester1);
        harvester.claimPayment(orderId, SHIPMENT_NO, lotIds);
        vm.prank(harvester1);
        harvester.withdraw(orderId);
        assertEq(token.balanceOf(harvester1), PRICE, "paid in the token");
    }

    // ------------------------------------------------------------------ the wrong kind of payment

    function test_placeOrder_RevertWhen_EtherSentToTokenDeployment() public {
        vm.deal(supplier1, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderPaymentKind.selector, address(token), 1 ether));
        vm.prank(supplier1);
        harvester.placeOrder{value: 1 ether}(harvester1, COD, W1, uint40(_now() + 1 days), 1 days);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderPaymentKind.selector, address(token), 0));
        vm.prank(supplier1);
        harvester.placeOrder(harvester1, COD, W1, uint40(_now() + 1 days), 1 days);
    }

    function test_placeOrderWithPermit_RevertWhen_EtherDeployment() public {
        settlementToken = address(0);
        _deployWithParticipants();
        assertEq(registry.settlementToken(), address(0), "an Ether deployment");
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderPaymentKind.selector, address(0), 0));
        vm.prank(supplier1);
        harvester.placeOrderWithPermit(harvester1, COD, W1, uint40(_now() + 1 days), 1 days, PRICE, 0, 0, 0, 0);
        // No Ether to an Ether deployment: a zero price.
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderInvalidPrice.selector, 0));
        vm.prank(supplier1);
        harvester.placeOrder(harvester1, COD, W1, uint40(_now() + 1 days), 1 days);
    }

    // ------------------------------------------------------------------ non-standard tokens

    function test_tokenOrder_RevertWhen_FeeOnTransfer() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        settlementToken = address(fee);
        _deployWithParticipants();
        fee.mint(supplier1, PRICE);
        vm.prank(supplier1);
        fee.approve(address(harvester), PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOrderBook.OrderTokenAmountMismatch.selector,
                address(fee),
                PRICE,
                PRICE - PRICE / 100
            )
        );
        _placeWith(supplier1, 0, 0, 0, 0);
        assertEq(harvester.orderCount(), 0, "no order");
    }

    function test_registry_RevertWhen_TokenHasNoCode() public {
        address notAToken = makeAddr("notAToken");
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryInvalidToken.selector, notAToken));
        _tryDeploy("Registry.sol:Registry", abi.encode(admin, ADMIN_DELAY, forwarder, notAToken));
    }

    function test_registry_recordsTheDeploymentsChoices() public view {
        assertEq(registry.settlementToken(), address(token), "token");
        assertEq(registry.trustedForwarder(), forwarder, "forwarder");
        assertEq(token.decimals(), 6, "six decimals");
        assertEq(token.symbol(), "fUSD", "symbol");
    }

    // ------------------------------------------------------------------ helpers

    /// @dev `buyer` orders 6 kg of COD from harvester1 at `PRICE`, with the permit given (none when deadline 0).
    function _placeWith(address buyer, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private returns (uint256) {
        vm.prank(buyer);
        return
            harvester.placeOrderWithPermit(
                harvester1,
                COD,
                W1,
                uint40(_now() + 1 days),
                1 days,
                PRICE,
                deadline,
                v,
                r,
                s
            );
    }

    /// @dev The private key of the first actor of stage `s` (`makeAddr` derives it from the name).
    function _key(uint8 s) private view returns (uint256 key) {
        string[6] memory names = ["harvester1", "supplier1", "manufacturer1", "distributor1", "retailer1", "customer1"];
        key = uint256(keccak256(bytes(names[s - 1])));
        require(vm.addr(key) == _actor(s, 0), "key of the actor");
    }
}
