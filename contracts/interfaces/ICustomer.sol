// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStage} from "./IStage.sol";

/// @title ICustomer
/// @notice Stage 6: the customer's packs. Customers order, acknowledge and pay in the Retailer's order book; here
/// they verify where a pack came from and report problems with it.
interface ICustomer {
    /// @notice What went wrong with a pack.
    enum ProblemReason {
        Spoiled,
        WrongSpecies,
        Illness,
        Packaging,
        Other
    }

    /// @notice One step of a pack's history: lot `lotId` as stage `stage` records it, held there by `custodianId`.
    struct Hop {
        uint8 stage;
        uint256 lotId;
        uint32 custodianId;
        IStage.LotStatus status;
        uint8 flags;
        uint40 weightGrams;
    }

    /// @notice Customer `customerId` reported `reason` (with `detail`) about pack `lotId`, which is now flagged.
    /// @param lotId the lot
    /// @param customerId participant id of the reporting customer
    /// @param reason the kind of problem
    /// @param detail a free reference to the report (e.g. a hash of its text and photos)
    event ProblemReported(uint256 indexed lotId, uint32 indexed customerId, ProblemReason reason, bytes32 detail);

    /// @notice The provenance walk of `lotId` needs more than `maximum` hops.
    error ProvenanceTooLong(uint256 lotId, uint256 maximum);

    /// @notice Reports a problem with pack `lotId` and flags it (PROBLEM_REPORTED).
    /// @dev Callable by the CUSTOMER holding the pack. Emits `ProblemReported`. Reverts with `StagePaused`, `StageUnauthorized`,
    /// `LotNotFound`, `LotNotInCustody`.
    /// @param lotId the lot
    /// @param reason the kind of problem
    /// @param detail a free reference to the report (e.g. a hash of its text and photos)
    function reportProblem(uint256 lotId, ProblemReason reason, bytes32 detail) external;

    /// @notice The chain of custodians and lots from pack `lotId` back to every catch it was made from: the pack at
    /// each stage from the Customer back, and through the Manufacturer's lineage every parent lot back to the
    /// Harvester. Breadth first, at most `MAX_PROVENANCE_HOPS` hops.
    /// @dev A view: free off chain, bounded on chain (each hop is a few external view calls, about 10,000 gas).
    /// Reverts with `ProvenanceTooLong`.
    /// @param lotId the lot
    /// @return hops the hops from the lot back to its catch
    function verifyProvenance(uint256 lotId) external view returns (Hop[] memory hops);

    /// @notice Hops [`cursor`, `cursor + maxHops`) of the walk `verifyProvenance` makes, for provenance of any length
    /// (a pack made of many catches): start at cursor 0 and go on from `next` until it is 0 (audit F7).
    /// @dev A view; each page walks the hops before it again, so its cost grows with `cursor + maxHops`.
    /// @return hops the hops of this page, in the walk's order
    /// @return next the cursor of the next page, or 0 when this page ends the walk
    /// @param lotId the lot
    /// @param cursor how many hops the earlier pages covered (0 for the first page)
    /// @param maxHops the most hops this page returns
    function verifyProvenancePage(
        uint256 lotId,
        uint256 cursor,
        uint256 maxHops
    ) external view returns (Hop[] memory hops, uint256 next);
}
