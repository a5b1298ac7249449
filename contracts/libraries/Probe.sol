// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Probe
/// @notice Asks a contract that may not be what it claims for a one-word view, without letting a missing function,
/// a revert or a malformed answer abort the caller: used to check a stage before wiring it in.
library Probe {
    /// @notice The answer `target` gives to the argument-less view `selector`, as a word; `type(uint256).max` when it
    /// has no such function (no code, a revert, or an answer that is not one word), which no address or stage number
    /// equals.
    /// @param target the contract to call
    /// @param selector the selector of a view function without arguments
    function word(address target, bytes4 selector) internal view returns (uint256) {
        return word(target, abi.encodeWithSelector(selector));
    }

    /// @notice The answer `target` gives to the view call `data`, as a word; `type(uint256).max` as above.
    /// @param target the contract to call
    /// @param data the calldata of the view call
    function word(address target, bytes memory data) internal view returns (uint256) {
        (bool ok, bytes memory answer) = target.staticcall(data);
        return ok && answer.length == 32 ? abi.decode(answer, (uint256)) : type(uint256).max;
    }
}
