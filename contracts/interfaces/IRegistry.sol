// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRegistry
/// @notice The vocabulary of the FishTrace participant registry: who takes part, in which roles, which devices
/// they operate, and which species codes lots may carry. Every state-changing function of every FishTrace
/// contract asks the registry who its caller is through {authorization}.
interface IRegistry {
    /// @notice What a stage contract needs to know about a caller, read in one storage slot.
    /// @param id the caller's participant id (0 when the account was never registered)
    /// @param roles the caller's role bits (see `Roles`); a device loses its roles while its operator holds no
    /// actor role
    /// @param operatorId for a device, the participant id of the participant operating it; 0 otherwise
    /// @param operator for a device, the account operating it; zero otherwise. Replicas read the operator's own
    /// record through it, so an operator's role change reaches its devices without being pushed for each of them.
    struct Authorization {
        uint32 id;
        uint16 roles;
        uint32 operatorId;
        address operator;
    }

    /// @notice A participant id was assigned to `account` (once, on its first role).
    /// @param id the participant id assigned
    /// @param account the account
    event ParticipantEnrolled(uint32 indexed id, address indexed account);
    /// @notice `account`'s display name and GS1 GLN or location code were set.
    /// @param account the participant
    /// @param name the participant's display name
    /// @param location the participant's location
    event ParticipantProfileSet(address indexed account, string name, string location);
    /// @notice Every role of `account` was revoked.
    /// @param account the participant revoked
    event ParticipantRevoked(address indexed account);
    /// @notice `device` now acts on behalf of `operator`.
    /// @param device the device's address
    /// @param operator the participant that operates the device
    event DeviceBound(address indexed device, address indexed operator);
    /// @notice `code` (an FAO ASFIS 3-alpha species code) may be used for lots, under `name`.
    /// @param code FAO ASFIS 3-alpha species code, e.g. "COD"
    /// @param name the species' common name
    event SpeciesListed(bytes3 indexed code, string name);
    /// @notice `code` may no longer be used for new lots; existing lots keep it.
    /// @param code FAO ASFIS 3-alpha species code, e.g. "COD"
    event SpeciesDelisted(bytes3 indexed code);

    /// @notice `by` vouched for the document whose SHA-256 is `digest` (master data a partner imports: a vessel's
    /// record, a party's address, a certificate), at this block's time.
    /// @param digest the SHA-256 of the document's canonical form
    /// @param by the participant that anchored it
    event DocumentAnchored(bytes32 indexed digest, address indexed by);

    /// @notice The deployment settles orders in `settlementToken` (zero: Ether) and its contracts trust
    /// `trustedForwarder` (zero: none) to relay actors' signed requests (ERC-2771); both fixed for its lifetime.
    /// @param settlementToken the ERC-20 every order book of this deployment escrows (zero: Ether)
    /// @param trustedForwarder the ERC-2771 forwarder the registry and the stages trust (zero: none)
    event DeploymentConfigured(address indexed settlementToken, address indexed trustedForwarder);

    /// @notice `stage` now receives every authorization change (see `IRegistryReplica`).
    /// @param stage the stage contract (or quality ledger) attached
    event StageAttached(address indexed stage);

    /// @notice `account` holds no actor, regulator or admin role, so it cannot vouch for documents.
    error RegistryNotParticipant(address account);
    /// @notice `by` anchored `digest` already, at `anchoredAt` (unix seconds).
    error RegistryDocumentAlreadyAnchored(bytes32 digest, address by, uint256 anchoredAt);
    /// @notice `role` is not one of FishTrace's roles.
    error RegistryUnknownRole(bytes32 role);
    /// @notice `account` is the zero address, which cannot take part.
    error RegistryZeroAccount();
    /// @notice `code` is not three upper-case letters A-Z.
    error RegistryInvalidSpeciesCode(bytes3 code);
    /// @notice `code` is already listed.
    error RegistrySpeciesAlreadyListed(bytes3 code);
    /// @notice `code` is not listed.
    error RegistrySpeciesNotListed(bytes3 code);
    /// @notice `role` cannot be given to a device (only QAT_DEVICE and SENSOR_GATEWAY can).
    error RegistryNotDeviceRole(bytes32 role);
    /// @notice `operator` holds neither an actor role nor REGULATOR, so it cannot operate a device.
    error RegistryOperatorNotActor(address operator);
    /// @notice `device` already takes part in its own right, or is bound to another operator (`operator`).
    error RegistryDeviceConflict(address device, address operator);

    /// @notice `token` cannot be a settlement token: it holds no code.
    error RegistryInvalidToken(address token);

    /// @notice `stage` is attached already.
    error RegistryStageAlreadyAttached(address stage);
    /// @notice `stage` is not a replica of this registry (it does not name this registry as its `registry()`),
    /// so pushing authorizations to it would fail.
    error RegistryNotReplica(address stage);
    /// @notice No more than `maximum` stage contracts can be attached.
    error RegistryTooManyStages(uint256 maximum);
    /// @notice `target` is not a stage contract or quality ledger attached to this registry.
    error RegistryNotAttached(address target);

    /// @notice Attaches a stage contract: from now on every authorization change is pushed to its replica.
    /// @dev Only DEFAULT_ADMIN_ROLE. Emits `StageAttached`. Reverts with `RegistryNotReplica`,
    /// `RegistryStageAlreadyAttached`, `RegistryTooManyStages`.
    /// @param stage the stage contract (or quality ledger) to attach
    function attachStage(address stage) external;

    /// @notice Pauses the business functions of `target`, one attached stage contract or the quality ledger, and
    /// no other. What a pause stops and what it never stops (settlement): see `IRegistryReplica.syncPause`.
    /// @dev Callable by a PAUSER. `target` emits `Paused`. Reverts with `AccessControlUnauthorizedAccount`,
    /// `RegistryNotAttached`, and `PauseUnchanged` from a target paused already.
    /// @param target the stage contract or quality ledger to pause
    function pause(address target) external;

    /// @notice Resumes the business functions of `target`, one attached stage contract or the quality ledger.
    /// @dev Callable by a PAUSER. `target` emits `Unpaused`. Reverts with `AccessControlUnauthorizedAccount`,
    /// `RegistryNotAttached`, and `PauseUnchanged` from a target that is not paused.
    /// @param target the stage contract or quality ledger to resume
    function unpause(address target) external;

    /// @notice Registers `account` in `role` with its display name and GS1 GLN or location code.
    /// @dev Only DEFAULT_ADMIN_ROLE. Emits `ParticipantEnrolled` (first time), `RoleGranted`,
    /// `ParticipantProfileSet`. Reverts with `RegistryUnknownRole`, `RegistryZeroAccount`.
    /// @param account the participant's account
    /// @param role the participant's role
    /// @param name the participant's display name
    /// @param location the participant's location
    function registerParticipant(
        address account,
        bytes32 role,
        string calldata name,
        string calldata location
    ) external;

    /// @notice Registers `device` in `role` (QAT_DEVICE or SENSOR_GATEWAY), bound to the participant `operator`.
    /// @dev Only DEFAULT_ADMIN_ROLE. Emits `ParticipantEnrolled` (first time), `DeviceBound`, `RoleGranted`.
    /// Reverts with `RegistryNotDeviceRole`, `RegistryOperatorNotActor`, `RegistryDeviceConflict`.
    /// @param device the QAT device's address
    /// @param role the device role (QAT_DEVICE or SENSOR_GATEWAY)
    /// @param operator the participant that operates the device
    function registerDevice(address device, bytes32 role, address operator) external;

    /// @notice Revokes every role of `account`; its participant id and history remain.
    /// @dev Only DEFAULT_ADMIN_ROLE. Emits `RoleRevoked` per role and `ParticipantRevoked`.
    /// @param account the participant
    function revokeParticipant(address account) external;

    /// @notice Lists species `code` (FAO ASFIS 3-alpha, e.g. "COD") under `name`.
    /// @dev Only DEFAULT_ADMIN_ROLE. Emits `SpeciesListed`. Reverts with `RegistryInvalidSpeciesCode`,
    /// `RegistrySpeciesAlreadyListed`.
    /// @param code FAO ASFIS 3-alpha species code, e.g. "COD"
    /// @param name the species' common name
    function listSpecies(bytes3 code, string calldata name) external;

    /// @notice Delists species `code`: no new lot may carry it.
    /// @dev Only DEFAULT_ADMIN_ROLE. Emits `SpeciesDelisted`. Reverts with `RegistrySpeciesNotListed`.
    /// @param code FAO ASFIS 3-alpha species code, e.g. "COD"
    function delistSpecies(bytes3 code) external;

    /// @notice The participant id, effective role bits and operator of `account`, in one read.
    /// @param account the account
    function authorization(address account) external view returns (Authorization memory);

    /// @notice The ERC-20 this deployment's orders are priced, escrowed and paid in; zero when they settle in Ether.
    /// @dev Fixed at construction; the stage contracts copy it into an immutable at theirs.
    function settlementToken() external view returns (address);

    /// @notice The ERC-2771 forwarder whose relayed calls act as the signer (zero: none).
    /// @dev Fixed at construction; the stage contracts trust the same one, copied at theirs.
    function trustedForwarder() external view returns (address);

    /// @notice Whether species `code` is listed.
    /// @param code FAO ASFIS 3-alpha species code, e.g. "COD"
    function isSpeciesListed(bytes3 code) external view returns (bool);

    /// @notice The display name of species `code` (empty when never listed).
    /// @param code FAO ASFIS 3-alpha species code, e.g. "COD"
    function speciesName(bytes3 code) external view returns (string memory);

    /// @notice The account holding participant id `id` (zero address when none).
    /// @param id the participant id
    function accountOf(uint32 id) external view returns (address);

    /// @notice The display name and GS1 GLN or location code of `account`.
    /// @param account the participant
    /// @return name the participant's display name
    /// @return location the participant's location
    function profileOf(address account) external view returns (string memory name, string memory location);

    /// @notice The participant that operates `device` (zero address for a non-device).
    /// @param device the device
    function operatorOf(address device) external view returns (address);

    /// @notice The stage contracts attached, in order of attachment.
    function stages() external view returns (address[] memory);

    /// @notice The number of participant ids assigned so far (ids run 1 … count).
    function participantCount() external view returns (uint32);

    /// @notice Records that the caller vouches for each document whose SHA-256 is in `digests`, so that a copy of
    /// it exported later (a certificate in a GDST event, a vessel's record) can be proved unchanged and attributed.
    /// @dev Callable by a holder of an actor role, REGULATOR or the admin role (not a device). Anchors are kept per
    /// caller: nobody can take another participant's anchor first. Emits `DocumentAnchored` per digest. Reverts
    /// with `RegistryNotParticipant`, `RegistryDocumentAlreadyAnchored` (a digest the caller anchored before, or
    /// twice in `digests`).
    /// @param digests the SHA-256 digests of the documents' canonical forms
    function anchorDocuments(bytes32[] calldata digests) external;

    /// @notice When `by` anchored the document whose SHA-256 is `digest` (unix seconds; 0 when it did not).
    /// @param by the participant
    /// @param digest the SHA-256 of the document's canonical form
    function documentAnchoredAt(address by, bytes32 digest) external view returns (uint256);
}
