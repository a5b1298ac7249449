// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl, IAccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";

import {IRegistry} from "./interfaces/IRegistry.sol";
import {IRegistryReplica} from "./interfaces/IRegistryReplica.sol";
import {Probe} from "./libraries/Probe.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title Registry
/// @notice One registry for every FishTrace deployment: participants and their roles (OpenZeppelin
/// `AccessControl`), the devices each participant operates, and the admin-maintained species list.
/// @dev Roles are kept as bits in one packed word per account instead of `AccessControl`'s nested mappings, so
/// that a stage contract learns a caller's id, roles and operator with a single cold storage read. `hasRole`,
/// `grantRole`, `revokeRole`, `renounceRole`, `onlyRole` and the `RoleGranted`/`RoleRevoked` events behave as in
/// `AccessControl`; a role outside FishTrace's twelve reverts with `RegistryUnknownRole`.
/// The admin follows OpenZeppelin `AccessControlDefaultAdminRules`: one admin at a time, handed over in two steps
/// (`beginDefaultAdminTransfer`, then `acceptDefaultAdminTransfer` by the new admin once the delay has passed), never
/// granted or revoked directly. The packed word stays the one source `hasRole` reads; for the admin role the
/// overrides below also run `AccessControlDefaultAdminRules`' bookkeeping, so `defaultAdmin()` and `hasRole` agree.
/// Every change of an account's authorization is pushed to the replicas of the attached stage contracts, so that
/// they check callers with one local read (see `RegistryReplica`); so is every listing and delisting of a species.
/// A deployment's two fixed choices live here: the settlement token of its order books (zero: Ether) and the
/// ERC-2771 forwarder (OpenZeppelin `ERC2771Forwarder`) that may relay participants' signed requests, so that a
/// sponsor pays their gas; every caller check reads the signer through `_msgSender()`.
contract Registry is IRegistry, AccessControlDefaultAdminRules, ERC2771Context {
    /// @notice The most stage contracts one registry pushes to (six actors plus room for upgrades).
    uint256 public constant MAX_STAGES = 12;

    /// @dev Layout (1 slot): id 32 | roles 16 | operator 160 | 48 spare.
    struct Member {
        uint32 id;
        uint16 roles;
        address operator;
    }

    struct Profile {
        string name;
        string location;
    }

    mapping(address account => Member) private _members;
    mapping(uint32 id => address account) private _accounts;
    mapping(address account => Profile) private _profiles;
    mapping(bytes3 code => string name) private _species;
    address[] private _stages;
    uint32 private _participantCount;
    mapping(address by => mapping(bytes32 digest => uint256 at)) private _anchoredAt;

    address private immutable _SETTLEMENT_TOKEN;

    /// @notice Deploys the registry with `admin` as its administrator, settling orders in `token` (zero: Ether)
    /// and trusting `forwarder` (zero: none) to relay signed requests.
    /// @param admin the account that holds DEFAULT_ADMIN_ROLE and manages participants and species
    /// @param adminDelay seconds between beginning an admin transfer and the new admin's earliest acceptance
    /// @param forwarder the ERC-2771 forwarder the registry and its stages trust (zero: no forwarding)
    /// @param token the ERC-20 the order books escrow (zero: Ether); a standard token, not fee-on-transfer or rebasing
    constructor(
        address admin,
        uint48 adminDelay,
        address forwarder,
        address token
    ) AccessControlDefaultAdminRules(adminDelay, admin) ERC2771Context(forwarder) {
        if (token != address(0) && token.code.length == 0) revert RegistryInvalidToken(token);
        _SETTLEMENT_TOKEN = token;
        emit DeploymentConfigured(token, forwarder);
    }

    // ------------------------------------------------------------------ stages

    /// @inheritdoc IRegistry
    function attachStage(address stage) external onlyRole(DEFAULT_ADMIN_ROLE) {
        // A stage that is not this registry's replica would make every later role change revert.
        if (Probe.word(stage, IRegistryReplica.registry.selector) != uint256(uint160(address(this)))) {
            revert RegistryNotReplica(stage);
        }
        uint256 n = _stages.length;
        if (n == MAX_STAGES) revert RegistryTooManyStages(MAX_STAGES);
        for (uint256 i; i < n; ++i) {
            if (_stages[i] == stage) revert RegistryStageAlreadyAttached(stage);
        }
        _stages.push(stage);
        emit StageAttached(stage);
    }

    /// @inheritdoc IRegistry
    function pause(address target) external onlyRole(Roles.PAUSER) {
        _attached(target).syncPause(true, _msgSender());
    }

    /// @inheritdoc IRegistry
    function unpause(address target) external onlyRole(Roles.PAUSER) {
        _attached(target).syncPause(false, _msgSender());
    }

    // ------------------------------------------------------------------ participants

    /// @inheritdoc IRegistry
    function registerParticipant(
        address account,
        bytes32 role,
        string calldata name,
        string calldata location
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _grantRole(role, account);
        _profiles[account] = Profile(name, location);
        emit ParticipantProfileSet(account, name, location);
    }

    /// @inheritdoc IRegistry
    function registerDevice(address device, bytes32 role, address operator) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint16 bit = Roles.bitOf(role);
        if (bit & Roles.DEVICE_BITS == 0) revert RegistryNotDeviceRole(role);
        if (_members[operator].roles & Roles.OPERATOR_BITS == 0) revert RegistryOperatorNotActor(operator);
        Member storage m = _members[device];
        if ((m.roles & ~Roles.DEVICE_BITS) != 0 || (m.operator != address(0) && m.operator != operator)) {
            revert RegistryDeviceConflict(device, m.operator);
        }
        _enrol(device);
        if (m.operator == address(0)) {
            m.operator = operator;
            emit DeviceBound(device, operator);
        }
        _grantRole(role, device);
    }

    /// @inheritdoc IRegistry
    function revokeParticipant(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        // The admin leaves only through the delayed two-step transfer (or a scheduled renounce).
        if (account == defaultAdmin()) revert AccessControlEnforcedDefaultAdminRules();
        uint16 roles = _members[account].roles;
        for (uint16 bit = 1; bit != 0 && bit <= roles; bit <<= 1) {
            if (roles & bit != 0) _revokeRole(Roles.roleOf(bit), account);
        }
        emit ParticipantRevoked(account);
    }

    // ------------------------------------------------------------------ species

    /// @inheritdoc IRegistry
    function listSpecies(bytes3 code, string calldata name) external onlyRole(DEFAULT_ADMIN_ROLE) {
        for (uint256 i; i < 3; ++i) {
            bytes1 c = code[i];
            if (c < "A" || c > "Z") revert RegistryInvalidSpeciesCode(code);
        }
        if (bytes(_species[code]).length != 0) revert RegistrySpeciesAlreadyListed(code);
        // An empty name would read as "not listed": store the code itself instead.
        _species[code] = bytes(name).length == 0 ? string(abi.encodePacked(code)) : name;
        emit SpeciesListed(code, name);
        _pushSpecies(code, true);
    }

    /// @inheritdoc IRegistry
    function delistSpecies(bytes3 code) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bytes(_species[code]).length == 0) revert RegistrySpeciesNotListed(code);
        delete _species[code];
        emit SpeciesDelisted(code);
        _pushSpecies(code, false);
    }

    // ------------------------------------------------------------------ documents

    /// @inheritdoc IRegistry
    function anchorDocuments(bytes32[] calldata digests) external {
        address sender = _msgSender();
        if (_members[sender].roles & (Roles.OPERATOR_BITS | Roles.ADMIN_BIT) == 0) {
            revert RegistryNotParticipant(sender);
        }
        mapping(bytes32 => uint256) storage anchored = _anchoredAt[sender];
        uint256 n = digests.length;
        for (uint256 i; i < n; ++i) {
            bytes32 digest = digests[i];
            uint256 anchoredAt = anchored[digest];
            if (anchoredAt != 0) revert RegistryDocumentAlreadyAnchored(digest, sender, anchoredAt);
            anchored[digest] = block.timestamp;
            emit DocumentAnchored(digest, sender);
        }
    }

    /// @inheritdoc IRegistry
    function documentAnchoredAt(address by, bytes32 digest) external view returns (uint256) {
        return _anchoredAt[by][digest];
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRegistry
    function authorization(address account) external view returns (Authorization memory) {
        return _authorizationOf(account);
    }

    /// @inheritdoc IRegistry
    function settlementToken() external view returns (address) {
        return _SETTLEMENT_TOKEN;
    }

    /// @inheritdoc IRegistry
    function trustedForwarder() public view override(IRegistry, ERC2771Context) returns (address) {
        return super.trustedForwarder();
    }

    /// @inheritdoc IRegistry
    function stages() external view returns (address[] memory) {
        return _stages;
    }

    /// @dev The effective authorization of `account`: a device loses its roles while its operator is neither an
    /// actor nor a regulator.
    function _authorizationOf(address account) private view returns (Authorization memory auth) {
        Member memory m = _members[account];
        auth.id = m.id;
        auth.roles = m.roles;
        if (m.operator != address(0)) {
            Member memory op = _members[m.operator];
            auth.operatorId = op.id;
            auth.operator = m.operator;
            // A device acts only while the participant operating it is still an actor or a regulator.
            if (op.roles & Roles.OPERATOR_BITS == 0) auth.roles &= ~Roles.DEVICE_BITS;
        }
    }

    /// @inheritdoc IRegistry
    function isSpeciesListed(bytes3 code) external view returns (bool) {
        return bytes(_species[code]).length != 0;
    }

    /// @inheritdoc IRegistry
    function speciesName(bytes3 code) external view returns (string memory) {
        return _species[code];
    }

    /// @inheritdoc IRegistry
    function accountOf(uint32 id) external view returns (address) {
        return _accounts[id];
    }

    /// @inheritdoc IRegistry
    function profileOf(address account) external view returns (string memory name, string memory location) {
        Profile storage p = _profiles[account];
        return (p.name, p.location);
    }

    /// @inheritdoc IRegistry
    function operatorOf(address device) external view returns (address) {
        return _members[device].operator;
    }

    /// @inheritdoc IRegistry
    function participantCount() external view returns (uint32) {
        return _participantCount;
    }

    /// @notice Whether `account` holds `role` (as `authorization` reports it); false for roles outside FishTrace's
    /// twelve.
    /// @param role the role's AccessControl id
    /// @param account the account
    function hasRole(bytes32 role, address account) public view override(AccessControl, IAccessControl) returns (bool) {
        // The effective roles, as stages see them: a device whose operator is neither actor nor regulator holds none.
        return _authorizationOf(account).roles & Roles.bitOf(role) != 0;
    }

    // ------------------------------------------------------------------ internals

    /// @dev The signer of a request the trusted forwarder relays, else the caller (ERC-2771).
    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }

    /// @dev Replaces `AccessControl`'s storage with the packed membership word; same return value and event. The
    /// admin role also goes through `AccessControlDefaultAdminRules` (one admin; it records `defaultAdmin()`, and
    /// `AccessControl` below it emits `RoleGranted`), before the packed bit is set, since `hasRole` reads that bit.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        uint16 bit = Roles.bitOf(role);
        if (bit == 0) revert RegistryUnknownRole(role);
        if (account == address(0)) revert RegistryZeroAccount();
        Member storage m = _members[account];
        if (m.roles & bit != 0) return false;
        // Devices hold device roles only, and only once bound to an operator through `registerDevice`.
        if ((bit & Roles.DEVICE_BITS != 0) != (m.operator != address(0)))
            revert RegistryDeviceConflict(account, m.operator);
        _enrol(account);
        if (bit == Roles.ADMIN_BIT) super._grantRole(role, account);
        else emit RoleGranted(role, account, _msgSender());
        m.roles |= bit;
        _push(account);
        return true;
    }

    /// @dev Replaces `AccessControl`'s storage with the packed membership word; same return value and event. The
    /// admin role also goes through `AccessControlDefaultAdminRules` (clearing `defaultAdmin()`; `AccessControl`
    /// emits `RoleRevoked`) while the packed bit is still set.
    function _revokeRole(bytes32 role, address account) internal override returns (bool) {
        uint16 bit = Roles.bitOf(role);
        if (bit == 0) revert RegistryUnknownRole(role);
        Member storage m = _members[account];
        if (m.roles & bit == 0) return false;
        if (bit == Roles.ADMIN_BIT) super._revokeRole(role, account);
        else emit RoleRevoked(role, account, _msgSender());
        m.roles &= ~bit;
        _push(account);
        return true;
    }

    /// @dev Pushes `account`'s own record (its id, its own roles, its operator) to every attached stage. A device's
    /// record does not depend on its operator's roles: replicas read the operator's record when the device acts, so
    /// an operator's role change is one push whatever the number of its devices (audit F8).
    function _push(address account) private {
        Member memory m = _members[account];
        Authorization memory auth = Authorization({
            id: m.id,
            roles: m.roles,
            operatorId: _members[m.operator].id,
            operator: m.operator
        });
        uint256 n = _stages.length;
        for (uint256 i; i < n; ++i) {
            IRegistryReplica(_stages[i]).syncAuthorization(account, auth);
        }
    }

    /// @dev Pushes species `code`'s listing to every attached stage, so that a stage checks a lot's species with a
    /// local read. A stage attached after the species was listed has no entry and asks this registry instead.
    function _pushSpecies(bytes3 code, bool listed) private {
        uint256 n = _stages.length;
        for (uint256 i; i < n; ++i) {
            IRegistryReplica(_stages[i]).syncSpecies(code, listed);
        }
    }

    /// @dev `target` as a replica; reverts with `RegistryNotAttached` unless it is attached here.
    function _attached(address target) private view returns (IRegistryReplica) {
        uint256 n = _stages.length;
        for (uint256 i; i < n; ++i) {
            if (_stages[i] == target) return IRegistryReplica(target);
        }
        revert RegistryNotAttached(target);
    }

    /// @dev Gives `account` a participant id if it has none yet.
    function _enrol(address account) private {
        Member storage m = _members[account];
        if (m.id != 0) return;
        uint32 id = ++_participantCount;
        m.id = id;
        _accounts[id] = account;
        emit ParticipantEnrolled(id, account);
    }
}
