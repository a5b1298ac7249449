// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;
// The cheatcode interface: its functions are not tests.
// solhint-disable foundry-test-function-naming

/// @title Vm
/// @notice The cheatcodes these tests use, as Hardhat 3's EDR Solidity test runner exposes them at
/// 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D (`address(bytes20(uint160(uint256(keccak256("hevm cheat code")))))`).
/// @dev A minimal stand-in for forge-std's `Vm.sol` (not available offline): only the cheatcodes used here, with
/// the signatures EDR 0.22 implements.
interface Vm {
    // ------------------------------------------------------------------ environment

    /// @notice Sets `block.timestamp`.
    function warp(uint256 newTimestamp) external;

    /// @notice The current `block.timestamp`, immune to the via-IR optimizer caching `block.timestamp`.
    function getBlockTimestamp() external view returns (uint256 timestamp);

    /// @notice Sets the balance of `account`.
    function deal(address account, uint256 newBalance) external;

    /// @notice Sets `block.chainid`.
    function chainId(uint256 newChainId) external;

    // ------------------------------------------------------------------ callers

    /// @notice Makes `msgSender` the `msg.sender` of the next call.
    function prank(address msgSender) external;

    /// @notice Makes `msgSender` the `msg.sender` of every call until `stopPrank`.
    function startPrank(address msgSender) external;

    /// @notice Ends a `startPrank`.
    function stopPrank() external;

    // ------------------------------------------------------------------ expectations

    /// @notice The next call must revert, with any revert data.
    function expectRevert() external;

    /// @notice The next call must revert with exactly `revertData`.
    function expectRevert(bytes calldata revertData) external;

    /// @notice The next call must emit the event emitted next by the test, from `emitter`, comparing the topics and
    /// data selected.
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;

    /// @notice The next call must emit the event emitted next by the test, from `emitter`, with all its topics and data.
    function expectEmit(address emitter) external;

    /// @notice The next call must make a call to `callee` with `data`, exactly `count` times (0: never).
    function expectCall(address callee, bytes calldata data, uint64 count) external;

    /// @notice The next call must make at least one call to `callee` with `data`.
    function expectCall(address callee, bytes calldata data) external;

    // ------------------------------------------------------------------ fuzzing

    /// @notice Discards the current fuzz input unless `condition`.
    function assume(bool condition) external pure;

    // ------------------------------------------------------------------ artifacts

    /// @notice The creation bytecode of a compiled contract of the project, named `File.sol:Contract`.
    function getCode(string calldata artifactPath) external view returns (bytes memory creationBytecode);

    /// @notice Reads a storage slot of `target`.
    function load(address target, bytes32 slot) external view returns (bytes32 data);

    /// @notice Writes a storage slot of `target`.
    function store(address target, bytes32 slot, bytes32 value) external;

    // ------------------------------------------------------------------ accounts and logs

    /// @notice The address of `privateKey`.
    function addr(uint256 privateKey) external pure returns (address keyAddr);

    /// @notice Signs `digest` with `privateKey` (secp256k1); `v` is 27 or 28.
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    /// @notice Names `account` in traces.
    function label(address account, string calldata newLabel) external;

    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    /// @notice Starts recording every event emitted.
    function recordLogs() external;

    /// @notice The events recorded since `recordLogs` (and clears them).
    function getRecordedLogs() external returns (Log[] memory logs);
}
