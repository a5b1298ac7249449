// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRegistry} from "./IRegistry.sol";

/// @title IRegistryReplica
/// @notice A stage contract keeps a read replica of the registry's authorizations, pushed by the registry on
/// every change, so that checking a caller costs one local storage read instead of a cross-contract call.
interface IRegistryReplica {
    /// @notice The registry pushed `account`'s current authorization.
    /// @param account the account
    /// @param id the participant id
    /// @param roles the account's role bitmap (see `Roles`)
    /// @param operatorId participant id of the device's operator (0 for a participant)
    event AuthorizationSynced(address indexed account, uint32 id, uint16 roles, uint32 operatorId);

    /// @notice The registry pushed species `code`'s listing: lots may carry it while `listed`.
    /// @param code FAO ASFIS 3-alpha species code, e.g. "COD"
    /// @param listed true when the registry lists the species, false once it delisted it
    event SpeciesSynced(bytes3 indexed code, bool listed);

    /// @notice `account`, a PAUSER, paused this contract through the registry.
    /// @param account the pauser
    event Paused(address account);
    /// @notice `account`, a PAUSER, unpaused this contract through the registry.
    /// @param account the pauser
    event Unpaused(address account);

    /// @notice Only the registry may push authorizations; `caller` is not it.
    error ReplicaCallerNotRegistry(address caller);
    /// @notice The pause asked for is the state already: this contract is `paused`.
    error PauseUnchanged(bool paused);

    /// @notice Stores `auth` as `account`'s current authorization.
    /// @dev Only the registry this contract was deployed with. Emits `AuthorizationSynced`.
    /// @param account the account
    /// @param auth the account's registry record
    function syncAuthorization(address account, IRegistry.Authorization calldata auth) external;

    /// @notice Stores whether the registry lists species `code`, so that a lot's species is checked with a local
    /// read instead of a call to the registry.
    /// @dev Only the registry this contract was deployed with. Emits `SpeciesSynced`. Reverts with
    /// `ReplicaCallerNotRegistry`.
    /// @param code FAO ASFIS 3-alpha species code, e.g. "COD"
    /// @param listed true when the registry lists the species, false once it delisted it
    function syncSpecies(bytes3 code, bool listed) external;

    /// @notice Pauses (`value` true) or resumes this contract's business functions on behalf of PAUSER `account`.
    /// Settlement is never paused: withdrawing what an order owes, cancelling an unshipped order, rejecting a
    /// delivery (the buyer's refund), claiming a delivered order after the buyer's window and receiving the lots such
    /// a claim hands over all work while paused, as do recalls, the ledger's flags and the registry's pushes.
    /// @dev Only the registry (`IRegistry.pause` / `unpause`, which check PAUSER). Emits `Paused` or `Unpaused`.
    /// Reverts with `ReplicaCallerNotRegistry`, `PauseUnchanged`.
    /// @param value true to pause, false to unpause
    /// @param account the pauser
    function syncPause(bool value, address account) external;

    /// @notice Whether this contract's business functions are paused.
    function paused() external view returns (bool);

    /// @notice The registry this contract replicates, the only one allowed to push to it.
    function registry() external view returns (address);
}
