// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// A test double, not a suite: its functions are not tests.
// solhint-disable foundry-test-function-naming

/// @notice A FishTrace participant that is a contract, for the escrow's pull-payment paths an account cannot reach: a
/// payee that accepts Ether, one that refuses it, and one that makes one more call (re-enters `withdraw`) while paid.
/// @dev Compiled by `hardhat build` as a root of the test sources; mocha deploys it from its artifact
/// (test/helpers/party.ts) and the Solidity suites by `new Party()`.
contract Party {
    /// @notice What the party does when Ether arrives.
    enum OnReceive {
        Accept,
        Refuse,
        CallBack
    }

    OnReceive private _onReceive;
    address private _callee;
    bytes private _callData;

    /// @notice Sets what happens on receiving Ether: accept it, refuse it, or first call `callee` with `callData`.
    function setOnReceive(OnReceive mode, address callee, bytes calldata callData) external {
        _onReceive = mode;
        _callee = callee;
        _callData = callData;
    }

    /// @notice Calls `target` with `data` and the Ether sent, as this contract; bubbles up a revert.
    function execute(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call{value: msg.value}(data);
        if (!ok) _bubble(result);
    }

    /// @notice Accepts, refuses, or calls back as `setOnReceive` chose.
    receive() external payable {
        if (_onReceive == OnReceive.Refuse) revert();
        if (_onReceive == OnReceive.CallBack) {
            (bool ok, bytes memory result) = _callee.call(_callData);
            if (!ok) _bubble(result);
        }
    }

    function _bubble(bytes memory reason) private pure {
        assembly ("memory-safe") {
            revert(add(reason, 32), mload(reason))
        }
    }
}
