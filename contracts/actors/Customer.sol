// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Stage} from "../base/Stage.sol";
import {ICustomer} from "../interfaces/ICustomer.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {IStage} from "../interfaces/IStage.sol";
import {LotWord} from "../libraries/LotCodec.sol";
import {LotFlags} from "../libraries/LotFlags.sol";
import {Provenance} from "../libraries/Provenance.sol";

/// @title Customer
/// @notice Smart contract 6: packs bought from Retailers, in their customers' custody. Customers verify a pack's
/// provenance back to the catch and report problems; they sell nothing on, so this stage has no order book.
contract Customer is ICustomer, Stage {
    /// @notice The most hops `verifyProvenance` walks.
    uint256 public constant MAX_PROVENANCE_HOPS = 64;

    /// @notice Deploys the Customer stage (stage 6) of `registry_`.
    /// @param registry_ the FishTrace registry
    /// @param retailer the Retailer contract packs come from
    constructor(IRegistry registry_, address retailer) Stage(registry_, 6, retailer) {}

    /// @inheritdoc ICustomer
    function reportProblem(uint256 lotId, ProblemReason reason, bytes32 detail) external {
        _requireNotPaused();
        uint32 customerId = _requireRole(_ACTOR_BIT).id;
        LotWord word = _lotWord(lotId);
        _requireCustody(lotId, word, customerId);
        _raiseFlags(lotId, word, LotFlags.PROBLEM_REPORTED);
        emit ProblemReported(lotId, customerId, reason, detail);
    }

    /// @inheritdoc ICustomer
    function verifyProvenance(uint256 lotId) external view returns (Hop[] memory) {
        return Provenance.walk(IStage(address(this)), lotId, MAX_PROVENANCE_HOPS);
    }

    /// @inheritdoc ICustomer
    function verifyProvenancePage(
        uint256 lotId,
        uint256 cursor,
        uint256 maxHops
    ) external view returns (Hop[] memory hops, uint256 next) {
        bool more;
        (hops, more) = Provenance.page(IStage(address(this)), lotId, cursor, maxHops);
        next = more ? cursor + maxHops : 0;
    }
}
