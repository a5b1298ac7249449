// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IOrderBook
/// @notice The purchase agreement between a stage (the seller) and the next one (the buyer), with the price held
/// in escrow: the paper's state chart Ordered → Shipped → Delivered → Acknowledged → Paid, with Cancelled
/// (before shipping) and Rejected → Refunded. Money leaves only by pull (`withdraw`); deadlines both ways make
/// sure nothing stays stuck in escrow.
interface IOrderBook {
    /// @notice The states of an order. A lot's own "Created" precedes `Ordered` (see `IStage.LotStatus`).
    enum OrderState {
        None,
        Ordered,
        Shipped,
        Delivered,
        Acknowledged,
        Paid,
        Cancelled,
        Rejected,
        Refunded
    }

    /// @notice An order as stored.
    /// @dev Layout: slot 0 = sellerId 32 | buyerId 32 | state 8 | deadline 40 | ackWindow 32 | price 96 | 16 spare;
    /// slot 1 = `cargo`: until shipment the ordered species and minimum weight (`species << 232 | weightGrams`),
    /// from shipment on `keccak256(abi.encode(shipmentNo, lotIds))`, the commitment later calls are checked against.
    struct Order {
        uint32 sellerId;
        uint32 buyerId;
        OrderState state;
        uint40 deadline; // Ordered: ship-by time; Delivered: acknowledge-by time
        uint32 ackWindow; // seconds the buyer has to acknowledge once delivered
        uint96 price; // held in escrow, in the settlement token's units (wei for Ether)
        bytes32 cargo;
    }

    /// @notice `buyerId` ordered at least `weightGrams` of `species` from `sellerId`, paying `price` into escrow.
    /// @param orderId the order
    /// @param sellerId participant id of the seller
    /// @param buyerId participant id of the buyer
    /// @param species the species ordered
    /// @param weightGrams the grams ordered
    /// @param price the escrowed price, in the settlement token's units (wei for Ether)
    /// @param shipBy the deadline for shipping (unix seconds)
    /// @param ackWindow seconds the buyer has to acknowledge once the delivery is confirmed
    event OrderPlaced(
        uint256 indexed orderId,
        uint32 indexed sellerId,
        uint32 indexed buyerId,
        bytes3 species,
        uint40 weightGrams,
        uint256 price,
        uint40 shipBy,
        uint32 ackWindow
    );
    /// @notice The seller shipped `lotIds` (`weightGrams` in all) under shipment number `shipmentNo`.
    /// @param orderId the order
    /// @param shipmentNo the seller's shipment number
    /// @param lotIds the lots shipped
    /// @param weightGrams the grams shipped
    event ShipmentInitiated(uint256 indexed orderId, uint64 indexed shipmentNo, uint256[] lotIds, uint256 weightGrams);
    /// @notice Participant `confirmerId` confirmed the shipment arrived; the buyer has until `ackDeadline`.
    /// @param orderId the order
    /// @param confirmerId participant id of the party that confirmed
    /// @param ackDeadline when the buyer's acknowledgement window closes (unix seconds)
    event DeliveryConfirmed(uint256 indexed orderId, uint32 indexed confirmerId, uint40 ackDeadline);
    /// @notice The buyer acknowledged the delivery (`byDeadline`: the seller claimed after the buyer's deadline).
    /// @param orderId the order
    /// @param byDeadline true when the seller claimed it after the buyer's window ran out
    event OrderAcknowledged(uint256 indexed orderId, bool byDeadline);
    /// @notice The seller `sellerId` withdrew `amount`, the escrowed price.
    /// @param orderId the order
    /// @param sellerId participant id of the seller paid
    /// @param amount the amount paid out, in the settlement token's units (wei for Ether)
    event OrderPaid(uint256 indexed orderId, uint32 indexed sellerId, uint256 amount);
    /// @notice Participant `byId` cancelled the order before shipping.
    /// @param orderId the order
    /// @param byId participant id of the party that cancelled
    event OrderCancelled(uint256 indexed orderId, uint32 indexed byId);
    /// @notice The buyer rejected the delivery for `reason`; the lots are back in the seller's inventory.
    /// @param orderId the order
    /// @param reason the buyer's reference for the rejection
    event DeliveryRejected(uint256 indexed orderId, bytes32 reason);
    /// @notice The buyer `buyerId` withdrew the refund `amount`.
    /// @param orderId the order
    /// @param buyerId participant id of the buyer refunded
    /// @param amount the amount paid out, in the settlement token's units (wei for Ether)
    event OrderRefunded(uint256 indexed orderId, uint32 indexed buyerId, uint256 amount);

    /// @notice No order `orderId` exists.
    error OrderNotFound(uint256 orderId);
    /// @notice `orderId` is `current`, but the call needs it `expected`.
    error OrderInvalidState(uint256 orderId, OrderState current, OrderState expected);
    /// @notice `account` is not the party of `orderId` that may make this call.
    error OrderNotParty(uint256 orderId, address account);
    /// @notice The call is allowed only after `deadline`; it is now `nowTime`.
    error OrderDeadlineNotReached(uint256 orderId, uint40 deadline, uint40 nowTime);
    /// @notice The call was allowed only until `deadline`; it is now `nowTime`.
    error OrderDeadlinePassed(uint256 orderId, uint40 deadline, uint40 nowTime);
    /// @notice `price` cannot be escrowed (zero, or above a uint96).
    error OrderInvalidPrice(uint256 price);
    /// @notice This deployment settles in `token` (zero: Ether): a call paying `value` wei does not fit it (Ether sent
    /// to a token deployment, or `placeOrderWithPermit` on an Ether one).
    error OrderPaymentKind(address token, uint256 value);
    /// @notice Pulling `expected` units of `token` into escrow added `received`: a fee-on-transfer or otherwise
    /// non-standard token, which FishTrace refuses.
    error OrderTokenAmountMismatch(address token, uint256 expected, uint256 received);
    /// @notice Ship-by time `shipBy` is not in the future (now `nowTime`).
    error OrderInvalidShipBy(uint40 shipBy, uint40 nowTime);
    /// @notice Acknowledgement window `ackWindow` seconds is outside [`minimum`, `maximum`].
    error OrderInvalidAckWindow(uint32 ackWindow, uint32 minimum, uint32 maximum);
    /// @notice A shipment must carry at least one lot.
    error OrderEmptyShipment(uint256 orderId);
    /// @notice The shipment number and lots given do not match what was shipped under `orderId`.
    error OrderShipmentMismatch(uint256 orderId);
    /// @notice Lot `lotId` is `actual`, but order `orderId` is for `expected`.
    error OrderSpeciesMismatch(uint256 orderId, uint256 lotId, bytes3 expected, bytes3 actual);
    /// @notice The shipment weighs `shippedGrams`, less than the `orderedGrams` ordered.
    error OrderUnderweight(uint256 orderId, uint256 shippedGrams, uint256 orderedGrams);

    /// @notice Orders at least `weightGrams` of `species` from `seller`, paying the price (`msg.value`) into
    /// escrow. The seller must ship by `shipBy`; once delivered, the buyer has `ackWindow` seconds to acknowledge.
    /// @dev For a deployment that settles in Ether (`IRegistry.settlementToken` zero). Callable by a participant with the
    /// next stage's actor role; `seller` must hold this stage's. Relayed through the trusted forwarder, the Ether is
    /// the request's `value`, which the relayer sends. Emits `OrderPlaced`. Reverts with `OrderPaymentKind` (a token
    /// deployment), `StagePaused`, `StageUnauthorized`, `StageSpeciesNotListed`, `StageInvalidWeight`,
    /// `OrderInvalidPrice`, `OrderInvalidShipBy`, `OrderInvalidAckWindow`.
    /// @return orderId the new order's number
    /// @param seller the selling actor's account (this stage's role)
    /// @param species the species ordered (listed in the registry)
    /// @param weightGrams the grams ordered (the shipment must weigh at least this)
    /// @param shipBy the deadline for shipping (unix seconds, in the future)
    /// @param ackWindow seconds the buyer has to acknowledge once the delivery is confirmed (MIN_ACK_WINDOW to MAX_ACK_WINDOW)
    function placeOrder(
        address seller,
        bytes3 species,
        uint40 weightGrams,
        uint40 shipBy,
        uint32 ackWindow
    ) external payable returns (uint256 orderId);

    /// @notice `placeOrder` for a deployment that settles in an ERC-20: orders at least `weightGrams` of `species`
    /// from `seller`, pulling `price` of the settlement token from the caller into escrow. With a non-zero
    /// `permitDeadline`, first submits the caller's EIP-2612 permit (`v`, `r`, `s`) for exactly `price` to this
    /// contract, so one transaction needs no separate approve; a permit that fails (already used by someone who
    /// front-ran it, or none given) is ignored and the existing allowance is used.
    /// @dev Callable by a participant with the next stage's actor role (the signer, when relayed by the trusted
    /// forwarder: the tokens come from it, not from the relayer); `seller` must hold this stage's. Emits
    /// `OrderPlaced`. Reverts with `OrderPaymentKind` (an Ether deployment), the `placeOrder` errors,
    /// `OrderTokenAmountMismatch` (a fee-on-transfer token), and the token's own errors when the allowance or
    /// balance falls short (e.g. `ERC20InsufficientAllowance`), or `SafeERC20FailedOperation`.
    /// @return orderId the new order's number
    /// @param seller the selling actor's account (this stage's role)
    /// @param species the species ordered (listed in the registry)
    /// @param weightGrams the grams ordered (the shipment must weigh at least this)
    /// @param shipBy the deadline for shipping (unix seconds, in the future)
    /// @param ackWindow seconds the buyer has to acknowledge once the delivery is confirmed
    /// @param price the price escrowed, in the token's units (at most a uint96)
    /// @param permitDeadline the permit's deadline; zero to skip the permit and use an existing allowance
    /// @param v the permit signature's recovery byte
    /// @param r the permit signature's r
    /// @param s the permit signature's s
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
    ) external returns (uint256 orderId);

    /// @notice Ships `lotIds` against `orderId` under the seller's shipment number `shipmentNo` (the paper's
    /// Initiate_shipment). Every lot must be available, in the seller's custody, of the ordered species, and
    /// together weigh at least the ordered weight.
    /// @dev Callable by the order's seller before the ship-by deadline. Emits `ShipmentInitiated`. Reverts with
    /// `StagePaused`, `StageUnauthorized`, `OrderNotFound`, `OrderNotParty`, `OrderInvalidState`, `OrderDeadlinePassed`,
    /// `OrderEmptyShipment`, `LotNotFound`, `LotNotInCustody`, `LotInvalidStatus`, `LotIsRecalled`,
    /// `OrderSpeciesMismatch`, `OrderUnderweight`.
    /// @param orderId the order
    /// @param shipmentNo the seller's shipment number
    /// @param lotIds the lots to ship (available, in the seller's custody, of the ordered species)
    function initiateShipment(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds) external;

    /// @notice Confirms the shipment of `orderId` arrived (the paper's Confirm_delivery); starts the buyer's
    /// acknowledgement window: `ackWindow` from the buyer's confirmation, or `ackWindow + ARRIVAL_DISPUTE_WINDOW`
    /// from the seller's (an arrival the buyer did not confirm, which it may dispute by rejecting).
    /// @dev Callable by the order's seller or buyer. Emits `DeliveryConfirmed`. Reverts with `StagePaused`,
    /// `StageUnauthorized`,
    /// `OrderNotFound`, `OrderNotParty`, `OrderInvalidState`.
    /// @param orderId the order
    function confirmDelivery(uint256 orderId) external;

    /// @notice Acknowledges the delivery of `orderId`: the lots become `Supplied` here and are handed to the next
    /// stage contract in the buyer's custody, and the escrowed price becomes the seller's to withdraw.
    /// @dev Callable by the order's buyer when `Delivered`; `shipmentNo` and `lotIds` must be those shipped.
    /// Emits `CustodyTransferred` per lot, `OrderAcknowledged`, and the next stage's `LotReceived`. Reverts with
    /// `StagePaused`, `StageUnauthorized`, `OrderNotFound`, `OrderNotParty`, `OrderInvalidState`, `StageNextNotSet`,
    /// `OrderShipmentMismatch`, `LotIsRecalled`.
    /// @param orderId the order
    /// @param shipmentNo the shipment number it was shipped under
    /// @param lotIds the lots shipped, as passed to `initiateShipment`
    function acknowledge(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds) external;

    /// @notice Rejects the shipment of `orderId` for `reason` (quality failure, discrepancy): the lots go back
    /// to the seller's inventory and the price becomes the buyer's to withdraw.
    /// @dev Callable by the order's buyer when `Shipped` or `Delivered` (and before the acknowledgement deadline,
    /// unless a shipped lot was recalled: a recalled delivery can always be sent back, even by a buyer whose role was
    /// revoked since, so that its price never stays locked). Never paused: the buyer's refund cannot wait for an
    /// unpause while its window runs out.
    /// Emits `DeliveryRejected`. Reverts with `StageUnauthorized`, `OrderNotFound`, `OrderNotParty`,
    /// `OrderInvalidState`, `OrderDeadlinePassed`, `OrderShipmentMismatch`.
    /// @param orderId the order
    /// @param shipmentNo the shipment number it was shipped under
    /// @param lotIds the lots shipped, as passed to `initiateShipment`
    /// @param reason the buyer's reference for the rejection
    function rejectDelivery(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds, bytes32 reason) external;

    /// @notice Cancels `orderId` before it is shipped; the price becomes the buyer's to withdraw.
    /// @dev The seller may cancel (decline) at any time before shipping; the buyer only once the ship-by
    /// deadline has passed; neither needs a current role; never paused. Emits `OrderCancelled`. Reverts with `OrderNotFound`,
    /// `OrderNotParty`, `OrderInvalidState`, `OrderDeadlineNotReached`.
    /// @param orderId the order
    function cancelOrder(uint256 orderId) external;

    /// @notice Acknowledges `orderId` on the buyer's behalf once the buyer let the acknowledgement deadline
    /// pass, so the seller is not left unpaid.
    /// @dev Callable by the order's seller (no current role needed) when `Delivered` and past the deadline, also
    /// while this stage or the next is paused (money owed for a delivery the buyer did not reject). Emits
    /// `CustodyTransferred` per lot, `OrderAcknowledged(orderId, true)` and the next stage's `LotReceived`.
    /// Reverts with `StageNextNotSet`, `LotIsRecalled`, `OrderNotFound`,
    /// `OrderNotParty`, `OrderInvalidState`, `OrderDeadlineNotReached`, `OrderShipmentMismatch`.
    /// @param orderId the order
    /// @param shipmentNo the shipment number it was shipped under
    /// @param lotIds the lots shipped, as passed to `initiateShipment`
    function claimPayment(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds) external;

    /// @notice Pays out what `orderId` owes the caller: the price to the seller of an `Acknowledged` order
    /// (→ `Paid`), or the refund to the buyer of a `Cancelled` or `Rejected` one (→ `Refunded`).
    /// @dev Pull payment in the settlement token (Ether, or the ERC-20 through `SafeERC20`), paid to the caller (the
    /// signer, when relayed), guarded against reentrancy; the state changes before the money moves. Needs no current
    /// role: a revoked participant still collects what it is owed; never paused. Emits `OrderPaid` or `OrderRefunded`. Reverts
    /// with `OrderNotFound`, `OrderNotParty`,
    /// `OrderInvalidState`, and OpenZeppelin's `FailedCall` when the transfer fails.
    /// @param orderId the order
    function withdraw(uint256 orderId) external;

    /// @notice The stored order `orderId` (zeroed when unknown).
    /// @param orderId the order
    function getOrder(uint256 orderId) external view returns (Order memory);

    /// @notice The number of orders placed so far (order ids run 1 … count).
    function orderCount() external view returns (uint256);

    /// @notice What this contract holds for orders not yet paid out (escrowed and withdrawable), in the settlement
    /// token's units (wei for Ether).
    function escrowBalance() external view returns (uint256);
}
