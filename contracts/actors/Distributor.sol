// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OrderBook} from "../base/OrderBook.sol";
import {Stage} from "../base/Stage.sol";
import {IDistributor} from "../interfaces/IDistributor.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";

/// @title Distributor
/// @notice Smart contract 4: cold-chain transport from Manufacturers to Retailers. Packs enter only from the
/// Manufacturer; shipments to Retailers carry their route and mode, and arrival is confirmed with its place.
contract Distributor is IDistributor, OrderBook {
    /// @notice Deploys the Distributor stage (stage 4) of `registry_`.
    /// @param registry_ the FishTrace registry
    /// @param manufacturer the Manufacturer contract packs come from
    constructor(IRegistry registry_, address manufacturer) Stage(registry_, 4, manufacturer) {}

    /// @inheritdoc IDistributor
    function dispatch(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds, Route calldata route) external {
        _ship(orderId, shipmentNo, lotIds);
        emit ShipmentDispatched(orderId, shipmentNo, route);
    }

    /// @inheritdoc IDistributor
    function confirmArrival(uint256 orderId, bytes32 location) external {
        uint32 confirmerId = _confirmDelivery(orderId);
        emit ShipmentArrived(orderId, confirmerId, location);
    }
}
