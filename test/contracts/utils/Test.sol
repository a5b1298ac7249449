// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {Vm} from "./Vm.sol";

/// @title Test
/// @notice A minimal base for FishTrace's Solidity tests (forge-std is not available offline): the cheatcode
/// handle, assertions that revert with a readable message, `bound` for fuzz inputs, and the target lists Hardhat 3's
/// invariant runner (EDR, a Foundry fork) reads from the test contract: `targetContracts()`, `targetSelectors()`,
/// `targetSenders()` and `excludeContracts()`.
/// @dev Names follow forge-std so that tests read the same. No function here starts with `test` or `invariant`.
abstract contract Test {
    using Strings for uint256;
    using Strings for int256;
    using Strings for address;

    /// @dev `address(uint160(uint256(keccak256("hevm cheat code"))))`.
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    // ------------------------------------------------------------------ invariant targets

    /// @dev As forge-std's `StdInvariant.FuzzSelector`: the selectors of `addr` the invariant fuzzer may call.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetedContracts;
    address[] private _excludedContracts;
    address[] private _targetedSenders;
    FuzzSelector[] private _targetedSelectors;

    /// @dev The invariant fuzzer calls only these contracts (all deployed in `setUp` when empty).
    function targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    /// @dev The invariant fuzzer calls only these selectors of `selector.addr`.
    function targetSelector(FuzzSelector memory selector) internal {
        _targetedSelectors.push(selector);
    }

    /// @dev The invariant fuzzer never calls `target`.
    function excludeContract(address target) internal {
        _excludedContracts.push(target);
    }

    /// @dev The invariant fuzzer sends its calls from these accounts only.
    function targetSender(address sender) internal {
        _targetedSenders.push(sender);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }

    function excludeContracts() public view returns (address[] memory) {
        return _excludedContracts;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetedSenders;
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A labelled address derived from `name`.
    function makeAddr(string memory name) internal returns (address account) {
        account = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(account, name);
    }

    /// @dev The current block time (see `Vm.getBlockTimestamp`).
    function _now() internal view returns (uint256) {
        return vm.getBlockTimestamp();
    }

    /// @dev Maps `x` into [`min`, `max`] (forge-std's `bound`): values already inside stay as they are, others wrap
    /// around the range, so the fuzzer's edge values land on the range's edges.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256 result) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min + 1;
        if (x <= 3 && size > x) return min + x;
        if (x >= type(uint256).max - 3 && size > type(uint256).max - x) return max - (type(uint256).max - x);
        if (x > max) {
            uint256 diff = x - max;
            uint256 rem = diff % size;
            if (rem == 0) return max;
            return min + rem - 1;
        }
        uint256 diff2 = min - x;
        uint256 rem2 = diff2 % size;
        if (rem2 == 0) return min;
        return max - rem2 + 1;
    }

    /// @dev `bound` for signed integers.
    function bound(int256 x, int256 min, int256 max) internal pure returns (int256) {
        require(min <= max, "bound: min > max");
        // Shift into unsigned space preserving order, bound there, shift back.
        uint256 ux = uint256(x) ^ (1 << 255);
        uint256 umin = uint256(min) ^ (1 << 255);
        uint256 umax = uint256(max) ^ (1 << 255);
        return int256(bound(ux, umin, umax) ^ (1 << 255));
    }

    // ------------------------------------------------------------------ assertions

    function fail(string memory message) internal pure {
        revert(message);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert(message);
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) revert(message);
    }

    function assertEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a != b) revert(string.concat(message, ": ", a.toString(), " != ", b.toString()));
    }

    function assertEq(int256 a, int256 b, string memory message) internal pure {
        if (a != b) revert(string.concat(message, ": ", a.toStringSigned(), " != ", b.toStringSigned()));
    }

    function assertEq(address a, address b, string memory message) internal pure {
        if (a != b) revert(string.concat(message, ": ", a.toHexString(), " != ", b.toHexString()));
    }

    function assertEq(bytes32 a, bytes32 b, string memory message) internal pure {
        if (a != b) {
            revert(string.concat(message, ": ", uint256(a).toHexString(32), " != ", uint256(b).toHexString(32)));
        }
    }

    function assertEq(bool a, bool b, string memory message) internal pure {
        if (a != b) revert(string.concat(message, ": ", a ? "true" : "false", " != ", b ? "true" : "false"));
    }

    function assertEq(string memory a, string memory b, string memory message) internal pure {
        if (keccak256(bytes(a)) != keccak256(bytes(b))) {
            string memory quote = "\x22";
            revert(string.concat(message, ": ", quote, a, quote, " != ", quote, b, quote));
        }
    }

    function assertEq(bytes memory a, bytes memory b, string memory message) internal pure {
        if (keccak256(a) != keccak256(b)) revert(message);
    }

    function assertEq(uint256[] memory a, uint256[] memory b, string memory message) internal pure {
        if (keccak256(abi.encode(a)) != keccak256(abi.encode(b))) revert(message);
    }

    function assertNotEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a == b) revert(string.concat(message, ": both ", a.toString()));
    }

    function assertGe(uint256 a, uint256 b, string memory message) internal pure {
        if (a < b) revert(string.concat(message, ": ", a.toString(), " < ", b.toString()));
    }

    function assertGt(uint256 a, uint256 b, string memory message) internal pure {
        if (a <= b) revert(string.concat(message, ": ", a.toString(), " <= ", b.toString()));
    }

    function assertLe(uint256 a, uint256 b, string memory message) internal pure {
        if (a > b) revert(string.concat(message, ": ", a.toString(), " > ", b.toString()));
    }

    function assertLt(uint256 a, uint256 b, string memory message) internal pure {
        if (a >= b) revert(string.concat(message, ": ", a.toString(), " >= ", b.toString()));
    }
}
