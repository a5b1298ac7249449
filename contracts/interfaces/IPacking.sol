// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStage} from "./IStage.sol";

/// @title IPacking
/// @notice Logistic units: lots packed into a case (or straight onto a pallet) under a GS1 SSCC (Serial Shipping
/// Container Code, 18 digits), cases packed onto a pallet under an SSCC of its own, and both unpacked again, as EPCIS
/// 2.0 AggregationEvents ADD and DELETE record them. A contract of its own beside the six stage contracts, which are
/// near the 24 KiB code size limit (EIP-170).
/// @dev The packer is a registered actor (any of the six stage roles) holding every lot at its stage — for a pallet,
/// every lot of every case on it; the contract reads the stage contract of the caller's role for each lot. An SSCC
/// names one logistic unit for ever: once unpacked it is not packed again (GS1 General Specifications: an SSCC is not
/// reallocated within a year, and the chain cannot tell a year-old reuse from a mistake). A lot is in at most one
/// packed unit at a time, and a unit on at most one pallet. A unit holds lots or units, never both, and only units
/// of lots go onto a pallet: two levels, so that packing or unpacking a pallet reads every lot under it in one pass,
/// without recursion. Cycles cannot form: a pallet is a new SSCC, its cases are packed units already, and no unit's
/// contents change after it is packed, so a unit contains only units packed before it.
interface IPacking {
    /// @notice Where a logistic unit stands.
    enum UnitStatus {
        None,
        Packed,
        Unpacked
    }

    /// @notice What a logistic unit holds: lots (a case, `pack`) or logistic units of lots (a pallet of cases,
    /// `packUnits`).
    enum UnitKind {
        Lots,
        Units
    }

    /// @notice A logistic unit as stored: one storage slot, which packing it onto a pallet rewrites (`parent`).
    /// @dev Layout (1 slot): status 8 | stage 8 | packerId 32 | packedAt 40 | count 16 | unpackerId 32 |
    /// unpackedAt 40 | kind 8 | parent 64 | 8 spare. An SSCC is below 10^18 < 2^64.
    struct LogisticUnit {
        UnitStatus status;
        uint8 stage; // the stage the lots were packed at (1 = Harvester … 6 = Customer)
        uint32 packerId; // participant id of the packer
        uint40 packedAt;
        uint16 count; // the lots (kind Lots) or units (kind Units) it holds
        uint32 unpackerId; // participant id of who unpacked it (0 while packed)
        uint40 unpackedAt; // 0 while packed
        UnitKind kind;
        uint64 parent; // the SSCC of the pallet it is packed on now (0 when none)
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

    /// @notice Participant `packerId` packed the logistic units `ssccs` (cases of lots it holds at stage `stage`)
    /// onto the new logistic unit `sscc`, a pallet (EPCIS AggregationEvent ADD, the cases as childEPCs).
    /// @param sscc the pallet's SSCC
    /// @param packerId participant id of the packer, the custodian of every lot in the cases
    /// @param stage the stage the lots are held at
    /// @param ssccs the cases' SSCCs, in the order given
    event UnitsPacked(uint256 indexed sscc, uint32 indexed packerId, uint8 stage, uint256[] ssccs);

    /// @notice Participant `unpackerId` unpacked the pallet `sscc` at stage `stage`: its cases `ssccs` are loose
    /// again, still packed with their lots (EPCIS AggregationEvent DELETE).
    /// @param sscc the pallet's SSCC
    /// @param unpackerId participant id of the custodian of every lot in the cases, who unpacked it
    /// @param stage the stage the lots are held at when unpacked
    /// @param ssccs the cases the pallet held
    event UnitsUnpacked(uint256 indexed sscc, uint32 indexed unpackerId, uint8 stage, uint256[] ssccs);

    /// @notice `account` holds no actor role (a device, a regulator, an admin only, an outsider, a revoked one).
    error PackingUnauthorized(address account);
    /// @notice `sscc` is not an SSCC: more than 18 digits, zero, or a wrong GS1 check digit.
    error PackingInvalidSscc(uint256 sscc);
    /// @notice The logistic unit `sscc` was packed already (`status` Packed, or Unpacked: an SSCC is used once).
    error PackingSsccUsed(uint256 sscc, UnitStatus status);
    /// @notice The logistic unit `sscc` is not packed (`status` None or Unpacked), so it cannot be unpacked nor
    /// packed onto a pallet.
    error PackingSsccNotPacked(uint256 sscc, UnitStatus status);
    /// @notice A logistic unit holds 1 to `maximum` lots, not `count`.
    error PackingInvalidLotCount(uint256 count, uint256 maximum);
    /// @notice A pallet holds 1 to `maximum` logistic units, not `count`.
    error PackingInvalidUnitCount(uint256 count, uint256 maximum);
    /// @notice The pallet `sscc` is listed among its own units: a unit cannot contain itself.
    error PackingUnitInItself(uint256 sscc);
    /// @notice The logistic unit `sscc` holds units (a pallet): only units of lots go onto a pallet.
    error PackingUnitHoldsUnits(uint256 sscc);
    /// @notice The logistic unit `sscc` is on the pallet `pallet` already (or listed twice).
    error PackingUnitAlreadyPacked(uint256 sscc, uint256 pallet);
    /// @notice The logistic unit `sscc` is on the pallet `pallet`: unpack the pallet first.
    error PackingUnitOnPallet(uint256 sscc, uint256 pallet);
    /// @notice `lotId`, in the logistic unit `sscc`, was recalled by a regulator: the unit cannot go onto a pallet.
    error PackingUnitLotRecalled(uint256 sscc, uint256 lotId);
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

    /// @notice Packs the logistic units `ssccs` (cases of lots) onto the new logistic unit `sscc`, a pallet (EPCIS
    /// AggregationEvent ADD, bizStep packing, the cases as childEPCs).
    /// @dev Callable by an actor holding every lot of every case, `Created`, at its stage (chosen as for `pack`, by
    /// the first case's first lot); each case is packed, holds lots, is on no pallet, and holds no recalled lot.
    /// Reads every lot under the pallet (its custody, status and flags), so its gas grows with the lots as well as
    /// the cases. Emits `UnitsPacked`. Reverts with `PackingUnauthorized`, `PackingInvalidSscc`,
    /// `PackingInvalidUnitCount`, `PackingSsccUsed`, `PackingUnitInItself`, `PackingSsccNotPacked`,
    /// `PackingUnitHoldsUnits`, `PackingUnitAlreadyPacked`, `PackingStagePaused`, `PackingLotNotFound`,
    /// `PackingNotHolder`, `PackingLotNotAvailable`, `PackingUnitLotRecalled`.
    /// @param sscc the pallet's SSCC: 18 digits with a valid GS1 check digit, never used before
    /// @param ssccs the cases, 1 to `MAX_UNITS`, each once
    function packUnits(uint256 sscc, uint256[] calldata ssccs) external;

    /// @notice Unpacks the logistic unit `sscc` (EPCIS AggregationEvent DELETE, bizStep unpacking): a case's lots
    /// are loose again and may be packed anew; a pallet's cases are loose again, still packed, and may be unpacked or
    /// put onto another pallet. The SSCC is not used again.
    /// @dev Callable by an actor holding every lot of the unit (for a pallet, of every case on it), `Created`, at its
    /// stage: the packer before shipping, or the buyer who received them. A case on a pallet waits until the pallet
    /// is unpacked. Emits `Unpacked` (a case) or `UnitsUnpacked` (a pallet). Reverts with `PackingUnauthorized`,
    /// `PackingSsccNotPacked`, `PackingUnitOnPallet`, `PackingStagePaused`, `PackingLotNotFound`, `PackingNotHolder`,
    /// `PackingLotNotAvailable`.
    /// @param sscc the logistic unit's SSCC
    function unpack(uint256 sscc) external;

    /// @notice The logistic unit `sscc` (zeroed when never packed).
    /// @param sscc the SSCC
    function unitOf(uint256 sscc) external view returns (LogisticUnit memory);

    /// @notice What the logistic unit `sscc` holds or, once unpacked, held (empty when never packed): lot ids when
    /// its `kind` is Lots, the SSCCs of its units when it is Units.
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
