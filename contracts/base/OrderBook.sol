// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IOrderBook} from "../interfaces/IOrderBook.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {IStage} from "../interfaces/IStage.sol";
import {LotCodec, LotWord} from "../libraries/LotCodec.sol";
import {LotFlags} from "../libraries/LotFlags.sol";
import {Roles} from "../libraries/Roles.sol";
import {Shipments} from "../libraries/Shipments.sol";
import {Stage} from "./Stage.sol";

/// @title OrderBook
/// @notice The escrowed purchase agreement between this stage (seller) and the next (buyer), shared by the five
/// selling actors. Payment is pulled (`withdraw`), never pushed inside a state change.
/// Placing, shipping, confirming, acknowledging and rejecting need the caller's current role; settling money
/// already owed (`withdraw`, `cancelOrder`, `claimPayment`) needs only being the order's party, so revoking a
/// participant never locks its Ether in escrow. Pausing the stage stops placing, shipping, confirming and
/// acknowledging; it never stops `withdraw`, `cancelOrder`, `rejectDelivery` or `claimPayment`, so a pause can
/// neither lock Ether nor run a buyer's window out while it cannot reject.
/// The deployment's settlement token (`IRegistry.settlementToken`, copied here at construction) decides the money:
/// Ether (zero) through the payable `placeOrder`, or that ERC-20 through `placeOrderWithPermit` (EIP-2612 permit,
/// else an existing allowance), escrowed, refunded and paid out with OpenZeppelin `SafeERC20`. A token that moves
/// other than the amount asked (fee-on-transfer) is refused on the pull (`OrderTokenAmountMismatch`); rebasing
/// tokens are not supported (escrow is counted in units at deposit).
/// @dev An order is two slots (see `IOrderBook.Order`); the shipped lots are not stored but committed to by hash
/// and passed again by the calls that move them.
abstract contract OrderBook is Stage, IOrderBook, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The shortest acknowledgement window a buyer may set.
    uint32 public constant MIN_ACK_WINDOW = 1 hours;
    /// @notice The longest acknowledgement window a buyer may set.
    uint32 public constant MAX_ACK_WINDOW = 90 days;
    /// @notice Added to the buyer's window when the seller, not the buyer, confirms the delivery: the seller's word
    /// that the goods arrived is an arrival the buyer can dispute (reject) for this long beyond its own window.
    uint32 public constant ARRIVAL_DISPUTE_WINDOW = 7 days;

    /// @dev The actor role bit of the buying stage.
    uint16 internal immutable _BUYER_BIT;

    /// @dev The ERC-20 orders are escrowed in; zero for Ether.
    IERC20 private immutable _TOKEN;

    mapping(uint256 orderId => Order) private _orders;

    constructor() {
        _BUYER_BIT = Roles.actorBit(_STAGE + 1);
        _TOKEN = IERC20(_REGISTRY.settlementToken());
    }

    /// @inheritdoc IOrderBook
    function placeOrder(
        address seller,
        bytes3 species,
        uint40 weightGrams,
        uint40 shipBy,
        uint32 ackWindow
    ) external payable returns (uint256 orderId) {
        if (address(_TOKEN) != address(0)) revert OrderPaymentKind(address(_TOKEN), msg.value);
        return _placeOrder(seller, species, weightGrams, shipBy, ackWindow, msg.value);
    }

    /// @inheritdoc IOrderBook
    function placeOrderWithPermit(
        address seller,
        bytes3 species,
        uint40 weightGrams,
        uint40 shipBy,
        uint32 ackWindow,
        uint256 price,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 orderId) {
        orderId = _placeOrder(seller, species, weightGrams, shipBy, ackWindow, price);
        IERC20 token = _TOKEN;
        if (address(token) == address(0)) revert OrderPaymentKind(address(0), 0);

        address buyer = _msgSender();
        // A permit someone else submitted first (front-running it) has already set the allowance this one would:
        // its failure is ignored and the allowance is what counts (OpenZeppelin's IERC20Permit advice).
        if (permitDeadline != 0) {
            try IERC20Permit(address(token)).permit(buyer, address(this), price, permitDeadline, v, r, s) {} catch {}
        }
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(buyer, address(this), price);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != price) revert OrderTokenAmountMismatch(address(token), price, received);
    }

    /// @inheritdoc IOrderBook
    function initiateShipment(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds) external {
        _ship(orderId, shipmentNo, lotIds);
    }

    /// @inheritdoc IOrderBook
    function confirmDelivery(uint256 orderId) external {
        _confirmDelivery(orderId);
    }

    /// @inheritdoc IOrderBook
    function acknowledge(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds) external {
        _requireNotPaused();
        uint32 buyerId = _requireRole(_BUYER_BIT).id;
        Order memory o = _orders[orderId];
        _requireParty(orderId, o, o.buyerId == buyerId);
        _requireState(orderId, o.state, OrderState.Delivered);
        _settle(orderId, o, shipmentNo, lotIds, false);
    }

    /// @inheritdoc IOrderBook
    function claimPayment(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds) external {
        uint32 sellerId = _authorization(_msgSender()).id;
        Order memory o = _orders[orderId];
        _requireParty(orderId, o, o.sellerId == sellerId);
        _requireState(orderId, o.state, OrderState.Delivered);
        if (block.timestamp <= o.deadline) {
            revert OrderDeadlineNotReached(orderId, o.deadline, uint40(block.timestamp));
        }
        _settle(orderId, o, shipmentNo, lotIds, true);
    }

    /// @inheritdoc IOrderBook
    function rejectDelivery(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds, bytes32 reason) external {
        address sender = _msgSender();
        IRegistry.Authorization memory auth = _authorization(sender);
        bool buyerRole = auth.roles & _BUYER_BIT != 0;
        Order storage order = _orders[orderId];
        Order memory o = order;
        // A buyer whose role was revoked may still send back a delivery carrying a recalled lot (checked below): its
        // price is owed back to it, and nothing else can release it (audit F3).
        if (!buyerRole && (auth.id == 0 || auth.id != o.buyerId)) revert StageUnauthorized(sender, _BUYER_BIT);
        _requireParty(orderId, o, o.buyerId == auth.id);
        if (o.state != OrderState.Shipped && o.state != OrderState.Delivered) {
            revert OrderInvalidState(orderId, o.state, OrderState.Delivered);
        }
        _requireCargo(orderId, o.cargo, shipmentNo, lotIds);

        bool recalled;
        for (uint256 i; i < lotIds.length; ++i) {
            uint256 lotId = lotIds[i];
            LotWord word = _lotWord(lotId);
            recalled = recalled || word.flags() & LotFlags.RECALLED != 0;
            _returnLot(lotId, word);
        }
        // A recalled lot can always be sent back: it can be neither acknowledged nor claimed, so this is the way
        // its price leaves escrow.
        if (!recalled && !buyerRole) revert StageUnauthorized(sender, _BUYER_BIT);
        if (!recalled && o.state == OrderState.Delivered && block.timestamp > o.deadline) {
            revert OrderDeadlinePassed(orderId, o.deadline, uint40(block.timestamp));
        }
        order.state = OrderState.Rejected;
        emit DeliveryRejected(orderId, reason);
    }

    /// @inheritdoc IOrderBook
    function cancelOrder(uint256 orderId) external {
        uint32 callerId = _authorization(_msgSender()).id;
        Order storage order = _orders[orderId];
        Order memory o = order;
        _requireParty(orderId, o, callerId == o.sellerId || callerId == o.buyerId);
        _requireState(orderId, o.state, OrderState.Ordered);
        // The buyer may walk away only once the seller has missed the ship-by deadline.
        if (callerId != o.sellerId && block.timestamp <= o.deadline) {
            revert OrderDeadlineNotReached(orderId, o.deadline, uint40(block.timestamp));
        }
        order.state = OrderState.Cancelled;
        emit OrderCancelled(orderId, callerId);
    }

    /// @inheritdoc IOrderBook
    function withdraw(uint256 orderId) external nonReentrant {
        address payee = _msgSender();
        uint32 callerId = _authorization(payee).id;
        Order storage order = _orders[orderId];
        Order memory o = order;
        if (o.state == OrderState.None) revert OrderNotFound(orderId);

        if (o.state == OrderState.Acknowledged) {
            _requireParty(orderId, o, callerId == o.sellerId);
            order.state = OrderState.Paid;
            _releaseEscrow(o.price);
            emit OrderPaid(orderId, callerId, o.price);
        } else if (o.state == OrderState.Cancelled || o.state == OrderState.Rejected) {
            _requireParty(orderId, o, callerId == o.buyerId);
            order.state = OrderState.Refunded;
            _releaseEscrow(o.price);
            emit OrderRefunded(orderId, callerId, o.price);
        } else {
            revert OrderInvalidState(orderId, o.state, OrderState.Acknowledged);
        }
        if (address(_TOKEN) == address(0)) Address.sendValue(payable(payee), o.price);
        else _TOKEN.safeTransfer(payee, o.price);
    }

    /// @inheritdoc IOrderBook
    function getOrder(uint256 orderId) external view returns (Order memory) {
        return _orders[orderId];
    }

    /// @inheritdoc IOrderBook
    function orderCount() external view returns (uint256 orders) {
        (orders, ) = _orderTotals();
    }

    /// @inheritdoc IOrderBook
    function escrowBalance() external view returns (uint256 escrowed) {
        (, escrowed) = _orderTotals();
    }

    // ------------------------------------------------------------------ internals

    /// @dev Checks and records an order of the caller (the buyer) whose `price` the caller pays into escrow.
    function _placeOrder(
        address seller,
        bytes3 species,
        uint40 weightGrams,
        uint40 shipBy,
        uint32 ackWindow,
        uint256 price
    ) private returns (uint256 orderId) {
        _requireNotPaused();
        uint32 buyerId = _requireRole(_BUYER_BIT).id;
        IRegistry.Authorization memory sellerAuth = _authorization(seller);
        if (sellerAuth.roles & _ACTOR_BIT == 0) revert StageUnauthorized(seller, _ACTOR_BIT);
        if (!_isSpeciesListed(species)) revert StageSpeciesNotListed(species);
        if (weightGrams == 0) revert StageInvalidWeight(weightGrams);
        if (price == 0 || price > type(uint96).max) revert OrderInvalidPrice(price);
        if (shipBy <= block.timestamp) revert OrderInvalidShipBy(shipBy, uint40(block.timestamp));
        if (ackWindow < MIN_ACK_WINDOW || ackWindow > MAX_ACK_WINDOW) {
            revert OrderInvalidAckWindow(ackWindow, MIN_ACK_WINDOW, MAX_ACK_WINDOW);
        }

        orderId = _newOrder(price);
        _orders[orderId] = Order({
            sellerId: sellerAuth.id,
            buyerId: buyerId,
            state: OrderState.Ordered,
            deadline: shipBy,
            ackWindow: ackWindow,
            price: uint96(price),
            cargo: _terms(species, weightGrams)
        });
        emit OrderPlaced(orderId, sellerAuth.id, buyerId, species, weightGrams, price, shipBy, ackWindow);
    }

    /// @dev `initiateShipment`, for actors that ship with more detail (the Distributor's routes).
    function _ship(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds) internal returns (uint256 shipped) {
        _requireNotPaused();
        uint32 sellerId = _requireRole(_ACTOR_BIT).id;
        Order storage order = _orders[orderId];
        Order memory o = order;
        _requireParty(orderId, o, o.sellerId == sellerId);
        _requireState(orderId, o.state, OrderState.Ordered);
        if (block.timestamp > o.deadline) revert OrderDeadlinePassed(orderId, o.deadline, uint40(block.timestamp));
        if (lotIds.length == 0) revert OrderEmptyShipment(orderId);

        bytes3 species = bytes3(o.cargo);
        for (uint256 i; i < lotIds.length; ++i) {
            uint256 lotId = lotIds[i];
            LotWord word = _lotWord(lotId);
            _requireCustody(lotId, word, sellerId);
            _requireStatus(lotId, word.status(), LotStatus.Created);
            _requireNotRecalled(lotId, word);
            if (word.species() != species) revert OrderSpeciesMismatch(orderId, lotId, species, word.species());
            shipped += _shipLot(lotId, word);
        }
        uint256 ordered = uint40(uint256(o.cargo));
        if (shipped < ordered) revert OrderUnderweight(orderId, shipped, ordered);

        order.state = OrderState.Shipped;
        order.cargo = Shipments.commitment(shipmentNo, lotIds);
        emit ShipmentInitiated(orderId, shipmentNo, lotIds, shipped);
    }

    /// @dev `confirmDelivery`, for actors that confirm with more detail (the Distributor's arrivals).
    function _confirmDelivery(uint256 orderId) internal returns (uint32 callerId) {
        _requireNotPaused();
        callerId = _requireRole(_ACTOR_BIT | _BUYER_BIT).id;
        Order storage order = _orders[orderId];
        Order memory o = order;
        _requireParty(orderId, o, callerId == o.sellerId || callerId == o.buyerId);
        _requireState(orderId, o.state, OrderState.Shipped);

        // The seller's confirmation is its word that the goods arrived: the buyer may dispute it for longer
        // (audit F6), so a seller confirming at shipment cannot run the buyer's window out before the goods arrive.
        uint40 ackDeadline =
            uint40(block.timestamp) + o.ackWindow + (callerId == o.buyerId ? 0 : ARRIVAL_DISPUTE_WINDOW);
        order.state = OrderState.Delivered;
        order.deadline = ackDeadline;
        emit DeliveryConfirmed(orderId, callerId, ackDeadline);
    }

    /// @dev Passes custody of the shipped lots to the buyer at the next stage and makes the price the seller's.
    /// Here the lots become `Supplied`, keeping the seller as who held them at this stage.
    function _settle(
        uint256 orderId,
        Order memory o,
        uint64 shipmentNo,
        uint256[] calldata lotIds,
        bool byDeadline
    ) private {
        address next = _requireNext();
        _requireCargo(orderId, o.cargo, shipmentNo, lotIds);
        LotWord[] memory words = LotCodec.allocate(lotIds.length); // every element written below
        for (uint256 i; i < lotIds.length; ++i) {
            uint256 lotId = lotIds[i];
            LotWord word = _lotWord(lotId);
            _requireNotRecalled(lotId, word);
            words[i] = word;
            _supplyLot(lotId, word);
            emit CustodyTransferred(lotId, o.sellerId, o.buyerId, orderId);
        }
        _orders[orderId].state = OrderState.Acknowledged;
        emit OrderAcknowledged(orderId, byDeadline);
        IStage(next).receiveLots(orderId, o.buyerId, lotIds, words);
    }

    function _requireParty(uint256 orderId, Order memory o, bool isParty) private view {
        if (o.state == OrderState.None) revert OrderNotFound(orderId);
        if (!isParty) revert OrderNotParty(orderId, _msgSender());
    }

    function _requireState(uint256 orderId, OrderState current, OrderState expected) private pure {
        if (current != expected) revert OrderInvalidState(orderId, current, expected);
    }

    function _requireCargo(uint256 orderId, bytes32 cargo, uint64 shipmentNo, uint256[] calldata lotIds) private pure {
        if (cargo != Shipments.commitment(shipmentNo, lotIds)) revert OrderShipmentMismatch(orderId);
    }

    function _terms(bytes3 species, uint40 weightGrams) private pure returns (bytes32) {
        return bytes32(species) | bytes32(uint256(weightGrams));
    }
}
