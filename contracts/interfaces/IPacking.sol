// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStage} from "./IStage.sol";

/// @title IPacking
/// @notice Logistic units: lots packed into a case or onto a pallet under a GS1 SSCC (Serial Shipping Container
/// Code, 18 digits) and unpacked again, as EPCIS 2.0 AggregationEvents ADD and DELETE record them. A contract of its
/// own beside the six stage contracts, which are near the 24 KiB code size limit (EIP-170).
/// @dev The packer is a registered actor (any of the six stage roles) holding every lot at its stage; the contract
/// reads the stage contract of the caller's role for each lot. An SSCC names one logistic unit for ever: once
/// unpacked it is not packed again (GS1 General Specifications: an SSCC is not reallocated within a year, and the
/// chain cannot tell a year-old reuse from a mistake). A lot is in at most one packed unit at a time.
interface IPacking {
    /// @notice Where a logistic unit stands.
    enum UnitStatus {
        None,
        Packed,
        Unpacked
    }

    /// @notice A logistic unit as stored: one storage slot.
    /// @dev Layout (1 slot): status 8 | stage 8 | packerId 32 | packedAt 40 | lotCount 16 | unpackerId 32 |
    /// unpackedAt 40 | 80 spare.
    struct LogisticUnit {
        UnitStatus status;
        uint8 stage; // the stage the lots were packed at (1 = Harvester … 6 = Customer)
        uint32 packerId; // participant id of the packer
        uint40 packedAt;
        uint16 lotCount;
        uint32 unpackerId; // participant id of who unpacked it (0 while packed)
        uint40 unpackedAt; // 0 while packed
    }

    /// @notice Participant `packerId` packed `lotIds` (weighing `weightsGrams` each, in the same order) at stage
    /// `stage` into the logistic unit `sscc` (EPCIS AggregationEvent ADD).
    /// @param sscc the logistic unit's SSCC, 18 digits as a number
    /// @param packerId participant id of the packer, the lots' custodian
    /// @param stage the stage the lots are held at (1 = Harvester … 6 = Customer)
    /// @param lotIds the lots packed
    /// @param weightsGrams each lot's weight when packed, grams
    event Packed(uint256 indexed sscc, uint32 indexed packerId, uint8 stage, uint256[] lotIds, uint40[] weightsGrams);

    /// @notice Participant `unpackerId` unpacked the logistic unit `sscc` at stage `stage`; its lots `lotIds` are
    /// loose again (EPCIS AggregationEvent DELETE).
    /// @param sscc the logistic unit's SSCC
    /// @param unpackerId participant id of the lots' custodian who unpacked it
    /// @param stage the stage the lots are held at when unpacked
    /// @param lotIds the lots the unit held
    event Unpacked(uint256 indexed sscc, uint32 indexed unpackerId, uint8 stage, uint256[] lotIds);

    /// @notice `account` holds no actor role (a device, a regulator, an admin only, an outsider, a revoked one).
    error PackingUnauthorized(address account);
    /// @notice `sscc` is not an SSCC: more than 18 digits, zero, or a wrong GS1 check digit.
    error PackingInvalidSscc(uint256 sscc);
    /// @notice The logistic unit `sscc` was packed already (`status` Packed, or Unpacked: an SSCC is used once).
    error PackingSsccUsed(uint256 sscc, UnitStatus status);
    /// @notice The logistic unit `sscc` is not packed (`status` None or Unpacked), so it cannot be unpacked.
    error PackingSsccNotPacked(uint256 sscc, UnitStatus status);
    /// @notice A logistic unit holds 1 to `maximum` lots, not `count`.
    error PackingInvalidLotCount(uint256 count, uint256 maximum);
    /// @notice No lot `lotId` is at stage `stage` (the caller's stage).
    error PackingLotNotFound(uint256 lotId, uint8 stage);
    /// @notice `lotId` is held by participant `custodianId` at the caller's stage, not by the caller `callerId`.
    error PackingNotHolder(uint256 lotId, uint32 custodianId, uint32 callerId);
    /// @notice `lotId` is `status` at the caller's stage, not available (`Created`) to pack or unpack.
    error PackingLotNotAvailable(uint256 lotId, IStage.LotStatus status);
    /// @notice `lotId` was recalled by a regulator and cannot be packed.
    error PackingLotRecalled(uint256 lotId);
    /// @notice `lotId` is packed in the logistic unit `sscc` already (or listed twice).
    error PackingLotAlreadyPacked(uint256 lotId, uint256 sscc);
    /// @notice Stage `stage` is paused: packing and unpacking at it wait for a PAUSER to unpause it.
    error PackingStagePaused(uint8 stage);
    /// @notice `stageContract`, given as stage `stage`, is not that stage of the registry.
    error PackingInvalidStage(uint8 stage, address stageContract);

    /// @notice Packs `lotIds` into the new logistic unit `sscc` (EPCIS AggregationEvent ADD, bizStep packing).
    /// @dev Callable by an actor holding every lot, `Created` and not recalled, at its stage (the stage of its actor
    /// role; for a participant with several, the stage where it holds the first lot). The SSCC's check digit is
    /// checked here. Emits `Packed`. Reverts with `PackingUnauthorized`, `PackingInvalidSscc`,
    /// `PackingInvalidLotCount`, `PackingSsccUsed`, `PackingStagePaused`, `PackingLotNotFound`, `PackingNotHolder`,
    /// `PackingLotNotAvailable`, `PackingLotRecalled`, `PackingLotAlreadyPacked`.
    /// @param sscc the logistic unit's SSCC: 18 digits (leading zeros allowed) with a valid GS1 check digit
    /// @param lotIds the lots to pack, 1 to `MAX_LOTS`, each once
    function pack(uint256 sscc, uint256[] calldata lotIds) external;

    /// @notice Unpacks the logistic unit `sscc` (EPCIS AggregationEvent DELETE, bizStep unpacking): its lots are
    /// loose again and may be packed anew; the SSCC is not used again.
    /// @dev Callable by an actor holding every lot of the unit, `Created`, at its stage: the packer before shipping,
    /// or the buyer who received them. Emits `Unpacked`. Reverts with `PackingUnauthorized`, `PackingSsccNotPacked`,
    /// `PackingStagePaused`, `PackingLotNotFound`, `PackingNotHolder`, `PackingLotNotAvailable`.
    /// @param sscc the logistic unit's SSCC
    function unpack(uint256 sscc) external;

    /// @notice The logistic unit `sscc` (zeroed when never packed).
    /// @param sscc the SSCC
    function unitOf(uint256 sscc) external view returns (LogisticUnit memory);

    /// @notice The lots the logistic unit `sscc` holds or, once unpacked, held (empty when never packed).
    /// @param sscc the SSCC
    function contentsOf(uint256 sscc) external view returns (uint256[] memory);

    /// @notice The SSCC of the packed logistic unit `lotId` is in (0 when it is loose).
    /// @param lotId the lot
    function packOf(uint256 lotId) external view returns (uint256);

    /// @notice Whether `sscc` is an SSCC: at most 18 digits, not zero, with a valid GS1 mod-10 check digit.
    /// @param sscc the number to check
    function isValidSscc(uint256 sscc) external pure returns (bool);

    /// @notice The stage contract of stage `stage` (1 = Harvester … 6 = Customer) this contract reads lots at.
    /// @param stage 1 … 6
    function stageAt(uint8 stage) external view returns (address);

    /// @notice The registry whose participants pack.
    function registry() external view returns (address);
}
