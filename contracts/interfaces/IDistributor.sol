// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IDistributor
/// @notice Stage 4: cold-chain transport. A shipment to a Retailer carries its route; arrival is confirmed where
/// it happened.
interface IDistributor {
    enum TransportMode {
        Road,
        Rail,
        Sea,
        Air
    }

    /// @notice Where a shipment goes and how.
    struct Route {
        bytes32 origin; // GS1 GLN or location code of the dispatch point
        bytes32 destination; // GS1 GLN or location code of the receiving point
        TransportMode mode;
        bytes16 vehicle; // registration of the truck, wagon, vessel or flight
    }

    /// @notice Shipment `shipmentNo` of order `orderId` left `route.origin` for `route.destination`.
    /// @param orderId the order
    /// @param shipmentNo the seller's shipment number
    /// @param route the shipment's route and transport mode
    event ShipmentDispatched(uint256 indexed orderId, uint64 indexed shipmentNo, Route route);
    /// @notice The shipment of order `orderId` arrived at `location`, confirmed by participant `confirmerId`.
    /// @param orderId the order
    /// @param confirmerId participant id of the party that confirmed
    /// @param location where the shipment arrived
    event ShipmentArrived(uint256 indexed orderId, uint32 indexed confirmerId, bytes32 location);

    /// @notice `initiateShipment` with the shipment's route.
    /// @dev As `initiateShipment` (the order's seller, a DISTRIBUTOR). Emits `ShipmentInitiated` and
    /// `ShipmentDispatched`. Reverts as `initiateShipment`.
    /// @param orderId the order
    /// @param shipmentNo the seller's shipment number
    /// @param lotIds the lots to ship
    /// @param route the shipment's route and transport mode
    function dispatch(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds, Route calldata route) external;

    /// @notice `confirmDelivery` with the place of arrival.
    /// @dev As `confirmDelivery` (the order's seller or buyer). Emits `DeliveryConfirmed` and `ShipmentArrived`.
    /// Reverts as `confirmDelivery`.
    /// @param orderId the order
    /// @param location where the shipment arrived
    function confirmArrival(uint256 orderId, bytes32 location) external;
}
