// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRegistry} from "./IRegistry.sol";

/// @title IRegistryReplica
/// @notice A stage contract keeps a read replica of the registry's authorizations, pushed by the registry on
/// every change, so that checking a caller costs one local storage read instead of a cross-contract call.
interface IRegistryReplica {
    /// @notice The registry pushed `account`'s current authorization.
    event AuthorizationSynced(address indexed account, uint32 id, uint16 roles, uint32 operatorId);

    /// @notice Only the registry may push authorizations; `caller` is not it.
    error ReplicaCallerNotRegistry(address caller);

    /// @notice Stores `auth` as `account`'s current authorization.
    /// @dev Only the registry this contract was deployed with. Emits `AuthorizationSynced`.
    function syncAuthorization(address account, IRegistry.Authorization calldata auth) external;

    /// @notice The registry this contract replicates, the only one allowed to push to it.
    function registry() external view returns (address);
}
