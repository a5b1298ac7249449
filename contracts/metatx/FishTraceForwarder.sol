// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title FishTraceForwarder
/// @notice A deployment's ERC-2771 forwarder: OpenZeppelin's `ERC2771Forwarder` unchanged, with the EIP-712 domain
/// named "FishTrace" (version "1"). A participant signs a `ForwardRequest` (from, to, value, gas, nonce, deadline,
/// data); a sponsor submits it through `execute` or `executeBatch` and pays the gas, and the registry and the stage
/// contracts, which trust this forwarder, act as the signer. Forged signatures, replayed nonces and expired
/// deadlines are refused by the forwarder itself (`ERC2771ForwarderInvalidSigner`, `ERC2771ForwarderExpiredRequest`).
/// A request's `value` is Ether the sponsor sends along: sponsored orders should settle in a token.
contract FishTraceForwarder is ERC2771Forwarder {
    /// @notice Deploys the forwarder with the EIP-712 domain "FishTrace", version "1".
    constructor() ERC2771Forwarder("FishTrace") {}
}
