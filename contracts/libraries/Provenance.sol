// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICustomer} from "../interfaces/ICustomer.sol";
import {IStage} from "../interfaces/IStage.sol";

/// @title Provenance
/// @notice Walks a lot back through the stage contracts: at each stage its record; where a stage made it from
/// parents (the Manufacturer), each parent from that stage back; otherwise the same lot at the previous stage.
library Provenance {
    /// @dev Breadth-first walk from (`start`, `lotId`), returning at most `maxHops` hops, or reverting with
    /// `ProvenanceTooLong` when there are more.
    function walk(IStage start, uint256 lotId, uint256 maxHops) internal view returns (ICustomer.Hop[] memory hops) {
        bool more;
        (hops, more) = page(start, lotId, 0, maxHops);
        if (more) revert ICustomer.ProvenanceTooLong(lotId, maxHops);
    }

    /// @dev Hops [`cursor`, `cursor + maxHops`) of the breadth-first walk from (`start`, `lotId`), and whether the
    /// walk goes on after them. The walk's order does not depend on where a page starts, so pages join up.
    function page(
        IStage start,
        uint256 lotId,
        uint256 cursor,
        uint256 maxHops
    ) internal view returns (ICustomer.Hop[] memory hops, bool more) {
        uint256 capacity = cursor + maxHops;
        hops = new ICustomer.Hop[](maxHops);
        if (maxHops == 0) return (hops, true);
        IStage[] memory stages = new IStage[](capacity);
        uint256[] memory lotIds = new uint256[](capacity);
        stages[0] = start;
        lotIds[0] = lotId;
        uint256 queued = 1;
        uint256 done;
        for (; done < queued; ++done) {
            IStage stage = stages[done];
            uint256 id = lotIds[done];
            IStage.Lot memory lot = stage.getLot(id);
            if (done >= cursor)
                hops[done - cursor] = ICustomer.Hop({
                    stage: stage.stage(),
                    lotId: id,
                    custodianId: lot.custodianId,
                    status: lot.status,
                    flags: lot.flags,
                    weightGrams: lot.weightGrams
                });
            uint256[] memory parents = stage.parentsOf(id);
            address previous = stage.previousStage();
            if (parents.length != 0) {
                // Made here: continue with each parent as this stage received it.
                for (uint256 i; i < parents.length; ++i) {
                    if (queued == capacity) {
                        more = true;
                        break;
                    }
                    (stages[queued], lotIds[queued]) = (stage, parents[i]);
                    ++queued;
                }
            } else if (previous != address(0) && lot.status != IStage.LotStatus.None) {
                if (queued == capacity) {
                    more = true;
                } else {
                    (stages[queued], lotIds[queued]) = (IStage(previous), id);
                    ++queued;
                }
            }
        }
        uint256 count = done > cursor ? done - cursor : 0;
        assembly ("memory-safe") {
            mstore(hops, count)
        }
    }
}
