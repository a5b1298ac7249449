// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ICustomer} from "../../contracts/interfaces/ICustomer.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";

/// @notice The branches of `contracts/` no other suite took both ways (issue 21, item 5), each taken both ways here.
/// @dev Found by reading the per-test statement hits `npm run coverage` leaves in `coverage/data` against the
/// instrumentation's statement map: an `if` whose body ran in every test that reached it, then checked by hand
/// (README, "Coverage"). Every other `if` of `contracts/` is taken both ways by the other suites.
contract BranchesTest is FishTraceTest {
    uint40 private constant GRAMS = 5_000;

    /// @dev `Stage.queryQAT` reads the quality ledger only once one is set: before, it answers the lot's flags and an
    /// empty inspection without calling anything; after, it asks the ledger.
    function test_queryQAT_withoutLedger_answersFlagsOnly() public {
        _deploy(false);
        _register(harvester1, _actorRole(1));
        _listSpecies(COD, "Atlantic cod");
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IStage.Inspection memory none;

        assertEq(harvester.qualityLedger(), address(0), "no ledger yet");
        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(lotId);
        assertEq(abi.encode(inspection), abi.encode(none), "no inspection without a ledger");
        assertEq(flags, harvester.getLot(lotId).flags, "the lot's flags");

        vm.prank(admin);
        harvester.setQualityLedger(address(ledger));
        vm.expectCall(address(ledger), abi.encodeCall(ledger.inspectionOf, (lotId)));
        (inspection, flags) = harvester.queryQAT(lotId);
        assertEq(abi.encode(inspection), abi.encode(ledger.inspectionOf(lotId)), "the ledger's inspection");
    }

    /// @dev `Stage.flagLot` refuses the zero address even while no ledger is set (the ledger slot is zero then, so
    /// `msg.sender == _ledger` alone would let it through); with a ledger set, the zero address is a stranger.
    function test_flagLot_RevertWhen_CallerZeroAndNoLedger() public {
        _deploy(false);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageCallerNotLedger.selector, address(0)));
        vm.prank(address(0));
        supplier.flagLot(1, LotFlags.EXCURSION);

        vm.prank(admin);
        supplier.setQualityLedger(address(ledger));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageCallerNotLedger.selector, address(0)));
        vm.prank(address(0));
        supplier.flagLot(1, LotFlags.EXCURSION);
    }

    /// @dev A lot the Customer never held is one hop (status `None`) and the walk stops there instead of asking the
    /// Retailer; a pack that did come down the chain is walked back to its catch, and a page shorter than that walk
    /// says where the next page starts.
    function test_verifyProvenance_unknownLotEndsAtItsStage() public {
        _deployWithParticipants();
        ICustomer.Hop[] memory hops = customer.verifyProvenance(999);
        assertEq(hops.length, 1, "one hop");
        assertEq(hops[0].stage, 6, "at the Customer");
        assertEq(uint256(hops[0].status), uint256(IStage.LotStatus.None), "unknown there");
        uint256 next;
        (hops, next) = customer.verifyProvenancePage(999, 0, 1);
        assertEq(hops.length, 1, "the one hop fills the page");
        assertEq(next, 0, "and nothing follows");

        uint256 pack = _lotAt(6, COD, GRAMS);
        hops = customer.verifyProvenance(pack);
        assertEq(hops.length, 6, "one hop a stage");
        assertEq(hops[5].stage, 1, "ends at the catch");
        (hops, next) = customer.verifyProvenancePage(pack, 0, 1);
        assertEq(hops.length, 1, "a page of one");
        assertEq(next, 1, "the walk goes on");
    }
}
