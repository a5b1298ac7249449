// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Test doubles, not suites: their functions are not tests.
// solhint-disable foundry-test-function-naming

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";

/// @notice OpenZeppelin's forwarder under the EIP-712 name the relay expects by default, for the relay's tests of
/// sponsored actions until the deployment's own forwarder is merged.
/// @dev Compiled by `hardhat build test/contracts/utils/Forwarding.sol` (package.json "test:mocha").
contract TestForwarder is ERC2771Forwarder {
    constructor(string memory name) ERC2771Forwarder(name) {}
}

/// @notice A contract that trusts a forwarder (ERC-2771) and records who called it through it, so a test can see
/// each sponsored call executed once and by its signer; it can be told to refuse calls.
contract ForwardedTarget is ERC2771Context {
    /// @notice The same error a stage reverts with (the relay decodes it with the project's catalogue).
    error StageSpeciesNotListed(bytes3 species);

    /// @notice One call recorded: `sender` is `_msgSender()`, the signer when the forwarder called.
    event Recorded(address indexed sender, uint256 value);

    mapping(address sender => uint256[] values) private _values;
    bool private _refusing;

    constructor(address forwarder) ERC2771Context(forwarder) {}

    /// @notice Records `value` for the caller; value 0 is refused as an unlisted species.
    function record(uint256 value) external {
        if (value == 0 || _refusing) revert StageSpeciesNotListed(0x434f44);
        _values[_msgSender()].push(value);
        emit Recorded(_msgSender(), value);
    }

    /// @notice From now on every `record` reverts (or no longer does).
    function setRefusing(bool refusing) external {
        _refusing = refusing;
    }

    /// @notice The values recorded for `sender`, in order.
    function valuesOf(address sender) external view returns (uint256[] memory) {
        return _values[sender];
    }
}
