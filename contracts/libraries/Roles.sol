// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Roles
/// @notice The role vocabulary of FishTrace: one `bytes32` id per role (as OpenZeppelin `AccessControl` expects)
/// and one bit per role in the packed membership word the `Registry` keeps for every account.
/// @dev Bit 0 is `DEFAULT_ADMIN_ROLE`. Actor roles are bits 1-6 in supply-chain order, so the actor role of
/// stage `s` (1 = Harvester … 6 = Customer) is `1 << s`.
library Roles {
    bytes32 internal constant DEFAULT_ADMIN = 0x00;
    bytes32 internal constant HARVESTER = keccak256("HARVESTER");
    bytes32 internal constant SUPPLIER = keccak256("SUPPLIER");
    bytes32 internal constant MANUFACTURER = keccak256("MANUFACTURER");
    bytes32 internal constant DISTRIBUTOR = keccak256("DISTRIBUTOR");
    bytes32 internal constant RETAILER = keccak256("RETAILER");
    bytes32 internal constant CUSTOMER = keccak256("CUSTOMER");
    bytes32 internal constant REGULATOR = keccak256("REGULATOR");
    bytes32 internal constant QAT_DEVICE = keccak256("QAT_DEVICE");
    bytes32 internal constant SENSOR_GATEWAY = keccak256("SENSOR_GATEWAY");
    bytes32 internal constant RELAYER = keccak256("RELAYER");
    /// @dev May pause and unpause each stage contract and the quality ledger on its own (settlement never pauses).
    bytes32 internal constant PAUSER = keccak256("PAUSER");

    uint16 internal constant ADMIN_BIT = 1 << 0;
    uint16 internal constant HARVESTER_BIT = 1 << 1;
    uint16 internal constant SUPPLIER_BIT = 1 << 2;
    uint16 internal constant MANUFACTURER_BIT = 1 << 3;
    uint16 internal constant DISTRIBUTOR_BIT = 1 << 4;
    uint16 internal constant RETAILER_BIT = 1 << 5;
    uint16 internal constant CUSTOMER_BIT = 1 << 6;
    uint16 internal constant REGULATOR_BIT = 1 << 7;
    uint16 internal constant QAT_DEVICE_BIT = 1 << 8;
    uint16 internal constant SENSOR_GATEWAY_BIT = 1 << 9;
    uint16 internal constant RELAYER_BIT = 1 << 10;
    uint16 internal constant PAUSER_BIT = 1 << 11;

    /// @dev The six supply-chain actor roles.
    uint16 internal constant ACTOR_BITS =
        HARVESTER_BIT | SUPPLIER_BIT | MANUFACTURER_BIT | DISTRIBUTOR_BIT | RETAILER_BIT | CUSTOMER_BIT;
    /// @dev Roles held by devices, which act only on behalf of the participant that operates them.
    uint16 internal constant DEVICE_BITS = QAT_DEVICE_BIT | SENSOR_GATEWAY_BIT;
    /// @dev Who may operate a device: an actor, or a regulator (an inspector's QAT device).
    uint16 internal constant OPERATOR_BITS = ACTOR_BITS | REGULATOR_BIT;

    /// @notice The membership bit of `role`, or 0 when `role` is not one of FishTrace's roles.
    /// @param role the role's AccessControl id
    function bitOf(bytes32 role) internal pure returns (uint16) {
        if (role == DEFAULT_ADMIN) return ADMIN_BIT;
        if (role == HARVESTER) return HARVESTER_BIT;
        if (role == SUPPLIER) return SUPPLIER_BIT;
        if (role == MANUFACTURER) return MANUFACTURER_BIT;
        if (role == DISTRIBUTOR) return DISTRIBUTOR_BIT;
        if (role == RETAILER) return RETAILER_BIT;
        if (role == CUSTOMER) return CUSTOMER_BIT;
        if (role == REGULATOR) return REGULATOR_BIT;
        if (role == QAT_DEVICE) return QAT_DEVICE_BIT;
        if (role == SENSOR_GATEWAY) return SENSOR_GATEWAY_BIT;
        if (role == RELAYER) return RELAYER_BIT;
        if (role == PAUSER) return PAUSER_BIT;
        return 0;
    }

    /// @notice The role id whose membership bit is `bit` (inverse of `bitOf`); `bit` must be a single known bit.
    /// @param bit one bit of a role bitmap (see `Roles`)
    function roleOf(uint16 bit) internal pure returns (bytes32) {
        if (bit == ADMIN_BIT) return DEFAULT_ADMIN;
        if (bit == HARVESTER_BIT) return HARVESTER;
        if (bit == SUPPLIER_BIT) return SUPPLIER;
        if (bit == MANUFACTURER_BIT) return MANUFACTURER;
        if (bit == DISTRIBUTOR_BIT) return DISTRIBUTOR;
        if (bit == RETAILER_BIT) return RETAILER;
        if (bit == CUSTOMER_BIT) return CUSTOMER;
        if (bit == REGULATOR_BIT) return REGULATOR;
        if (bit == QAT_DEVICE_BIT) return QAT_DEVICE;
        if (bit == SENSOR_GATEWAY_BIT) return SENSOR_GATEWAY;
        if (bit == RELAYER_BIT) return RELAYER;
        if (bit == PAUSER_BIT) return PAUSER;
        return bytes32(0);
    }

    /// @notice The actor role bit of supply-chain stage `stage` (1 = Harvester … 6 = Customer).
    /// @param stage 1 = Harvester … 6 = Customer
    function actorBit(uint8 stage) internal pure returns (uint16) {
        return uint16(1) << stage;
    }
}
