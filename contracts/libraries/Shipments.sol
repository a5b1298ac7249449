// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Shipments
/// @notice What an order stores once shipped: a commitment to the shipment's number and lots, which the calls that
/// move the lots (acknowledge, reject, claim) and the quality ledger's receiving scans pass again and check.
library Shipments {
    /// @notice The commitment to shipment `shipmentNo` of `lotIds`, in order.
    /// @param shipmentNo the seller's shipment number
    /// @param lotIds the lots shipped
    function commitment(uint64 shipmentNo, uint256[] calldata lotIds) internal pure returns (bytes32) {
        return keccak256(abi.encode(shipmentNo, lotIds));
    }
}
