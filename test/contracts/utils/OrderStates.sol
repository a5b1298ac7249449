// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IOrderBook} from "../../../contracts/interfaces/IOrderBook.sol";

/// @title OrderStates
/// @notice The order state chart the invariant suites check every observed order state change against.
library OrderStates {
    /// @notice Whether `from` → `to` is an edge of the chart: (creation →) Ordered → Shipped | Cancelled,
    /// Shipped → Delivered | Rejected, Delivered → Acknowledged | Rejected, Acknowledged → Paid,
    /// Cancelled → Refunded, Rejected → Refunded. Paid and Refunded are final.
    /// @param from the state before the change (`None` for a new order)
    /// @param to the state after it
    /// @return whether the chart has that edge
    function allowed(IOrderBook.OrderState from, IOrderBook.OrderState to) internal pure returns (bool) {
        if (from == IOrderBook.OrderState.None) return to == IOrderBook.OrderState.Ordered;
        if (from == IOrderBook.OrderState.Ordered) {
            return to == IOrderBook.OrderState.Shipped || to == IOrderBook.OrderState.Cancelled;
        }
        if (from == IOrderBook.OrderState.Shipped) {
            return to == IOrderBook.OrderState.Delivered || to == IOrderBook.OrderState.Rejected;
        }
        if (from == IOrderBook.OrderState.Delivered) {
            return to == IOrderBook.OrderState.Acknowledged || to == IOrderBook.OrderState.Rejected;
        }
        if (from == IOrderBook.OrderState.Acknowledged) return to == IOrderBook.OrderState.Paid;
        if (from == IOrderBook.OrderState.Cancelled) return to == IOrderBook.OrderState.Refunded;
        if (from == IOrderBook.OrderState.Rejected) return to == IOrderBook.OrderState.Refunded;
        return false;
    }

    /// @notice "order <id>: <from> -> <to>", the states as numbers: an assertion's message.
    /// @param orderId the order that changed
    /// @param from the state before the change
    /// @param to the state after it
    /// @return the message
    function describe(
        uint256 orderId,
        IOrderBook.OrderState from,
        IOrderBook.OrderState to
    ) internal pure returns (string memory) {
        return
            string.concat(
                "order ",
                Strings.toString(orderId),
                ": ",
                Strings.toString(uint256(from)),
                " -> ",
                Strings.toString(uint256(to))
            );
    }
}
